/* publish_internal.h: what publish/'s files share. Never included from outside publish/. */
#ifndef LADDER_PUBLISH_INTERNAL_H
#define LADDER_PUBLISH_INTERNAL_H

#include <pthread.h>

#include "publish.h"
#include "validator.h"

/* breaks.c: a sink that hands `inner` the plan with its breaks replaced by `asked`
 * (publish_replace_breaks) and keeps that plan for show.json. */
typedef struct publish_break_sink {
    const ladder_sink *inner;
    const ladder_break *asked;
    int n_asked;
    ladder_plan plan; /* valid once begin ran */
    ladder_sink sink;
} publish_break_sink;

const ladder_sink *publish_break_sink_init(publish_break_sink *o, const ladder_sink *inner,
                                           const ladder_break *asked, int n_asked);

/* read_ahead.c: each HLS variant's val_reader, fed by the packager's on_segment (given
 * publish_read_ahead_segment with the struct as its opaque), for val_validate_ahead. */
#define PUBLISH_READ_AHEAD_MAX (LADDER_MAX_STREAMS + 1) /* the rungs and the audio-only variant */
typedef struct publish_read_ahead {
    pthread_mutex_t lock;
    const char *show_dir; /* borrowed */
    char playlists[PUBLISH_READ_AHEAD_MAX][256];
    val_reader *readers[PUBLISH_READ_AHEAD_MAX];
    int n;
} publish_read_ahead;
void publish_read_ahead_init(publish_read_ahead *ra, const char *show_dir);
void publish_read_ahead_segment(void *opaque, const char *playlist, const char *segment,
                                int audio_only);
void publish_read_ahead_free(publish_read_ahead *ra);

/* publish.c: publish_folders of folders that are not all complete yet, in replay order (the
 * audio job, then the chunks); each is read when wait says it is complete
 * (tc_disk_replay_arriving). The coordinator's join, as the jobs arrive. */
int publish_folders_arriving(const publish_params *params, const char *const *dirs, int n_dirs,
                             const tc_folder_wait *wait, const char *per_title, publish_result *out,
                             ladder_error *err);

/* publish.c: --per-title's analysis of mezz with tc's ladder (tc_analyse_per_title): *pt (the
 * ladder to encode with; the caller frees it) and show.json's "per_title" object (*json, the
 * caller frees it). */
int publish_per_title(const char *mezz, const tc_params *tc, tc_per_title **pt, const char **json,
                      ladder_error *err);

#endif

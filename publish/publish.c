/* publish.c: the local and the replayed publish (publish.h). One version of a show is made in
 * the library's staging folder, checked by the validator, and put in place by the library; a
 * failure at any step closes the stage uncommitted, and the published show stays as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "library.h"
#include "packager.h"
#include "publish_internal.h"
#include "validator.h"

/* Where the packets come from: a transcoder running now, or transcode folders on disk. */
typedef struct packet_source {
    tc_transcoder *tc;
    const char *const *dirs;
    int n_dirs;
    const tc_folder_wait *wait; /* folders still arriving, in replay order; NULL: all there */
    const char *per_title;      /* show.json's "per_title" (tc_per_title_json); NULL: none */
} packet_source;

/* What a feed leaves for show.json and the captions; owned by publish_from. */
typedef struct fed {
    ladder_plan plan;
    ladder_stream_stats stats[LADDER_MAX_STREAMS];
    const ladder_captions *cc608; /* the source's CEA-608 as cues; NULL: none */
    ladder_captions cc608_read;   /* read back from a transcode folder's cc608.vtt */
    int read_ahead;               /* variants the validator took from their val_reader */
} fed;

void publish_params_default(publish_params *p)
{
    memset(p, 0, sizeof *p);
    p->library = PUBLISH_DEFAULT_LIBRARY;
    p->cc_language = "en";
    p->cc_name = "CC1";
}

/* The source's CEA-608 of a replay: from the first folder that kept it as text. */
static int read_folders_cc608(const packet_source *src, fed *f, ladder_error *err)
{
    char path[4096];

    for (int i = 0; i < src->n_dirs; i++) {
        snprintf(path, sizeof path, "%s/" TC_CC608_FILE, src->dirs[i]);
        if (!ladder_path_exists(path))
            continue;
        if (ladder_captions_read(path, &f->cc608_read, err) < 0)
            return err->code;
        f->cc608 = &f->cc608_read;
        return 0;
    }
    return 0;
}

/* Replays the folders, with the breaks asked for instead of theirs if any were. */
static int replay(const publish_params *params, const packet_source *src, const ladder_sink *sink,
                  fed *f, ladder_error *err)
{
    publish_break_sink *o = params->n_breaks > 0 ? malloc(sizeof *o) : NULL;
    int ret;

    if (params->n_breaks > 0 && !o)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (o)
        sink = publish_break_sink_init(o, sink, params->breaks, params->n_breaks);
    if (src->wait)
        ret = tc_disk_replay_arriving(src->dirs, src->n_dirs, src->wait, sink, &f->plan, f->stats,
                                      err);
    else
        ret = tc_disk_replay(src->dirs, src->n_dirs, sink, &f->plan, f->stats, err);
    if (o) {
        f->plan.n_breaks = o->plan.n_breaks;
        memcpy(f->plan.breaks, o->plan.breaks, sizeof f->plan.breaks);
    }
    free(o);
    return ret < 0 ? ret : read_folders_cc608(src, f, err);
}

/* Drives the packager's sink from the source to its end. */
static int feed(const publish_params *params, const packet_source *src, const ladder_sink *sink,
                fed *f, ladder_error *err)
{
    int ret;

    if (!src->tc)
        return replay(params, src, sink, f, err);
    ret = tc_run(src->tc, sink, err);
    f->plan = *tc_get_plan(src->tc);
    for (int i = 0; ret >= 0 && i < f->plan.n_streams; i++)
        f->stats[i] = *tc_get_stats(src->tc, i);
    f->cc608 = tc_get_captions(src->tc);
    return ret;
}

static int open_packager(pkg_packager **p, const publish_params *params, const lib_stage *stage,
                         publish_read_ahead *ahead, ladder_error *err)
{
    char prefix[32];
    pkg_params pp = {0};

    lib_version_name(lib_stage_version(stage), prefix, sizeof prefix - 1);
    strcat(prefix, "/");
    pp.out_dir = lib_stage_dir(stage);
    pp.segment_seconds = params->ladder->segment_seconds;
    pp.gop_seconds = params->ladder->gop_seconds;
    pp.container = params->ladder->container;
    pp.thumbnails_off = params->ladder->thumbnails_off;
    pp.entry_prefix = prefix;
    pp.entry_name = LIB_ENTRY_PLAYLIST;
    pp.captions = params->captions;
    pp.n_captions = params->n_captions;
    pp.cc_language = params->cc_language;
    pp.cc_name = params->cc_name;
    pp.show_id = params->id;
    pp.logger = params->logger;
    pp.on_segment = publish_read_ahead_segment;
    pp.on_segment_opaque = ahead;
    return pkg_open(p, &pp, err);
}

/* A show that breaks a publishing rule is not published; the first failure is the error. The
 * caption tracks it was made from are the reference for its cue times. */
static int validate(const publish_params *params, const char *dir, const ladder_captions *tracks,
                    int n_tracks, const publish_read_ahead *ahead, int *read_ahead,
                    ladder_error *err)
{
    val_report *r = malloc(sizeof *r);
    int ret;

    if (!r)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = val_validate_ahead(dir, params->profile ? params->profile : params->ladder, tracks,
                             n_tracks, ahead->readers, ahead->n, r);
    *read_ahead = r->read_ahead;
    if (ret == LADDER_EVALIDATE)
        ladder_error_set(err, ret, "show '%s' not published: %d rule(s) failed, first %s: %s: %s",
                         params->id, r->n_failures, r->failures[0].file, r->failures[0].rule,
                         r->failures[0].message);
    else if (ret < 0)
        ladder_error_set(err, ret, "validating show '%s' failed", params->id);
    free(r);
    return ret;
}

/* Makes the version in the stage: packets, captions, playlists, show.json; then the rules. */
static int make_version(const publish_params *params, const packet_source *src,
                        const lib_stage *stage, fed *f, ladder_error *err)
{
    ladder_captions tracks[PKG_MAX_CAPTION_TRACKS];
    pkg_packager *p = NULL;
    publish_read_ahead *ahead = malloc(sizeof *ahead);
    int n_tracks = 0, ret;

    if (!ahead)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    publish_read_ahead_init(ahead, lib_stage_dir(stage));
    ret = open_packager(&p, params, stage, ahead, err);

    if (ret >= 0)
        ret = feed(params, src, pkg_get_sink(p), f, err);
    if (ret >= 0)
        ret = publish_caption_tracks(params, f->cc608, tracks, PKG_MAX_CAPTION_TRACKS, &n_tracks,
                                     err);
    if (ret > 0) /* the CEA-608 track, last: the sidecars went in with pkg_open */
        ret = pkg_add_captions(p, &tracks[n_tracks - 1], err);
    if (ret >= 0)
        ret = pkg_finish(p, err);
    if (ret >= 0) {
        pkg_show_info info = {.id = params->id,
                              .title = params->title,
                              .version = lib_stage_version(stage),
                              .plan = &f->plan,
                              .stats = f->stats,
                              .per_title = src->per_title};
        ret = pkg_write_show_json(p, &info, err);
    }
    pkg_close(p);
    if (ret >= 0)
        ret = validate(params, lib_stage_dir(stage), tracks, n_tracks, ahead, &f->read_ahead, err);
    publish_read_ahead_free(ahead);
    free(ahead);
    return ret;
}

static int publish_from(const publish_params *params, const packet_source *src, publish_result *out,
                        ladder_error *err)
{
    fed *f = calloc(1, sizeof *f);
    lib_stage *stage = NULL;
    int ret = f ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    if (ret >= 0 && params->n_captions > PKG_MAX_CAPTION_TRACKS)
        ret = ladder_error_set(err, LADDER_EINVAL, "more than %d caption tracks",
                               PKG_MAX_CAPTION_TRACKS);
    if (ret >= 0)
        ret = lib_stage_open(&stage, params->library, params->id, err);
    if (ret >= 0)
        ret = make_version(params, src, stage, f, err);
    if (ret >= 0)
        ret = lib_stage_commit(stage, err);
    if (ret >= 0 && out)
        *out = (publish_result){.version = lib_stage_version(stage),
                                .n_renditions = f->plan.n_video,
                                .n_skipped = f->plan.n_skipped,
                                .read_ahead = f->read_ahead,
                                /* the show is as long as its video, not its container */
                                .duration = f->plan.n_video > 0 ? f->stats[0].duration
                                                                : f->plan.src_duration};
    lib_stage_close(stage);
    if (f)
        ladder_captions_free(&f->cc608_read);
    free(f);
    return ret;
}

int publish_ingest(const publish_params *params, const char *mezz, const tc_params *tc,
                   publish_result *out, ladder_error *err)
{
    packet_source src = {0};
    tc_params with_breaks = *tc;
    publish_params chosen = *params;
    tc_per_title *pt = NULL;
    int ret = 0;

    with_breaks.breaks = params->breaks;
    with_breaks.n_breaks = params->n_breaks;
    with_breaks.ignore_scte35 = params->ignore_scte35;
    if (params->per_title) {
        ret = publish_per_title(mezz, &with_breaks, &pt, &src.per_title, err);
        with_breaks.ladder = pt ? pt->ladder : with_breaks.ladder;
        chosen.ladder = pt ? &pt->ladder : params->ladder;
        chosen.profile = params->ladder;
    }
    if (ret >= 0)
        ret = tc_open(&src.tc, mezz, &with_breaks, err);
    if (ret >= 0)
        ret = publish_from(&chosen, &src, out, err);
    tc_close(src.tc);
    free((char *)src.per_title);
    free(pt);
    return ret;
}

int publish_per_title(const char *mezz, const tc_params *tc, tc_per_title **pt, const char **json,
                      ladder_error *err)
{
    int ret;

    *json = NULL;
    if (!(*pt = malloc(sizeof **pt)))
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = tc_analyse_per_title(mezz, tc, *pt, err);
    if (ret >= 0 && !(*json = tc_per_title_json(*pt)))
        ret = ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (ret < 0) {
        free(*pt);
        *pt = NULL;
    }
    return ret;
}

int publish_folders(const publish_params *params, const char *const *dirs, int n_dirs,
                    publish_result *out, ladder_error *err)
{
    packet_source src = {.dirs = dirs, .n_dirs = n_dirs};
    publish_params chosen = *params;
    prof_ladder *ladder = malloc(sizeof *ladder);
    char *json = NULL;
    int ret = ladder ? tc_disk_check(dirs, n_dirs, err) /* before the library is touched */
                     : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    /* a `ladder transcode --per-title` recorded the ladder it encoded with */
    for (int i = 0; ret >= 0 && i < n_dirs && !json; i++)
        ret = tc_per_title_load(dirs[i], ladder, &json, err);
    if (ret >= 0 && json) {
        chosen.ladder = ladder;
        chosen.profile = params->ladder;
        src.per_title = json;
    }
    if (ret >= 0)
        ret = publish_from(&chosen, &src, out, err);
    free(json);
    free(ladder);
    return ret;
}

int publish_folders_arriving(const publish_params *params, const char *const *dirs, int n_dirs,
                             const tc_folder_wait *wait, const char *per_title, publish_result *out,
                             ladder_error *err)
{
    packet_source src = {.dirs = dirs, .n_dirs = n_dirs, .wait = wait, .per_title = per_title};

    return publish_from(params, &src, out, err);
}

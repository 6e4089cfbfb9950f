/* publish_internal.h: what publish/'s files share. Never included from outside publish/. */
#ifndef LADDER_PUBLISH_INTERNAL_H
#define LADDER_PUBLISH_INTERNAL_H

#include "publish.h"

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

/* publish.c: publish_folders of folders that are not all complete yet, in replay order (the
 * audio job, then the chunks); each is read when wait says it is complete
 * (tc_disk_replay_arriving). The coordinator's join, as the jobs arrive. */
int publish_folders_arriving(const publish_params *params, const char *const *dirs, int n_dirs,
                             const tc_folder_wait *wait, publish_result *out, ladder_error *err);

#endif

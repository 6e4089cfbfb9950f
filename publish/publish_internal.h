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

#endif

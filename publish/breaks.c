/* breaks.c: `ladder package --ad-breaks`: the breaks a show is published with, re-planned.
 * The encode is conditioned already, the IDRs in place, so the list may keep, drop or re-plan
 * (DURATION) the transcode's breaks; a break it did not condition has no IDR and is refused in
 * one line (docs/ads.md). A dropped break's IDR stays, uncut and unsignalled. */
#include <string.h>

#include "publish_internal.h"

int publish_replace_breaks(const ladder_break *asked, int n_asked, ladder_plan *plan,
                           ladder_error *err)
{
    ladder_break b[LADDER_MAX_BREAKS];
    int n = n_asked;

    if (n > LADDER_MAX_BREAKS)
        return ladder_error_set(err, LADDER_EINVAL, "more than %d ad breaks", LADDER_MAX_BREAKS);
    memcpy(b, asked, (size_t)n * sizeof *b);
    int ret =
        ladder_breaks_resolve(b, &n, plan->src_fps_num, plan->src_fps_den, plan->src_duration, err);
    for (int i = 0; ret >= 0 && i < n; i++) {
        int k = 0;
        while (k < plan->n_breaks && plan->breaks[k].frame != b[i].frame)
            k++;
        if (k == plan->n_breaks)
            return ladder_error_set(err, LADDER_EINVAL,
                                    "ad break at %.3f s: the transcode has no IDR there; give "
                                    "--ad-breaks to `ladder transcode`",
                                    b[i].time);
        if (b[i].scte35_size == 0 && plan->breaks[k].scte35_size > 0) { /* keep the cue */
            memcpy(b[i].scte35, plan->breaks[k].scte35, (size_t)plan->breaks[k].scte35_size);
            b[i].scte35_size = plan->breaks[k].scte35_size;
            b[i].source |= plan->breaks[k].source;
        }
    }
    if (ret < 0)
        return ret;
    memcpy(plan->breaks, b, (size_t)n * sizeof *b);
    plan->n_breaks = n;
    return 0;
}

/* ---- the packager's sink, with the plan's breaks replaced at begin ---------------------- */

static int override_begin(void *opaque, const ladder_plan *plan, ladder_error *err)
{
    publish_break_sink *o = opaque;
    int ret;

    o->plan = *plan;
    ret = publish_replace_breaks(o->asked, o->n_asked, &o->plan, err);
    return ret < 0 ? ret : o->inner->begin(o->inner->opaque, &o->plan, err);
}

static int override_packet(void *opaque, const ladder_packet *pkt, ladder_error *err)
{
    publish_break_sink *o = opaque;
    return o->inner->packet(o->inner->opaque, pkt, err);
}

static int override_end(void *opaque, const ladder_plan *plan, ladder_error *err)
{
    publish_break_sink *o = opaque;
    (void)plan;
    return o->inner->end(o->inner->opaque, &o->plan, err);
}

const ladder_sink *publish_break_sink_init(publish_break_sink *o, const ladder_sink *inner,
                                           const ladder_break *asked, int n_asked)
{
    memset(o, 0, sizeof *o);
    o->inner = inner;
    o->asked = asked;
    o->n_asked = n_asked;
    o->sink = (ladder_sink){
        .opaque = o, .begin = override_begin, .packet = override_packet, .end = override_end};
    return &o->sink;
}

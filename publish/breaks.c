/* breaks.c: `ladder package --ad-breaks`: the breaks a show is published with, re-planned.
 * The encode is conditioned already: the IDRs are in place, and a frame-rate-capped rung's
 * pictures are placed so that it has the break's own frame. So the list must name the same
 * frames as the transcode's breaks, and may change only their planned DURATION; a break added
 * has no IDR, a break dropped would leave its capped rungs' uneven frame spacing inside a
 * segment. Either is refused in one line (docs/ads.md). */
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
    if (n != plan->n_breaks)
        return ladder_error_set(err, LADDER_EINVAL,
                                "--ad-breaks names %d break(s), the transcode was conditioned for "
                                "%d: a package may only change their durations",
                                n, plan->n_breaks);
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

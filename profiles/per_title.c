/* per_title.c: a show's own ladder, chosen from the rate-quality curves of its probes.
 *
 * The analysis (transcoder/per_title.c) gives, for each HLS box, a few (kbps, PSNR-Y) points of
 * this show at the display size. Each rung aims at the quality the profile's own bitrate and
 * box give on this show, but no higher than the ladder's pt_psnr_max, and takes the lowest
 * bitrate that reaches it on any box it may use: an easy show needs far fewer bits for the
 * same picture, and a low rung of a still picture looks better at a larger box. The
 * constraints are then applied in the choice itself, not checked after it (docs/per-title.md):
 * the rung's bounds, the step rule between adjacent HLS rungs (docs/hls-rules.md), boxes that
 * grow with the bitrate and fit the rung's level at its frame rate, and the VBV kept in the
 * profile's proportion. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <x264.h>

#include "profiles.h"

#define DEFAULT_PSNR_MAX 45.0
#define DEFAULT_STEP_MIN 1.15
#define DEFAULT_STEP_MAX 2.0

void prof_per_title_defaults(prof_ladder *l)
{
    l->pt_psnr_max = l->pt_psnr_max > 0 ? l->pt_psnr_max : DEFAULT_PSNR_MAX;
    l->pt_step_min = l->pt_step_min > 0 ? l->pt_step_min : DEFAULT_STEP_MIN;
    l->pt_step_max = l->pt_step_max > 0 ? l->pt_step_max : DEFAULT_STEP_MAX;
    for (int i = 0; i < l->n_rungs; i++) {
        prof_rung *r = &l->rungs[i];
        r->pt_min_kbps = r->pt_min_kbps > 0 ? r->pt_min_kbps : (r->video_kbps + 4) / 5;
        r->pt_max_kbps = r->pt_max_kbps > 0 ? r->pt_max_kbps : r->video_kbps;
        r->pt_fixed_size |= r->use == PROF_USE_MP4;
    }
}

/* A curve's PSNR-Y made non-decreasing in kbps: a probe at more bits never counts as worse. */
static double point_psnr(const prof_rd_curve *c, int k)
{
    double q = c->p[0].psnr_y;

    for (int i = 1; i <= k; i++)
        q = fmax(q, c->p[i].psnr_y);
    return q;
}

/* The slope, dB per doubling, of segment k .. k + 1 (never negative). */
static double segment_slope(const prof_rd_curve *c, int k)
{
    double dx = log2(c->p[k + 1].kbps / c->p[k].kbps);

    return dx > 0 ? (point_psnr(c, k + 1) - point_psnr(c, k)) / dx : 0;
}

double prof_rd_psnr(const prof_rd_curve *c, double kbps)
{
    int k = 0;

    if (c->n <= 0 || kbps <= 0)
        return 0;
    if (c->n == 1)
        return c->p[0].psnr_y;
    while (k < c->n - 2 && kbps > c->p[k + 1].kbps)
        k++;
    return point_psnr(c, k) + segment_slope(c, k) * log2(kbps / c->p[k].kbps);
}

double prof_rd_kbps(const prof_rd_curve *c, double psnr_y)
{
    int k = 0;
    double slope;

    if (c->n <= 0)
        return INFINITY;
    if (c->n == 1)
        return psnr_y <= c->p[0].psnr_y ? c->p[0].kbps : INFINITY;
    while (k < c->n - 2 && psnr_y > point_psnr(c, k + 1))
        k++;
    slope = segment_slope(c, k);
    if (slope <= 0)
        return psnr_y <= point_psnr(c, k) ? c->p[k].kbps : INFINITY;
    return c->p[k].kbps * exp2((psnr_y - point_psnr(c, k)) / slope);
}

int prof_rd_on_hull(const prof_rd_show *show, int i, int k)
{
    const prof_rd_point *p = &show->sizes[i].p[k];

    for (int j = 0; j < show->n_sizes; j++)
        if (j != i && prof_rd_psnr(&show->sizes[j], p->kbps) > point_psnr(&show->sizes[i], k))
            return 0;
    return 1;
}

/* The HLS rungs among `which` (NULL: all) by the profile's bitrate, ascending; returns how
 * many. The step rule is between neighbours in this order. */
static int hls_order(const prof_ladder *l, const int *which, int *order)
{
    int n = 0;

    for (int r = 0; r < l->n_rungs; r++) {
        if (l->rungs[r].use != PROF_USE_HLS || (which && !which[r]))
            continue;
        int k = n++;
        while (k > 0 && l->rungs[order[k - 1]].video_kbps > l->rungs[r].video_kbps) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = r;
    }
    return n;
}

/* Narrows lo/hi (whole video kbps, by position in order) until every value left in one rung's
 * range has a neighbour within the step rule: one pass up, one down (a chain needs no more). */
static int narrow_chain(const prof_ladder *l, const int *order, int n, double *lo, double *hi)
{
    double smin = l->pt_step_min, smax = l->pt_step_max;

    for (int i = 0; i + 1 < n; i++) {
        double a = l->rungs[order[i]].audio_kbps, b = l->rungs[order[i + 1]].audio_kbps;
        lo[i + 1] = fmax(lo[i + 1], fmax(lo[i], ceil(smin * (lo[i] + a) - b - 1e-9)));
        hi[i + 1] = fmin(hi[i + 1], floor(smax * (hi[i] + a) - b + 1e-9));
    }
    for (int i = n - 2; i >= 0; i--) {
        double a = l->rungs[order[i]].audio_kbps, b = l->rungs[order[i + 1]].audio_kbps;
        hi[i] = fmin(hi[i], fmin(hi[i + 1], floor((hi[i + 1] + b) / smin - a + 1e-9)));
        lo[i] = fmax(lo[i], ceil((lo[i + 1] + b) / smax - a - 1e-9));
    }
    for (int i = 0; i < n; i++)
        if (lo[i] > hi[i] + 1e-9)
            return i;
    return -1;
}

/* The rungs' own bounds, by position in order; the lowest HLS rung never above the profile. */
static void rung_bounds(const prof_ladder *l, const int *order, int n, double *lo, double *hi)
{
    for (int i = 0; i < n; i++) {
        const prof_rung *r = &l->rungs[order[i]];
        lo[i] = r->pt_min_kbps;
        hi[i] = r->pt_max_kbps;
    }
    if (n > 0)
        hi[0] = fmin(hi[0], l->rungs[order[0]].video_kbps);
}

int prof_per_title_check(const prof_ladder *profile, double *lo_out, double *hi_out)
{
    prof_ladder copy = *profile, *ladder = &copy;
    int order[PROF_MAX_RUNGS], n, bad;

    prof_per_title_defaults(ladder);
    n = hls_order(ladder, NULL, order);
    double lo[PROF_MAX_RUNGS], hi[PROF_MAX_RUNGS];

    rung_bounds(ladder, order, n, lo, hi);
    bad = narrow_chain(ladder, order, n, lo, hi);
    for (int i = 0; i < n; i++) {
        if (lo_out)
            lo_out[order[i]] = lo[i];
        if (hi_out)
            hi_out[order[i]] = hi[i];
    }
    return bad < 0 ? -1 : order[bad];
}

/* ---- choosing ------------------------------------------------------------------------- */

/* Whether a w x h picture fits rung r's H.264 level at fps, as x264 checks it. */
static int fits_level(const prof_rung *r, int w, int h, double fps)
{
    const x264_level_t *l;
    int mbs = ((w + 15) / 16) * ((h + 15) / 16);

    for (l = x264_levels; l->level_idc && l->level_idc != r->level_idc; l++)
        ;
    if (!l->level_idc)
        return 0;
    return mbs <= (int)l->frame_size && (w + 15) / 16 <= sqrt(8.0 * l->frame_size) &&
           (h + 15) / 16 <= sqrt(8.0 * l->frame_size) && mbs * fps <= l->mbps * 1.0001;
}

/* The curve whose box is the rung's own; for an MP4 rung (its boxes are not probed) the one
 * nearest in area. -1 if there is none. */
static int own_curve(const prof_rd_show *s, const prof_rung *r)
{
    int best = -1;
    double best_d = INFINITY;

    for (int i = 0; i < s->n_sizes; i++) {
        const prof_rd_curve *c = &s->sizes[i];
        double d = fabs(log((double)c->box_w * c->box_h / ((double)r->width * r->height)));
        if (c->box_w == r->width && c->box_h == r->height)
            return i;
        if (r->use == PROF_USE_MP4 && d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

/* Whether a curve says anything at kbps: from 1/1.25 of its first probe's rate to twice its
 * last's. Past its probes a curve is only an end segment drawn on: a small box drawn far up
 * would seem to beat the large ones, where in truth it flattens out at what its upscaling can
 * show, and a large box drawn far down is a guess (on grain a 640x360 rung at 253 kbit/s,
 * under its curve's first probe at 324, scored 1.1 dB under the curve). */
static int within_reach(const prof_rd_curve *c, double kbps)
{
    return c->n > 0 && kbps <= 2 * c->p[c->n - 1].kbps && kbps >= c->p[0].kbps / 1.25;
}

/* Whether a w x h box larger than the rung's own would get under PT_MIN_GROW_BPP bits per
 * pixel and picture at kbps. The probes are CRF encodes without a VBV; a rung is an encode
 * under its VBV, with an IDR every GOP, and at a few hundredths of a bit per pixel those cost
 * more than the probes say (a static 640x360 rung at 87 kbps scored 31.9 dB, the curves said
 * 34.4): there a rung keeps to boxes no larger than its own. */
#define PT_MIN_GROW_BPP 0.02
/* Another box than the rung's own must beat it by this much on the curves: the curves are
 * from a few seconds of the show, and a box change the curves call even is noise (on grainy
 * content a 480x270 rung moved to 640x360 scored 1.1 dB under what they said). */
#define PT_BOX_MARGIN_DB 0.5
/* A rung aims this much under what its profile gives: where a curve has flattened out (a box
 * that shows all its upscaling can), the last quarter dB costs most of the bits (on a still
 * picture, 768x432 needed its full 730 kbit/s for the plateau's last 0.2 dB), and where it is
 * steep it saves a few per cent, well under what a viewer sees. */
#define PT_TARGET_SLACK_DB 0.25
static int grows_thin(const prof_rung *own, int w, int h, double kbps, double fps)
{
    double area = (double)w * h;

    return area > (double)own->width * own->height && fps > 0 &&
           kbps * 1000 / (area * fps) < PT_MIN_GROW_BPP;
}

/* What one rung could be: its target, the boxes it may take, and the bitrate it would like. */
typedef struct rung_plan {
    int own;                        /* its own curve */
    int allowed[PROF_RD_MAX_SIZES]; /* the curves it may take */
    double want;                    /* the lowest kbps reaching the target on any of them */
    int want_size;
} rung_plan;

static void plan_rung(const prof_ladder *l, const prof_rd_show *s, int r, rung_plan *p,
                      prof_pt_choice *c)
{
    const prof_rung *rung = &l->rungs[r];

    p->own = own_curve(s, rung);
    c->profile_psnr_y = prof_rd_psnr(&s->sizes[p->own], rung->video_kbps);
    c->target_psnr_y = fmin(c->profile_psnr_y - PT_TARGET_SLACK_DB, l->pt_psnr_max);
    p->want = INFINITY;
    p->want_size = p->own;
    for (int i = 0; i < s->n_sizes; i++) {
        const prof_rd_curve *cv = &s->sizes[i];
        p->allowed[i] = (i == p->own && (rung->use != PROF_USE_HLS || rung->pt_fixed_size)) ||
                        ((i == p->own || (!rung->pt_fixed_size && rung->use == PROF_USE_HLS)) &&
                         fits_level(rung, cv->box_w, cv->box_h, s->rung_fps[r]));
        double k = !p->allowed[i] ? INFINITY
                   : i == p->own  ? prof_rd_kbps(cv, c->target_psnr_y)
                                  : prof_rd_kbps(cv, c->target_psnr_y + PT_BOX_MARGIN_DB);
        if (i != p->own && grows_thin(rung, cv->box_w, cv->box_h, k, s->rung_fps[r]))
            k = PT_MIN_GROW_BPP * cv->box_w * cv->box_h * s->rung_fps[r] / 1000; /* the least */
        if (i != p->own && !within_reach(cv, k))
            k = INFINITY;
        if (k < p->want || (k == p->want && i > p->want_size)) {
            p->want = k;
            p->want_size = i;
        }
    }
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The HLS rungs' bitrates, from the bottom up: each as near its wish as its bounds and the step
 * from the rung below allow (narrow_chain leaves every rung a value for any below it). Upwards,
 * so that a rung held by the step rule gets more bits than it wished, not fewer: a show whose
 * top rungs need little does not pull the bottom ones under their targets. */
static void choose_hls_rates(const prof_ladder *l, const int *order, int n, const double *lo,
                             const double *hi, rung_plan *plan, double *kbps,
                             prof_pt_choice *choice)
{
    for (int i = 0; i < n; i++) {
        int r = order[i];
        double a = l->rungs[r].audio_kbps, want = plan[r].want, from = lo[i], to = hi[i];
        const char *below = i > 0 ? l->rungs[order[i - 1]].name : NULL;
        if (below) {
            double total = kbps[order[i - 1]] + l->rungs[order[i - 1]].audio_kbps;
            from = fmax(from, ceil(total * l->pt_step_min - a - 1e-9));
            from = fmax(from, kbps[order[i - 1]]); /* never fewer video bits than below */
            to = fmin(to, floor(total * l->pt_step_max - a + 1e-9));
        }
        kbps[r] = fmax(from, fmin(to, ceil(want - 1e-9)));
        if (want <= to && want >= from - 1)
            snprintf(choice[r].reason, sizeof choice[r].reason,
                     "the lowest bitrate reaching its target");
        else if (below && want < from && from == kbps[order[i - 1]] && from > lo[i])
            snprintf(choice[r].reason, sizeof choice[r].reason,
                     "held at the video bitrate of %s (a higher rung never gets fewer)", below);
        else if (below && want < from && from > lo[i])
            snprintf(choice[r].reason, sizeof choice[r].reason,
                     "held %.2fx over %s (the step rule)", l->pt_step_min, below);
        else if (below && want > to && to < hi[i])
            snprintf(choice[r].reason, sizeof choice[r].reason,
                     "held within %.2fx of %s (the step rule)", l->pt_step_max, below);
        else
            snprintf(choice[r].reason, sizeof choice[r].reason, "held at its per-title %s",
                     want < from ? "floor" : "ceiling");
    }
}

/* Each HLS rung's box at its bitrate, from the top down: the one that looks best among those
 * it may take, and never larger than the rung above's. */
static void choose_hls_boxes(const prof_ladder *l, const prof_rd_show *s, const int *order, int n,
                             rung_plan *plan, const double *kbps, prof_pt_choice *choice)
{
    double ceiling_area = INFINITY, floor_area[PROF_MAX_RUNGS];

    /* a rung that must keep its box holds up the boxes of those above it */
    for (int i = 0; i < n; i++) {
        const prof_rd_curve *c = &s->sizes[plan[order[i]].own];
        int fixed = 1;
        for (int k = 0; k < s->n_sizes; k++)
            fixed &= !plan[order[i]].allowed[k] || k == plan[order[i]].own;
        floor_area[i] = fmax(i ? floor_area[i - 1] : 0, fixed ? (double)c->width * c->height : 0);
    }
    for (int i = n - 1; i >= 0; i--) {
        int r = order[i], best = -1;
        /* first among the boxes whose probes reach the rate, else among any */
        for (int reach = 1; reach >= 0 && best < 0; reach--) {
            double best_q = -INFINITY;
            for (int k = 0; k < s->n_sizes; k++) {
                double area = (double)s->sizes[k].width * s->sizes[k].height;
                double q =
                    prof_rd_psnr(&s->sizes[k], kbps[r]) - (k == plan[r].own ? 0 : PT_BOX_MARGIN_DB);
                if (plan[r].allowed[k] && area <= ceiling_area && area >= floor_area[i] &&
                    !grows_thin(&l->rungs[r], s->sizes[k].box_w, s->sizes[k].box_h, kbps[r],
                                s->rung_fps[r]) &&
                    (!reach || k == plan[r].own || within_reach(&s->sizes[k], kbps[r])) &&
                    q > best_q) {
                    best_q = q;
                    best = k;
                }
            }
        }
        best = best < 0 ? plan[r].own : best;
        choice[r].size = best;
        ceiling_area = (double)s->sizes[best].width * s->sizes[best].height;
    }
}

/* Rung r at kbps on curve `size`: the bitrate, the VBV in the profile's proportion, the box. */
static void set_rung(const prof_rung *rung, const prof_rd_curve *c, double kbps, prof_rung *to)
{
    const prof_rung from_copy = *rung, *from = &from_copy; /* rung may be to */
    double scale = kbps / from->video_kbps;

    to->video_kbps = (int)kbps;
    to->maxrate_kbps = (int)fmax(kbps, round(from->maxrate_kbps * scale));
    to->bufsize_kbps = (int)fmax(1, round(from->bufsize_kbps * scale));
    if (from->use == PROF_USE_HLS) {
        to->width = c->box_w;
        to->height = c->box_h;
    }
}

/* The MP4 fallbacks keep their boxes: each takes the lowest bitrate reaching its target on the
 * curve nearest its box, within its bounds. */
static void choose_mp4(const prof_ladder *l, const prof_rd_show *s, int r, rung_plan *p,
                       prof_ladder *out, prof_pt_choice *c)
{
    const prof_rung *rung = &l->rungs[r];
    double kbps = clamp(ceil(p->want - 1e-9), rung->pt_min_kbps, rung->pt_max_kbps);

    /* the profile's own bitrate is its own target's, to rounding */
    snprintf(c->reason, sizeof c->reason, "%s",
             fabs(kbps - p->want) <= 1 ? "the lowest bitrate reaching its target"
             : kbps > p->want          ? "held at its per-title floor"
                                       : "held at its per-title ceiling");
    c->size = p->own;
    c->psnr_y = prof_rd_psnr(&s->sizes[p->own], kbps);
    set_rung(rung, &s->sizes[p->own], kbps, &out->rungs[r]);
}

int prof_per_title_choose(const prof_ladder *profile, const prof_rd_show *show, prof_ladder *out,
                          prof_pt_choice choice[PROF_MAX_RUNGS], ladder_error *err)
{
    int made[PROF_MAX_RUNGS] = {0}, order[PROF_MAX_RUNGS], n, bad;
    double lo[PROF_MAX_RUNGS], hi[PROF_MAX_RUNGS], kbps[PROF_MAX_RUNGS] = {0};
    rung_plan plan[PROF_MAX_RUNGS];
    prof_ladder l = *profile;

    prof_per_title_defaults(&l);
    memset(choice, 0, sizeof *choice * PROF_MAX_RUNGS);
    if (show->n_sizes <= 0)
        return ladder_error_set(err, LADDER_EINVAL, "per-title: no probe was measured");
    for (int r = 0; r < l.n_rungs; r++) {
        made[r] = show->rung_fps[r] > 0 && own_curve(show, &l.rungs[r]) >= 0;
        choice[r].made = made[r];
        if (made[r])
            plan_rung(&l, show, r, &plan[r], &choice[r]);
    }
    n = hls_order(&l, made, order);
    rung_bounds(&l, order, n, lo, hi);
    if ((bad = narrow_chain(&l, order, n, lo, hi)) >= 0)
        return ladder_error_set(err, LADDER_EINVAL,
                                "per-title: rung '%s' has no bitrate its bounds and the step "
                                "rule allow",
                                l.rungs[order[bad]].name);
    choose_hls_rates(&l, order, n, lo, hi, plan, kbps, choice);
    choose_hls_boxes(&l, show, order, n, plan, kbps, choice);
    for (int i = 0; i < n; i++) {
        int r = order[i];
        choice[r].psnr_y = prof_rd_psnr(&show->sizes[choice[r].size], kbps[r]);
        if (choice[r].psnr_y < choice[r].target_psnr_y - 0.01 &&
            strncmp(choice[r].reason, "the lowest", 10) == 0)
            snprintf(choice[r].reason, sizeof choice[r].reason,
                     "its box held no larger than the rung above's (boxes grow with the bitrate)");
        set_rung(&l.rungs[r], &show->sizes[choice[r].size], kbps[r], &l.rungs[r]);
    }
    for (int r = 0; r < l.n_rungs; r++)
        if (made[r] && l.rungs[r].use == PROF_USE_MP4)
            choose_mp4(&l, show, r, &plan[r], &l, &choice[r]);
    char why[256];
    if (prof_per_title_verify(profile, &l, show->rung_fps, why, sizeof why) < 0)
        return ladder_error_set(err, LADDER_EINVAL,
                                "per-title: the chosen ladder breaks a rule: %s", why);
    *out = l;
    return 0;
}

/* ---- verifying -------------------------------------------------------------------------- */

#define BROKEN(...) (snprintf(why, len, __VA_ARGS__), -1)

/* The rung keeps what per-title may not change. */
static int same_shape(int r, const prof_rung *a, const prof_rung *b, int made, char *why,
                      size_t len)
{
    if (strcmp(a->name, b->name) != 0 || a->use != b->use ||
        strcmp(a->h264_profile, b->h264_profile) != 0 || a->level_idc != b->level_idc ||
        a->audio_kbps != b->audio_kbps || a->max_fps != b->max_fps)
        return BROKEN("rung %d is '%s', not the profile's '%s' with its profile, level, audio and "
                      "frame-rate cap",
                      r, b->name, a->name);
    if (!made &&
        (a->video_kbps != b->video_kbps || a->maxrate_kbps != b->maxrate_kbps ||
         a->bufsize_kbps != b->bufsize_kbps || a->width != b->width || a->height != b->height))
        return BROKEN("rung '%s' is not made from this source but differs from the profile",
                      a->name);
    return 0;
}

/* A made rung on its own: bounds, box, level, VBV. */
static int rung_ok(const prof_ladder *p, const prof_rung *a, const prof_rung *b, double fps,
                   char *why, size_t len)
{
    int box_known = 0;
    double scale = (double)b->video_kbps / a->video_kbps;

    if (b->video_kbps < a->pt_min_kbps || b->video_kbps > a->pt_max_kbps)
        return BROKEN("rung '%s': %d kbit/s is outside its per-title bounds %d-%d", a->name,
                      b->video_kbps, a->pt_min_kbps, a->pt_max_kbps);
    for (int i = 0; i < p->n_rungs; i++)
        box_known |= p->rungs[i].use == PROF_USE_HLS && p->rungs[i].width == b->width &&
                     p->rungs[i].height == b->height;
    if ((a->pt_fixed_size && (a->width != b->width || a->height != b->height)) || !box_known)
        if (a->width != b->width || a->height != b->height)
            return BROKEN("rung '%s': box %dx%d is not one it may take", a->name, b->width,
                          b->height);
    if ((a->width != b->width || a->height != b->height) &&
        !fits_level(a, b->width, b->height, fps))
        return BROKEN("rung '%s': %dx%d at %.3f fps is over level %d.%d", a->name, b->width,
                      b->height, fps, a->level_idc / 10, a->level_idc % 10);
    if (b->maxrate_kbps < b->video_kbps ||
        fabs(b->maxrate_kbps - fmax(b->video_kbps, round(a->maxrate_kbps * scale))) > 1 ||
        fabs(b->bufsize_kbps - fmax(1, round(a->bufsize_kbps * scale))) > 1)
        return BROKEN("rung '%s': maxrate %d and bufsize %d are not in the profile's proportion",
                      a->name, b->maxrate_kbps, b->bufsize_kbps);
    return 0;
}

/* The made HLS rungs together: steps, the lowest rung, boxes growing with the bitrate. */
static int chain_ok(const prof_ladder *p, const prof_ladder *c, const int *made, char *why,
                    size_t len)
{
    int order[PROF_MAX_RUNGS], n = hls_order(p, made, order);

    if (n > 0 && c->rungs[order[0]].video_kbps > p->rungs[order[0]].video_kbps)
        return BROKEN("the lowest HLS rung '%s' is above the profile's %d kbit/s",
                      p->rungs[order[0]].name, p->rungs[order[0]].video_kbps);
    for (int i = 0; i + 1 < n; i++) {
        const prof_rung *lo = &c->rungs[order[i]], *hi = &c->rungs[order[i + 1]];
        double ratio =
            (double)(hi->video_kbps + hi->audio_kbps) / (lo->video_kbps + lo->audio_kbps);
        if (ratio < p->pt_step_min - 1e-9 || ratio > p->pt_step_max + 1e-9)
            return BROKEN("'%s' is %.3fx '%s', outside the steps %.2f-%.2f", hi->name, ratio,
                          lo->name, p->pt_step_min, p->pt_step_max);
        if (hi->video_kbps < lo->video_kbps)
            return BROKEN("'%s' has fewer video bits than '%s' below it", hi->name, lo->name);
        if (!(p->rungs[order[i]].pt_fixed_size && p->rungs[order[i + 1]].pt_fixed_size) &&
            (double)hi->width * hi->height < (double)lo->width * lo->height)
            return BROKEN("'%s' has a smaller box than '%s' below it", hi->name, lo->name);
    }
    return 0;
}

int prof_per_title_verify(const prof_ladder *profile, const prof_ladder *chosen,
                          const double *rung_fps, char *why, size_t len)
{
    prof_ladder p = *profile;
    int made[PROF_MAX_RUNGS] = {0};

    prof_per_title_defaults(&p);
    if (chosen->n_rungs != p.n_rungs)
        return BROKEN("%d rungs, not the profile's %d", chosen->n_rungs, p.n_rungs);
    for (int r = 0; r < p.n_rungs; r++) {
        made[r] = rung_fps[r] > 0;
        if (same_shape(r, &p.rungs[r], &chosen->rungs[r], made[r], why, len) < 0 ||
            (made[r] && rung_ok(&p, &p.rungs[r], &chosen->rungs[r], rung_fps[r], why, len) < 0))
            return -1;
    }
    return chain_ok(&p, chosen, made, why, len);
}

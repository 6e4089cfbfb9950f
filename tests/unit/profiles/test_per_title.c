/* test_per_title.c: the per-title chooser (profiles/per_title.c) as a unit, issue #23: on
 * synthetic rate-quality curves made to tempt it to break each rule, the ladder it chooses
 * keeps pbs16's shape, its bounds, the step rule, boxes that grow with the bitrate and fit the
 * level, the VBV proportions and the quality rule; it is deterministic; impossible bounds are
 * refused. check_ladder() states the whole contract and runs on every case, a randomized sweep
 * (fixed seed) included. Also prof_rd_psnr/prof_rd_kbps as inverses and prof_rd_on_hull. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x264.h>

#include "fixture.h"
#include "profiles.h"

#define EPS         1e-9
#define AREA_1080P  (1920.0 * 1080.0)
#define REACHED     "the lowest bitrate reaching its target"
#define MAX_REPORTS 12 /* violations printed per case (all are counted) */

/* ---- the profile -------------------------------------------------------------------------- */

/* The per-title defaults as the contract states them (not prof_per_title_defaults, which is
 * under test): a fifth of the bitrate rounded up, the bitrate, MP4 fixed, 1.15, 2 and 45 dB. */
static void fill_defaults(prof_ladder *l)
{
    l->pt_psnr_max = l->pt_psnr_max > 0 ? l->pt_psnr_max : 45;
    l->pt_step_min = l->pt_step_min > 0 ? l->pt_step_min : 1.15;
    l->pt_step_max = l->pt_step_max > 0 ? l->pt_step_max : 2;
    for (int r = 0; r < l->n_rungs; r++) {
        prof_rung *g = &l->rungs[r];
        g->pt_min_kbps = g->pt_min_kbps > 0 ? g->pt_min_kbps : (g->video_kbps + 4) / 5;
        g->pt_max_kbps = g->pt_max_kbps > 0 ? g->pt_max_kbps : g->video_kbps;
        g->pt_fixed_size |= g->use == PROF_USE_MP4;
    }
}

/* pbs16 with its per-title fields filled (whether or not prof_load does it yet). */
static void load_pbs16(prof_ladder *l)
{
    ladder_error err = {0};

    assert_int_equal(prof_load_default(l, &err), 0);
    assert_int_equal(l->n_rungs, 16);
    fill_defaults(l);
}

/* ---- levels and frame rates ---------------------------------------------------------------- */

static const x264_level_t *level_of(int idc)
{
    for (const x264_level_t *l = x264_levels; l->level_idc; l++)
        if (l->level_idc == idc)
            return l;
    return NULL;
}

/* Whether a w x h picture at fps fits the level, as x264 checks it: frame size, each side at
 * most sqrt(8 * frame size) macroblocks, macroblock rate. */
static int fits_level(int idc, int w, int h, double fps)
{
    const x264_level_t *l = level_of(idc);
    long mw = (w + 15) / 16, mh = (h + 15) / 16, mbs = mw * mh;

    return l && mbs <= l->frame_size && mw * mw <= 8L * l->frame_size &&
           mh * mh <= 8L * l->frame_size && mbs * fps <= l->mbps * (1 + EPS);
}

/* The frame rate the transcoder gives a rung at its own box (transcoder/plan.c,
 * tc_fps_divisor): source/n for the smallest n within max_fps and the level's MB rate. */
static double transcoder_fps(double src_fps, const prof_rung *g)
{
    const x264_level_t *l = level_of(g->level_idc);
    double mbs = (double)((g->width + 15) / 16) * ((g->height + 15) / 16);
    int n = 1;

    for (; n < 8; n++) {
        double fps = src_fps / n;
        if (g->max_fps > 0 && fps > g->max_fps + 0.01)
            continue;
        if (l && mbs * fps > l->mbps)
            continue;
        break;
    }
    return src_fps / n;
}

/* ---- synthetic shows ----------------------------------------------------------------------- */

/* A rate-quality model of one box, relative to a 1920x1080 picture at CRF 25. */
typedef struct model {
    double c;     /* kbps at CRF 25 at 1920x1080 */
    double e;     /* the rate scales with area^e */
    double q;     /* PSNR-Y at CRF 25 at 1920x1080, dB */
    double d;     /* dB lost per halving of the area, at CRF 25 (the upscale to the display) */
    double s;     /* dB gained per doubling of the rate */
    double sat;   /* the quality ceiling at 1920x1080 */
    double u;     /* ceiling lost per halving of the area */
    double noise; /* each point moves by up to +- noise dB (deterministic) */
    double w;     /* how softly the ceiling is approached, dB (0: a hard min) */
} model;

static uint32_t rng_state;

static uint32_t rng(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

/* Uniform in [lo, hi). */
static double urand(double lo, double hi)
{
    return lo + (hi - lo) * (rng() / 16777216.0);
}

/* PSNR-Y of model m at kbps on a picture of 2^l2 times the area of 1920x1080, noise left out. */
static double model_psnr(const model *m, double l2, double kbps)
{
    double dr = log2(kbps / (m->c * exp2(m->e * l2))); /* doublings of the rate from CRF 25 */
    double raw = m->q + m->d * l2 + m->s * dr, ceiling = m->sat + m->u * l2;

    return m->w > 0 ? -m->w * log2(exp2(-raw / m->w) + exp2(-ceiling / m->w)) : fmin(raw, ceiling);
}

/* Fills curve c from model m at the rates given (ascending). */
static void fill_curve_rates(prof_rd_curve *c, const model *m, const double *kbps, int n)
{
    double l2 = log2((double)c->width * c->height / AREA_1080P);

    c->n = n;
    for (int k = 0; k < n; k++) {
        double q = model_psnr(m, l2, kbps[k]);
        q += m->noise > 0 ? urand(-m->noise, m->noise) : 0;
        c->p[k].kbps = kbps[k];
        c->p[k].psnr_y = q;
        c->p[k].ssim = 1 - 0.5 * pow(10, -q / 10) * 100;
    }
}

/* Fills curve c from model m at the CRFs given (descending, so kbps ascend): probes at a
 * rate factor, as the analysis makes them. */
static void fill_curve(prof_rd_curve *c, const model *m, const double *crf, int n)
{
    double l2 = log2((double)c->width * c->height / AREA_1080P), kbps[PROF_RD_MAX_POINTS];

    for (int k = 0; k < n; k++)
        kbps[k] = m->c * exp2(m->e * l2) * exp2((25 - crf[k]) / 6.0);
    fill_curve_rates(c, m, kbps, n);
}

static const double crf3[3] = {33, 25, 17};

/* The show the analysis would measure on a src_w x src_h 16:9 source at fps: each rung whose
 * box fits the source is fed at the transcoder's frame rate (literal_fps: the source's, or 30
 * for max-fps 30 rungs, whatever the level), one curve per distinct fed HLS box by area, the
 * display the largest. Curves are left empty (n = 0). */
static void make_show(const prof_ladder *l, int src_w, int src_h, double fps, int literal_fps,
                      prof_rd_show *s)
{
    memset(s, 0, sizeof *s);
    for (int r = 0; r < l->n_rungs; r++) {
        const prof_rung *g = &l->rungs[r];
        int k = 0;
        if (g->width > src_w || g->height > src_h)
            continue;
        s->rung_fps[r] = !literal_fps                         ? transcoder_fps(fps, g)
                         : g->max_fps > 0 && fps > g->max_fps ? g->max_fps
                                                              : fps;
        if (g->use != PROF_USE_HLS)
            continue;
        while (k < s->n_sizes && (s->sizes[k].box_w != g->width || s->sizes[k].box_h != g->height))
            k++;
        if (k < s->n_sizes)
            continue;
        while (k > 0 && (double)s->sizes[k - 1].width * s->sizes[k - 1].height >
                            (double)g->width * g->height) {
            s->sizes[k] = s->sizes[k - 1];
            k--;
        }
        s->sizes[k] = (prof_rd_curve){
            .box_w = g->width, .box_h = g->height, .width = g->width, .height = g->height};
        s->n_sizes++;
    }
    assert_true(s->n_sizes > 0);
    s->display_w = s->sizes[s->n_sizes - 1].width;
    s->display_h = s->sizes[s->n_sizes - 1].height;
}

/* Every curve of s from m (one model for all), 3 points at CRF 33/25/17. */
static void fill_all(prof_rd_show *s, const model *m)
{
    for (int i = 0; i < s->n_sizes; i++)
        fill_curve(&s->sizes[i], m, crf3, 3);
}

/* At a fixed rate a box is better than one of half its area by s * e - d dB until it nears its
 * ceiling, sat + u * log2(area share), which small boxes reach first: the curves cross. */
/* Easy (still, clean): every box near 50 dB, and cheaply (1080p: 1.2 Mbit/s at CRF 25). */
static const model easy = {
    .c = 1200, .e = 0.8, .q = 46, .d = 2.2, .s = 3, .sat = 50, .u = 1.5, .w = 2};
/* Hard (grain, motion): low and steep, 12 Mbit/s at CRF 25 for 36 dB at 1080p, and small
 * boxes capped low by the detail they lose. */
static const model hard = {
    .c = 12000, .e = 0.75, .q = 36, .d = 3.5, .s = 5, .sat = 48, .u = 4.5, .w = 3};
/* Crossing: small boxes win at low rates (their bits go further), large ones at high rates
 * (the small ones' ceilings are low). */
static const model crossing = {
    .c = 2500, .e = 0.9, .q = 40, .d = 4, .s = 5, .sat = 50, .u = 3.5, .w = 2};
/* Large boxes win everywhere, even at the bottom. */
static const model large_wins = {
    .c = 1500, .e = 0.2, .q = 42, .d = 4, .s = 4, .sat = 55, .u = 3, .w = 0};

/* Every curve of s from m, probed over the whole range of rates (80 .. 7800 kbps). */
static void fill_all_rates(prof_rd_show *s, const model *m)
{
    static const double rates[6] = {80, 200, 500, 1250, 3100, 7800};

    for (int i = 0; i < s->n_sizes; i++)
        fill_curve_rates(&s->sizes[i], m, rates, 6);
}

static int curve_of_box(const prof_rd_show *s, int w, int h)
{
    for (int i = 0; i < s->n_sizes; i++)
        if (s->sizes[i].box_w == w && s->sizes[i].box_h == h)
            return i;
    return -1;
}

/* ---- the contract -------------------------------------------------------------------------- */

typedef struct checker {
    const char *label;
    int bad;         /* violations */
    int misreported; /* reasons that claim the target where the box falls short */
} checker;

/* Whether a misreported reason counts as a violation: only in the tests that check reasons
 * (test_reason_says_box_held, the sweep), so that the other tests keep to their own rule. */
static int reasons_checked;

static void violation(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(checker *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->bad++ < MAX_REPORTS)
        print_error("%s: %s\n", c->label, msg);
}

/* The rung's own curve: its box for an HLS rung, the nearest in area for an MP4 one. */
static int own_curve(const prof_rd_show *s, const prof_rung *g)
{
    int best = -1;
    double best_d = INFINITY;

    if (g->use == PROF_USE_HLS)
        return curve_of_box(s, g->width, g->height);
    for (int i = 0; i < s->n_sizes; i++) {
        double d = fabs(
            log((double)s->sizes[i].box_w * s->sizes[i].box_h / ((double)g->width * g->height)));
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

/* Whether rung r may take curve k. An MP4 rung or a fixed-size HLS one: its own only. An HLS
 * rung free to resize: any whose picture fits its level at its frame rate (its own included
 * only then), or its own if none does. */
static int may_take(const prof_rung *g, const prof_rd_show *s, int r, int own, int k)
{
    int any = 0;

    if (g->use != PROF_USE_HLS || g->pt_fixed_size)
        return k == own;
    for (int i = 0; i < s->n_sizes; i++)
        any |= fits_level(g->level_idc, s->sizes[i].width, s->sizes[i].height, s->rung_fps[r]);
    return any ? fits_level(g->level_idc, s->sizes[k].width, s->sizes[k].height, s->rung_fps[r])
               : k == own;
}

/* The fed HLS rungs by the profile's video bitrate (stable); returns how many. */
static int fed_hls_order(const prof_ladder *p, const prof_rd_show *s, int *order)
{
    int n = 0;

    for (int r = 0; r < p->n_rungs; r++) {
        if (p->rungs[r].use != PROF_USE_HLS || !(s->rung_fps[r] > 0))
            continue;
        int k = n++;
        while (k > 0 && p->rungs[order[k - 1]].video_kbps > p->rungs[r].video_kbps) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = r;
    }
    return n;
}

/* Rung r's total bitrate in out. */
static double total(const prof_ladder *out, int r)
{
    return out->rungs[r].video_kbps + out->rungs[r].audio_kbps;
}

static void check_shape(checker *c, const prof_ladder *p, const prof_rd_show *s,
                        const prof_ladder *out, const prof_pt_choice *ch)
{
    if (strcmp(out->name, p->name) || strcmp(out->preset, p->preset) ||
        out->gop_seconds != p->gop_seconds || out->segment_seconds != p->segment_seconds ||
        out->container != p->container || out->thumbnails_off != p->thumbnails_off ||
        out->audio_channels != p->audio_channels || out->pt_psnr_max != p->pt_psnr_max ||
        out->pt_step_min != p->pt_step_min || out->pt_step_max != p->pt_step_max)
        violation(c, "shape: a ladder-wide field changed");
    if (out->n_rungs != p->n_rungs) {
        violation(c, "shape: %d rungs, the profile has %d", out->n_rungs, p->n_rungs);
        return;
    }
    for (int r = 0; r < p->n_rungs; r++) {
        const prof_rung *g = &p->rungs[r], *o = &out->rungs[r];
        prof_rung back = *o;
        int fed = s->rung_fps[r] > 0;
        if (!fed) {
            if (memcmp(o, g, sizeof *g))
                violation(c, "rung %s: not fed, yet changed", g->name);
            if (ch[r].made)
                violation(c, "rung %s: not fed, yet choice.made", g->name);
            continue;
        }
        if (!ch[r].made)
            violation(c, "rung %s: fed, but choice.made is 0", g->name);
        if (!ch[r].reason[0])
            violation(c, "rung %s: no reason", g->name);
        back.video_kbps = g->video_kbps;
        back.maxrate_kbps = g->maxrate_kbps;
        back.bufsize_kbps = g->bufsize_kbps;
        if (g->use == PROF_USE_HLS && !g->pt_fixed_size) {
            back.width = g->width;
            back.height = g->height;
        }
        if (memcmp(&back, g, sizeof *g))
            violation(c, "rung %s: a field other than rates%s changed (now %dx%d)", g->name,
                      g->use == PROF_USE_HLS && !g->pt_fixed_size ? " and box" : "", o->width,
                      o->height);
    }
}

static void check_rates(checker *c, const prof_ladder *p, const prof_rd_show *s,
                        const prof_ladder *out)
{
    for (int r = 0; r < p->n_rungs; r++) {
        const prof_rung *g = &p->rungs[r], *o = &out->rungs[r];
        double v = o->video_kbps;
        if (!(s->rung_fps[r] > 0))
            continue;
        if (v < g->pt_min_kbps || v > g->pt_max_kbps)
            violation(c, "rung %s: bounds: %d kbps outside %d .. %d", g->name, o->video_kbps,
                      g->pt_min_kbps, g->pt_max_kbps);
        if (fabs(o->maxrate_kbps - (double)g->maxrate_kbps * v / g->video_kbps) > 1 + EPS ||
            o->maxrate_kbps < o->video_kbps)
            violation(c, "rung %s: VBV: maxrate %d for %d kbps (profile %d for %d)", g->name,
                      o->maxrate_kbps, o->video_kbps, g->maxrate_kbps, g->video_kbps);
        if (fabs(o->bufsize_kbps - (double)g->bufsize_kbps * v / g->video_kbps) > 1 + EPS)
            violation(c, "rung %s: VBV: bufsize %d for %d kbps (profile %d for %d)", g->name,
                      o->bufsize_kbps, o->video_kbps, g->bufsize_kbps, g->video_kbps);
    }
}

/* Steps, the lowest rung, boxes (one of the curves, by area with the bitrate, fit the level). */
static void check_hls(checker *c, const prof_ladder *p, const prof_rd_show *s,
                      const prof_ladder *out, const prof_pt_choice *ch)
{
    int order[PROF_MAX_RUNGS], n = fed_hls_order(p, s, order), lowest = -1;

    for (int r = 0; r < p->n_rungs; r++)
        if (p->rungs[r].use == PROF_USE_HLS &&
            (lowest < 0 || p->rungs[r].video_kbps < p->rungs[lowest].video_kbps))
            lowest = r;
    if (lowest >= 0 && out->rungs[lowest].video_kbps > p->rungs[lowest].video_kbps)
        violation(c, "lowest HLS rung %s: %d kbps, above the profile's %d", p->rungs[lowest].name,
                  out->rungs[lowest].video_kbps, p->rungs[lowest].video_kbps);
    if (n > 0 && out->rungs[order[0]].video_kbps > p->rungs[order[0]].video_kbps)
        violation(c, "lowest fed HLS rung %s: %d kbps, above the profile's %d",
                  p->rungs[order[0]].name, out->rungs[order[0]].video_kbps,
                  p->rungs[order[0]].video_kbps);
    for (int i = 0; i < n; i++) {
        int r = order[i], k;
        const prof_rung *g = &p->rungs[r], *o = &out->rungs[r];
        k = curve_of_box(s, o->width, o->height);
        if (k < 0) {
            violation(c, "rung %s: box %dx%d is no curve's", g->name, o->width, o->height);
            continue;
        }
        if (ch[r].size != k)
            violation(c, "rung %s: choice.size %d, but its box is curve %d's", g->name, ch[r].size,
                      k);
        if (!fits_level(g->level_idc, s->sizes[k].width, s->sizes[k].height, s->rung_fps[r]))
            violation(c, "rung %s: %dx%d at %.3g fps does not fit level %d", g->name,
                      s->sizes[k].width, s->sizes[k].height, s->rung_fps[r], g->level_idc);
        if (i == 0)
            continue;
        int q = order[i - 1];
        double ratio = total(out, r) / total(out, q);
        if (ratio < p->pt_step_min - EPS || ratio > p->pt_step_max + EPS)
            violation(c, "steps: %s (%d+%d) / %s (%d+%d) = %.4f, outside %.2f .. %.2f", g->name,
                      o->video_kbps, o->audio_kbps, p->rungs[q].name, out->rungs[q].video_kbps,
                      out->rungs[q].audio_kbps, ratio, p->pt_step_min, p->pt_step_max);
        if ((double)o->width * o->height < (double)out->rungs[q].width * out->rungs[q].height)
            violation(c, "boxes: %s %dx%d at %d kbps is smaller than %s %dx%d at %d kbps", g->name,
                      o->width, o->height, o->video_kbps, p->rungs[q].name, out->rungs[q].width,
                      out->rungs[q].height, out->rungs[q].video_kbps);
    }
}

/* Whether v - 1 (down) or v + 1 (up) would break one of rung r's rate constraints, given its
 * fed HLS neighbours at i - 1 and i + 1 in order (i < 0: an MP4 rung). */
static int rate_bound_binds(const prof_ladder *p, const prof_ladder *out, const int *order, int n,
                            int i, int r, int up)
{
    const prof_rung *g = &p->rungs[r];
    double v = out->rungs[r].video_kbps + (up ? 1 : -1), a = g->audio_kbps;

    if (v < g->pt_min_kbps || v > g->pt_max_kbps)
        return 1;
    if (i < 0)
        return 0;
    if (i == 0 && v > g->video_kbps)
        return 1;
    /* a rung never has fewer video bits than the one below it */
    if ((i > 0 && v < out->rungs[order[i - 1]].video_kbps) ||
        (i + 1 < n && v > out->rungs[order[i + 1]].video_kbps))
        return 1;
    if (i + 1 < n) {
        double ratio = total(out, order[i + 1]) / (v + a);
        if (ratio < p->pt_step_min - EPS || ratio > p->pt_step_max + EPS)
            return 1;
    }
    if (i > 0) {
        double ratio = (v + a) / total(out, order[i - 1]);
        if (ratio < p->pt_step_min - EPS || ratio > p->pt_step_max + EPS)
            return 1;
    }
    return 0;
}

typedef struct tally {
    int rungs, reached, held, box_capped, misreported, resized;
} tally;

/* Quality: each fed rung aims at min(what the profile gives at its own box, pt_psnr_max) and,
 * unless a bound binds, takes the lowest bitrate (within 1 kbps) reaching it on a box it may
 * take whose probes reach that rate (1/1.25 of the curve's first probe to twice its last) and, for
 * a box larger than its own, at 0.02 bits per pixel or more; what choice[] reports matches the
 * curves. */
static void check_quality(checker *c, const prof_ladder *p, const prof_rd_show *s,
                          const prof_ladder *out, const prof_pt_choice *ch, tally *t)
{
    int order[PROF_MAX_RUNGS], n = fed_hls_order(p, s, order);

    for (int r = 0; r < p->n_rungs; r++) {
        const prof_rung *g = &p->rungs[r], *o = &out->rungs[r];
        int own = own_curve(s, g), i = -1, size = ch[r].size;
        double want = INFINITY, prof_q, target, v = o->video_kbps;
        if (!(s->rung_fps[r] > 0) || own < 0)
            continue;
        for (int k = 0; k < n; k++)
            if (order[k] == r)
                i = k;
        prof_q = prof_rd_psnr(&s->sizes[own], g->video_kbps);
        target = fmin(prof_q - 0.25, p->pt_psnr_max); /* a quarter dB of slack */
        for (int k = 0; k < s->n_sizes; k++) {
            const prof_rd_curve *cv = &s->sizes[k];
            /* another box than its own must beat the target by 0.5 dB */
            double kbps = prof_rd_kbps(cv, k == own ? target : target + 0.5);
            /* a curve counts only up to twice its last probe's rate, but for the rung's own */
            double least = 0.02 * cv->box_w * cv->box_h * s->rung_fps[r] / 1000;
            int larger = (double)cv->box_w * cv->box_h > (double)g->width * g->height;
            if (k != own && larger)
                kbps = fmax(kbps, least); /* a larger box at 0.02 bits per pixel or more */
            if (may_take(g, s, r, own, k) &&
                (k == own || (kbps <= 2 * cv->p[cv->n - 1].kbps && kbps >= cv->p[0].kbps / 1.25)))
                want = fmin(want, kbps);
        }
        if (fabs(ch[r].profile_psnr_y - prof_q) > 1e-6 || fabs(ch[r].target_psnr_y - target) > 1e-6)
            violation(c, "rung %s: choice says profile %.3f target %.3f dB, curves say %.3f %.3f",
                      g->name, ch[r].profile_psnr_y, ch[r].target_psnr_y, prof_q, target);
        if (size < 0 || size >= s->n_sizes) {
            violation(c, "rung %s: choice.size %d", g->name, size);
            continue;
        }
        if (g->use == PROF_USE_MP4 && size != own)
            violation(c, "rung %s: MP4 rung measured on curve %d, not its nearest %d", g->name,
                      size, own);
        if (fabs(ch[r].psnr_y - prof_rd_psnr(&s->sizes[size], v)) > 1e-6)
            violation(c, "rung %s: choice.psnr_y %.3f, the curve gives %.3f at %d kbps", g->name,
                      ch[r].psnr_y, prof_rd_psnr(&s->sizes[size], v), o->video_kbps);
        t->rungs++;
        t->resized += g->use == PROF_USE_HLS && (o->width != g->width || o->height != g->height);
        if (v > want + 1 + EPS && !rate_bound_binds(p, out, order, n, i, r, 0))
            violation(c, "quality: rung %s at %d kbps, above its wish %.1f, and no bound holds it",
                      g->name, o->video_kbps, want);
        else if (v < want - 1 - EPS && !rate_bound_binds(p, out, order, n, i, r, 1))
            violation(c, "quality: rung %s at %d kbps, below its wish %.1f, and no bound holds it",
                      g->name, o->video_kbps, want);
        if (fabs(v - want) <= 1 + EPS) {
            t->reached++;
            /* a box held under the rung above's may leave it short: a bound, to be said */
            if (prof_rd_psnr(&s->sizes[size], v + 1) < target - 1e-6) {
                t->box_capped++;
                if (!strcmp(ch[r].reason, REACHED)) {
                    c->misreported++;
                    if (reasons_checked)
                        violation(c,
                                  "rung %s: reason \"%s\", but at %d kbps its box %dx%d gives "
                                  "%.2f dB, under its target %.2f",
                                  g->name, ch[r].reason, o->video_kbps, o->width, o->height,
                                  ch[r].psnr_y, target);
                }
            }
        } else {
            t->held++;
            if (!strcmp(ch[r].reason, REACHED))
                violation(c, "rung %s: reason \"%s\" at %d kbps, but its wish is %.1f", g->name,
                          ch[r].reason, o->video_kbps, want);
        }
    }
}

/* Every rule of the contract on (profile, show, out, choice); returns the violations. */
static int check_ladder(const char *label, const prof_ladder *p, const prof_rd_show *s,
                        const prof_ladder *out, const prof_pt_choice *ch, tally *t)
{
    checker c = {label, 0, 0};
    tally scratch = {0};

    t = t ? t : &scratch;
    check_shape(&c, p, s, out, ch);
    if (out->n_rungs != p->n_rungs)
        return c.bad;
    check_rates(&c, p, s, out);
    check_hls(&c, p, s, out, ch);
    check_quality(&c, p, s, out, ch, t);
    t->misreported += c.misreported;
    return c.bad;
}

/* Runs the chooser on (p, s): expects success, the same output twice (memcmp, whatever out
 * held before), its inputs untouched, and the contract; returns the violations. */
static int choose_and_check(const char *label, const prof_ladder *p, const prof_rd_show *s,
                            prof_ladder *out, prof_pt_choice *ch, tally *t)
{
    prof_ladder p0 = *p, out2;
    prof_rd_show s0 = *s;
    prof_pt_choice ch2[PROF_MAX_RUNGS];
    ladder_error err = {0};
    int ret, bad = 0;

    memset(out, 0xA5, sizeof *out);
    memset(ch, 0xA5, sizeof *ch * PROF_MAX_RUNGS);
    ret = prof_per_title_choose(p, s, out, ch, &err);
    if (ret != 0) {
        print_error("%s: prof_per_title_choose returned %d: %s\n", label, ret, err.msg);
        return 1;
    }
    memset(&out2, 0x5A, sizeof out2);
    memset(ch2, 0x5A, sizeof ch2);
    assert_int_equal(prof_per_title_choose(p, s, &out2, ch2, NULL), 0);
    if (memcmp(out, &out2, sizeof out2) || memcmp(ch, ch2, sizeof ch2)) {
        print_error("%s: determinism: two runs differ\n", label);
        bad++;
    }
    if (memcmp(&p0, p, sizeof p0) || memcmp(&s0, s, sizeof s0)) {
        print_error("%s: the inputs were modified\n", label);
        bad++;
    }
    return bad + check_ladder(label, p, s, out, ch, t);
}

static double ladder_bits(const prof_ladder *l)
{
    double sum = 0;

    for (int r = 0; r < l->n_rungs; r++)
        sum += l->rungs[r].video_kbps;
    return sum;
}

/* Prints the chosen ladder (for a failing case, and for the curious: UNIT_VERBOSE=1). */
static void dump(const char *label, const prof_ladder *out, const prof_pt_choice *ch)
{
    if (out->n_rungs < 0 || out->n_rungs > PROF_MAX_RUNGS)
        return; /* no ladder was chosen */
    print_message("%s:\n", label);
    for (int r = 0; r < out->n_rungs; r++)
        print_message("  %-15s %5d kbps %4dx%-4d %s\n", out->rungs[r].name,
                      out->rungs[r].video_kbps, out->rungs[r].width, out->rungs[r].height,
                      ch[r].made ? ch[r].reason : "(not fed)");
}

/* One show on one profile: the contract holds. */
static void expect_contract(const char *label, const prof_ladder *p, const prof_rd_show *s,
                            prof_ladder *out, prof_pt_choice *ch)
{
    int bad = choose_and_check(label, p, s, out, ch, NULL);

    if (bad || getenv("UNIT_VERBOSE"))
        dump(label, out, ch);
    assert_int_equal(bad, 0);
}

/* ---- prof_rd_psnr, prof_rd_kbps, prof_rd_on_hull ------------------------------------------- */

static prof_rd_curve curve3(double k0, double q0, double k1, double q1, double k2, double q2)
{
    prof_rd_curve c = {.box_w = 640, .box_h = 360, .width = 640, .height = 360, .n = 3};

    c.p[0] = (prof_rd_point){k0, q0, 0.9};
    c.p[1] = (prof_rd_point){k1, q1, 0.95};
    c.p[2] = (prof_rd_point){k2, q2, 0.98};
    return c;
}

static void test_rd_psnr_at_points_and_between(void **state)
{
    prof_rd_curve c = curve3(200, 34, 400, 37, 800, 39);

    (void)state;
    assert_true(fabs(prof_rd_psnr(&c, 200) - 34) < EPS);
    assert_true(fabs(prof_rd_psnr(&c, 400) - 37) < EPS);
    assert_true(fabs(prof_rd_psnr(&c, 800) - 39) < EPS);
    /* linear in log2(kbps): half-way in log between 200 and 400 */
    assert_true(fabs(prof_rd_psnr(&c, 200 * M_SQRT2) - 35.5) < 1e-9);
    /* beyond the ends, along the end segments */
    assert_true(fabs(prof_rd_psnr(&c, 100) - 31) < 1e-9);
    assert_true(fabs(prof_rd_psnr(&c, 1600) - 41) < 1e-9);
    /* one point: flat */
    c.n = 1;
    assert_true(prof_rd_psnr(&c, 50) == 34 && prof_rd_psnr(&c, 5000) == 34);
    assert_true(prof_rd_kbps(&c, 33) == 200);
    assert_true(isinf(prof_rd_kbps(&c, 35)));
}

/* prof_rd_kbps inverts prof_rd_psnr: psnr(kbps(q)) = q over and beyond the points, and kbps(q)
 * is the lowest rate reaching q, on monotone, noisy and flat-topped curves. */
static void test_rd_psnr_kbps_inverse(void **state)
{
    prof_rd_curve cs[4] = {
        curve3(200, 34, 400, 37, 800, 39),
        curve3(150, 36, 380, 35, 900, 41),  /* noisy: the middle point is worse */
        curve3(300, 38, 600, 40, 1500, 40), /* flat top */
        curve3(90, 28, 95, 33, 2500, 49),   /* steep, then shallow */
    };

    (void)state;
    for (int i = 0; i < 4; i++) {
        const prof_rd_curve *c = &cs[i];
        double prev_q = -INFINITY, prev_k = 0;
        for (double k = 40; k < 6000; k *= 1.07) {
            double q = prof_rd_psnr(c, k);
            assert_true(q >= prev_q - EPS); /* never worse with more bits */
            prev_q = q;
        }
        for (double q = 25; q < 50; q += 0.37) {
            double k = prof_rd_kbps(c, q);
            assert_true(k >= prev_k); /* more quality never costs less */
            prev_k = k;
            if (isinf(k))
                continue;
            assert_true(prof_rd_psnr(c, k) >= q - 1e-6);
            if (q <= prof_rd_psnr(c, c->p[0].kbps / 2))
                continue; /* a flat start: q at any rate, and kbps gives the first point's */
            assert_true(fabs(prof_rd_psnr(c, k) - q) < 1e-6);
            /* the lowest: 1% less does not reach q */
            assert_true(prof_rd_psnr(c, k * 0.99) < q);
        }
    }
    /* The noisy curve counts its middle point as 36 dB (never worse with more bits). */
    assert_true(fabs(prof_rd_psnr(&cs[1], 380) - 36) < EPS);
    assert_true(prof_rd_kbps(&cs[1], 36) == 150);
    /* A flat top: 40 dB first at 600 kbps, 40.5 never. */
    assert_true(fabs(prof_rd_kbps(&cs[2], 40) - 600) < 1e-6);
    assert_true(isinf(prof_rd_kbps(&cs[2], 40.5)));
    /* kbps(psnr(k)) = k where the curve rises. */
    for (double k = 100; k < 3000; k *= 1.3)
        assert_true(fabs(prof_rd_kbps(&cs[0], prof_rd_psnr(&cs[0], k)) / k - 1) < 1e-9);
}

/* Two curves that cross between their second and third points: the small box is on the hull
 * at low rates, the large one at the top. */
static void test_rd_on_hull_crossing(void **state)
{
    prof_rd_show s = {.n_sizes = 2, .display_w = 1280, .display_h = 720};

    (void)state;
    s.sizes[0] = curve3(200, 34, 400, 37, 800, 39);
    s.sizes[1] = curve3(200, 31, 400, 36, 800, 41);
    s.sizes[1].box_w = s.sizes[1].width = 1280;
    s.sizes[1].box_h = s.sizes[1].height = 720;
    assert_true(prof_rd_on_hull(&s, 0, 0));
    assert_true(prof_rd_on_hull(&s, 0, 1));
    assert_false(prof_rd_on_hull(&s, 0, 2));
    assert_false(prof_rd_on_hull(&s, 1, 0));
    assert_false(prof_rd_on_hull(&s, 1, 1));
    assert_true(prof_rd_on_hull(&s, 1, 2));
    /* one curve alone: every point */
    s.n_sizes = 1;
    for (int k = 0; k < 3; k++)
        assert_true(prof_rd_on_hull(&s, 0, k));
}

/* ---- defaults and prof_per_title_check ------------------------------------------------------ */

static void test_defaults(void **state)
{
    prof_ladder l, z;

    (void)state;
    load_pbs16(&l);
    z = l;
    z.pt_psnr_max = z.pt_step_min = z.pt_step_max = 0;
    for (int r = 0; r < z.n_rungs; r++)
        z.rungs[r].pt_min_kbps = z.rungs[r].pt_max_kbps = z.rungs[r].pt_fixed_size = 0;
    prof_per_title_defaults(&z);
    assert_memory_equal(&z, &l, sizeof l);
    assert_int_equal(l.rungs[0].pt_min_kbps, 29); /* ceil(145 / 5) */
    assert_int_equal(l.rungs[10].pt_max_kbps, 4500);
    assert_int_equal(l.rungs[5].pt_fixed_size, 0);
    assert_int_equal(l.rungs[11].pt_fixed_size, 1);
    prof_per_title_defaults(&z); /* idempotent */
    assert_memory_equal(&z, &l, sizeof l);
}

static void test_check_pbs16(void **state)
{
    prof_ladder l;
    double lo[PROF_MAX_RUNGS], hi[PROF_MAX_RUNGS];

    (void)state;
    load_pbs16(&l);
    assert_int_equal(prof_per_title_check(&l, lo, hi), -1);
    assert_int_equal(prof_per_title_check(&l, NULL, NULL), -1);
    for (int r = 0; r < l.n_rungs; r++) {
        if (l.rungs[r].use != PROF_USE_HLS)
            continue;
        /* pbs16's own bitrates are a ladder that meets the rules */
        assert_true(lo[r] <= l.rungs[r].video_kbps + EPS);
        assert_true(hi[r] >= l.rungs[r].video_kbps - EPS);
        assert_true(lo[r] >= l.rungs[r].pt_min_kbps - EPS);
        assert_true(hi[r] <= l.rungs[r].pt_max_kbps + EPS);
    }
}

/* Bounds that cannot be met: check names a rung left without a bitrate (one of `may`, -1
 * ended), the chooser refuses with LADDER_EINVAL naming it. */
static void expect_refused(const prof_ladder *l, const int *may)
{
    prof_rd_show s;
    prof_ladder out;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    ladder_error err = {0};
    double lo[PROF_MAX_RUNGS], hi[PROF_MAX_RUNGS];
    int bad = prof_per_title_check(l, lo, hi), ok = 0;

    for (int i = 0; may[i] >= 0; i++)
        ok |= bad == may[i];
    if (!ok)
        fail_msg("prof_per_title_check returned %d", bad);
    assert_true(lo[bad] > hi[bad]);
    make_show(l, 1920, 1080, 30, 0, &s);
    fill_all(&s, &crossing);
    assert_int_equal(prof_per_title_choose(l, &s, &out, ch, &err), LADDER_EINVAL);
    assert_int_equal(err.code, LADDER_EINVAL);
    assert_non_null(strstr(err.msg, l->rungs[bad].name));
}

static void test_check_refuses_impossible_bounds(void **state)
{
    prof_ladder base, l;

    (void)state;
    load_pbs16(&base);
    /* 270p's floor is more than twice 234p's ceiling (in totals): (145 + 64) * 2 - 64 = 354 */
    l = base;
    l.rungs[1].pt_min_kbps = 360;
    l.rungs[1].pt_max_kbps = 500;
    expect_refused(&l, (int[]){0, 1, -1});
    /* the same with 234p free to rise to 300: the lowest rung stays at or under the profile */
    l.rungs[0].pt_max_kbps = 300;
    expect_refused(&l, (int[]){0, 1, -1});
    /* a floor above the ceiling */
    l = base;
    l.rungs[6].pt_min_kbps = 1700;
    expect_refused(&l, (int[]){6, -1});
    /* every rung pinned at its bitrate but the top capped under 1.15x 720p-3800: 4389 */
    l = base;
    for (int r = 0; r < 11; r++)
        l.rungs[r].pt_min_kbps = l.rungs[r].video_kbps;
    l.rungs[10].pt_max_kbps = 4300;
    expect_refused(&l, (int[]){9, 10, -1});
    /* steps no ladder of 11 can take: 1.9x at least, from at most 145 + 64 to at most 4628 */
    l = base;
    l.pt_step_min = 1.9;
    expect_refused(&l, (int[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1});
}

/* ---- shows that tempt the chooser ------------------------------------------------------------ */

static void test_easy_show(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];

    (void)state;
    load_pbs16(&p);
    make_show(&p, 1920, 1080, 30, 0, &s);
    fill_all(&s, &easy);
    expect_contract("easy", &p, &s, &out, ch);
    assert_true(ladder_bits(&out) < 0.7 * ladder_bits(&p));
}

static void test_hard_show(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];

    (void)state;
    load_pbs16(&p);
    make_show(&p, 1920, 1080, 30, 0, &s);
    fill_all(&s, &hard);
    expect_contract("hard", &p, &s, &out, ch);
}

/* An easy show is cheaper than a hard one, and neither above the profile. */
static void test_easy_cheaper_than_hard(void **state)
{
    prof_ladder p, e, h;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];

    (void)state;
    load_pbs16(&p);
    make_show(&p, 1920, 1080, 30, 0, &s);
    fill_all(&s, &easy);
    expect_contract("easy", &p, &s, &e, ch);
    fill_all(&s, &hard);
    expect_contract("hard", &p, &s, &h, ch);
    assert_true(ladder_bits(&e) < ladder_bits(&h));
    assert_true(ladder_bits(&h) <= ladder_bits(&p));
}

static void test_crossing_curves(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    int top;

    (void)state;
    load_pbs16(&p);
    p.pt_psnr_max = 48;
    for (int r = 0; r < 11; r++)
        p.rungs[r].pt_max_kbps = 2 * p.rungs[r].video_kbps; /* room to move up, too */
    make_show(&p, 1920, 1080, 30, 0, &s);
    top = s.n_sizes - 1;
    fill_all_rates(&s, &crossing); /* probed over the whole range of rates, every box */
    /* the temptation is real: 234p beats 1080p at 300 kbps, 1080p wins at 6000 */
    assert_true(prof_rd_psnr(&s.sizes[0], 300) > prof_rd_psnr(&s.sizes[top], 300));
    assert_true(prof_rd_psnr(&s.sizes[0], 6000) < prof_rd_psnr(&s.sizes[top], 6000));
    expect_contract("crossing", &p, &s, &out, ch);
    assert_true(out.rungs[0].height < 360);
    assert_true(out.rungs[10].height >= 720);
    /* probed at CRF 33/25/17 as the analysis does: small boxes only at low rates, and the
     * curves extended beyond their last point along their end segments */
    fill_all(&s, &crossing);
    expect_contract("crossing, CRF probes", &p, &s, &out, ch);
    print_message("crossing, CRF probes: the top rung at %d kbps takes %dx%d; the 234p curve "
                  "predicts %.1f dB there from probes up to %.0f kbps, the 1080p one %.1f\n",
                  out.rungs[10].video_kbps, out.rungs[10].width, out.rungs[10].height,
                  prof_rd_psnr(&s.sizes[0], out.rungs[10].video_kbps), s.sizes[0].p[2].kbps,
                  prof_rd_psnr(&s.sizes[top], out.rungs[10].video_kbps));
}

/* Large boxes win everywhere, even at the bottom: the level-3.0 rungs would like 1080p. */
static void test_level_30_tempted_by_1080p(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];

    (void)state;
    load_pbs16(&p);
    make_show(&p, 1920, 1080, 30, 0, &s);
    fill_all(&s, &large_wins);
    for (double k = 50; k < 5000; k *= 1.5)
        for (int i = 0; i + 1 < s.n_sizes; i++)
            assert_true(prof_rd_psnr(&s.sizes[i + 1], k) > prof_rd_psnr(&s.sizes[i], k));
    expect_contract("level 3.0 tempted by 1080p", &p, &s, &out, ch);
    for (int r = 0; r < 11; r++)
        if (p.rungs[r].level_idc == 30)
            assert_true(out.rungs[r].width * out.rungs[r].height <= 768 * 432);
    assert_int_equal(out.rungs[10].height, 1080);
}

/* Points out of order in quality (noise up to 2.5 dB), on every box. */
static void test_noisy_points(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    model m = crossing;
    char label[64];

    (void)state;
    load_pbs16(&p);
    m.noise = 2.5;
    rng_state = 23;
    for (int t = 0; t < 40; t++) {
        make_show(&p, 1920, 1080, 30, 0, &s);
        for (int i = 0; i < s.n_sizes; i++) {
            double crf[5] = {37, 31, 25, 19, 13};
            fill_curve(&s.sizes[i], &m, crf, 5);
        }
        snprintf(label, sizeof label, "noisy #%d", t);
        expect_contract(label, &p, &s, &out, ch);
    }
}

/* The 1080p box is poor (a soft source upscaled) and the small boxes excellent: the top rung
 * wishes for a few hundred kbps, under its floor, and the rungs from the bottom up are held
 * apart by the step rule, so the top ends a little over its floor, far under its profile. */
static void test_top_wish_tiny(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    model good = {.c = 3000, .e = 0.9, .q = 44, .d = 0, .s = 4, .sat = 50, .u = 0};
    model poor = {.c = 20000, .e = 1, .q = 30, .d = 0, .s = 1, .sat = 31, .u = 0};
    int stepped = 0;

    (void)state;
    load_pbs16(&p);
    make_show(&p, 1920, 1080, 30, 0, &s);
    fill_all(&s, &good);
    fill_curve(&s.sizes[s.n_sizes - 1], &poor, crf3, 3);
    expect_contract("top wish tiny", &p, &s, &out, ch);
    assert_true(out.rungs[10].video_kbps >= p.rungs[10].pt_min_kbps &&
                out.rungs[10].video_kbps < p.rungs[10].video_kbps / 2);
    for (int r = 0; r < 10; r++)
        stepped += strstr(ch[r].reason, "step") != NULL;
    assert_true(stepped > 0);
}

/* Floors that bind: per-rung pt_min at 90% of the profile on an easy show; ceilings above the
 * profile (2x) on a hard one, with the lowest rung tempted above the profile's. */
static void test_bounds_bind(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    int held = 0;

    (void)state;
    load_pbs16(&p);
    for (int r = 0; r < p.n_rungs; r++)
        if (r % 2 == 0)
            p.rungs[r].pt_min_kbps = p.rungs[r].video_kbps * 9 / 10;
    assert_int_equal(prof_per_title_check(&p, NULL, NULL), -1);
    make_show(&p, 1920, 1080, 30, 0, &s);
    fill_all(&s, &easy);
    expect_contract("floors bind", &p, &s, &out, ch);
    for (int r = 0; r < p.n_rungs; r += 2)
        held += out.rungs[r].video_kbps == p.rungs[r].pt_min_kbps;
    assert_true(held >= 4);

    load_pbs16(&p);
    for (int r = 0; r < p.n_rungs; r++)
        p.rungs[r].pt_max_kbps = 2 * p.rungs[r].video_kbps;
    p.pt_psnr_max = 60;
    make_show(&p, 1920, 1080, 30, 0, &s);
    fill_all(&s, &hard);
    for (int i = 0; i < s.n_sizes; i++) /* the quality the profile gives costs more here */
        for (int k = 0; k < 3; k++)
            s.sizes[i].p[k].kbps *= 1 + 0.3 * k;
    expect_contract("ceilings above the profile", &p, &s, &out, ch);
    assert_true(out.rungs[0].video_kbps <= p.rungs[0].video_kbps);
}

/* A 960x540 source feeds the rungs up to 540p (and MP4 480p): the others are left alone. */
static void test_source_feeds_lower_rungs(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    const model *models[3] = {&easy, &hard, &crossing};

    (void)state;
    load_pbs16(&p);
    for (int i = 0; i < 3; i++) {
        make_show(&p, 960, 540, 25, 0, &s);
        assert_int_equal(s.n_sizes, 5);
        assert_true(s.rung_fps[8] == 0 && s.rung_fps[10] == 0 && s.rung_fps[14] == 0);
        fill_all(&s, models[i]);
        expect_contract("540p source", &p, &s, &out, ch);
        for (int r = 8; r < 11; r++)
            assert_memory_equal(&out.rungs[r], &p.rungs[r], sizeof p.rungs[r]);
    }
}

/* A 60 fps source, at the frame rates the transcoder gives each rung (720p-3800, level 4.0,
 * the only one at 60): large boxes win, yet 720p-3800 may not take 1080p at 60 fps. */
static void test_60fps_source(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];

    (void)state;
    load_pbs16(&p);
    for (int r = 0; r < 11; r++)
        p.rungs[r].pt_max_kbps = 2 * p.rungs[r].video_kbps;
    make_show(&p, 1920, 1080, 60, 0, &s);
    assert_true(s.rung_fps[9] == 60 && s.rung_fps[10] == 30 && s.rung_fps[0] == 30);
    fill_all(&s, &large_wins);
    expect_contract("60 fps", &p, &s, &out, ch);
    assert_int_equal(out.rungs[9].height, 720);
    fill_all(&s, &crossing);
    expect_contract("60 fps crossing", &p, &s, &out, ch);
}

/* The same source with rung_fps as the brief of #23 puts it: 60 for every rung without a
 * max-fps, whatever its level (432p at level 3.0, 540p and 720p-3000 at 3.1, 1080p at 4.0 do
 * not fit their own boxes at 60 fps; smaller boxes do). */
static void test_60fps_every_uncapped_rung(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];

    (void)state;
    load_pbs16(&p);
    make_show(&p, 1920, 1080, 60, 1, &s);
    assert_true(s.rung_fps[9] == 60 && s.rung_fps[10] == 60 && s.rung_fps[0] == 30);
    fill_all(&s, &easy);
    expect_contract("60 fps, literal, easy", &p, &s, &out, ch);
    fill_all(&s, &large_wins);
    expect_contract("60 fps, literal, large boxes win", &p, &s, &out, ch);
}

/* An HLS rung held at its box (pt_fixed_size, 540p-1600) under rungs free to resize, on a show
 * where every box reaches the same ceiling so the smallest looks as good: the rungs above may
 * not take a box smaller than 540p. */
static void test_fixed_size_hls_rung(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    model m = {.c = 3000, .e = 1, .q = 40, .d = 0, .s = 4, .sat = 42, .u = 0};

    (void)state;
    load_pbs16(&p);
    p.rungs[6].pt_fixed_size = 1;
    make_show(&p, 1920, 1080, 30, 0, &s);
    fill_all(&s, &m);
    expect_contract("fixed-size 540p", &p, &s, &out, ch);
    assert_int_equal(out.rungs[6].width, 960);
}

/* Bounds that leave a real-valued ladder but a narrow one: 234p pinned at 100 kbps, 360p's
 * wish 153.5 kbps. 270p must be >= 1.15 * 164 - 64 = 124.6 and <= (v + 64) / 1.15 - 64 for
 * 360p's v: with v = 153 that is 124.70, and no whole kbps lies in 124.6 .. 124.70. */
static void make_narrow(prof_ladder *p, prof_rd_show *s, int pin_top)
{
    prof_ladder pbs;

    load_pbs16(&pbs);
    *p = pbs;
    p->n_rungs = 3;
    p->rungs[0].video_kbps = p->rungs[0].pt_min_kbps = p->rungs[0].pt_max_kbps = 100;
    p->rungs[0].maxrate_kbps = 150;
    p->rungs[0].bufsize_kbps = 200;
    p->rungs[1].video_kbps = 130;
    p->rungs[1].maxrate_kbps = 195;
    p->rungs[1].bufsize_kbps = 260;
    p->rungs[1].pt_min_kbps = 26;
    p->rungs[1].pt_max_kbps = 130;
    p->rungs[2].video_kbps = 200;
    p->rungs[2].maxrate_kbps = 300;
    p->rungs[2].bufsize_kbps = 400;
    p->rungs[2].pt_min_kbps = pin_top ? 153 : 40;
    p->rungs[2].pt_max_kbps = pin_top ? 153 : 200;
    p->pt_psnr_max = 40;
    make_show(p, 640, 360, 30, 0, s);
    assert_int_equal(s->n_sizes, 3);
    for (int i = 0; i < 3; i++) {
        double w = 153.5 * (i == 2 ? 1 : 1.6); /* the 360p curve reaches 40 dB first */
        s->sizes[i].n = 3;
        s->sizes[i].p[0] = (prof_rd_point){w / 2, 37, 0.95};
        s->sizes[i].p[1] = (prof_rd_point){w, 40, 0.97};
        s->sizes[i].p[2] = (prof_rd_point){w * 2, 43, 0.98};
    }
}

static void test_narrow_bounds_whole_kbps(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    int bad;

    (void)state;
    /* An integer ladder exists (360p at 154 leaves 270p 125), the chooser must find it. */
    make_narrow(&p, &s, 0);
    assert_int_equal(prof_per_title_check(&p, NULL, NULL), -1);
    bad = choose_and_check("narrow bounds", &p, &s, &out, ch, NULL);
    if (bad)
        dump("narrow bounds", &out, ch);
    /* With 360p pinned at 153 no whole-kbps ladder exists (270p would need 124.6 .. 124.70):
     * check names a rung, and the chooser refuses. */
    make_narrow(&p, &s, 1);
    {
        ladder_error err = {0};
        int rung = prof_per_title_check(&p, NULL, NULL), ret;
        ret = prof_per_title_choose(&p, &s, &out, ch, &err);
        if (rung < 0 || ret != LADDER_EINVAL) {
            print_error("narrow bounds, 360p pinned: prof_per_title_check %d, choose %d (%s)\n",
                        rung, ret, err.msg);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* A rung whose wish is on a box larger than the rung above's takes a smaller box at that
 * rate and falls short of its target: its reason must say what held it, not that it reached
 * the target (the quality rule: "choice[].reason says which bound bound"). Here pbs16 on the
 * easy show with every other rung's floor at 90%: the top rungs, held at their floors, find
 * 416x234 best at their rates, and 234p-145, 270p-300 and 360p-365, which wish for larger
 * boxes, are held to it. */
static void test_reason_says_box_held(void **state)
{
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    int bad;

    (void)state;
    load_pbs16(&p);
    for (int r = 0; r < p.n_rungs; r += 2)
        p.rungs[r].pt_min_kbps = p.rungs[r].video_kbps * 9 / 10;
    make_show(&p, 1920, 1080, 30, 0, &s);
    fill_all(&s, &easy);
    reasons_checked = 1;
    bad = choose_and_check("box held, reason", &p, &s, &out, ch, NULL);
    reasons_checked = 0;
    if (bad)
        dump("box held, reason", &out, ch);
    assert_int_equal(bad, 0);
}

/* prof_per_title_verify (what the chooser and the validator check a ladder with) passes the
 * chosen ladder and refuses it with one rule broken, each rule in turn. */
static void expect_unverified(const prof_ladder *p, const prof_ladder *bad, const prof_rd_show *s,
                              const char *what)
{
    char why[256] = "";

    if (prof_per_title_verify(p, bad, s->rung_fps, why, sizeof why) != -1)
        fail_msg("prof_per_title_verify passes a ladder where %s", what);
    assert_true(why[0] && !strchr(why, '\n'));
}

static void test_verify_catches_each_rule(void **state)
{
    prof_ladder p, out, m;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    char why[256];

    (void)state;
    load_pbs16(&p);
    make_show(&p, 1920, 1080, 30, 0, &s);
    fill_all_rates(&s, &crossing);
    expect_contract("verify base", &p, &s, &out, ch);
    assert_true(out.rungs[9].height > 234);
    assert_int_equal(prof_per_title_verify(&p, &out, s.rung_fps, why, sizeof why), 0);
    m = out, m.n_rungs = 15;
    expect_unverified(&p, &m, &s, "a rung is missing");
    m = out, m.rungs[3].level_idc = 31;
    expect_unverified(&p, &m, &s, "a level changed");
    m = out, m.rungs[4].audio_kbps = 64;
    expect_unverified(&p, &m, &s, "an audio bitrate changed");
    m = out, m.rungs[5].video_kbps = p.rungs[5].pt_min_kbps - 1;
    expect_unverified(&p, &m, &s, "a rung is under its floor");
    m = out, m.rungs[7].maxrate_kbps += 50;
    expect_unverified(&p, &m, &s, "maxrate is out of proportion");
    m = out, m.rungs[7].bufsize_kbps -= 50;
    expect_unverified(&p, &m, &s, "bufsize is out of proportion");
    m = out, m.rungs[12].width = 768, m.rungs[12].height = 432;
    expect_unverified(&p, &m, &s, "an MP4 rung changed its box");
    m = out, m.rungs[2].width = 500, m.rungs[2].height = 282;
    expect_unverified(&p, &m, &s, "a box is no HLS rung's");
    m = out, m.rungs[0].width = 1280, m.rungs[0].height = 720;
    expect_unverified(&p, &m, &s, "a level-3.0 rung has 1280x720");
    m = out, m.rungs[10].width = 416, m.rungs[10].height = 234;
    expect_unverified(&p, &m, &s, "the top rung's box is smaller than the one below");
    m = out, m.rungs[1].video_kbps = m.rungs[0].video_kbps + 1;
    m.rungs[1].maxrate_kbps = (int)fmax(
        m.rungs[1].video_kbps,
        round(p.rungs[1].maxrate_kbps * (double)m.rungs[1].video_kbps / p.rungs[1].video_kbps));
    m.rungs[1].bufsize_kbps =
        (int)round(p.rungs[1].bufsize_kbps * (double)m.rungs[1].video_kbps / p.rungs[1].video_kbps);
    expect_unverified(&p, &m, &s, "a step is under 1.15");
    /* a rung the source does not feed must stay the profile's */
    make_show(&p, 960, 540, 30, 0, &s);
    fill_all_rates(&s, &crossing);
    expect_contract("verify base, 540p", &p, &s, &out, ch);
    m = out, m.rungs[10].video_kbps = 4000;
    expect_unverified(&p, &m, &s, "a rung not fed changed");
}

/* ---- the randomized sweep ------------------------------------------------------------------ */

static void random_model(model *m)
{
    m->c = exp(urand(log(300), log(25000)));
    m->e = urand(0.4, 1.0);
    m->q = urand(30, 48);
    m->d = urand(0, 4);
    m->s = urand(1, 8);
    m->sat = urand(38, 56);
    m->u = urand(0, 3);
    m->noise = rng() % 3 == 0 ? urand(0, 2.5) : 0;
}

/* A random show on a random profile variation; returns the violations. */
static int sweep_case(int t, tally *tal, int *refused)
{
    static const int src[4][2] = {{1920, 1080}, {1280, 720}, {960, 540}, {640, 360}};
    static const double fps[7] = {23.976, 25, 29.97, 30, 50, 59.94, 60};
    prof_ladder p, out;
    prof_rd_show s;
    prof_pt_choice ch[PROF_MAX_RUNGS];
    model base, m;
    ladder_error err = {0};
    char label[96];
    int which = rng() % 8, ret, bad, own_bounds = rng() % 3 == 0, own_q, own_steps;

    load_pbs16(&p);
    if (own_bounds)
        for (int r = 0; r < p.n_rungs; r++) {
            prof_rung *g = &p.rungs[r];
            g->pt_min_kbps = (int)ceil(g->video_kbps * urand(0.2, 1.0));
            g->pt_max_kbps = (int)(g->pt_min_kbps + g->video_kbps * urand(0, 1.2));
        }
    if ((own_q = rng() % 4 == 0))
        p.pt_psnr_max = urand(36, 52);
    if ((own_steps = rng() % 6 == 0)) {
        p.pt_step_min = urand(1.05, 1.3);
        p.pt_step_max = urand(1.6, 2.5);
    }
    make_show(&p, src[which < 4 ? 0 : which - 4][0], src[which < 4 ? 0 : which - 4][1],
              fps[rng() % 7], 0, &s);
    random_model(&base);
    for (int i = 0; i < s.n_sizes; i++) {
        double crf[PROF_RD_MAX_POINTS];
        int n = rng() % 5 == 0 ? 1 + rng() % PROF_RD_MAX_POINTS : 3;
        m = base;
        m.q += urand(-1.5, 1.5);
        m.sat += urand(-1.5, 1.5);
        m.c *= urand(0.8, 1.25);
        crf[0] = urand(32, 40);
        for (int k = 1; k < n; k++)
            crf[k] = crf[k - 1] - urand(1, 8);
        fill_curve(&s.sizes[i], &m, crf, n);
    }
    snprintf(label, sizeof label, "sweep #%d (%s bounds%s%s)", t, own_bounds ? "own" : "default",
             own_q ? ", own psnr max" : "", own_steps ? ", own steps" : "");
    ret = prof_per_title_choose(&p, &s, &out, ch, &err);
    if (ret == LADDER_EINVAL) {
        (*refused)++;
        if (prof_per_title_check(&p, NULL, NULL) >= 0)
            return 0;
        print_error("%s: refused (%s), but prof_per_title_check finds the bounds met\n", label,
                    err.msg);
        return 1;
    }
    bad = choose_and_check(label, &p, &s, &out, ch, tal);
    if (bad)
        dump(label, &out, ch);
    return bad;
}

static void test_randomized_sweep(void **state)
{
    tally t = {0};
    int bad = 0, failed_cases = 0, refused = 0, n = 600;

    (void)state;
    rng_state = 0x23;
    reasons_checked = 1;
    for (int i = 0; i < n; i++) {
        int b = sweep_case(i, &t, &refused);
        bad += b;
        failed_cases += b > 0;
    }
    reasons_checked = 0;
    print_message("sweep: %d cases, %d refused, %d with violations (%d in all); %d rungs: %d at "
                  "their wish (%d of them on a box short of the target, %d saying it reached "
                  "it), %d held by a bound, %d resized\n",
                  n, refused, failed_cases, bad, t.rungs, t.reached, t.box_capped, t.misreported,
                  t.held, t.resized);
    assert_int_equal(bad, 0);
}

#include "test_per_title_tests.h"

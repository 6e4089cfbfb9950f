/* rate_probe.c: each rung's x264 rate factor for a show, chosen once before it is encoded.
 *
 * Every rung of a show of 30 GOPs (a minute at 2 s) or more is encoded at a constant rate factor
 * (CRF) capped by its VBV, locally and in every chunk of a distributed ingest alike, so that a
 * chunk's pictures get the quantizers a local encode gives them (docs/transcoder.md, "Rate
 * control"). What is left to choose is the factor that lands each rung's average near its bitrate
 * on this show. A sample of the show's GOPs, spread evenly over it, is encoded twice:
 *
 *   1. at PROBE_CRF without the VBV, which says how much the show's pictures cost. Under the
 *      VBV the hardest passages are capped, and a probe under it cannot tell a rung that is far
 *      over its bitrate from one just over it;
 *   2. at each rung's estimate from pass 1 under its VBV, as the show will be encoded.
 *
 * Each pass moves a rung's factor by the slope of log2(bits) against CRF, x264's rule of thumb
 * of 6 for half the bits in pass 1, measured between the passes in pass 2. A shorter show has too
 * few GOPs to sample (two in six missed its bitrates by up to 40% on a 12 s sample) and keeps
 * 1-pass ABR, which hits its bitrate and has no join to be equal across. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_internal.h"

#define CRF_MIN_GOPS      30 /* shorter shows keep ABR: a minute at pbs16's 2 s */
#define PROBE_CRF         23.0
#define PROBE_EVERY_GOPS  20 /* one GOP sampled in this many */
#define PROBE_MIN_WINDOWS 3
#define PROBE_MAX_WINDOWS TC_PROBE_MAX_GOPS
#define CRF_MIN           12.0
#define CRF_MAX           51.0
#define SLOPE_DEFAULT     6.0 /* CRF per halving of the bits */
#define SLOPE_MIN         3.0
#define SLOPE_MAX         12.0

/* Which GOPs to sample: one in PROBE_EVERY_GOPS, within PROBE_MIN_WINDOWS..PROBE_MAX_WINDOWS,
 * each in the middle of its share of the show. */
static int probe_windows(double duration, double gop_seconds, int *gops)
{
    int total = (int)(duration / gop_seconds);
    int n = (total + PROBE_EVERY_GOPS - 1) / PROBE_EVERY_GOPS;

    n = n < PROBE_MIN_WINDOWS ? PROBE_MIN_WINDOWS : n > PROBE_MAX_WINDOWS ? PROBE_MAX_WINDOWS : n;
    for (int k = 0; k < n; k++)
        gops[k] = (int)((2LL * k + 1) * total / (2LL * n));
    return n;
}

void tc_probe_params(tc_params *p, const double crf[PROF_MAX_RUNGS])
{
    p->b_stats = 0;
    p->pf_progress = NULL;
    p->breaks = NULL;
    p->n_breaks = 0;
    p->ignore_scte35 = 1;
    p->audio_only = 0;
    p->first_segment = 0; /* a chunk's run, narrowed to the one GOP by tc_open_probe */
    p->n_segments = 1;
    memcpy(p->crf, crf, sizeof p->crf);
    memset(p->vbv_init, 0, sizeof p->vbv_init);
}

int tc_probe_gop(const char *path, const tc_params *params, const tc_rate_probe *probe, int gop,
                 double bits[PROF_MAX_RUNGS], double seconds[PROF_MAX_RUNGS], ladder_error *err)
{
    tc_params p = *params;
    tc_transcoder *t = NULL;
    int ret;

    tc_probe_params(&p, probe->crf);
    ret = tc_open_probe(&t, path, &p, gop, probe->pass == 1, err);
    if (ret >= 0)
        ret = tc_run(t, NULL, err);
    for (int i = 0; ret >= 0 && i < tc_get_plan(t)->n_video; i++) {
        const ladder_stream_stats *s = tc_get_stats(t, i);
        int r = tc_get_plan(t)->streams[i].rung;
        bits[r] += 8.0 * (double)s->bytes;
        seconds[r] += s->duration;
    }
    tc_close(t);
    return ret;
}

/* The factor that moves a rung from kbps at crf to its target, at `slope` CRF per halving. */
static double step_to(double crf, double kbps, double target, double slope)
{
    double c = kbps > 0 ? crf + slope * log2(kbps / target) : crf;
    return round(fmin(CRF_MAX, fmax(CRF_MIN, c)) * 100) / 100; /* "%.2f" carries it exactly */
}

void tc_rate_probe_begin(tc_rate_probe *p, const prof_ladder *ladder, double seconds)
{
    memset(p, 0, sizeof *p);
    if (lround(seconds / ladder->gop_seconds) < CRF_MIN_GOPS) { /* 59.99 s is a minute */
        for (int r = 0; r < PROF_MAX_RUNGS; r++)
            p->crf[r] = -1;
        p->pass = 3;
        return;
    }
    p->n_gops = probe_windows(seconds, ladder->gop_seconds, p->gops);
    p->pass = 1;
    for (int r = 0; r < PROF_MAX_RUNGS; r++)
        p->crf[r] = PROBE_CRF;
}

void tc_rate_probe_next(tc_rate_probe *p, const prof_ladder *ladder,
                        const double bits[PROF_MAX_RUNGS], const double seconds[PROF_MAX_RUNGS])
{
    for (int r = 0; r < ladder->n_rungs; r++) {
        double kbps = seconds[r] > 0 ? bits[r] / seconds[r] / 1000 : 0,
               target = ladder->rungs[r].video_kbps;
        if (p->pass == 1) {
            p->kbps0[r] = kbps;
            p->crf[r] = step_to(PROBE_CRF, kbps, target, SLOPE_DEFAULT);
            continue;
        }
        double moved = p->kbps0[r] > 0 && kbps > 0 ? log2(p->kbps0[r] / kbps) : 0;
        double slope = fabs(moved) > 0.1 ? (p->crf[r] - PROBE_CRF) / moved : SLOPE_DEFAULT;
        slope = fmin(SLOPE_MAX, fmax(SLOPE_MIN, slope));
        p->crf[r] = step_to(p->crf[r], kbps, target, slope);
    }
    p->pass++;
}

int tc_choose_crf(const char *input_path, const tc_params *params, double crf[PROF_MAX_RUNGS],
                  ladder_error *err)
{
    double seconds, t0 = ladder_now();
    tc_transcoder *t = NULL;
    tc_rate_probe probe;
    tc_params p = *params;
    int ret;

    /* the show's length, from a plan of it */
    for (int r = 0; r < PROF_MAX_RUNGS; r++)
        p.crf[r] = -1;
    p.ignore_scte35 = 1;
    p.n_breaks = 0;
    if ((ret = tc_open(&t, input_path, &p, err)) < 0)
        return ret;
    seconds = tc_get_video_duration(t);
    tc_close(t);
    tc_rate_probe_begin(&probe, &params->ladder, seconds);
    while (probe.pass <= 2) {
        double bits[PROF_MAX_RUNGS] = {0}, secs[PROF_MAX_RUNGS] = {0};
        for (int k = 0; k < probe.n_gops; k++)
            if ((ret = tc_probe_gop(input_path, params, &probe, probe.gops[k], bits, secs, err)) <
                0)
                return ret;
        tc_rate_probe_next(&probe, &params->ladder, bits, secs);
    }
    memcpy(crf, probe.crf, sizeof probe.crf);
    if (probe.n_gops > 0)
        ladder_log(&params->logger, LADDER_LOG_INFO, "tc",
                   "rate: each rung's CRF chosen from %d of the show's GOPs, twice, in %.1f s",
                   probe.n_gops, ladder_now() - t0);
    return 0;
}

/* values[0 .. n) as "%.2f,%.2f,...", what both lists a job is given look like. */
static int format_list(const double *values, int n, char *out, size_t len)
{
    size_t used = 0;

    if (len > 0)
        out[0] = '\0';
    for (int r = 0; r < n; r++) {
        int w = snprintf(out + used, len - used, "%s%.2f", r ? "," : "", values[r]);
        if (w < 0 || (size_t)w >= len - used)
            return -1;
        used += (size_t)w;
    }
    return 0;
}

/* Exactly n comma-separated numbers from lo to hi, or a one-line error naming the option and
 * what it expects. */
static int parse_list(const char *list, double *values, int n, double lo, double hi,
                      const char *option, const char *expected, ladder_error *err)
{
    const char *s = list;

    for (int r = 0; r < n; r++) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || !(v >= lo && v <= hi) || (*end != ',' && *end != '\0') ||
            (*end == '\0') != (r == n - 1))
            return ladder_error_set(err, LADDER_EINVAL,
                                    "%s '%s': expected %d %s, one per rung, comma-separated",
                                    option, list, n, expected);
        values[r] = v;
        s = end + 1;
    }
    return 0;
}

int tc_crf_format(const double *crf, int n, char *out, size_t len)
{
    if (n > 0 && crf[0] < 0) {
        if (len > 0)
            out[0] = '\0';
        return 0; /* ABR: no factors to give */
    }
    return format_list(crf, n, out, len);
}

int tc_crf_parse(const char *list, double *crf, int n, ladder_error *err)
{
    return parse_list(list, crf, n, 1, 51, "--crf", "rate factors (1 to 51)", err);
}

int tc_vbv_init_format(const double *vbv_init, int n, char *out, size_t len)
{
    return format_list(vbv_init, n, out, len);
}

int tc_vbv_init_parse(const char *list, double *vbv_init, int n, ladder_error *err)
{
    return parse_list(list, vbv_init, n, 0, 1, "--vbv-init",
                      "fractions of the VBV buffer (0 to 1; 0: x264's 0.9)", err);
}

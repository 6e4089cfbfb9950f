/* rules_media.c: the variant-wide video rules, on what media.c measured: idr-interval (no gap
 * between IDRs over the profile's GOP length), h264-max-high-4.2, frame-rate-max-60,
 * idr-aligned-across-rungs and, with a ladder, rung-matches-profile and vbv-conformance. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "val_internal.h"

#define EPSILON 1e-3

/* idr-interval: no gap between IDRs, or from the last one to the end, over the profile's GOP
 * length + one frame. */
static void check_idr_interval(val_report *r, const char *uri, const val_media *m,
                               double gop_seconds)
{
    double worst = 0, at = 0;

    for (int i = 0; i < m->n_idr; i++) {
        double next = i + 1 < m->n_idr ? m->idr[i + 1] : m->end;
        if (next - m->idr[i] > worst) {
            worst = next - m->idr[i];
            at = m->idr[i] - m->start;
        }
    }
    CHECK(r, m->n_idr > 0 && worst <= gop_seconds + m->frame + EPSILON, uri, "idr-interval",
          "%d IDRs; %.3f s without one from %.3f s (the profile's GOP is %g s)", m->n_idr, worst,
          at, gop_seconds);
}

void val_check_video(val_report *r, const char *uri, const val_media *m, double gop_seconds)
{
    int profile = m->sps[0], level = m->sps[2];

    if (!m->has_video)
        return;
    check_idr_interval(r, uri, m, gop_seconds);
    if (m->have_sps)
        CHECK(r, (profile == 66 || profile == 77 || profile == 100) && level <= 42, uri,
              "h264-max-high-4.2", "H.264 profile_idc %d level_idc %d is beyond High 4.2", profile,
              level);
    CHECK(r, m->fps <= 60 + EPSILON, uri, "frame-rate-max-60", "%.3f frames/s", m->fps);
}

void val_check_idr_alignment(val_report *r, const char *uri, const val_media *m,
                             const val_media *first)
{
    int i = 0;
    /* a frame-rate-capped rung starts an ad break on its own next picture, up to a source frame
     * after the others (docs/ads.md); the grid's IDRs are on the same picture everywhere */
    double slack = fmax(m->frame, first->frame) / 2 + EPSILON;

    if (!m->has_video || !first->has_video)
        return;
    while (i < m->n_idr && i < first->n_idr && fabs(m->idr[i] - first->idr[i]) <= slack)
        i++;
    CHECK(r, i == m->n_idr && i == first->n_idr, uri, "idr-aligned-across-rungs",
          "IDR %d at %.3f s, the first video variant's at %.3f s (%d IDRs vs %d)", i,
          i < m->n_idr ? m->idr[i] - first->start : -1.0,
          i < first->n_idr ? first->idr[i] - first->start : -1.0, m->n_idr, first->n_idr);
}

void val_check_cc608(val_report *r, const val_variant *x, const val_media *m, int segments)
{
    const char *cc = x->closed_captions;

    if (cc[0] && strcmp(cc, "NONE") != 0)
        CHECK(r, m->cc608_segments == segments, x->uri, "cc608-present",
              "CLOSED-CAPTIONS=\"%s\", but %d of its %d segments carry CEA-608", cc,
              m->cc608_segments, segments);
}

/* The encoders start each stream (and each chunk of a distributed ingest) with the decoder's
 * buffer this full: x264's default vbv_init (docs/hls-rules.md, vbv-conformance). */
#define VBV_INITIAL_FULLNESS 0.9
#define VBV_SLACK            0.02 /* of the buffer: the bytes a TS packetizer adds around a picture */

/* vbv-conformance: plays the rung's access units through the decoder buffer of the H.264 HRD
 * (filled at maxrate up to bufsize, each picture taken out whole at its decoding time) and
 * fails on the first picture that is not all there yet. */
static void check_vbv(val_report *r, const char *uri, const val_media *m, const prof_rung *rung)
{
    double size = rung->bufsize_kbps * 1000.0, rate = rung->maxrate_kbps * 1000.0;
    double level = VBV_INITIAL_FULLNESS * size, slack = VBV_SLACK * size;
    int i;

    for (i = 0; i < m->n_au; i++) {
        level -= 8.0 * m->au_bytes[i];
        if (level < -slack)
            break;
        if (i + 1 < m->n_au)
            level = fmin(size, level + rate * (m->au_dts[i + 1] - m->au_dts[i]));
    }
    CHECK(r, i == m->n_au, uri, "vbv-conformance",
          "the picture decoded at %.3f s underflows the rung's VBV (%d kbit at %d kbit/s) by "
          "%.0f kbit",
          i < m->n_au ? m->au_dts[i] - m->au_dts[0] : 0.0, rung->bufsize_kbps, rung->maxrate_kbps,
          -level / 1000);
}

void val_check_rung(val_report *r, const char *uri, const val_media *m, const prof_ladder *ladder)
{
    char name[PROF_NAME_MAX] = "";
    const char *end = strrchr(uri, '/'), *start = end;
    const prof_rung *rung;

    while (start && start > uri && start[-1] != '/')
        start--;
    if (end && start)
        snprintf(name, sizeof name, "%.*s", (int)(end - start), start);
    rung = prof_find_rung(ladder, name);
    CHECK(r, rung && rung->use == PROF_USE_HLS, uri, "rung-matches-profile",
          "no HLS rung named '%s' in profile %s", name, ladder->name);
    if (!rung || !m->has_video)
        return;
    /* the transcoder turns the box sideways for a portrait picture */
    int portrait = m->height > m->width && rung->height < rung->width;
    int box_w = portrait ? rung->height : rung->width,
        box_h = portrait ? rung->width : rung->height;
    CHECK(r, m->width <= box_w && m->height <= box_h, uri, "rung-matches-profile",
          "%dx%d exceeds the rung's box %dx%d", m->width, m->height, box_w, box_h);
    CHECK(r, m->have_sps && m->sps[0] == ladder_h264_profile_idc(rung->h264_profile), uri,
          "rung-matches-profile", "H.264 profile_idc %d, the rung says %s", m->sps[0],
          rung->h264_profile);
    CHECK(r, m->have_sps && m->sps[2] <= rung->level_idc, uri, "rung-matches-profile",
          "H.264 level_idc %d is above the rung's %d", m->sps[2], rung->level_idc);
    if (rung->max_fps > 0)
        CHECK(r, m->fps <= rung->max_fps + EPSILON, uri, "rung-matches-profile",
              "%.3f frames/s is above the rung's %d", m->fps, rung->max_fps);
    check_vbv(r, uri, m, rung);
}

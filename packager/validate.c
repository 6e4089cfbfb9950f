/* validate.c: checks a published show against the file-level rules of
 * shared/docs/hls-checklist.md that need no HTTP. Every failure is reported with its file and
 * rule; nothing stops at the first. What is checked, by rule name:
 *
 * Playlists (validate_playlists.c): extm3u-first, version-tag (EXT-X-VERSION once, high enough
 * for the features used), playlist-type-vod, endlist, target-duration-6, extinf-within-target,
 * segment-max-target-plus-half, independent-segments, more-than-one-variant,
 * stream-inf-attributes, video-resolution-frame-rate, iframe-stream-per-variant,
 * codecs-match-sps (CODECS of every STREAM-INF and I-FRAME-STREAM-INF against the SPS and the
 * audio in the media).
 * Segments and timelines (this file): playlist-exists, segment-exists,
 * average-bandwidth-within-10pct, peak-bandwidth-within-10pct, peak-at-most-twice-average,
 * same-timeline, cellular-audio-variant, extinf-sum-matches-media (EXTINF totals of media and
 * I-frame playlists against the media's duration as validate_media.c measures it).
 * Media read through libavformat (validate_media.c): segment-starts-with-idr,
 * idr-aligned-across-rungs, idr-every-2s, timestamps-continuous, progressive-only,
 * one-audio-stream, stereo-aac, h264-max-high-4.2, frame-rate-max-60 and, with a ladder,
 * rung-matches-profile.
 * TS packets (validate_ts.c): ts-continuity-counters.
 * MP4 fallbacks (validate_mp4.c): mp4-readable, mp4-faststart, mp4-not-fragmented,
 * mp4-avc1-sample-entry, mp4-aac-lc and, with a ladder, mp4-profile-level. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "validate_internal.h"

void pkg_val_fail(pkg_report *r, const char *file, const char *rule, const char *fmt, ...)
{
    va_list ap;
    pkg_failure *f;

    r->checks++;
    if (r->n_failures == PKG_MAX_FAILURES)
        return;
    f = &r->failures[r->n_failures++];
    snprintf(f->file, sizeof f->file, "%s", file);
    snprintf(f->rule, sizeof f->rule, "%s", rule);
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
}

void pkg_val_pass(pkg_report *r)
{
    r->checks++;
}

void pkg_val_join(char *out, size_t len, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (la + 1 + lb + 1 > len) {
        out[0] = '\0';
        return;
    }
    memcpy(out, a, la);
    out[la] = '/';
    memcpy(out + la + 1, b, lb + 1);
}

void pkg_val_dir_of(char *out, size_t len, const char *show, const char *uri)
{
    pkg_val_join(out, len, show, uri);
    if (strrchr(out, '/'))
        *strrchr(out, '/') = '\0';
}

char *pkg_val_slurp(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 26) &&
        fseek(f, 0, SEEK_SET) == 0 && (s = malloc(n + 1)) != NULL) {
        if (fread(s, 1, n, f) != (size_t)n) {
            free(s);
            s = NULL;
        } else {
            s[n] = '\0';
            if (size)
                *size = n;
        }
    }
    fclose(f);
    return s;
}

int pkg_val_attr(const char *line, const char *name, char *out, size_t len)
{
    size_t n = strlen(name);
    for (const char *p = strchr(line, ':'); p && *p; p++) {
        if ((p[0] == ':' || p[0] == ',') && strncmp(p + 1, name, n) == 0 && p[1 + n] == '=') {
            const char *v = p + 2 + n, *end;
            if (*v == '"') {
                end = strchr(++v, '"');
            } else {
                end = strchr(v, ',');
            }
            if (!end)
                end = v + strcspn(v, "\r\n");
            snprintf(out, len, "%.*s", (int)(end - v), v);
            return 1;
        }
    }
    return 0;
}

/* Measured average and peak bit rate of a variant's segments. */
static void measure_segments(const char *show, const char *uri, const val_playlist *m, double *avg,
                             double *peak, pkg_report *r)
{
    char dir[2048], path[4096];
    double bytes = 0;

    pkg_val_dir_of(dir, sizeof dir, show, uri);
    *peak = 0;
    for (int i = 0; i < m->n; i++) {
        struct stat st;
        pkg_val_join(path, sizeof path, dir, m->uris[i]);
        if (stat(path, &st) != 0) {
            pkg_val_fail(r, uri, "segment-exists", "segment %s is missing", m->uris[i]);
            continue;
        }
        bytes += st.st_size;
        if (m->durations[i] > 0 && st.st_size * 8 / m->durations[i] > *peak)
            *peak = st.st_size * 8 / m->durations[i];
    }
    *avg = m->total > 0 ? bytes * 8 / m->total : 0;
}

static void check_variant_tags(pkg_report *r, const val_variant *x)
{
    CHECK(r, x->bandwidth > 0 && x->average > 0 && x->has_codecs, "master.m3u8",
          "stream-inf-attributes", "%s lacks BANDWIDTH, AVERAGE-BANDWIDTH or CODECS", x->uri);
    if (!x->audio_only)
        CHECK(r, x->has_resolution && x->has_frame_rate, "master.m3u8",
              "video-resolution-frame-rate", "%s lacks RESOLUTION or FRAME-RATE", x->uri);
}

static void check_bandwidth(pkg_report *r, const val_variant *x, double avg, double peak)
{
    CHECK(r, fabs(avg - x->average) <= 0.1 * x->average, x->uri, "average-bandwidth-within-10pct",
          "measured average %.0f bit/s vs AVERAGE-BANDWIDTH %lld", avg, x->average);
    CHECK(r, fabs(peak - x->bandwidth) <= 0.1 * x->bandwidth, x->uri, "peak-bandwidth-within-10pct",
          "measured peak %.0f bit/s vs BANDWIDTH %lld", peak, x->bandwidth);
    CHECK(r, peak <= 2 * avg, x->uri, "peak-at-most-twice-average",
          "peak %.0f bit/s is more than twice the average %.0f", peak, avg);
}

/* extinf-sum-matches-media: the EXTINF values add up to the media's duration within slack. */
static void check_duration(pkg_report *r, const char *file, double extinf, double media,
                           double slack)
{
    if (media > 0)
        CHECK(r, fabs(extinf - media) <= slack + 1e-3, file, "extinf-sum-matches-media",
              "EXTINF values add up to %.3f s; the media lasts %.3f s", extinf, media);
}

/* Everything about one variant: its playlist, its segment files, its media. */
static void check_variant(pkg_report *r, const char *show, val_variant *x, val_playlist *pl,
                          val_media *m)
{
    double avg, peak;
    char codecs[128];

    check_variant_tags(r, x);
    pkg_val_read_media(r, show, x->uri, pl);
    measure_segments(show, x->uri, pl, &avg, &peak, r);
    check_bandwidth(r, x, avg, peak);
    pkg_val_ts_continuity(r, show, x->uri, pl);
    pkg_val_scan_variant(r, show, x->uri, x->audio_only, pl, m);
    pkg_val_media_codecs(m, codecs, sizeof codecs);
    if (x->has_codecs && codecs[0])
        pkg_val_check_codecs(r, x->uri, x->codecs, codecs);
    x->extinf_seconds = pl->total;
    x->media_seconds = m->end > m->start ? m->end - m->start : 0;
    x->frame_seconds = m->frame;
    if (!x->audio_only) /* within one frame; audio alone waits for the video's frame */
        check_duration(r, x->uri, pl->total, x->media_seconds, x->frame_seconds);
}

/* An I-frame stream: its playlist, the avc1 entry of its first segment, and its EXTINF sum
 * against the media of the video variant in the same folder. */
static void check_iframe_stream(pkg_report *r, const char *show, const val_iframe_stream *s,
                                const val_master *ms, val_playlist *pl)
{
    char dir[2048], path[4096], codecs[64], vdir[2048];

    pkg_val_read_iframes(r, show, s->uri, pl);
    pkg_val_dir_of(dir, sizeof dir, show, s->uri);
    if (pl->n > 0) {
        pkg_val_join(path, sizeof path, dir, pl->uris[0]);
        if (pkg_val_file_avc1(path, codecs, sizeof codecs))
            pkg_val_check_codecs(r, s->uri, s->codecs, codecs);
    }
    for (int i = 0; i < ms->n; i++) {
        const val_variant *x = &ms->v[i];
        pkg_val_dir_of(vdir, sizeof vdir, show, x->uri);
        if (!x->audio_only && strcmp(vdir, dir) == 0)
            check_duration(r, s->uri, pl->total, x->media_seconds, x->frame_seconds);
    }
}

/* What the video variants are compared with: the first one's IDR times and timeline. */
typedef struct first_video {
    val_media media;
    int n_video, segments;
    double total;
} first_video;

/* The rules of a video variant, m its media (taken over or freed). */
static void check_video_variant(pkg_report *r, const val_variant *x, const val_playlist *pl,
                                val_media *m, const prof_ladder *ladder, first_video *first)
{
    pkg_val_check_video(r, x->uri, m);
    if (ladder)
        pkg_val_check_rung(r, x->uri, m, ladder);
    if (first->n_video++ == 0) {
        first->media = *m;
        memset(m, 0, sizeof *m);
        first->segments = pl->n;
        first->total = pl->total;
    } else {
        pkg_val_check_idr_alignment(r, x->uri, m, &first->media);
        pkg_val_media_free(m);
    }
    CHECK(r, pl->n == first->segments && fabs(pl->total - first->total) <= 0.04, x->uri,
          "same-timeline", "%d segments, %.3f s; the first variant has %d, %.3f s", pl->n,
          pl->total, first->segments, first->total);
}

int pkg_validate(const char *show, const prof_ladder *ladder, pkg_report *r)
{
    val_master *ms = malloc(sizeof *ms);
    val_playlist *pl = malloc(sizeof *pl);
    val_media m = {0};
    first_video first = {0};
    int audio_ok = 0, any_audio = 0;

    memset(r, 0, sizeof *r);
    if (!ms || !pl) {
        free(ms);
        free(pl);
        return LADDER_ENOMEM;
    }
    pkg_val_read_master(r, show, ms);
    for (int i = 0; i < ms->n; i++) {
        val_variant *x = &ms->v[i];
        check_variant(r, show, x, pl, &m);
        audio_ok |= x->bandwidth <= 192000;
        any_audio |= strstr(x->codecs, "mp4a") != NULL;
        if (x->audio_only)
            pkg_val_media_free(&m);
        else
            check_video_variant(r, x, pl, &m, ladder, &first);
    }
    /* Audio alone is cut where the video is: two AAC frames (the encoder's priming frame
     * before zero, the padded last one) and a video frame of slack. */
    for (int i = 0; i < ms->n; i++)
        if (ms->v[i].audio_only)
            check_duration(r, ms->v[i].uri, ms->v[i].extinf_seconds, ms->v[i].media_seconds,
                           2 * ms->v[i].frame_seconds + first.media.frame);
    pkg_val_media_free(&first.media);
    /* A show without sound has no audio-only variant to offer; its lowest rung is all a
     * cellular client can get, and the rule is moot. */
    CHECK(r, audio_ok || !any_audio, "master.m3u8", "cellular-audio-variant",
          "no variant with a peak of at most 192 kbit/s");
    CHECK(r, ms->n_iframes == first.n_video, "master.m3u8", "iframe-stream-per-variant",
          "%d I-frame streams for %d video variants", ms->n_iframes, first.n_video);
    for (int i = 0; i < ms->n_iframes; i++)
        check_iframe_stream(r, show, &ms->iframes[i], ms, pl);
    free(pl);
    free(ms);
    pkg_val_mp4s(r, show, ladder);
    return r->n_failures ? LADDER_EVALIDATE : 0;
}

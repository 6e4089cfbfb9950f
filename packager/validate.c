/* validate.c: checks a published show against the file-level rules of
 * shared/docs/hls-checklist.md that need no HTTP: playlist structure, target and segment
 * durations, equal timelines across variants, measured against declared bandwidth, IDR at
 * every segment start, the audio-only variant, I-frame streams, and faststart MP4s.
 * Every failure is reported with its file and rule; nothing stops at the first. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <libavformat/avformat.h>

#include "pkg_internal.h"

static void fail(pkg_report *r, const char *file, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(pkg_report *r, const char *file, const char *rule, const char *fmt, ...)
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

static void pass(pkg_report *r)
{
    r->checks++;
}

#define CHECK(r, cond, file, rule, ...)                                                            \
    do {                                                                                           \
        if (cond)                                                                                  \
            pass(r);                                                                               \
        else                                                                                       \
            fail(r, file, rule, __VA_ARGS__);                                                      \
    } while (0)

/* out = a/b; a longer path than out holds is cut, and then simply not found. */
static void join(char *out, size_t len, const char *a, const char *b)
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

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 24) &&
        fseek(f, 0, SEEK_SET) == 0 && (s = malloc(n + 1)) != NULL) {
        if (fread(s, 1, n, f) != (size_t)n) {
            free(s);
            s = NULL;
        } else {
            s[n] = '\0';
        }
    }
    fclose(f);
    return s;
}

/* The value of attribute `name` in an attribute list, into out (quotes removed). */
static int attr(const char *line, const char *name, char *out, size_t len)
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

/* A media playlist's segments: EXTINF durations and URIs. */
typedef struct media_info {
    int target, n;
    double durations[4096];
    char uris[4096][64];
    double total;
} media_info;

static void check_media(pkg_report *r, const char *show, const char *uri, media_info *m)
{
    char path[2048], *text, *save = NULL;
    int vod = 0, endlist = 0, first = 1;

    memset(m, 0, sizeof *m);
    join(path, sizeof path, show, uri);
    text = slurp(path);
    CHECK(r, text != NULL, uri, "playlist-exists", "cannot read the media playlist");
    if (!text)
        return;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (first)
            CHECK(r, strcmp(line, "#EXTM3U") == 0, uri, "extm3u-first",
                  "first line is not #EXTM3U");
        first = 0;
        if (strncmp(line, "#EXT-X-TARGETDURATION:", 22) == 0)
            m->target = atoi(line + 22);
        vod |= strcmp(line, "#EXT-X-PLAYLIST-TYPE:VOD") == 0;
        endlist |= strcmp(line, "#EXT-X-ENDLIST") == 0;
        if (strncmp(line, "#EXTINF:", 8) == 0 && m->n < 4096)
            m->durations[m->n] = atof(line + 8);
        else if (line[0] != '#' && line[0] && m->n < 4096)
            snprintf(m->uris[m->n++], sizeof m->uris[0], "%s", line);
    }
    free(text);
    CHECK(r, vod, uri, "playlist-type-vod", "no #EXT-X-PLAYLIST-TYPE:VOD");
    CHECK(r, endlist, uri, "endlist", "no #EXT-X-ENDLIST");
    CHECK(r, m->target == 6, uri, "target-duration-6", "target duration is %d, not 6", m->target);
    for (int i = 0; i < m->n; i++) {
        m->total += m->durations[i];
        CHECK(r, (int)lround(m->durations[i]) <= m->target, uri, "extinf-within-target",
              "segment %d lasts %.3f s, more than the target duration rounded", i, m->durations[i]);
        CHECK(r, m->durations[i] <= m->target + 0.5, uri, "segment-max-target-plus-half",
              "segment %d lasts %.3f s, over target + 0.5 s", i, m->durations[i]);
    }
}

/* Measured average and peak bit rate of a variant's segments. */
static void measure_segments(const char *show, const char *uri, const media_info *m, double *avg,
                             double *peak, pkg_report *r)
{
    char dir[2048], path[4096];
    double bytes = 0;

    join(dir, sizeof dir, show, uri);
    if (strrchr(dir, '/'))
        *strrchr(dir, '/') = '\0';
    *peak = 0;
    for (int i = 0; i < m->n; i++) {
        struct stat st;
        join(path, sizeof path, dir, m->uris[i]);
        if (stat(path, &st) != 0) {
            fail(r, uri, "segment-exists", "segment %s is missing", m->uris[i]);
            continue;
        }
        bytes += st.st_size;
        if (m->durations[i] > 0 && st.st_size * 8 / m->durations[i] > *peak)
            *peak = st.st_size * 8 / m->durations[i];
    }
    *avg = m->total > 0 ? bytes * 8 / m->total : 0;
}

/* Every segment's first video packet is a key frame (IDR). */
static void check_idr_starts(pkg_report *r, const char *show, const char *uri, const media_info *m)
{
    char dir[2048], path[4096];

    join(dir, sizeof dir, show, uri);
    if (strrchr(dir, '/'))
        *strrchr(dir, '/') = '\0';
    for (int i = 0; i < m->n; i++) {
        AVFormatContext *ic = NULL;
        AVPacket *pkt = av_packet_alloc();
        int key = -1;
        join(path, sizeof path, dir, m->uris[i]);
        if (pkt && pkg_open_segment(&ic, path) >= 0 && avformat_find_stream_info(ic, NULL) >= 0) {
            int vi = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
            while (vi >= 0 && key < 0 && av_read_frame(ic, pkt) >= 0) {
                if (pkt->stream_index == vi)
                    key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
                av_packet_unref(pkt);
            }
        }
        CHECK(r, key == 1, uri, "segment-starts-with-idr", "segment %s does not start with an IDR",
              m->uris[i]);
        avformat_close_input(&ic);
        av_packet_free(&pkt);
    }
}

/* Top-level boxes of an MP4: moov must precede mdat, and there must be no moof. */
static void check_mp4(pkg_report *r, const char *show, const char *name)
{
    char path[2048], rel[512];
    unsigned char h[16];
    long long pos = 0, moov = -1, mdat = -1, moof = -1;
    FILE *f;

    join(rel, sizeof rel, "mp4", name);
    join(path, sizeof path, show, rel);
    f = fopen(path, "rb");
    CHECK(r, f != NULL, rel, "mp4-readable", "cannot read the file");
    while (f && fseek(f, pos, SEEK_SET) == 0 && fread(h, 1, 8, f) == 8) {
        unsigned long long size = (unsigned long long)h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];
        if (size == 1 && fread(h + 8, 1, 8, f) == 8) {
            size = 0;
            for (int i = 8; i < 16; i++)
                size = size << 8 | h[i];
        }
        if (!memcmp(h + 4, "moov", 4))
            moov = pos;
        if (!memcmp(h + 4, "mdat", 4))
            mdat = pos;
        if (!memcmp(h + 4, "moof", 4))
            moof = pos;
        if (size < 8)
            break;
        pos += (long long)size;
    }
    if (f)
        fclose(f);
    CHECK(r, moov >= 0 && mdat >= 0 && moov < mdat, rel, "mp4-faststart",
          "moov does not come before mdat");
    CHECK(r, moof < 0, rel, "mp4-not-fragmented", "the file is fragmented (has moof)");
}

static int by_name(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Every .mp4 of the show's mp4/ folder, in name order. */
static void check_mp4s(pkg_report *r, const char *show, const char *dir)
{
    char names[64][256];
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d && (e = readdir(d)) != NULL && n < 64) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".mp4") == 0)
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    for (int i = 0; i < n; i++)
        check_mp4(r, show, names[i]);
}

typedef struct variant {
    char uri[256];
    long long bandwidth, average;
    int has_codecs, has_resolution, has_frame_rate, audio_only;
} variant;

/* Reads the multivariant playlist's STREAM-INF entries and checks its own rules. */
static int check_master(pkg_report *r, const char *show, variant *v, int max, int *iframes)
{
    char path[2048], *text, *save = NULL, value[256];
    int n = 0, first = 1, independent = 0, expect_uri = 0;

    join(path, sizeof path, show, "master.m3u8");
    text = slurp(path);
    CHECK(r, text != NULL, "master.m3u8", "playlist-exists", "cannot read the master playlist");
    *iframes = 0;
    if (!text)
        return 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (first)
            CHECK(r, strcmp(line, "#EXTM3U") == 0, "master.m3u8", "extm3u-first",
                  "first line is not #EXTM3U");
        first = 0;
        independent |= strcmp(line, "#EXT-X-INDEPENDENT-SEGMENTS") == 0;
        *iframes += strncmp(line, "#EXT-X-I-FRAME-STREAM-INF:", 26) == 0;
        if (expect_uri && line[0] != '#') {
            snprintf(v[n - 1].uri, sizeof v[0].uri, "%s", line);
            expect_uri = 0;
        }
        if (strncmp(line, "#EXT-X-STREAM-INF:", 18) != 0 || n == max)
            continue;
        variant *x = &v[n++];
        memset(x, 0, sizeof *x);
        x->bandwidth = attr(line, "BANDWIDTH", value, sizeof value) ? atoll(value) : -1;
        x->average = attr(line, "AVERAGE-BANDWIDTH", value, sizeof value) ? atoll(value) : -1;
        x->has_codecs = attr(line, "CODECS", value, sizeof value);
        x->audio_only = x->has_codecs && strcmp(value, "mp4a.40.2") == 0;
        x->has_resolution = attr(line, "RESOLUTION", value, sizeof value);
        x->has_frame_rate = attr(line, "FRAME-RATE", value, sizeof value);
        expect_uri = 1;
    }
    free(text);
    CHECK(r, independent, "master.m3u8", "independent-segments", "no EXT-X-INDEPENDENT-SEGMENTS");
    CHECK(r, n > 1, "master.m3u8", "more-than-one-variant", "%d variant(s)", n);
    return n;
}

static void check_variant_tags(pkg_report *r, const variant *x)
{
    CHECK(r, x->bandwidth > 0 && x->average > 0 && x->has_codecs, "master.m3u8",
          "stream-inf-attributes", "%s lacks BANDWIDTH, AVERAGE-BANDWIDTH or CODECS", x->uri);
    if (!x->audio_only)
        CHECK(r, x->has_resolution && x->has_frame_rate, "master.m3u8",
              "video-resolution-frame-rate", "%s lacks RESOLUTION or FRAME-RATE", x->uri);
}

static void check_bandwidth(pkg_report *r, const variant *x, double avg, double peak)
{
    CHECK(r, fabs(avg - x->average) <= 0.1 * x->average, x->uri, "average-bandwidth-within-10pct",
          "measured average %.0f bit/s vs AVERAGE-BANDWIDTH %lld", avg, x->average);
    CHECK(r, fabs(peak - x->bandwidth) <= 0.1 * x->bandwidth, x->uri, "peak-bandwidth-within-10pct",
          "measured peak %.0f bit/s vs BANDWIDTH %lld", peak, x->bandwidth);
    CHECK(r, peak <= 2 * avg, x->uri, "peak-at-most-twice-average",
          "peak %.0f bit/s is more than twice the average %.0f", peak, avg);
}

int pkg_validate(const char *show, pkg_report *r)
{
    variant v[PROF_MAX_RUNGS + 2];
    media_info *m = malloc(sizeof *m);
    int iframes = 0, n, n_video = 0, audio_ok = 0, segs = -1;
    double total = -1;
    char dir[2048];

    memset(r, 0, sizeof *r);
    if (!m)
        return LADDER_ENOMEM;
    n = check_master(r, show, v, PROF_MAX_RUNGS + 2, &iframes);
    for (int i = 0; i < n; i++) {
        double avg, peak;
        check_variant_tags(r, &v[i]);
        check_media(r, show, v[i].uri, m);
        measure_segments(show, v[i].uri, m, &avg, &peak, r);
        check_bandwidth(r, &v[i], avg, peak);
        if (v[i].audio_only) {
            audio_ok |= v[i].bandwidth <= 192000;
            continue;
        }
        n_video++;
        check_idr_starts(r, show, v[i].uri, m);
        if (segs < 0) {
            segs = m->n;
            total = m->total;
        }
        CHECK(r, m->n == segs && fabs(m->total - total) <= 0.04, v[i].uri, "same-timeline",
              "%d segments, %.3f s; the first variant has %d, %.3f s", m->n, m->total, segs, total);
    }
    CHECK(r, audio_ok, "master.m3u8", "cellular-audio-variant",
          "no variant with a peak of at most 192 kbit/s");
    CHECK(r, iframes == n_video, "master.m3u8", "iframe-stream-per-variant",
          "%d I-frame streams for %d video variants", iframes, n_video);
    free(m);
    join(dir, sizeof dir, show, "mp4");
    check_mp4s(r, show, dir);
    return r->n_failures ? LADDER_EVALIDATE : 0;
}

/* playlists.c: HLS text. Media playlists, I-frame playlists (byte ranges into the
 * segments) and the multivariant playlist, written whole through ladder_write_file_atomic. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pkg_internal.h"

/* A growing text buffer; on allocation failure `failed` is set and further appends are dropped. */
typedef struct text {
    char *s;
    size_t len, cap;
    int failed;
} text;

static void append(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->failed)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *s = realloc(t->s, cap);
        if (!s) {
            t->failed = 1;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, n + 1, fmt, ap);
    va_end(ap);
    t->len += n;
}

static int save(text *t, const char *path, ladder_error *err)
{
    int ret = t->failed ? ladder_error_set(err, LADDER_ENOMEM, "out of memory")
                        : ladder_write_file_atomic(path, t->s, t->len, err);
    free(t->s);
    return ret;
}

/* RFC 8216 4.3.3.1: the target duration is at least every EXTINF rounded to the nearest
 * integer. Called once per EXTINF with the running value. */
static int at_least(int target, double duration)
{
    return (int)lround(duration) > target ? (int)lround(duration) : target;
}

static const char *segment_ext(const seg_writer *w)
{
    return w->fmp4 ? "m4s" : "ts";
}

/* The header lines both playlist kinds share. RFC 8216 7: EXT-X-MAP needs version 6 in a media
 * playlist (5 with I-FRAMES-ONLY); byte ranges need 4; decimal EXTINF 3. */
static void append_header(text *t, const seg_writer *w, int iframes, int target)
{
    int version = w->fmp4 ? (iframes ? 5 : 6) : (iframes ? 4 : 3);

    append(t, "#EXTM3U\n#EXT-X-VERSION:%d\n#EXT-X-TARGETDURATION:%d\n", version, target);
    append(t, "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    if (iframes)
        append(t, "#EXT-X-I-FRAMES-ONLY\n");
    append(t, "#EXT-X-INDEPENDENT-SEGMENTS\n");
    if (w->fmp4)
        append(t, "#EXT-X-MAP:URI=\"init.mp4\"\n");
}

int write_media_playlist(const char *path, const seg_writer *w, int min_target, ladder_error *err)
{
    const hls_segment *segs = w->segments;
    int n = w->n_segments;
    text t = {0};
    int target = min_target > 0 ? min_target : 1;

    for (int i = 0; i < n; i++)
        target = at_least(target, segs[i].duration);
    append_header(&t, w, 0, target);
    for (int i = 0; i < n; i++)
        append(&t, "#EXTINF:%.6f,\nseg%05d.%s\n", segs[i].duration, i, segment_ext(w));
    append(&t, "#EXT-X-ENDLIST\n");
    return save(&t, path, err);
}

/* Each I-frame lasts until the next one (or the end of the media). */
static double iframe_duration(const seg_writer *w, int i, double total)
{
    double next = i + 1 < w->n_iframes ? w->iframes[i + 1].start : total;
    return next - w->iframes[i].start;
}

int write_iframe_playlist(const char *path, const seg_writer *w, double total, ladder_error *err)
{
    text t = {0};
    int target = 1;

    for (int i = 0; i < w->n_iframes; i++)
        target = at_least(target, iframe_duration(w, i, total));
    append_header(&t, w, 1, target);
    for (int i = 0; i < w->n_iframes; i++) {
        const hls_iframe *f = &w->iframes[i];
        append(&t, "#EXTINF:%.6f,\n#EXT-X-BYTERANGE:%lld@%lld\nseg%05d.%s\n",
               iframe_duration(w, i, total), (long long)f->size, (long long)f->offset, f->segment,
               segment_ext(w));
    }
    append(&t, "#EXT-X-ENDLIST\n");
    return save(&t, path, err);
}

double iframe_peak_bps(const seg_writer *w, double total)
{
    double peak = 0;
    for (int i = 0; i < w->n_iframes; i++) {
        double d = iframe_duration(w, i, total);
        if (d > 0 && w->iframes[i].size * 8 / d > peak)
            peak = w->iframes[i].size * 8 / d;
    }
    return peak;
}

int write_master_playlist(const char *path, const pkg_master_entry *v, int n, const char *prefix,
                          ladder_error *err)
{
    text t = {0};

    append(&t, "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for (int i = 0; i < n; i++) {
        const pkg_master_entry *e = &v[i];
        append(&t, "#EXT-X-STREAM-INF:BANDWIDTH=%lld,AVERAGE-BANDWIDTH=%lld,CODECS=\"%s\"",
               (long long)ceil(e->stats.peak_bps), (long long)ceil(e->stats.avg_bps),
               e->stats.codecs);
        if (!e->stats.is_audio_only)
            append(&t, ",RESOLUTION=%dx%d,FRAME-RATE=%.3f", e->width, e->height, e->fps);
        append(&t, "\n%s%s\n", prefix, e->uri);
    }
    for (int i = 0; i < n; i++) {
        const pkg_master_entry *e = &v[i];
        if (e->stats.is_audio_only)
            continue;
        append(&t,
               "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=%lld,CODECS=\"%s\",RESOLUTION=%dx%d,"
               "URI=\"%s%s\"\n",
               (long long)ceil(e->iframe_peak_bps), e->video_codec, e->width, e->height, prefix,
               e->iframe_uri);
    }
    return save(&t, path, err);
}

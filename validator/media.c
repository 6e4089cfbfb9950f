/* media.c: reads a variant's media through libavformat: every segment is opened and all its
 * packets read, and the facts the rules need are measured (IDR times, SPS bytes, frame rate,
 * timelines, the audio's configuration). The per-segment rules are checked on the way, since
 * they need the packets in hand: segment-starts-with-idr, timestamps-continuous,
 * progressive-only, one-audio-stream, stereo-aac. H.264 and AAC facts come from bitstream.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "media_av.h"
#include "val_internal.h"

#define EPSILON 1e-3

/* ---- the FFmpeg side of the bitstream facts -------------------------------------------------- */

/* NAL length size of an MP4 stream (from its avcC), 0 for Annex B. */
static int nal_length_size(const AVCodecParameters *par)
{
    const uint8_t *e = par->extradata;
    return par->extradata_size >= 7 && e[0] == 1 ? (e[4] & 3) + 1 : 0;
}

/* The SPS bytes of a packet, else of the stream's extradata. */
static int stream_sps(const AVCodecParameters *par, const AVPacket *p, uint8_t out[3])
{
    const uint8_t *nal;
    int len = val_h264_find_nal(p->data, p->size, nal_length_size(par), 7, &nal);

    if (len > 1 && val_nal_payload3(nal + 1, len - 1, out))
        return 1;
    return val_h264_sps(par->extradata, par->extradata_size, out);
}

/* The IDR packet's SPS (else the stream's avcC) says frame_mbs_only_flag = 1. */
static int video_is_progressive(const AVCodecParameters *par, const AVPacket *p)
{
    const uint8_t *nal;
    int len = val_h264_find_nal(p->data, p->size, nal_length_size(par), 7, &nal);
    const uint8_t *e = par->extradata;

    if (len <= 1 && e && par->extradata_size >= 9 && e[0] == 1 && (e[5] & 0x1f) > 0) {
        len = e[6] << 8 | e[7];
        nal = e + 8;
        if (8 + len > par->extradata_size)
            len = 0;
    }
    return len <= 1 || val_h264_frame_mbs_only(nal + 1, len - 1);
}

int val_aac_config(const AVCodecParameters *par, const uint8_t *p, int n, int *aot, int *channels)
{
    int ok = 0;

    ok = val_aac_adts_config(p, n, aot, channels) ||
         val_aac_asc_config(par->extradata, par->extradata_size, aot, channels);
    if (!ok && par->profile != FF_PROFILE_UNKNOWN) {
        *aot = par->profile + 1;
        ok = 1;
    }
    if (ok && *channels == 0) /* 0: given by a program config element */
        *channels = par->ch_layout.nb_channels;
    return ok;
}

/* ---- one segment ----------------------------------------------------------------------------- */

/* One stream's packets in one segment, in seconds. */
typedef struct span {
    int n;
    double first_dts, last_dts, min_pts, max_pts;
} span;

/* What scanning a variant carries from one segment to the next. */
typedef struct val_scan {
    const char *uri;
    int audio_only, started;
    val_media *m;
    span prev[2]; /* the previous segment's video [0] and audio [1] */
    double audio_frame;
} scan;

/* Adds a packet's timestamps (seconds). */
static void span_add(span *s, double pts, double dts)
{
    if (s->n++ == 0) {
        s->first_dts = dts;
        s->min_pts = s->max_pts = pts;
    }
    s->last_dts = dts;
    s->min_pts = fmin(s->min_pts, pts);
    s->max_pts = fmax(s->max_pts, pts);
}

/* A segment's video presentation times: the packets' own, or for fMP4 DTS plus the trun's
 * composition offsets (see validate_mp4.c for why). */
typedef struct pts_source {
    int32_t *cto; /* NULL: use the packets' PTS */
    int n, next;
} pts_source;

static double video_pts(pts_source *src, const AVPacket *p, AVRational tb)
{
    if (src->cto && p->dts != AV_NOPTS_VALUE && src->next < src->n)
        return (p->dts + src->cto[src->next++]) * av_q2d(tb);
    return p->pts * av_q2d(tb);
}

static int add_idr(val_media *m, double t)
{
    if (m->n_idr == m->cap_idr) {
        int cap = m->cap_idr ? 2 * m->cap_idr : 64;
        double *p = realloc(m->idr, cap * sizeof *p);
        if (!p)
            return -1;
        m->idr = p;
        m->cap_idr = cap;
    }
    m->idr[m->n_idr++] = t;
    return 0;
}

static int add_au(val_media *m, double dts, int bytes)
{
    if (m->n_au == m->cap_au) {
        int cap = m->cap_au ? 2 * m->cap_au : 1024;
        double *d = realloc(m->au_dts, cap * sizeof *d);
        int *b = d ? realloc(m->au_bytes, cap * sizeof *b) : NULL;
        if (d)
            m->au_dts = d;
        if (!b)
            return -1;
        m->au_bytes = b;
        m->cap_au = cap;
    }
    m->au_dts[m->n_au] = dts;
    m->au_bytes[m->n_au++] = bytes;
    return 0;
}

/* Where segment m->n_seg starts: its first video packet's PTS (NAN: none) and IDR flag. */
static int add_segment(val_media *m, double pts, int idr)
{
    if (m->n_seg == m->cap_seg) {
        int cap = m->cap_seg ? 2 * m->cap_seg : 64;
        double *p = realloc(m->seg_pts, cap * sizeof *p);
        unsigned char *f = p ? realloc(m->seg_idr, cap) : NULL;
        if (p)
            m->seg_pts = p;
        if (!f)
            return -1;
        m->seg_idr = f;
        m->cap_seg = cap;
    }
    m->seg_pts[m->n_seg] = pts;
    m->seg_idr[m->n_seg++] = (unsigned char)idr;
    return 0;
}

/* First video packet of the variant: the SPS and picture size for the whole variant. */
static void first_video(val_media *m, const AVStream *st, const AVPacket *p)
{
    m->has_video = 1;
    m->have_sps = stream_sps(st->codecpar, p, m->sps);
    m->width = st->codecpar->width;
    m->height = st->codecpar->height;
}

/* stereo-aac on the segment's first audio packet. */
static void check_audio(val_report *r, scan *s, const char *name, const AVStream *st,
                        const AVPacket *p)
{
    int aot = 0, channels = 0,
        known = val_aac_config(st->codecpar, p->data, p->size, &aot, &channels);
    int aac = st->codecpar->codec_id == AV_CODEC_ID_AAC;

    CHECK(r, aac && known && aot == 2 && channels == 2, s->uri, "stereo-aac",
          "%s: audio is %s, object type %d, %d channel(s), not stereo AAC-LC", name,
          avcodec_get_name(st->codecpar->codec_id), aot, channels);
    if (!s->m->has_audio) { /* the variant's first audio */
        s->m->has_audio = 1;
        s->m->aac = aac;
        s->m->aot = aot;
    }
}

/* Reads the packets of one open segment; returns whether the first video packet has an IDR
 * (-1: no video packet). */
static int read_packets(val_report *r, scan *s, AVFormatContext *ic, const char *name, int vi,
                        int ai, span sp[2], pts_source *src, double *first_pts)
{
    AVPacket *p = av_packet_alloc();
    int idr_first = -1, interlaced = 0, cc608 = 0;

    while (p && av_read_frame(ic, p) >= 0) {
        AVStream *st = ic->streams[p->stream_index];
        /* unprobed, a TS may announce its streams only once its packets are read */
        if (vi < 0 && st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
            vi = p->stream_index;
        if (ai < 0 && st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
            ai = p->stream_index;
        double tb = av_q2d(st->time_base);
        int64_t dts = p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
        if (p->pts != AV_NOPTS_VALUE && p->stream_index == vi) {
            const uint8_t *nal;
            double pts = video_pts(src, p, st->time_base);
            int idr =
                val_h264_find_nal(p->data, p->size, nal_length_size(st->codecpar), 5, &nal) > 0;
            if (idr_first < 0) {
                idr_first = idr;
                *first_pts = pts;
                if (!s->m->has_video)
                    first_video(s->m, st, p);
            }
            span_add(&sp[0], pts, dts * tb);
            if (add_au(s->m, dts * tb, p->size) < 0)
                val_fail(r, s->uri, "vbv-conformance", "out of memory");
            if (idr && add_idr(s->m, pts) < 0)
                val_fail(r, s->uri, "idr-interval", "out of memory");
            if (idr)
                interlaced |= !video_is_progressive(st->codecpar, p);
            cc608 |= val_h264_cc608_pairs(p->data, p->size, nal_length_size(st->codecpar)) > 0;
        } else if (p->pts != AV_NOPTS_VALUE && p->stream_index == ai) {
            if (sp[1].n == 0)
                check_audio(r, s, name, st, p);
            span_add(&sp[1], p->pts * tb, dts * tb);
        }
        av_packet_unref(p);
    }
    av_packet_free(&p);
    s->m->cc608_segments += cc608;
    CHECK(r, !interlaced, s->uri, "progressive-only", "%s: the SPS allows field coding", name);
    return idr_first;
}

/* timestamps-continuous: each stream's first DTS follows the previous segment's last DTS by
 * one frame, give or take a frame. */
static void check_continuity(val_report *r, scan *s, const char *name, const span sp[2])
{
    static const char *kind[2] = {"video", "audio"};

    for (int t = 0; t < 2; t++) {
        double frame = t == 0 ? s->m->frame : s->audio_frame, gap;
        if (sp[t].n == 0 || s->prev[t].n == 0 || frame <= 0)
            continue;
        gap = sp[t].first_dts - s->prev[t].last_dts - frame;
        CHECK(r, fabs(gap) <= frame + EPSILON / 10, s->uri, "timestamps-continuous",
              "%s: first %s DTS is %.3f s %s the previous segment's last + one frame", name,
              kind[t], fabs(gap), gap > 0 ? "after" : "before");
    }
}

/* Per-variant figures from one segment's spans: the frame duration from the first segment
 * read, the frame rate as the highest of any segment, the media's start and end. */
static void account(scan *s, const span sp[2])
{
    val_media *m = s->m;
    const span *main = sp[0].n ? &sp[0] : &sp[1];

    if (sp[0].n >= 2) {
        double frame = (sp[0].max_pts - sp[0].min_pts) / (sp[0].n - 1);
        if (m->frame == 0)
            m->frame = frame;
        if (frame > 0 && 1 / frame > m->fps)
            m->fps = 1 / frame;
    }
    if (m->frame == 0 && !m->has_video)
        m->frame = s->audio_frame;
    if (main->n == 0)
        return;
    if (!s->started)
        m->start = main->min_pts;
    s->started = 1;
    m->end = main->max_pts + m->frame;
}

static void check_segment_streams(val_report *r, scan *s, const char *name, AVFormatContext *ic)
{
    int n_audio = 0;

    for (unsigned i = 0; i < ic->nb_streams; i++)
        n_audio += ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO;
    CHECK(r, n_audio <= 1, s->uri, "one-audio-stream", "%s has %d audio streams", name, n_audio);
}

/* Stream parameters (picture size, audio format) from the first tenth of a second of a
 * variant's first segment; the rest of its segments are only read, not probed: decoding
 * pictures to find parameters was most of the validator's time. */
static int find_stream_info_fast(AVFormatContext *ic)
{
    ic->max_analyze_duration = AV_TIME_BASE / 10;
    return avformat_find_stream_info(ic, NULL);
}

static void scan_segment(val_report *r, scan *s, const char *path, const char *name)
{
    AVFormatContext *ic = NULL;
    span sp[2] = {{0}};
    pts_source src = {0};
    int vi = -1, ai = -1, idr_first = -1;
    double first_pts = NAN;

    if (ladder_open_segment(&ic, path) >= 0 && (s->started || find_stream_info_fast(ic) >= 0)) {
        vi = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        ai = av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
        if (ai >= 0 && s->audio_frame == 0) {
            const AVCodecParameters *a = ic->streams[ai]->codecpar;
            s->audio_frame = a->sample_rate > 0
                                 ? (a->frame_size > 0 ? a->frame_size : 1024.0) / a->sample_rate
                                 : 0;
        }
        check_segment_streams(r, s, name, ic);
        if (vi >= 0 && strlen(path) > 4 && strcmp(path + strlen(path) - 4, ".m4s") == 0)
            val_fmp4_offsets(path, ic->streams[vi]->id, &src.cto, &src.n);
        idr_first = read_packets(r, s, ic, name, vi, ai, sp, &src, &first_pts);
    }
    if (add_segment(s->m, first_pts, idr_first == 1) < 0)
        val_fail(r, s->uri, "break-on-segment-idr", "out of memory");
    avformat_close_input(&ic);
    free(src.cto);
    if (!s->audio_only)
        CHECK(r, idr_first == 1, s->uri, "segment-starts-with-idr",
              "segment %s does not start with an IDR", name);
    account(s, sp);
    check_continuity(r, s, name, sp);
    s->prev[0] = sp[0];
    s->prev[1] = sp[1];
}

val_scan *val_scan_new(const char *uri, int audio_only, val_media *m)
{
    val_scan *s = calloc(1, sizeof *s);

    if (s)
        *s = (scan){.uri = uri, .audio_only = audio_only, .m = m};
    memset(m, 0, sizeof *m);
    return s;
}

void val_scan_segment(val_report *r, val_scan *s, const char *path, const char *name)
{
    scan_segment(r, s, path, name);
}

void val_scan_free(val_scan *s)
{
    free(s);
}

void val_scan_variant(val_report *r, const char *show, const char *uri, int audio_only,
                      const val_playlist *pl, val_media *m)
{
    char dir[2048], path[4096];
    scan s = {.uri = uri, .audio_only = audio_only, .m = m};

    memset(m, 0, sizeof *m);
    val_dir_of(dir, sizeof dir, show, uri);
    for (int i = 0; i < pl->n; i++) {
        val_join(path, sizeof path, dir, pl->uris[i]);
        scan_segment(r, &s, path, pl->uris[i]);
    }
}

void val_media_free(val_media *m)
{
    free(m->idr);
    free(m->au_dts);
    free(m->au_bytes);
    free(m->seg_pts);
    free(m->seg_idr);
    memset(m, 0, sizeof *m);
}

void val_media_codecs(const val_media *m, char *out, size_t len)
{
    int n = 0;

    out[0] = '\0';
    if (m->has_video && m->have_sps)
        n = snprintf(out, len, "avc1.%02x%02x%02x", m->sps[0], m->sps[1], m->sps[2]);
    if (m->has_audio && n >= 0 && (size_t)n < len)
        snprintf(out + n, len - n, "%smp4a.40.%d", n ? "," : "", m->aac ? m->aot : 0);
}

int val_file_avc1(const char *path, char *out, size_t len)
{
    AVFormatContext *ic = NULL;
    AVPacket *p = av_packet_alloc();
    uint8_t sps[3];
    int vi = -1, found = 0;

    if (p && ladder_open_segment(&ic, path) >= 0) {
        for (unsigned i = 0; i < ic->nb_streams && vi < 0; i++)
            if (ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
                vi = i;
        while (vi >= 0 && !found && av_read_frame(ic, p) >= 0) {
            if (p->stream_index == vi)
                found = stream_sps(ic->streams[vi]->codecpar, p, sps) ? 1 : -1;
            av_packet_unref(p);
        }
    }
    avformat_close_input(&ic);
    av_packet_free(&p);
    if (found > 0)
        snprintf(out, len, "avc1.%02x%02x%02x", sps[0], sps[1], sps[2]);
    return found > 0;
}

/* ---- variant-wide rules ------------------------------------------------------------------------
 */

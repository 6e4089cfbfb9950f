/* validate_media.c: the rules that read the media itself through libavformat: every segment
 * of a variant is opened and all its packets read. H.264 facts come from the bitstream (IDR
 * NAL units, the SPS bytes the CODECS attribute encodes), AAC facts from the ADTS header or
 * the AudioSpecificConfig, so that what is checked is what a player's decoder will see. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "pkg_internal.h"
#include "validate_internal.h"

#define IDR_INTERVAL 2.0 /* seconds (Apple HLS authoring 1.13) */
#define EPSILON      1e-3

/* ---- H.264 and AAC bitstream facts ----------------------------------------------------------- */

/* The first three payload bytes of a NAL unit (after its header), emulation prevention removed. */
static int payload3(const uint8_t *p, int n, uint8_t out[3])
{
    int k = 0, zeros = 0;

    for (int i = 0; i < n && k < 3; i++) {
        if (zeros >= 2 && p[i] == 3) {
            zeros = 0;
            continue;
        }
        zeros = p[i] == 0 ? zeros + 1 : 0;
        out[k++] = p[i];
    }
    return k == 3;
}

/* The first NAL unit of `type` in a packet: Annex B (len_size 0) or length-prefixed with
 * len_size bytes (MP4). Returns its size (header included), 0 when there is none. For a
 * slice type (1-5) the first slice decides: scanning a whole picture's bytes for a start code
 * that cannot come was most of the validator's time. */
static int find_nal(const uint8_t *d, int n, int len_size, int type, const uint8_t **nal)
{
    if (!d)
        return 0;
    for (int i = 0; len_size > 0 && i + len_size < n;) {
        int len = 0;
        for (int k = 0; k < len_size; k++)
            len = len << 8 | d[i + k];
        i += len_size;
        if (len <= 0 || len > n - i)
            return 0;
        if ((d[i] & 0x1f) == type) {
            *nal = d + i;
            return len;
        }
        if (type <= 5 && (d[i] & 0x1f) >= 1 && (d[i] & 0x1f) <= 5)
            return 0;
        i += len;
    }
    for (int i = 0; len_size == 0 && i + 3 < n; i++) {
        int t = d[i + 3] & 0x1f;
        if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && t != type && type <= 5 && t >= 1 &&
            t <= 5)
            return 0;
        if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && t == type) {
            int end = i + 3;
            while (end + 2 < n && !(d[end] == 0 && d[end + 1] == 0 && d[end + 2] <= 1))
                end++;
            *nal = d + i + 3;
            return (end + 2 < n ? end : n) - (i + 3);
        }
    }
    return 0;
}

/* NAL length size of an MP4 stream (from its avcC), 0 for Annex B. */
static int nal_length_size(const AVCodecParameters *par)
{
    const uint8_t *e = par->extradata;
    return par->extradata_size >= 7 && e[0] == 1 ? (e[4] & 3) + 1 : 0;
}

int pkg_val_h264_sps(const uint8_t *d, int n, uint8_t out[3])
{
    const uint8_t *nal;
    int len;

    if (d && n >= 9 && d[0] == 1) { /* avcC: the first SPS after a 6-byte header */
        len = d[6] << 8 | d[7];
        return (d[5] & 0x1f) > 0 && len > 1 && 8 + len <= n && (d[8] & 0x1f) == 7 &&
               payload3(d + 9, len - 1, out);
    }
    len = find_nal(d, n, 0, 7, &nal);
    return len > 1 && payload3(nal + 1, len - 1, out);
}

/* The SPS bytes of a packet, else of the stream's extradata. */
static int stream_sps(const AVCodecParameters *par, const AVPacket *p, uint8_t out[3])
{
    const uint8_t *nal;
    int len = find_nal(p->data, p->size, nal_length_size(par), 7, &nal);

    if (len > 1 && payload3(nal + 1, len - 1, out))
        return 1;
    return pkg_val_h264_sps(par->extradata, par->extradata_size, out);
}

/* n bits from bit *pos of d (size bytes); reading past the end gives zeros. */
static unsigned bits(const uint8_t *d, int size, int *pos, int n)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++, (*pos)++)
        v = v << 1 | (*pos < 8 * size ? (d[*pos >> 3] >> (7 - (*pos & 7))) & 1 : 0);
    return v;
}

/* ---- frame_mbs_only_flag from an SPS (H.264 7.3.2.1.1) ----------------------------------------
 * Read here rather than asked of a decoder: progressive-only is checked on every segment, and
 * decoding pictures for it was most of the validator's time. */

static unsigned golomb_ue(const uint8_t *d, int size, int *pos)
{
    int zeros = 0;

    while (zeros < 31 && *pos < 8 * size && bits(d, size, pos, 1) == 0)
        zeros++;
    return (1u << zeros) - 1 + bits(d, size, pos, zeros);
}

static int golomb_se(const uint8_t *d, int size, int *pos)
{
    unsigned k = golomb_ue(d, size, pos);
    return k & 1 ? (int)((k + 1) / 2) : -(int)(k / 2);
}

static void skip_scaling_list(const uint8_t *d, int size, int *pos, int n)
{
    int last = 8, next = 8;

    for (int j = 0; j < n && next != 0; j++) {
        next = (last + golomb_se(d, size, pos) + 256) % 256;
        last = next ? next : last;
    }
}

/* An SPS NAL payload (after the header byte) without its emulation-prevention bytes. */
static int sps_rbsp(const uint8_t *nal, int len, uint8_t *out, int cap)
{
    int n = 0, zeros = 0;

    for (int i = 0; i < len && n < cap; i++) {
        if (zeros >= 2 && nal[i] == 3) {
            zeros = 0;
            continue;
        }
        zeros = nal[i] == 0 ? zeros + 1 : 0;
        out[n++] = nal[i];
    }
    return n;
}

/* 1 progressive (frame_mbs_only_flag), 0 field or MBAFF coding possible. */
static int sps_frame_mbs_only(const uint8_t *nal, int len)
{
    static const int high[] = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135};
    uint8_t d[256];
    int size = sps_rbsp(nal, len, d, sizeof d), pos = 0, profile = bits(d, size, &pos, 8), poc;

    pos += 16; /* constraint flags, level_idc */
    golomb_ue(d, size, &pos);
    for (size_t i = 0; i < sizeof high / sizeof high[0]; i++) {
        if (profile != high[i])
            continue;
        unsigned chroma = golomb_ue(d, size, &pos);
        pos += chroma == 3; /* separate_colour_plane_flag */
        golomb_ue(d, size, &pos);
        golomb_ue(d, size, &pos);
        pos++; /* qpprime_y_zero_transform_bypass_flag */
        if (bits(d, size, &pos, 1))
            for (unsigned k = 0; k < (chroma != 3 ? 8u : 12u); k++)
                if (bits(d, size, &pos, 1))
                    skip_scaling_list(d, size, &pos, k < 6 ? 16 : 64);
    }
    golomb_ue(d, size, &pos); /* log2_max_frame_num_minus4 */
    poc = golomb_ue(d, size, &pos);
    if (poc == 0) {
        golomb_ue(d, size, &pos);
    } else if (poc == 1) {
        pos++;
        golomb_se(d, size, &pos);
        golomb_se(d, size, &pos);
        for (unsigned k = golomb_ue(d, size, &pos); k > 0 && pos < 8 * size; k--)
            golomb_se(d, size, &pos);
    }
    golomb_ue(d, size, &pos); /* max_num_ref_frames */
    pos++;                    /* gaps_in_frame_num_value_allowed_flag */
    golomb_ue(d, size, &pos); /* pic_width_in_mbs_minus1 */
    golomb_ue(d, size, &pos); /* pic_height_in_map_units_minus1 */
    return bits(d, size, &pos, 1);
}

/* The IDR packet's SPS (else the stream's avcC) says frame_mbs_only_flag = 1. */
static int video_is_progressive(const AVCodecParameters *par, const AVPacket *p)
{
    const uint8_t *nal;
    int len = find_nal(p->data, p->size, nal_length_size(par), 7, &nal);
    const uint8_t *e = par->extradata;

    if (len <= 1 && e && par->extradata_size >= 9 && e[0] == 1 && (e[5] & 0x1f) > 0) {
        len = e[6] << 8 | e[7];
        nal = e + 8;
        if (8 + len > par->extradata_size)
            len = 0;
    }
    return len <= 1 || sps_frame_mbs_only(nal + 1, len - 1);
}

/* AudioSpecificConfig (ISO 14496-3 1.6.2.1): object type, then channel configuration. */
static int asc_config(const uint8_t *e, int n, int *aot, int *channels)
{
    int pos = 0;

    if (!e)
        return 0;
    *aot = bits(e, n, &pos, 5);
    if (*aot == 31)
        *aot = 32 + bits(e, n, &pos, 6);
    if (bits(e, n, &pos, 4) == 15) /* explicit sampling rate */
        bits(e, n, &pos, 24);
    *channels = bits(e, n, &pos, 4);
    return pos <= 8 * n;
}

int pkg_val_aac_config(const AVCodecParameters *par, const uint8_t *p, int n, int *aot,
                       int *channels)
{
    int ok = 0;

    if (p && n >= 7 && p[0] == 0xff && (p[1] & 0xf6) == 0xf0) { /* ADTS header */
        *aot = (p[2] >> 6) + 1;
        *channels = (p[2] & 1) << 2 | p[3] >> 6;
        ok = 1;
    } else {
        ok = asc_config(par->extradata, par->extradata_size, aot, channels);
    }
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
typedef struct scan {
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

/* First video packet of the variant: the SPS and picture size for the whole variant. */
static void first_video(val_media *m, const AVStream *st, const AVPacket *p)
{
    m->has_video = 1;
    m->have_sps = stream_sps(st->codecpar, p, m->sps);
    m->width = st->codecpar->width;
    m->height = st->codecpar->height;
}

/* stereo-aac on the segment's first audio packet. */
static void check_audio(pkg_report *r, scan *s, const char *name, const AVStream *st,
                        const AVPacket *p)
{
    int aot = 0, channels = 0,
        known = pkg_val_aac_config(st->codecpar, p->data, p->size, &aot, &channels);
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
static int read_packets(pkg_report *r, scan *s, AVFormatContext *ic, const char *name, int vi,
                        int ai, span sp[2], pts_source *src)
{
    AVPacket *p = av_packet_alloc();
    int idr_first = -1, interlaced = 0;

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
            int idr = find_nal(p->data, p->size, nal_length_size(st->codecpar), 5, &nal) > 0;
            if (idr_first < 0) {
                idr_first = idr;
                if (!s->m->has_video)
                    first_video(s->m, st, p);
            }
            span_add(&sp[0], pts, dts * tb);
            if (idr && add_idr(s->m, pts) < 0)
                pkg_val_fail(r, s->uri, "idr-every-2s", "out of memory");
            if (idr)
                interlaced |= !video_is_progressive(st->codecpar, p);
        } else if (p->pts != AV_NOPTS_VALUE && p->stream_index == ai) {
            if (sp[1].n == 0)
                check_audio(r, s, name, st, p);
            span_add(&sp[1], p->pts * tb, dts * tb);
        }
        av_packet_unref(p);
    }
    av_packet_free(&p);
    CHECK(r, !interlaced, s->uri, "progressive-only", "%s: the SPS allows field coding", name);
    return idr_first;
}

/* timestamps-continuous: each stream's first DTS follows the previous segment's last DTS by
 * one frame, give or take a frame. */
static void check_continuity(pkg_report *r, scan *s, const char *name, const span sp[2])
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

static void check_segment_streams(pkg_report *r, scan *s, const char *name, AVFormatContext *ic)
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

static void scan_segment(pkg_report *r, scan *s, const char *path, const char *name)
{
    AVFormatContext *ic = NULL;
    span sp[2] = {{0}};
    pts_source src = {0};
    int vi = -1, ai = -1, idr_first = -1;

    if (pkg_open_segment(&ic, path) >= 0 && (s->started || find_stream_info_fast(ic) >= 0)) {
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
            pkg_val_fmp4_offsets(path, ic->streams[vi]->id, &src.cto, &src.n);
        idr_first = read_packets(r, s, ic, name, vi, ai, sp, &src);
    }
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

void pkg_val_scan_variant(pkg_report *r, const char *show, const char *uri, int audio_only,
                          const val_playlist *pl, val_media *m)
{
    char dir[2048], path[4096];
    scan s = {.uri = uri, .audio_only = audio_only, .m = m};

    memset(m, 0, sizeof *m);
    pkg_val_dir_of(dir, sizeof dir, show, uri);
    for (int i = 0; i < pl->n; i++) {
        pkg_val_join(path, sizeof path, dir, pl->uris[i]);
        scan_segment(r, &s, path, pl->uris[i]);
    }
}

void pkg_val_media_free(val_media *m)
{
    free(m->idr);
    memset(m, 0, sizeof *m);
}

void pkg_val_media_codecs(const val_media *m, char *out, size_t len)
{
    int n = 0;

    out[0] = '\0';
    if (m->has_video && m->have_sps)
        n = snprintf(out, len, "avc1.%02x%02x%02x", m->sps[0], m->sps[1], m->sps[2]);
    if (m->has_audio && n >= 0 && (size_t)n < len)
        snprintf(out + n, len - n, "%smp4a.40.%d", n ? "," : "", m->aac ? m->aot : 0);
}

int pkg_val_file_avc1(const char *path, char *out, size_t len)
{
    AVFormatContext *ic = NULL;
    AVPacket *p = av_packet_alloc();
    uint8_t sps[3];
    int vi = -1, found = 0;

    if (p && pkg_open_segment(&ic, path) >= 0) {
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

/* idr-every-2s: no gap between IDRs, or from the last one to the end, over 2 s + one frame. */
static void check_idr_interval(pkg_report *r, const char *uri, const val_media *m)
{
    double worst = 0, at = 0;

    for (int i = 0; i < m->n_idr; i++) {
        double next = i + 1 < m->n_idr ? m->idr[i + 1] : m->end;
        if (next - m->idr[i] > worst) {
            worst = next - m->idr[i];
            at = m->idr[i] - m->start;
        }
    }
    CHECK(r, m->n_idr > 0 && worst <= IDR_INTERVAL + m->frame + EPSILON, uri, "idr-every-2s",
          "%d IDRs; %.3f s without one from %.3f s", m->n_idr, worst, at);
}

void pkg_val_check_video(pkg_report *r, const char *uri, const val_media *m)
{
    int profile = m->sps[0], level = m->sps[2];

    if (!m->has_video)
        return;
    check_idr_interval(r, uri, m);
    if (m->have_sps)
        CHECK(r, (profile == 66 || profile == 77 || profile == 100) && level <= 42, uri,
              "h264-max-high-4.2", "H.264 profile_idc %d level_idc %d is beyond High 4.2", profile,
              level);
    CHECK(r, m->fps <= 60 + EPSILON, uri, "frame-rate-max-60", "%.3f frames/s", m->fps);
}

void pkg_val_check_idr_alignment(pkg_report *r, const char *uri, const val_media *m,
                                 const val_media *first)
{
    int i = 0;

    if (!m->has_video || !first->has_video)
        return;
    while (i < m->n_idr && i < first->n_idr && fabs(m->idr[i] - first->idr[i]) <= EPSILON)
        i++;
    CHECK(r, i == m->n_idr && i == first->n_idr, uri, "idr-aligned-across-rungs",
          "IDR %d at %.3f s, the first video variant's at %.3f s (%d IDRs vs %d)", i,
          i < m->n_idr ? m->idr[i] - first->start : -1.0,
          i < first->n_idr ? first->idr[i] - first->start : -1.0, m->n_idr, first->n_idr);
}

void pkg_val_check_rung(pkg_report *r, const char *uri, const val_media *m,
                        const prof_ladder *ladder)
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
    CHECK(r, m->have_sps && m->sps[0] == prof_profile_idc(rung->h264_profile), uri,
          "rung-matches-profile", "H.264 profile_idc %d, the rung says %s", m->sps[0],
          rung->h264_profile);
    CHECK(r, m->have_sps && m->sps[2] <= rung->level_idc, uri, "rung-matches-profile",
          "H.264 level_idc %d is above the rung's %d", m->sps[2], rung->level_idc);
    if (rung->max_fps > 0)
        CHECK(r, m->fps <= rung->max_fps + EPSILON, uri, "rung-matches-profile",
              "%.3f frames/s is above the rung's %d", m->fps, rung->max_fps);
}

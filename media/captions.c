/* captions.c: caption files read into cues. WebVTT, SubRip and Scenarist (SCC) go through
 * libavformat's demuxers and libavcodec's decoders (cc_dec for SCC's CEA-608 pairs), and the
 * decoded text becomes a WebVTT cue payload through libavcodec's WebVTT encoder: Ladder parses
 * none of these formats itself (docs/captions.md). */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "media_av.h"

/* The formats accepted, and the codec each must hold. */
static const struct {
    const char *format;
    enum AVCodecID codec;
} accepted[] = {
    {"webvtt", AV_CODEC_ID_WEBVTT},
    {"srt", AV_CODEC_ID_SUBRIP},
    {"scc", AV_CODEC_ID_EIA_608},
};

/* What one read holds open: a caption file's demuxer (none for CEA-608 fed by the caller),
 * the decoder and the WebVTT encoder. */
typedef struct reader {
    const char *path; /* what messages name */
    AVFormatContext *ic;
    AVRational tb; /* the packets' time base */
    AVCodecContext *dec, *enc;
    AVPacket *pkt;
    ladder_captions *out;
} reader;

/* The CEA-608 decoder is a reader whose packets come from the caller. */
struct ladder_cc_decoder {
    reader r;
    ladder_captions cues;
    int flushed;
};

void ladder_captions_free(ladder_captions *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        free(c->cues[i].text);
    free(c->cues);
    c->cues = NULL;
    c->n = c->cap = 0;
}

static int open_file(reader *r, ladder_error *err)
{
    const char *name;
    int ret = avformat_open_input(&r->ic, r->path, NULL, NULL);

    if (ret == AVERROR(ENOENT))
        return ladder_error_set(err, LADDER_ENOTFOUND, "%s: no such caption file", r->path);
    if (ret < 0)
        return ladder_error_set(err, LADDER_EINPUT,
                                "%s: not a caption file (WebVTT, SubRip or SCC expected)", r->path);
    name = r->ic->iformat->name;
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++)
        if (strcmp(name, accepted[i].format) == 0 && r->ic->nb_streams == 1 &&
            r->ic->streams[0]->codecpar->codec_id == accepted[i].codec)
            return 0;
    return ladder_error_set(err, LADDER_EINPUT,
                            "%s: %s %s file, not captions (WebVTT, SubRip or SCC expected)",
                            r->path, strchr("aeiou", name[0]) ? "an" : "a", name);
}

/* The decoder for `codec` (with the file's parameters, par, when there is a file), and the
 * WebVTT encoder fed with its ASS header. */
static int open_codecs(reader *r, enum AVCodecID codec, const AVCodecParameters *par,
                       ladder_error *err)
{
    const AVCodec *dec = avcodec_find_decoder(codec);
    const AVCodec *enc = avcodec_find_encoder(AV_CODEC_ID_WEBVTT);
    int ret = 0;

    if (!dec || !enc)
        return ladder_error_set(err, LADDER_EINPUT, "%s: this FFmpeg has no %s decoder", r->path,
                                avcodec_get_name(codec));
    r->dec = avcodec_alloc_context3(dec);
    r->enc = avcodec_alloc_context3(enc);
    r->pkt = av_packet_alloc();
    if (!r->dec || !r->enc || !r->pkt)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (par)
        ret = avcodec_parameters_to_context(r->dec, par);
    r->dec->pkt_timebase = r->tb;
    if (ret >= 0)
        ret = avcodec_open2(r->dec, dec, NULL);
    if (ret < 0 || !r->dec->subtitle_header)
        return ladder_error_set(err, LADDER_EINPUT, "%s: cannot decode its captions", r->path);
    r->enc->subtitle_header = av_memdup(r->dec->subtitle_header, r->dec->subtitle_header_size + 1);
    r->enc->subtitle_header_size = r->dec->subtitle_header_size;
    r->enc->time_base = (AVRational){1, 1000};
    if (!r->enc->subtitle_header)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (avcodec_open2(r->enc, enc, NULL) < 0)
        return ladder_error_set(err, LADDER_EINPUT, "%s: cannot convert its captions", r->path);
    return 0;
}

/* A WebVTT cue payload must hold no blank line and no "-->" (the W3C WebVTT cue text rules):
 * blank lines and carriage returns go, a '>' after "--" is written as "&gt;" (which reads back
 * as '>'), and trailing spaces and line breaks are cut. Returns a new string, or NULL. */
static char *tidy_payload(const char *in, int len)
{
    char *out = malloc(4 * (size_t)len + 1), *w = out;

    for (int i = 0; out && i < len && in[i]; i++) {
        char ch = in[i];
        if (ch == '\r' || (ch == '\n' && (w == out || w[-1] == '\n')))
            continue;
        if (ch == '>' && w - out >= 2 && w[-1] == '-' && w[-2] == '-') {
            memcpy(w, "&gt;", 4);
            w += 4;
            continue;
        }
        *w++ = ch;
    }
    while (out && w > out && isspace((unsigned char)w[-1]))
        w--;
    if (out)
        *w = '\0';
    return out;
}

static int add_cue(ladder_captions *c, int64_t start_ms, int64_t end_ms, const char *text, int len)
{
    char *payload = tidy_payload(text, len);

    if (!payload)
        return LADDER_ENOMEM;
    if (!payload[0]) {
        free(payload);
        return 0;
    }
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 64;
        ladder_cue *grown = realloc(c->cues, cap * sizeof *grown);
        if (!grown) {
            free(payload);
            return LADDER_ENOMEM;
        }
        c->cues = grown;
        c->cap = cap;
    }
    c->cues[c->n++] = (ladder_cue){start_ms, end_ms, payload};
    return 0;
}

/* One decoded subtitle as a cue. WebVTT and SubRip packets carry the cue's own times; cc_dec
 * completes a caption from many packets and says when it was shown and for how long. */
static int subtitle_to_cue(reader *r, AVSubtitle *sub, const AVPacket *pkt, ladder_error *err)
{
    AVRational tb = r->tb, ms = {1, 1000};
    uint8_t text[65536];
    int64_t start, end;
    int len;

    if (sub->num_rects == 0)
        return 0;
    if (r->dec->codec_id != AV_CODEC_ID_EIA_608) {
        start = av_rescale_q(pkt->pts, tb, ms);
        end = start + av_rescale_q(pkt->duration, tb, ms);
    } else {
        start = av_rescale_q(sub->pts, AV_TIME_BASE_Q, ms) + sub->start_display_time;
        end = start + ((int64_t)sub->end_display_time - sub->start_display_time);
    }
    len = avcodec_encode_subtitle(r->enc, text, sizeof text - 1, sub);
    if (len < 0)
        return ladder_error_set(err, LADDER_EINPUT, "%s: a caption at %.3f s cannot be converted",
                                r->path, start / 1000.0);
    if (end <= start || start < 0)
        return ladder_error_set(err, LADDER_EINPUT,
                                "%s: the caption at %.3f s ends at %.3f s, before it starts",
                                r->path, start / 1000.0, end / 1000.0);
    if (add_cue(r->out, start, end, (const char *)text, len) < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    return 0;
}

/* Decodes r->pkt; a subtitle it completes becomes a cue. */
static int decode_packet(reader *r, ladder_error *err)
{
    AVSubtitle sub;
    int got = 0, ret = avcodec_decode_subtitle2(r->dec, &sub, &got, r->pkt);

    if (ret < 0 || !got)
        return 0; /* a packet the decoder cannot use is skipped, as a player would */
    ret = subtitle_to_cue(r, &sub, r->pkt, err);
    avsubtitle_free(&sub);
    return ret;
}

static int read_cues(reader *r, ladder_error *err)
{
    int ret;

    while ((ret = av_read_frame(r->ic, r->pkt)) >= 0) {
        ret = decode_packet(r, err);
        av_packet_unref(r->pkt);
        if (ret < 0)
            break;
    }
    av_packet_unref(r->pkt);
    if (ret == AVERROR_EOF)
        ret = 0;
    else if (ret < 0 && !err->msg[0])
        media_error_from_av(err, ret, r->path);
    return ret < 0 ? (err->code ? err->code : LADDER_EINPUT) : 0;
}

static int by_start(const void *a, const void *b)
{
    const ladder_cue *x = a, *y = b;

    /* Ties are broken by the rest of the cue, so equal starts always come out in one order. */
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    if (x->end_ms != y->end_ms)
        return x->end_ms < y->end_ms ? -1 : 1;
    return strcmp(x->text, y->text);
}

int ladder_captions_read(const char *path, ladder_captions *out, ladder_error *err)
{
    reader r = {.path = path, .out = out};
    int ret;

    ladder_captions_free(out);
    ret = open_file(&r, err);
    if (ret >= 0) {
        r.tb = r.ic->streams[0]->time_base;
        ret =
            open_codecs(&r, r.ic->streams[0]->codecpar->codec_id, r.ic->streams[0]->codecpar, err);
    }
    if (ret >= 0)
        ret = read_cues(&r, err);
    if (ret >= 0 && out->n > 1) /* qsort's array may not be NULL, even for no cues */
        qsort(out->cues, out->n, sizeof *out->cues, by_start);
    av_packet_free(&r.pkt);
    avcodec_free_context(&r.dec);
    avcodec_free_context(&r.enc);
    avformat_close_input(&r.ic);
    if (ret < 0)
        ladder_captions_free(out);
    return ret;
}

/* ---- CEA-608 from the caller ---------------------------------------------------------------- */

int ladder_cc_decoder_open(ladder_cc_decoder **out, ladder_error *err)
{
    ladder_cc_decoder *d = calloc(1, sizeof *d);
    int ret;

    *out = NULL;
    if (!d)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    d->r.path = "CEA-608 captions";
    d->r.tb = (AVRational){1, LADDER_VIDEO_TIMEBASE};
    d->r.out = &d->cues;
    ret = open_codecs(&d->r, AV_CODEC_ID_EIA_608, NULL, err);
    if (ret < 0) {
        ladder_cc_decoder_close(d);
        return ret;
    }
    *out = d;
    return 0;
}

int ladder_cc_decoder_feed(ladder_cc_decoder *d, int64_t pts, const uint8_t *cc_data, int size,
                           ladder_error *err)
{
    int ret = av_new_packet(d->r.pkt, size);

    if (ret < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    memcpy(d->r.pkt->data, cc_data, size);
    d->r.pkt->pts = d->r.pkt->dts = pts;
    ret = decode_packet(&d->r, err);
    av_packet_unref(d->r.pkt);
    return ret;
}

const ladder_captions *ladder_cc_decoder_cues(ladder_cc_decoder *d)
{
    if (!d->flushed) { /* a caption still on screen at the end comes out now */
        av_packet_unref(d->r.pkt);
        decode_packet(&d->r, &(ladder_error){0});
        d->flushed = 1;
    }
    if (d->cues.n > 1)
        qsort(d->cues.cues, d->cues.n, sizeof *d->cues.cues, by_start);
    return &d->cues;
}

void ladder_cc_decoder_close(ladder_cc_decoder *d)
{
    if (!d)
        return;
    av_packet_free(&d->r.pkt);
    avcodec_free_context(&d->r.dec);
    avcodec_free_context(&d->r.enc);
    ladder_captions_free(&d->cues);
    free(d);
}

/* ---- writing and measuring ------------------------------------------------------------------ */

/* WebVTT's timestamp form, hours always written: HH:MM:SS.mmm. */
void ladder_vtt_time(ladder_text *t, int64_t ms)
{
    ladder_text_printf(t, "%02" PRId64 ":%02d:%02d.%03d", ms / 3600000, (int)(ms / 60000 % 60),
                       (int)(ms / 1000 % 60), (int)(ms % 1000));
}

void ladder_cue_to_vtt(ladder_text *t, const ladder_cue *c)
{
    ladder_text_printf(t, "\n");
    ladder_vtt_time(t, c->start_ms);
    ladder_text_printf(t, " --> ");
    ladder_vtt_time(t, c->end_ms);
    ladder_text_printf(t, "\n%s\n", c->text);
}

int ladder_captions_save(const char *path, const ladder_captions *c, int64_t before_ms,
                         ladder_error *err)
{
    ladder_text t = {0};
    int ret;

    ladder_text_printf(&t, "WEBVTT\n");
    for (int k = 0; k < c->n && c->cues[k].start_ms < before_ms; k++)
        ladder_cue_to_vtt(&t, &c->cues[k]);
    ret = t.failed ? ladder_error_set(err, LADDER_ENOMEM, "out of memory")
                   : ladder_write_file_atomic(path, t.s, t.len, err);
    ladder_text_free(&t);
    return ret;
}

double ladder_captions_coverage(const ladder_captions *c, double duration)
{
    int64_t covered = 0, reach = 0, limit = (int64_t)(duration * 1000);

    /* The cues are sorted by start; overlapping ones count once. */
    for (int i = 0; i < c->n; i++) {
        int64_t from = c->cues[i].start_ms > reach ? c->cues[i].start_ms : reach;
        int64_t to = c->cues[i].end_ms < limit ? c->cues[i].end_ms : limit;
        if (to > from)
            covered += to - from;
        if (to > reach)
            reach = to;
    }
    return limit > 0 ? (double)covered / limit : 0;
}

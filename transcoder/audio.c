/* audio.c: the audio side. Decodes the source audio once, resamples and remixes it to the
 * output layout (mono, 5.1, 44.1 kHz... all become stereo at 44.1 or 48 kHz), and encodes
 * AAC-LC once per distinct bitrate of the ladder; every rendition with that bitrate shares
 * the packets.
 *
 * Timing: the audio follows the video's clock, from its first picture to the end of its last
 * one. Audio that starts before the first picture is cut and audio that starts after it is
 * preceded by silence; gaps and jumps in the source's audio timestamps (damaged packets, a
 * clock that goes back) are filled or cut by the resampler; audio is encoded only up to
 * where the video has reached, and at the end it is cut or padded to the video's end. A show
 * whose audio-only variant and video variants last the same is what docs/hls-rules.md's
 * extinf-sum-matches-media needs; normal sources, whose streams already agree within one AAC
 * frame, are left exactly as they are. */
#include <string.h>

#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

#include "tc_internal.h"

#define AUDIO_MAX_ENCODERS 8
/* Audio held back waiting for the video to reach it; more means the source's audio is far
 * longer than its video, or the two are not interleaved. */
#define AUDIO_MAX_LEAD_SECONDS 30
/* A jump in the audio timestamps larger than this is filled with silence or cut: less than an
 * AAC frame (21 ms at 48 kHz), so one lost packet is caught; more than any muxer's rounding. */
#define AUDIO_RESYNC_SECONDS 0.015

typedef struct aac_track {
    AVCodecContext *enc;
    int stream; /* plan index */
    ladder_stream_stats stats;
    int64_t first_pts, last_end;
} aac_track;

struct tc_audio {
    AVCodecContext *dec;
    SwrContext *swr;
    AVChannelLayout in_layout; /* what swr was set up to take: the decoded frames' */
    int in_fmt, in_rate;
    AVAudioFifo *fifo;
    AVFrame *decoded, *chunk;
    AVPacket *out_pkt;
    AVRational src_tb;
    int64_t origin;      /* video origin in src_tb */
    int64_t samples_out; /* the next sample's time: samples from the origin */
    int64_t skip;        /* samples still to drop (audio before the first picture) */
    int started, aligned;
    int64_t audio_first; /* first decoded sample, in samples from the origin */
    int64_t video_first; /* first picture, in samples from the origin; INT64_MIN until known */
    int64_t horizon;     /* the latest picture, in samples: encode no further */
    int64_t next_in;     /* where the next decoded frame should start, in src_tb */
    int rate, frame_size;
    AVChannelLayout layout;
    int n;
    aac_track tracks[AUDIO_MAX_ENCODERS];
    const ladder_logger *logger;
};

static int open_decoder(tc_audio *a, AVStream *src, ladder_error *err)
{
    const AVCodec *codec = avcodec_find_decoder(src->codecpar->codec_id);
    int ret;

    if (!codec)
        return ladder_error_set(err, LADDER_EINPUT, "no decoder for audio codec '%s'",
                                avcodec_get_name(src->codecpar->codec_id));
    a->dec = avcodec_alloc_context3(codec);
    if (!a->dec)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = avcodec_parameters_to_context(a->dec, src->codecpar);
    if (ret >= 0) {
        a->dec->pkt_timebase = src->time_base;
        a->dec->thread_count = 1;
        ret = avcodec_open2(a->dec, codec, NULL);
    }
    if (ret == AVERROR(ENOSYS) || ret == AVERROR_INVALIDDATA || ret == AVERROR_PATCHWELCOME)
        return ladder_error_set(err, LADDER_EINPUT,
                                "the audio stream's configuration (%s) is damaged or unsupported",
                                avcodec_get_name(src->codecpar->codec_id));
    return ret < 0 ? media_error_from_av(err, ret, "cannot open the audio decoder") : 0;
}

static int open_encoder(tc_audio *a, ladder_stream *st, ladder_error *err)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
    aac_track *t = &a->tracks[a->n];
    AVCodecContext *c;
    int ret;

    if (!codec || !(c = t->enc = avcodec_alloc_context3(codec)))
        return ladder_error_set(err, LADDER_ENOMEM, "cannot allocate the AAC encoder");
    c->sample_fmt = AV_SAMPLE_FMT_FLTP;
    c->sample_rate = a->rate;
    c->bit_rate = (int64_t)st->bitrate_kbps * 1000;
    c->time_base = (AVRational){1, a->rate};
    c->profile = FF_PROFILE_AAC_LOW;
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER | AV_CODEC_FLAG_BITEXACT;
    c->thread_count = 1;
    ret = av_channel_layout_copy(&c->ch_layout, &a->layout);
    if (ret >= 0)
        ret = avcodec_open2(c, codec, NULL);
    if (ret < 0)
        return media_error_from_av(err, ret, "cannot open the AAC encoder");
    if (c->extradata_size > (int)sizeof st->extradata)
        return ladder_error_set(err, LADDER_EENCODE, "AAC configuration too large");
    memcpy(st->extradata, c->extradata, c->extradata_size);
    st->extradata_size = c->extradata_size;
    t->stream = st->index;
    t->first_pts = INT64_MIN;
    a->frame_size = c->frame_size;
    a->n++;
    return 0;
}

/* (Re)sets the resampler up to take frames of this layout, format and rate. */
static int setup_resampler(tc_audio *a, const AVChannelLayout *layout, int fmt, int rate)
{
    int ret;

    swr_free(&a->swr);
    av_channel_layout_uninit(&a->in_layout);
    a->in_fmt = fmt;
    a->in_rate = rate;
    ret = av_channel_layout_copy(&a->in_layout, layout);
    if (ret >= 0)
        ret = swr_alloc_set_opts2(&a->swr, &a->layout, AV_SAMPLE_FMT_FLTP, a->rate, &a->in_layout,
                                  fmt, rate, 0, NULL);
    /* Timestamp-driven filling and dropping (swr_next_pts), never stretching. */
    if (ret >= 0)
        ret = av_opt_set_double(a->swr, "min_comp", AUDIO_RESYNC_SECONDS, 0);
    if (ret >= 0)
        ret = av_opt_set_double(a->swr, "min_hard_comp", AUDIO_RESYNC_SECONDS, 0);
    return ret < 0 ? ret : swr_init(a->swr);
}

static int open_resampler(tc_audio *a, ladder_error *err)
{
    int ret = setup_resampler(a, &a->dec->ch_layout, a->dec->sample_fmt, a->dec->sample_rate);

    if (ret < 0)
        return media_error_from_av(err, ret, "cannot set up audio resampling");
    a->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, a->layout.nb_channels, a->frame_size * 4);
    a->decoded = av_frame_alloc();
    a->chunk = av_frame_alloc();
    a->out_pkt = av_packet_alloc();
    if (!a->fifo || !a->decoded || !a->chunk || !a->out_pkt)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    return 0;
}

int tc_audio_open(tc_audio **out, AVStream *src, int64_t origin_pts, ladder_plan *plan,
                  const ladder_logger *lg, ladder_error *err)
{
    tc_audio *a = av_mallocz(sizeof *a);
    int ret;

    *out = NULL;
    if (!a)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    a->logger = lg;
    a->src_tb = src->time_base;
    a->origin = origin_pts;
    a->video_first = a->horizon = INT64_MIN;
    a->next_in = AV_NOPTS_VALUE;
    ret = open_decoder(a, src, err);
    for (int i = 0; ret >= 0 && i < plan->n_streams; i++) {
        ladder_stream *st = &plan->streams[i];
        if (st->kind != LADDER_STREAM_AUDIO)
            continue;
        if (a->n == AUDIO_MAX_ENCODERS) {
            ret = ladder_error_set(err, LADDER_EINVAL, "too many audio bitrates");
            break;
        }
        a->rate = st->sample_rate;
        av_channel_layout_default(&a->layout, st->channels);
        ret = open_encoder(a, st, err);
    }
    if (ret >= 0)
        ret = open_resampler(a, err);
    if (ret < 0) {
        tc_audio_close(a);
        return ret;
    }
    *out = a;
    return 0;
}

static int receive_packets(tc_audio *a, aac_track *t, const ladder_sink *sink, ladder_error *err)
{
    for (;;) {
        int ret = avcodec_receive_packet(t->enc, a->out_pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return media_error_from_av(err, ret, "AAC encoding failed");
        ladder_packet pkt = {
            .stream = t->stream,
            .data = a->out_pkt->data,
            .size = a->out_pkt->size,
            .pts = a->out_pkt->pts,
            .dts = a->out_pkt->dts,
            .duration = a->out_pkt->duration,
            .keyframe = 1,
        };
        t->stats.frames++;
        t->stats.bytes += pkt.size;
        if (t->first_pts == INT64_MIN)
            t->first_pts = pkt.pts;
        t->last_end = pkt.pts + pkt.duration;
        ret = sink && sink->packet ? sink->packet(sink->opaque, &pkt, err) : 0;
        av_packet_unref(a->out_pkt);
        if (ret < 0)
            return ret;
    }
}

/* Sends one chunk (or NULL to flush) to every AAC encoder. */
static int encode_chunk(tc_audio *a, AVFrame *chunk, const ladder_sink *sink, ladder_error *err)
{
    for (int i = 0; i < a->n; i++) {
        int ret = avcodec_send_frame(a->tracks[i].enc, chunk);
        if (ret < 0)
            return media_error_from_av(err, ret, "AAC encoding failed");
        ret = receive_packets(a, &a->tracks[i], sink, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* Encodes frames from the FIFO up to sample `limit` (a time, in samples from the origin):
 * whole frames only, unless `all`, when the last partial one goes too. */
static int drain_fifo(tc_audio *a, int64_t limit, int all, const ladder_sink *sink,
                      ladder_error *err)
{
    for (;;) {
        int64_t room = limit - a->samples_out;
        int n = (int)FFMIN(FFMIN(av_audio_fifo_size(a->fifo), a->frame_size),
                           FFMAX(room, (int64_t)0)),
            ret;

        if (n == 0 || (n < a->frame_size && !all))
            return 0;
        av_frame_unref(a->chunk);
        a->chunk->nb_samples = n;
        a->chunk->format = AV_SAMPLE_FMT_FLTP;
        a->chunk->sample_rate = a->rate;
        if (av_channel_layout_copy(&a->chunk->ch_layout, &a->layout) < 0 ||
            av_frame_get_buffer(a->chunk, 0) < 0)
            return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
        av_audio_fifo_read(a->fifo, (void **)a->chunk->data, n);
        a->chunk->pts = a->samples_out;
        a->samples_out += n;
        ret = encode_chunk(a, a->chunk, sink, err);
        if (ret < 0)
            return ret;
    }
}

static int64_t to_samples(const tc_audio *a, int64_t pts, AVRational tb)
{
    return av_rescale_q(pts, tb, (AVRational){1, a->rate});
}

/* Adds `n` samples of silence at the end of the FIFO. */
static int write_silence(tc_audio *a, int n)
{
    uint8_t **silence = NULL;
    int ret = av_samples_alloc_array_and_samples(&silence, NULL, a->layout.nb_channels, n,
                                                 AV_SAMPLE_FMT_FLTP, 0);
    if (ret < 0)
        return ret;
    av_samples_set_silence(silence, 0, n, a->layout.nb_channels, AV_SAMPLE_FMT_FLTP);
    ret = av_audio_fifo_write(a->fifo, (void **)silence, n);
    av_freep(&silence[0]);
    av_freep(&silence);
    return ret < 0 ? ret : 0;
}

/* Once the first audio sample and the first picture are both known: the audio starts where
 * the video does. Early audio is cut from the FIFO's front (the rest of it as it comes);
 * late audio gets silence in front, at most 10 s of it. */
static int align_start(tc_audio *a)
{
    int64_t offset = a->audio_first - a->video_first;
    int ret = 0;

    a->aligned = 1;
    a->samples_out = a->video_first;
    if (offset < 0) {
        int drained = (int)FFMIN(-offset, (int64_t)av_audio_fifo_size(a->fifo));
        av_audio_fifo_drain(a->fifo, drained);
        a->skip += -offset - drained;
    } else if (offset > 0) {
        AVAudioFifo *held = a->fifo;
        int n = av_audio_fifo_size(held);
        a->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, a->layout.nb_channels, a->frame_size * 4);
        if (!a->fifo) {
            a->fifo = held;
            return AVERROR(ENOMEM);
        }
        ret = write_silence(a, (int)FFMIN(offset, (int64_t)a->rate * 10));
        if (ret >= 0 && n > 0) {
            AVFrame *f = av_frame_alloc();
            ret = f ? 0 : AVERROR(ENOMEM);
            if (ret >= 0) {
                f->nb_samples = n;
                f->format = AV_SAMPLE_FMT_FLTP;
                ret = av_channel_layout_copy(&f->ch_layout, &a->layout);
            }
            if (ret >= 0)
                ret = av_frame_get_buffer(f, 0);
            if (ret >= 0)
                av_audio_fifo_read(held, (void **)f->data, n);
            if (ret >= 0)
                ret = av_audio_fifo_write(a->fifo, (void **)f->data, n);
            av_frame_free(&f);
        }
        av_audio_fifo_free(held);
    }
    return ret < 0 ? ret : 0;
}

/* Resamples `in` (NULL flushes the resampler) into the FIFO, dropping samples to skip. The
 * resampler is told each frame's time, so it fills gaps and cuts overlaps. */
static int resample_into_fifo(tc_audio *a, const AVFrame *in)
{
    uint8_t **buf = NULL;
    int max, ret, n;

    /* A source may change its audio mid-stream (a broadcast going from stereo to 5.1 and
     * back), and swr_convert reads planes as set up: what the old set-up holds goes out first,
     * then a new one takes the frame as it is. */
    if (in && (in->format != a->in_fmt || in->sample_rate != a->in_rate ||
               av_channel_layout_compare(&in->ch_layout, &a->in_layout) != 0)) {
        ret = resample_into_fifo(a, NULL);
        if (ret >= 0)
            ret = setup_resampler(a, &in->ch_layout, in->format, in->sample_rate);
        if (ret < 0)
            return ret;
    }
    if (in && in->pts != AV_NOPTS_VALUE)
        swr_next_pts(a->swr, av_rescale(in->pts, (int64_t)a->src_tb.num * a->rate * a->in_rate,
                                        a->src_tb.den));
    max = swr_get_out_samples(a->swr, in ? in->nb_samples : 0);
    if (max <= 0)
        return 0;
    ret = av_samples_alloc_array_and_samples(&buf, NULL, a->layout.nb_channels, max,
                                             AV_SAMPLE_FMT_FLTP, 0);
    if (ret < 0)
        return ret;
    n = swr_convert(a->swr, buf, max, in ? (const uint8_t **)in->extended_data : NULL,
                    in ? in->nb_samples : 0);
    ret = n;
    if (n > 0) {
        int drop = (int)FFMIN(a->skip, (int64_t)n);
        a->skip -= drop;
        if (n > drop) {
            uint8_t *planes[8];
            for (int c = 0; c < a->layout.nb_channels && c < 8; c++)
                planes[c] = buf[c] + drop * sizeof(float);
            ret = av_audio_fifo_write(a->fifo, (void **)planes, n - drop);
        }
    }
    av_freep(&buf[0]);
    av_freep(&buf);
    return ret < 0 ? ret : 0;
}

/* Encodes what the video has reached, once the start is known. */
static int encode_reached(tc_audio *a, const ladder_sink *sink, ladder_error *err)
{
    int ret = 0;

    if (!a->aligned && a->started && a->video_first != INT64_MIN)
        ret = align_start(a);
    if (ret < 0)
        return media_error_from_av(err, ret, "audio alignment failed");
    if (av_audio_fifo_size(a->fifo) > (int64_t)a->rate * AUDIO_MAX_LEAD_SECONDS)
        return ladder_error_set(err, LADDER_EINPUT,
                                "the audio runs more than %d s ahead of the video (at %.1f s): "
                                "audio much longer than the video, or not interleaved with it",
                                AUDIO_MAX_LEAD_SECONDS,
                                a->horizon == INT64_MIN ? 0.0 : (double)a->horizon / a->rate);
    return a->aligned ? drain_fifo(a, a->horizon, 0, sink, err) : 0;
}

/* The resampler fills a hole in the timestamps with silence it holds in memory, so a jump
 * ahead of more than AUDIO_MAX_LEAD_SECONDS is refused before it reaches the resampler. */
static int check_jump(tc_audio *a, const AVFrame *f, ladder_error *err)
{
    int64_t expected = a->next_in;

    if (f->pts == AV_NOPTS_VALUE || f->sample_rate <= 0)
        return 0;
    a->next_in = f->pts + av_rescale_q(f->nb_samples, (AVRational){1, f->sample_rate}, a->src_tb);
    if (expected != AV_NOPTS_VALUE &&
        av_compare_ts(f->pts - expected, a->src_tb, AUDIO_MAX_LEAD_SECONDS, (AVRational){1, 1}) > 0)
        return ladder_error_set(
            err, LADDER_EINPUT, "the audio's timestamps jump ahead by %.0f s at %.1f s",
            (f->pts - expected) * av_q2d(a->src_tb), (expected - a->origin) * av_q2d(a->src_tb));
    return 0;
}

static int decode_available(tc_audio *a, const ladder_sink *sink, ladder_error *err)
{
    for (;;) {
        int ret = avcodec_receive_frame(a->dec, a->decoded);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return media_error_from_av(err, ret, "audio decoding failed");
        if (!a->started) {
            int64_t ts = a->decoded->best_effort_timestamp != AV_NOPTS_VALUE
                             ? a->decoded->best_effort_timestamp
                             : a->decoded->pts;
            a->started = 1;
            a->audio_first = ts == AV_NOPTS_VALUE ? 0 : to_samples(a, ts - a->origin, a->src_tb);
            if (a->audio_first < 0) { /* before the video's origin: cut as it comes */
                a->skip = -a->audio_first;
                a->audio_first = 0;
            }
        }
        if (check_jump(a, a->decoded, err) < 0) {
            av_frame_unref(a->decoded);
            return LADDER_EINPUT;
        }
        ret = resample_into_fifo(a, a->decoded);
        av_frame_unref(a->decoded);
        if (ret < 0)
            return media_error_from_av(err, ret, "audio resampling failed");
        ret = encode_reached(a, sink, err);
        if (ret < 0)
            return ret;
    }
}

int tc_audio_packet(tc_audio *a, AVPacket *pkt, const ladder_sink *sink, ladder_error *err)
{
    int ret = avcodec_send_packet(a->dec, pkt);

    if (ret < 0 && ret != AVERROR(EAGAIN)) {
        /* One damaged audio packet is not worth failing a show for; the decoder resyncs. */
        ladder_log(a->logger, LADDER_LOG_DEBUG, "tc", "damaged audio packet skipped");
        return 0;
    }
    return decode_available(a, sink, err);
}

void tc_audio_video_at(tc_audio *a, int64_t pts)
{
    int64_t at = to_samples(a, pts, (AVRational){1, LADDER_VIDEO_TIMEBASE});

    if (a->video_first == INT64_MIN)
        a->video_first = at;
    if (at > a->horizon)
        a->horizon = at;
}

/* At the end: audio that ends more than a frame away from the video's end is cut, or padded
 * with silence a second at a time; audio that stops more than AUDIO_MAX_LEAD_SECONDS early is
 * refused (a video clock that jumps ahead would otherwise ask for hours of silence). */
static int conform_end(tc_audio *a, int64_t video_end, const ladder_sink *sink, ladder_error *err)
{
    int64_t end = to_samples(a, video_end, (AVRational){1, LADDER_VIDEO_TIMEBASE}), have;
    int ret;

    if (!a->started) { /* no audio frame decoded at all: silence throughout */
        a->started = 1;
        a->audio_first = a->video_first;
    }
    ret = encode_reached(a, sink, err);
    if (ret < 0)
        return ret;
    have = a->samples_out + av_audio_fifo_size(a->fifo);
    if (have > end + a->frame_size) {
        ret = drain_fifo(a, end, 1, sink, err);
        av_audio_fifo_reset(a->fifo);
        return ret;
    }
    if (end - have > (int64_t)a->rate * AUDIO_MAX_LEAD_SECONDS)
        return ladder_error_set(
            err, LADDER_EINPUT, "the audio ends %.1f s before the video (at %.1f s of %.1f s)",
            (double)(end - have) / a->rate, (double)have / a->rate, (double)end / a->rate);
    while (have < end - a->frame_size) {
        int64_t n = FFMIN(end - have, (int64_t)a->rate);
        ret = write_silence(a, (int)n);
        if (ret < 0)
            return media_error_from_av(err, ret, "audio padding failed");
        have += n;
        ret = drain_fifo(a, have, 0, sink, err);
        if (ret < 0)
            return ret;
    }
    return drain_fifo(a, have, 1, sink, err);
}

int tc_audio_finish(tc_audio *a, int64_t video_end, const ladder_sink *sink, ladder_error *err)
{
    int ret;

    avcodec_send_packet(a->dec, NULL);
    ret = decode_available(a, sink, err);
    if (ret >= 0)
        ret = resample_into_fifo(a, NULL) < 0 ? ladder_error_set(err, LADDER_ENOMEM, "resampling")
                                              : 0;
    if (ret >= 0 && a->video_first != INT64_MIN)
        ret = conform_end(a, video_end, sink, err);
    if (ret >= 0)
        ret = encode_chunk(a, NULL, sink, err);
    for (int i = 0; ret >= 0 && i < a->n; i++) {
        ladder_stream_stats *s = &a->tracks[i].stats;
        if (s->frames == 0)
            continue;
        s->duration = (double)(a->tracks[i].last_end - a->tracks[i].first_pts) / a->rate;
        s->avg_kbps = s->duration > 0 ? s->bytes * 8 / s->duration / 1000 : 0;
    }
    return ret;
}

const ladder_stream_stats *tc_audio_stats(const tc_audio *a, int stream)
{
    for (int i = 0; a && i < a->n; i++)
        if (a->tracks[i].stream == stream)
            return &a->tracks[i].stats;
    return NULL;
}

void tc_audio_close(tc_audio *a)
{
    if (!a)
        return;
    for (int i = 0; i < AUDIO_MAX_ENCODERS; i++)
        avcodec_free_context(&a->tracks[i].enc);
    avcodec_free_context(&a->dec);
    swr_free(&a->swr);
    av_channel_layout_uninit(&a->in_layout);
    if (a->fifo)
        av_audio_fifo_free(a->fifo);
    av_frame_free(&a->decoded);
    av_frame_free(&a->chunk);
    av_packet_free(&a->out_pkt);
    av_channel_layout_uninit(&a->layout);
    av_free(a);
}

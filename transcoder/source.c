/* source.c: the input side. Opens the mezzanine with libavformat, decodes its video once and
 * normalizes every picture (deinterlace, rotation) with a libavfilter graph that is built only
 * when the source needs it. Audio packets are handed out undecoded to audio.c. CEA-608 comes
 * either inside the H.264 (the decoder puts it on each picture as A/53 side data) or as a
 * caption track beside it (a MOV c608 track), whose bytes are put on the pictures the same
 * way, so everything after this file sees one form. */
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>

#include "tc_internal.h"

/* Caption bytes from a caption track, waiting for the picture they belong to. */
typedef struct cc_packet {
    int64_t pts; /* 1/90000 from the video origin */
    uint8_t data[3 * 31];
    int size;
} cc_packet;

#define CC_PENDING_MAX 64 /* about two seconds of pictures */

struct tc_source {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVStream *video, *audio;
    AVStream *captions;         /* an EIA-608 track, or NULL */
    ladder_cc_decoder *cc_text; /* where its bytes are decoded to text, at their own times */
    cc_packet pending[CC_PENDING_MAX];
    int n_pending;
    AVFilterGraph *graph; /* NULL when pictures pass through untouched */
    AVFilterContext *buf_src, *buf_sink;
    AVPacket *pkt;
    AVFrame *decoded;
    int rotation;   /* clockwise degrees applied */
    int interlaced; /* deinterlacing on */
    int64_t origin; /* video start, in the video stream's time base */
    int draining;   /* the demuxer reached its end; the decoder is being flushed */
    int finished;   /* the filter graph has been flushed too */
    int decode_errors;
    int64_t decoded_pictures;
    int idle_pulls; /* guards the flush loop against a decoder that never ends */
    char *path;
    struct stat opened; /* the file as it was when opened: a copy still running changes it */
    const ladder_logger *logger;
};

static int rotation_of(const AVStream *st)
{
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    double theta;

    if (!m)
        return 0;
    theta = -av_display_rotation_get((const int32_t *)m);
    if (isnan(theta))
        return 0;
    theta -= 360 * floor(theta / 360 + 0.9 / 360);
    return ((int)lround(theta / 90) % 4) * 90;
}

static int is_interlaced(const AVCodecParameters *par)
{
    return par->field_order == AV_FIELD_TT || par->field_order == AV_FIELD_BB ||
           par->field_order == AV_FIELD_TB || par->field_order == AV_FIELD_BT;
}

static const char *rotation_filter(int rotation)
{
    switch (rotation) {
    case 90:
        return "transpose=clock";
    case 180:
        return "hflip,vflip";
    case 270:
        return "transpose=cclock";
    default:
        return NULL;
    }
}

/* Builds buffer -> [bwdif] -> [rotation] -> buffersink. */
static int build_graph(tc_source *s, ladder_error *err)
{
    char args[256], chain[128] = "";
    AVFilterInOut *in = NULL, *out = NULL;
    const char *rot = rotation_filter(s->rotation);
    AVRational sar = s->dec->sample_aspect_ratio;
    int ret;

    if (!s->interlaced && !rot)
        return 0;
    snprintf(chain, sizeof chain, "%s%s%s", s->interlaced ? "bwdif=mode=send_frame:deint=all" : "",
             s->interlaced && rot ? "," : "", rot ? rot : "");
    s->graph = avfilter_graph_alloc();
    if (!s->graph)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    s->graph->nb_threads = 1;
    snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
             s->dec->width, s->dec->height, s->dec->pix_fmt, s->video->time_base.num,
             s->video->time_base.den, sar.num > 0 ? sar.num : 1, sar.den > 0 ? sar.den : 1);
    ret = avfilter_graph_create_filter(&s->buf_src, avfilter_get_by_name("buffer"), "in", args,
                                       NULL, s->graph);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(&s->buf_sink, avfilter_get_by_name("buffersink"), "out",
                                           NULL, NULL, s->graph);
    if (ret >= 0 && (!(out = avfilter_inout_alloc()) || !(in = avfilter_inout_alloc())))
        ret = AVERROR(ENOMEM);
    if (ret >= 0) {
        out->name = av_strdup("in");
        out->filter_ctx = s->buf_src;
        in->name = av_strdup("out");
        in->filter_ctx = s->buf_sink;
        ret = avfilter_graph_parse_ptr(s->graph, chain, &in, &out, NULL);
    }
    if (ret >= 0)
        ret = avfilter_graph_config(s->graph, NULL);
    avfilter_inout_free(&in);
    avfilter_inout_free(&out);
    return ret < 0 ? media_error_from_av(err, ret, "cannot set up deinterlace/rotate filters") : 0;
}

static int open_decoder(tc_source *s, const char *path, ladder_error *err)
{
    const AVCodec *codec = avcodec_find_decoder(s->video->codecpar->codec_id);
    int ret;

    if (!codec)
        return ladder_error_set(err, LADDER_EINPUT, "%s: no decoder for video codec '%s'", path,
                                avcodec_get_name(s->video->codecpar->codec_id));
    s->dec = avcodec_alloc_context3(codec);
    if (!s->dec)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = avcodec_parameters_to_context(s->dec, s->video->codecpar);
    if (ret < 0)
        return media_error_from_av(err, ret, path);
    /* One decoding thread: the encoders already use every core. */
    s->dec->thread_count = 1;
    s->dec->pkt_timebase = s->video->time_base;
    ret = avcodec_open2(s->dec, codec, NULL);
    if (ret < 0)
        return media_error_from_av(err, ret, path);
    if (s->dec->width <= 0 || s->dec->height <= 0 || s->dec->pix_fmt == AV_PIX_FMT_NONE)
        return ladder_error_set(err, LADDER_EINPUT, "%s: the video stream has no usable pictures",
                                path);
    return 0;
}

static int open_input(tc_source *s, const char *path, ladder_error *err)
{
    int ret = avformat_open_input(&s->fmt, path, NULL, NULL);

    if (ret == AVERROR(ENOENT))
        return ladder_error_set(err, LADDER_ENOTFOUND, "%s: no such file", path);
    if (ret == AVERROR_INVALIDDATA)
        return ladder_error_set(err, LADDER_EINPUT,
                                "%s: not a media file (empty, damaged or an unknown format)", path);
    if (ret == AVERROR_EOF) /* the container's header itself is cut short */
        return ladder_error_set(err, LADDER_EINPUT,
                                "%s: the file ends inside its header (truncated)", path);
    if (ret < 0)
        return media_error_from_av(err, ret, path);
    ret = avformat_find_stream_info(s->fmt, NULL);
    if (ret < 0)
        return media_error_from_av(err, ret, path);
    ret = av_find_best_stream(s->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (ret < 0)
        return ladder_error_set(err, LADDER_EINPUT, "%s: has no video stream", path);
    s->video = s->fmt->streams[ret];
    ret = av_find_best_stream(s->fmt, AVMEDIA_TYPE_AUDIO, -1, s->video->index, NULL, 0);
    s->audio = ret >= 0 ? s->fmt->streams[ret] : NULL;
    for (unsigned i = 0; i < s->fmt->nb_streams && !s->captions; i++)
        if (s->fmt->streams[i]->codecpar->codec_id == AV_CODEC_ID_EIA_608)
            s->captions = s->fmt->streams[i];
    return 0;
}

int tc_source_open(tc_source **out, const char *path, const ladder_logger *lg, ladder_error *err)
{
    tc_source *s = av_mallocz(sizeof *s);
    int ret;

    *out = NULL;
    if (!s)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    s->logger = lg;
    s->path = av_strdup(path);
    if (!s->path || stat(path, &s->opened) != 0)
        memset(&s->opened, 0, sizeof s->opened);
    ret = open_input(s, path, err);
    if (ret >= 0)
        ret = open_decoder(s, path, err);
    if (ret >= 0) {
        s->rotation = rotation_of(s->video);
        s->interlaced = is_interlaced(s->video->codecpar);
        s->origin = s->video->start_time != AV_NOPTS_VALUE ? s->video->start_time : 0;
        ret = build_graph(s, err);
    }
    if (ret >= 0 && (!(s->pkt = av_packet_alloc()) || !(s->decoded = av_frame_alloc())))
        ret = ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (ret < 0) {
        tc_source_close(s);
        return ret;
    }
    *out = s;
    return 0;
}

void tc_source_close(tc_source *s)
{
    if (!s)
        return;
    avfilter_graph_free(&s->graph);
    avcodec_free_context(&s->dec);
    avformat_close_input(&s->fmt);
    av_packet_free(&s->pkt);
    av_frame_free(&s->decoded);
    av_free(s->path);
    av_free(s);
}

AVStream *tc_source_audio_stream(const tc_source *s)
{
    return s->audio;
}

int tc_source_seek(tc_source *s, int64_t pts, ladder_error *err)
{
    /* A second before: the keyframe found by decoding time must come before the first picture
     * wanted in presentation time, and a deinterlacer's first picture needs the one before. */
    int64_t ts = av_rescale_q(pts - LADDER_VIDEO_TIMEBASE, (AVRational){1, LADDER_VIDEO_TIMEBASE},
                              s->video->time_base);
    int ret = av_seek_frame(s->fmt, s->video->index, s->origin + ts, AVSEEK_FLAG_BACKWARD);

    if (ret < 0)
        return media_error_from_av(err, ret, "seeking in the source failed");
    avcodec_flush_buffers(s->dec);
    s->n_pending = 0;
    return 0;
}

int tc_source_has_caption_track(const tc_source *s)
{
    return s->captions != NULL;
}

/* The broadcast rates a measured average may be a hair off: an MP4 whose last picture has no
 * duration averages 420 pictures over 13.967 s, 30.07 fps, which a 30 fps cap would halve. */
static const AVRational standard_rates[] = {{24000, 1001}, {24, 1}, {25, 1},       {30000, 1001},
                                            {30, 1},       {50, 1}, {60000, 1001}, {60, 1}};

/* The standard rate within 1% of r (the nearest), else r itself. */
static AVRational nearest_standard(AVRational r)
{
    AVRational best = r;
    double off = 0.01;

    for (size_t i = 0; i < sizeof standard_rates / sizeof standard_rates[0]; i++)
        if (fabs(av_q2d(r) / av_q2d(standard_rates[i]) - 1) < off) {
            off = fabs(av_q2d(r) / av_q2d(standard_rates[i]) - 1);
            best = standard_rates[i];
        }
    return best;
}

static void guess_fps(const tc_source *s, int *num, int *den)
{
    AVRational r = s->video->avg_frame_rate, base = s->video->r_frame_rate;

    if (r.num <= 0 || r.den <= 0 || av_q2d(r) > 240)
        r = base;
    if (r.num <= 0 || r.den <= 0 || av_q2d(r) > 240)
        r = (AVRational){30, 1};
    /* The stream's own base rate settles which of two near rates (60 or 59.94) it is. */
    if (base.num > 0 && base.den > 0 && av_cmp_q(nearest_standard(base), base) == 0 &&
        fabs(av_q2d(r) / av_q2d(base) - 1) < 0.01)
        r = base;
    else
        r = nearest_standard(r);
    /* Snap the NTSC family so 29.97 stays 30000/1001, not a long rational from averaging. */
    av_reduce(&r.num, &r.den, r.num, r.den, 1 << 20);
    *num = r.num;
    *den = r.den;
}

void tc_source_describe(const tc_source *s, ladder_plan *plan, tc_source_info *info)
{
    AVRational sar = av_guess_sample_aspect_ratio(s->fmt, s->video, NULL);
    int w = s->dec->width, h = s->dec->height, swap = s->rotation == 90 || s->rotation == 270;

    if (sar.num <= 0 || sar.den <= 0)
        sar = (AVRational){1, 1};
    memset(info, 0, sizeof *info);
    info->width = swap ? h : w;
    info->height = swap ? w : h;
    info->sar_num = swap ? sar.den : sar.num;
    info->sar_den = swap ? sar.num : sar.den;
    guess_fps(s, &info->fps_num, &info->fps_den);
    info->has_audio = s->audio != NULL;
    info->audio_sample_rate = s->audio ? s->audio->codecpar->sample_rate : 0;

    plan->src_width = (int)lround((double)info->width * info->sar_num / info->sar_den);
    plan->src_height = info->height;
    plan->src_fps_num = info->fps_num;
    plan->src_fps_den = info->fps_den;
    plan->src_duration = s->fmt->duration > 0 ? s->fmt->duration / (double)AV_TIME_BASE : 0;
    plan->src_rotation = s->rotation;
    plan->src_interlaced = s->interlaced;
    plan->src_has_audio = info->has_audio;
    snprintf(plan->src_video_codec, sizeof plan->src_video_codec, "%s",
             avcodec_get_name(s->video->codecpar->codec_id));
    snprintf(plan->src_pix_fmt, sizeof plan->src_pix_fmt, "%s",
             av_get_pix_fmt_name(s->dec->pix_fmt) ? av_get_pix_fmt_name(s->dec->pix_fmt) : "?");
}

int tc_source_decode_errors(const tc_source *s)
{
    return s->decode_errors;
}

int64_t tc_source_decoded_pictures(const tc_source *s)
{
    return s->decoded_pictures;
}

double tc_source_video_duration(const tc_source *s)
{
    if (s->video->duration > 0)
        return s->video->duration * av_q2d(s->video->time_base);
    return s->fmt->duration > 0 ? s->fmt->duration / (double)AV_TIME_BASE : 0;
}

int tc_source_check_unchanged(const tc_source *s, ladder_error *err)
{
    struct stat now;

    if (!s->path || !S_ISREG(s->opened.st_mode) || stat(s->path, &now) != 0)
        return 0;
    if (now.st_size == s->opened.st_size && now.st_mtim.tv_sec == s->opened.st_mtim.tv_sec &&
        now.st_mtim.tv_nsec == s->opened.st_mtim.tv_nsec)
        return 0;
    return ladder_error_set(err, LADDER_EINPUT,
                            "%s: the file changed while it was read: is it still being copied?",
                            s->path);
}

int64_t tc_source_origin(const tc_source *s, AVRational tb)
{
    return av_rescale_q(s->origin, s->video->time_base, tb);
}

/* A caption track's bytes up to the picture's time go on the picture as A/53 side data (31
 * triplets at most, the rest on the next picture), unless its H.264 carried its own. */
static int attach_captions(tc_source *s, AVFrame *f)
{
    uint8_t cc_data[3 * 31];
    int size = 0, used = 0;
    AVFrameSideData *sd;

    if (s->n_pending == 0 || av_frame_get_side_data(f, AV_FRAME_DATA_A53_CC))
        return 0;
    while (used < s->n_pending && s->pending[used].pts <= f->pts &&
           size + s->pending[used].size <= (int)sizeof cc_data) {
        memcpy(cc_data + size, s->pending[used].data, s->pending[used].size);
        size += s->pending[used++].size;
    }
    memmove(s->pending, s->pending + used, (s->n_pending - used) * sizeof *s->pending);
    s->n_pending -= used;
    if (size == 0)
        return 0;
    sd = av_frame_new_side_data(f, AV_FRAME_DATA_A53_CC, size);
    if (!sd)
        return -1;
    memcpy(sd->data, cc_data, size);
    return 0;
}

/* Keeps a caption track packet's triplets until their picture is out of the decoder (a
 * track that runs ahead of the pictures by more than CC_PENDING_MAX loses its oldest), and
 * decodes them to text at the packet's own time: the picture may already be out. */
static int hold_captions(tc_source *s, const AVPacket *pkt, ladder_error *err)
{
    const AVRational out_tb = {1, LADDER_VIDEO_TIMEBASE};
    cc_packet *c;

    if (pkt->pts == AV_NOPTS_VALUE || pkt->size < 3)
        return 0;
    if (s->n_pending == CC_PENDING_MAX)
        memmove(s->pending, s->pending + 1, --s->n_pending * sizeof *s->pending);
    c = &s->pending[s->n_pending++];
    c->pts = av_rescale_q(pkt->pts, s->captions->time_base, out_tb) - tc_source_origin(s, out_tb);
    c->size = pkt->size / 3 * 3 < (int)sizeof c->data ? pkt->size / 3 * 3 : (int)sizeof c->data;
    memcpy(c->data, pkt->data, c->size);
    return s->cc_text ? ladder_cc_decoder_feed(s->cc_text, c->pts, c->data, c->size, err) : 0;
}

void tc_source_decode_captions_with(tc_source *s, ladder_cc_decoder *d)
{
    s->cc_text = d;
}

/* Turns a decoded or filtered frame, whose timestamps are in `tb`, into the caller's frame
 * with a 1/90000 pts. (A filter graph may change the time base: bwdif halves it.) */
static int emit(tc_source *s, AVFrame *src, AVRational tb, AVFrame **frame)
{
    const AVRational out_tb = {1, LADDER_VIDEO_TIMEBASE};
    int64_t ts =
        src->best_effort_timestamp != AV_NOPTS_VALUE ? src->best_effort_timestamp : src->pts;
    AVFrame *f;

    if (ts == AV_NOPTS_VALUE) {
        av_frame_unref(src);
        return 0; /* a picture without a time cannot be placed; skip it */
    }
    f = av_frame_alloc();
    if (!f)
        return AVERROR(ENOMEM);
    av_frame_move_ref(f, src);
    f->pts = av_rescale_q(ts, tb, out_tb) - av_rescale_q(s->origin, s->video->time_base, out_tb);
    *frame = f;
    return attach_captions(s, f) < 0 ? AVERROR(ENOMEM) : 1;
}

/* Pulls one picture out of the filter graph (or the decoder when there is no graph). */
static int pull_picture(tc_source *s, AVFrame **frame)
{
    int ret;

    if (!s->graph) {
        ret = avcodec_receive_frame(s->dec, s->decoded);
        if (ret == AVERROR_EOF)
            s->finished = 1;
        if (ret < 0)
            return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
        if (s->decoded->decode_error_flags || (s->decoded->flags & AV_FRAME_FLAG_CORRUPT))
            s->decode_errors++;
        s->decoded_pictures++;
        return emit(s, s->decoded, s->video->time_base, frame);
    }
    for (;;) {
        ret = av_buffersink_get_frame(s->buf_sink, s->decoded);
        if (ret >= 0) {
            s->decoded->best_effort_timestamp = s->decoded->pts;
            return emit(s, s->decoded, av_buffersink_get_time_base(s->buf_sink), frame);
        }
        if (ret == AVERROR_EOF) {
            s->finished = 1;
            return 0;
        }
        if (ret != AVERROR(EAGAIN))
            return ret;
        ret = avcodec_receive_frame(s->dec, s->decoded);
        if (ret == AVERROR_EOF)
            return av_buffersrc_add_frame(s->buf_src, NULL) < 0 ? AVERROR(ENOMEM) : 0;
        if (ret < 0)
            return ret == AVERROR(EAGAIN) ? 0 : ret;
        s->decoded_pictures++;
        s->decoded->pts = s->decoded->best_effort_timestamp;
        ret = av_buffersrc_add_frame_flags(s->buf_src, s->decoded, AV_BUFFERSRC_FLAG_KEEP_REF);
        av_frame_unref(s->decoded);
        if (ret < 0)
            return ret;
    }
}

/* Feeds the decoder one video packet, or the flush signal once the demuxer is done. */
static int feed(tc_source *s, tc_audio_packet_fn on_audio, void *opaque, ladder_error *err)
{
    int ret = av_read_frame(s->fmt, s->pkt);

    /* A damaged tail reads as an error at end of file; the caller's duration check decides
     * whether what was decoded is enough. */
    if (ret == AVERROR_EOF || (ret < 0 && s->fmt->pb && avio_feof(s->fmt->pb))) {
        s->draining = 1;
        avcodec_send_packet(s->dec, NULL);
        return 0;
    }
    if (ret < 0)
        return media_error_from_av(err, ret, "reading the source failed");
    if (s->pkt->stream_index == s->video->index) {
        ret = avcodec_send_packet(s->dec, s->pkt);
        if (ret < 0 && ret != AVERROR(EAGAIN)) {
            s->decode_errors++;
            ladder_log(s->logger, LADDER_LOG_DEBUG, "tc", "damaged video packet skipped");
        }
    } else if (s->captions && s->pkt->stream_index == s->captions->index) {
        ret = hold_captions(s, s->pkt, err);
        if (ret < 0) {
            av_packet_unref(s->pkt);
            return ret;
        }
    } else if (s->audio && s->pkt->stream_index == s->audio->index && on_audio) {
        ret = on_audio(opaque, s->pkt);
        if (ret < 0) {
            av_packet_unref(s->pkt);
            return ret;
        }
    }
    av_packet_unref(s->pkt);
    return 0;
}

int tc_source_next(tc_source *s, AVFrame **frame, tc_audio_packet_fn on_audio, void *opaque,
                   ladder_error *err)
{
    *frame = NULL;
    while (!s->finished) {
        int ret = pull_picture(s, frame);
        if (ret < 0)
            return media_error_from_av(err, ret, "decoding the source failed");
        if (ret > 0)
            return 1;
        if (s->finished)
            break;
        if (s->draining && ++s->idle_pulls > 1000)
            return ladder_error_set(err, LADDER_EINPUT, "the video decoder did not finish");
        if (s->draining)
            continue; /* the decoder is flushing; keep pulling until it reports the end */
        ret = feed(s, on_audio, opaque, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* ---- the video's packets, undecoded (the audio job) --------------------------------------- */

/* Progressive H.264 only: there a packet is one picture, its pts the decoded picture's, and its
 * SEI the decoder's A/53 side data. Interlaced pictures are deinterlaced into two, and other
 * codecs carry their captions elsewhere: those are decoded as before. */
int tc_source_packets_suffice(const tc_source *s)
{
    return s->video->codecpar->codec_id == AV_CODEC_ID_H264 && !s->interlaced;
}

/* The size of the NAL length prefix in the packets: avcC's lengthSizeMinusOne + 1, or 0 for
 * Annex B start codes (MPEG-TS). */
static int nal_length_size(const AVCodecParameters *par)
{
    if (par->extradata_size >= 5 && par->extradata[0] == 1)
        return (par->extradata[4] & 3) + 1;
    return 0;
}

static int video_packet(tc_source *s, const AVPacket *pkt, tc_video_packet *vp)
{
    const AVRational out_tb = {1, LADDER_VIDEO_TIMEBASE};
    int got;

    if (pkt->pts == AV_NOPTS_VALUE)
        return 0; /* as a decoded picture without a time: no place for it */
    vp->pts = av_rescale_q(pkt->pts, s->video->time_base, out_tb) -
              av_rescale_q(s->origin, s->video->time_base, out_tb);
    vp->cc_size = 0;
    if (s->captions)
        return 1; /* a caption track stands for the bytes in the pictures (attach_captions) */
    got = tc_h264_a53_cc(pkt->data, pkt->size, nal_length_size(s->video->codecpar), vp->cc,
                         (int)sizeof vp->cc);
    if (got < 0)
        return -1;
    vp->cc_size = got;
    return 1;
}

int tc_source_next_packet(tc_source *s, tc_video_packet *vp, tc_audio_packet_fn on_audio,
                          void *opaque, ladder_error *err)
{
    for (;;) {
        int ret = av_read_frame(s->fmt, s->pkt);
        if (ret == AVERROR_EOF || (ret < 0 && s->fmt->pb && avio_feof(s->fmt->pb)))
            return 0;
        if (ret < 0)
            return media_error_from_av(err, ret, "reading the source failed");
        if (s->pkt->stream_index == s->video->index) {
            ret = video_packet(s, s->pkt, vp);
            av_packet_unref(s->pkt);
            if (ret < 0)
                return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
            if (ret > 0)
                return 1;
            continue;
        }
        if (s->captions && s->pkt->stream_index == s->captions->index)
            ret = hold_captions(s, s->pkt, err);
        else if (s->audio && s->pkt->stream_index == s->audio->index && on_audio)
            ret = on_audio(opaque, s->pkt);
        av_packet_unref(s->pkt);
        if (ret < 0)
            return ret;
    }
}

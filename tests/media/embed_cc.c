/* embed_cc.c IN OUT: a test mezzanine with CEA-608 inside its H.264, the way broadcast masters
 * carry it. IN has a video stream, a CEA-608 track (a MOV c608 track, as make-captioned.sh
 * makes from an SCC file) and optionally audio. The video is re-encoded with FFmpeg's libx264
 * wrapper, each picture given A/53 cc_data side data (which the wrapper writes as SEI): one
 * field-1 byte pair from the track per picture, as 608 is paced on air, and a field-2 null
 * pair. Audio is copied. Written for Ladder's tests only; it is not part of `ladder`. */
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>

#define MAX_PAIRS 65536

typedef struct pair {
    int64_t pts; /* the track's time, in the video's time base */
    uint8_t b[3];
} pair;

static pair pairs[MAX_PAIRS];
static int n_pairs;

static int fail(const char *what)
{
    fprintf(stderr, "embed_cc: %s\n", what);
    return 1;
}

/* Every byte triplet of the CEA-608 track, with its packet's time. */
static int read_track(const char *in, AVRational video_tb)
{
    AVFormatContext *ic = NULL;
    AVPacket *p = av_packet_alloc();
    int cc = -1;

    if (!p || avformat_open_input(&ic, in, NULL, NULL) < 0 ||
        avformat_find_stream_info(ic, NULL) < 0)
        return -1;
    for (unsigned i = 0; i < ic->nb_streams; i++)
        if (ic->streams[i]->codecpar->codec_id == AV_CODEC_ID_EIA_608)
            cc = (int)i;
    while (cc >= 0 && av_read_frame(ic, p) >= 0) {
        for (int k = 0; p->stream_index == cc && k + 3 <= p->size && n_pairs < MAX_PAIRS; k += 3) {
            pairs[n_pairs].pts = av_rescale_q(p->pts, ic->streams[cc]->time_base, video_tb);
            memcpy(pairs[n_pairs++].b, p->data + k, 3);
        }
        av_packet_unref(p);
    }
    av_packet_free(&p);
    avformat_close_input(&ic);
    return cc >= 0 ? 0 : -1;
}

/* 608 sends one field-1 byte pair per 1/29.97 s (ANSI/CTA-708 4.3.6.1): up to 30 fps a
 * picture carries the next pair due (a null pair when none is) and a field-2 null pair; above,
 * pictures take turns, a field-1 pair on one, a field-2 null pair on the next. */
static int attach(AVFrame *f, int *next, int high_rate, int64_t *count)
{
    static const uint8_t null1[3] = {0xfc, 0x80, 0x80}, null2[3] = {0xfd, 0x80, 0x80};
    int field1 = !high_rate || (*count)++ % 2 == 0, field2 = !high_rate || !field1;
    AVFrameSideData *sd = av_frame_new_side_data(f, AV_FRAME_DATA_A53_CC, 3 * (field1 + field2));

    if (!sd)
        return -1;
    if (field1 && *next < n_pairs && pairs[*next].pts <= f->pts)
        memcpy(sd->data, pairs[(*next)++].b, 3);
    else if (field1)
        memcpy(sd->data, null1, 3);
    if (field2)
        memcpy(sd->data + 3 * field1, null2, 3);
    return 0;
}

static int write_packets(AVCodecContext *enc, AVFormatContext *oc, AVPacket *p)
{
    int ret;

    while ((ret = avcodec_receive_packet(enc, p)) >= 0) {
        av_packet_rescale_ts(p, enc->time_base, oc->streams[0]->time_base);
        p->stream_index = 0;
        if (av_interleaved_write_frame(oc, p) < 0)
            return -1;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : -1;
}

int main(int argc, char **argv)
{
    AVFormatContext *ic = NULL, *oc = NULL;
    AVCodecContext *dec = NULL, *enc = NULL;
    AVPacket *p = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    int v = -1, a = -1, next = 0, ret = 0, high_rate;
    int64_t count = 0;

    av_log_set_level(AV_LOG_ERROR);
    if (argc != 3)
        return fail("usage: embed_cc IN OUT");
    if (avformat_open_input(&ic, argv[1], NULL, NULL) < 0 ||
        avformat_find_stream_info(ic, NULL) < 0)
        return fail("cannot read the input");
    v = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    a = av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (v < 0 || read_track(argv[1], ic->streams[v]->time_base) < 0)
        return fail("the input needs a video stream and a CEA-608 track");
    high_rate = av_q2d(ic->streams[v]->avg_frame_rate) > 31;
    dec = avcodec_alloc_context3(avcodec_find_decoder(ic->streams[v]->codecpar->codec_id));
    enc = avcodec_alloc_context3(avcodec_find_encoder_by_name("libx264"));
    if (!dec || !enc || avcodec_parameters_to_context(dec, ic->streams[v]->codecpar) < 0 ||
        avcodec_open2(dec, NULL, NULL) < 0)
        return fail("cannot decode the video");
    enc->width = dec->width;
    enc->height = dec->height;
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->time_base = ic->streams[v]->time_base;
    enc->framerate = ic->streams[v]->avg_frame_rate;
    enc->bit_rate = 3000000;
    av_opt_set(enc->priv_data, "preset", "veryfast", 0);
    av_opt_set_int(enc->priv_data, "a53cc", 1, 0);
    if (avformat_alloc_output_context2(&oc, NULL, NULL, argv[2]) < 0)
        return fail("cannot write the output");
    if (oc->oformat->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (avcodec_open2(enc, NULL, NULL) < 0 || !avformat_new_stream(oc, NULL) ||
        avcodec_parameters_from_context(oc->streams[0]->codecpar, enc) < 0)
        return fail("cannot open libx264");
    oc->streams[0]->time_base = enc->time_base;
    if (a >= 0 && (!avformat_new_stream(oc, NULL) ||
                   avcodec_parameters_copy(oc->streams[1]->codecpar, ic->streams[a]->codecpar) < 0))
        return fail("cannot copy the audio");
    if (a >= 0)
        oc->streams[1]->time_base = ic->streams[a]->time_base;
    if (avio_open(&oc->pb, argv[2], AVIO_FLAG_WRITE) < 0 || avformat_write_header(oc, NULL) < 0)
        return fail("cannot write the output");
    while (ret >= 0 && av_read_frame(ic, p) >= 0) {
        if (p->stream_index == a) {
            av_packet_rescale_ts(p, ic->streams[a]->time_base, oc->streams[1]->time_base);
            p->stream_index = 1;
            ret = av_interleaved_write_frame(oc, p);
        } else if (p->stream_index == v && avcodec_send_packet(dec, p) >= 0) {
            while (ret >= 0 && avcodec_receive_frame(dec, f) >= 0) {
                f->pict_type = AV_PICTURE_TYPE_NONE;
                f->pts = f->best_effort_timestamp;
                ret = attach(f, &next, high_rate, &count);
                if (ret >= 0)
                    ret = avcodec_send_frame(enc, f) < 0 ? -1 : write_packets(enc, oc, p);
                av_frame_unref(f);
            }
        }
        av_packet_unref(p);
    }
    avcodec_send_packet(dec, NULL);
    while (ret >= 0 && avcodec_receive_frame(dec, f) >= 0) {
        f->pts = f->best_effort_timestamp;
        ret = attach(f, &next, high_rate, &count) < 0 || avcodec_send_frame(enc, f) < 0
                  ? -1
                  : write_packets(enc, oc, p);
        av_frame_unref(f);
    }
    avcodec_send_frame(enc, NULL);
    if (ret >= 0)
        ret = write_packets(enc, oc, p);
    if (ret >= 0)
        ret = av_write_trailer(oc);
    avio_closep(&oc->pb);
    avformat_free_context(oc);
    avcodec_free_context(&dec);
    avcodec_free_context(&enc);
    avformat_close_input(&ic);
    av_packet_free(&p);
    av_frame_free(&f);
    return ret < 0 ? fail("encoding failed") : 0;
}

/* poster.c: poster.jpg, a representative frame for players and social sharing: the IDR that
 * starts the segment a third of the way into the show, from the largest HLS rung up to 720p,
 * decoded and written as a JPEG with libavcodec. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "pkg_internal.h"

/* Decodes the first picture of a segment. */
static int first_picture(const char *path, AVFrame *out)
{
    AVFormatContext *ic = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    int ret = pkt ? ladder_open_segment(&ic, path) : AVERROR(ENOMEM), vi = -1;

    if (ret >= 0)
        ret = avformat_find_stream_info(ic, NULL);
    if (ret >= 0)
        ret = vi = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (ret >= 0 && !(dec = avcodec_alloc_context3(avcodec_find_decoder(AV_CODEC_ID_H264))))
        ret = AVERROR(ENOMEM);
    if (ret >= 0)
        ret = avcodec_parameters_to_context(dec, ic->streams[vi]->codecpar);
    if (ret >= 0)
        ret = avcodec_open2(dec, NULL, NULL);
    while (ret >= 0) {
        ret = avcodec_receive_frame(dec, out);
        if (ret >= 0 || ret != AVERROR(EAGAIN))
            break;
        ret = av_read_frame(ic, pkt);
        if (ret == AVERROR_EOF)
            ret = avcodec_send_packet(dec, NULL);
        else if (ret >= 0) {
            ret = pkt->stream_index == vi ? avcodec_send_packet(dec, pkt) : 0;
            av_packet_unref(pkt);
        }
    }
    avcodec_free_context(&dec);
    avformat_close_input(&ic);
    av_packet_free(&pkt);
    return ret;
}

int pkg_write_jpeg(AVFrame *yuvj, int qscale, const char *path, int64_t *bytes)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    AVCodecContext *enc = codec ? avcodec_alloc_context3(codec) : NULL;
    AVPacket *pkt = av_packet_alloc();
    FILE *f = NULL;
    int ret = enc && pkt ? 0 : AVERROR(ENOMEM);

    if (ret >= 0) {
        enc->width = yuvj->width;
        enc->height = yuvj->height;
        enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
        enc->time_base = (AVRational){1, 25};
        enc->flags |= AV_CODEC_FLAG_QSCALE | AV_CODEC_FLAG_BITEXACT;
        enc->global_quality = FF_QP2LAMBDA * qscale;
        ret = avcodec_open2(enc, codec, NULL);
    }
    if (ret >= 0) {
        yuvj->quality = enc->global_quality;
        ret = avcodec_send_frame(enc, yuvj);
    }
    if (ret >= 0)
        ret = avcodec_receive_packet(enc, pkt);
    if (ret >= 0 &&
        (!(f = fopen(path, "wb")) || fwrite(pkt->data, 1, pkt->size, f) != (size_t)pkt->size))
        ret = AVERROR(EIO);
    if (f && fclose(f) != 0 && ret >= 0)
        ret = AVERROR(EIO);
    if (ret >= 0 && bytes)
        *bytes = pkt->size;
    avcodec_free_context(&enc);
    av_packet_free(&pkt);
    return ret;
}

/* Writes a picture as a baseline JPEG file, converted to full range first. */
static int write_jpeg(const AVFrame *pic, const char *path)
{
    AVFrame *yuvj = av_frame_alloc();
    struct SwsContext *sws = NULL;
    int ret = yuvj ? 0 : AVERROR(ENOMEM);

    if (ret >= 0) {
        yuvj->format = AV_PIX_FMT_YUVJ420P; /* full range, as JPEG viewers expect */
        yuvj->width = pic->width;
        yuvj->height = pic->height;
        ret = av_frame_get_buffer(yuvj, 0);
    }
    if (ret >= 0 &&
        !(sws = sws_getContext(pic->width, pic->height, pic->format, pic->width, pic->height,
                               AV_PIX_FMT_YUVJ420P, SWS_BICUBIC, NULL, NULL, NULL)))
        ret = AVERROR(EINVAL);
    if (ret >= 0)
        ret = sws_scale_frame(sws, yuvj, pic);
    if (ret >= 0)
        ret = pkg_write_jpeg(yuvj, 3, path, NULL);
    sws_freeContext(sws);
    av_frame_free(&yuvj);
    return ret;
}

/* poster.jpg from the first picture of segment `segment` (file extension `ext`) of HLS rung
 * `rung`; *width and *height get its size (share pages announce it). */
static int write_poster(const char *out_dir, const char *rung, int segment, const char *ext,
                        int *width, int *height, ladder_error *err)
{
    char seg[PATH_MAX + 128], path[PATH_MAX + 16];
    AVFrame *pic = av_frame_alloc();
    int ret = pic ? 0 : AVERROR(ENOMEM);

    snprintf(seg, sizeof seg, "%s/hls/%s/seg%05d.%s", out_dir, rung, segment, ext);
    snprintf(path, sizeof path, "%s/poster.jpg", out_dir);
    if (ret >= 0)
        ret = first_picture(seg, pic);
    if (ret >= 0)
        ret = write_jpeg(pic, path);
    if (ret >= 0) {
        *width = pic->width;
        *height = pic->height;
    }
    av_frame_free(&pic);
    return ret < 0 ? media_error_from_av(err, ret, "writing poster.jpg") : 0;
}

/* The largest rung up to 720p, else the first; NULL without HLS rungs. */
static const hls_rung *poster_rung(const pkg_packager *p)
{
    const hls_rung *best = NULL;

    for (int i = 0; i < p->n_hls; i++) {
        const ladder_stream *v = &p->plan.streams[p->hls[i].stream];
        if (v->height <= 720 && v->width <= 1280 &&
            (!best || v->width * v->height > p->plan.streams[best->stream].width *
                                                 p->plan.streams[best->stream].height))
            best = &p->hls[i];
    }
    return best ? best : p->n_hls > 0 ? &p->hls[0] : NULL;
}

int make_poster(pkg_packager *p, ladder_error *err)
{
    const hls_rung *best = poster_rung(p);

    if (!best || best->w.n_segments == 0)
        return 0;
    return write_poster(p->out_dir, p->plan.streams[best->stream].name, best->w.n_segments / 3,
                        best->w.fmp4 ? "m4s" : "ts", &p->poster_width, &p->poster_height, err);
}

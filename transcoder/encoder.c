/* encoder.c: one rendition's x264 encoder, driven directly through x264.h.
 *
 * Each encoder runs with one thread and a synchronous lookahead: the worker pool (pool.c)
 * spreads the renditions over the cores instead, which is both faster (no frame-thread
 * stalls, no oversubscription) and deterministic. IDRs are forced by the caller on the
 * shared 2 s schedule; x264's own keyframe placement is switched off (infinite keyint,
 * no scene cuts, closed GOPs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_internal.h"

static void x264_log_to_ladder(void *priv, int level, const char *fmt, va_list ap)
{
    const tc_encoder *e = priv;
    /* x264's info lines (its end-of-encode statistics) are debug detail for us. */
    ladder_log_level l = level <= X264_LOG_ERROR     ? LADDER_LOG_ERROR
                         : level == X264_LOG_WARNING ? LADDER_LOG_WARN
                                                     : LADDER_LOG_DEBUG;
    char msg[512];

    /* Format only what will be shown: x264's closing statistics read fields it never set
     * for frame types that did not occur. */
    if (!e->logger || !e->logger->fn || l > e->logger->max_level)
        return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* We ask for PSNR/SSIM as a quality indicator and know psy tuning biases them; x264's
     * two advisory warnings about that would repeat for every rendition. */
    if (l == LADDER_LOG_WARN && (strstr(msg, "psnr") || strstr(msg, "ssim")))
        return;
    ladder_log(e->logger, l, "x264", "%s: %s", e->name, msg);
}

/* CRF under the VBV where the rate factor is given (docs/transcoder.md, "Rate control"). */
static void set_rate(x264_param_t *p, const prof_rung *rung, const tc_rate *rate)
{
    if (rate->crf > 0) {
        p->rc.i_rc_method = X264_RC_CRF;
        p->rc.f_rf_constant = (float)rate->crf;
    } else {
        p->rc.i_rc_method = X264_RC_ABR;
        p->rc.i_bitrate = rung->video_kbps;
    }
    if (!rate->no_vbv) {
        p->rc.i_vbv_max_bitrate = rung->maxrate_kbps;
        p->rc.i_vbv_buffer_size = rung->bufsize_kbps;
        if (rate->vbv_init > 0)
            p->rc.f_vbv_buffer_init = (float)rate->vbv_init;
    }
}

static int set_params(x264_param_t *p, const prof_ladder *ladder, const prof_rung *rung,
                      const ladder_stream *st, const tc_rate *rate, int b_stats, ladder_error *err)
{
    if (x264_param_default_preset(p, ladder->preset, NULL) < 0)
        return ladder_error_set(err, LADDER_EINVAL, "unknown x264 preset '%s'", ladder->preset);
    p->i_threads = 1;
    p->i_lookahead_threads = 1;
    p->b_sliced_threads = 0;
    p->b_deterministic = 1;
    p->i_width = st->width;
    p->i_height = st->height;
    p->i_csp = X264_CSP_I420;
    p->i_fps_num = st->fps_num;
    p->i_fps_den = st->fps_den;
    p->b_vfr_input = 1; /* our 1/90000 timestamps drive rate control, so VFR sources work */
    p->i_timebase_num = 1;
    p->i_timebase_den = LADDER_VIDEO_TIMEBASE;
    p->i_keyint_max = X264_KEYINT_MAX_INFINITE;
    p->i_scenecut_threshold = 0;
    p->b_open_gop = 0;
    set_rate(p, rung, rate);
    p->i_level_idc = rung->level_idc;
    p->vui.i_sar_width = 1;
    p->vui.i_sar_height = 1;
    p->b_annexb = 1;
    p->b_repeat_headers = 1; /* SPS/PPS before every IDR: each TS segment decodes alone */
    p->b_aud = 0;
    p->analyse.b_psnr = b_stats;
    p->analyse.b_ssim = b_stats;
    /* x264 switches PSNR and SSIM off below its info log level. */
    p->i_log_level = b_stats ? X264_LOG_INFO : X264_LOG_WARNING;
    if (x264_param_apply_profile(p, rung->h264_profile) < 0)
        return ladder_error_set(err, LADDER_EINVAL, "rung %s: x264 rejects profile '%s'",
                                rung->name, rung->h264_profile);
    return 0;
}

/* Copies SPS and PPS (Annex-B) into the stream's extradata. */
static int store_headers(tc_encoder *e, ladder_stream *st, ladder_error *err)
{
    x264_nal_t *nal;
    int n, size = 0;

    if (x264_encoder_headers(e->x264, &nal, &n) < 0)
        return ladder_error_set(err, LADDER_EENCODE, "%s: x264 could not write headers", e->name);
    for (int i = 0; i < n; i++) {
        if (nal[i].i_type != NAL_SPS && nal[i].i_type != NAL_PPS)
            continue;
        if (size + nal[i].i_payload > (int)sizeof st->extradata)
            return ladder_error_set(err, LADDER_EENCODE, "%s: headers too large", e->name);
        memcpy(st->extradata + size, nal[i].p_payload, nal[i].i_payload);
        size += nal[i].i_payload;
    }
    st->extradata_size = size;
    return 0;
}

int tc_encoder_open(tc_encoder *e, const prof_ladder *ladder, const prof_rung *rung,
                    ladder_stream *st, const tc_rate *rate, int b_stats, const ladder_logger *lg,
                    ladder_error *err)
{
    x264_param_t p;
    int ret;

    memset(e, 0, sizeof *e);
    e->stream = st->index;
    e->logger = lg;
    e->first_pts = INT64_MIN;
    e->frame_ticks = av_rescale(LADDER_VIDEO_TIMEBASE, st->fps_den, st->fps_num);
    snprintf(e->name, sizeof e->name, "%s", st->name);
    ret = set_params(&p, ladder, rung, st, rate, b_stats, err);
    if (ret < 0)
        return ret;
    p.pf_log = x264_log_to_ladder;
    p.p_log_private = e;
    e->x264 = x264_encoder_open(&p);
    if (!e->x264)
        return ladder_error_set(err, LADDER_EENCODE, "%s: x264 refused the parameters", e->name);
    return store_headers(e, st, err);
}

static void add_frame_stats(tc_encoder *e, const x264_picture_t *out)
{
    e->psnr_y_sum += out->prop.f_psnr[0];
    e->psnr_avg_sum += out->prop.f_psnr_avg;
    e->ssim_sum += out->prop.f_ssim;
}

/* Hands one encoded picture to the sink and counts it. */
static int deliver(tc_encoder *e, const x264_nal_t *nal, int size, const x264_picture_t *out,
                   const ladder_sink *sink, ladder_error *err)
{
    ladder_packet pkt = {
        .stream = e->stream,
        .data = nal[0].p_payload, /* x264 lays a picture's NALs out back to back */
        .size = size,
        .pts = out->i_pts,
        .dts = out->i_dts,
        .duration = e->frame_ticks,
        .keyframe = out->b_keyframe && IS_X264_TYPE_I(out->i_type),
    };
    int ret;

    e->stats.frames++;
    e->stats.bytes += size;
    e->stats.idr_count += out->i_type == X264_TYPE_IDR;
    if (e->first_pts == INT64_MIN || out->i_pts < e->first_pts)
        e->first_pts = out->i_pts;
    if (out->i_pts + e->frame_ticks > e->last_end)
        e->last_end = out->i_pts + e->frame_ticks;
    add_frame_stats(e, out);
    /* the sink's own message goes to the user as it is */
    ret = sink && sink->packet ? sink->packet(sink->opaque, &pkt, err) : 0;
    return ret < 0 ? ret : 0;
}

/* The picture's caption bytes (cc.c) as an A/53 SEI x264 writes with it. x264 keeps the
 * payload until the picture is coded and frees it, and the array, with sei_free. */
static int attach_captions(x264_picture_t *in, const AVFrame *pic)
{
    const AVFrameSideData *sd = av_frame_get_side_data(pic, AV_FRAME_DATA_A53_CC);
    x264_sei_payload_t *payloads;
    int size;

    if (!sd)
        return 0;
    payloads = malloc(sizeof *payloads);
    if (!payloads)
        return -1;
    payloads->payload = tc_a53_sei_payload(sd->data, (int)sd->size, &size);
    if (!payloads->payload) {
        free(payloads);
        return -1;
    }
    payloads->payload_size = size;
    payloads->payload_type = 4; /* user_data_registered_itu_t_t35 (H.264 D.1) */
    in->extra_sei = (x264_sei_t){.num_payloads = 1, .payloads = payloads, .sei_free = free};
    return 0;
}

int tc_encoder_encode(tc_encoder *e, const AVFrame *pic, int idr, const ladder_sink *sink,
                      ladder_error *err)
{
    x264_picture_t in, out;
    x264_nal_t *nal;
    int n, size;

    x264_picture_init(&in);
    in.img.i_csp = X264_CSP_I420;
    in.img.i_plane = 3;
    for (int i = 0; i < 3; i++) {
        in.img.plane[i] = pic->data[i];
        in.img.i_stride[i] = pic->linesize[i];
    }
    in.i_pts = pic->pts;
    in.i_type = idr ? X264_TYPE_IDR : X264_TYPE_AUTO;
    if (attach_captions(&in, pic) < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    size = x264_encoder_encode(e->x264, &nal, &n, &in, &out);
    if (size < 0)
        return ladder_error_set(err, LADDER_EENCODE, "%s: x264 failed to encode", e->name);
    return size > 0 ? deliver(e, nal, size, &out, sink, err) : 0;
}

int tc_encoder_drain(tc_encoder *e, const ladder_sink *sink, ladder_error *err)
{
    while (x264_encoder_delayed_frames(e->x264) > 0) {
        x264_picture_t out;
        x264_nal_t *nal;
        int n, size = x264_encoder_encode(e->x264, &nal, &n, NULL, &out);
        if (size < 0)
            return ladder_error_set(err, LADDER_EENCODE, "%s: x264 failed to flush", e->name);
        if (size > 0 && deliver(e, nal, size, &out, sink, err) < 0)
            return err ? err->code : LADDER_EENCODE;
    }
    tc_encoder_finish_stats(e);
    return 0;
}

void tc_encoder_finish_stats(tc_encoder *e)
{
    ladder_stream_stats *s = &e->stats;

    if (s->frames == 0)
        return;
    s->duration = (double)(e->last_end - e->first_pts) / LADDER_VIDEO_TIMEBASE;
    s->avg_kbps = s->duration > 0 ? s->bytes * 8 / s->duration / 1000 : 0;
    s->psnr_y = e->psnr_y_sum / s->frames;
    s->psnr_avg = e->psnr_avg_sum / s->frames;
    s->ssim = e->ssim_sum / s->frames;
}

void tc_encoder_close(tc_encoder *e)
{
    if (e && e->x264) {
        x264_encoder_close(e->x264);
        e->x264 = NULL;
    }
}

/* scaler.c: makes every distinct rendition size from each decoded picture, once per size.
 *
 * Sizes are made largest first. A size is scaled from an already-made size when that one is
 * at least twice as large in both dimensions (a 2:1 or larger bicubic step from a clean
 * intermediate loses nothing measurable and costs a fraction of scaling from 1080p);
 * otherwise it is scaled from the source. A size equal to the source in 8-bit 4:2:0 is the
 * source picture itself, by reference. Every output is yuv420p. */
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "tc_internal.h"

typedef struct scale_step {
    int w, h;
    int parent; /* index of the size it is made from, -1 for the source */
    struct SwsContext *sws;
    int sws_w, sws_h, sws_fmt; /* the source geometry sws was set up for */
    AVBufferPool *pool;        /* picture buffers, reused: no page faults per frame */
    int buf_size;
} scale_step;

struct tc_scaler {
    int n;
    scale_step steps[LADDER_MAX_STREAMS];
    int order[LADDER_MAX_STREAMS]; /* indices of steps, largest area first */
};

static int area(const scale_step *s)
{
    return s->w * s->h;
}

int tc_scaler_open(tc_scaler **out, const int (*sizes)[2], int n, ladder_error *err)
{
    tc_scaler *sc = av_mallocz(sizeof *sc);

    *out = NULL;
    if (!sc)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    sc->n = n;
    for (int i = 0; i < n; i++) {
        sc->steps[i] = (scale_step){.w = sizes[i][0], .h = sizes[i][1], .parent = -1};
        sc->order[i] = i;
    }
    for (int i = 1; i < n; i++)
        for (int j = i;
             j > 0 && area(&sc->steps[sc->order[j]]) > area(&sc->steps[sc->order[j - 1]]); j--) {
            int t = sc->order[j];
            sc->order[j] = sc->order[j - 1];
            sc->order[j - 1] = t;
        }
    for (int i = 0; i < n; i++) {
        scale_step *s = &sc->steps[sc->order[i]];
        for (int j = 0; j < i; j++) {
            const scale_step *p = &sc->steps[sc->order[j]];
            if (p->w >= 2 * s->w && p->h >= 2 * s->h)
                s->parent = sc->order[j]; /* the last one found is the smallest */
        }
    }
    *out = sc;
    return 0;
}

static int is_passthrough(const scale_step *s, const AVFrame *src)
{
    return s->parent < 0 && src->width == s->w && src->height == s->h &&
           src->format == AV_PIX_FMT_YUV420P;
}

/* A yuv420p frame whose planes come from the step's buffer pool. */
static int pooled_frame(scale_step *s, AVFrame *f)
{
    if (!s->pool) {
        s->buf_size = av_image_get_buffer_size(AV_PIX_FMT_YUV420P, s->w, s->h, 64);
        s->pool = av_buffer_pool_init(s->buf_size + 64, NULL);
        if (!s->pool)
            return AVERROR(ENOMEM);
    }
    f->buf[0] = av_buffer_pool_get(s->pool);
    if (!f->buf[0])
        return AVERROR(ENOMEM);
    f->width = s->w;
    f->height = s->h;
    f->format = AV_PIX_FMT_YUV420P;
    return av_image_fill_arrays(f->data, f->linesize, f->buf[0]->data, AV_PIX_FMT_YUV420P, s->w,
                                s->h, 64);
}

/* 4:2:0 chroma sits between the two luma rows it covers (MPEG-2/H.264 convention); swscale's
 * own default is different, so say so, as FFmpeg's scale filter does. */
static int chroma_v_pos(int fmt)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    return d && d->log2_chroma_h == 1 ? 128 : -513;
}

/* (Re)creates the step's scaler when the source geometry or format changes. */
static int prepare_sws(scale_step *s, const AVFrame *from)
{
    if (s->sws && s->sws_w == from->width && s->sws_h == from->height && s->sws_fmt == from->format)
        return 0;
    sws_freeContext(s->sws);
    s->sws = sws_alloc_context();
    if (!s->sws)
        return AVERROR(ENOMEM);
    av_opt_set_int(s->sws, "srcw", from->width, 0);
    av_opt_set_int(s->sws, "srch", from->height, 0);
    av_opt_set_int(s->sws, "src_format", from->format, 0);
    av_opt_set_int(s->sws, "dstw", s->w, 0);
    av_opt_set_int(s->sws, "dsth", s->h, 0);
    av_opt_set_int(s->sws, "dst_format", AV_PIX_FMT_YUV420P, 0);
    av_opt_set_int(s->sws, "sws_flags", SWS_BICUBIC, 0);
    av_opt_set_int(s->sws, "src_v_chr_pos", chroma_v_pos(from->format), 0);
    av_opt_set_int(s->sws, "dst_v_chr_pos", chroma_v_pos(AV_PIX_FMT_YUV420P), 0);
    s->sws_w = from->width;
    s->sws_h = from->height;
    s->sws_fmt = from->format;
    if (sws_init_context(s->sws, NULL, NULL) < 0) {
        sws_freeContext(s->sws);
        s->sws = NULL;
        return AVERROR(EINVAL);
    }
    return 0;
}

static int scale_one(scale_step *s, const AVFrame *from, AVFrame **out, ladder_error *err)
{
    AVFrame *f = av_frame_alloc();
    int ret;

    if (!f)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = pooled_frame(s, f);
    if (ret >= 0) {
        ret = prepare_sws(s, from);
        if (ret >= 0)
            ret = sws_scale_frame(s->sws, f, from);
    }
    if (ret < 0) {
        av_frame_free(&f);
        return media_error_from_av(err, ret, "scaling failed");
    }
    f->pts = from->pts;
    *out = f;
    return 0;
}

int tc_scaler_run(tc_scaler *sc, const AVFrame *src, AVFrame **out, ladder_error *err)
{
    for (int i = 0; i < sc->n; i++)
        out[i] = NULL;
    for (int k = 0; k < sc->n; k++) {
        int i = sc->order[k], ret;
        scale_step *s = &sc->steps[i];

        if (is_passthrough(s, src)) {
            out[i] = av_frame_clone(src);
            ret = out[i] ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");
        } else {
            ret = scale_one(s, s->parent >= 0 ? out[s->parent] : src, &out[i], err);
        }
        if (ret < 0) {
            for (int j = 0; j < sc->n; j++)
                av_frame_free(&out[j]);
            return ret;
        }
    }
    return 0;
}

void tc_scaler_close(tc_scaler *sc)
{
    if (!sc)
        return;
    for (int i = 0; i < sc->n; i++) {
        sws_freeContext(sc->steps[i].sws);
        av_buffer_pool_uninit(&sc->steps[i].pool); /* frees once the last frame is returned */
    }
    av_free(sc);
}

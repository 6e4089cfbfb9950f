/* per_title.c: the analysis behind `--per-title` (docs/per-title.md).
 *
 * A few one-second stretches, spread over the show, are encoded at every HLS box of the ladder
 * and a few rate factors (one transcode per stretch, with a probe ladder of box x factor
 * rungs, so each stretch is decoded and each box scaled once; the source pictures are kept,
 * scaled to the display size, as they pass). Each probe is decoded again and compared with
 * them at the display size (the largest HLS picture), by FFmpeg's
 * psnr and ssim filters. The points per box are the rate-quality curves that
 * prof_per_title_choose turns into the show's ladder. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/dict.h>

#include "tc_internal.h"

static const int probe_crfs[] = {21, 29, 37}; /* x264's 6-per-halving: 1/2.5 of the bits apart */
#define N_CRFS          ((int)(sizeof probe_crfs / sizeof probe_crfs[0]))
#define WINDOW_SECONDS  1  /* each stretch: one GOP of the probe ladder */
#define SECONDS_PER_WIN 15 /* one stretch per fifteen seconds of show, within the limits */
#define MEASURE_EVERY   4  /* quality on every fourth picture of a probe */

/* ---- the probes' packets, kept in memory per stream ------------------------------------ */

typedef struct held_packet {
    uint8_t *data;
    int size;
    int64_t pts;
} held_packet;

typedef struct held_stream {
    held_packet *p;
    int n, cap;
} held_stream;

typedef struct capture {
    held_stream s[LADDER_MAX_STREAMS];
} capture;

static int capture_packet(void *opaque, const ladder_packet *pkt, ladder_error *err)
{
    held_stream *s = &((capture *)opaque)->s[pkt->stream];

    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 64;
        held_packet *p = realloc(s->p, (size_t)cap * sizeof *p);
        if (!p)
            return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
        s->p = p;
        s->cap = cap;
    }
    s->p[s->n].data = malloc((size_t)pkt->size + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!s->p[s->n].data)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    memcpy(s->p[s->n].data, pkt->data, (size_t)pkt->size);
    memset(s->p[s->n].data + pkt->size, 0, AV_INPUT_BUFFER_PADDING_SIZE);
    s->p[s->n].size = pkt->size;
    s->p[s->n].pts = pkt->pts;
    s->n++;
    return 0;
}

static void capture_free(capture *c)
{
    for (int i = 0; i < LADDER_MAX_STREAMS; i++) {
        for (int k = 0; k < c->s[i].n; k++)
            free(c->s[i].p[k].data);
        free(c->s[i].p);
    }
    memset(c, 0, sizeof *c);
}

/* ---- the source's pictures of a stretch, at the display size --------------------------- */

typedef struct reference {
    AVFrame *f[512];
    int n;
} reference;

static void reference_free(reference *r)
{
    for (int i = 0; i < r->n; i++)
        av_frame_free(&r->f[i]);
    r->n = 0;
}

/* The tap on the probe transcode's decoding (tc_set_picture_tap): each source picture, scaled
 * to the display size, is kept as the reference. */
typedef struct reference_tap {
    reference *ref;
    tc_scaler *scaler;
} reference_tap;

static int keep_reference(void *opaque, const AVFrame *frame, ladder_error *err)
{
    reference_tap *rt = opaque;
    AVFrame *scaled = NULL;
    int ret;

    if (rt->ref->n == (int)(sizeof rt->ref->f / sizeof rt->ref->f[0]))
        return 0;
    if ((ret = tc_scaler_run(rt->scaler, frame, &scaled, err)) < 0)
        return ret;
    scaled->pts = frame->pts;
    rt->ref->f[rt->ref->n++] = scaled;
    return 0;
}

static const AVFrame *reference_at(const reference *ref, int64_t pts)
{
    for (int i = 0; i < ref->n; i++)
        if (ref->f[i]->pts == pts)
            return ref->f[i];
    return NULL;
}

/* ---- quality: FFmpeg's psnr and ssim filters, the probe scaled up to the display -------- */

typedef struct quality {
    AVFilterGraph *graph;
    AVFilterContext *dist, *ref, *psnr_out, *ssim_out;
    double mse_y, ssim;
    int n_psnr, n_ssim;
    int64_t next_pts;
} quality;

static int add_source(quality *q, const char *name, int w, int h, AVFilterContext **out)
{
    char args[160];

    snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=1/25:pixel_aspect=1/1", w, h,
             AV_PIX_FMT_YUV420P);
    return avfilter_graph_create_filter(out, avfilter_get_by_name("buffer"), name, args, NULL,
                                        q->graph);
}

static AVFilterInOut *inout(const char *name, AVFilterContext *ctx, AVFilterInOut *next)
{
    AVFilterInOut *io = avfilter_inout_alloc();

    if (!io) {
        avfilter_inout_free(&next);
        return NULL;
    }
    io->name = av_strdup(name);
    io->filter_ctx = ctx;
    io->pad_idx = 0;
    io->next = next;
    return io;
}

static int quality_open(quality *q, int w, int h, int dw, int dh, ladder_error *err)
{
    char desc[256];
    AVFilterInOut *outs = NULL, *ins = NULL;
    int ret;

    memset(q, 0, sizeof *q);
    if (!(q->graph = avfilter_graph_alloc()))
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    q->graph->nb_threads = 1; /* the probes are measured in parallel already */
    snprintf(desc, sizeof desc,
             "[d]scale=%d:%d:flags=bicubic,format=yuv420p,split[d1][d2];[r]split[r1][r2];"
             "[d1][r1]psnr[p];[d2][r2]ssim[s]",
             dw, dh);
    ret = add_source(q, "d", w, h, &q->dist);
    if (ret >= 0)
        ret = add_source(q, "r", dw, dh, &q->ref);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(&q->psnr_out, avfilter_get_by_name("buffersink"), "p",
                                           NULL, NULL, q->graph);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(&q->ssim_out, avfilter_get_by_name("buffersink"), "s",
                                           NULL, NULL, q->graph);
    if (ret >= 0) {
        outs = inout("d", q->dist, inout("r", q->ref, NULL));
        ins = inout("p", q->psnr_out, inout("s", q->ssim_out, NULL));
        ret = outs && ins ? avfilter_graph_parse_ptr(q->graph, desc, &ins, &outs, NULL)
                          : AVERROR(ENOMEM);
    }
    avfilter_inout_free(&ins);
    avfilter_inout_free(&outs);
    if (ret >= 0)
        ret = avfilter_graph_config(q->graph, NULL);
    if (ret < 0)
        return ladder_error_set(err, LADDER_EIO,
                                "per-title: cannot set up the psnr and ssim filters");
    return 0;
}

static double meta(const AVFrame *f, const char *key)
{
    const AVDictionaryEntry *e = av_dict_get(f->metadata, key, NULL, 0);

    return e ? strtod(e->value, NULL) : NAN;
}

/* Takes what the filters have measured so far. */
static void quality_drain(quality *q)
{
    AVFrame *f = av_frame_alloc();

    while (f && av_buffersink_get_frame(q->psnr_out, f) >= 0) {
        double mse = meta(f, "lavfi.psnr.mse.y");
        if (!isnan(mse)) {
            q->mse_y += mse;
            q->n_psnr++;
        }
        av_frame_unref(f);
    }
    while (f && av_buffersink_get_frame(q->ssim_out, f) >= 0) {
        double s = meta(f, "lavfi.ssim.Y");
        if (!isnan(s)) {
            q->ssim += s;
            q->n_ssim++;
        }
        av_frame_unref(f);
    }
    av_frame_free(&f);
}

static int quality_push(quality *q, const AVFrame *dist, const AVFrame *ref)
{
    AVFrame *d = av_frame_clone(dist), *r = av_frame_clone(ref);
    int ret = d && r ? 0 : AVERROR(ENOMEM);

    if (ret >= 0) {
        d->pts = r->pts = q->next_pts++;
        d->sample_aspect_ratio = r->sample_aspect_ratio = (AVRational){1, 1};
        ret = av_buffersrc_add_frame(q->dist, d);
    }
    if (ret >= 0)
        ret = av_buffersrc_add_frame(q->ref, r);
    av_frame_free(&d);
    av_frame_free(&r);
    quality_drain(q);
    return ret;
}

static void quality_close(quality *q)
{
    if (q->graph && av_buffersrc_add_frame(q->dist, NULL) >= 0 &&
        av_buffersrc_add_frame(q->ref, NULL) >= 0)
        quality_drain(q);
    avfilter_graph_free(&q->graph);
}

/* ---- one probe stream: decode it, compare every MEASURE_EVERY-th picture ---------------- */

typedef struct probe_job {
    const held_stream *packets;
    const reference *ref;
    int w, h, dw, dh;
    double mse_y, ssim; /* sums */
    int n_psnr, n_ssim;
    int failed;
} probe_job;

static int measure_frame(probe_job *j, quality *q, const AVFrame *f, int *k)
{
    const AVFrame *ref = reference_at(j->ref, f->best_effort_timestamp);

    if (!ref || (*k)++ % MEASURE_EVERY != 0)
        return 0;
    return quality_push(q, f, ref);
}

static void measure_probe(void *opaque, int i)
{
    probe_job *j = &((probe_job *)opaque)[i];
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
    AVCodecContext *dec = codec ? avcodec_alloc_context3(codec) : NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    quality q = {0};
    int ret = dec && pkt && f ? 0 : -1, k = 0;

    if (ret >= 0) {
        dec->thread_count = 1;
        ret = avcodec_open2(dec, codec, NULL) < 0 ? -1 : 0;
    }
    if (ret >= 0)
        ret = quality_open(&q, j->w, j->h, j->dw, j->dh, NULL);
    for (int n = 0; ret >= 0 && n <= j->packets->n; n++) {
        if (n < j->packets->n) {
            pkt->data = j->packets->p[n].data;
            pkt->size = j->packets->p[n].size;
            pkt->pts = j->packets->p[n].pts;
            ret = avcodec_send_packet(dec, pkt);
        } else
            ret = avcodec_send_packet(dec, NULL);
        while (ret >= 0 && avcodec_receive_frame(dec, f) >= 0) {
            ret = measure_frame(j, &q, f, &k);
            av_frame_unref(f);
        }
    }
    quality_close(&q);
    j->mse_y += q.mse_y;
    j->ssim += q.ssim;
    j->n_psnr += q.n_psnr;
    j->n_ssim += q.n_ssim;
    j->failed |= ret < 0;
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
}

/* ---- the analysis ----------------------------------------------------------------------- */

/* The profile's ladder on this source: each rung's frame rate (0: not made) and the HLS boxes
 * with the picture each gives, by area; the display is the largest. */
static int plan_curves(const char *path, const tc_params *params, tc_per_title *pt,
                       double *duration, ladder_error *err)
{
    tc_source *src = NULL;
    tc_source_info info;
    ladder_plan plan;
    int div[LADDER_MAX_STREAMS], ret = tc_source_open(&src, path, &params->logger, err);
    prof_rd_show *s = &pt->show;

    if (ret < 0)
        return ret;
    memset(&plan, 0, sizeof plan);
    tc_source_describe(src, &plan, &info);
    *duration = tc_source_video_duration(src);
    tc_source_close(src);
    if ((ret = tc_make_plan(&params->ladder, &info, &plan, div, err)) < 0)
        return ret;
    pt->fps = (double)info.fps_num / info.fps_den;
    for (int i = 0; i < plan.n_video; i++) {
        const ladder_stream *st = &plan.streams[i];
        const prof_rung *r = &params->ladder.rungs[st->rung];
        int k = 0;
        s->rung_fps[st->rung] = (double)st->fps_num / st->fps_den;
        if (r->use != PROF_USE_HLS)
            continue;
        while (k < s->n_sizes && (s->sizes[k].box_w != r->width || s->sizes[k].box_h != r->height))
            k++;
        if (k < s->n_sizes)
            continue;
        while (k > 0 && (double)s->sizes[k - 1].width * s->sizes[k - 1].height >
                            (double)st->width * st->height) {
            s->sizes[k] = s->sizes[k - 1];
            pt->size_rung[k] = pt->size_rung[k - 1];
            k--;
        }
        s->sizes[k] = (prof_rd_curve){
            .box_w = r->width, .box_h = r->height, .width = st->width, .height = st->height};
        pt->size_rung[k] = st->rung;
        s->n_sizes++;
    }
    if (s->n_sizes > 0) {
        s->display_w = s->sizes[s->n_sizes - 1].width;
        s->display_h = s->sizes[s->n_sizes - 1].height;
    }
    return 0;
}

/* The probe ladder: a rung per box and factor, each like the profile's first rung at that box
 * (its H.264 profile, level and frame-rate cap), in one-second GOPs. */
static void probe_ladder(const tc_params *params, const tc_per_title *pt, prof_ladder *l,
                         double *crf)
{
    int cap = 0;

    /* a probe's rate is capped at twice the ladder's highest: rates beyond are never chosen,
     * and the lowest factor on grain would otherwise spend tens of Mbit/s of encoding time */
    for (int r = 0; r < params->ladder.n_rungs; r++)
        cap =
            params->ladder.rungs[r].maxrate_kbps > cap ? params->ladder.rungs[r].maxrate_kbps : cap;
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "per-title-probe");
    snprintf(l->preset, sizeof l->preset, "%s", params->ladder.preset);
    l->gop_seconds = l->segment_seconds = WINDOW_SECONDS;
    l->audio_channels = params->ladder.audio_channels;
    l->thumbnails_off = 1;
    for (int i = 0; i < pt->show.n_sizes; i++)
        for (int c = 0; c < N_CRFS; c++) {
            prof_rung *r = &l->rungs[l->n_rungs];
            *r = params->ladder.rungs[pt->size_rung[i]];
            snprintf(r->name, sizeof r->name, "probe-%d-%d", i, probe_crfs[c]);
            r->level_idc = 51; /* the cap, not the level, bounds a probe */
            r->maxrate_kbps = r->bufsize_kbps = 2 * cap;
            crf[l->n_rungs++] = probe_crfs[c];
        }
}

/* The stretches to sample: one second in every SECONDS_PER_WIN, at least PT_MIN_WINDOWS and at
 * most TC_PT_MAX_WINDOWS, one in each equal share of the show. */
static int choose_windows(double duration, int *second)
{
    int total = (int)floor(duration / WINDOW_SECONDS + 1e-6);
    int n = (int)lround(duration / SECONDS_PER_WIN);

    n = n < TC_PT_MIN_WINDOWS ? TC_PT_MIN_WINDOWS : n > TC_PT_MAX_WINDOWS ? TC_PT_MAX_WINDOWS : n;
    /* Each at its own place in its share (the golden ratio's multiples): evenly spaced ones
     * can all fall on the same phase of content that repeats, and miss its hardest part. */
    for (int k = 0; k < n; k++)
        second[k] = (int)((k + fmod(0.5 + k * 0.6180339887498949, 1.0)) * total / n);
    return n;
}

/* Encodes stretch `second` at every probe rung and adds each probe's bits and quality. */
static int probe_window(const char *path, const tc_params *params, const prof_ladder *probes,
                        const double *crf, const tc_per_title *pt, int second, double *bits,
                        double *secs, probe_job *jobs, ladder_error *err)
{
    tc_params p = *params;
    tc_transcoder *t = NULL;
    capture cap = {0};
    reference ref = {0};
    reference_tap tap = {.ref = &ref};
    ladder_sink sink = {.opaque = &cap, .packet = capture_packet};
    int display[1][2] = {{pt->show.display_w, pt->show.display_h}};
    int ret;

    p.ladder = *probes;
    tc_probe_params(&p, crf);
    ret = tc_scaler_open(&tap.scaler, (const int(*)[2])display, 1, err);
    if (ret >= 0)
        ret = tc_open_probe(&t, path, &p, second, 0, err);
    if (ret >= 0) {
        tc_set_picture_tap(t, keep_reference, &tap);
        ret = tc_run(t, &sink, err);
    }
    for (int i = 0; ret >= 0 && i < tc_get_plan(t)->n_video; i++) {
        const ladder_stream *st = &tc_get_plan(t)->streams[i];
        bits[st->rung] += 8.0 * (double)tc_get_stats(t, i)->bytes;
        secs[st->rung] += tc_get_stats(t, i)->duration;
        jobs[st->rung].packets = &cap.s[i];
        jobs[st->rung].ref = &ref;
        jobs[st->rung].w = st->width;
        jobs[st->rung].h = st->height;
        jobs[st->rung].dw = pt->show.display_w;
        jobs[st->rung].dh = pt->show.display_h;
    }
    if (ret >= 0)
        ladder_parallel_for(probes->n_rungs, measure_probe, jobs);
    for (int r = 0; ret >= 0 && r < probes->n_rungs; r++)
        if (jobs[r].failed)
            ret = ladder_error_set(err, LADDER_EIO, "per-title: probe %s could not be measured",
                                   probes->rungs[r].name);
    reference_free(&ref);
    capture_free(&cap);
    tc_scaler_close(tap.scaler);
    tc_close(t);
    return ret;
}

/* The curves from the sums: a point per factor, by bitrate. */
static void fill_curves(tc_per_title *pt, const double *bits, const double *secs,
                        const probe_job *jobs)
{
    for (int i = 0; i < pt->show.n_sizes; i++) {
        prof_rd_curve *c = &pt->show.sizes[i];
        c->n = 0;
        for (int k = N_CRFS - 1; k >= 0; k--) { /* the highest factor is the fewest bits */
            int r = i * N_CRFS + k;
            double mse = jobs[r].n_psnr ? jobs[r].mse_y / jobs[r].n_psnr : 0;
            pt->crf[i][c->n] = probe_crfs[k];
            c->p[c->n++] =
                (prof_rd_point){.kbps = secs[r] > 0 ? bits[r] / secs[r] / 1000 : 0,
                                .psnr_y = mse > 0 ? 10 * log10(255.0 * 255.0 / mse) : 100,
                                .ssim = jobs[r].n_ssim ? jobs[r].ssim / jobs[r].n_ssim : 0};
        }
    }
}

static int fall_back(tc_per_title *pt, const tc_params *params, const char *why)
{
    pt->chosen = 0;
    pt->ladder = params->ladder;
    snprintf(pt->reason, sizeof pt->reason, "%s", why);
    ladder_log(&params->logger, LADDER_LOG_WARN, "tc",
               "per-title: %s; the profile's own bitrates are used", why);
    return 0;
}

int tc_analyse_per_title(const char *input_path, const tc_params *params, tc_per_title *pt,
                         ladder_error *err)
{
    double duration = 0, t0 = ladder_now();
    double bits[PROF_MAX_RUNGS] = {0}, secs[PROF_MAX_RUNGS] = {0}, crf[PROF_MAX_RUNGS] = {0};
    probe_job jobs[PROF_MAX_RUNGS];
    prof_ladder probes;
    char why[160];
    int ret;

    memset(pt, 0, sizeof *pt);
    memset(jobs, 0, sizeof jobs);
    pt->profile = params->ladder;
    if ((ret = plan_curves(input_path, params, pt, &duration, err)) < 0)
        return ret;
    if (duration < TC_PT_MIN_SECONDS) {
        snprintf(why, sizeof why, "the source is %.1f s, under the %d s it needs to sample",
                 duration, TC_PT_MIN_SECONDS);
        return fall_back(pt, params, why);
    }
    if (pt->show.n_sizes < 2)
        return fall_back(pt, params, "the source feeds only one HLS box: nothing to choose");
    pt->n_windows = choose_windows(duration, pt->windows);
    probe_ladder(params, pt, &probes, crf);
    for (int k = 0; k < pt->n_windows && ret >= 0; k++)
        ret = probe_window(input_path, params, &probes, crf, pt, pt->windows[k], bits, secs, jobs,
                           err);
    if (ret < 0)
        return ret;
    fill_curves(pt, bits, secs, jobs);
    if ((ret = prof_per_title_choose(&params->ladder, &pt->show, &pt->ladder, pt->choice, err)) < 0)
        return ret;
    pt->chosen = 1;
    pt->seconds = ladder_now() - t0;
    ladder_log(&params->logger, LADDER_LOG_INFO, "tc",
               "per-title: %d probes of %d one-second stretches, ladder chosen in %.1f s",
               probes.n_rungs, pt->n_windows, pt->seconds);
    return 0;
}

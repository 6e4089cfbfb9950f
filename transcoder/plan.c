/* plan.c: what to make from a given source. Pure decisions (sizes, frame rates, GOP
 * boundaries) kept apart from the media plumbing so they can be tested on their own.
 *
 * Rules, documented in docs/transcoder.md:
 *  - A rung's box is fitted to the source's display aspect (square pixels out). Within 1% of
 *    the box's own aspect the box is used as is (848x480 is "16:9").
 *  - Never upscale by more than 5%: such rungs are skipped; rungs within 5% are kept at the
 *    source size. If every rung of a use (HLS, MP4) would be skipped, its smallest rung is
 *    kept at the source size, so a tiny source still gets one HLS and one MP4 rendition.
 *  - Portrait sources turn the boxes sideways (a 1920x1080 rung becomes 1080x1920).
 *  - Frame rate: source/n for the smallest n that respects the rung's max-fps and the
 *    macroblock rate of its level; the kept frames always include every IDR. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tc_internal.h"

static int even_down(double v)
{
    int i = (int)floor(v + 1e-6);
    return i < 2 ? 2 : i & ~1;
}

static int even_round(double v)
{
    int i = (int)lround(v);
    return i < 2 ? 2 : i & ~1;
}

/* Fits the box to the source aspect, ignoring the upscale rule. */
static void fit_box(int box_w, int box_h, int src_w, int src_h, int *w, int *h)
{
    double a = (double)src_w / src_h, b;

    if (src_h > src_w && box_w > box_h) {
        int t = box_w;
        box_w = box_h;
        box_h = t;
    }
    b = (double)box_w / box_h;
    if (fabs(a / b - 1.0) <= 0.01) {
        *w = box_w;
        *h = box_h;
    } else if (a > b) {
        *w = box_w;
        *h = even_round(box_w / a);
    } else {
        *h = box_h;
        *w = even_round(box_h * a);
    }
}

int tc_fit_rung(int box_w, int box_h, int src_w, int src_h, int *w, int *h)
{
    int fw, fh;

    fit_box(box_w, box_h, src_w, src_h, &fw, &fh);
    if (fw > src_w * 1.05 || fh > src_h * 1.05)
        return 0;
    if (fw > src_w || fh > src_h) {
        double k = fmin((double)src_w / fw, (double)src_h / fh);
        fw = even_down(fw * k);
        fh = even_down(fh * k);
    }
    *w = fw;
    *h = fh;
    return 1;
}

static const x264_level_t *find_level(int level_idc)
{
    for (const x264_level_t *l = x264_levels; l->level_idc; l++)
        if (l->level_idc == level_idc)
            return l;
    return NULL;
}

int tc_fps_divisor(double fps_src, int max_fps, int w, int h, int level_idc)
{
    const x264_level_t *level = find_level(level_idc);
    double mbs = (double)((w + 15) / 16) * ((h + 15) / 16);
    int n = 1;

    for (; n < 8; n++) {
        double fps = fps_src / n;
        if (max_fps > 0 && fps > max_fps + 0.01)
            continue;
        if (level && mbs * fps > level->mbps)
            continue;
        break;
    }
    return n;
}

int tc_idr_decide(int64_t pts90, int64_t gop_ticks, int64_t *next_idr)
{
    if (pts90 < *next_idr)
        return 0;
    /* floor division, also for negative timestamps */
    int64_t k = pts90 >= 0 ? pts90 / gop_ticks : -((-pts90 + gop_ticks - 1) / gop_ticks);
    *next_idr = (k + 1) * gop_ticks;
    return 1;
}

static int output_sample_rate(int src_rate)
{
    return src_rate == 44100 || src_rate == 48000 ? src_rate : 48000;
}

/* Adds one audio stream per distinct audio bitrate of the kept rungs. */
static void plan_audio(const prof_ladder *ladder, const tc_source_info *src, ladder_plan *plan)
{
    for (int i = 0; i < plan->n_video; i++) {
        ladder_stream *v = &plan->streams[i];
        int kbps = ladder->rungs[v->rung].audio_kbps, found = -1;

        for (int j = plan->n_video; j < plan->n_streams; j++)
            if (plan->streams[j].bitrate_kbps == kbps)
                found = j;
        if (found < 0) {
            ladder_stream *a = &plan->streams[plan->n_streams];
            memset(a, 0, sizeof *a);
            found = a->index = plan->n_streams++;
            a->kind = LADDER_STREAM_AUDIO;
            a->rung = -1;
            a->audio_stream = -1;
            a->bitrate_kbps = kbps;
            a->sample_rate = output_sample_rate(src->audio_sample_rate);
            a->timebase_den = a->sample_rate;
            a->channels = ladder->audio_channels > 0 ? ladder->audio_channels : 2;
            snprintf(a->name, sizeof a->name, "audio-%dk", kbps);
            plan->n_audio++;
        }
        v->audio_stream = found;
    }
}

/* Decides which rungs are kept and at what size; returns the number kept. */
static int choose_sizes(const prof_ladder *ladder, int dw, int dh, int keep[], int size[][2])
{
    int kept = 0;

    for (int use = PROF_USE_HLS; use <= PROF_USE_MP4; use++) {
        int smallest = -1, any = 0;
        for (int r = 0; r < ladder->n_rungs; r++) {
            const prof_rung *pr = &ladder->rungs[r];
            if ((int)pr->use != use)
                continue;
            keep[r] = tc_fit_rung(pr->width, pr->height, dw, dh, &size[r][0], &size[r][1]);
            any |= keep[r];
            if (smallest < 0 || pr->width * pr->height <
                                    ladder->rungs[smallest].width * ladder->rungs[smallest].height)
                smallest = r;
        }
        if (!any && smallest >= 0) {
            const prof_rung *pr = &ladder->rungs[smallest];
            int bw, bh;
            fit_box(pr->width, pr->height, dw, dh, &bw, &bh);
            double k = fmin(1.0, fmin((double)dw / bw, (double)dh / bh));
            size[smallest][0] = even_down(bw * k);
            size[smallest][1] = even_down(bh * k);
            keep[smallest] = 1;
        }
    }
    for (int r = 0; r < ladder->n_rungs; r++)
        kept += keep[r];
    return kept;
}

static int count_kept(const prof_ladder *ladder, const int keep[], prof_use use)
{
    int n = 0;

    for (int r = 0; r < ladder->n_rungs; r++)
        n += keep[r] && ladder->rungs[r].use == use;
    return n;
}

int tc_make_plan(const prof_ladder *ladder, const tc_source_info *src, ladder_plan *plan,
                 int fps_divisor[LADDER_MAX_STREAMS], ladder_error *err)
{
    int keep[PROF_MAX_RUNGS] = {0}, size[PROF_MAX_RUNGS][2];
    int sar_num = src->sar_num > 0 ? src->sar_num : 1,
        sar_den = src->sar_den > 0 ? src->sar_den : 1;
    int dw = (int)lround((double)src->width * sar_num / sar_den), dh = src->height;
    double fps = (double)src->fps_num / src->fps_den;

    if (src->width < 16 || src->height < 16)
        return ladder_error_set(err, LADDER_EINPUT, "source picture %dx%d is too small", src->width,
                                src->height);
    /* A damaged clock (an MP4 track whose time scale is 0) reads as a rate like 1/512 fps. */
    if (!(fps >= 1))
        return ladder_error_set(err, LADDER_EINPUT,
                                "the video's frame rate reads as %.3g fps: its timing is damaged",
                                fps);
    choose_sizes(ladder, dw, dh, keep, size);
    if (!src->has_audio && count_kept(ladder, keep, PROF_USE_HLS) == 1)
        return ladder_error_set(
            err, LADDER_EINPUT,
            "the source has no audio, and only one HLS rendition of this ladder fits its "
            "%dx%d picture: a show needs two HLS variants or more",
            dw, dh);
    plan->n_streams = plan->n_video = plan->n_audio = plan->n_skipped = 0;
    for (int r = 0; r < ladder->n_rungs; r++) {
        const prof_rung *pr = &ladder->rungs[r];
        if (!keep[r]) {
            snprintf(plan->skipped[plan->n_skipped++], PROF_NAME_MAX, "%s", pr->name);
            continue;
        }
        ladder_stream *v = &plan->streams[plan->n_streams];
        memset(v, 0, sizeof *v);
        v->index = plan->n_streams++;
        v->kind = LADDER_STREAM_VIDEO;
        v->rung = r;
        v->use = pr->use;
        snprintf(v->name, sizeof v->name, "%s", pr->name);
        v->timebase_den = LADDER_VIDEO_TIMEBASE;
        v->bitrate_kbps = pr->video_kbps;
        v->maxrate_kbps = pr->maxrate_kbps;
        v->bufsize_kbps = pr->bufsize_kbps;
        v->width = size[r][0];
        v->height = size[r][1];
        v->profile_idc = ladder_h264_profile_idc(pr->h264_profile);
        v->level_idc = pr->level_idc;
        v->audio_stream = -1;
        fps_divisor[v->index] =
            tc_fps_divisor(fps, pr->max_fps, v->width, v->height, pr->level_idc);
        v->fps_num = src->fps_num;
        v->fps_den = src->fps_den * fps_divisor[v->index];
        plan->n_video++;
    }
    if (src->has_audio)
        plan_audio(ladder, src, plan);
    return 0;
}

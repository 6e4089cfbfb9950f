/* disk_replay.c: reads `ladder transcode` output back and feeds it to a sink exactly as the
 * live transcoder would: the same plan, Annex-B video (SPS/PPS before IDRs), each stream in
 * decode order from a thread of its own, the streams kept in step on the timeline. This is how
 * `ladder package` reuses the packager. */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/bsf.h>

#include "tc_internal.h"

typedef struct replay_input {
    AVFormatContext *ic;
    AVBSFContext *bsf; /* mp4 (length-prefixed) -> Annex-B, video only */
    AVPacket *pkt;     /* the next packet, valid while has_pkt */
    int has_pkt, done;
    AVRational tb;    /* the plan's time base for this stream */
    tc_folders *dirs; /* in the order a stream's packets come from them (disk_jobs.c) */
    const ladder_stream *st;
    int next_dir;       /* the folder to look in after this file */
    int from_audio_job; /* this file is the audio job's */
} replay_input;

static void close_file(replay_input *in)
{
    avformat_close_input(&in->ic);
    av_bsf_free(&in->bsf);
}

static int open_file(replay_input *in, const char *path, ladder_error *err)
{
    int ret;

    /* No avformat_find_stream_info: these are our own files, the MP4 header (moov) holds all
     * the replay needs, and probing would decode frames of every stream for nothing. */
    ret = avformat_open_input(&in->ic, path, NULL, NULL);
    if (ret < 0)
        return media_error_from_av(err, ret, path);
    if (in->ic->nb_streams != 1)
        return ladder_error_set(err, LADDER_EINPUT, "%s: expected one stream", path);
    if (in->st->kind != LADDER_STREAM_VIDEO)
        return 0;
    ret = av_bsf_alloc(av_bsf_get_by_name("h264_mp4toannexb"), &in->bsf);
    if (ret >= 0)
        ret = avcodec_parameters_copy(in->bsf->par_in, in->ic->streams[0]->codecpar);
    if (ret >= 0) {
        in->bsf->time_base_in = in->ic->streams[0]->time_base;
        ret = av_bsf_init(in->bsf);
    }
    return ret < 0 ? media_error_from_av(err, ret, path) : 0;
}

/* Opens the stream's file in the next folder that has one, waiting for the folder to be
 * complete; sets done when none is left. The audio job is the only one with audio, so its
 * stream is done after it and does not wait for the chunks. */
static int open_next(replay_input *in, ladder_error *err)
{
    char path[PATH_MAX + PROF_NAME_MAX + 8];
    int n = tc_folders_count(in->dirs);
    const tc_job *job = NULL;

    close_file(in);
    if (in->from_audio_job)
        in->next_dir = n;
    for (; in->next_dir < n; in->next_dir++) {
        if (tc_folders_get(in->dirs, in->next_dir, &job, err) < 0)
            return err->code;
        snprintf(path, sizeof path, "%s/%s.mp4", tc_folders_dir(in->dirs, in->next_dir),
                 in->st->name);
        if (ladder_path_exists(path))
            break;
    }
    if (in->next_dir >= n) {
        in->done = 1;
        return 0;
    }
    in->from_audio_job = job->audio_only;
    in->next_dir++;
    return open_file(in, path, err);
}

static int open_input(replay_input *in, tc_folders *dirs, const ladder_stream *st,
                      ladder_error *err)
{
    in->dirs = dirs;
    in->st = st;
    in->tb = (AVRational){1, st->timebase_den};
    if (!(in->pkt = av_packet_alloc()))
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (open_next(in, err) < 0)
        return err->code;
    if (in->done)
        return ladder_error_set(err, LADDER_EINPUT, "%s: no %s.mp4 in the transcode folders",
                                tc_folders_dir(dirs, 0), st->name);
    return 0;
}

/* The file's next packet into in->pkt; 0 at its end. */
static int read_file(replay_input *in, ladder_error *err)
{
    int ret;

    for (;;) {
        if (in->bsf) {
            ret = av_bsf_receive_packet(in->bsf, in->pkt);
            if (ret >= 0)
                return 1;
            if (ret == AVERROR_EOF)
                return 0;
            if (ret != AVERROR(EAGAIN))
                return media_error_from_av(err, ret, in->ic->url);
        }
        ret = av_read_frame(in->ic, in->pkt);
        if (ret == AVERROR_EOF) {
            if (!in->bsf)
                return 0;
            av_bsf_send_packet(in->bsf, NULL);
            continue;
        }
        if (ret < 0)
            return media_error_from_av(err, ret, in->ic->url);
        if (!in->bsf)
            return 1;
        ret = av_bsf_send_packet(in->bsf, in->pkt);
        if (ret < 0)
            return media_error_from_av(err, ret, in->ic->url);
    }
}

/* Makes in->pkt the stream's next packet, in the plan's time base, moving on to the next
 * folder's file at the end of one; sets done at the end of the last. */
static int advance(replay_input *in, ladder_error *err)
{
    int ret = 0;

    in->has_pkt = 0;
    while (!in->done && (ret = read_file(in, err)) == 0)
        if (open_next(in, err) < 0)
            return err->code;
    if (ret < 0 || in->done)
        return ret < 0 ? ret : 0;
    av_packet_rescale_ts(in->pkt, in->ic->streams[0]->time_base, in->tb);
    in->has_pkt = 1;
    return 0;
}

/* ---- feeding the sink, one thread per stream ------------------------------------------------
 * Each stream's file is read and fed to the sink by a thread of its own, so the packager muxes
 * the rungs in parallel. The threads keep step on the show's timeline, for two reasons:
 * - memory: no stream gets more than REPLAY_WINDOW seconds ahead of the slowest one, so what is
 *   buffered waiting for the others stays small;
 * - work stays spread: a video packet waits until the audio has come at least as far, so each
 *   rung's segments are complete (audio in) when its own thread closes them, and are written
 *   there rather than all at once on the audio thread.
 * The packager's output does not depend on the order of arrival (its tests compare ingest and
 * package byte for byte). */

/* Seconds a stream may run ahead of the slowest one: a segment's worth keeps the threads from
 * waking each other on every packet, and stays under the 10 s after which libavformat's MP4
 * muxer stops waiting for a late stream and writes what it has out of order. */
#define REPLAY_WINDOW 6.0

typedef struct replay {
    pthread_mutex_t lock;
    pthread_cond_t moved;
    replay_input *ins;
    const ladder_plan *plan;
    const ladder_sink *sink;
    double next[LADDER_MAX_STREAMS]; /* dts (seconds) of each pending packet; INFINITY: done */
    double fed[LADDER_MAX_STREAMS];  /* pts of the last packet fed; INFINITY once done */
    int failed;
    ladder_error error; /* the first failure */
} replay;

typedef struct replay_thread {
    replay *r;
    int stream;
} replay_thread;

static double pending_dts(const replay_input *in)
{
    return in->has_pkt ? in->pkt->dts * av_q2d(in->tb) : INFINITY;
}

/* Whether stream i may feed its pending packet now. Under r->lock. */
static int may_feed(const replay *r, int i)
{
    const replay_input *in = &r->ins[i];
    double slowest = INFINITY, pts = in->pkt->pts * av_q2d(in->tb);

    for (int k = 0; k < r->plan->n_streams; k++)
        slowest = fmin(slowest, r->next[k]);
    if (r->next[i] > slowest + REPLAY_WINDOW)
        return 0;
    if (r->plan->streams[i].kind == LADDER_STREAM_AUDIO)
        return 1;
    for (int k = 0; k < r->plan->n_streams; k++)
        if (r->plan->streams[k].kind == LADDER_STREAM_AUDIO && r->fed[k] < pts)
            return 0;
    return 1;
}

static void *feed_stream(void *arg)
{
    replay_thread *t = arg;
    replay *r = t->r;
    replay_input *in = &r->ins[t->stream];
    ladder_error err = {0};
    int ret = 0;

    while (ret >= 0 && in->has_pkt) {
        pthread_mutex_lock(&r->lock);
        while (!r->failed && !may_feed(r, t->stream))
            pthread_cond_wait(&r->moved, &r->lock);
        ret = r->failed ? -1 : 0;
        pthread_mutex_unlock(&r->lock);
        if (ret < 0)
            return NULL;
        AVPacket *p = in->pkt;
        ladder_packet pkt = {
            .stream = t->stream,
            .data = p->data,
            .size = p->size,
            .pts = p->pts,
            .dts = p->dts,
            .duration = p->duration,
            .keyframe = (p->flags & AV_PKT_FLAG_KEY) != 0,
        };
        double pts = p->pts * av_q2d(in->tb);
        ret = r->sink->packet ? r->sink->packet(r->sink->opaque, &pkt, &err) : 0;
        av_packet_unref(p);
        if (ret >= 0)
            ret = advance(in, &err);
        pthread_mutex_lock(&r->lock);
        r->fed[t->stream] = in->has_pkt ? pts : INFINITY;
        r->next[t->stream] = ret < 0 ? INFINITY : pending_dts(in);
        if (ret < 0 && !r->failed) {
            r->failed = 1;
            r->error = err;
            if (!r->error.msg[0])
                ladder_error_set(&r->error, ret, "%s: replay failed",
                                 r->plan->streams[t->stream].name);
            r->error.code = ret;
        }
        pthread_cond_broadcast(&r->moved);
        pthread_mutex_unlock(&r->lock);
    }
    pthread_mutex_lock(&r->lock);
    r->fed[t->stream] = r->next[t->stream] = INFINITY; /* done: nobody waits for it */
    pthread_cond_broadcast(&r->moved);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

static int feed_all(replay_input *ins, const ladder_plan *plan, const ladder_sink *sink,
                    ladder_error *err)
{
    replay r = {.ins = ins, .plan = plan, .sink = sink};
    replay_thread threads[LADDER_MAX_STREAMS];
    pthread_t ids[LADDER_MAX_STREAMS];
    int started = 0;

    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.moved, NULL);
    for (int i = 0; i < plan->n_streams; i++) {
        r.next[i] = pending_dts(&ins[i]);
        r.fed[i] = ins[i].has_pkt ? -INFINITY : INFINITY;
    }
    for (; started < plan->n_streams; started++) {
        threads[started] = (replay_thread){.r = &r, .stream = started};
        if (pthread_create(&ids[started], NULL, feed_stream, &threads[started]) != 0)
            break;
    }
    if (started < plan->n_streams) {
        pthread_mutex_lock(&r.lock);
        if (!r.failed) {
            r.failed = 1;
            ladder_error_set(&r.error, LADDER_ENOMEM, "cannot start the replay threads");
        }
        pthread_cond_broadcast(&r.moved);
        pthread_mutex_unlock(&r.lock);
    }
    for (int i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    pthread_cond_destroy(&r.moved);
    pthread_mutex_destroy(&r.lock);
    if (!r.failed)
        return 0;
    if (err)
        *err = r.error;
    return r.error.code;
}

/* ---- the replays --------------------------------------------------------------------------- */

/* Feeds the folders' packets to sink; the plan is the first folder's until every folder is
 * read, then the whole set's (which renditions carry 608 is known only then). */
static int replay_folders(tc_folders *f, const ladder_sink *sink, ladder_plan *plan_out,
                          ladder_stream_stats *stats_out, ladder_error *err)
{
    replay_input ins[LADDER_MAX_STREAMS];
    const ladder_plan *plan = tc_folders_plan(f, err);
    int ret = plan ? 0 : err->code;

    memset(ins, 0, sizeof ins);
    if (ret >= 0)
        *plan_out = *plan;
    for (int i = 0; ret >= 0 && i < plan_out->n_streams; i++) {
        ret = open_input(&ins[i], f, &plan_out->streams[i], err);
        if (ret >= 0)
            ret = advance(&ins[i], err);
    }
    if (ret >= 0 && sink->begin)
        ret = sink->begin(sink->opaque, plan_out, err);
    if (ret >= 0)
        ret = feed_all(ins, plan_out, sink, err);
    if (ret >= 0)
        ret = tc_folders_finish(f, plan_out, stats_out, err);
    if (ret >= 0 && sink->end)
        ret = sink->end(sink->opaque, plan_out, err);
    for (int i = 0; i < LADDER_MAX_STREAMS; i++) {
        close_file(&ins[i]);
        av_packet_free(&ins[i].pkt);
    }
    return ret;
}

/* The folders in replay order, every one read and the whole set checked. */
static int open_sorted(tc_folders **f, const char *const *dirs, int n, ladder_error *err)
{
    const char **sorted = av_calloc(n > 0 ? n : 1, sizeof *sorted);
    ladder_plan *plan = av_mallocz(sizeof *plan);
    int ret = sorted && plan ? tc_folders_sort(dirs, n, sorted, err)
                             : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    *f = NULL;
    if (ret >= 0)
        ret = tc_folders_open(f, sorted, n, NULL, err);
    if (ret >= 0)
        ret = tc_folders_finish(*f, plan, NULL, err);
    av_free(sorted);
    av_free(plan);
    return ret;
}

int tc_disk_check(const char *const *dirs, int n, ladder_error *err)
{
    tc_folders *f = NULL;
    int ret = open_sorted(&f, dirs, n, err);

    tc_folders_close(f);
    return ret;
}

int tc_disk_replay(const char *const *dirs, int n, const ladder_sink *sink, ladder_plan *plan_out,
                   ladder_stream_stats stats_out[LADDER_MAX_STREAMS], ladder_error *err)
{
    tc_folders *f = NULL;
    int ret = open_sorted(&f, dirs, n, err);

    if (ret >= 0)
        ret = replay_folders(f, sink, plan_out, stats_out, err);
    tc_folders_close(f);
    return ret;
}

int tc_disk_replay_arriving(const char *const *dirs, int n, const tc_folder_wait *wait,
                            const ladder_sink *sink, ladder_plan *plan_out,
                            ladder_stream_stats stats_out[LADDER_MAX_STREAMS], ladder_error *err)
{
    tc_folders *f = NULL;
    int ret = tc_folders_open(&f, dirs, n, wait, err);

    if (ret >= 0)
        ret = replay_folders(f, sink, plan_out, stats_out, err);
    tc_folders_close(f);
    return ret;
}

/* disk_jobs.c: the folders a replay reads (disk_replay.c): one whole transcode, or the jobs of
 * a chunked one. Each folder's summary.json is read, and checked against the folders before it,
 * when the replay first needs the folder; a distributed ingest's join starts replaying before
 * the last job is done and waits for each folder as it comes to it (docs/distributed.md, "The
 * join"). */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tc_internal.h"

typedef struct job_dir {
    const char *dir;
    tc_job job;
    ladder_plan plan;
    ladder_stream_stats stats[LADDER_MAX_STREAMS];
} job_dir;

/* How far the folders read so far have come, for the checks of the next one. */
typedef struct join_state {
    int chunked; /* jobs of a chunked transcode, not one whole one */
    int audio;   /* audio jobs seen */
    int next;    /* the segment the next chunk must start at */
    int ended;   /* a chunk reached the end of the source */
} join_state;

struct tc_folders {
    pthread_mutex_t lock;    /* n_read */
    pthread_mutex_t reading; /* the one thread reading folders, in order */
    const tc_folder_wait *wait;
    job_dir *jobs;
    int n, n_read;
    int video_ref;    /* the first video job read, whose video configuration is the show's */
    ladder_plan plan; /* tc_folders_plan's */
    join_state state;
    tc_vbv_join vbv; /* the rungs' buffers where the chunks read so far leave them */
    int failed;
    ladder_error error; /* why the folder at n_read cannot be read; sticky */
};

/* The same streams, rates and codec configuration: x264's parameters are the same for a rung
 * in every chunk, so its SPS and PPS are, and the chunks' bitstreams can be joined. The audio
 * job encodes no video, so its video streams' rate factors and headers are not compared. */
static int same_plan(const job_dir *a, const job_dir *b, ladder_error *err)
{
    int same = a->plan.n_streams == b->plan.n_streams;
    int video_jobs = !a->job.audio_only && !b->job.audio_only;

    for (int i = 0; same && i < a->plan.n_streams; i++) {
        const ladder_stream *x = &a->plan.streams[i], *y = &b->plan.streams[i];
        int coded = x->kind == LADDER_STREAM_AUDIO || video_jobs;
        same = strcmp(x->name, y->name) == 0 && x->bitrate_kbps == y->bitrate_kbps &&
               x->width == y->width && x->height == y->height && x->fps_num == y->fps_num &&
               x->fps_den == y->fps_den &&
               (!coded || (x->crf == y->crf && x->extradata_size == y->extradata_size &&
                           memcmp(x->extradata, y->extradata, x->extradata_size) == 0));
    }
    same = same && a->plan.n_breaks == b->plan.n_breaks;
    for (int i = 0; same && i < a->plan.n_breaks; i++) /* conditioned for the same breaks */
        same = a->plan.breaks[i].pts == b->plan.breaks[i].pts &&
               a->plan.breaks[i].scte35_size == b->plan.breaks[i].scte35_size;
    return same ? 0
                : ladder_error_set(err, LADDER_EINPUT,
                                   "%s and %s are not jobs of one transcode: their plans differ",
                                   a->dir, b->dir);
}

/* Folder k of a chunked transcode, in order: chunks from segment 0 on, each starting where the
 * one before ended, none after the one that reached the end of the source. */
static int check_arrival(join_state *s, const job_dir *j, int k, int n, ladder_error *err)
{
    if (k == 0)
        s->chunked = n > 1 || j->job.n_segments > 0 || j->job.audio_only;
    if (!s->chunked)
        return 0;
    if (j->job.audio_only) {
        s->audio++;
        return 0;
    }
    if (j->job.n_segments <= 0)
        return ladder_error_set(err, LADDER_EINPUT, "%s is a whole transcode; give it alone",
                                j->dir);
    if (j->job.first_segment > s->next || s->ended)
        return ladder_error_set(err, LADDER_EINPUT, "the chunks do not join: segment %d is missing",
                                s->ended ? j->job.first_segment : s->next);
    if (j->job.first_segment < s->next)
        return ladder_error_set(err, LADDER_EINPUT,
                                "the chunks do not join: segment %d is in two chunks",
                                j->job.first_segment);
    s->next += j->job.n_segments;
    s->ended = j->job.reached_end;
    return 0;
}

/* Once every folder is read: an audio job when the plan has audio, and chunks to the end. */
static int check_complete(const join_state *s, const ladder_plan *plan, ladder_error *err)
{
    if (!s->chunked)
        return 0;
    if (s->audio != (plan->n_audio > 0))
        return ladder_error_set(err, LADDER_EINPUT, "%d audio job(s) among the folders; need %d",
                                s->audio, plan->n_audio > 0);
    if (!s->ended)
        return ladder_error_set(err, LADDER_EINPUT,
                                "the chunks end at segment %d, before the show does", s->next);
    return 0;
}

/* Reads folder k's summary.json and checks it against the folders before it. */
static int load_folder(tc_folders *f, int k, ladder_error *err)
{
    job_dir *j = &f->jobs[k];
    char path[PATH_MAX];
    int ret;

    snprintf(path, sizeof path, "%s/summary.json", j->dir);
    ret = tc_plan_read(path, &j->plan, j->stats, &j->job, err);
    if (ret >= 0 && k > 0)
        ret = same_plan(&f->jobs[0], j, err);
    if (ret >= 0 && !j->job.audio_only && f->video_ref >= 0 && f->video_ref != k)
        ret = same_plan(&f->jobs[f->video_ref], j, err);
    if (ret >= 0 && !j->job.audio_only && f->video_ref < 0)
        f->video_ref = k;
    return ret;
}

/* Chunk k again, from the folder dir that redo made: the same job, the same plan. */
static int reload_folder(tc_folders *f, int k, const char *dir, ladder_error *err)
{
    job_dir *j = &f->jobs[k], *was = av_malloc(sizeof *was);
    int ret;

    if (!was)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    *was = *j;
    j->dir = dir;
    ret = load_folder(f, k, err);
    if (ret >= 0)
        ret = same_plan(was, j, err);
    if (ret >= 0 && (j->job.first_segment != was->job.first_segment ||
                     j->job.n_segments != was->job.n_segments ||
                     j->job.reached_end != was->job.reached_end || j->job.audio_only))
        ret = ladder_error_set(err, LADDER_EINPUT,
                               "%s is not %s encoded again: its segments differ", dir, was->dir);
    av_free(was);
    return ret;
}

/* How often a chunk is encoded again, each time from a little lower, before the join gives up. */
#define VBV_REDO_TRIES 3

static int vbv_failure(const job_dir *j, const tc_vbv_verdict *v, int redone, ladder_error *err)
{
    char list[PROF_MAX_RUNGS * 8];
    int rungs = j->plan.n_video + j->plan.n_skipped;

    if (redone)
        return ladder_error_set(err, LADDER_EENCODE,
                                "%s: %s still underflows its VBV after %d encodes from emptier "
                                "buffers (%.2f full at the chunk's start)",
                                j->dir, v->rung, redone, v->start);
    tc_vbv_init_format(v->init, rungs, list, sizeof list);
    return ladder_error_set(err, LADDER_EINPUT,
                            "%s: %s would underflow its VBV, which the chunks before leave %.2f "
                            "full and its encoder took as %.2f; transcode the chunk again with "
                            "--vbv-init %s",
                            j->dir, v->rung, v->start, v->assumed, list);
}

/* A chunk that would underflow a rung's VBV where the chunks before it leave the buffer is
 * encoded again from that level by the wait's redo (a distributed ingest's coordinator), until
 * it fits; without a redo the join fails with what to run (docs/distributed.md, "Joins that
 * conform"). */
static int join_vbv(tc_folders *f, int k, ladder_error *err)
{
    tc_vbv_verdict v;

    for (int tries = 0;; tries++) {
        int ret = tc_vbv_join_chunk(&f->vbv, f->jobs[k].dir, &f->jobs[k].plan, tries, &v, err);
        if (ret <= 0)
            return ret;
        if (!f->wait || !f->wait->redo || tries == VBV_REDO_TRIES)
            return vbv_failure(&f->jobs[k], &v, tries, err);
        const char *dir = f->wait->redo(f->wait->opaque, k, v.init, err);
        if (!dir || reload_folder(f, k, dir, err) < 0)
            return err->code;
    }
}

/* Waits for folder k to be complete, reads its summary.json and checks it. */
static int read_folder(tc_folders *f, int k, ladder_error *err)
{
    int ret = f->wait ? f->wait->wait(f->wait->opaque, k, err) : 0;

    if (ret >= 0)
        ret = load_folder(f, k, err);
    if (ret >= 0)
        ret = check_arrival(&f->state, &f->jobs[k], k, f->n, err);
    if (ret >= 0 && f->state.chunked && !f->jobs[k].job.audio_only)
        ret = join_vbv(f, k, err);
    return ret;
}

int tc_folders_open(tc_folders **out, const char *const *dirs, int n, const tc_folder_wait *wait,
                    ladder_error *err)
{
    tc_folders *f;

    *out = NULL;
    if (n < 1 || n > TC_REPLAY_DIRS_MAX)
        return ladder_error_set(err, LADDER_EINVAL, "give 1 to %d transcode folders",
                                TC_REPLAY_DIRS_MAX);
    f = av_mallocz(sizeof *f);
    if (f)
        f->jobs = av_calloc(n, sizeof *f->jobs);
    if (!f || !f->jobs) {
        av_free(f);
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&f->lock, NULL);
    pthread_mutex_init(&f->reading, NULL);
    f->wait = wait;
    f->n = n;
    f->video_ref = -1;
    for (int i = 0; i < n; i++)
        f->jobs[i].dir = dirs[i];
    *out = f;
    return 0;
}

int tc_folders_count(const tc_folders *f)
{
    return f->n;
}

const char *tc_folders_dir(const tc_folders *f, int k)
{
    return f->jobs[k].dir;
}

/* Only a thread holding `reading` changes what n_read counts, and it reads each folder once. */
int tc_folders_get(tc_folders *f, int k, const tc_job **job, ladder_error *err)
{
    int ret = 0;

    pthread_mutex_lock(&f->lock);
    int ready = k < f->n_read;
    pthread_mutex_unlock(&f->lock);
    if (!ready) {
        pthread_mutex_lock(&f->reading);
        while (!f->failed && f->n_read <= k) {
            if (read_folder(f, f->n_read, &f->error) < 0) {
                f->failed = 1;
                break;
            }
            pthread_mutex_lock(&f->lock);
            f->n_read++;
            pthread_mutex_unlock(&f->lock);
        }
        if (f->failed) {
            *err = f->error;
            ret = f->error.code;
        }
        pthread_mutex_unlock(&f->reading);
    }
    if (ret >= 0 && job)
        *job = &f->jobs[k].job;
    return ret;
}

/* The first folder's plan, the video streams' rate factors and headers the first video job's. */
static void show_plan(const tc_folders *f, ladder_plan *plan)
{
    *plan = f->jobs[0].plan;
    if (f->video_ref <= 0)
        return;
    for (int i = 0; i < plan->n_streams; i++) {
        const ladder_stream *v = &f->jobs[f->video_ref].plan.streams[i];
        if (v->kind != LADDER_STREAM_VIDEO)
            continue;
        plan->streams[i].crf = v->crf;
        plan->streams[i].extradata_size = v->extradata_size;
        memcpy(plan->streams[i].extradata, v->extradata, sizeof v->extradata);
    }
}

const ladder_plan *tc_folders_plan(tc_folders *f, ladder_error *err)
{
    int ret = tc_folders_get(f, 0, NULL, err);

    if (ret >= 0 && f->jobs[0].job.audio_only && f->n > 1)
        ret = tc_folders_get(f, 1, NULL, err); /* the first chunk, for the video's headers */
    if (ret < 0)
        return NULL;
    show_plan(f, &f->plan);
    return &f->plan;
}

/* A stream's figures over the jobs that made it: sums, and PSNR/SSIM weighted by frames. */
static void merge_stats(const job_dir *j, int n, int stream, ladder_stream_stats *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < n; i++) {
        const ladder_stream_stats *s = &j[i].stats[stream];
        out->frames += s->frames;
        out->bytes += s->bytes;
        out->duration += s->duration;
        out->idr_count += s->idr_count;
        out->psnr_y += s->psnr_y * s->frames;
        out->psnr_avg += s->psnr_avg * s->frames;
        out->ssim += s->ssim * s->frames;
    }
    if (out->frames > 0) {
        out->psnr_y /= out->frames;
        out->psnr_avg /= out->frames;
        out->ssim /= out->frames;
    }
    out->avg_kbps = out->duration > 0 ? out->bytes * 8 / out->duration / 1000 : 0;
}

int tc_folders_finish(tc_folders *f, ladder_plan *plan, ladder_stream_stats *stats,
                      ladder_error *err)
{
    int ret = tc_folders_get(f, f->n - 1, NULL, err);

    if (ret >= 0)
        ret = check_complete(&f->state, &f->jobs[0].plan, err);
    if (ret < 0)
        return ret;
    show_plan(f, plan);
    for (int i = 0; i < plan->n_streams; i++) {
        for (int k = 0; k < f->n; k++) /* 608 carried if any chunk carried it */
            plan->streams[i].cc608 |= f->jobs[k].plan.streams[i].cc608;
        if (stats)
            merge_stats(f->jobs, f->n, i, &stats[i]);
    }
    return 0;
}

void tc_folders_close(tc_folders *f)
{
    if (!f)
        return;
    pthread_mutex_destroy(&f->lock);
    pthread_mutex_destroy(&f->reading);
    av_free(f->jobs);
    av_free(f);
}

/* ---- folders given in any order ---------------------------------------------------------- */

typedef struct sort_key {
    const char *dir;
    tc_job job;
} sort_key;

static int by_chunk(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    if (x->job.audio_only != y->job.audio_only)
        return x->job.audio_only ? -1 : 1;
    return x->job.first_segment - y->job.first_segment;
}

int tc_folders_sort(const char *const *dirs, int n, const char **sorted, ladder_error *err)
{
    sort_key *keys = av_calloc(n > 0 ? n : 1, sizeof *keys);
    ladder_plan *plan = av_mallocz(sizeof *plan);
    char path[PATH_MAX];
    int ret = keys && plan ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    if (n < 1 || n > TC_REPLAY_DIRS_MAX)
        ret = ladder_error_set(err, LADDER_EINVAL, "give 1 to %d transcode folders",
                               TC_REPLAY_DIRS_MAX);
    for (int i = 0; ret >= 0 && i < n; i++) {
        keys[i].dir = dirs[i];
        snprintf(path, sizeof path, "%s/summary.json", dirs[i]);
        ret = tc_plan_read(path, plan, NULL, &keys[i].job, err);
    }
    if (ret >= 0)
        qsort(keys, n, sizeof *keys, by_chunk);
    for (int i = 0; ret >= 0 && i < n; i++)
        sorted[i] = keys[i].dir;
    av_free(keys);
    av_free(plan);
    return ret;
}

/* pool.c: the encode stage. One bounded queue of pictures per rendition and a fixed set of
 * worker threads, one per core. A worker takes the rendition whose queue is fullest (the one
 * furthest behind), encodes a few of its pictures, and puts it back; a rendition is never
 * encoded by two workers at once, so its packets leave in order. The decoding thread blocks
 * while a queue is full, which bounds memory. */
#include <string.h>

#include "tc_internal.h"

#define POOL_MAX_QUEUE 64
#define POOL_BATCH     4

typedef struct job_queue {
    AVFrame *frames[POOL_MAX_QUEUE];
    unsigned char idr[POOL_MAX_QUEUE];
    int head, count;
    int busy;    /* a worker holds this rendition */
    int drained; /* the encoder has been flushed */
} job_queue;

struct tc_pool {
    pthread_mutex_t lock;
    pthread_cond_t work;  /* a queue got pictures, or the end came */
    pthread_cond_t space; /* a queue got room, or a worker failed */
    tc_encoder *encoders;
    const ladder_sink *sink;
    job_queue *queues;
    int n, capacity;
    int ending; /* no more pictures will come */
    int failed; /* a worker failed; everyone stops */
    ladder_error error;
    pthread_t threads[64];
    int n_threads;
};

/* The rendition to work on next, or -1. Called with the lock held. */
static int pick_queue(tc_pool *p)
{
    int best = -1;

    for (int i = 0; i < p->n; i++) {
        job_queue *q = &p->queues[i];
        if (q->busy || q->drained || (q->count == 0 && !p->ending))
            continue;
        if (best < 0 || q->count > p->queues[best].count)
            best = i;
    }
    return best;
}

static int all_drained(const tc_pool *p)
{
    for (int i = 0; i < p->n; i++)
        if (!p->queues[i].drained)
            return 0;
    return 1;
}

/* Encodes what was taken from queue i, outside the lock. */
static int run_batch(tc_pool *p, int i, AVFrame **frames, unsigned char *idr, int n, int drain,
                     ladder_error *err)
{
    int ret = 0;

    for (int k = 0; k < n; k++) {
        if (ret == 0)
            ret = tc_encoder_encode(&p->encoders[i], frames[k], idr[k], p->sink, err);
        av_frame_free(&frames[k]);
    }
    if (ret == 0 && drain)
        ret = tc_encoder_drain(&p->encoders[i], p->sink, err);
    return ret;
}

static void *worker_main(void *arg)
{
    tc_pool *p = arg;

    pthread_mutex_lock(&p->lock);
    while (!p->failed && !all_drained(p)) {
        AVFrame *frames[POOL_BATCH];
        unsigned char idr[POOL_BATCH];
        ladder_error err = {0};
        int i = pick_queue(p), n = 0, drain, ret;

        if (i < 0) {
            pthread_cond_wait(&p->work, &p->lock);
            continue;
        }
        job_queue *q = &p->queues[i];
        while (n < POOL_BATCH && q->count > 0) {
            frames[n] = q->frames[q->head];
            idr[n++] = q->idr[q->head];
            q->head = (q->head + 1) % p->capacity;
            q->count--;
        }
        drain = p->ending && q->count == 0;
        q->busy = 1;
        pthread_cond_broadcast(&p->space);
        pthread_mutex_unlock(&p->lock);

        ret = run_batch(p, i, frames, idr, n, drain, &err);

        pthread_mutex_lock(&p->lock);
        q->busy = 0;
        q->drained |= drain && ret == 0;
        if (ret < 0 && !p->failed) {
            p->failed = 1;
            p->error = err;
            if (p->error.code == 0)
                p->error.code = ret;
        }
        pthread_cond_broadcast(&p->work);
        pthread_cond_broadcast(&p->space);
    }
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int tc_pool_open(tc_pool **out, tc_encoder *encoders, int n, int threads, int queue_frames,
                 const ladder_sink *sink, ladder_error *err)
{
    tc_pool *p = av_mallocz(sizeof *p);

    *out = NULL;
    if (!p || !(p->queues = av_calloc(n > 0 ? n : 1, sizeof *p->queues))) {
        av_free(p);
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    }
    p->encoders = encoders;
    p->sink = sink;
    p->n = n;
    p->capacity = queue_frames < 2                ? 2
                  : queue_frames > POOL_MAX_QUEUE ? POOL_MAX_QUEUE
                                                  : queue_frames;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->space, NULL);
    if (threads < 1)
        threads = 1;
    if (threads > (int)(sizeof p->threads / sizeof p->threads[0]))
        threads = sizeof p->threads / sizeof p->threads[0];
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
            tc_pool_close(p);
            return ladder_error_set(err, LADDER_ENOMEM, "cannot start encoder threads");
        }
        p->n_threads++;
    }
    *out = p;
    return 0;
}

int tc_pool_push(tc_pool *p, int i, AVFrame *frame, int idr, ladder_error *err)
{
    job_queue *q = &p->queues[i];

    pthread_mutex_lock(&p->lock);
    while (q->count == p->capacity && !p->failed)
        pthread_cond_wait(&p->space, &p->lock);
    if (p->failed) {
        int code = p->error.code;
        if (err)
            *err = p->error;
        pthread_mutex_unlock(&p->lock);
        av_frame_free(&frame);
        return code;
    }
    q->frames[(q->head + q->count) % p->capacity] = frame;
    q->idr[(q->head + q->count) % p->capacity] = (unsigned char)idr;
    q->count++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

/* Stops the workers: after the end was signalled they leave once everything is drained or a
 * worker failed. */
static void join_workers(tc_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->ending = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    p->n_threads = 0;
}

int tc_pool_finish(tc_pool *p, ladder_error *err)
{
    join_workers(p);
    if (p->failed) {
        if (err)
            *err = p->error;
        return p->error.code;
    }
    return 0;
}

/* Frees pictures still queued (after a failure). */
void tc_pool_close(tc_pool *p)
{
    if (!p)
        return;
    if (p->n_threads > 0) {
        pthread_mutex_lock(&p->lock);
        p->failed = 1;
        pthread_mutex_unlock(&p->lock);
        join_workers(p);
    }
    for (int i = 0; i < p->n; i++)
        for (int k = 0; k < p->queues[i].count; k++)
            av_frame_free(&p->queues[i].frames[(p->queues[i].head + k) % p->capacity]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->space);
    av_free(p->queues);
    av_free(p);
}

/* parallel.c: runs n independent jobs on up to one thread per core (ladder.h). For work that
 * is many files read one by one, like validating variants or hashing a show's files: each job
 * writes only its own results, so the callers need no locks of their own. */
#include <pthread.h>

#include "ladder.h"

#define MAX_WORKERS 8

typedef struct job_queue {
    void (*fn)(void *opaque, int i);
    void *opaque;
    int n, next;
    pthread_mutex_t lock;
} job_queue;

static void *worker(void *arg)
{
    job_queue *q = arg;

    for (;;) {
        pthread_mutex_lock(&q->lock);
        int i = q->next++;
        pthread_mutex_unlock(&q->lock);
        if (i >= q->n)
            return NULL;
        q->fn(q->opaque, i);
    }
}

void ladder_parallel_for(int n, void (*fn)(void *opaque, int i), void *opaque)
{
    job_queue q = {.fn = fn, .opaque = opaque, .n = n};
    pthread_t ids[MAX_WORKERS];
    int workers = ladder_cpu_count(), started = 0;

    if (workers > MAX_WORKERS)
        workers = MAX_WORKERS;
    if (workers > n)
        workers = n;
    pthread_mutex_init(&q.lock, NULL);
    for (; started < workers - 1; started++)
        if (pthread_create(&ids[started], NULL, worker, &q) != 0)
            break;
    worker(&q); /* this thread works too, and alone if no thread could start */
    for (int i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    pthread_mutex_destroy(&q.lock);
}

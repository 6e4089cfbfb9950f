/* queue.h: the job queue of a distributed ingest, on Redis Streams (docs/distributed.md).
 *
 * A coordinator (`ladder ingest --queue`) registers a show and submits its jobs: the audio job
 * and one job per chunk of segments. Workers (`ladder worker`) take jobs through a consumer
 * group, keep their claim fresh while they work, and ack a job only once its output folder is
 * in place; a job whose worker went silent is taken back with XAUTOCLAIM, and a job that failed
 * max_tries times goes to the dead-letter stream. Everything a coordinator needs to resume
 * lives in Redis; the outputs themselves live on the shared filesystem.
 *
 * Order of use: queue_connect -> the coordinator's or the worker's calls -> queue_close. A
 * queue_conn is one connection; use it from one thread. Every call returns 0 (or a count) or
 * a negative code with err filled; a connection lost in the middle of a call is tried again
 * for reconnect_seconds (Redis restarting) before the call fails. */
#ifndef LADDER_QUEUE_H
#define LADDER_QUEUE_H

#include <signal.h>
#include <stddef.h>

#include "ladder.h"

#define QUEUE_PATH_MAX     1024
#define QUEUE_JOB_NAME_MAX 32
#define QUEUE_BREAKS_MAX   16384 /* the ad breaks as ladder_breaks_format writes them */
#define QUEUE_ID_MAX       48
#define QUEUE_DIGEST_MAX   65  /* a SHA-256 in hex */
#define QUEUE_CRF_MAX      512 /* "23.10,24.75,...": up to 64 rungs' rate factors */
/* `queue status` measures the workers' throughput over the jobs done in the last this many
 * seconds (on Redis's clock); older records of jobs done are trimmed away. */
#define QUEUE_THROUGHPUT_WINDOW 600

typedef struct queue_conn queue_conn;

/* url: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]. Connects, authenticates, selects the
 * database and makes the consumer group if it is missing. */
int queue_connect(queue_conn **out, const char *url, double reconnect_seconds, ladder_error *err);
void queue_close(queue_conn *q);
/* A flag (a signal handler's) that, once set, makes a wait for Redis to come back give up at
 * once; may be NULL. */
void queue_set_stop_flag(queue_conn *q, const volatile sig_atomic_t *stop);

/* One job: a `ladder transcode` of mezz into out (a folder on the shared filesystem), either
 * the audio of the whole show or the video of segments first_segment .. + n_segments - 1. */
typedef struct queue_job {
    char show[LADDER_NAME_MAX];
    char name[QUEUE_JOB_NAME_MAX]; /* "audio", "chunk-NNNNN" (its first segment), "probeP-GGGGG" */
    char mezz[QUEUE_PATH_MAX], out[QUEUE_PATH_MAX], profile[QUEUE_PATH_MAX]; /* profile "": pbs16 */
    int audio_only, first_segment, n_segments;
    int soft_limit, hard_limit; /* seconds: a warning in the log; the worker gives the job up */
    int max_tries;              /* failures before the dead-letter stream */
    int run;                    /* which run of its show submitted it (queue_show_begin); 0: any */
    char breaks[QUEUE_BREAKS_MAX]; /* the show's ad breaks, rounded to frames; "": none */
    /* each rung's rate factor, chosen once for the show (tc_choose_crf, as tc_crf_format
     * writes them); "": the job chooses them itself (a job queued before they were given) */
    char crf[QUEUE_CRF_MAX];
    /* each rung's VBV fullness at the chunk's start (tc_vbv_init_format): set only on a chunk
     * the join has the workers encode again, because the buffer the chunks before it leave is
     * emptier than x264's default assumes (docs/distributed.md, "Joins that conform"); "": 0.9 */
    char vbv_init[QUEUE_CRF_MAX];
    /* A rate probe job (docs/distributed.md, "The rate probe as jobs"): GOP probe_gop of the
     * show, encoded for pass probe_pass (1 or 2) at the factors in crf. 0: not a probe job. */
    int probe_pass, probe_gop;
    /* SHA-256 (hex) of the coordinator's ladder binary and of its profile file; a worker whose
     * own differ must not run the job (publish_job_fits). "": not checked (a job queued before
     * they were recorded; the profile "" is pbs16, inside the binary). */
    char build[QUEUE_DIGEST_MAX], profile_digest[QUEUE_DIGEST_MAX];
    /* Seconds of show the job encodes, for the throughput in `queue status`: the show's length
     * for the audio job, n_segments x the segment length for a chunk (the last one up to the
     * show's end). 0 in a job queued before it was recorded. */
    double show_seconds;
    /* set by queue_take */
    char entry[QUEUE_ID_MAX]; /* the stream entry */
    int urgent;               /* which stream it came from */
} queue_job;

/* --- coordinator --- */

/* Registers the show (or finds it registered: a coordinator resuming). n_jobs is how many
 * jobs make the show; urgent puts its jobs in the urgent stream. *run gets the run the show's
 * jobs belong to: a new one when the show starts afresh, so that a job of an ended run that a
 * worker still has cannot start, or fail, the new one. Returns 1 when resuming, else 0. */
int queue_show_begin(queue_conn *q, const char *show, const char *mezz, int n_jobs, int urgent,
                     int *run, ladder_error *err);
/* Adds the job unless it is already queued for this show; returns 1 if added, 0 if not. */
int queue_submit(queue_conn *q, const queue_job *job, int urgent, ladder_error *err);
/* Waits up to timeout_ms for news of the show's jobs (a job done or dead). Returns 0. */
int queue_wait(queue_conn *q, const char *show, int timeout_ms, ladder_error *err);
/* The first dead job of the show as "NAME: REASON" into msg; returns 1 if there is one. */
int queue_show_dead(queue_conn *q, const char *show, char *msg, size_t len, ladder_error *err);
/* 1 if Redis still knows the show as running; 0 if it lost it (restarted without its data). */
int queue_show_known(queue_conn *q, const char *show, ladder_error *err);
/* The show is over (state "published" or "failed"): forgets its queued/done sets. */
int queue_show_end(queue_conn *q, const char *show, const char *state, ladder_error *err);

/* --- worker --- */

/* Takes the next job for consumer: first a job whose worker has been silent for lease_ms
 * (XAUTOCLAIM), then a new one, urgent before normal; waits up to about a second when there
 * is none. Returns 1 with *job filled, or 0. */
int queue_take(queue_conn *q, const char *consumer, int lease_ms, queue_job *job,
               ladder_error *err);
/* Counts one more try of the job and marks it running on consumer; returns the try number,
 * or 0 when its show is no longer in flight (failed, or published): the job is then dropped. */
int queue_start(queue_conn *q, const char *consumer, const queue_job *job, ladder_error *err);
/* Keeps the claim fresh (resets its idle time). Returns 1, or 0 if another worker took it. */
int queue_keep(queue_conn *q, const char *consumer, const queue_job *job, ladder_error *err);
/* The output is in place: ack the job and tell the coordinator. took: the seconds consumer
 * spent on the job, on its own monotonic clock, recorded with the job's show_seconds for the
 * throughput in `queue status`; < 0: it did not run it (the folder was in place already), so
 * the job counts for no throughput. */
int queue_done(queue_conn *q, const char *consumer, const queue_job *job, double took,
               ladder_error *err);
/* Hands the job back at once for another worker (the try is not counted if !count_try). */
int queue_give_back(queue_conn *q, const char *consumer, const queue_job *job, int count_try,
                    ladder_error *err);
/* Hands a job taken but never started (queue_start) back at once, as it was: no try counted. */
int queue_release(queue_conn *q, const char *consumer, const queue_job *job, ladder_error *err);
/* The job failed for good: to the dead-letter stream with reason, acked, the coordinator told. */
int queue_dead(queue_conn *q, const queue_job *job, const char *reason, ladder_error *err);
/* "I am alive", with what the worker is doing, for `ladder queue status`. */
int queue_heartbeat(queue_conn *q, const char *consumer, const char *doing, ladder_error *err);

/* --- status --- */

/* The queue as JSON text (malloc'd; free with free()): the shows in flight with their jobs
 * pending, running, done and dead and their estimated time left, the dead-letter stream's
 * length, and the workers seen in the last seen_seconds with their throughput over the last
 * QUEUE_THROUGHPUT_WINDOW seconds. Format in docs/distributed.md. */
int queue_status_json(queue_conn *q, int seen_seconds, char **out, ladder_error *err);

#endif

/* jobs.c: a show's jobs through Redis Streams: the coordinator registers the show and submits
 * its jobs; workers take, keep, finish, hand back or bury them (docs/distributed.md).
 *
 * Keys: the jobs go in ladder:jobs:urgent or ladder:jobs:normal, read through the consumer
 * group "workers". Per show: the hash ladder:show:ID (mezz, n_jobs, urgent, state, dead), the
 * sets ladder:show:ID:queued and ladder:show:ID:done, the hash ladder:show:ID:tries and the
 * event stream ladder:events:ID that wakes the coordinator. Across shows, the sorted set
 * ladder:throughput records each job done, for the throughput `queue status` shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "queue_internal.h"

/* Handing a job back sets its idle time this high, so XAUTOCLAIM gives it to the next worker
 * that asks, whatever lease it uses. */
#define Q_IDLE_HANDED_BACK "1000000000"

/* Runs a command whose reply is not needed. */
#define RUN(q, err, ...)                                                                           \
    do {                                                                                           \
        redisReply *r_ = q_command(q, err, __VA_ARGS__);                                           \
        if (!r_)                                                                                   \
            return LADDER_EIO;                                                                     \
        freeReplyObject(r_);                                                                       \
    } while (0)

/* --- coordinator ------------------------------------------------------------------------- */

/* The show's current run: counted up when it starts afresh (fresh), else read. Kept in a key
 * of its own, which a show's start and end leave alone. 0 for a show from before runs. */
static int show_run(queue_conn *q, const char *show, int fresh, ladder_error *err)
{
    char key[Q_KEY_MAX];
    redisReply *r;
    int run;

    q_show_key(key, show, ":run");
    if (!(r = q_command(q, err, fresh ? "INCR %s" : "GET %s", key)))
        return LADDER_EIO;
    run = r->type == REDIS_REPLY_INTEGER ? (int)r->integer : atoi(q_str(r));
    freeReplyObject(r);
    return run;
}

/* Whether the job belongs to its show's current run (a job of run 0 belongs to any). */
static int in_current_run(queue_conn *q, const queue_job *job, ladder_error *err)
{
    int run = job->run ? show_run(q, job->show, 0, err) : 0;

    return run < 0 ? run : run == job->run;
}

int queue_show_begin(queue_conn *q, const char *show, const char *mezz, int n_jobs, int urgent,
                     int *run, ladder_error *err)
{
    char key[Q_KEY_MAX], queued[Q_KEY_MAX], done[Q_KEY_MAX], tries[Q_KEY_MAX];
    int resuming;

    q_show_key(key, show, "");
    q_show_key(queued, show, ":queued");
    q_show_key(done, show, ":done");
    q_show_key(tries, show, ":tries");
    if ((resuming = queue_show_known(q, show, err)) < 0)
        return resuming;
    /* A show that ended (or failed) starts afresh: its dead jobs get their tries again. A
     * show still running lost its coordinator: what is queued stays queued. */
    if (!resuming)
        RUN(q, err, "DEL %s %s %s %s", key, queued, done, tries);
    RUN(q, err, "HSET %s mezz %s n_jobs %d urgent %d state running", key, mezz, n_jobs, urgent);
    RUN(q, err, "SADD " Q_SHOWS " %s", show);
    if ((*run = show_run(q, show, !resuming, err)) < 0)
        return *run;
    snprintf(q->last_event, sizeof q->last_event, "0-0");
    return resuming;
}

static int add_job(queue_conn *q, const queue_job *j, int urgent, ladder_error *err)
{
    char segments[32], seconds[32];

    q_job_segments(j, segments, sizeof segments);
    q_job_seconds(j, seconds, sizeof seconds);
    RUN(q, err, Q_JOB_XADD, Q_JOB_XADD_ARGS(j, urgent, segments, seconds));
    return 0;
}

int queue_submit(queue_conn *q, const queue_job *job, int urgent, ladder_error *err)
{
    char queued[Q_KEY_MAX];
    redisReply *r;
    int added;

    q_show_key(queued, job->show, ":queued");
    if (!(r = q_command(q, err, "SADD %s %s", queued, job->name)))
        return LADDER_EIO;
    added = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    if (added && add_job(q, job, urgent, err) < 0)
        return LADDER_EIO;
    return added;
}

/* Remembers the id of the newest event in an XREAD reply. */
static void note_last_event(queue_conn *q, const redisReply *r)
{
    const redisReply *entries;

    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1)
        return;
    entries = r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2
                  ? r->element[0]->element[1]
                  : NULL;
    if (entries && entries->type == REDIS_REPLY_ARRAY && entries->elements > 0) {
        const redisReply *e = entries->element[entries->elements - 1];
        if (e->type == REDIS_REPLY_ARRAY && e->elements >= 1)
            snprintf(q->last_event, sizeof q->last_event, "%s", q_str(e->element[0]));
    }
}

int queue_wait(queue_conn *q, const char *show, int timeout_ms, ladder_error *err)
{
    char key[Q_KEY_MAX];
    redisReply *r;

    q_events_key(key, show);
    r = q_command(q, err, "XREAD COUNT 100 BLOCK %d STREAMS %s %s", timeout_ms, key, q->last_event);
    if (!r)
        return LADDER_EIO;
    note_last_event(q, r);
    freeReplyObject(r);
    return 0;
}

int queue_show_dead(queue_conn *q, const char *show, char *msg, size_t len, ladder_error *err)
{
    char key[Q_KEY_MAX];
    redisReply *r;
    int dead;

    q_show_key(key, show, "");
    if (!(r = q_command(q, err, "HGET %s dead", key)))
        return LADDER_EIO;
    dead = r->type == REDIS_REPLY_STRING;
    if (dead)
        snprintf(msg, len, "%s", r->str);
    freeReplyObject(r);
    return dead;
}

int queue_show_known(queue_conn *q, const char *show, ladder_error *err)
{
    char key[Q_KEY_MAX];
    redisReply *r;
    int known;

    q_show_key(key, show, "");
    if (!(r = q_command(q, err, "HGET %s state", key)))
        return LADDER_EIO;
    known = strcmp(q_str(r), "running") == 0;
    freeReplyObject(r);
    return known;
}

int queue_show_end(queue_conn *q, const char *show, const char *state, ladder_error *err)
{
    char key[Q_KEY_MAX], queued[Q_KEY_MAX], done[Q_KEY_MAX], tries[Q_KEY_MAX], events[Q_KEY_MAX];

    q_show_key(key, show, "");
    q_show_key(queued, show, ":queued");
    q_show_key(done, show, ":done");
    q_show_key(tries, show, ":tries");
    q_events_key(events, show);
    RUN(q, err, "HSET %s state %s", key, state);
    RUN(q, err, "DEL %s %s %s", queued, done, events);
    if (strcmp(state, "published") == 0) {
        RUN(q, err, "DEL %s %s", key, tries);
        RUN(q, err, "SREM " Q_SHOWS " %s", show);
    }
    return 0;
}

/* --- worker ------------------------------------------------------------------------------ */

static int finish(queue_conn *q, const queue_job *job, const char *what, ladder_error *err);

/* The first job of an entry list; returns 1 with *job, 0 if none. Entries that are not jobs
 * (another program's, or written by hand) are acked and dropped so they do not come back. */
static int first_job(queue_conn *q, const redisReply *entries, int urgent, queue_job *job,
                     ladder_error *err)
{
    for (size_t i = 0; entries && entries->type == REDIS_REPLY_ARRAY && i < entries->elements;
         i++) {
        const redisReply *e = entries->element[i];
        if (e->type == REDIS_REPLY_NIL)
            continue;
        if (q_parse_entry(e, urgent, job) == 0)
            return 1;
        if (e->type == REDIS_REPLY_ARRAY && e->elements >= 1)
            RUN(q, err, "XACK %s " Q_GROUP " %s", q_job_stream(urgent), q_str(e->element[0]));
    }
    return 0;
}

/* XAUTOCLAIM: a job idle for lease_ms in one stream, walking the whole pending list. */
static int take_silent(queue_conn *q, const char *consumer, int lease_ms, int urgent,
                       queue_job *job, ladder_error *err)
{
    char cursor[QUEUE_ID_MAX] = "0-0";
    int got = 0;

    do {
        redisReply *r = q_command(q, err, "XAUTOCLAIM %s " Q_GROUP " %s %d %s COUNT 1",
                                  q_job_stream(urgent), consumer, lease_ms, cursor);
        if (!r)
            return LADDER_EIO;
        if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2) {
            snprintf(cursor, sizeof cursor, "%s", q_str(r->element[0]));
            got = first_job(q, r->element[1], urgent, job, err);
        } else {
            snprintf(cursor, sizeof cursor, "0-0");
        }
        freeReplyObject(r);
    } while (got == 0 && strcmp(cursor, "0-0") != 0);
    return got;
}

/* XREADGROUP: a new job from one stream, waiting up to block_ms (0: not at all). */
static int take_new(queue_conn *q, const char *consumer, int urgent, int block_ms, queue_job *job,
                    ladder_error *err)
{
    redisReply *r;
    int got = 0;

    if (block_ms > 0)
        r = q_command(q, err, "XREADGROUP GROUP " Q_GROUP " %s COUNT 1 BLOCK %d STREAMS %s >",
                      consumer, block_ms, q_job_stream(urgent));
    else
        r = q_command(q, err, "XREADGROUP GROUP " Q_GROUP " %s COUNT 1 STREAMS %s >", consumer,
                      q_job_stream(urgent));
    if (!r)
        return LADDER_EIO;
    /* [[stream, [[id, fields]]]] */
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->elements == 2)
        got = first_job(q, r->element[0]->element[1], urgent, job, err);
    freeReplyObject(r);
    return got;
}

int queue_take(queue_conn *q, const char *consumer, int lease_ms, queue_job *job, ladder_error *err)
{
    int got = 0;

    /* Urgent before normal, and in each a silent worker's job before a new one. */
    for (int urgent = 1; urgent >= 0 && got == 0; urgent--) {
        got = take_silent(q, consumer, lease_ms, urgent, job, err);
        if (got == 0)
            got = take_new(q, consumer, urgent, 0, job, err);
    }
    /* Nothing: wait a little for new normal work (urgent work waits at most this long). */
    if (got == 0)
        got = take_new(q, consumer, 0, 1000, job, err);
    return got;
}

int queue_start(queue_conn *q, const char *consumer, const queue_job *job, ladder_error *err)
{
    char key[Q_KEY_MAX], tries[Q_KEY_MAX];
    redisReply *r;
    int n, running;

    q_show_key(key, job->show, "");
    q_show_key(tries, job->show, ":tries");
    if (!(r = q_command(q, err, "HGET %s state", key)))
        return LADDER_EIO;
    running = strcmp(q_str(r), "running") == 0;
    freeReplyObject(r);
    if (running && (running = in_current_run(q, job, err)) < 0)
        return LADDER_EIO;
    /* the show failed, or was published, or started again meanwhile: nobody needs this job */
    if (!running)
        return finish(q, job, "dropped", err) < 0 ? LADDER_EIO : 0;
    if (!(r = q_command(q, err, "HINCRBY %s %s 1", tries, job->name)))
        return LADDER_EIO;
    n = (int)r->integer;
    freeReplyObject(r);
    RUN(q, err, "HSET " Q_RUNNING " %s/%s %s", job->show, job->name, consumer);
    return n;
}

int queue_keep(queue_conn *q, const char *consumer, const queue_job *job, ladder_error *err)
{
    const char *stream = q_job_stream(job->urgent);
    redisReply *r;
    int ours;

    /* [[id, consumer, idle, deliveries]] while the entry is pending */
    r = q_command(q, err, "XPENDING %s " Q_GROUP " %s %s 1", stream, job->entry, job->entry);
    if (!r)
        return LADDER_EIO;
    ours = r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->elements >= 2 &&
           strcmp(q_str(r->element[0]->element[1]), consumer) == 0;
    freeReplyObject(r);
    if (ours)
        RUN(q, err, "XCLAIM %s " Q_GROUP " %s 0 %s JUSTID", stream, consumer, job->entry);
    return ours;
}

/* Acks and deletes the entry, and says `what` happened on the show's event stream. */
static int finish(queue_conn *q, const queue_job *job, const char *what, ladder_error *err)
{
    char events[Q_KEY_MAX];
    const char *stream = q_job_stream(job->urgent);

    q_events_key(events, job->show);
    RUN(q, err, "XACK %s " Q_GROUP " %s", stream, job->entry);
    RUN(q, err, "XDEL %s %s", stream, job->entry);
    RUN(q, err, "HDEL " Q_RUNNING " %s/%s", job->show, job->name);
    RUN(q, err, "XADD %s MAXLEN ~ 10000 * %s %s", events, what, job->name);
    return 0;
}

/* Records a job done in ladder:throughput: member "END TOOK SECONDS SHOW/JOB WORKER", scored
 * by END, Redis's time when it was done (the end in the member makes each one unique, so that
 * sending it twice after a reconnect adds it once). Records older than the window are trimmed
 * here, and the set is capped, so it never grows without bound. */
static int note_throughput(queue_conn *q, const char *consumer, const queue_job *job, double took,
                           ladder_error *err)
{
    char member[64 + LADDER_NAME_MAX + QUEUE_JOB_NAME_MAX + 128], end[32], cutoff[32];
    double now;

    if (q_time(q, &now, err) < 0)
        return LADDER_EIO;
    snprintf(end, sizeof end, "%.3f", now);
    snprintf(cutoff, sizeof cutoff, "(%.3f", now - QUEUE_THROUGHPUT_WINDOW);
    snprintf(member, sizeof member, "%s %.3f %.3f %s/%s %s", end, took, job->show_seconds,
             job->show, job->name, consumer);
    RUN(q, err, "ZADD " Q_THROUGHPUT " %s %s", end, member);
    RUN(q, err, "ZREMRANGEBYSCORE " Q_THROUGHPUT " -inf %s", cutoff);
    RUN(q, err, "ZREMRANGEBYRANK " Q_THROUGHPUT " 0 %d", -(Q_THROUGHPUT_MAX + 1));
    return 0;
}

int queue_done(queue_conn *q, const char *consumer, const queue_job *job, double took,
               ladder_error *err)
{
    char done[Q_KEY_MAX];

    /* Before the SADD: a show counts a job done only once its record is there, so `queue
     * status` never has a done job without a throughput to estimate the time left from. */
    if (took >= 0 && note_throughput(q, consumer, job, took, err) < 0)
        return LADDER_EIO;
    q_show_key(done, job->show, ":done");
    RUN(q, err, "SADD %s %s", done, job->name);
    return finish(q, job, "done", err);
}

int queue_give_back(queue_conn *q, const char *consumer, const queue_job *job, int count_try,
                    ladder_error *err)
{
    char tries[Q_KEY_MAX];

    q_show_key(tries, job->show, ":tries");
    if (!count_try)
        RUN(q, err, "HINCRBY %s %s -1", tries, job->name);
    RUN(q, err, "HDEL " Q_RUNNING " %s/%s", job->show, job->name);
    return queue_release(q, consumer, job, err);
}

int queue_release(queue_conn *q, const char *consumer, const queue_job *job, ladder_error *err)
{
    /* Idle as if its worker had gone silent long ago: the next XAUTOCLAIM takes it. */
    RUN(q, err, "XCLAIM %s " Q_GROUP " %s 0 %s IDLE " Q_IDLE_HANDED_BACK " JUSTID",
        q_job_stream(job->urgent), consumer, job->entry);
    return 0;
}

int queue_dead(queue_conn *q, const queue_job *job, const char *reason, ladder_error *err)
{
    char key[Q_KEY_MAX], first[600];
    int current = in_current_run(q, job, err);

    if (current < 0)
        return LADDER_EIO;
    if (!current) /* a run that ended: its failure is not the new run's */
        return finish(q, job, "dropped", err);
    q_show_key(key, job->show, "");
    snprintf(first, sizeof first, "%s: %s", job->name, reason);
    RUN(q, err, "XADD " Q_DEAD " MAXLEN ~ 10000 * show %s name %s mezz %s segments %d:%d reason %s",
        job->show, job->name, job->mezz, job->first_segment, job->n_segments, reason);
    RUN(q, err, "HSETNX %s dead %s", key, first);
    RUN(q, err, "HINCRBY %s dead_jobs 1", key);
    return finish(q, job, "dead", err);
}

int queue_heartbeat(queue_conn *q, const char *consumer, const char *doing, ladder_error *err)
{
    char value[256];

    snprintf(value, sizeof value, "%lld %s", (long long)time(NULL), doing);
    RUN(q, err, "HSET " Q_WORKERS " %s %s", consumer, value);
    return 0;
}

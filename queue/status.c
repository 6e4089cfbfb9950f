/* status.c: `ladder queue status`: what is in flight, read from the keys jobs.c keeps, as
 * JSON (docs/distributed.md gives the format), with each worker's throughput and each show's
 * estimated time left, from the records of jobs done in ladder:throughput. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redis.h"

/* An integer reply as a number, 0 for anything else. */
static long long int_reply(queue_conn *q, ladder_error *err, int *failed, const char *fmt,
                           const char *key)
{
    redisReply *r = q_command(q, err, fmt, key);
    long long v = 0;

    if (!r) {
        *failed = 1;
        return 0;
    }
    if (r->type == REDIS_REPLY_INTEGER)
        v = r->integer;
    else if (r->type == REDIS_REPLY_STRING)
        v = atoll(r->str);
    freeReplyObject(r);
    return v;
}

/* How many running jobs belong to show: ladder:running fields are "SHOW/JOB". */
static int running_of(const redisReply *running, const char *show)
{
    size_t n = strlen(show);
    int count = 0;

    for (size_t i = 0; running && i + 1 < running->elements; i += 2) {
        const char *k = q_str(running->element[i]);
        if (strncmp(k, show, n) == 0 && k[n] == '/')
            count++;
    }
    return count;
}

/* One record of a job done, "END TOOK SECONDS SHOW/JOB WORKER" (jobs.c, note_throughput);
 * job and worker point into the member's text. */
typedef struct done_record {
    double end, took, seconds; /* Redis's time at the end; worker's seconds; seconds of show */
    const char *job, *worker;  /* job: "SHOW/JOB", job_len long */
    size_t job_len;
} done_record;

static int parse_record(const char *member, done_record *d)
{
    const char *space;
    int n = 0;

    if (sscanf(member, "%lf %lf %lf %n", &d->end, &d->took, &d->seconds, &n) != 3 || n == 0)
        return -1;
    d->job = member + n;
    if (!(space = strchr(d->job, ' ')))
        return -1;
    d->job_len = (size_t)(space - d->job);
    d->worker = space + 1;
    return 0;
}

/* The jobs done by one worker, or of one show, in the window. Its rates divide by the time
 * from the start of the first of them (its end less the time it took) to now, so a worker
 * that began a minute ago is measured over that minute, and one that stopped decays. */
typedef struct throughput {
    int jobs;
    double seconds;     /* of show */
    double first_start; /* on Redis's clock */
} throughput;

/* Sums the records of ladder:throughput (a ZRANGEBYSCORE reply) that are worker's (show NULL)
 * or show's (worker NULL). */
static throughput measure(const redisReply *records, const char *worker, const char *show)
{
    throughput t = {0};
    size_t n = show ? strlen(show) : 0;
    done_record d;

    for (size_t i = 0; records && i < records->elements; i++) {
        if (parse_record(q_str(records->element[i]), &d) < 0)
            continue;
        if (worker ? strcmp(d.worker, worker) != 0
                   : !(d.job_len > n && strncmp(d.job, show, n) == 0 && d.job[n] == '/'))
            continue;
        if (t.jobs == 0 || d.end - d.took < t.first_start)
            t.first_start = d.end - d.took;
        t.jobs++;
        t.seconds += d.seconds;
    }
    return t;
}

/* x per minute of t's span (at least a second), to 0.01. */
static double per_minute(const throughput *t, double x, double now)
{
    double span = fmax(now - t->first_start, 1.0);

    return t->jobs > 0 ? round(x * 60.0 / span * 100.0) / 100.0 : 0.0;
}

/* The time left of a running show: its jobs not done, at the rate its jobs were done at in the
 * window; null until one of its jobs is done. */
static json_t *time_left(const throughput *t, long long n_jobs, long long done, int running,
                         double now)
{
    double span = fmax(now - t->first_start, 1.0);
    long long left = n_jobs > done ? n_jobs - done : 0;

    if (!running || done == 0 || t->jobs == 0)
        return json_null();
    return json_integer((json_int_t)llround((double)left * span / t->jobs));
}

static json_t *show_status(queue_conn *q, const char *show, const redisReply *running,
                           const redisReply *records, double now, ladder_error *err, int *failed)
{
    char key[LADDER_NAME_MAX + 32], set[LADDER_NAME_MAX + 48];
    redisReply *h;
    json_t *o = json_object();
    long long n_jobs, queued, done, dead;
    int run = running_of(running, show), in_flight = 0;
    throughput t = measure(records, NULL, show);

    snprintf(key, sizeof key, "ladder:show:%s", show);
    if (!(h = q_command(q, err, "HMGET %s mezz state urgent dead", key))) {
        *failed = 1;
        return o;
    }
    n_jobs = int_reply(q, err, failed, "HGET %s n_jobs", key);
    dead = int_reply(q, err, failed, "HGET %s dead_jobs", key);
    snprintf(set, sizeof set, "%s:queued", key);
    queued = int_reply(q, err, failed, "SCARD %s", set);
    snprintf(set, sizeof set, "%s:done", key);
    done = int_reply(q, err, failed, "SCARD %s", set);
    json_object_set_new(o, "id", json_string(show));
    if (h->type == REDIS_REPLY_ARRAY && h->elements == 4) {
        json_object_set_new(o, "mezz", json_string(q_str(h->element[0])));
        json_object_set_new(o, "state", json_string(q_str(h->element[1])));
        in_flight = strcmp(q_str(h->element[1]), "running") == 0;
        json_object_set_new(o, "urgent", json_boolean(strcmp(q_str(h->element[2]), "1") == 0));
        if (h->element[3]->type == REDIS_REPLY_STRING)
            json_object_set_new(o, "first_dead", json_string(h->element[3]->str));
    }
    freeReplyObject(h);
    json_object_set_new(o, "jobs", json_integer(n_jobs));
    json_object_set_new(o, "done", json_integer(done));
    json_object_set_new(o, "running", json_integer(run));
    json_object_set_new(o, "dead", json_integer(dead));
    json_object_set_new(o, "pending",
                        json_integer(queued > done + run + dead ? queued - done - run - dead : 0));
    json_object_set_new(o, "jobs_per_minute", json_real(per_minute(&t, t.jobs, now)));
    json_object_set_new(o, "eta_seconds", time_left(&t, n_jobs, done, in_flight, now));
    return o;
}

/* Workers whose last heartbeat ("UNIXTIME DOING") is at most seen_seconds old, with their
 * throughput over the records in the window (redis_now: Redis's clock, which they are on). */
static json_t *workers_status(const redisReply *workers, int seen_seconds,
                              const redisReply *records, double redis_now)
{
    json_t *a = json_array();
    long long now = (long long)time(NULL);

    for (size_t i = 0; workers && i + 1 < workers->elements; i += 2) {
        const char *name = q_str(workers->element[i]), *v = q_str(workers->element[i + 1]);
        const char *doing = strchr(v, ' ');
        long long ago = now - atoll(v);
        throughput t;
        if (ago > seen_seconds)
            continue;
        t = measure(records, name, NULL);
        json_array_append_new(
            a, json_pack("{s:s, s:I, s:s, s:i, s:f, s:f, s:f}", "name", name, "seen_seconds_ago",
                         (json_int_t)ago, "doing", doing ? doing + 1 : "", "jobs_done", t.jobs,
                         "show_seconds_done", round(t.seconds * 1000.0) / 1000.0, "jobs_per_minute",
                         per_minute(&t, t.jobs, redis_now), "show_seconds_per_minute",
                         per_minute(&t, t.seconds, redis_now)));
    }
    return a;
}

/* The records of the jobs done in the window, oldest first. */
static redisReply *done_records(queue_conn *q, double now, ladder_error *err)
{
    char from[32];

    snprintf(from, sizeof from, "%.3f", now - QUEUE_THROUGHPUT_WINDOW);
    return q_command(q, err, "ZRANGEBYSCORE " Q_THROUGHPUT " %s +inf", from);
}

int queue_status_json(queue_conn *q, int seen_seconds, char **out, ladder_error *err)
{
    redisReply *shows = q_command(q, err, "SMEMBERS " Q_SHOWS);
    redisReply *running = shows ? q_command(q, err, "HGETALL " Q_RUNNING) : NULL;
    redisReply *workers = running ? q_command(q, err, "HGETALL " Q_WORKERS) : NULL;
    double now = 0;
    int failed = !workers || q_time(q, &now, err) < 0;
    redisReply *records = failed ? NULL : done_records(q, now, err);
    json_t *root = json_object(), *list = json_array();

    failed = failed || !records;
    for (size_t i = 0; !failed && i < shows->elements; i++)
        json_array_append_new(
            list, show_status(q, q_str(shows->element[i]), running, records, now, err, &failed));
    json_object_set_new(root, "shows", list);
    if (!failed) {
        json_object_set_new(root, "dead_letters",
                            json_integer(int_reply(q, err, &failed, "XLEN %s", Q_DEAD)));
        json_object_set_new(root, "workers", workers_status(workers, seen_seconds, records, now));
        json_object_set_new(root, "throughput_window_seconds",
                            json_integer(QUEUE_THROUGHPUT_WINDOW));
    }
    *out = failed ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    freeReplyObject(shows);
    freeReplyObject(running);
    freeReplyObject(workers);
    freeReplyObject(records);
    if (failed)
        return LADDER_EIO;
    return *out ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");
}

/* status.c: `ladder queue status`: what is in flight, read from the keys jobs.c keeps, as
 * JSON (docs/distributed.md gives the format). */
#include <jansson.h>
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

static json_t *show_status(queue_conn *q, const char *show, const redisReply *running,
                           ladder_error *err, int *failed)
{
    char key[LADDER_NAME_MAX + 32], set[LADDER_NAME_MAX + 48];
    redisReply *h;
    json_t *o = json_object();
    long long n_jobs, queued, done, dead;
    int run = running_of(running, show);

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
    return o;
}

/* Workers whose last heartbeat ("UNIXTIME DOING") is at most seen_seconds old. */
static json_t *workers_status(const redisReply *workers, int seen_seconds)
{
    json_t *a = json_array();
    long long now = (long long)time(NULL);

    for (size_t i = 0; workers && i + 1 < workers->elements; i += 2) {
        const char *v = q_str(workers->element[i + 1]), *doing = strchr(v, ' ');
        long long ago = now - atoll(v);
        if (ago > seen_seconds)
            continue;
        json_array_append_new(a, json_pack("{s:s, s:I, s:s}", "name", q_str(workers->element[i]),
                                           "seen_seconds_ago", (json_int_t)ago, "doing",
                                           doing ? doing + 1 : ""));
    }
    return a;
}

int queue_status_json(queue_conn *q, int seen_seconds, char **out, ladder_error *err)
{
    redisReply *shows = q_command(q, err, "SMEMBERS " Q_SHOWS);
    redisReply *running = shows ? q_command(q, err, "HGETALL " Q_RUNNING) : NULL;
    redisReply *workers = running ? q_command(q, err, "HGETALL " Q_WORKERS) : NULL;
    json_t *root = json_object(), *list = json_array();
    int failed = !workers;

    for (size_t i = 0; !failed && i < shows->elements; i++)
        json_array_append_new(list,
                              show_status(q, q_str(shows->element[i]), running, err, &failed));
    json_object_set_new(root, "shows", list);
    if (!failed) {
        json_object_set_new(root, "dead_letters",
                            json_integer(int_reply(q, err, &failed, "XLEN %s", Q_DEAD)));
        json_object_set_new(root, "workers", workers_status(workers, seen_seconds));
    }
    *out = failed ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    freeReplyObject(shows);
    freeReplyObject(running);
    freeReplyObject(workers);
    if (failed)
        return LADDER_EIO;
    return *out ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");
}

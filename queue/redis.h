/* redis.h: queue-internal. One Redis connection made from a redis:// URL, and commands sent
 * through it that ride out a Redis restart (docs/distributed.md). */
#ifndef LADDER_QUEUE_REDIS_H
#define LADDER_QUEUE_REDIS_H

#include <hiredis/hiredis.h>

#include "queue.h"

/* Keys, all under one prefix so a shared Redis can hold other things. */
#define Q_GROUP         "workers"
#define Q_STREAM_URGENT "ladder:jobs:urgent"
#define Q_STREAM_NORMAL "ladder:jobs:normal"
#define Q_DEAD          "ladder:dead"
#define Q_SHOWS         "ladder:shows"
#define Q_RUNNING       "ladder:running"
#define Q_WORKERS       "ladder:workers"
#define Q_THROUGHPUT    "ladder:throughput"
/* At most this many records of jobs done are kept in Q_THROUGHPUT, whatever the window. */
#define Q_THROUGHPUT_MAX 10000

struct queue_conn {
    redisContext *c;
    char host[256], user[128], password[256];
    int port, db;
    char where[300]; /* HOST:PORT/DB for messages: never the password */
    double reconnect_seconds;
    const volatile sig_atomic_t *stop; /* set: stop waiting for Redis */
    char last_event[QUEUE_ID_MAX];     /* queue_wait's place in the show's event stream */
};

/* Parses url into q's host, port, user, password and db; 0 or LADDER_EINVAL. */
int q_parse_url(queue_conn *q, const char *url, ladder_error *err);

/* Sends a command (hiredis format: each %s is one argument) and returns its reply, which the
 * caller frees with freeReplyObject. NULL with err filled when the connection is gone past
 * reconnect_seconds or Redis answered with an error. */
redisReply *q_command(queue_conn *q, ladder_error *err, const char *fmt, ...);

/* Redis's clock (TIME) as Unix seconds into *now: one clock for every machine's records, so
 * that the workers' clocks need not agree. 0, or LADDER_EIO with err filled. */
int q_time(queue_conn *q, double *now, ladder_error *err);

/* The reply's text (a string or status reply), or "" for anything else. */
const char *q_str(const redisReply *r);

#endif

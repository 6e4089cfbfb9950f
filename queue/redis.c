/* redis.c: the queue's Redis connection: a redis:// URL parsed, AUTH and SELECT on every
 * (re)connection, and commands that wait out a Redis restart instead of failing at once. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "redis.h"

#define Q_DEFAULT_PORT 6379
#define Q_TIMEOUT_SEC  10 /* one command, blocking ones included (they block for 1 s) */

/* The URL as a message may show it: the credentials before the host as "***", so that a
 * password never reaches a terminal or a log. */
static void redact_url(const char *url, char *out, size_t len)
{
    const char *rest = strstr(url, "://");
    const char *host = rest ? rest + 3 : url;
    const char *host_end = host + strcspn(host, "/");
    const char *at = NULL;

    for (const char *p = host; p < host_end; p++)
        if (*p == '@')
            at = p;
    if (!at)
        snprintf(out, len, "%s", url);
    else
        snprintf(out, len, "%.*s***%s", (int)(host - url), url, at);
}

static int bad_url(ladder_error *err, const char *url, const char *why)
{
    char shown[256];

    redact_url(url, shown, sizeof shown);
    /* at most 160 characters of it, so that the reason always fits the message */
    return ladder_error_set(
        err, LADDER_EINVAL,
        "bad queue URL '%.160s%s': %s (expected redis://[:PASSWORD@]HOST[:PORT][/DB])", shown,
        strlen(shown) > 160 ? "..." : "", why);
}

/* Copies s[0..n) into dst, refusing what does not fit. */
static int copy_part(char *dst, size_t size, const char *s, size_t n)
{
    if (n >= size)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* The part after the host: ":PORT" and "/DB", both optional. */
static int parse_port_db(queue_conn *q, const char *p, const char *url, ladder_error *err)
{
    char *end;
    long v;

    q->port = Q_DEFAULT_PORT;
    q->db = 0;
    if (*p == ':') {
        v = strtol(p + 1, &end, 10);
        if (end == p + 1 || v < 1 || v > 65535)
            return bad_url(err, url, "the port is not a number from 1 to 65535");
        q->port = (int)v;
        p = end;
    }
    if (*p == '/' && p[1]) {
        v = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end || v < 0 || v > 1000000)
            return bad_url(err, url, "the database is not a number");
        q->db = (int)v;
        p = end;
    } else if (*p == '/') {
        p++;
    }
    return *p ? bad_url(err, url, "unexpected text after the host") : 0;
}

int q_parse_url(queue_conn *q, const char *url, ladder_error *err)
{
    const char *p, *at, *host_end, *colon;
    static const char scheme[] = "redis://";

    if (!url || strncmp(url, scheme, sizeof scheme - 1) != 0)
        return bad_url(err, url ? url : "", "it does not start with redis://");
    p = url + sizeof scheme - 1;
    host_end = p + strcspn(p, "/");
    at = memchr(p, '@', (size_t)(host_end - p));
    q->user[0] = q->password[0] = '\0';
    if (at) {
        colon = memchr(p, ':', (size_t)(at - p));
        if (!colon)
            return bad_url(err, url, "credentials need ':' before the password");
        if (copy_part(q->user, sizeof q->user, p, (size_t)(colon - p)) < 0 ||
            copy_part(q->password, sizeof q->password, colon + 1, (size_t)(at - colon - 1)) < 0)
            return bad_url(err, url, "the credentials are too long");
        p = at + 1;
    }
    colon = p + strcspn(p, ":/");
    if (colon == p)
        return bad_url(err, url, "no host");
    if (copy_part(q->host, sizeof q->host, p, (size_t)(colon - p)) < 0)
        return bad_url(err, url, "the host name is too long");
    if (parse_port_db(q, colon, url, err) < 0)
        return LADDER_EINVAL;
    snprintf(q->where, sizeof q->where, "%s:%d/%d", q->host, q->port, q->db);
    return 0;
}

const char *q_str(const redisReply *r)
{
    return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) ? r->str : "";
}

/* One command on the current connection, no retry. NULL: see q->c->err. */
static redisReply *send_once(queue_conn *q, const char *fmt, va_list ap)
{
    return q->c ? redisvCommand(q->c, fmt, ap) : NULL;
}

/* A reply that is an error: Redis's message into err, the reply freed. */
static redisReply *redis_said_no(queue_conn *q, redisReply *r, ladder_error *err)
{
    ladder_error_set(err, LADDER_EIO, "Redis at %s: %s", q->where, r->str);
    freeReplyObject(r);
    return NULL;
}

/* Authenticates and selects the database on a fresh connection; 0 or an error. */
static int greet(queue_conn *q, ladder_error *err)
{
    redisReply *r = NULL;

    if (q->password[0])
        r = q->user[0] ? redisCommand(q->c, "AUTH %s %s", q->user, q->password)
                       : redisCommand(q->c, "AUTH %s", q->password);
    else
        r = redisCommand(q->c, "PING");
    if (!r)
        return ladder_error_set(err, LADDER_EIO, "Redis at %s: %s", q->where, q->c->errstr);
    if (r->type == REDIS_REPLY_ERROR)
        return redis_said_no(q, r, err), LADDER_EIO;
    freeReplyObject(r);
    if (q->db == 0)
        return 0;
    r = redisCommand(q->c, "SELECT %d", q->db);
    if (!r)
        return ladder_error_set(err, LADDER_EIO, "Redis at %s: %s", q->where, q->c->errstr);
    if (r->type == REDIS_REPLY_ERROR)
        return redis_said_no(q, r, err), LADDER_EIO;
    freeReplyObject(r);
    return 0;
}

/* The consumer group on both job streams (MKSTREAM: also the streams). A group that exists
 * already answers BUSYGROUP, which is fine. Made again after a reconnect in case Redis came
 * back without its data. */
static int make_groups(queue_conn *q, ladder_error *err)
{
    const char *streams[] = {Q_STREAM_URGENT, Q_STREAM_NORMAL};

    for (int i = 0; i < 2; i++) {
        redisReply *r = redisCommand(q->c, "XGROUP CREATE %s " Q_GROUP " 0 MKSTREAM", streams[i]);
        if (!r)
            return ladder_error_set(err, LADDER_EIO, "Redis at %s: %s", q->where, q->c->errstr);
        if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0)
            return redis_said_no(q, r, err), LADDER_EIO;
        freeReplyObject(r);
    }
    return 0;
}

static int connect_once(queue_conn *q, ladder_error *err)
{
    struct timeval tv = {Q_TIMEOUT_SEC, 0};

    if (q->c)
        redisFree(q->c);
    q->c = redisConnectWithTimeout(q->host, q->port, tv);
    if (!q->c)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (q->c->err)
        return ladder_error_set(err, LADDER_EIO, "cannot reach Redis at %s: %s", q->where,
                                q->c->errstr);
    redisSetTimeout(q->c, tv);
    if (greet(q, err) < 0 || make_groups(q, err) < 0)
        return LADDER_EIO;
    return 0;
}

/* Connects again, trying every half second for up to reconnect_seconds. */
static int reconnect(queue_conn *q, ladder_error *err)
{
    double give_up = ladder_now() + q->reconnect_seconds;
    ladder_error last = {0};
    int ret;

    do {
        usleep(500 * 1000);
        ret = connect_once(q, &last);
    } while (ret < 0 && ladder_now() < give_up && !(q->stop && *q->stop));
    if (ret < 0)
        ladder_error_set(err, LADDER_EIO, "lost the connection to Redis at %s: %s", q->where,
                         last.msg);
    return ret;
}

redisReply *q_command(queue_conn *q, ladder_error *err, const char *fmt, ...)
{
    redisReply *r;
    va_list ap;

    for (;;) {
        va_start(ap, fmt);
        r = send_once(q, fmt, ap);
        va_end(ap);
        if (r)
            return r->type == REDIS_REPLY_ERROR ? redis_said_no(q, r, err) : r;
        /* The connection broke (Redis restarting, or gone): a command that may have run
         * is sent again once the connection is back; every command here can run twice. */
        if (reconnect(q, err) < 0)
            return NULL;
    }
}

int q_time(queue_conn *q, double *now, ladder_error *err)
{
    redisReply *r = q_command(q, err, "TIME");
    int ok;

    if (!r)
        return LADDER_EIO;
    /* [seconds, microseconds], both as strings */
    ok = r->type == REDIS_REPLY_ARRAY && r->elements == 2;
    if (ok)
        *now = atof(q_str(r->element[0])) + atof(q_str(r->element[1])) / 1e6;
    freeReplyObject(r);
    return ok ? 0 : ladder_error_set(err, LADDER_EIO, "Redis at %s: TIME gave no time", q->where);
}

int queue_connect(queue_conn **out, const char *url, double reconnect_seconds, ladder_error *err)
{
    queue_conn *q = calloc(1, sizeof *q);

    *out = NULL;
    if (!q)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    q->reconnect_seconds = reconnect_seconds;
    snprintf(q->last_event, sizeof q->last_event, "0-0");
    if (q_parse_url(q, url, err) < 0) {
        queue_close(q);
        return LADDER_EINVAL;
    }
    if (connect_once(q, err) < 0) {
        queue_close(q);
        return LADDER_EIO;
    }
    *out = q;
    return 0;
}

void queue_set_stop_flag(queue_conn *q, const volatile sig_atomic_t *stop)
{
    q->stop = stop;
}

void queue_close(queue_conn *q)
{
    if (!q)
        return;
    if (q->c)
        redisFree(q->c);
    free(q);
}

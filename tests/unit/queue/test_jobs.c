/* test_jobs.c: a job as jobs.c sends it and reads it back, without Redis (queue_internal.h):
 * the key names, the XADD that submits a job (formatted by hiredis as it would go out), its
 * fields read back by q_parse_entry from replies made by hiredis's reader, and the entries that
 * are not jobs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue_test.h"

static void test_key_names(void **state)
{
    char key[Q_KEY_MAX];

    (void)state;
    q_show_key(key, "news-0612", "");
    assert_string_equal(key, "ladder:show:news-0612");
    q_show_key(key, "news-0612", ":queued");
    assert_string_equal(key, "ladder:show:news-0612:queued");
    q_show_key(key, "s", ":tries");
    assert_string_equal(key, "ladder:show:s:tries");
    q_events_key(key, "news-0612");
    assert_string_equal(key, "ladder:events:news-0612");
    assert_string_equal(q_job_stream(1), "ladder:jobs:urgent");
    assert_string_equal(q_job_stream(0), "ladder:jobs:normal");
    /* every key shares the prefix, so a shared Redis can hold other things */
    assert_int_equal(strncmp(Q_DEAD, "ladder:", 7), 0);
    assert_int_equal(strncmp(Q_SHOWS, "ladder:", 7), 0);
    assert_int_equal(strncmp(Q_RUNNING, "ladder:", 7), 0);
    assert_int_equal(strncmp(Q_WORKERS, "ladder:", 7), 0);
}

/* The longest show id fits, with the longest suffix. */
static void test_key_room(void **state)
{
    char show[LADDER_NAME_MAX], key[Q_KEY_MAX];

    (void)state;
    memset(show, 'a', sizeof show - 1);
    show[sizeof show - 1] = '\0';
    q_show_key(key, show, ":queued");
    assert_int_equal(strlen(key), strlen("ladder:show:") + strlen(show) + strlen(":queued"));
    q_events_key(key, show);
    assert_int_equal(strlen(key), strlen("ladder:events:") + strlen(show));
}

static queue_job sample_job(void)
{
    queue_job j = {0};

    snprintf(j.show, sizeof j.show, "news-0612");
    snprintf(j.name, sizeof j.name, "chunk-00040");
    snprintf(j.mezz, sizeof j.mezz, "/shared/in/news 0612.mov"); /* a space: one argument */
    snprintf(j.out, sizeof j.out, "/shared/work/news-0612/chunk-00040");
    snprintf(j.profile, sizeof j.profile, "/etc/ladder/pbs16.xml");
    j.first_segment = 40;
    j.n_segments = 20;
    j.soft_limit = 600;
    j.hard_limit = 1800;
    j.max_tries = 3;
    j.run = 7;
    j.show_seconds = 120.0;
    j.probe_pass = 2;
    j.probe_gop = 1799;
    memset(j.build, 'b', sizeof j.build - 1); /* as long as a digest gets */
    snprintf(j.profile_digest, sizeof j.profile_digest, "%064d", 42);
    /* the rate factors the coordinator chose, one per rung of pbs16 */
    snprintf(j.crf, sizeof j.crf,
             "30.54,27.04,28.60,23.34,22.26,27.22,12.00,51.00,19.99,"
             "20.00,21.50,22.75,23.10,24.00,25.25,26.01");
    /* a chunk the join had encoded again from emptier buffers */
    snprintf(j.vbv_init, sizeof j.vbv_init,
             "0.00,0.41,0.00,0.00,0.87,0.00,0.00,0.00,0.05,0.00,0.00,0.00,0.00,0.00,0.00,0.00");
    return j;
}

/* RESP of [id, [field, value, ...]] from fields[first..n) of a command reply, into buf. */
static size_t entry_resp(char *buf, size_t size, const char *id, const redisReply *cmd,
                         size_t first)
{
    size_t len = (size_t)snprintf(buf, size, "*2\r\n$%zu\r\n%s\r\n*%zu\r\n", strlen(id), id,
                                  cmd->elements - first);

    for (size_t i = first; i < cmd->elements; i++) {
        assert_int_equal(cmd->element[i]->type, REDIS_REPLY_STRING);
        len += (size_t)snprintf(buf + len, size - len, "$%zu\r\n%s\r\n", cmd->element[i]->len,
                                cmd->element[i]->str);
        assert_true(len < size);
    }
    return len;
}

/* The entry the XADD of job j would make, read back as a worker reads it. */
static int round_trip(const queue_job *j, int urgent, queue_job *back)
{
    char segments[32], seconds[32], *cmd = NULL, buf[8192];
    redisReply *sent, *entry;
    int len, ret;

    q_job_segments(j, segments, sizeof segments);
    q_job_seconds(j, seconds, sizeof seconds);
    len = redisFormatCommand(&cmd, Q_JOB_XADD, Q_JOB_XADD_ARGS(j, urgent, segments, seconds));
    assert_true(len > 0);
    /* a command is an array of bulk strings: hiredis's reader reads it as a reply */
    sent = reply_of(cmd, (size_t)len);
    redisFreeCommand(cmd);
    assert_int_equal(sent->type, REDIS_REPLY_ARRAY);
    assert_true(sent->elements > 3);
    assert_string_equal(sent->element[0]->str, "XADD");
    assert_string_equal(sent->element[1]->str, urgent ? Q_STREAM_URGENT : Q_STREAM_NORMAL);
    assert_string_equal(sent->element[2]->str, "*");
    assert_int_equal((sent->elements - 3) % 2, 0); /* field, value pairs */
    entry = reply_of(buf, entry_resp(buf, sizeof buf, "1717171717171-0", sent, 3));
    freeReplyObject(sent);
    ret = q_parse_entry(entry, urgent, back);
    freeReplyObject(entry);
    return ret;
}

static void assert_same_job(const queue_job *a, const queue_job *b)
{
    assert_string_equal(a->show, b->show);
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->mezz, b->mezz);
    assert_string_equal(a->out, b->out);
    assert_string_equal(a->profile, b->profile);
    assert_int_equal(a->audio_only, b->audio_only);
    assert_int_equal(a->first_segment, b->first_segment);
    assert_int_equal(a->n_segments, b->n_segments);
    assert_int_equal(a->soft_limit, b->soft_limit);
    assert_int_equal(a->hard_limit, b->hard_limit);
    assert_int_equal(a->max_tries, b->max_tries);
    assert_int_equal(a->run, b->run);
    /* to the millisecond, which is what goes out */
    assert_true(fabs(a->show_seconds - b->show_seconds) < 0.0005);
    assert_string_equal(a->build, b->build);
    assert_string_equal(a->profile_digest, b->profile_digest);
    assert_string_equal(a->crf, b->crf);
    assert_string_equal(a->vbv_init, b->vbv_init);
    assert_int_equal(a->probe_pass, b->probe_pass);
    assert_int_equal(a->probe_gop, b->probe_gop);
}

static void test_chunk_round_trip(void **state)
{
    queue_job j = sample_job(), back;

    (void)state;
    memset(&back, 'x', sizeof back);
    assert_int_equal(round_trip(&j, 0, &back), 0);
    assert_same_job(&j, &back);
    assert_string_equal(back.entry, "1717171717171-0");
    assert_int_equal(back.urgent, 0);
}

/* The audio job, urgent, with the default profile (""). */
static void test_audio_round_trip(void **state)
{
    queue_job j = sample_job(), back;

    (void)state;
    snprintf(j.name, sizeof j.name, "audio");
    j.profile[0] = '\0';
    j.profile_digest[0] = '\0';
    j.audio_only = 1;
    j.first_segment = 0;
    j.n_segments = 0;
    assert_int_equal(round_trip(&j, 1, &back), 0);
    assert_same_job(&j, &back);
    assert_int_equal(back.urgent, 1);
}

/* The longest paths a job holds come back whole. */
static void test_long_paths_round_trip(void **state)
{
    queue_job j = sample_job(), back;

    (void)state;
    memset(j.mezz, 'm', sizeof j.mezz - 1);
    j.mezz[sizeof j.mezz - 1] = '\0';
    memset(j.out, 'o', 300);
    j.out[300] = '\0';
    assert_int_equal(round_trip(&j, 0, &back), 0);
    assert_same_job(&j, &back);
}

/* RESP for an entry [id, [k, v, ...]] from C strings. */
static redisReply *entry_of(const char *id, const char *const *kv, size_t n)
{
    char buf[4096];
    size_t len =
        (size_t)snprintf(buf, sizeof buf, "*2\r\n$%zu\r\n%s\r\n*%zu\r\n", strlen(id), id, n);

    for (size_t i = 0; i < n; i++)
        len +=
            (size_t)snprintf(buf + len, sizeof buf - len, "$%zu\r\n%s\r\n", strlen(kv[i]), kv[i]);
    assert_true(len < sizeof buf);
    return reply_of(buf, len);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Fields in another order, and fields it does not know, are fine. */
static void test_parse_any_order(void **state)
{
    static const char *const kv[] = {"segments",  "5:10", "extra", "ignored",     "out",  "/o",
                                     "mezz",      "/m",   "name",  "chunk-00005", "show", "s",
                                     "max_tries", "4",    "hard",  "90",          "soft", "30"};
    redisReply *e = entry_of("2-1", kv, N(kv));
    queue_job j;

    (void)state;
    assert_int_equal(q_parse_entry(e, 1, &j), 0);
    assert_string_equal(j.show, "s");
    assert_string_equal(j.name, "chunk-00005");
    assert_string_equal(j.profile, "");
    assert_int_equal(j.first_segment, 5);
    assert_int_equal(j.n_segments, 10);
    assert_int_equal(j.audio_only, 0);
    assert_int_equal(j.soft_limit, 30);
    assert_int_equal(j.hard_limit, 90);
    assert_int_equal(j.max_tries, 4);
    assert_true(j.show_seconds == 0.0); /* a job from before the field: no seconds of show */
    assert_string_equal(j.entry, "2-1");
    freeReplyObject(e);
}

/* Without show, name, mezz, out or a segments field FIRST:COUNT, an entry is not a job. */
static void test_parse_refuses_incomplete(void **state)
{
    static const char *const full[] = {"show", "s",   "name", "n",        "mezz",
                                       "/m",   "out", "/o",   "segments", "1:2"};
    static const char *const bad_segments[] = {"", "1", "x:2", ":2", "1-2"};

    (void)state;
    /* each required field left out in turn (pair k dropped) */
    for (size_t k = 0; k <= N(full) / 2; k++) {
        const char *kv[N(full)];
        size_t n = 0;
        queue_job j;
        for (size_t i = 0; i < N(full); i += 2)
            if (i / 2 != k) {
                kv[n++] = full[i];
                kv[n++] = full[i + 1];
            }
        redisReply *e = entry_of("3-0", kv, n);
        int want = k == N(full) / 2 ? 0 : -1; /* the last round drops nothing */
        if (q_parse_entry(e, 0, &j) != want)
            fail_msg("without field %zu: not %d", k, want);
        freeReplyObject(e);
    }
    for (size_t b = 0; b < N(bad_segments); b++) {
        const char *kv[N(full)];
        queue_job j;
        memcpy(kv, full, sizeof kv);
        kv[9] = bad_segments[b];
        redisReply *e = entry_of("3-0", kv, N(kv));
        if (q_parse_entry(e, 0, &j) != -1)
            fail_msg("segments '%s' taken", bad_segments[b]);
        freeReplyObject(e);
    }
}

/* Replies that are not [id, [fields]]. */
static void test_parse_refuses_shapes(void **state)
{
    static const char *const shapes[] = {
        "$3\r\nabc\r\n",                     /* a string */
        "*1\r\n$3\r\n1-0\r\n",               /* an id alone */
        "*2\r\n$3\r\n1-0\r\n$4\r\nshow\r\n", /* fields not an array */
        "*3\r\n$3\r\n1-0\r\n*0\r\n*0\r\n",   /* three elements */
        "*2\r\n$3\r\n1-0\r\n*0\r\n",         /* no fields at all */
        "*2\r\n$3\r\n1-0\r\n*-1\r\n",        /* nil fields */
    };

    (void)state;
    for (size_t i = 0; i < N(shapes); i++) {
        redisReply *e = reply_of(shapes[i], strlen(shapes[i]));
        queue_job j;
        if (q_parse_entry(e, 0, &j) != -1)
            fail_msg("shape %zu taken as a job", i);
        freeReplyObject(e);
    }
}

#include "test_jobs_tests.h"

/* test_url.c: the queue's redis:// URLs (q_parse_url, queue/redis.c): host, port, database and
 * credentials, the URLs it refuses and why, and where the connection is named in messages
 * (HOST:PORT/DB, never the password). No Redis: nothing connects. */
#include <stdio.h>
#include <string.h>

#include "queue_test.h"

typedef struct url_case {
    const char *url, *host, *user, *password;
    int port, db;
    const char *where;
} url_case;

static void test_good_urls(void **state)
{
    static const url_case cases[] = {
        {"redis://localhost", "localhost", "", "", 6379, 0, "localhost:6379/0"},
        {"redis://localhost/", "localhost", "", "", 6379, 0, "localhost:6379/0"},
        {"redis://127.0.0.1:6380", "127.0.0.1", "", "", 6380, 0, "127.0.0.1:6380/0"},
        {"redis://q.example:7000/3", "q.example", "", "", 7000, 3, "q.example:7000/3"},
        {"redis://h/15", "h", "", "", 6379, 15, "h:6379/15"},
        {"redis://h:1", "h", "", "", 1, 0, "h:1/0"},
        {"redis://h:65535/0", "h", "", "", 65535, 0, "h:65535/0"},
        {"redis://:s3cret@h", "h", "", "s3cret", 6379, 0, "h:6379/0"},
        {"redis://alice:s3cret@h:6390/2", "h", "alice", "s3cret", 6390, 2, "h:6390/2"},
        {"redis://:@h", "h", "", "", 6379, 0, "h:6379/0"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const url_case *c = &cases[i];
        queue_conn q;
        ladder_error err = {0};

        memset(&q, 'x', sizeof q);
        if (q_parse_url(&q, c->url, &err) != 0)
            fail_msg("%s: refused: %s", c->url, err.msg);
        assert_string_equal(q.host, c->host);
        assert_string_equal(q.user, c->user);
        assert_string_equal(q.password, c->password);
        assert_int_equal(q.port, c->port);
        assert_int_equal(q.db, c->db);
        assert_string_equal(q.where, c->where);
        assert_int_equal(err.code, 0);
    }
}

typedef struct bad_url {
    const char *url, *why;
} bad_url;

/* Each refusal: LADDER_EINVAL, the URL, the reason, and the form expected. */
static void test_bad_urls(void **state)
{
    static const bad_url cases[] = {
        {"", "does not start with redis://"},
        {"http://h:6379", "does not start with redis://"},
        {"rediss://h", "does not start with redis://"},
        {"REDIS://h", "does not start with redis://"},
        {"redis://", "no host"},
        {"redis://:6379", "no host"},
        {"redis:///1", "no host"},
        {"redis://h:0", "port is not a number from 1 to 65535"},
        {"redis://h:65536", "port is not a number from 1 to 65535"},
        {"redis://h:-1", "port is not a number from 1 to 65535"},
        {"redis://h:", "port is not a number from 1 to 65535"},
        {"redis://h:port", "port is not a number from 1 to 65535"},
        {"redis://h:80x", "unexpected text after the host"},
        {"redis://h/x", "database is not a number"},
        {"redis://h/1/2", "database is not a number"},
        {"redis://h/-1", "database is not a number"},
        {"redis://h/1000001", "database is not a number"},
        {"redis://alice@h", "credentials need ':' before the password"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        queue_conn q = {0};
        ladder_error err = {0};

        if (q_parse_url(&q, cases[i].url, &err) != LADDER_EINVAL)
            fail_msg("'%s' was not refused", cases[i].url);
        assert_int_equal(err.code, LADDER_EINVAL);
        if (!strstr(err.msg, cases[i].why))
            fail_msg("'%s': message '%s' does not say '%s'", cases[i].url, err.msg, cases[i].why);
        assert_non_null(strstr(err.msg, "bad queue URL"));
        assert_non_null(strstr(err.msg, "redis://[:PASSWORD@]HOST[:PORT][/DB]"));
        if (cases[i].url[0] && !strchr(cases[i].url, '@'))
            assert_non_null(strstr(err.msg, cases[i].url));
    }
}

/* A refused URL is shown with its credentials as "***": the password never reaches a message
 * (it once did, whole), and a long URL still leaves room for the reason. */
static void test_refusal_hides_the_password(void **state)
{
    static const char *urls[] = {"redis://:hunter2@h:0", "redis://alice:hunter2@h/x",
                                 "redis://:hunter2@:6379", "redis://a:b@hunter2@h:port"};
    char url[700], host[600];
    ladder_error err = {0};
    queue_conn q = {0};

    (void)state;
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        assert_int_equal(q_parse_url(&q, urls[i], &err), LADDER_EINVAL);
        if (strstr(err.msg, "hunter2"))
            fail_msg("'%s': the message shows the password: %s", urls[i], err.msg);
        assert_non_null(strstr(err.msg, "redis://***@"));
    }
    memset(host, 'h', sizeof host - 1);
    host[sizeof host - 1] = '\0';
    snprintf(url, sizeof url, "redis://%s:0", host);
    assert_int_equal(q_parse_url(&q, url, &err), LADDER_EINVAL);
    assert_non_null(strstr(err.msg, "(expected redis://"));
}

static void test_null_url(void **state)
{
    queue_conn q = {0};
    ladder_error err = {0};

    (void)state;
    assert_int_equal(q_parse_url(&q, NULL, &err), LADDER_EINVAL);
    assert_non_null(strstr(err.msg, "does not start with redis://"));
    /* no error struct: same code */
    assert_int_equal(q_parse_url(&q, "nope", NULL), LADDER_EINVAL);
}

/* Parts longer than the connection keeps are refused, not cut. (Short enough that the URL
 * leaves room for the reason in the message.) */
static void test_too_long(void **state)
{
    char url[1200], part[300];
    queue_conn q = {0};
    ladder_error err = {0};

    (void)state;
    memset(part, 'a', sizeof part - 1);
    part[sizeof part - 1] = '\0';
    snprintf(url, sizeof url, "redis://%s:6379", part);
    assert_int_equal(q_parse_url(&q, url, &err), LADDER_EINVAL);
    assert_non_null(strstr(err.msg, "host name is too long"));
    snprintf(url, sizeof url, "redis://:%s@h", part);
    assert_int_equal(q_parse_url(&q, url, &err), LADDER_EINVAL);
    assert_non_null(strstr(err.msg, "credentials are too long"));
    snprintf(url, sizeof url, "redis://%.200s:pw@h", part);
    assert_int_equal(q_parse_url(&q, url, &err), LADDER_EINVAL);
    assert_non_null(strstr(err.msg, "credentials are too long"));
}

/* A URL parsed again forgets the credentials of the one before. */
static void test_reparse_forgets_credentials(void **state)
{
    queue_conn q = {0};

    (void)state;
    assert_int_equal(q_parse_url(&q, "redis://bob:pw@h1:7/1", NULL), 0);
    assert_int_equal(q_parse_url(&q, "redis://h2", NULL), 0);
    assert_string_equal(q.user, "");
    assert_string_equal(q.password, "");
    assert_int_equal(q.port, 6379);
    assert_int_equal(q.db, 0);
    assert_string_equal(q.where, "h2:6379/0");
}

/* Messages name the connection by q->where: never the password, whatever it looks like. */
static void test_where_never_has_password(void **state)
{
    static const char *const urls[] = {"redis://:hunter2@h", "redis://u:hunter2@h:7000/4",
                                       "redis://:hunter2@hunter:1"};

    (void)state;
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        queue_conn q = {0};
        assert_int_equal(q_parse_url(&q, urls[i], NULL), 0);
        assert_string_equal(q.password, "hunter2");
        if (strstr(q.where, "hunter2"))
            fail_msg("%s: where is '%s'", urls[i], q.where);
    }
}

#include "test_url_tests.h"

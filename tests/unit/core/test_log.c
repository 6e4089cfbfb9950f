/* test_log.c: the core's logger (core/log.c): messages reach the callback with their level and
 * component, formatted, without a trailing newline; those above max_level, and any without a
 * logger or callback, are dropped. */
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "ladder.h"

/* What the callback saw. */
typedef struct seen {
    int calls;
    ladder_log_level level;
    char component[32], msg[2048];
} seen;

static void record(void *opaque, ladder_log_level level, const char *component, const char *msg)
{
    seen *s = opaque;

    s->calls++;
    s->level = level;
    snprintf(s->component, sizeof s->component, "%s", component);
    snprintf(s->msg, sizeof s->msg, "%s", msg);
}

static void test_delivers_formatted(void **state)
{
    seen s = {0};
    ladder_logger lg = {record, &s, LADDER_LOG_DEBUG};

    (void)state;
    ladder_log(&lg, LADDER_LOG_WARN, "tc", "rung %s at %d kb/s", "720p", 2800);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.level, LADDER_LOG_WARN);
    assert_string_equal(s.component, "tc");
    assert_string_equal(s.msg, "rung 720p at 2800 kb/s");
}

/* Each level passes at max_level and above it, and is dropped below. */
static void test_level_filter(void **state)
{
    (void)state;
    for (int max = LADDER_LOG_ERROR; max <= LADDER_LOG_DEBUG; max++) {
        for (int level = LADDER_LOG_ERROR; level <= LADDER_LOG_DEBUG; level++) {
            seen s = {0};
            ladder_logger lg = {record, &s, (ladder_log_level)max};
            ladder_log(&lg, (ladder_log_level)level, "x", "m");
            if (s.calls != (level <= max ? 1 : 0))
                fail_msg("level %d with max_level %d: %d calls", level, max, s.calls);
        }
    }
}

static void test_no_logger_no_callback(void **state)
{
    seen s = {0};
    ladder_logger off = {NULL, &s, LADDER_LOG_DEBUG};

    (void)state;
    ladder_log(NULL, LADDER_LOG_ERROR, "x", "dropped");
    ladder_log(&off, LADDER_LOG_ERROR, "x", "dropped");
    assert_int_equal(s.calls, 0);
}

/* Trailing newlines go (the callback adds its own); one that is only newlines is not sent. */
static void test_trailing_newlines(void **state)
{
    seen s = {0};
    ladder_logger lg = {record, &s, LADDER_LOG_INFO};

    (void)state;
    ladder_log(&lg, LADDER_LOG_INFO, "x", "two lines\nend\r\n\n");
    assert_int_equal(s.calls, 1);
    assert_string_equal(s.msg, "two lines\nend");
    ladder_log(&lg, LADDER_LOG_INFO, "x", "\n\r\n");
    ladder_log(&lg, LADDER_LOG_INFO, "x", "%s", "");
    assert_int_equal(s.calls, 1);
}

/* A very long message arrives cut, not lost. */
static void test_long_message(void **state)
{
    seen s = {0};
    ladder_logger lg = {record, &s, LADDER_LOG_INFO};
    char big[1500];

    (void)state;
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ladder_log(&lg, LADDER_LOG_ERROR, "x", "%s", big);
    assert_int_equal(s.calls, 1);
    assert_int_equal(strlen(s.msg), 1023);
}

#include "test_log_tests.h"

/* test_dates.c: the origin's HTTP dates (org_http_date, org_http_parse_date, http.c): the three
 * formats RFC 9110 accepts, and the time zone of the machine ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "origin_internal.h"

/* ---- org_http_date, org_http_parse_date ------------------------------------------------------ */

/* RFC 9110 5.6.7's example instant, in its three spellings. */
#define RFC_EXAMPLE_TIME ((time_t)784111777)

static time_t utc(int year, int mon, int day, int h, int m, int s)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = s;
    return timegm(&tm);
}

#define ASSERT_PARSES(s, expected)                                                                 \
    do {                                                                                           \
        time_t t_ = 12345;                                                                         \
        assert_int_equal(org_http_parse_date(s, &t_), 0);                                          \
        assert_int_equal(t_, (expected));                                                          \
    } while (0)

#define ASSERT_REJECTED(s)                                                                         \
    do {                                                                                           \
        time_t t_ = 0;                                                                             \
        assert_int_equal(org_http_parse_date(s, &t_), -1);                                         \
    } while (0)

static void test_date_format_rfc_example(void **state)
{
    char out[ORG_HTTP_DATE_LEN];
    (void)state;
    org_http_date(RFC_EXAMPLE_TIME, out);
    assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_int_equal(strlen(out), ORG_HTTP_DATE_LEN - 1);
}

/* Zero-padded fields, and the weekday of the day. */
static void test_date_format_padding(void **state)
{
    char out[ORG_HTTP_DATE_LEN];
    (void)state;
    org_http_date(0, out);
    assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    org_http_date(utc(2024, 2, 29, 1, 2, 3), out);
    assert_string_equal(out, "Thu, 29 Feb 2024 01:02:03 GMT");
}

/* Always GMT, whatever the process's time zone. */
static void test_date_ignores_local_time_zone(void **state)
{
    char out[ORG_HTTP_DATE_LEN];
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    struct tm local;
    time_t zero = 0;
    (void)state;

    setenv("TZ", "LAD-5:30", 1); /* a POSIX zone 5:30 east of UTC: no tzdata needed */
    tzset();
    localtime_r(&zero, &local);
    assert_int_equal(local.tm_hour, 5); /* the zone did take effect */
    org_http_date(RFC_EXAMPLE_TIME, out);
    assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    ASSERT_PARSES("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE_TIME);

    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

/* What org_http_date writes, org_http_parse_date reads back to the same second. */
static void test_date_round_trip(void **state)
{
    const time_t times[] = {0,
                            1,
                            RFC_EXAMPLE_TIME,
                            utc(2000, 2, 29, 12, 0, 0),
                            utc(2024, 12, 31, 23, 59, 59),
                            (time_t)INT32_MAX,
                            (time_t)INT32_MAX + 1,
                            utc(9999, 12, 31, 23, 59, 59)};
    (void)state;
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char out[ORG_HTTP_DATE_LEN];
        time_t back = -1;
        org_http_date(times[i], out);
        assert_int_equal(org_http_parse_date(out, &back), 0);
        assert_int_equal(back, times[i]);
    }
}

static void test_parse_imf_fixdate(void **state)
{
    (void)state;
    ASSERT_PARSES("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE_TIME);
    ASSERT_PARSES("Thu, 01 Jan 1970 00:00:00 GMT", 0);
    ASSERT_PARSES("Tue, 19 Jan 2038 03:14:08 GMT", (time_t)INT32_MAX + 1);
}

/* The obsolete forms a recipient must still accept (RFC 9110 5.6.7), as the header says. */
static void test_parse_rfc850(void **state)
{
    (void)state;
    ASSERT_PARSES("Sunday, 06-Nov-94 08:49:37 GMT", RFC_EXAMPLE_TIME);
    /* two-digit years below 70 are this century's */
    ASSERT_PARSES("Thursday, 01-Jan-04 00:00:00 GMT", utc(2004, 1, 1, 0, 0, 0));
    ASSERT_PARSES("Tuesday, 31-Dec-69 23:59:59 GMT", utc(2069, 12, 31, 23, 59, 59));
}

static void test_parse_asctime(void **state)
{
    (void)state;
    ASSERT_PARSES("Sun Nov  6 08:49:37 1994", RFC_EXAMPLE_TIME);
    ASSERT_PARSES("Wed Nov 16 08:49:37 1994", RFC_EXAMPLE_TIME + 10 * 86400);
}

static void test_parse_rejects_malformed(void **state)
{
    (void)state;
    ASSERT_REJECTED("");
    ASSERT_REJECTED("yesterday");
    ASSERT_REJECTED("1994-11-06T08:49:37Z");
    ASSERT_REJECTED("Sun, 06 Nov 1994 08:49:37");     /* no zone */
    ASSERT_REJECTED("Sun, 06 Nov 1994 08:49:37 UTC"); /* only GMT is HTTP's */
    ASSERT_REJECTED("Sun, 06 Foo 1994 08:49:37 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 1994 08:49 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 94 08:49:37 GMT"); /* IMF-fixdate has four-digit years */
    ASSERT_REJECTED("Sunday, 06-Foo-94 08:49:37 GMT");
    ASSERT_REJECTED("Sun Nov  6 08:49:37"); /* asctime without its year */
}

/* Each field's range: 1-31, 0-23, 0-59, 0-60 (a leap second). */
static void test_parse_rejects_out_of_range_fields(void **state)
{
    (void)state;
    ASSERT_REJECTED("Sun, 00 Nov 1994 08:49:37 GMT");
    ASSERT_REJECTED("Sun, 32 Nov 1994 08:49:37 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 1994 24:00:00 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 1994 08:60:00 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 1994 08:49:61 GMT");
    ASSERT_REJECTED("Sun Nov 32 08:49:37 1994");
}

/* Fields are digits: a sign makes a malformed date, not a time an hour earlier. */
static void test_parse_rejects_negative_fields(void **state)
{
    (void)state;
    ASSERT_REJECTED("Sun, -6 Nov 1994 08:49:37 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 1994 -1:49:37 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 1994 08:-1:37 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 1994 08:49:-1 GMT");
    ASSERT_REJECTED("Sunday, 06-Nov-94 -1:49:37 GMT");
    ASSERT_REJECTED("Sun Nov  6 08:-1:37 1994");
}

#include "test_dates_tests.h"

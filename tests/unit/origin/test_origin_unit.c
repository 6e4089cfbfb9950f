/* test_origin_unit.c: the origin's pure functions, without a server: Range, HTTP dates, ETags
 * and If-None-Match, Accept-Encoding and Accept (http.c), request-target decoding (paths.c), and
 * types and Cache-Control by path (mime.c). Each group tests the contract in origin_internal.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "origin_internal.h"

/* ---- org_http_range ------------------------------------------------------------------------ */

/* An ORG_RANGE_OK answer for [f, f + l); the outputs start as junk so a forgotten store shows. */
#define ASSERT_RANGE(header, size, f, l)                                                           \
    do {                                                                                           \
        uint64_t first_ = 12345, len_ = 12345;                                                     \
        assert_int_equal(org_http_range(header, size, &first_, &len_), ORG_RANGE_OK);              \
        assert_int_equal(first_, (f));                                                             \
        assert_int_equal(len_, (l));                                                               \
    } while (0)

#define ASSERT_RANGE_IS(header, size, result)                                                      \
    do {                                                                                           \
        uint64_t first_ = 0, len_ = 0;                                                             \
        assert_int_equal(org_http_range(header, size, &first_, &len_), (result));                  \
    } while (0)

static void range_single(void **state)
{
    (void)state;
    ASSERT_RANGE("bytes=0-499", 1000, 0, 500);
    ASSERT_RANGE("bytes=500-999", 1000, 500, 500);
    ASSERT_RANGE("bytes=5-5", 1000, 5, 1);
    ASSERT_RANGE("bytes=0-0", 1, 0, 1);
}

/* "bytes=-N": the last N bytes, or the whole body when it is shorter than N. */
static void range_suffix(void **state)
{
    (void)state;
    ASSERT_RANGE("bytes=-500", 1000, 500, 500);
    ASSERT_RANGE("bytes=-1", 1000, 999, 1);
    ASSERT_RANGE("bytes=-1000", 1000, 0, 1000);
    ASSERT_RANGE("bytes=-5000", 1000, 0, 1000);
}

static void range_open_ended(void **state)
{
    (void)state;
    ASSERT_RANGE("bytes=100-", 1000, 100, 900);
    ASSERT_RANGE("bytes=0-", 1000, 0, 1000);
    ASSERT_RANGE("bytes=999-", 1000, 999, 1);
}

/* A last-pos at or past the end means "to the end" (RFC 9110 14.1.1), not an error. */
static void range_last_past_end_is_clamped(void **state)
{
    (void)state;
    ASSERT_RANGE("bytes=500-2000", 1000, 500, 500);
    ASSERT_RANGE("bytes=0-1000", 1000, 0, 1000);
    ASSERT_RANGE("bytes=999-18446744073709551000", 1000, 999, 1);
}

/* The largest sizes: len = last - first + 1 must not wrap. */
static void range_huge_body(void **state)
{
    (void)state;
    ASSERT_RANGE("bytes=0-", UINT64_MAX, 0, UINT64_MAX);
    ASSERT_RANGE("bytes=-1", UINT64_MAX, UINT64_MAX - 1, 1);
    ASSERT_RANGE("bytes=10-", UINT64_MAX, 10, UINT64_MAX - 10);
}

/* A first-pos at or past the end, or a zero suffix, is well-formed but unsatisfiable: 416. */
static void range_unsatisfiable(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("bytes=1000-", 1000, ORG_RANGE_UNSATISFIABLE);
    ASSERT_RANGE_IS("bytes=1000-2000", 1000, ORG_RANGE_UNSATISFIABLE);
    ASSERT_RANGE_IS("bytes=5000-", 1000, ORG_RANGE_UNSATISFIABLE);
    ASSERT_RANGE_IS("bytes=-0", 1000, ORG_RANGE_UNSATISFIABLE);
}

/* An empty file has no byte to start a range at; and an OK answer is never zero bytes long
 * (a 206 of nothing has no valid Content-Range). */
static void range_zero_size_body(void **state)
{
    uint64_t first = 0, len = 0;
    (void)state;
    ASSERT_RANGE_IS("bytes=0-", 0, ORG_RANGE_UNSATISFIABLE);
    ASSERT_RANGE_IS("bytes=0-0", 0, ORG_RANGE_UNSATISFIABLE);
    ASSERT_RANGE_IS("bytes=0-99", 0, ORG_RANGE_UNSATISFIABLE);
    assert_int_not_equal(org_http_range("bytes=-5", 0, &first, &len), ORG_RANGE_OK);
    assert_int_not_equal(org_http_range("bytes=-0", 0, &first, &len), ORG_RANGE_OK);
}

/* The unit is case-insensitive (RFC 9110 14.1); blanks around the value are tolerated. */
static void range_unit_case_and_blanks(void **state)
{
    (void)state;
    ASSERT_RANGE("Bytes=0-1", 10, 0, 2);
    ASSERT_RANGE("BYTES=2-3", 10, 2, 2);
    ASSERT_RANGE(" bytes=4-5 ", 10, 4, 2);
}

/* Other units, and no unit at all: ignored (serve the whole body). */
static void range_other_units(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("items=0-1", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytesx=0-1", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("0-1", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes", 1000, ORG_RANGE_NONE);
}

static void range_malformed(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("bytes=abc", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=-", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=10", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=0-1-2", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=1-a", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=+1-2", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=0x10-", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=--5", 1000, ORG_RANGE_NONE);
}

/* last < first is invalid, not unsatisfiable, even when both lie past the end (RFC 9110 14.1.1:
 * an invalid range-spec is ignored). */
static void range_reversed(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("bytes=5-2", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=2000-1500", 1000, ORG_RANGE_NONE);
}

/* Multiple ranges are not supported: the whole body, never just the first range. */
static void range_multiple(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("bytes=0-1,5-6", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=0-1, 5-6", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=-1,0-0", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=0-1,", 1000, ORG_RANGE_NONE);
}

/* Positions that do not fit in 64 bits are malformed, not wrapped into small ones. */
static void range_overflow(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("bytes=99999999999999999999999-", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=0-99999999999999999999999", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=-99999999999999999999999", 1000, ORG_RANGE_NONE);
    /* 2^64 would wrap to 0 */
    ASSERT_RANGE_IS("bytes=18446744073709551616-", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=-18446744073709551616", 1000, ORG_RANGE_NONE);
}

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

static void date_format_rfc_example(void **state)
{
    char out[ORG_HTTP_DATE_LEN];
    (void)state;
    org_http_date(RFC_EXAMPLE_TIME, out);
    assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_int_equal(strlen(out), ORG_HTTP_DATE_LEN - 1);
}

/* Zero-padded fields, and the weekday of the day. */
static void date_format_padding(void **state)
{
    char out[ORG_HTTP_DATE_LEN];
    (void)state;
    org_http_date(0, out);
    assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    org_http_date(utc(2024, 2, 29, 1, 2, 3), out);
    assert_string_equal(out, "Thu, 29 Feb 2024 01:02:03 GMT");
}

/* Always GMT, whatever the process's time zone. */
static void date_ignores_local_time_zone(void **state)
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
static void date_round_trip(void **state)
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

static void parse_imf_fixdate(void **state)
{
    (void)state;
    ASSERT_PARSES("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE_TIME);
    ASSERT_PARSES("Thu, 01 Jan 1970 00:00:00 GMT", 0);
    ASSERT_PARSES("Tue, 19 Jan 2038 03:14:08 GMT", (time_t)INT32_MAX + 1);
}

/* The obsolete forms a recipient must still accept (RFC 9110 5.6.7), as the header says. */
static void parse_rfc850(void **state)
{
    (void)state;
    ASSERT_PARSES("Sunday, 06-Nov-94 08:49:37 GMT", RFC_EXAMPLE_TIME);
    /* two-digit years below 70 are this century's */
    ASSERT_PARSES("Thursday, 01-Jan-04 00:00:00 GMT", utc(2004, 1, 1, 0, 0, 0));
    ASSERT_PARSES("Tuesday, 31-Dec-69 23:59:59 GMT", utc(2069, 12, 31, 23, 59, 59));
}

static void parse_asctime(void **state)
{
    (void)state;
    ASSERT_PARSES("Sun Nov  6 08:49:37 1994", RFC_EXAMPLE_TIME);
    ASSERT_PARSES("Wed Nov 16 08:49:37 1994", RFC_EXAMPLE_TIME + 10 * 86400);
}

static void parse_rejects_malformed(void **state)
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
static void parse_rejects_out_of_range_fields(void **state)
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
static void parse_rejects_negative_fields(void **state)
{
    (void)state;
    ASSERT_REJECTED("Sun, -6 Nov 1994 08:49:37 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 1994 -1:49:37 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 1994 08:-1:37 GMT");
    ASSERT_REJECTED("Sun, 06 Nov 1994 08:49:-1 GMT");
    ASSERT_REJECTED("Sunday, 06-Nov-94 -1:49:37 GMT");
    ASSERT_REJECTED("Sun Nov  6 08:-1:37 1994");
}

/* ---- org_http_etag_of ------------------------------------------------------------------------ */

static void etag(const char *body, size_t len, char out[24])
{
    memset(out, 'x', 24); /* so an unterminated result shows */
    org_http_etag_of(body, len, out);
}

/* A strong ETag: a quoted opaque-tag, no W/ prefix, with nothing a header cannot carry. */
static void etag_quoted_form(void **state)
{
    char e[24];
    (void)state;
    etag("hello", 5, e);
    size_t n = strnlen(e, sizeof e);
    assert_true(n < sizeof e);
    assert_true(n >= 3);
    assert_int_equal(e[0], '"');
    assert_int_equal(e[n - 1], '"');
    for (size_t i = 1; i + 1 < n; i++) {
        /* etagc: %x21 / %x23-7E (RFC 9110 8.8.3) */
        unsigned char c = (unsigned char)e[i];
        assert_true(c == 0x21 || (c >= 0x23 && c <= 0x7e));
    }
}

/* Same bytes, same tag: from another buffer, and every time. */
static void etag_stable(void **state)
{
    char a[24], b[24];
    char copy[] = "#EXTM3U\n#EXT-X-VERSION:3\n";
    (void)state;
    etag("#EXTM3U\n#EXT-X-VERSION:3\n", sizeof copy - 1, a);
    etag(copy, sizeof copy - 1, b);
    assert_string_equal(a, b);
    etag(copy, sizeof copy - 1, b);
    assert_string_equal(a, b);
}

/* Different bodies, different tags: one byte changed, swapped, added, or a NUL within. */
static void etag_distinct(void **state)
{
    static const struct {
        const char *body;
        size_t len;
    } bodies[] = {{"", 0},    {"a", 1},   {"b", 1},    {"ab", 2},   {"ba", 2},
                  {"\0", 1},  {"a\0", 2}, {"a\0b", 3}, {"a\0c", 3}, {"abc", 3},
                  {"abd", 3}, {"{}", 2},  {"{ }", 3},  {"[]\n", 3}, {"x\0\0", 3}};
    enum { N = sizeof bodies / sizeof bodies[0] };
    char tags[N][24];
    (void)state;
    for (size_t i = 0; i < N; i++)
        etag(bodies[i].body, bodies[i].len, tags[i]);
    for (size_t i = 0; i < N; i++)
        for (size_t j = i + 1; j < N; j++)
            assert_string_not_equal(tags[i], tags[j]);
}

/* The length counts, not the first NUL; bytes past len do not. */
static void etag_uses_len(void **state)
{
    char a[24], b[24];
    (void)state;
    etag("abc", 2, a);
    etag("abX", 2, b);
    assert_string_equal(a, b);
    etag("a\0b", 3, a);
    etag("a\0c", 3, b);
    assert_string_not_equal(a, b);
}

/* The tag it makes is one If-None-Match can match (server.c pairs the two). */
static void etag_matches_itself(void **state)
{
    char a[24], b[24], header[64];
    (void)state;
    etag("body", 4, a);
    etag("other", 5, b);
    assert_int_equal(org_http_none_match(a, a), 1);
    assert_int_equal(org_http_none_match(b, a), 0);
    snprintf(header, sizeof header, "%s, W/%s", b, a);
    assert_int_equal(org_http_none_match(header, a), 1);
}

/* ---- org_http_none_match --------------------------------------------------------------------- */

static void inm_exact(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("\"abc\"", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("\"abd\"", "\"abc\""), 0);
}

static void inm_list(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("\"a\", \"b\"", "\"a\""), 1);
    assert_int_equal(org_http_none_match("\"a\", \"b\"", "\"b\""), 1);
    assert_int_equal(org_http_none_match("\"a\",\"b\",\"c\"", "\"c\""), 1);
    assert_int_equal(org_http_none_match("\"a\", \"b\"", "\"c\""), 0);
}

/* Weak comparison (RFC 9110 13.1.2): W/"x" matches "x". */
static void inm_weak(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("W/\"abc\"", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("W/\"a\", W/\"abc\"", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("W/\"abd\"", "\"abc\""), 0);
}

static void inm_star(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("*", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("  *", "\"abc\""), 1);
    /* a quoted "*" is just a tag named *, not the wildcard */
    assert_int_equal(org_http_none_match("\"*\"", "\"abc\""), 0);
}

/* Optional whitespace around list members: spaces and tabs. */
static void inm_whitespace(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("  \"abc\"  ", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("\t\"x\" ,\t\"abc\"", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("\"x\" , , \"abc\"", "\"abc\""), 1);
}

/* The whole tag must match: neither a prefix nor a longer tag. */
static void inm_no_partial_match(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("\"abcd\"", "\"abc\""), 0);
    assert_int_equal(org_http_none_match("\"ab\"", "\"abc\""), 0);
    assert_int_equal(org_http_none_match("\"\"", "\"abc\""), 0);
}

/* Malformed means no match: the full response is always a safe answer. */
static void inm_malformed(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("", "\"abc\""), 0);
    assert_int_equal(org_http_none_match(",", "\"abc\""), 0);
    assert_int_equal(org_http_none_match("abc", "\"abc\""), 0);
    assert_int_equal(org_http_none_match("\"abc", "\"abc\""), 0);
    assert_int_equal(org_http_none_match("W/abc", "\"abc\""), 0);
    assert_int_equal(org_http_none_match("w/\"abc\"", "\"abc\""), 0); /* W/ is case-sensitive */
}

/* ---- org_http_accepts_gzip ------------------------------------------------------------------- */

static void gzip_listed(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_gzip("gzip"), 1);
    assert_int_equal(org_http_accepts_gzip("gzip, deflate, br"), 1);
    assert_int_equal(org_http_accepts_gzip("deflate, br, gzip"), 1);
    assert_int_equal(org_http_accepts_gzip("br,gzip"), 1);
    assert_int_equal(org_http_accepts_gzip("x-gzip"), 1); /* its alias (RFC 9110 8.4.1.3) */
}

/* Content-coding names are case-insensitive, and so is q. */
static void gzip_case(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_gzip("GZIP"), 1);
    assert_int_equal(org_http_accepts_gzip("Gzip;Q=0.5"), 1);
    assert_int_equal(org_http_accepts_gzip("GZip;Q=0"), 0);
}

/* q=0 means "not acceptable"; any non-zero digit makes it acceptable. */
static void gzip_qvalues(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_gzip("gzip;q=0"), 0);
    assert_int_equal(org_http_accepts_gzip("gzip; q=0.0"), 0);
    assert_int_equal(org_http_accepts_gzip("gzip;q=0.000, deflate"), 0);
    assert_int_equal(org_http_accepts_gzip("gzip;q=0.001"), 1);
    assert_int_equal(org_http_accepts_gzip("gzip;q=0.5"), 1);
    assert_int_equal(org_http_accepts_gzip("gzip;q=1"), 1);
    assert_int_equal(org_http_accepts_gzip("gzip ;q=1.000"), 1);
}

static void gzip_not_listed(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_gzip("identity"), 0);
    assert_int_equal(org_http_accepts_gzip("deflate, br"), 0);
    assert_int_equal(org_http_accepts_gzip(""), 0);
    assert_int_equal(org_http_accepts_gzip(NULL), 0); /* static.c passes an absent header */
}

/* A longer name that starts with "gzip" is another coding. */
static void gzip_longer_names(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_gzip("gzipped"), 0);
    assert_int_equal(org_http_accepts_gzip("gzip2;q=1"), 0);
    assert_int_equal(org_http_accepts_gzip("x-gzipx"), 0);
}

/* "*" stands for codings not listed; an explicit gzip entry wins over it either way. */
static void gzip_star(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_gzip("*"), 1);
    assert_int_equal(org_http_accepts_gzip("identity, *;q=0.1"), 1);
    assert_int_equal(org_http_accepts_gzip("*;q=0"), 0);
    assert_int_equal(org_http_accepts_gzip("gzip;q=0, *"), 0);
    assert_int_equal(org_http_accepts_gzip("*, gzip;q=0"), 0);
    assert_int_equal(org_http_accepts_gzip("*;q=0, gzip"), 1);
}

/* ---- org_http_accepts_type ------------------------------------------------------------------- */

static void type_listed(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_type("application/json", "application/json"), 1);
    assert_int_equal(org_http_accepts_type("text/html, application/json;q=0.9", "application/json"),
                     1);
    assert_int_equal(org_http_accepts_type("text/html,application/json", "application/json"), 1);
    assert_int_equal(org_http_accepts_type("Application/JSON", "application/json"), 1);
}

/* A browser's navigation sends wildcards; those must not turn /play into JSON. */
static void type_wildcards_do_not_count(void **state)
{
    (void)state;
    const char *nav = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    assert_int_equal(org_http_accepts_type(nav, "application/json"), 0);
    assert_int_equal(org_http_accepts_type("*/*", "application/json"), 0);
    assert_int_equal(org_http_accepts_type("application/*", "application/json"), 0);
}

static void type_q_zero(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_type("application/json;q=0", "application/json"), 0);
    assert_int_equal(
        org_http_accepts_type("text/html, application/json; q=0.0", "application/json"), 0);
}

static void type_other_names(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_type("application/json-seq", "application/json"), 0);
    assert_int_equal(org_http_accepts_type("application/jsonp", "application/json"), 0);
    assert_int_equal(org_http_accepts_type("text/json", "application/json"), 0);
    assert_int_equal(org_http_accepts_type("", "application/json"), 0);
    assert_int_equal(org_http_accepts_type(NULL, "application/json"), 0); /* header absent */
}

/* ---- org_path_decode ------------------------------------------------------------------------- */

#define ASSERT_PATH(raw, expected)                                                                 \
    do {                                                                                           \
        char out_[256];                                                                            \
        memset(out_, 'x', sizeof out_);                                                            \
        assert_int_equal(org_path_decode(raw, out_, sizeof out_), 0);                              \
        assert_string_equal(out_, (expected));                                                     \
    } while (0)

#define ASSERT_PATH_STATUS(raw, status)                                                            \
    do {                                                                                           \
        char out_[256];                                                                            \
        assert_int_equal(org_path_decode(raw, out_, sizeof out_), (status));                       \
    } while (0)

static void path_plain(void **state)
{
    (void)state;
    ASSERT_PATH("/shows/a/master.m3u8", "/shows/a/master.m3u8");
    ASSERT_PATH("/shows/a/v3/hls/720p/seg00001.ts", "/shows/a/v3/hls/720p/seg00001.ts");
    ASSERT_PATH("/healthz", "/healthz");
}

/* The query and the fragment are not part of the path, and are not decoded. */
static void path_query_and_fragment_dropped(void **state)
{
    (void)state;
    ASSERT_PATH("/shows/a/master.m3u8?x=1", "/shows/a/master.m3u8");
    ASSERT_PATH("/play/a?format=mp4&x=%zz", "/play/a");
    ASSERT_PATH("/demo/#top", "/demo/");
    ASSERT_PATH("/shows?", "/shows");
}

/* Exactly once: "%252e" becomes the literal "%2e", never "." */
static void path_percent_decoded_once(void **state)
{
    (void)state;
    ASSERT_PATH("/shows/a%20b/%41%62.ts", "/shows/a b/Ab.ts");
    ASSERT_PATH("/shows/%7e%7E", "/shows/~~");
    ASSERT_PATH("/shows/%252e%252e/x", "/shows/%2e%2e/x");
    ASSERT_PATH("/shows/caf%C3%A9", "/shows/caf\xc3\xa9"); /* UTF-8 bytes pass through */
    ASSERT_PATH("/shows/a%3fb", "/shows/a?b");             /* an encoded '?' is a name */
}

static void path_bad_escapes(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS("/shows/%zz", 400);
    ASSERT_PATH_STATUS("/shows/%g0", 400);
    ASSERT_PATH_STATUS("/shows/%4", 400);
    ASSERT_PATH_STATUS("/shows/%", 400);
    ASSERT_PATH_STATUS("/shows/%%41", 400);
}

/* Dot-led segments name nothing we serve: "..", ".", and hidden names such as .staging. */
static void path_dot_segments(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS("/shows/../etc/passwd", 404);
    ASSERT_PATH_STATUS("/shows/a/..", 404);
    ASSERT_PATH_STATUS("/shows/%2e%2e/etc/passwd", 404);
    ASSERT_PATH_STATUS("/shows/%2E%2e/", 404);
    ASSERT_PATH_STATUS("/shows/./a", 404);
    ASSERT_PATH_STATUS("/shows/a/.staging/x", 404);
    ASSERT_PATH_STATUS("/.hidden", 404);
    /* dots inside or at the end of a name are fine */
    ASSERT_PATH("/shows/a..b/c.", "/shows/a..b/c.");
}

/* An empty segment is an absolute path glued on: "/shows//etc/passwd". */
static void path_empty_segments(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS("//etc/passwd", 404);
    ASSERT_PATH_STATUS("/shows//etc/passwd", 404);
    ASSERT_PATH_STATUS("/shows/a//", 404);
}

/* Encoded '/' and any '\' are never separators: 404, before any file is looked at. */
static void path_separators(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS("/shows/a%2fb", 404);
    ASSERT_PATH_STATUS("/shows/..%2F..%2Fetc", 404);
    ASSERT_PATH_STATUS("/shows/a%5cb", 404);
    ASSERT_PATH_STATUS("/shows/a%5Cb", 404);
    ASSERT_PATH_STATUS("/shows/a\\b", 404);
    ASSERT_PATH_STATUS("/shows/..\\..\\etc", 404);
}

/* NUL would cut the path short; control bytes and raw spaces are never in a valid target. */
static void path_nul_and_control_bytes(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS("/shows/a%00.ts", 400);
    ASSERT_PATH_STATUS("/shows/a/master.m3u8%00.jpg", 400);
    ASSERT_PATH_STATUS("/shows/a%0a", 400);
    ASSERT_PATH_STATUS("/shows/a%0D%0AX: y", 400);
    ASSERT_PATH_STATUS("/shows/a%1f", 400);
    ASSERT_PATH_STATUS("/shows/a%7f", 400);
    ASSERT_PATH_STATUS("/shows/a\tb", 400);
    ASSERT_PATH_STATUS("/shows/a\x01", 400);
    ASSERT_PATH_STATUS("/shows/a\x7f", 400);
    ASSERT_PATH_STATUS("/shows/a b", 400);
}

/* Only origin-form ("/..."): no absolute-form, no "*", nothing relative. */
static void path_not_origin_form(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS(NULL, 400);
    ASSERT_PATH_STATUS("", 400);
    ASSERT_PATH_STATUS("*", 400);
    ASSERT_PATH_STATUS("http://example.com/shows/a", 400);
    ASSERT_PATH_STATUS("shows/a", 400);
    ASSERT_PATH_STATUS("?x=1", 400);
}

/* Kept, so routes can tell folders from files. */
static void path_trailing_slash_kept(void **state)
{
    (void)state;
    ASSERT_PATH("/", "/");
    ASSERT_PATH("/demo/", "/demo/");
    ASSERT_PATH("/shows/a/", "/shows/a/");
    ASSERT_PATH("/shows/a/?x", "/shows/a/");
}

/* A path that does not fit (with its NUL) is 404, and nothing is written past `size`. The
 * limit is on the decoded length, so escapes count once. */
static void path_too_long(void **state)
{
    char buf[16];
    (void)state;

    memset(buf, '#', sizeof buf);
    assert_int_equal(org_path_decode("/abcdef", buf, 8), 0); /* 7 bytes + NUL: fits */
    assert_string_equal(buf, "/abcdef");
    for (size_t i = 8; i < sizeof buf; i++)
        assert_int_equal(buf[i], '#');

    memset(buf, '#', sizeof buf);
    assert_int_equal(org_path_decode("/abcdefg", buf, 8), 404);
    for (size_t i = 8; i < sizeof buf; i++)
        assert_int_equal(buf[i], '#');

    memset(buf, '#', sizeof buf);
    assert_int_equal(org_path_decode("/%41%42%43%44%45%46", buf, 8), 0);
    assert_string_equal(buf, "/ABCDEF");
    assert_int_equal(org_path_decode("/%41%42%43%44%45%46%47", buf, 8), 404);
    for (size_t i = 8; i < sizeof buf; i++)
        assert_int_equal(buf[i], '#');

    assert_int_equal(org_path_decode("/", buf, 1), 404); /* not even room for "/" and NUL */
}

/* A long but sane path fits in the buffer server.c uses. */
static void path_long_ok(void **state)
{
    char raw[3001], out[4096];
    (void)state;
    raw[0] = '/';
    memset(raw + 1, 'a', sizeof raw - 2);
    raw[sizeof raw - 1] = '\0';
    assert_int_equal(org_path_decode(raw, out, sizeof out), 0);
    assert_string_equal(out, raw);
}

/* ---- org_type_of ----------------------------------------------------------------------------- */

#define ASSERT_TYPE(rel, ctype, k, gz)                                                             \
    do {                                                                                           \
        org_type t_ = org_type_of(rel);                                                            \
        assert_string_equal(t_.content_type, (ctype));                                             \
        assert_int_equal(t_.kind, (k));                                                            \
        assert_int_equal(t_.compressible, (gz));                                                   \
    } while (0)

/* Playlists are the one library type served compressed. */
static void type_of_playlists(void **state)
{
    (void)state;
    ASSERT_TYPE("a/master.m3u8", "application/vnd.apple.mpegurl", ORG_KIND_PLAYLIST, 1);
    ASSERT_TYPE("a/v3/hls/720p/index.m3u8", "application/vnd.apple.mpegurl", ORG_KIND_PLAYLIST, 1);
}

/* Segments, including fMP4 init segments: an .mp4 (or .m4a) under hls/. */
static void type_of_segments(void **state)
{
    (void)state;
    ASSERT_TYPE("a/v3/hls/720p/seg00000.ts", "video/mp2t", ORG_KIND_SEGMENT, 0);
    ASSERT_TYPE("a/v3/hls/720p/seg00000.m4s", "video/iso.segment", ORG_KIND_SEGMENT, 0);
    ASSERT_TYPE("a/v3/hls/720p/init.mp4", "video/mp4", ORG_KIND_SEGMENT, 0);
    ASSERT_TYPE("a/v3/hls/audio/init.m4a", "audio/mp4", ORG_KIND_SEGMENT, 0);
}

/* The progressive fallbacks in mp4/ are MP4s, not segments. */
static void type_of_progressive_mp4(void **state)
{
    (void)state;
    ASSERT_TYPE("a/v3/mp4/720p.mp4", "video/mp4", ORG_KIND_MP4, 0);
    ASSERT_TYPE("a/v3/mp4/audio.m4a", "audio/mp4", ORG_KIND_MP4, 0);
    /* a show whose id is "hls" is not an HLS folder */
    ASSERT_TYPE("hls/v3/mp4/720p.mp4", "video/mp4", ORG_KIND_MP4, 0);
}

static void type_of_other_library_files(void **state)
{
    (void)state;
    ASSERT_TYPE("a/v3/show.json", "application/json", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/poster.jpg", "image/jpeg", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/v3/subtitles/en.vtt", "text/vtt", ORG_KIND_OTHER, 1);
}

/* The demo page's files: text compresses, images and fonts do not. */
static void type_of_demo_files(void **state)
{
    (void)state;
    ASSERT_TYPE("index.html", "text/html; charset=utf-8", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("js/player.js", "text/javascript; charset=utf-8", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("js/hls.mjs", "text/javascript; charset=utf-8", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("style.css", "text/css; charset=utf-8", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("logo.svg", "image/svg+xml", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("js/hls.mjs.map", "application/json", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("logo.png", "image/png", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("font.woff2", "font/woff2", ORG_KIND_OTHER, 0);
}

/* Never fails: anything else is application/octet-stream, by the whole extension. */
static void type_of_unknown(void **state)
{
    (void)state;
    ASSERT_TYPE("a/README", "application/octet-stream", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/seg.ts.bak", "application/octet-stream", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/clip.mts", "application/octet-stream", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/ts", "application/octet-stream", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("", "application/octet-stream", ORG_KIND_OTHER, 0);
}

static void kind_names(void **state)
{
    (void)state;
    assert_string_equal(org_kind_name(ORG_KIND_PLAYLIST), "playlist");
    assert_string_equal(org_kind_name(ORG_KIND_SEGMENT), "segment");
    assert_string_equal(org_kind_name(ORG_KIND_MP4), "mp4");
    assert_string_equal(org_kind_name(ORG_KIND_OTHER), "other");
    assert_string_equal(org_kind_name(ORG_KIND_N), "other");
}

/* ---- org_in_version_folder, org_cache_control ------------------------------------------------ */

/* Only the second segment, and only "vN" with N a positive decimal, followed by more path. */
static void version_folder(void **state)
{
    (void)state;
    assert_int_equal(org_in_version_folder("a/v3/hls/720p/seg00000.ts"), 1);
    assert_int_equal(org_in_version_folder("a/v1/show.json"), 1);
    assert_int_equal(org_in_version_folder("a/v12/master.m3u8"), 1);
    assert_int_equal(org_in_version_folder("a/master.m3u8"), 0);
    assert_int_equal(org_in_version_folder("a/current/master.m3u8"), 0);
    assert_int_equal(org_in_version_folder("a/v0/x.ts"), 0);
    assert_int_equal(org_in_version_folder("a/v/x.ts"), 0);
    assert_int_equal(org_in_version_folder("a/v3x/x.ts"), 0);
    assert_int_equal(org_in_version_folder("a/x3/x.ts"), 0);
    assert_int_equal(org_in_version_folder("v3/master.m3u8"), 0); /* a show named v3 */
    assert_int_equal(org_in_version_folder("a/b/v3/x.ts"), 0);
    assert_int_equal(org_in_version_folder("a/v3"), 0);
    assert_int_equal(org_in_version_folder(""), 0);
}

#define IMMUTABLE "public, max-age=31536000, immutable"
#define ONE_DAY   "public, max-age=86400"
#define ONE_MIN   "public, max-age=60"

/* Inside vN/ nothing changes once published (docs/origin.md, "Caching policy"). */
static void cache_version_files_immutable(void **state)
{
    (void)state;
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/hls/720p/seg00001.ts"),
                        IMMUTABLE);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/hls/720p/seg00001.m4s"),
                        IMMUTABLE);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/hls/720p/init.mp4"), IMMUTABLE);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/mp4/720p.mp4"), IMMUTABLE);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/poster.jpg"), IMMUTABLE);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/show.json"), IMMUTABLE);
}

/* Playlists in vN/ never change either, but the version is pruned a day after a swap. */
static void cache_version_playlists_one_day(void **state)
{
    (void)state;
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/master.m3u8"), ONE_DAY);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/hls/720p/index.m3u8"), ONE_DAY);
}

/* Names a re-ingest moves: the show's top level and anything through current/. */
static void cache_moving_names_one_minute(void **state)
{
    (void)state;
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/master.m3u8"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/show.json"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/poster.jpg"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/current/hls/720p/seg00001.ts"),
                        ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/current/master.m3u8"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v0/hls/720p/seg00001.ts"), ONE_MIN);
}

/* The demo folder changes with the repository: a minute, even for a vN-looking path. */
static void cache_site_one_minute(void **state)
{
    (void)state;
    assert_string_equal(org_cache_control(ORG_ROOT_SITE, "index.html"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_SITE, "js/v3/player.js"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_SITE, "a/v3/hls/720p/seg00001.ts"), ONE_MIN);
}

int main(void)
{
    const struct CMUnitTest range_tests[] = {
        cmocka_unit_test(range_single),         cmocka_unit_test(range_suffix),
        cmocka_unit_test(range_open_ended),     cmocka_unit_test(range_last_past_end_is_clamped),
        cmocka_unit_test(range_huge_body),      cmocka_unit_test(range_unsatisfiable),
        cmocka_unit_test(range_zero_size_body), cmocka_unit_test(range_unit_case_and_blanks),
        cmocka_unit_test(range_other_units),    cmocka_unit_test(range_malformed),
        cmocka_unit_test(range_reversed),       cmocka_unit_test(range_multiple),
        cmocka_unit_test(range_overflow),
    };
    const struct CMUnitTest date_tests[] = {
        cmocka_unit_test(date_format_rfc_example),
        cmocka_unit_test(date_format_padding),
        cmocka_unit_test(date_ignores_local_time_zone),
        cmocka_unit_test(date_round_trip),
        cmocka_unit_test(parse_imf_fixdate),
        cmocka_unit_test(parse_rfc850),
        cmocka_unit_test(parse_asctime),
        cmocka_unit_test(parse_rejects_malformed),
        cmocka_unit_test(parse_rejects_out_of_range_fields),
        cmocka_unit_test(parse_rejects_negative_fields),
    };
    const struct CMUnitTest etag_tests[] = {
        cmocka_unit_test(etag_quoted_form),
        cmocka_unit_test(etag_stable),
        cmocka_unit_test(etag_distinct),
        cmocka_unit_test(etag_uses_len),
        cmocka_unit_test(etag_matches_itself),
        cmocka_unit_test(inm_exact),
        cmocka_unit_test(inm_list),
        cmocka_unit_test(inm_weak),
        cmocka_unit_test(inm_star),
        cmocka_unit_test(inm_whitespace),
        cmocka_unit_test(inm_no_partial_match),
        cmocka_unit_test(inm_malformed),
    };
    const struct CMUnitTest accept_tests[] = {
        cmocka_unit_test(gzip_listed),       cmocka_unit_test(gzip_case),
        cmocka_unit_test(gzip_qvalues),      cmocka_unit_test(gzip_not_listed),
        cmocka_unit_test(gzip_longer_names), cmocka_unit_test(gzip_star),
        cmocka_unit_test(type_listed),       cmocka_unit_test(type_wildcards_do_not_count),
        cmocka_unit_test(type_q_zero),       cmocka_unit_test(type_other_names),
    };
    const struct CMUnitTest path_tests[] = {
        cmocka_unit_test(path_plain),
        cmocka_unit_test(path_query_and_fragment_dropped),
        cmocka_unit_test(path_percent_decoded_once),
        cmocka_unit_test(path_bad_escapes),
        cmocka_unit_test(path_dot_segments),
        cmocka_unit_test(path_empty_segments),
        cmocka_unit_test(path_separators),
        cmocka_unit_test(path_nul_and_control_bytes),
        cmocka_unit_test(path_not_origin_form),
        cmocka_unit_test(path_trailing_slash_kept),
        cmocka_unit_test(path_too_long),
        cmocka_unit_test(path_long_ok),
    };
    const struct CMUnitTest mime_tests[] = {
        cmocka_unit_test(type_of_playlists),
        cmocka_unit_test(type_of_segments),
        cmocka_unit_test(type_of_progressive_mp4),
        cmocka_unit_test(type_of_other_library_files),
        cmocka_unit_test(type_of_demo_files),
        cmocka_unit_test(type_of_unknown),
        cmocka_unit_test(kind_names),
        cmocka_unit_test(version_folder),
        cmocka_unit_test(cache_version_files_immutable),
        cmocka_unit_test(cache_version_playlists_one_day),
        cmocka_unit_test(cache_moving_names_one_minute),
        cmocka_unit_test(cache_site_one_minute),
    };
    int failed = 0;

    failed += cmocka_run_group_tests_name("range", range_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("dates", date_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("etags", etag_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("accept", accept_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("paths", path_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("mime", mime_tests, NULL, NULL);
    return failed ? 1 : 0;
}

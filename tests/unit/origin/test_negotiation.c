/* test_negotiation.c: the origin's conditional and negotiated answers (http.c): ETags and
 * If-None-Match, Accept-Encoding and Accept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "origin_internal.h"

/* ---- org_http_etag_of ------------------------------------------------------------------------ */

static void etag(const char *body, size_t len, char out[24])
{
    memset(out, 'x', 24); /* so an unterminated result shows */
    org_http_etag_of(body, len, out);
}

/* A strong ETag: a quoted opaque-tag, no W/ prefix, with nothing a header cannot carry. */
static void test_etag_quoted_form(void **state)
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
static void test_etag_stable(void **state)
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
static void test_etag_distinct(void **state)
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
static void test_etag_uses_len(void **state)
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
static void test_etag_matches_itself(void **state)
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

static void test_inm_exact(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("\"abc\"", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("\"abd\"", "\"abc\""), 0);
}

static void test_inm_list(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("\"a\", \"b\"", "\"a\""), 1);
    assert_int_equal(org_http_none_match("\"a\", \"b\"", "\"b\""), 1);
    assert_int_equal(org_http_none_match("\"a\",\"b\",\"c\"", "\"c\""), 1);
    assert_int_equal(org_http_none_match("\"a\", \"b\"", "\"c\""), 0);
}

/* Weak comparison (RFC 9110 13.1.2): W/"x" matches "x". */
static void test_inm_weak(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("W/\"abc\"", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("W/\"a\", W/\"abc\"", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("W/\"abd\"", "\"abc\""), 0);
}

static void test_inm_star(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("*", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("  *", "\"abc\""), 1);
    /* a quoted "*" is just a tag named *, not the wildcard */
    assert_int_equal(org_http_none_match("\"*\"", "\"abc\""), 0);
}

/* Optional whitespace around list members: spaces and tabs. */
static void test_inm_whitespace(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("  \"abc\"  ", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("\t\"x\" ,\t\"abc\"", "\"abc\""), 1);
    assert_int_equal(org_http_none_match("\"x\" , , \"abc\"", "\"abc\""), 1);
}

/* The whole tag must match: neither a prefix nor a longer tag. */
static void test_inm_no_partial_match(void **state)
{
    (void)state;
    assert_int_equal(org_http_none_match("\"abcd\"", "\"abc\""), 0);
    assert_int_equal(org_http_none_match("\"ab\"", "\"abc\""), 0);
    assert_int_equal(org_http_none_match("\"\"", "\"abc\""), 0);
}

/* Malformed means no match: the full response is always a safe answer. */
static void test_inm_malformed(void **state)
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

static void test_gzip_listed(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_gzip("gzip"), 1);
    assert_int_equal(org_http_accepts_gzip("gzip, deflate, br"), 1);
    assert_int_equal(org_http_accepts_gzip("deflate, br, gzip"), 1);
    assert_int_equal(org_http_accepts_gzip("br,gzip"), 1);
    assert_int_equal(org_http_accepts_gzip("x-gzip"), 1); /* its alias (RFC 9110 8.4.1.3) */
}

/* Content-coding names are case-insensitive, and so is q. */
static void test_gzip_case(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_gzip("GZIP"), 1);
    assert_int_equal(org_http_accepts_gzip("Gzip;Q=0.5"), 1);
    assert_int_equal(org_http_accepts_gzip("GZip;Q=0"), 0);
}

/* q=0 means "not acceptable"; any non-zero digit makes it acceptable. */
static void test_gzip_qvalues(void **state)
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

static void test_gzip_not_listed(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_gzip("identity"), 0);
    assert_int_equal(org_http_accepts_gzip("deflate, br"), 0);
    assert_int_equal(org_http_accepts_gzip(""), 0);
    assert_int_equal(org_http_accepts_gzip(NULL), 0); /* static.c passes an absent header */
}

/* A longer name that starts with "gzip" is another coding. */
static void test_gzip_longer_names(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_gzip("gzipped"), 0);
    assert_int_equal(org_http_accepts_gzip("gzip2;q=1"), 0);
    assert_int_equal(org_http_accepts_gzip("x-gzipx"), 0);
}

/* "*" stands for codings not listed; an explicit gzip entry wins over it either way. */
static void test_gzip_star(void **state)
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

static void test_type_listed(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_type("application/json", "application/json"), 1);
    assert_int_equal(org_http_accepts_type("text/html, application/json;q=0.9", "application/json"),
                     1);
    assert_int_equal(org_http_accepts_type("text/html,application/json", "application/json"), 1);
    assert_int_equal(org_http_accepts_type("Application/JSON", "application/json"), 1);
}

/* A browser's navigation sends wildcards; those must not turn /play into JSON. */
static void test_type_wildcards_do_not_count(void **state)
{
    (void)state;
    const char *nav = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    assert_int_equal(org_http_accepts_type(nav, "application/json"), 0);
    assert_int_equal(org_http_accepts_type("*/*", "application/json"), 0);
    assert_int_equal(org_http_accepts_type("application/*", "application/json"), 0);
}

static void test_type_q_zero(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_type("application/json;q=0", "application/json"), 0);
    assert_int_equal(
        org_http_accepts_type("text/html, application/json; q=0.0", "application/json"), 0);
}

static void test_type_other_names(void **state)
{
    (void)state;
    assert_int_equal(org_http_accepts_type("application/json-seq", "application/json"), 0);
    assert_int_equal(org_http_accepts_type("application/jsonp", "application/json"), 0);
    assert_int_equal(org_http_accepts_type("text/json", "application/json"), 0);
    assert_int_equal(org_http_accepts_type("", "application/json"), 0);
    assert_int_equal(org_http_accepts_type(NULL, "application/json"), 0); /* header absent */
}

#include "test_negotiation_tests.h"

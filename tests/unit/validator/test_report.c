/* test_report.c: the validator's report (val_fail, val_pass, CHECK) and val_attr, the
 * attribute reader of playlist tags (validator/report.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_test.h"

/* ---- the report: val_fail, val_pass, CHECK -------------------------------------------------- */

static void test_report_counts(void **state)
{
    (void)state;
    val_report *r = new_report();

    val_pass(r);
    val_pass(r);
    assert_int_equal(r->checks, 2);
    assert_int_equal(r->n_failures, 0);
    val_fail(r, "hls/a/index.m3u8", "endlist", "no %s after %d", "ENDLIST", 3);
    assert_int_equal(r->checks, 3);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].file, "hls/a/index.m3u8");
    assert_string_equal(r->failures[0].rule, "endlist");
    assert_string_equal(r->failures[0].message, "no ENDLIST after 3");
    free(r);
}

static void test_report_check_macro(void **state)
{
    (void)state;
    val_report *r = new_report();
    int x = 3;

    CHECK(r, x == 3, "f", "rule-a", "x is %d", x);
    assert_int_equal(r->checks, 1);
    assert_int_equal(r->n_failures, 0);
    CHECK(r, x == 4, "f", "rule-b", "x is %d", x);
    assert_int_equal(r->checks, 2);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "rule-b");
    assert_string_equal(r->failures[0].message, "x is 3");
    /* the macro is one statement: it fits an unbraced if/else */
    if (x)
        CHECK(r, 0, "f", "rule-c", "in an if");
    else
        CHECK(r, 0, "f", "rule-d", "in an else");
    assert_int_equal(failures_of(r, "rule-c"), 1);
    assert_int_equal(failures_of(r, "rule-d"), 0);
    free(r);
}

/* Long names and messages are cut to the fields, NUL-terminated. */
static void test_report_long_strings(void **state)
{
    (void)state;
    val_report *r = new_report();
    char file[1000];

    memset(file, 'a', sizeof file - 1);
    file[sizeof file - 1] = '\0';
    val_fail(r, file, file, "%s", file);
    assert_int_equal(strlen(r->failures[0].file), sizeof r->failures[0].file - 1);
    assert_int_equal(strlen(r->failures[0].rule), sizeof r->failures[0].rule - 1);
    assert_int_equal(strlen(r->failures[0].message), sizeof r->failures[0].message - 1);
    free(r);
}

/* Past VAL_MAX_FAILURES the failures are no longer kept, but every check is still counted. */
static void test_report_cap(void **state)
{
    (void)state;
    val_report *r = new_report();
    char rule[32];

    for (int i = 0; i < VAL_MAX_FAILURES + 50; i++) {
        snprintf(rule, sizeof rule, "rule-%d", i);
        val_fail(r, "f", rule, "failure %d", i);
        val_pass(r);
    }
    assert_int_equal(r->n_failures, VAL_MAX_FAILURES);
    assert_int_equal(r->checks, 2 * (VAL_MAX_FAILURES + 50));
    snprintf(rule, sizeof rule, "rule-%d", VAL_MAX_FAILURES - 1);
    assert_string_equal(r->failures[VAL_MAX_FAILURES - 1].rule, rule);
    free(r);
}

/* ---- val_attr ------------------------------------------------------------------------------- */

static const char *const stream_inf =
    "#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=1000000,BANDWIDTH=1200000,"
    "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=25.000\r\n";

static void test_attr_unquoted(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(val_attr(stream_inf, "RESOLUTION", out, sizeof out), 1);
    assert_string_equal(out, "1280x720");
    /* the last one ends at the line's end, CR LF not included */
    assert_int_equal(val_attr(stream_inf, "FRAME-RATE", out, sizeof out), 1);
    assert_string_equal(out, "25.000");
    /* the first one, right after the colon */
    assert_int_equal(val_attr(stream_inf, "AVERAGE-BANDWIDTH", out, sizeof out), 1);
    assert_string_equal(out, "1000000");
}

/* A quoted value keeps its commas and loses its quotes. */
static void test_attr_quoted_with_commas(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(val_attr(stream_inf, "CODECS", out, sizeof out), 1);
    assert_string_equal(out, "avc1.64001f,mp4a.40.2");
    const char *iframe = "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=9,URI=\"v2/hls/a,b/iframes.m3u8\"";
    assert_int_equal(val_attr(iframe, "URI", out, sizeof out), 1);
    assert_string_equal(out, "v2/hls/a,b/iframes.m3u8");
}

/* BANDWIDTH is a suffix of AVERAGE-BANDWIDTH, which comes first here: the right one answers. */
static void test_attr_name_is_suffix_of_another(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(val_attr(stream_inf, "BANDWIDTH", out, sizeof out), 1);
    assert_string_equal(out, "1200000");
    /* only AVERAGE-BANDWIDTH there: BANDWIDTH is absent */
    assert_int_equal(
        val_attr("#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=5", "BANDWIDTH", out, sizeof out), 0);
    /* a name that is a prefix of another (CODECS vs CODECS-X) is not it either */
    assert_int_equal(val_attr("#X:CODECS-X=\"a\"", "CODECS", out, sizeof out), 0);
}

static void test_attr_absent(void **state)
{
    (void)state;
    char out[16] = "unchanged";
    assert_int_equal(val_attr(stream_inf, "URI", out, sizeof out), 0);
    assert_int_equal(val_attr("#EXT-X-ENDLIST", "URI", out, sizeof out), 0);
    assert_int_equal(val_attr("#EXT-X-STREAM-INF:", "BANDWIDTH", out, sizeof out), 0);
    /* the tag's name before the colon is not an attribute */
    assert_int_equal(val_attr("BANDWIDTH=1:X=2", "BANDWIDTH", out, sizeof out), 0);
}

/* A value longer than out is cut, NUL-terminated; an unterminated quote runs to the end. */
static void test_attr_truncated_and_unterminated(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(val_attr(stream_inf, "CODECS", out, sizeof out), 1);
    assert_string_equal(out, "avc1.64");
    char big[64];
    assert_int_equal(val_attr("#X:URI=\"abc\n", "URI", big, sizeof big), 1);
    assert_string_equal(big, "abc");
}

#include "test_report_tests.h"

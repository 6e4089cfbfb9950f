/* test_range.c: the origin's Range header reader (org_http_range, http.c; origin_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
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

static void test_range_single(void **state)
{
    (void)state;
    ASSERT_RANGE("bytes=0-499", 1000, 0, 500);
    ASSERT_RANGE("bytes=500-999", 1000, 500, 500);
    ASSERT_RANGE("bytes=5-5", 1000, 5, 1);
    ASSERT_RANGE("bytes=0-0", 1, 0, 1);
}

/* "bytes=-N": the last N bytes, or the whole body when it is shorter than N. */
static void test_range_suffix(void **state)
{
    (void)state;
    ASSERT_RANGE("bytes=-500", 1000, 500, 500);
    ASSERT_RANGE("bytes=-1", 1000, 999, 1);
    ASSERT_RANGE("bytes=-1000", 1000, 0, 1000);
    ASSERT_RANGE("bytes=-5000", 1000, 0, 1000);
}

static void test_range_open_ended(void **state)
{
    (void)state;
    ASSERT_RANGE("bytes=100-", 1000, 100, 900);
    ASSERT_RANGE("bytes=0-", 1000, 0, 1000);
    ASSERT_RANGE("bytes=999-", 1000, 999, 1);
}

/* A last-pos at or past the end means "to the end" (RFC 9110 14.1.1), not an error. */
static void test_range_last_past_end_is_clamped(void **state)
{
    (void)state;
    ASSERT_RANGE("bytes=500-2000", 1000, 500, 500);
    ASSERT_RANGE("bytes=0-1000", 1000, 0, 1000);
    ASSERT_RANGE("bytes=999-18446744073709551000", 1000, 999, 1);
}

/* The largest sizes: len = last - first + 1 must not wrap. */
static void test_range_huge_body(void **state)
{
    (void)state;
    ASSERT_RANGE("bytes=0-", UINT64_MAX, 0, UINT64_MAX);
    ASSERT_RANGE("bytes=-1", UINT64_MAX, UINT64_MAX - 1, 1);
    ASSERT_RANGE("bytes=10-", UINT64_MAX, 10, UINT64_MAX - 10);
}

/* A first-pos at or past the end, or a zero suffix, is well-formed but unsatisfiable: 416. */
static void test_range_unsatisfiable(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("bytes=1000-", 1000, ORG_RANGE_UNSATISFIABLE);
    ASSERT_RANGE_IS("bytes=1000-2000", 1000, ORG_RANGE_UNSATISFIABLE);
    ASSERT_RANGE_IS("bytes=5000-", 1000, ORG_RANGE_UNSATISFIABLE);
    ASSERT_RANGE_IS("bytes=-0", 1000, ORG_RANGE_UNSATISFIABLE);
}

/* An empty file has no byte to start a range at; and an OK answer is never zero bytes long
 * (a 206 of nothing has no valid Content-Range). */
static void test_range_zero_size_body(void **state)
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
static void test_range_unit_case_and_blanks(void **state)
{
    (void)state;
    ASSERT_RANGE("Bytes=0-1", 10, 0, 2);
    ASSERT_RANGE("BYTES=2-3", 10, 2, 2);
    ASSERT_RANGE(" bytes=4-5 ", 10, 4, 2);
}

/* Other units, and no unit at all: ignored (serve the whole body). */
static void test_range_other_units(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("items=0-1", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytesx=0-1", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("0-1", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes", 1000, ORG_RANGE_NONE);
}

static void test_range_malformed(void **state)
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
static void test_range_reversed(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("bytes=5-2", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=2000-1500", 1000, ORG_RANGE_NONE);
}

/* Multiple ranges are not supported: the whole body, never just the first range. */
static void test_range_multiple(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("bytes=0-1,5-6", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=0-1, 5-6", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=-1,0-0", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=0-1,", 1000, ORG_RANGE_NONE);
}

/* Positions that do not fit in 64 bits are malformed, not wrapped into small ones. */
static void test_range_overflow(void **state)
{
    (void)state;
    ASSERT_RANGE_IS("bytes=99999999999999999999999-", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=0-99999999999999999999999", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=-99999999999999999999999", 1000, ORG_RANGE_NONE);
    /* 2^64 would wrap to 0 */
    ASSERT_RANGE_IS("bytes=18446744073709551616-", 1000, ORG_RANGE_NONE);
    ASSERT_RANGE_IS("bytes=-18446744073709551616", 1000, ORG_RANGE_NONE);
}

#include "test_range_tests.h"

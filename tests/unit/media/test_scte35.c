/* test_scte35.c: the SCTE-35 parser (media/scte35.c) on the standard's own sample sections
 * (ANSI/SCTE 35, 14.1 time_signal and 14.2 splice_insert) and on sections the tests build
 * (scte35_build.h): splice_insert out-points timed and immediate, cancelled, in-points,
 * component mode, splice_null, time_signal with every segmentation type, pts_adjustment
 * across 2^33. The sections it must refuse: test_scte35_refused.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scte35_build.h"

/* ---- the standard's samples ----------------------------------------------------------------- */

static void test_sample_splice_insert(void **state)
{
    ladder_scte35_cue cue;
    ladder_error err = {0};
    (void)state;

    assert_int_equal(ladder_scte35_parse(sample_insert, sizeof sample_insert, &cue, &err), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.command, 0x05);
    assert_int_equal(cue.event_id, 0x4800008F);
    assert_int_equal(cue.has_pts, 1);
    assert_int_equal(cue.immediate, 0);
    assert_int_equal(cue.pts90, 0x07369C02E);
    assert_int_equal(cue.has_duration, 1);
    assert_close(cue.duration, 0x00052CCF5 / TICKS);
    assert_int_equal(cue.auto_return, 1);
    assert_int_equal(cue.section_size, (int)sizeof sample_insert);
    assert_int_equal(cue.segmentation_type, -1);
}

static void test_sample_time_signal(void **state)
{
    ladder_scte35_cue cue;
    ladder_error err = {0};
    (void)state;

    assert_int_equal(ladder_scte35_parse(sample_time_signal, sizeof sample_time_signal, &cue, &err),
                     0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.command, 0x06);
    assert_int_equal(cue.segmentation_type, 0x34);
    assert_int_equal(cue.event_id, 0x4800008E);
    assert_int_equal(cue.pts90, 0x072BD0050);
    assert_int_equal(cue.has_duration, 1);
    assert_close(cue.duration, 307.0);
    assert_int_equal(cue.section_size, (int)sizeof sample_time_signal);
}

/* ---- splice_insert -------------------------------------------------------------------------- */

static void test_insert_out_with_duration(void **state)
{
    bytes c = splice_insert(0x80 | 0x40 | 0x20, 663300, 15 * 90000);
    bytes s = section(0x05, &c, &none);
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.pts90, 663300);
    assert_close(cue.duration, 15);
    assert_int_equal(cue.section_size, s.n);
}

static void test_insert_out_without_duration(void **state)
{
    bytes c = splice_insert(0x80 | 0x40, 900, 0);
    bytes s = section(0x05, &c, &none);
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.has_duration, 0);
    assert_close(cue.duration, 0);
}

static void test_insert_immediate(void **state)
{
    bytes c = splice_insert(0x80 | 0x40 | 0x20 | 0x10, 0, 30 * 90000);
    bytes s = section(0x05, &c, &none);
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.immediate, 1);
    assert_int_equal(cue.has_pts, 0);
    assert_close(cue.duration, 30);
}

static void test_insert_cancel(void **state)
{
    bytes c = {0}, s;
    ladder_scte35_cue cue;
    (void)state;

    put(&c, 4, 0x99);
    put(&c, 1, 0xFF); /* splice_event_cancel_indicator: nothing follows */
    s = section(0x05, &c, &none);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 0);
    assert_non_null(strstr(cue.why, "cancels event 153"));
}

static void test_insert_in_point(void **state)
{
    bytes c = splice_insert(0x40 | 0x20, 900, 90000);
    bytes s = section(0x05, &c, &none);
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 0);
    assert_int_equal(cue.has_pts, 0);
    assert_non_null(strstr(cue.why, "in-point"));
}

static void test_insert_component_mode(void **state)
{
    for (int immediate = 0; immediate <= 0x10; immediate += 0x10) {
        bytes c = splice_insert(0x80 | 0x20 | immediate, 900, 90000);
        bytes s = section(0x05, &c, &none);
        ladder_scte35_cue cue;
        (void)state;

        assert_int_equal(parse(&s, &cue, NULL), 0);
        assert_int_equal(cue.is_out, 0);
        assert_non_null(strstr(cue.why, "component mode"));
    }
}

/* An old encoder's splice_command_length 0xFFF: the command's length is its syntax's. */
static void test_insert_legacy_command_length(void **state)
{
    bytes c = splice_insert(0x80 | 0x40 | 0x20, 1234, 20 * 90000), d = {0};
    bytes s;
    ladder_scte35_cue cue;
    (void)state;

    put_segmentation(&d, 0x30, 0, 0);
    s = section_with(0x05, &c, &d, 0, 0xFFF);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.pts90, 1234);
    assert_close(cue.duration, 20);
}

/* ---- splice_null and other commands --------------------------------------------------------- */

static void test_splice_null(void **state)
{
    bytes s = section(0x00, &none, &none);
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(s.n, 20);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 0);
    assert_int_equal(cue.command, 0);
    assert_string_equal(cue.why, "splice_null");
}

static void test_other_commands_are_not_breaks(void **state)
{
    static const int types[] = {0x04, 0x07, 0xFF};
    bytes c = {0};
    (void)state;

    put(&c, 4, 0xDEADBEEF);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        bytes s = section(types[i], &c, &none);
        ladder_scte35_cue cue;
        assert_int_equal(parse(&s, &cue, NULL), 0);
        assert_int_equal(cue.is_out, 0);
        assert_non_null(strstr(cue.why, "not a break"));
    }
}

/* ---- time_signal ---------------------------------------------------------------------------- */

static void test_time_signal_out_types(void **state)
{
    static const int types[] = {0x30, 0x32, 0x34, 0x36};
    (void)state;

    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        bytes c = time_signal(4500), d = {0}, s;
        ladder_scte35_cue cue;

        put_segmentation(&d, types[i], 12 * 90000, 0);
        s = section(0x06, &c, &d);
        assert_int_equal(parse(&s, &cue, NULL), 0);
        assert_int_equal(cue.is_out, 1);
        assert_int_equal(cue.segmentation_type, types[i]);
        assert_int_equal(cue.event_id, 0x77);
        assert_int_equal(cue.pts90, 4500);
        assert_close(cue.duration, 12);
    }
}

/* Ends, program boundaries, content ids, chapter starts: not out-points. */
static void test_time_signal_other_types(void **state)
{
    static const int types[] = {0x00, 0x01, 0x10, 0x11, 0x20, 0x31, 0x33, 0x35, 0x37, 0x50};
    (void)state;

    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        bytes c = time_signal(4500), d = {0}, s;
        ladder_scte35_cue cue;
        char want[64];

        put_segmentation(&d, types[i], 12 * 90000, 0);
        s = section(0x06, &c, &d);
        assert_int_equal(parse(&s, &cue, NULL), 0);
        assert_int_equal(cue.is_out, 0);
        snprintf(want, sizeof want, "segmentation_type_id 0x%02X", types[i]);
        assert_non_null(strstr(cue.why, want));
    }
}

/* The first out-point among several descriptors decides; a cancelled one, another identifier
 * and other tags do not count. */
static void test_time_signal_descriptors(void **state)
{
    bytes c = time_signal(4500), d = {0}, s;
    ladder_scte35_cue cue;
    (void)state;

    put(&d, 1, 0x00); /* avail_descriptor */
    put(&d, 1, 8);
    put(&d, 4, 0x43554549);
    put(&d, 4, 0x135);
    put_segmentation(&d, 0x10, 0, 0);
    put_segmentation(&d, 0x30, 0, 1); /* cancelled */
    put(&d, 1, 0x02);                 /* another identifier's segmentation descriptor */
    put(&d, 1, 4);
    put(&d, 4, 0x41424344);
    put_segmentation(&d, 0x36, 0, 0);
    put_segmentation(&d, 0x30, 5 * 90000, 0);
    s = section(0x06, &c, &d);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.segmentation_type, 0x36);
    assert_int_equal(cue.has_duration, 0);

    d.n = 0;
    put_segmentation(&d, 0x34, 0, 1);
    s = section(0x06, &c, &d);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 0);
    assert_non_null(strstr(cue.why, "without an out-point"));
    s = section(0x06, &c, &none);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 0);
}

/* time_specified_flag 0: an immediate out-point. */
static void test_time_signal_immediate(void **state)
{
    bytes c = {0}, d = {0}, s;
    ladder_scte35_cue cue;
    (void)state;

    put(&c, 1, 0x7F);
    put_segmentation(&d, 0x34, 0, 0);
    s = section(0x06, &c, &d);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.immediate, 1);
    assert_int_equal(cue.has_pts, 0);
}

/* ---- pts_adjustment --------------------------------------------------------------------- */

static void test_pts_adjustment_wraps(void **state)
{
    const int64_t wrap = INT64_C(1) << 33;
    bytes c = splice_insert(0x80 | 0x40, wrap - 100, 0);
    bytes s = section_with(0x05, &c, &none, 1000, -1);
    bytes t = time_signal(wrap - 1), d = {0};
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.pts90, 900);
    s = section_with(0x05, &c, &none, wrap - 1, -1); /* the largest adjustment */
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.pts90, wrap - 101);
    put_segmentation(&d, 0x30, 0, 0);
    s = section_with(0x06, &t, &d, 1, -1);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.pts90, 0);
}

#include "test_scte35_tests.h"

/* test_breaks.c: ad break lists (media/breaks.c): the forms --ad-breaks takes and the ones it
 * refuses, rounding to frames, merging a cue and an option on one frame, the gap and the end,
 * the canonical text a queued job carries, the one "is this the break's picture" rule, and the
 * START-DATE. */
#include <string.h>

#include "fixture.h"
#include "media.h"

static int parse(const char *list, ladder_break *b, int *n, ladder_error *err)
{
    *n = 0;
    memset(err, 0, sizeof *err);
    return ladder_breaks_parse(list, b, LADDER_MAX_BREAKS, n, err);
}

static void test_parses_seconds_clock_times_and_durations(void **state)
{
    ladder_break b[LADDER_MAX_BREAKS];
    ladder_error err;
    int n;

    (void)state;
    assert_int_equal(parse("0,13.37,01:02:03.5/90,2:05/12.25", b, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_true(b[0].time == 0 && b[0].duration == LADDER_BREAK_DURATION);
    assert_true(b[1].time > 13.3699 && b[1].time < 13.3701);
    assert_true(b[2].time > 3723.4999 && b[2].time < 3723.5001 && b[2].duration == 90);
    assert_true(b[3].time == 125 && b[3].duration == 12.25);
    assert_int_equal(b[3].source, LADDER_BREAK_OPTION);
}

static void test_refuses_what_is_not_a_break(void **state)
{
    static const char *bad[] = {"",       "-1",   "abc",    "1:75",    "1.5:30", "2/0",
                                "2/-1",   "2,,3", "2,",     "1e3",     "nan",    "0x10",
                                "2/1:00", "1.",   "2/5/zz", "2/5/0x1", " 2",     "1:2:3:4"};
    ladder_break b[LADDER_MAX_BREAKS];
    ladder_error err;
    int n;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i], b, &n, &err) != LADDER_EINVAL)
            fail_msg("'%s' was taken", bad[i]);
        assert_non_null(strstr(err.msg, "break"));
        assert_null(strchr(err.msg, '\n'));
    }
}

static void test_more_than_the_maximum_is_refused(void **state)
{
    ladder_break b[LADDER_MAX_BREAKS];
    ladder_text t = {0};
    ladder_error err;
    int n;

    (void)state;
    for (int i = 0; i <= LADDER_MAX_BREAKS; i++)
        ladder_text_printf(&t, "%s%d", i ? "," : "", 2 * i);
    assert_int_equal(parse(t.s, b, &n, &err), LADDER_EINVAL);
    assert_non_null(strstr(err.msg, "more than"));
    ladder_text_free(&t);
}

/* 29.97 fps: 7.37 s is frame 220.88, so 221, whose time is 221 * 1001 / 30000 s. */
static void test_rounds_to_the_nearest_frame_and_sorts(void **state)
{
    ladder_break b[LADDER_MAX_BREAKS];
    ladder_error err;
    int n;

    (void)state;
    assert_int_equal(parse("19.1,7.37,0", b, &n, &err), 0);
    assert_int_equal(ladder_breaks_resolve(b, &n, 30000, 1001, 22.0, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(b[0].frame, 0);
    assert_int_equal(b[1].frame, 221);
    assert_int_equal(b[1].pts, 221 * 3003);
    assert_int_equal(b[2].frame, 572);
}

static void test_a_cue_and_an_option_a_frame_apart_merge(void **state)
{
    ladder_break b[LADDER_MAX_BREAKS];
    ladder_error err;
    int n;

    (void)state;
    assert_int_equal(parse("5.01/60/0xFC3000,5/45", b, &n, &err), 0);
    b[0].source = LADDER_BREAK_SCTE35; /* as the SCTE-35 scan makes it */
    assert_int_equal(ladder_breaks_resolve(b, &n, 25, 1, 10.0, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(b[0].source, LADDER_BREAK_OPTION | LADDER_BREAK_SCTE35);
    assert_true(b[0].duration == 45); /* the editor's word wins */
    assert_int_equal(b[0].scte35_size, 3);
    assert_string_equal(ladder_break_source_name(b[0].source), "option+scte35");

    /* a frame apart: still one break, on the option's frame */
    assert_int_equal(parse("5.04/60/0xFC3000,5/45", b, &n, &err), 0);
    b[0].source = LADDER_BREAK_SCTE35;
    assert_int_equal(ladder_breaks_resolve(b, &n, 25, 1, 10.0, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(b[0].frame, 125);
    assert_int_equal(b[0].scte35_size, 3);
}

static void test_too_close_or_past_the_end_is_refused(void **state)
{
    ladder_break b[LADDER_MAX_BREAKS];
    ladder_error err;
    int n;

    (void)state;
    assert_int_equal(parse("2,2.9", b, &n, &err), 0);
    assert_int_equal(ladder_breaks_resolve(b, &n, 25, 1, 10.0, &err), LADDER_EINVAL);
    assert_non_null(strstr(err.msg, "closer than"));
    assert_int_equal(parse("2,3", b, &n, &err), 0);
    assert_int_equal(ladder_breaks_resolve(b, &n, 25, 1, 10.0, &err), 0);
    assert_int_equal(parse("10", b, &n, &err), 0);
    assert_int_equal(ladder_breaks_resolve(b, &n, 25, 1, 10.0, &err), LADDER_EINVAL);
    assert_non_null(strstr(err.msg, "past the end"));
}

static void test_the_job_text_reads_back_to_the_same_breaks(void **state)
{
    ladder_break b[LADDER_MAX_BREAKS], back[LADDER_MAX_BREAKS];
    ladder_text t = {0};
    ladder_error err;
    int n, m;

    (void)state;
    assert_int_equal(parse("0/15,7.37/20/0xFC300A,1:00:00.5", b, &n, &err), 0);
    assert_int_equal(ladder_breaks_resolve(b, &n, 24000, 1001, 4000.0, &err), 0);
    ladder_breaks_format(&t, b, n);
    assert_int_equal(parse(t.s, back, &m, &err), 0);
    assert_int_equal(ladder_breaks_resolve(back, &m, 24000, 1001, 4000.0, &err), 0);
    assert_int_equal(m, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(back[i].frame, b[i].frame);
        assert_int_equal(back[i].pts, b[i].pts);
        assert_true(back[i].duration == b[i].duration);
        assert_int_equal(back[i].scte35_size, b[i].scte35_size);
        assert_memory_equal(back[i].scte35, b[i].scte35, b[i].scte35_size);
    }
    ladder_text_free(&t);
}

/* The picture at or after half a frame before the break is the break's, once; a jump past two
 * breaks reaches both at once. */
static void test_reached_once_at_the_breaks_picture(void **state)
{
    ladder_plan plan = {.src_fps_num = 25, .src_fps_den = 1, .n_breaks = 3};
    int next = 0;

    (void)state;
    plan.breaks[0].pts = 3600 * 10;
    plan.breaks[1].pts = 3600 * 50;
    plan.breaks[2].pts = 3600 * 51;
    assert_false(ladder_break_reached(&plan, &next, 3600 * 9));
    assert_false(ladder_break_reached(&plan, &next, 3600 * 10 - 1801));
    assert_true(ladder_break_reached(&plan, &next, 3600 * 10 - 1800));
    assert_false(ladder_break_reached(&plan, &next, 3600 * 11));
    assert_true(ladder_break_reached(&plan, &next, 3600 * 60));
    assert_int_equal(next, 3);
    assert_false(ladder_break_reached(&plan, &next, 3600 * 70));
}

static void test_start_date_is_the_epoch_plus_the_frame_time(void **state)
{
    ladder_break b = {.pts = (int64_t)(3 * 3600 + 25 * 60 + 7) * 90000 + 33363};
    char date[40], id[LADDER_BREAK_ID_MAX];

    (void)state;
    ladder_break_start_date(&b, date, sizeof date);
    assert_string_equal(date, "2000-01-01T03:25:07.371Z");
    b.pts = (int64_t)86400 * 90000;
    ladder_break_start_date(&b, date, sizeof date);
    assert_string_equal(date, "2000-01-02T00:00:00.000Z");
    ladder_break_id(0, id, sizeof id);
    assert_string_equal(id, "break-1");
}

#include "test_breaks_tests.h"

/* test_plan.c: the transcoder's decisions, without media: which rungs a source gets and at
 * what size, which frame rate each rung runs at, where the IDRs fall, and how CEA-608 bytes
 * are paced into each rendition. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tc_internal.h"

static void test_fit_exact_16x9(void **state)
{
    int w, h;
    (void)state;
    assert_int_equal(tc_fit_rung(1280, 720, 1920, 1080, &w, &h), 1);
    assert_int_equal(w, 1280);
    assert_int_equal(h, 720);
    /* 848x480 is within 1% of 16:9 and keeps its box */
    assert_int_equal(tc_fit_rung(848, 480, 1920, 1080, &w, &h), 1);
    assert_int_equal(w, 848);
    assert_int_equal(h, 480);
}

static void test_fit_4x3_is_pillarboxed_by_size(void **state)
{
    int w, h;
    (void)state;
    assert_int_equal(tc_fit_rung(640, 360, 1440, 1080, &w, &h), 1);
    assert_int_equal(w, 480);
    assert_int_equal(h, 360);
}

static void test_fit_never_upscales(void **state)
{
    int w, h;
    (void)state;
    assert_int_equal(tc_fit_rung(1280, 720, 640, 360, &w, &h), 0);
    /* within 5%: kept at the source size, rounded down to even */
    assert_int_equal(tc_fit_rung(1280, 720, 1279, 719, &w, &h), 1);
    assert_int_equal(w, 1278);
    assert_int_equal(h, 718);
}

static void test_fit_portrait_turns_box(void **state)
{
    int w, h;
    (void)state;
    assert_int_equal(tc_fit_rung(1920, 1080, 1080, 1920, &w, &h), 1);
    assert_int_equal(w, 1080);
    assert_int_equal(h, 1920);
    assert_int_equal(tc_fit_rung(640, 360, 1080, 1920, &w, &h), 1);
    assert_int_equal(w, 360);
    assert_int_equal(h, 640);
}

static void test_fps_caps(void **state)
{
    (void)state;
    assert_int_equal(tc_fps_divisor(30000.0 / 1001, 30, 416, 234, 30), 1);
    assert_int_equal(tc_fps_divisor(30, 30, 416, 234, 30), 1);
    assert_int_equal(tc_fps_divisor(60, 30, 416, 234, 30), 2);
    assert_int_equal(tc_fps_divisor(60000.0 / 1001, 30, 416, 234, 30), 2);
    assert_int_equal(tc_fps_divisor(50, 30, 640, 360, 30), 2);
    assert_int_equal(tc_fps_divisor(25, 30, 640, 360, 30), 1);
    /* no max-fps: the level decides. 720p60 needs more than level 3.1 allows, 4.0 is enough */
    assert_int_equal(tc_fps_divisor(60, 0, 1280, 720, 31), 2);
    assert_int_equal(tc_fps_divisor(60, 0, 1280, 720, 40), 1);
    assert_int_equal(tc_fps_divisor(60, 0, 1920, 1080, 40), 2);
    assert_int_equal(tc_fps_divisor(30, 0, 1920, 1080, 40), 1);
}

/* At 29.97 fps the first frame at or after each 2 s mark is frame 60, 120, 180, then 1799
 * at 60 s (frame 1798 is at 59.993 s). */
static void test_idr_schedule_ntsc(void **state)
{
    int64_t next = INT64_MIN;
    int idrs[2000], n = 0;
    (void)state;
    for (int i = 0; i < 1900; i++)
        if (tc_idr_decide(av_rescale(i, 1001 * 90000, 30000), 180000, &next))
            idrs[n++] = i;
    assert_int_equal(idrs[0], 0);
    assert_int_equal(idrs[1], 60);
    assert_int_equal(idrs[2], 120);
    assert_int_equal(idrs[3], 180);
    assert_int_equal(idrs[30], 1799);
    assert_int_equal(n, 32);
}

/* Variable frame rate: IDRs follow time, not frame counts; a gap over a mark yields one IDR. */
static void test_idr_schedule_vfr(void **state)
{
    int64_t next = INT64_MIN;
    const int64_t pts[] = {0, 3000, 90000, 179000, 181000, 200000, 600000, 610000, 720000};
    const int want[] = {1, 0, 0, 0, 1, 0, 1, 0, 1};
    (void)state;
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
        assert_int_equal(tc_idr_decide(pts[i], 180000, &next), want[i]);
}

static tc_source_info source(int w, int h, int fps_num, int fps_den, int audio)
{
    tc_source_info s = {.width = w,
                        .height = h,
                        .sar_num = 1,
                        .sar_den = 1,
                        .fps_num = fps_num,
                        .fps_den = fps_den,
                        .has_audio = audio,
                        .audio_sample_rate = 48000};
    return s;
}

/* Plans the built-in pbs16 for src; fails the test if planning fails. */
static void plan_pbs16(const tc_source_info *src, prof_ladder *l, ladder_plan *plan, int *div)
{
    assert_int_equal(prof_load_default(l, NULL), 0);
    assert_int_equal(tc_make_plan(l, src, plan, div, NULL), 0);
}

static void test_plan_full_ladder_from_1080p(void **state)
{
    prof_ladder l;
    ladder_plan plan;
    int div[LADDER_MAX_STREAMS];
    tc_source_info src = source(1920, 1080, 30000, 1001, 1);
    (void)state;
    plan_pbs16(&src, &l, &plan, div);
    assert_int_equal(plan.n_video, 16);
    assert_int_equal(plan.n_audio, 2);
    assert_int_equal(plan.n_skipped, 0);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(plan.streams[i].width, l.rungs[i].width);
        assert_int_equal(plan.streams[i].height, l.rungs[i].height);
        assert_int_equal(div[i], 1);
        assert_int_equal(plan.streams[plan.streams[i].audio_stream].bitrate_kbps,
                         l.rungs[i].audio_kbps);
    }
}

static void test_plan_small_source_skips_large_rungs(void **state)
{
    prof_ladder l;
    ladder_plan plan;
    int div[LADDER_MAX_STREAMS];
    tc_source_info src = source(640, 360, 25, 1, 0);
    (void)state;
    plan_pbs16(&src, &l, &plan, div);
    /* hls 234p, 270p, 360p x2 and mp4 180p, 360p */
    assert_int_equal(plan.n_video, 6);
    assert_int_equal(plan.n_audio, 0);
    assert_int_equal(plan.n_skipped, 10);
    for (int i = 0; i < plan.n_video; i++) {
        assert_true(plan.streams[i].height <= 360);
        assert_int_equal(plan.streams[i].audio_stream, -1);
    }
}

static void test_plan_tiny_source_keeps_one_rung_per_use(void **state)
{
    prof_ladder l;
    ladder_plan plan;
    int div[LADDER_MAX_STREAMS];
    tc_source_info src = source(176, 144, 15, 1, 1);
    (void)state;
    plan_pbs16(&src, &l, &plan, div);
    assert_int_equal(plan.n_video, 2);
    assert_string_equal(plan.streams[0].name, "hls-234p-145");
    assert_string_equal(plan.streams[1].name, "mp4-180p-250");
    for (int i = 0; i < 2; i++) {
        assert_true(plan.streams[i].width <= 176 && plan.streams[i].height <= 144);
        assert_int_equal(plan.streams[i].width % 2, 0);
        assert_int_equal(plan.streams[i].height % 2, 0);
    }
}

/* Without audio there is no audio-only variant, so one HLS rung would make a one-variant
 * show; that is refused before encoding, naming the cause. */
static void test_plan_silent_source_needs_two_hls_rungs(void **state)
{
    prof_ladder l;
    ladder_plan plan;
    int div[LADDER_MAX_STREAMS];
    ladder_error err = {0};
    tc_source_info src = source(176, 144, 15, 1, 0);
    (void)state;
    assert_int_equal(prof_load_default(&l, NULL), 0);
    assert_int_equal(tc_make_plan(&l, &src, &plan, div, &err), LADDER_EINPUT);
    assert_non_null(strstr(err.msg, "no audio"));
    assert_non_null(strstr(err.msg, "two HLS variants"));
}

/* An MP4 track with a time scale of 0 reads as 1/512 fps; 0 fps has no use either. */
static void test_plan_refuses_frame_rate_under_one(void **state)
{
    prof_ladder l;
    ladder_plan plan;
    int div[LADDER_MAX_STREAMS];
    ladder_error err = {0};
    tc_source_info slow = source(640, 360, 1, 512, 1), zero = source(640, 360, 0, 1, 1);
    (void)state;
    assert_int_equal(prof_load_default(&l, NULL), 0);
    assert_int_equal(tc_make_plan(&l, &slow, &plan, div, &err), LADDER_EINPUT);
    assert_non_null(strstr(err.msg, "timing is damaged"));
    assert_int_equal(tc_make_plan(&l, &zero, &plan, div, &err), LADDER_EINPUT);
}

static void test_plan_anamorphic_uses_display_aspect(void **state)
{
    prof_ladder l;
    ladder_plan plan;
    int div[LADDER_MAX_STREAMS];
    tc_source_info src = source(1440, 1080, 25, 1, 1);
    (void)state;
    src.sar_num = 4;
    src.sar_den = 3;
    plan_pbs16(&src, &l, &plan, div);
    assert_int_equal(plan.n_video, 16);
    assert_int_equal(plan.streams[10].width, 1920);
    assert_int_equal(plan.streams[10].height, 1080);
}

static void test_plan_60fps_halves_capped_rungs(void **state)
{
    prof_ladder l;
    ladder_plan plan;
    int div[LADDER_MAX_STREAMS];
    tc_source_info src = source(1920, 1080, 60, 1, 1);
    (void)state;
    plan_pbs16(&src, &l, &plan, div);
    for (int i = 0; i < 4; i++) /* max-fps 30 */
        assert_int_equal(div[i], 2);
    assert_int_equal(div[8], 2);  /* 720p at level 3.1 */
    assert_int_equal(div[9], 1);  /* 720p at level 4.0 runs at 60 */
    assert_int_equal(div[10], 2); /* 1080p at level 4.0 */
    assert_int_equal(plan.streams[0].fps_num, 60);
    assert_int_equal(plan.streams[0].fps_den, 2);
}

static void test_plan_audio_rate(void **state)
{
    prof_ladder l;
    ladder_plan plan;
    int div[LADDER_MAX_STREAMS];
    tc_source_info src = source(1920, 1080, 25, 1, 1);
    (void)state;
    assert_int_equal(prof_load_default(&l, NULL), 0);
    src.audio_sample_rate = 44100;
    assert_int_equal(tc_make_plan(&l, &src, &plan, div, NULL), 0);
    assert_int_equal(plan.streams[16].sample_rate, 44100);
    assert_int_equal(plan.streams[16].channels, 2);
    src.audio_sample_rate = 22050;
    assert_int_equal(tc_make_plan(&l, &src, &plan, div, NULL), 0);
    assert_int_equal(plan.streams[16].sample_rate, 48000);
}

/* ---- CEA-608 pacing (cc.c) ------------------------------------------------------------------- */

/* A 59.94 source's pictures each carry one 608 triplet (fields 1 and 2 in turn); a 29.97
 * rendition keeps every other picture and must carry both triplets of the two, in order,
 * then 708 padding up to cc_count 20. */
static void test_cc_repaced_60_to_30(void **state)
{
    tc_cc_fifo f;
    uint8_t out[3 * 31];
    const uint8_t a[3] = {0xfc, 0xc8, 0xe5}, b[3] = {0xfd, 0x80, 0x80};

    (void)state;
    assert_int_equal(tc_cc_fifo_init(&f, 30000, 1001), 1);
    assert_int_equal(tc_cc_fifo_take(&f, out), 0); /* nothing seen: no bytes at all */
    tc_cc_fifo_put(&f, a, 3);
    tc_cc_fifo_put(&f, b, 3);
    assert_int_equal(tc_cc_fifo_take(&f, out), 60);
    assert_memory_equal(out, a, 3);
    assert_memory_equal(out + 3, b, 3);
    for (int i = 2; i < 20; i++)
        assert_int_equal(out[3 * i], 0xfa);
    /* nothing queued: null pairs for both fields keep the 608 pace */
    assert_int_equal(tc_cc_fifo_take(&f, out), 60);
    assert_int_equal(out[0], 0xfc);
    assert_int_equal(out[3], 0xfd);
    assert_int_equal(out[1], 0x80);
}

/* Only the paced rates carry 608; 25 fps and 15 fps (cc_count 40 > 31) do not. */
static void test_cc_rates(void **state)
{
    tc_cc_fifo f;
    uint8_t out[3 * 31];
    const uint8_t a[3] = {0xfc, 0xc8, 0xe5};

    (void)state;
    assert_int_equal(tc_cc_fifo_init(&f, 60000, 2002), 1); /* 29.97, unreduced */
    assert_int_equal(f.cc_count, 20);
    assert_int_equal(tc_cc_fifo_init(&f, 24000, 1001), 1);
    assert_int_equal(f.n608, 3);
    assert_int_equal(tc_cc_fifo_init(&f, 60, 1), 1);
    assert_int_equal(f.cc_count, 10);
    assert_int_equal(tc_cc_fifo_init(&f, 25, 1), 0);
    tc_cc_fifo_put(&f, a, 3);
    assert_int_equal(tc_cc_fifo_take(&f, out), 0);
    assert_int_equal(tc_cc_fifo_init(&f, 15, 1), 0);
}

/* A source carrying more than its rate allows overflows the queue: counted, never grown. */
static void test_cc_overflow(void **state)
{
    tc_cc_fifo f;
    uint8_t burst[3 * 200];

    (void)state;
    for (int i = 0; i < 200; i++)
        memcpy(burst + 3 * i, (const uint8_t[]){0xfc, 0x80, 0x80}, 3);
    tc_cc_fifo_init(&f, 30, 1);
    tc_cc_fifo_put(&f, burst, sizeof burst);
    assert_int_equal(f.n608_queued, TC_CC_QUEUE_MAX);
    assert_int_equal(f.dropped, 200 - TC_CC_QUEUE_MAX);
}

/* ATSC A/53 Part 4: T.35 USA, ATSC, "GA94", cc_data type 3, flags and count, em_data, the
 * triplets, marker bits. */
static void test_cc_sei_payload(void **state)
{
    const uint8_t cc[6] = {0xfc, 0xc8, 0xe5, 0xfd, 0x80, 0x80};
    const uint8_t want[] = {0xb5, 0x00, 0x31, 'G',  'A',  '9',  '4',  0x03, 0x42,
                            0xff, 0xfc, 0xc8, 0xe5, 0xfd, 0x80, 0x80, 0xff};
    int size = 0;
    uint8_t *p = tc_a53_sei_payload(cc, 6, &size);

    (void)state;
    assert_non_null(p);
    assert_int_equal(size, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    free(p);
    assert_null(tc_a53_sei_payload(cc, 0, &size));
}

#include "test_plan_tests.h"

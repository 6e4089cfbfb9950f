/* test_profiles.c: good profiles (profiles/): pbs16 from its file and built in, defaults,
 * fractional GOPs, the limits, per-title bounds, the round trip through prof_format_xml, and
 * the lookup helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prof_test.h"

static const char *const pbs16_names[16] = {
    "hls-234p-145",  "hls-270p-300",  "hls-360p-365",   "hls-360p-600",
    "hls-432p-730",  "hls-432p-1100", "hls-540p-1600",  "hls-540p-2000",
    "hls-720p-3000", "hls-720p-3800", "hls-1080p-4500", "mp4-180p-250",
    "mp4-360p-500",  "mp4-480p-900",  "mp4-720p-1800",  "mp4-1080p-3500",
};

static void assert_rung(const prof_rung *r, const char *name, prof_use use, int w, int h, int kbps,
                        int maxrate, int bufsize, const char *profile, int level, int audio,
                        int fps)
{
    assert_string_equal(r->name, name);
    assert_int_equal(r->use, use);
    assert_int_equal(r->width, w);
    assert_int_equal(r->height, h);
    assert_int_equal(r->video_kbps, kbps);
    assert_int_equal(r->maxrate_kbps, maxrate);
    assert_int_equal(r->bufsize_kbps, bufsize);
    assert_string_equal(r->h264_profile, profile);
    assert_int_equal(r->level_idc, level);
    assert_int_equal(r->audio_kbps, audio);
    assert_int_equal(r->max_fps, fps);
}

/* Checks l is pbs16 as profiles/pbs16.xml describes it. */
static void assert_pbs16(const prof_ladder *l)
{
    int i;

    assert_string_equal(l->name, "pbs16");
    assert_string_equal(l->preset, "veryfast");
    assert_true(l->gop_seconds == 2.0);
    assert_true(l->segment_seconds == 6.0);
    assert_int_equal(l->container, PROF_CONTAINER_TS);
    assert_int_equal(l->audio_channels, 2);
    assert_int_equal(l->n_rungs, 16);
    for (i = 0; i < 16; i++) {
        assert_string_equal(l->rungs[i].name, pbs16_names[i]);
        assert_int_equal(l->rungs[i].use, i < 11 ? PROF_USE_HLS : PROF_USE_MP4);
    }
    assert_rung(&l->rungs[0], "hls-234p-145", PROF_USE_HLS, 416, 234, 145, 218, 290, "baseline", 30,
                64, 30);
    assert_rung(&l->rungs[6], "hls-540p-1600", PROF_USE_HLS, 960, 540, 1600, 2400, 3200, "high", 31,
                128, 0);
    assert_rung(&l->rungs[9], "hls-720p-3800", PROF_USE_HLS, 1280, 720, 3800, 5700, 7600, "high",
                40, 128, 0);
    assert_rung(&l->rungs[10], "hls-1080p-4500", PROF_USE_HLS, 1920, 1080, 4500, 6750, 9000, "high",
                40, 128, 0);
    assert_rung(&l->rungs[13], "mp4-480p-900", PROF_USE_MP4, 848, 480, 900, 1350, 1800, "baseline",
                31, 128, 0);
    assert_rung(&l->rungs[15], "mp4-1080p-3500", PROF_USE_MP4, 1920, 1080, 3500, 5250, 7000, "main",
                40, 128, 0);
}

static void test_pbs16_file(void **state)
{
    prof_ladder l;
    ladder_error err = {0};

    (void)state;
    assert_int_equal(prof_load(PBS16_PATH, &l, &err), 0);
    assert_pbs16(&l);
}

static void test_default_is_pbs16(void **state)
{
    prof_ladder l;
    ladder_error err = {0};

    (void)state;
    assert_int_equal(prof_load_default(&l, &err), 0);
    assert_pbs16(&l);
}

/* The built-in text is byte for byte the file, and loads into the same ladder. */
static void test_default_equals_file(void **state)
{
    prof_ladder from_file, built_in;
    char buf[1 << 16];
    FILE *f = fopen(PBS16_PATH, "rb");
    size_t n;
    int i;

    (void)state;
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_int_equal(n, prof_default_xml_len);
    assert_memory_equal(buf, prof_default_xml, n);

    assert_int_equal(prof_load(PBS16_PATH, &from_file, NULL), 0);
    assert_int_equal(prof_load_default(&built_in, NULL), 0);
    assert_string_equal(from_file.name, built_in.name);
    assert_string_equal(from_file.preset, built_in.preset);
    assert_true(from_file.gop_seconds == built_in.gop_seconds);
    assert_true(from_file.segment_seconds == built_in.segment_seconds);
    assert_int_equal(from_file.container, built_in.container);
    assert_int_equal(from_file.audio_channels, built_in.audio_channels);
    assert_int_equal(from_file.n_rungs, built_in.n_rungs);
    for (i = 0; i < from_file.n_rungs; i++) {
        const prof_rung *r = &built_in.rungs[i];
        assert_rung(&from_file.rungs[i], r->name, r->use, r->width, r->height, r->video_kbps,
                    r->maxrate_kbps, r->bufsize_kbps, r->h264_profile, r->level_idc, r->audio_kbps,
                    r->max_fps);
    }
}

static void test_good_memory_and_defaults(void **state)
{
    static const char xml[] = L1 "<ladder xmlns=\"urn:ladder:profile:1\" name=\"t\">\n" L3 L4 L5;
    prof_ladder l;
    ladder_error err = {0};

    (void)state;
    assert_int_equal(prof_load_memory(good_xml, strlen(good_xml), "t.xml", &l, &err), 0);
    assert_int_equal(l.n_rungs, 2);
    assert_int_equal(prof_load_memory(xml, strlen(xml), "t.xml", &l, &err), 0);
    assert_string_equal(l.preset, "veryfast");
    assert_true(l.gop_seconds == 2.0);
    assert_true(l.segment_seconds == 6.0);
    assert_int_equal(l.container, PROF_CONTAINER_TS);
    assert_int_equal(l.audio_channels, 2);
    assert_int_equal(l.rungs[1].max_fps, 0);
}

/* Fractional GOPs are compared exactly: 6.006 s is six 1.001 s GOPs. */
static void test_fractional_gop(void **state)
{
    static const char xml[] = L1 "<ladder xmlns=\"urn:ladder:profile:1\" name=\"t\" "
                                 "gop-seconds=\"1.001\" segment-seconds=\"6.006\" "
                                 "container=\"fmp4\" audio-channels=\"1\" preset=\"slow\">\n" L3 L5;
    static const char bad[] = L1 "<ladder xmlns=\"urn:ladder:profile:1\" name=\"t\" "
                                 "gop-seconds=\"1.001\" segment-seconds=\"6.005\">\n" L3 L5;
    prof_ladder l;
    ladder_error err = {0};

    (void)state;
    assert_int_equal(prof_load_memory(xml, strlen(xml), "t.xml", &l, &err), 0);
    assert_true(l.gop_seconds == 1.001);
    assert_true(l.segment_seconds == 6.006);
    assert_int_equal(l.container, PROF_CONTAINER_FMP4);
    assert_int_equal(l.audio_channels, 1);
    assert_string_equal(l.preset, "slow");
    expect_bad(bad, 2, "not a whole multiple");
}

/* The limits themselves pass: level 4.0's 8192 macroblocks, High's 5/4 of 10000 at level 3.0. */
static void test_level_limits_inclusive(void **state)
{
    static const char xml[] =
        L1 L2 RUNG("a", SIZE_RATES("1920", "1088", "3000", "4500", "25000", "main", "4.0"))
            RUNG("b", SIZE_RATES("640", "360", "600", "12500", "12500", "high", "3.0"))
                RUNG("c", SIZE_RATES("640", "360", "600", "10000", "10000", "baseline", "3.0"))
                    RUNG("d", SIZE_RATES("1280", "720", "600", "900", "1200", "high",
                                         "3.1") " max-fps=\"30\"") L5;
    prof_ladder l;
    ladder_error err = {0};

    (void)state;
    if (prof_load_memory(xml, strlen(xml), "t.xml", &l, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(l.n_rungs, 4);
}

/* Writes a profile with n rungs (r1..rN, one per line from line 3) into buf. */
static void make_rungs(char *buf, size_t size, int n)
{
    static const char rung_fmt[] = "  <rung name=\"r%d\" use=\"mp4\" " SIZE_RATES(
        "320", "180", "250", "375", "500", "baseline", "3.0") " audio-kbps=\"64\"/>\n";
    size_t len = (size_t)snprintf(buf, size, "%s", L1 L2);
    int i;

    for (i = 1; i <= n; i++)
        len += (size_t)snprintf(buf + len, size - len, rung_fmt, i);
    snprintf(buf + len, size - len, "%s", L5);
}

/* 32 rungs is the most (PROF_MAX_RUNGS); the schema refuses the 33rd at its line. */
static void test_rung_count_limit(void **state)
{
    static char xml[64 * 1024];
    prof_ladder l;
    ladder_error err = {0};

    (void)state;
    make_rungs(xml, sizeof xml, PROF_MAX_RUNGS);
    assert_int_equal(prof_load_memory(xml, strlen(xml), "t.xml", &l, &err), 0);
    assert_int_equal(l.n_rungs, PROF_MAX_RUNGS);
    assert_string_equal(l.rungs[PROF_MAX_RUNGS - 1].name, "r32");
    assert_int_equal(l.rungs[0].use, PROF_USE_MP4);
    make_rungs(xml, sizeof xml, PROF_MAX_RUNGS + 1);
    expect_bad(xml, 3 + PROF_MAX_RUNGS, "rung");
}

/* Seconds may be written with surrounding spaces (xs:decimal collapses them). */
static void test_seconds_whitespace(void **state)
{
    static const char xml[] = L1 "<ladder xmlns=\"urn:ladder:profile:1\" name=\"t\" "
                                 "gop-seconds=\" 1.5 \" segment-seconds=\"\t4.5\">\n" L3 L5;
    prof_ladder l;
    ladder_error err = {0};

    (void)state;
    assert_int_equal(prof_load_memory(xml, strlen(xml), "t.xml", &l, &err), 0);
    assert_true(l.gop_seconds == 1.5);
    assert_true(l.segment_seconds == 4.5);
}

/* pbs16 says nothing of per-title: every bound is the default, and the step rule leaves every
 * HLS rung a bitrate. */
static void test_pbs16_per_title_defaults(void **state)
{
    double lo[PROF_MAX_RUNGS], hi[PROF_MAX_RUNGS];
    prof_ladder l;
    int i;

    (void)state;
    assert_int_equal(prof_load(PBS16_PATH, &l, NULL), 0);
    assert_true(l.pt_psnr_max == 45.0);
    assert_true(l.pt_step_min == 1.15);
    assert_true(l.pt_step_max == 2.0);
    for (i = 0; i < l.n_rungs; i++) {
        const prof_rung *r = &l.rungs[i];
        assert_int_equal(r->pt_min_kbps, (r->video_kbps + 4) / 5);
        assert_int_equal(r->pt_max_kbps, r->video_kbps);
        assert_int_equal(r->pt_fixed_size, r->use == PROF_USE_MP4);
    }
    assert_int_equal(l.rungs[0].pt_min_kbps, 29);
    assert_int_equal(l.rungs[10].pt_max_kbps, 4500);
    assert_int_equal(prof_per_title_check(&l, lo, hi), -1);
    for (i = 0; i < 11; i++)
        assert_true(lo[i] <= hi[i]);
}

/* Every per-title attribute read as written; the kbps defaults follow video-kbps, rounded up. */
static void test_per_title_attributes(void **state)
{
    static const char xml[] =
        L1 L2_ATTRS(" per-title-psnr-max=\" 40.5 \" per-title-step-min=\"1.2\" "
                    "per-title-step-max=\"1.875\"") RATE_RUNG("a", "601", "900", "1200", "")
            RATE_RUNG("b", "1200", "1800", "2400",
                      " per-title-min-kbps=\"700\" per-title-max-kbps=\"2500\" "
                      "per-title-size=\"fixed\"")
                RATE_RUNG("c", "2000", "3000", "4000", " per-title-size=\"free\"")
                    MP4_RUNG("m", SIZE_RATES("640", "360", "500", "750", "1000", "baseline",
                                             "3.0") " per-title-size=\"fixed\"") L5;
    prof_ladder l;

    (void)state;
    expect_good(xml, &l);
    assert_true(l.pt_psnr_max == 40.5);
    assert_true(l.pt_step_min == 1.2);
    assert_true(l.pt_step_max == 1.875);
    assert_int_equal(l.rungs[0].pt_min_kbps, 121);
    assert_int_equal(l.rungs[0].pt_max_kbps, 601);
    assert_int_equal(l.rungs[0].pt_fixed_size, 0);
    assert_int_equal(l.rungs[1].pt_min_kbps, 700);
    assert_int_equal(l.rungs[1].pt_max_kbps, 2500);
    assert_int_equal(l.rungs[1].pt_fixed_size, 1);
    assert_int_equal(l.rungs[2].pt_fixed_size, 0);
    assert_int_equal(l.rungs[3].pt_fixed_size, 1);
}

/* The other side of each per-title limit passes: step-min 1.05, step-max 2, min == max, the
 * level's VBV reached exactly at the ceiling, and a floor the next rung's ceiling just allows. */
static void test_per_title_limits_inclusive(void **state)
{
    static const char steps[] =
        L1 L2_ATTRS(" per-title-step-min=\"1.05\" per-title-step-max=\"2\"") L3 L4 L5;
    static const char close_steps[] =
        L1 L2_ATTRS(" per-title-step-min=\"1.999\" per-title-step-max=\"2\"") L3 L4 L5;
    static const char psnr[] = L1 L2_ATTRS(" per-title-psnr-max=\"70\"") L3 L5;
    static const char min_is_max[] = L1 L2 RATE_RUNG("a", "600", "900", "1200",
                                                     " per-title-min-kbps=\"500\" "
                                                     "per-title-max-kbps=\"500\"") L5;
    /* maxrate 1200 of 600 at 5000 kbps: 10000, Main 3.0's limit; bufsize 6000 of 3000 at 8750:
     * 17500, High 3.1's */
    static const char vbv[] =
        L1 L2 RATE_RUNG("a", "600", "1200", "600", " per-title-max-kbps=\"5000\"")
            RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high",
                                 "3.1") " per-title-max-kbps=\"8750\"") L5;
    static const char chain[] =
        L1 L2 L3 RATE_RUNG("b", "1000", "1500", "2000", " per-title-min-kbps=\"861\"")
            RATE_RUNG("c", "2000", "3000", "4000", " per-title-max-kbps=\"1000\"") L5;
    double lo[PROF_MAX_RUNGS], hi[PROF_MAX_RUNGS];
    prof_ladder l;

    (void)state;
    expect_good(steps, &l);
    assert_true(l.pt_step_min == 1.05);
    expect_good(close_steps, &l);
    expect_good(psnr, &l);
    assert_true(l.pt_psnr_max == 70.0);
    expect_good(min_is_max, &l);
    expect_good(vbv, &l);
    expect_good(chain, &l);
    /* what is left: b at exactly its floor, c at its ceiling */
    assert_int_equal(prof_per_title_check(&l, lo, hi), -1);
    assert_true(lo[1] == 861 && hi[1] == 861); /* whole kbps */
    assert_true(hi[2] == 1000 && lo[2] <= 1000);
}

/* Each field of a and b, compared as memory: doubles bit for bit. */
static void assert_ladder_equal(const prof_ladder *a, const prof_ladder *b)
{
#define SAME(f) assert_memory_equal(&a->f, &b->f, sizeof a->f)
    int i;

    SAME(name);
    SAME(preset);
    SAME(gop_seconds);
    SAME(segment_seconds);
    SAME(container);
    SAME(thumbnails_off);
    SAME(audio_channels);
    SAME(pt_psnr_max);
    SAME(pt_step_min);
    SAME(pt_step_max);
    SAME(n_rungs);
    for (i = 0; i < PROF_MAX_RUNGS; i++) {
        SAME(rungs[i].name);
        SAME(rungs[i].use);
        SAME(rungs[i].width);
        SAME(rungs[i].height);
        SAME(rungs[i].video_kbps);
        SAME(rungs[i].maxrate_kbps);
        SAME(rungs[i].bufsize_kbps);
        SAME(rungs[i].h264_profile);
        SAME(rungs[i].level_idc);
        SAME(rungs[i].audio_kbps);
        SAME(rungs[i].max_fps);
        SAME(rungs[i].pt_min_kbps);
        SAME(rungs[i].pt_max_kbps);
        SAME(rungs[i].pt_fixed_size);
    }
#undef SAME
}

/* in through prof_format_xml and prof_load_memory gives in back, and writing that again gives
 * the same text. */
static void assert_round_trip(const prof_ladder *in)
{
    ladder_text t = {0}, again = {0};
    prof_ladder out;
    ladder_error err = {0};

    prof_format_xml(in, &t);
    assert_false(t.failed);
    assert_non_null(t.s);
    memset(&out, 0xA5, sizeof out);
    if (prof_load_memory(t.s, t.len, "formatted.xml", &out, &err) != 0)
        fail_msg("%s\n%s", err.msg, t.s);
    assert_ladder_equal(in, &out);
    prof_format_xml(&out, &again);
    assert_false(again.failed);
    assert_string_equal(t.s, again.s);
    ladder_text_free(&t);
    ladder_text_free(&again);
}

static void test_format_round_trip_pbs16(void **state)
{
    prof_ladder l;

    (void)state;
    assert_int_equal(prof_load_default(&l, NULL), 0);
    assert_round_trip(&l);
}

/* Nothing at its default: fMP4, no thumbnails, mono, a fractional GOP, frame-rate caps, and
 * per-title bounds of every kind. */
static void test_format_round_trip_non_default(void **state)
{
    static const char xml[] =
        L1 "<ladder xmlns=\"urn:ladder:profile:1\" name=\"odd.one_2\" preset=\"slow\" "
           "gop-seconds=\"1.001\" segment-seconds=\"6.006\" container=\"fmp4\" "
           "thumbnails=\"off\" audio-channels=\"1\" per-title-psnr-max=\"42.125\" "
           "per-title-step-min=\"1.333\" per-title-step-max=\"1.999\">\n" RUNG(
               "a", SIZE_RATES("416", "234", "145", "218", "290", "baseline",
                               "3.0") " max-fps=\"30\" per-title-min-kbps=\"100\"")
               RUNG("b", SIZE_RATES("1280", "720", "900", "1350", "1800", "high",
                                    "3.1") " per-title-max-kbps=\"1100\" per-title-size=\"fixed\"")
                   MP4_RUNG("m", SIZE_RATES("848", "480", "900", "1350", "1800", "baseline",
                                            "3.1") " per-title-min-kbps=\"450\" "
                                                   "per-title-max-kbps=\"1200\"") L5;
    prof_ladder l;

    (void)state;
    expect_good(xml, &l);
    assert_true(l.gop_seconds == 1.001);
    assert_true(l.pt_step_min == 1.333);
    assert_int_equal(l.thumbnails_off, 1);
    assert_round_trip(&l);
}

/* Every thousandth reads back bit for bit: step ratios from 1.05 to 2, PSNRs from 36.75 to 70,
 * GOPs from 1.05 to 2 s with segments of six GOPs. One HLS rung, so no step rule applies. */
static void test_format_round_trip_decimals(void **state)
{
    static const char xml[] = L1 L2 L3 L5;
    prof_ladder l;
    int ms;

    (void)state;
    expect_good(xml, &l);
    for (ms = 1050; ms < 2000; ms++) {
        l.pt_step_min = ms / 1000.0;
        l.pt_step_max = (ms + 1) / 1000.0;
        l.pt_psnr_max = (ms * 35) / 1000.0;
        l.gop_seconds = ms / 1000.0;
        l.segment_seconds = (ms * 6) / 1000.0;
        assert_round_trip(&l);
    }
}

static void test_format_null(void **state)
{
    ladder_text t = {0};
    prof_ladder l;

    (void)state;
    assert_int_equal(prof_load_default(&l, NULL), 0);
    prof_format_xml(NULL, &t);
    assert_null(t.s);
    prof_format_xml(&l, NULL);
}

static void test_find_rung(void **state)
{
    prof_ladder l;
    const prof_rung *r;

    (void)state;
    assert_int_equal(prof_load_default(&l, NULL), 0);
    r = prof_find_rung(&l, "hls-720p-3800");
    assert_non_null(r);
    assert_ptr_equal(r, &l.rungs[9]);
    assert_int_equal(r->maxrate_kbps, 5700);
    assert_ptr_equal(prof_find_rung(&l, "mp4-1080p-3500"), &l.rungs[15]);
    assert_null(prof_find_rung(&l, "hls-720p"));
    assert_null(prof_find_rung(&l, ""));
    assert_null(prof_find_rung(&l, NULL));
    assert_null(prof_find_rung(NULL, "hls-720p-3800"));
}

static void test_profile_idc(void **state)
{
    (void)state;
    assert_int_equal(ladder_h264_profile_idc("baseline"), 66);
    assert_int_equal(ladder_h264_profile_idc("main"), 77);
    assert_int_equal(ladder_h264_profile_idc("high"), 100);
    assert_int_equal(ladder_h264_profile_idc("High"), 0);
    assert_int_equal(ladder_h264_profile_idc("high10"), 0);
    assert_int_equal(ladder_h264_profile_idc(""), 0);
    assert_int_equal(ladder_h264_profile_idc(NULL), 0);
}

#include "test_profiles_tests.h"

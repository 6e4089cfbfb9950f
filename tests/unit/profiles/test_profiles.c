/* test_profiles.c: good profiles (profiles/): pbs16 from its file and built in, defaults,
 * fractional GOPs, the limits, and the lookup helpers. */
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

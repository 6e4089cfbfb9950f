/* test_reader.c: reading ahead (validator/reader.c): a show validated with its variant's
 * segments read as they were written gives val_validate's report, and a reader is not trusted
 * when a segment changed after it was read or when it missed one. The show: one video variant
 * of three TS segments cut by ffmpeg's HLS muxer at test time, under a master playlist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "val_test.h"

#define UNIT_SETUP    fx_tmp_setup
#define UNIT_TEARDOWN fx_tmp_teardown

#define URI "hls/a/index.m3u8"

static const char *const segments[] = {"seg00000.ts", "seg00001.ts", "seg00002.ts"};

static void make_show(const tmp_show *t)
{
    char cmd[1024];

    fx_mkdir(fx_join(t->dir, "hls"));
    fx_mkdir(fx_join(t->dir, "hls/a"));
    snprintf(cmd, sizeof cmd,
             "cd '%s/hls/a' && ffmpeg -v error -f lavfi -i testsrc2=size=64x64:rate=25 -t 6 "
             "-c:v libx264 -x264-params keyint=50:min-keyint=50:scenecut=0 -f hls -hls_time 2 "
             "-hls_playlist_type vod -hls_segment_filename 'seg%%05d.ts' index.m3u8 </dev/null",
             t->dir);
    if (system(cmd) != 0)
        fail_msg("ffmpeg could not make the segments");
    put(t, "master.m3u8",
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH="
        "800000,CODECS=\"avc1.64000a\",RESOLUTION=64x64,FRAME-RATE=25.000\n" URI "\n");
}

/* The report of the show with a reader that was given the first n segments. */
static val_report *validate_ahead(const tmp_show *t, const prof_ladder *ladder, int n)
{
    val_report *r = new_report();
    val_reader *rd = NULL;

    assert_int_equal(val_reader_open(&rd, t->dir, URI, 0), 0);
    for (int i = 0; i < n; i++)
        val_reader_add(rd, segments[i]);
    val_validate_ahead(t->dir, ladder, NULL, 0, &rd, 1, r);
    val_reader_free(rd);
    return r;
}

static void assert_same_report(const val_report *a, const val_report *b)
{
    assert_int_equal(a->checks, b->checks);
    assert_int_equal(a->n_failures, b->n_failures);
    assert_true(a->n_failures > 0); /* the crafted show breaks rules: they must match too */
    for (int i = 0; i < a->n_failures; i++) {
        assert_string_equal(a->failures[i].file, b->failures[i].file);
        assert_string_equal(a->failures[i].rule, b->failures[i].rule);
        assert_string_equal(a->failures[i].message, b->failures[i].message);
    }
}

/* The show validated with a reader given its first n segments: the plain report, and the
 * reader used (read_ahead 1) or not (0). */
static void check_ahead(const tmp_show *t, int n, int read_ahead)
{
    prof_ladder ladder;
    val_report *plain = new_report(), *ahead;

    assert_int_equal(prof_load_default(&ladder, NULL), 0);
    make_show(t);
    val_validate(t->dir, &ladder, NULL, 0, plain);
    assert_int_equal(plain->read_ahead, 0);
    ahead = validate_ahead(t, &ladder, n);
    assert_int_equal(ahead->read_ahead, read_ahead);
    assert_same_report(plain, ahead);
    free(plain);
    free(ahead);
}

static void test_read_ahead_same_report(void **state)
{
    check_ahead(*state, COUNT(segments), 1);
}

static void test_read_ahead_missed_segment(void **state)
{
    check_ahead(*state, COUNT(segments) - 1, 0);
}

/* A segment rewritten after it was read (here: cut short) is read again at the end. */
static void test_read_ahead_changed_segment(void **state)
{
    tmp_show *t = *state;
    prof_ladder ladder;
    val_report *plain = new_report(), *ahead = new_report();
    val_reader *rd = NULL;
    char path[1024];

    assert_int_equal(prof_load_default(&ladder, NULL), 0);
    make_show(t);
    assert_int_equal(val_reader_open(&rd, t->dir, URI, 0), 0);
    for (int i = 0; i < COUNT(segments); i++)
        val_reader_add(rd, segments[i]);
    snprintf(path, sizeof path, "%s/hls/a/%s", t->dir, segments[1]);
    assert_int_equal(truncate(path, 188 * 20), 0);
    val_validate(t->dir, &ladder, NULL, 0, plain);
    val_validate_ahead(t->dir, &ladder, NULL, 0, &rd, 1, ahead);
    val_reader_free(rd);
    assert_int_equal(ahead->read_ahead, 0);
    assert_same_report(plain, ahead);
    free(plain);
    free(ahead);
}

#include "test_reader_tests.h"

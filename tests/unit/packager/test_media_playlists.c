/* test_media_playlists.c: the packager's media and I-frame playlist writers
 * (packager/playlists.c, pkg_internal.h) on segment lists made by hand, without a muxer: the
 * exact text, TS and fMP4, the target duration, and a folder it cannot write to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg_test.h"

/* ---- write_media_playlist ------------------------------------------------------------------- */

static void test_media_ts_exact(void **state)
{
    tmp_dir *t = *state;
    hls_segment segs[] = {{0, 6.0, 100}, {6.0, 6.0, 100}, {12.0, 3.2, 50}};
    seg_writer w = writer(0, segs, 3, NULL, 0);
    ladder_error err = {0};

    assert_int_equal(write_media_playlist(t->path, &w, 6, NULL, &err), 0);
    assert_string_equal(written(t), "#EXTM3U\n"
                                    "#EXT-X-VERSION:3\n"
                                    "#EXT-X-TARGETDURATION:6\n"
                                    "#EXT-X-MEDIA-SEQUENCE:0\n"
                                    "#EXT-X-PLAYLIST-TYPE:VOD\n"
                                    "#EXT-X-INDEPENDENT-SEGMENTS\n"
                                    "#EXTINF:6.000000,\n"
                                    "seg00000.ts\n"
                                    "#EXTINF:6.000000,\n"
                                    "seg00001.ts\n"
                                    "#EXTINF:3.200000,\n"
                                    "seg00002.ts\n"
                                    "#EXT-X-ENDLIST\n");
}

/* fMP4: version 6 for EXT-X-MAP, the init segment named once, .m4s segments. */
static void test_media_fmp4_exact(void **state)
{
    tmp_dir *t = *state;
    hls_segment segs[] = {{0, 5.994667, 100}, {5.994667, 1.001, 20}};
    seg_writer w = writer(1, segs, 2, NULL, 0);

    assert_int_equal(write_media_playlist(t->path, &w, 6, NULL, NULL), 0);
    assert_string_equal(written(t), "#EXTM3U\n"
                                    "#EXT-X-VERSION:6\n"
                                    "#EXT-X-TARGETDURATION:6\n"
                                    "#EXT-X-MEDIA-SEQUENCE:0\n"
                                    "#EXT-X-PLAYLIST-TYPE:VOD\n"
                                    "#EXT-X-INDEPENDENT-SEGMENTS\n"
                                    "#EXT-X-MAP:URI=\"init.mp4\"\n"
                                    "#EXTINF:5.994667,\n"
                                    "seg00000.m4s\n"
                                    "#EXTINF:1.001000,\n"
                                    "seg00001.m4s\n"
                                    "#EXT-X-ENDLIST\n");
}

/* The target is the longest EXTINF rounded to the nearest integer (RFC 8216 4.3.3.1): 6.4
 * stays 6, 6.5 makes 7; and it is never below min_target, even for a short show. */
static void test_media_target_duration(void **state)
{
    tmp_dir *t = *state;
    static const struct {
        double longest;
        int min_target, expect;
    } cases[] = {
        {6.0, 6, 6}, {6.4, 6, 6}, {6.49, 6, 6}, {6.5, 6, 7},   {7.6, 6, 8},  {2.0, 6, 6},
        {0.5, 6, 6}, {3.6, 2, 4}, {1.2, 0, 1},  {10.0, 4, 10}, {0.04, 1, 1},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* the longest one in the middle, so neither end decides */
        hls_segment segs[] = {{0, 0.1, 1}, {0.1, cases[i].longest, 1}, {9, 0.2, 1}};
        seg_writer w = writer(0, segs, 3, NULL, 0);
        assert_int_equal(write_media_playlist(t->path, &w, cases[i].min_target, NULL, NULL), 0);
        if (target_of(written(t)) != cases[i].expect)
            fail_msg("longest %.2f, min %d: target %d, not %d", cases[i].longest,
                     cases[i].min_target, target_of(t->text), cases[i].expect);
    }
}

/* No segments (a show with nothing in it): still a complete playlist. */
static void test_media_empty(void **state)
{
    tmp_dir *t = *state;
    seg_writer w = writer(0, NULL, 0, NULL, 0);

    assert_int_equal(write_media_playlist(t->path, &w, 6, NULL, NULL), 0);
    assert_int_equal(target_of(written(t)), 6);
    assert_null(strstr(t->text, "#EXTINF"));
    assert_non_null(strstr(t->text, "\n#EXT-X-ENDLIST\n"));
}

/* Segment names count from seg00000 in order, past five digits if a show ever needs it. */
static void test_media_many_segments(void **state)
{
    tmp_dir *t = *state;
    enum { N = 120 };
    hls_segment segs[N];
    seg_writer w = writer(0, segs, N, NULL, 0);
    char line[64];

    for (int i = 0; i < N; i++)
        segs[i] = (hls_segment){i * 2.0, 2.0, 10};
    assert_int_equal(write_media_playlist(t->path, &w, 2, NULL, NULL), 0);
    written(t);
    for (int i = 0; i < N; i++) {
        snprintf(line, sizeof line, "#EXTINF:2.000000,\nseg%05d.ts\n", i);
        assert_non_null(strstr(t->text, line));
    }
}

/* An unwritable path: an error, no file. */
static void test_media_unwritable(void **state)
{
    tmp_dir *t = *state;
    hls_segment segs[] = {{0, 6.0, 100}};
    seg_writer w = writer(0, segs, 1, NULL, 0);
    ladder_error err = {0};
    char path[160];

    snprintf(path, sizeof path, "%s/missing/index.m3u8", t->dir);
    assert_true(write_media_playlist(path, &w, 6, NULL, &err) < 0);
    assert_int_equal(err.code, LADDER_EIO);
    assert_false(ladder_path_exists(path));
}

/* ---- write_iframe_playlist, iframe_peak_bps ------------------------------------------------- */

/* Each I-frame lasts until the next one, the last until the end; byte ranges "size@offset"
 * into the segment holding it; version 4 for byte ranges. */
static void test_iframes_ts_exact(void **state)
{
    tmp_dir *t = *state;
    hls_iframe iframes[] = {
        {0, 376, 15000, 0.0},
        {0, 90240, 12000, 2.0},
        {1, 188, 14100, 4.0},
    };
    seg_writer w = writer(0, NULL, 0, iframes, 3);

    assert_int_equal(write_iframe_playlist(t->path, &w, 5.5, NULL, NULL), 0);
    assert_string_equal(written(t), "#EXTM3U\n"
                                    "#EXT-X-VERSION:4\n"
                                    "#EXT-X-TARGETDURATION:2\n"
                                    "#EXT-X-MEDIA-SEQUENCE:0\n"
                                    "#EXT-X-PLAYLIST-TYPE:VOD\n"
                                    "#EXT-X-I-FRAMES-ONLY\n"
                                    "#EXT-X-INDEPENDENT-SEGMENTS\n"
                                    "#EXTINF:2.000000,\n"
                                    "#EXT-X-BYTERANGE:15000@376\n"
                                    "seg00000.ts\n"
                                    "#EXTINF:2.000000,\n"
                                    "#EXT-X-BYTERANGE:12000@90240\n"
                                    "seg00000.ts\n"
                                    "#EXTINF:1.500000,\n"
                                    "#EXT-X-BYTERANGE:14100@188\n"
                                    "seg00001.ts\n"
                                    "#EXT-X-ENDLIST\n");
}

/* fMP4: version 5 (EXT-X-MAP with I-FRAMES-ONLY), offsets past 4 GB printed whole. */
static void test_iframes_fmp4_exact(void **state)
{
    tmp_dir *t = *state;
    hls_iframe iframes[] = {
        {0, 900, 20000, 10.0},
        {7, 5000000000LL, 30000, 12.5},
    };
    seg_writer w = writer(1, NULL, 0, iframes, 2);

    assert_int_equal(write_iframe_playlist(t->path, &w, 13.0, NULL, NULL), 0);
    assert_string_equal(written(t), "#EXTM3U\n"
                                    "#EXT-X-VERSION:5\n"
                                    "#EXT-X-TARGETDURATION:3\n"
                                    "#EXT-X-MEDIA-SEQUENCE:0\n"
                                    "#EXT-X-PLAYLIST-TYPE:VOD\n"
                                    "#EXT-X-I-FRAMES-ONLY\n"
                                    "#EXT-X-INDEPENDENT-SEGMENTS\n"
                                    "#EXT-X-MAP:URI=\"init.mp4\"\n"
                                    "#EXTINF:2.500000,\n"
                                    "#EXT-X-BYTERANGE:20000@900\n"
                                    "seg00000.m4s\n"
                                    "#EXTINF:0.500000,\n"
                                    "#EXT-X-BYTERANGE:30000@5000000000\n"
                                    "seg00007.m4s\n"
                                    "#EXT-X-ENDLIST\n");
}

/* The peak is the largest size * 8 / duration; a zero-length last I-frame does not count. */
static void test_iframes_peak(void **state)
{
    (void)state;
    hls_iframe iframes[] = {
        {0, 0, 10000, 0.0}, /* 80000 bit over 2 s: 40 kbit/s */
        {0, 0, 15000, 2.0}, /* 120000 bit over 1 s: 120 kbit/s */
        {1, 0, 50000, 3.0}, /* the last, ends at total */
    };
    seg_writer w = writer(0, NULL, 0, iframes, 3);

    ASSERT_NEAR(iframe_peak_bps(&w, 7.0), 120000.0, 1e-6);
    ASSERT_NEAR(iframe_peak_bps(&w, 3.0), 120000.0, 1e-6);
    ASSERT_NEAR(iframe_peak_bps(&w, 3.25), 1600000.0, 1e-6);
    w.n_iframes = 0;
    ASSERT_NEAR(iframe_peak_bps(&w, 7.0), 0.0, 0);
}

#include "test_media_playlists_tests.h"

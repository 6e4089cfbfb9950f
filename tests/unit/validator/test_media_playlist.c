/* test_media_playlist.c: the validator's media playlist reader (val_read_media, playlist.c)
 * on small playlists written to a temporary folder, one folder per test; the rules are named as
 * in docs/hls-rules.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_test.h"

#define UNIT_SETUP    fx_tmp_setup
#define UNIT_TEARDOWN fx_tmp_teardown

#define MEDIA_HEAD                                                                                 \
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n"                \
    "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n"

static const char *const good_media = MEDIA_HEAD "#EXTINF:6.000000,\nseg00000.ts\n"
                                                 "#EXTINF:5.960000,\nseg00001.ts\n"
                                                 "#EXTINF:2.500000,\nseg00002.ts\n"
                                                 "#EXT-X-ENDLIST\n";

/* Reads text as a media playlist with target 6; the report for the caller to free. */
static val_report *read_media_text(const tmp_show *t, const char *text, val_playlist *pl)
{
    val_report *r = new_report();
    put(t, "index.m3u8", text);
    val_read_media(r, t->dir, "index.m3u8", 6, pl);
    return r;
}

static void test_media_good(void **state)
{
    val_playlist pl = {0};
    val_report *r = read_media_text(*state, good_media, &pl);

    assert_int_equal(r->n_failures, 0);
    assert_true(r->checks >= 10);
    assert_int_equal(pl.n, 3);
    assert_int_equal(pl.target, 6);
    assert_true(pl.durations[0] == 6.0);
    assert_true(pl.durations[1] == 5.96);
    assert_true(pl.durations[2] == 2.5);
    assert_true(pl.total > 14.459 && pl.total < 14.461);
    assert_string_equal(pl.uris[0], "seg00000.ts");
    assert_string_equal(pl.uris[2], "seg00002.ts");
    val_playlist_free(&pl);
    assert_null(pl.durations);
    assert_int_equal(pl.n, 0);
    free(r);
}

/* The arrays are reused: a second, shorter read starts from zero, not from the first's end. */
static void test_media_reread_resets(void **state)
{
    val_playlist pl = {0};
    val_report *r = read_media_text(*state, good_media, &pl);
    free(r);
    r = read_media_text(*state, MEDIA_HEAD "#EXTINF:4.0,\nonly.ts\n#EXT-X-ENDLIST\n", &pl);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(pl.n, 1);
    assert_string_equal(pl.uris[0], "only.ts");
    assert_true(pl.total == 4.0);
    val_playlist_free(&pl);
    free(r);
}

/* One broken playlist: rule fails (at least once), and no other rule does. */
static void expect_only_rule(const tmp_show *t, const char *text, const char *rule)
{
    val_playlist pl = {0};
    val_report *r = read_media_text(t, text, &pl);

    if (failures_of(r, rule) == 0 || failures_of(r, rule) != r->n_failures) {
        for (int i = 0; i < r->n_failures; i++)
            print_message("  %s: %s: %s\n", r->failures[i].file, r->failures[i].rule,
                          r->failures[i].message);
        fail_msg("expected only rule %s to fail", rule);
    }
    assert_string_equal(r->failures[0].file, "index.m3u8");
    val_playlist_free(&pl);
    free(r);
}

static void test_media_target_not_profile(void **state)
{
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "target-duration");
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:4.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "target-duration");
}

/* 6.4 s rounds to 6 and is within 6 + 0.5: fine. 6.6 s breaks both duration rules. 6.5 s
 * rounds up to 7 (RFC 8216 4.3.3.1) but is not over target + 0.5. */
static void test_media_extinf_over_target(void **state)
{
    val_playlist pl = {0};
    val_report *r;

    r = read_media_text(*state, MEDIA_HEAD "#EXTINF:6.4,\na.ts\n#EXT-X-ENDLIST\n", &pl);
    assert_int_equal(r->n_failures, 0);
    free(r);
    r = read_media_text(*state,
                        MEDIA_HEAD "#EXTINF:6.0,\na.ts\n#EXTINF:6.6,\nb.ts\n#EXT-X-ENDLIST\n", &pl);
    assert_int_equal(failures_of(r, "segment-max-target-plus-half"), 1);
    assert_int_equal(failures_of(r, "extinf-within-target"), 1);
    assert_int_equal(r->n_failures, 2);
    assert_non_null(strstr(r->failures[0].message, "segment 1"));
    free(r);
    r = read_media_text(*state, MEDIA_HEAD "#EXTINF:6.5,\na.ts\n#EXT-X-ENDLIST\n", &pl);
    assert_int_equal(failures_of(r, "extinf-within-target"), 1);
    assert_int_equal(r->n_failures, 1);
    free(r);
    val_playlist_free(&pl);
}

static void test_media_no_endlist(void **state)
{
    expect_only_rule(*state, MEDIA_HEAD "#EXTINF:6.0,\na.ts\n", "endlist");
}

static void test_media_not_vod(void **state)
{
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
                     "#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "playlist-type-vod");
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
                     "#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "playlist-type-vod");
}

static void test_media_no_extm3u(void **state)
{
    expect_only_rule(*state,
                     "#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                     "#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "extm3u-first");
    /* present, but not first */
    expect_only_rule(*state,
                     "#EXT-X-VERSION:3\n#EXTM3U\n#EXT-X-TARGETDURATION:6\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "extm3u-first");
}

/* version-tag: exactly one EXT-X-VERSION, and high enough for the features used. */
static void test_media_version_tags(void **state)
{
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "version-tag");
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-TARGETDURATION:6\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "version-tag");
    /* decimal EXTINF needs 3 */
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:2\n#EXT-X-TARGETDURATION:6\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "version-tag");
    /* EXT-X-MAP needs 6 */
    expect_only_rule(*state,
                     MEDIA_HEAD "#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:6.0,\na.m4s\n"
                                "#EXT-X-ENDLIST\n",
                     "version-tag");
}

static void test_media_missing_file(void **state)
{
    tmp_show *t = *state;
    val_playlist pl = {0};
    val_report *r = new_report();

    val_read_media(r, t->dir, "nowhere/index.m3u8", 6, &pl);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "playlist-exists");
    assert_string_equal(r->failures[0].file, "nowhere/index.m3u8");
    assert_int_equal(pl.n, 0);
    val_playlist_free(&pl);
    free(r);
}

/* A long show is read to its end: the reader once stopped silently at 4096 entries. */
static void test_media_ten_thousand_segments(void **state)
{
    ladder_text text = {0};
    val_playlist pl = {0};
    val_report *r;

    ladder_text_printf(&text, MEDIA_HEAD);
    for (int i = 0; i < 10000; i++)
        ladder_text_printf(&text, "#EXTINF:%.6f,\nseg%05d.ts\n", i % 2 ? 6.0 : 5.5, i);
    ladder_text_printf(&text, "#EXT-X-ENDLIST\n");
    assert_false(text.failed);
    r = read_media_text(*state, text.s, &pl);
    ladder_text_free(&text);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(pl.n, 10000);
    assert_string_equal(pl.uris[9999], "seg09999.ts");
    assert_true(pl.durations[9998] == 5.5);
    assert_true(pl.durations[9999] == 6.0);
    assert_true(pl.total > 57499.99 && pl.total < 57500.01);
    val_playlist_free(&pl);
    free(r);
}

/* RFC 8216 4.1: lines end with LF or CR LF. A CR LF playlist is the same playlist. */
static void test_media_crlf_lines(void **state)
{
    val_playlist pl = {0};
    val_report *r = read_media_text(*state,
                                    "#EXTM3U\r\n#EXT-X-VERSION:3\r\n#EXT-X-TARGETDURATION:6\r\n"
                                    "#EXT-X-PLAYLIST-TYPE:VOD\r\n#EXTINF:6.0,\r\na.ts\r\n"
                                    "#EXT-X-ENDLIST\r\n",
                                    &pl);
    for (int i = 0; i < r->n_failures; i++)
        print_message("  %s: %s\n", r->failures[i].rule, r->failures[i].message);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(pl.n, 1);
    assert_string_equal(pl.uris[0], "a.ts");
    val_playlist_free(&pl);
    free(r);
}

/* I-frame playlists: entries read, the version tag checked (byte ranges need 4). */
static void test_iframes_read(void **state)
{
    tmp_show *t = *state;
    val_playlist pl = {0};
    val_report *r = new_report();

    put(t, "iframes.m3u8",
        "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-I-FRAMES-ONLY\n#EXTINF:2.000000,\n#EXT-X-BYTERANGE:1000@376\nseg00000.ts\n"
        "#EXTINF:2.000000,\n#EXT-X-BYTERANGE:900@50000\nseg00000.ts\n#EXT-X-ENDLIST\n");
    val_read_iframes(r, t->dir, "iframes.m3u8", &pl);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(pl.n, 2);
    assert_true(pl.total == 4.0);
    free(r);
    r = new_report();
    put(t, "iframes.m3u8",
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-I-FRAMES-ONLY\n#EXTINF:2.000000,\n#EXT-X-BYTERANGE:1000@376\nseg00000.ts\n"
        "#EXT-X-ENDLIST\n");
    val_read_iframes(r, t->dir, "iframes.m3u8", &pl);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "version-tag");
    val_playlist_free(&pl);
    free(r);
}

#include "test_media_playlist_tests.h"

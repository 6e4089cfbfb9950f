/* test_master_playlists.c: the packager's multivariant playlist and caption tracks
 * (packager/playlists.c, captions.c; pkg_internal.h), and the files it writes read back by the
 * validator's playlist readers (validator/val_internal.h), which must find nothing wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg_test.h"

/* ---- write_master_playlist ------------------------------------------------------------------ */

static pkg_master_entry entry(const char *rung, int audio_only, double peak, double avg,
                              const char *codecs, int width, int height, double fps)
{
    pkg_master_entry e;

    memset(&e, 0, sizeof e);
    snprintf(e.stats.name, sizeof e.stats.name, "%s", rung);
    e.stats.is_audio_only = audio_only;
    e.stats.peak_bps = peak;
    e.stats.avg_bps = avg;
    snprintf(e.stats.codecs, sizeof e.stats.codecs, "%s", codecs);
    e.width = width;
    e.height = height;
    e.fps = fps;
    snprintf(e.uri, sizeof e.uri, "hls/%s/index.m3u8", rung);
    if (!audio_only) {
        snprintf(e.iframe_uri, sizeof e.iframe_uri, "hls/%s/iframes.m3u8", rung);
        snprintf(e.video_codec, sizeof e.video_codec, "%.11s", codecs);
        e.iframe_peak_bps = peak / 10 + 0.25;
    }
    return e;
}

/* A ladder of two video rungs and audio alone, as the version's own master.m3u8 sees it:
 * bit rates rounded up, FRAME-RATE with three decimals, no video attributes on audio. */
static void test_master_exact(void **state)
{
    tmp_dir *t = *state;
    pkg_master_entry v[] = {
        entry("720p", 0, 3210987.2, 2999999.5, "avc1.64001f,mp4a.40.2", 1280, 720, 25),
        entry("360p", 0, 800000, 700000.01, "avc1.4d401e,mp4a.40.2", 640, 360, 30000 / 1001.0),
        entry("audio", 1, 140000, 131072, "mp4a.40.2", 0, 0, 0),
    };

    assert_int_equal(write_master_playlist(t->path, v, 3, NULL, "", NULL), 0);
    assert_string_equal(
        written(t),
        "#EXTM3U\n"
        "#EXT-X-VERSION:4\n"
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=3210988,AVERAGE-BANDWIDTH=3000000,"
        "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=25.000,"
        "CLOSED-CAPTIONS=NONE\n"
        "hls/720p/index.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=700001,"
        "CODECS=\"avc1.4d401e,mp4a.40.2\",RESOLUTION=640x360,FRAME-RATE=29.970,"
        "CLOSED-CAPTIONS=NONE\n"
        "hls/360p/index.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=131072,CODECS=\"mp4a.40.2\","
        "CLOSED-CAPTIONS=NONE\n"
        "hls/audio/index.m3u8\n"
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=321099,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,"
        "URI=\"hls/720p/iframes.m3u8\"\n"
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=80001,CODECS=\"avc1.4d401e\",RESOLUTION=640x360,"
        "URI=\"hls/360p/iframes.m3u8\"\n");
}

/* entry.m3u8 is read from the show's folder: every URI, the I-frame ones too, gets "vN/". */
static void test_master_prefix_on_every_uri(void **state)
{
    tmp_dir *t = *state;
    pkg_master_entry v[] = {
        entry("720p", 0, 3000000, 2500000, "avc1.64001f,mp4a.40.2", 1280, 720, 25),
        entry("360p", 0, 800000, 700000, "avc1.4d401e,mp4a.40.2", 640, 360, 25),
        entry("audio", 1, 140000, 131072, "mp4a.40.2", 0, 0, 0),
    };
    int uris = 0;
    char *save = NULL;

    assert_int_equal(write_master_playlist(t->path, v, 3, NULL, "v2/", NULL), 0);
    written(t);
    for (char *line = strtok_r(t->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        const char *uri = strstr(line, "URI=\"");
        if (line[0] != '#') {
            assert_true(strncmp(line, "v2/hls/", 7) == 0);
            uris++;
        } else if (uri) {
            assert_true(strncmp(uri + 5, "v2/hls/", 7) == 0);
            uris++;
        }
    }
    assert_int_equal(uris, 5); /* three variants, two I-frame streams */
}

/* ---- caption tracks (captions.c) ------------------------------------------------------------ */

/* The file dir/rel as text, in t->text. */
static const char *file_text(tmp_dir *t, const char *rel)
{
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, rel);
    return written(t);
}

static ladder_cue cue(int64_t start, int64_t end, const char *text)
{
    return (ladder_cue){start, end, (char *)text};
}

/* A cue across a segment boundary is in both segments with its own times; every segment maps
 * cue time 0 to the TS offset; a cue after the video is left out everywhere; the playlist has
 * the video's EXTINF values; the sidecar has every cue, without a map. */
static void test_captions_segmented_exact(void **state)
{
    tmp_dir *t = *state;
    hls_segment segs[] = {{0, 6.0, 1}, {6.0, 6.0, 1}, {12.0, 2.5, 1}};
    ladder_cue cues[] = {cue(1000, 3500, "Hello <i>world</i>"), cue(5500, 7250, "Two\nlines"),
                         cue(13000, 16000, "past the end"), cue(20000, 21000, "after the end")};
    ladder_captions en = {.language = "en", .name = "English", .cues = cues, .n = 4};
    const char *map = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n";
    char want[512];

    assert_int_equal(write_caption_tracks(t->dir, &en, 1, segs, 3, 6, NULL, NULL, NULL), 0);
    snprintf(want, sizeof want,
             "%s\n00:00:01.000 --> 00:00:03.500\nHello <i>world</i>\n"
             "\n00:00:05.500 --> 00:00:07.250\nTwo\nlines\n",
             map);
    assert_string_equal(file_text(t, "subtitles/en/seg00000.vtt"), want);
    snprintf(want, sizeof want, "%s\n00:00:05.500 --> 00:00:07.250\nTwo\nlines\n", map);
    assert_string_equal(file_text(t, "subtitles/en/seg00001.vtt"), want);
    snprintf(want, sizeof want, "%s\n00:00:13.000 --> 00:00:16.000\npast the end\n", map);
    assert_string_equal(file_text(t, "subtitles/en/seg00002.vtt"), want);
    assert_string_equal(file_text(t, "subtitles/en/index.m3u8"),
                        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
                        "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                        "#EXT-X-INDEPENDENT-SEGMENTS\n"
                        "#EXTINF:6.000000,\nseg00000.vtt\n#EXTINF:6.000000,\nseg00001.vtt\n"
                        "#EXTINF:2.500000,\nseg00002.vtt\n#EXT-X-ENDLIST\n");
    assert_string_equal(file_text(t, "subtitles/en.vtt"),
                        "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\nHello <i>world</i>\n"
                        "\n00:00:05.500 --> 00:00:07.250\nTwo\nlines\n"
                        "\n00:00:13.000 --> 00:00:16.000\npast the end\n");
}

/* Video that starts later than 0 (its first picture at 0.5 s) moves the map with it. */
static void test_captions_map_follows_first_picture(void **state)
{
    tmp_dir *t = *state;
    hls_segment segs[] = {{0.5, 6.0, 1}};
    ladder_cue cues[] = {cue(1000, 2000, "x")};
    ladder_captions en = {.language = "en", .name = "en", .cues = cues, .n = 1};

    assert_int_equal(write_caption_tracks(t->dir, &en, 1, segs, 1, 6, NULL, NULL, NULL), 0);
    assert_non_null(strstr(file_text(t, "subtitles/en/seg00000.vtt"),
                           "X-TIMESTAMP-MAP=MPEGTS:945000,LOCAL:00:00:00.500\n"));
}

/* What may not reach a folder name or a quoted playlist attribute is refused. */
static void test_captions_checked(void **state)
{
    ladder_captions c[2] = {{.language = "en", .name = "English"},
                            {.language = "es-MX", .name = "Espa\xc3\xb1ol"}};
    ladder_error err = {0};

    (void)state;
    assert_int_equal(pkg_check_captions(c, 2, &err), 0);
    snprintf(c[1].language, sizeof c[1].language, "EN");
    assert_int_equal(pkg_check_captions(c, 2, &err), LADDER_EINVAL); /* one per language */
    assert_non_null(strstr(err.msg, "one per language"));
    const char *bad_languages[] = {"e", "../x", "en_US", "en-", "toolonglang", ""};
    for (size_t i = 0; i < sizeof bad_languages / sizeof *bad_languages; i++) {
        snprintf(c[1].language, sizeof c[1].language, "%s", bad_languages[i]);
        assert_int_equal(pkg_check_captions(c, 2, &err), LADDER_EINVAL);
    }
    snprintf(c[1].language, sizeof c[1].language, "es");
    snprintf(c[1].name, sizeof c[1].name, "say \"hi\"");
    assert_int_equal(pkg_check_captions(c, 2, &err), LADDER_EINVAL);
    snprintf(c[1].name, sizeof c[1].name, "two\nlines");
    assert_int_equal(pkg_check_captions(c, 2, &err), LADDER_EINVAL);
}

/* Subtitle renditions come first, SDH ones with the accessibility characteristics, and every
 * variant names their group; the validator's master rules find nothing wrong. */
static void test_master_with_subtitles(void **state)
{
    tmp_dir *t = *state;
    pkg_master_entry v[] = {
        entry("360p", 0, 800000, 700000, "avc1.4d401e,mp4a.40.2", 640, 360, 25),
        entry("audio", 1, 140000, 131072, "mp4a.40.2", 0, 0, 0),
    };
    ladder_captions subs[2] = {{.language = "en", .name = "English", .sdh = 1},
                               {.language = "es", .name = "Spanish"}};
    val_report *r = calloc(1, sizeof *r);
    val_master *m = calloc(1, sizeof *m);

    pkg_master_text text = {.subs = subs, .n_subs = 2};

    assert_int_equal(write_master_playlist(t->path, v, 2, &text, "v1/", NULL), 0);
    assert_non_null(strstr(
        written(t),
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",LANGUAGE=\"en\",NAME=\"English\","
        "DEFAULT=NO,AUTOSELECT=YES,CHARACTERISTICS=\"public.accessibility.transcribes-spoken-"
        "dialog,public.accessibility.describes-music-and-sound\","
        "URI=\"v1/subtitles/en/index.m3u8\"\n"
        "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",LANGUAGE=\"es\",NAME=\"Spanish\","
        "DEFAULT=NO,AUTOSELECT=YES,URI=\"v1/subtitles/es/index.m3u8\"\n"
        "#EXT-X-STREAM-INF:"));
    assert_non_null(strstr(t->text, "FRAME-RATE=25.000,SUBTITLES=\"subs\",CLOSED-CAPTIONS=NONE\n"));
    assert_non_null(strstr(t->text, "\"mp4a.40.2\",SUBTITLES=\"subs\",CLOSED-CAPTIONS=NONE\n"));
    snprintf(t->path, sizeof t->path, "%s/master.m3u8", t->dir);
    assert_int_equal(write_master_playlist(t->path, v, 2, &text, "", NULL), 0);
    val_read_master(r, t->dir, m);
    assert_int_equal(m->n_subs, 2);
    assert_string_equal(m->subs[1].uri, "subtitles/es/index.m3u8");
    assert_string_equal(m->v[0].subtitles, "subs");
    assert_int_equal(r->n_failures, 0);
    free(m);
    free(r);
}

/* ---- read back by the validator ------------------------------------------------------------- */

/* What the writers make passes the validator's playlist rules: TS and fMP4 media playlists
 * with the profile's target, I-frame playlists, and the master. */
static void test_validator_reads_what_was_written(void **state)
{
    tmp_dir *t = *state;
    hls_segment segs[] = {{0, 6.0, 1}, {6.0, 6.006, 1}, {12.006, 4.5, 1}};
    hls_iframe iframes[] = {{0, 376, 1000, 0.0}, {1, 376, 1100, 6.0}, {2, 376, 900, 12.006}};
    pkg_master_entry v[] = {
        entry("720p", 0, 3000000, 2500000, "avc1.64001f,mp4a.40.2", 1280, 720, 25),
        entry("audio", 1, 140000, 131072, "mp4a.40.2", 0, 0, 0),
    };
    val_report *r = calloc(1, sizeof *r);
    val_master *m = calloc(1, sizeof *m);
    val_playlist pl = {0};
    char path[160];

    assert_non_null(r);
    assert_non_null(m);
    for (int fmp4 = 0; fmp4 < 2; fmp4++) {
        seg_writer w = writer(fmp4, segs, 3, iframes, 3);
        snprintf(path, sizeof path, "%s/index.m3u8", t->dir);
        assert_int_equal(write_media_playlist(path, &w, 6, NULL, NULL), 0);
        val_read_media(r, t->dir, "index.m3u8", 6, &pl);
        assert_int_equal(pl.n, 3);
        assert_int_equal(pl.target, 6);
        ASSERT_NEAR(pl.total, 16.506, 1e-9);
        snprintf(path, sizeof path, "%s/iframes.m3u8", t->dir);
        assert_int_equal(write_iframe_playlist(path, &w, 16.506, NULL, NULL), 0);
        val_read_iframes(r, t->dir, "iframes.m3u8", &pl);
        assert_int_equal(pl.n, 3);
        ASSERT_NEAR(pl.total, 16.506, 1e-9);
    }
    snprintf(path, sizeof path, "%s/master.m3u8", t->dir);
    assert_int_equal(write_master_playlist(path, v, 2, NULL, "v1/", NULL), 0);
    val_read_master(r, t->dir, m);
    assert_int_equal(m->n, 2);
    assert_int_equal(m->n_iframes, 1);
    assert_string_equal(m->v[0].uri, "v1/hls/720p/index.m3u8");
    assert_int_equal(m->v[0].bandwidth, 3000000);
    assert_int_equal(m->v[0].average, 2500000);
    assert_string_equal(m->v[0].codecs, "avc1.64001f,mp4a.40.2");
    assert_true(m->v[0].has_resolution && m->v[0].has_frame_rate);
    assert_true(m->v[1].audio_only);
    assert_string_equal(m->iframes[0].uri, "v1/hls/720p/iframes.m3u8");
    assert_string_equal(m->iframes[0].codecs, "avc1.64001f");
    for (int i = 0; i < r->n_failures; i++)
        print_message("  %s: %s: %s\n", r->failures[i].file, r->failures[i].rule,
                      r->failures[i].message);
    assert_int_equal(r->n_failures, 0);
    assert_true(r->checks > 20);
    val_playlist_free(&pl);
    free(m);
    free(r);
}

#include "test_master_playlists_tests.h"

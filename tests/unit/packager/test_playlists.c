/* test_playlists.c: the packager's playlist writers (packager/playlists.c, declared in
 * packager/pkg_internal.h) on segment lists made by hand, without a muxer: the exact text of
 * media, I-frame and multivariant playlists, TS and fMP4, and the same files read back by the
 * validator's playlist readers (validator/val_internal.h), which must find nothing wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "fixture.h"
#include "pkg_internal.h"
#include "val_internal.h"

/* |a - b| <= eps in double precision (cmocka's assert_float_equal is float, and lets an
 * infinity pass). */
#define ASSERT_NEAR(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s is %.9g, not %.9g", #a, a_, b_);                                          \
    } while (0)

/* ---- a folder per test, and files in it ----------------------------------------------------- */

/* t->path is dir/out.m3u8, where each test writes (set_up). */
typedef fx_tmp tmp_dir;

static int set_up(void **state)
{
    tmp_dir *t;

    if (fx_tmp_setup(state) < 0)
        return -1;
    t = *state;
    snprintf(t->path, sizeof t->path, "%s/out.m3u8", t->dir);
    return 0;
}

#define UNIT_SETUP    set_up
#define UNIT_TEARDOWN fx_tmp_teardown

/* The file t->path as text, in t->text. */
static const char *written(tmp_dir *t)
{
    char *s = fx_read(t->path);

    if (!s)
        fail_msg("cannot read %s", t->path);
    assert_true(strlen(s) < sizeof t->text);
    snprintf(t->text, sizeof t->text, "%s", s);
    free(s);
    return t->text;
}
/* A writer holding only what the playlist writers read. */
static seg_writer writer(int fmp4, hls_segment *segs, int n_segs, hls_iframe *iframes,
                         int n_iframes)
{
    seg_writer w;
    memset(&w, 0, sizeof w);
    w.fmp4 = fmp4;
    w.segments = segs;
    w.n_segments = w.cap_segments = n_segs;
    w.iframes = iframes;
    w.n_iframes = w.cap_iframes = n_iframes;
    w.video = w.audio = -1;
    return w;
}

/* The TARGETDURATION the writer chose. */
static int target_of(const char *text)
{
    const char *p = strstr(text, "\n#EXT-X-TARGETDURATION:");
    assert_non_null(p);
    return atoi(p + 23);
}

/* ---- write_media_playlist ------------------------------------------------------------------- */

static void test_media_ts_exact(void **state)
{
    tmp_dir *t = *state;
    hls_segment segs[] = {{0, 6.0, 100}, {6.0, 6.0, 100}, {12.0, 3.2, 50}};
    seg_writer w = writer(0, segs, 3, NULL, 0);
    ladder_error err = {0};

    assert_int_equal(write_media_playlist(t->path, &w, 6, &err), 0);
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

    assert_int_equal(write_media_playlist(t->path, &w, 6, NULL), 0);
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
        assert_int_equal(write_media_playlist(t->path, &w, cases[i].min_target, NULL), 0);
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

    assert_int_equal(write_media_playlist(t->path, &w, 6, NULL), 0);
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
    assert_int_equal(write_media_playlist(t->path, &w, 2, NULL), 0);
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
    assert_true(write_media_playlist(path, &w, 6, &err) < 0);
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

    assert_int_equal(write_iframe_playlist(t->path, &w, 5.5, NULL), 0);
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

    assert_int_equal(write_iframe_playlist(t->path, &w, 13.0, NULL), 0);
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

    assert_int_equal(write_caption_tracks(t->dir, &en, 1, segs, 3, 6, NULL, NULL), 0);
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

    assert_int_equal(write_caption_tracks(t->dir, &en, 1, segs, 1, 6, NULL, NULL), 0);
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
        assert_int_equal(write_media_playlist(path, &w, 6, NULL), 0);
        val_read_media(r, t->dir, "index.m3u8", 6, &pl);
        assert_int_equal(pl.n, 3);
        assert_int_equal(pl.target, 6);
        ASSERT_NEAR(pl.total, 16.506, 1e-9);
        snprintf(path, sizeof path, "%s/iframes.m3u8", t->dir);
        assert_int_equal(write_iframe_playlist(path, &w, 16.506, NULL), 0);
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

#include "test_playlists_tests.h"

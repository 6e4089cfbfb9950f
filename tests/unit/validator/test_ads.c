/* test_ads.c: the ad rules (validator/rules_ads.c, docs/hls-rules.md#ads) on crafted shows: a
 * show.json with breaks, media playlists with EXT-X-PROGRAM-DATE-TIME and EXT-X-DATERANGE
 * written to a temporary folder, measured media made up in memory, an MP4 made by ffmpeg at
 * test time, and stitched playlists as text. Each rule is broken at least once. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "val_test.h"

#define UNIT_SETUP    fx_tmp_setup
#define UNIT_TEARDOWN fx_tmp_teardown

/* ---- a crafted show: two video variants, audio only, subtitles, an I-frame playlist --------
 * Segments of 6.0, 1.4, 4.6 and 2.0 s: break-1 is a pre-roll at 0, break-2 at 7.4 s starts the
 * third segment. */

#define EPOCH "2000-01-01T00:00:00.000Z"
#define PDT   "#EXT-X-PROGRAM-DATE-TIME:" EPOCH "\n"
#define RANGE(id, date, dur, extra)                                                                \
    "#EXT-X-DATERANGE:ID=\"" id "\",CLASS=\"com.apple.hls.interstitial\",START-DATE=\"" date       \
    "\",PLANNED-DURATION=" dur ",X-ASSET-LIST=\"/ads/news/" id ".json\",X-RESUME-OFFSET=0,"        \
    "X-RESTRICT=\"SKIP,JUMP\",X-TIMELINE-OCCUPIES=\"POINT\"" extra "\n"
#define R1     RANGE("break-1", EPOCH, "30.000", ",CUE=\"PRE\"")
#define R2     RANGE("break-2", "2000-01-01T00:00:07.400Z", "15.000", "")
#define RANGES R1 R2

#define MEDIA_HEAD                                                                                 \
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n"                \
    "#EXT-X-PLAYLIST-TYPE:VOD\n"
#define SEGMENTS(ext)                                                                              \
    "#EXTINF:6.000000,\nseg00000." ext "\n#EXTINF:1.400000,\nseg00001." ext "\n"                   \
    "#EXTINF:4.600000,\nseg00002." ext "\n#EXTINF:2.000000,\nseg00003." ext "\n#EXT-X-ENDLIST\n"

static const char master[] =
    "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
    "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",LANGUAGE=\"en\",NAME=\"English\","
    "AUTOSELECT=YES,URI=\"subtitles/en/index.m3u8\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,CODECS=\"avc1.4d401e,mp4a.40.2\","
    "RESOLUTION=640x360,FRAME-RATE=30.000,SUBTITLES=\"subs\"\nhls/a/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=400000,AVERAGE-BANDWIDTH=350000,CODECS=\"avc1.42c01e,mp4a.40.2\","
    "RESOLUTION=320x180,FRAME-RATE=30.000,SUBTITLES=\"subs\"\nhls/b/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=130000,CODECS=\"mp4a.40.2\","
    "SUBTITLES=\"subs\"\nhls/audio/index.m3u8\n"
    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,CODECS=\"avc1.4d401e\",URI=\"hls/a/"
    "iframes.m3u8\"\n";

static const char show_json[] =
    "{\"format\": 1, \"id\": \"news\", \"title\": \"a {tricky} \\\"title\\\" [\\u00e9]\",\n"
    " \"source\": {\"width\": 640, \"height\": 360, \"fps\": 30, \"has_audio\": true},\n"
    " \"breaks\": [{\"id\": \"break-1\", \"time\": 0, \"frame\": 0, \"start_date\": \"" EPOCH
    "\",\n"
    "              \"duration\": 30, \"source\": \"option\"},\n"
    "             {\"id\": \"break-2\", \"time\": 7.4, \"frame\": 222,\n"
    "              \"start_date\": \"2000-01-01T00:00:07.400Z\", \"duration\": 15,\n"
    "              \"source\": \"option\"}],\n"
    " \"files\": [], \"version\": 1}\n";

/* The media playlists of the crafted show, each with the same PDT and DATERANGE tags. */
static const char *const media_files[] = {"hls/a/index.m3u8", "hls/b/index.m3u8",
                                          "hls/audio/index.m3u8", "subtitles/en/index.m3u8"};

static void write_media(const tmp_show *t, const char *rel, const char *tags)
{
    char text[4096];
    const char *ext = strncmp(rel, "subtitles", 9) == 0 ? "vtt" : "ts";

    snprintf(text, sizeof text, "%s%s%s", MEDIA_HEAD, tags,
             strcmp(ext, "vtt") == 0 ? SEGMENTS("vtt") : SEGMENTS("ts"));
    put(t, rel, text);
}

static void make_show(const tmp_show *t)
{
    const char *dirs[] = {"hls", "hls/a", "hls/b", "hls/audio", "subtitles", "subtitles/en", "mp4"};

    for (int i = 0; i < COUNT(dirs); i++) /* made again by a test that starts over */
        if (mkdir(fx_join(t->dir, dirs[i]), 0755) != 0 && errno != EEXIST)
            fail_msg("cannot make %s", dirs[i]);
    put(t, "master.m3u8", master);
    put(t, "show.json", show_json);
    for (int i = 0; i < COUNT(media_files); i++)
        write_media(t, media_files[i], PDT RANGES);
    put(t, "hls/a/iframes.m3u8",
        "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-I-FRAMES-ONLY\n#EXTINF:6.000000,\n#EXT-X-BYTERANGE:1000@376\nseg00000.ts\n"
        "#EXT-X-ENDLIST\n");
}

/* val_check_dateranges on the show as it now is; the report for the caller to free. */
static val_report *check_show(const tmp_show *t)
{
    val_report *r = new_report(), *scratch = new_report();
    val_master *ms = malloc(sizeof *ms);
    val_breaks *b = malloc(sizeof *b);

    assert_non_null(ms);
    assert_non_null(b);
    val_read_master(scratch, t->dir, ms);
    assert_int_equal(ms->n, 3);
    ms->v[2].frame_seconds = 1024 / 48000.0; /* what val_scan_variant measures for audio alone */
    val_read_breaks(r, t->dir, b);
    val_check_dateranges(r, t->dir, ms, b, 1 / 30.0);
    free(ms);
    free(b);
    free(scratch);
    return r;
}

static void print_failures(const val_report *r)
{
    for (int i = 0; i < r->n_failures; i++)
        print_message("  %s: %s: %s\n", r->failures[i].file, r->failures[i].rule,
                      r->failures[i].message);
}

/* rule fails on file, and nothing outside rule and also (NULL-terminated) fails. */
static void expect(const val_report *r, const char *rule, const char *file, const char *const *also)
{
    int on_file = 0, others = 0;

    for (int i = 0; i < r->n_failures; i++) {
        const val_failure *f = &r->failures[i];
        int allowed = strcmp(f->rule, rule) == 0;
        on_file |= allowed && strcmp(f->file, file) == 0;
        for (int k = 0; also && also[k]; k++)
            allowed |= strcmp(f->rule, also[k]) == 0;
        others += !allowed;
    }
    if (!on_file || others) {
        print_failures(r);
        fail_msg("expected %s on %s and no other rule", rule, file);
    }
}

static void expect_only(const tmp_show *t, const char *rule, const char *file)
{
    val_report *r = check_show(t);
    expect(r, rule, file, NULL);
    free(r);
}

static void test_show_good(void **state)
{
    make_show(*state);
    val_report *r = check_show(*state);
    print_failures(r);
    assert_int_equal(r->n_failures, 0);
    assert_true(r->checks >= 30);
    free(r);
}

/* show.json's reader: the breaks of a show.json whatever else it holds, in any order. */
static void test_parse_breaks(void **state)
{
    (void)state;
    val_breaks *b = malloc(sizeof *b);

    assert_non_null(b);
    assert_int_equal(val_parse_breaks(show_json, b), 1);
    assert_int_equal(b->n, 2);
    assert_string_equal(b->b[1].id, "break-2");
    assert_true(fabs(b->b[1].time - 7.4) < 1e-9 && b->b[1].duration == 15);
    assert_string_equal(b->b[1].start_date, "2000-01-01T00:00:07.400Z");
    assert_int_equal(val_parse_breaks("{\"files\": [{\"breaks\": 3}], \"x\": null, \"breaks\": "
                                      "[{\"scte35\": \"0xFC30\", \"id\": \"break-1\", \"time\": 5, "
                                      "\"extra\": {\"a\": [1, 2, true]}}]}",
                                      b),
                     1);
    assert_int_equal(b->n, 1);
    assert_string_equal(b->b[0].scte35, "0xFC30");
    assert_true(b->b[0].time == 5);
    assert_int_equal(val_parse_breaks("{\"id\": \"x\"}", b), 1);
    assert_int_equal(b->n, 0);
    assert_int_equal(val_parse_breaks("{\"breaks\": [{\"id\": \"break-1\",}]}", b), 0);
    assert_int_equal(val_parse_breaks("{\"breaks\": [{\"id\": \"break-1\"}]", b), 0);
    assert_int_equal(val_parse_breaks("{\"breaks\": {}}", b), 0);
    assert_int_equal(val_parse_breaks("", b), 0);
    free(b);
}

/* show-json-breaks: ids in time order; unreadable JSON. */
static void test_show_json_breaks(void **state)
{
    tmp_show *t = *state;
    val_breaks *b = malloc(sizeof *b);
    val_report *r = new_report();

    put(t, "show.json",
        "{\"breaks\": [{\"id\": \"break-1\", \"time\": 9, \"duration\": 30},"
        "{\"id\": \"break-2\", \"time\": 4, \"duration\": 30}]}");
    val_read_breaks(r, t->dir, b);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "show-json-breaks");
    assert_non_null(strstr(r->failures[0].message, "breaks[1]"));
    memset(r, 0, sizeof *r);
    put(t, "show.json", "{\"breaks\": [");
    val_read_breaks(r, t->dir, b);
    assert_int_equal(failures_of(r, "show-json-breaks"), 1);
    memset(r, 0, sizeof *r);
    remove(fx_join(t->dir, "show.json")); /* no show.json: nothing to check, no failure */
    val_read_breaks(r, t->dir, b);
    assert_int_equal(r->n_failures + r->checks + b->n, 0);
    free(r);
    free(b);
}

/* A DATERANGE moved in one variant: its set differs, and its START-DATE is no segment's. */
static void test_daterange_moved(void **state)
{
    static const char *const also[] = {"daterange-start-date", NULL};
    make_show(*state);
    write_media(*state, "hls/b/index.m3u8",
                PDT R1 RANGE("break-2", "2000-01-01T00:00:07.300Z", "15.000", ""));
    val_report *r = check_show(*state);
    expect(r, "daterange-same-in-every-playlist", "hls/b/index.m3u8", also);
    assert_int_equal(failures_of(r, "daterange-start-date"), 1);
    assert_string_equal(r->failures[r->n_failures - 1].file, "hls/b/index.m3u8");
    free(r);
}

static void test_daterange_missing_in_one(void **state)
{
    make_show(*state);
    write_media(*state, "hls/audio/index.m3u8", PDT R1);
    expect_only(*state, "daterange-same-in-every-playlist", "hls/audio/index.m3u8");
    write_media(*state, "hls/audio/index.m3u8", PDT R1 R2 RANGE("break-3", EPOCH, "1", ""));
    expect_only(*state, "daterange-same-in-every-playlist", "hls/audio/index.m3u8");
}

/* Same IDs and dates, one attribute otherwise: also a different set. Attribute order is not. */
static void test_daterange_attribute_differs(void **state)
{
    make_show(*state);
    write_media(*state, "subtitles/en/index.m3u8",
                PDT R1
                "#EXT-X-DATERANGE:ID=\"break-2\",CLASS=\"com.apple.hls.interstitial\","
                "START-DATE=\"2000-01-01T00:00:07.400Z\",PLANNED-DURATION=15.000,"
                "X-ASSET-LIST=\"/ads/news/break-2.json\",X-RESUME-OFFSET=0,X-RESTRICT=\"SKIP\","
                "X-TIMELINE-OCCUPIES=\"POINT\"\n");
    expect_only(*state, "daterange-same-in-every-playlist", "subtitles/en/index.m3u8");
    write_media(*state, "subtitles/en/index.m3u8",
                PDT R1
                "#EXT-X-DATERANGE:X-TIMELINE-OCCUPIES=\"POINT\",ID=\"break-2\","
                "START-DATE=\"2000-01-01T00:00:07.400Z\",CLASS=\"com.apple.hls.interstitial\","
                "PLANNED-DURATION=15.000,X-ASSET-LIST=\"/ads/news/break-2.json\","
                "X-RESUME-OFFSET=0,X-RESTRICT=\"SKIP,JUMP\"\n");
    val_report *r = check_show(*state);
    print_failures(r);
    assert_int_equal(r->n_failures, 0);
    free(r);
}

/* Subtitles and I-frame playlists may leave the tags out; variants may not (above). */
static void test_daterange_optional_outside_variants(void **state)
{
    make_show(*state);
    write_media(*state, "subtitles/en/index.m3u8", "");
    val_report *r = check_show(*state);
    print_failures(r);
    assert_int_equal(r->n_failures, 0);
    free(r);
}

static void test_daterange_needs_pdt(void **state)
{
    static const char *const also[] = {"daterange-same-in-every-playlist", NULL};
    make_show(*state);
    write_media(*state, "hls/b/index.m3u8", RANGES);
    expect_only(*state, "daterange-needs-pdt", "hls/b/index.m3u8");
    write_media(*state, "hls/b/index.m3u8", "#EXT-X-PROGRAM-DATE-TIME:yesterday\n" RANGES);
    expect_only(*state, "daterange-needs-pdt", "hls/b/index.m3u8");
    /* the first variant is the reference: its tags are compared with show.json too */
    write_media(*state, "hls/a/index.m3u8", RANGES);
    val_report *r = check_show(*state);
    expect(r, "daterange-needs-pdt", "hls/a/index.m3u8", also);
    free(r);
}

/* A PDT a second later in one variant: its segments no longer start at the START-DATEs. */
static void test_daterange_start_date(void **state)
{
    make_show(*state);
    write_media(*state, "hls/audio/index.m3u8",
                "#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:01.000+00:00\n" RANGES);
    expect_only(*state, "daterange-start-date", "hls/audio/index.m3u8");
    /* within the audio's tolerance (an AAC frame), the nearest AAC frame is fine */
    write_media(*state, "hls/audio/index.m3u8",
                "#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:00.015Z\n" RANGES);
    val_report *r = check_show(*state);
    print_failures(r);
    assert_int_equal(r->n_failures, 0);
    free(r);
}

/* show.json and the DATERANGEs disagree: START-DATE, duration, a break missing or extra. */
static void test_daterange_matches_show_json(void **state)
{
    tmp_show *t = *state;
    char json[2048];

    make_show(t);
    snprintf(json, sizeof json, "%s", show_json);
    memcpy(strstr(json, "\"duration\": 15"), "\"duration\": 16", 14);
    put(t, "show.json", json);
    expect_only(t, "daterange-matches-show-json", "hls/a/index.m3u8");
    snprintf(json, sizeof json, "%s", show_json);
    memcpy(strstr(json, "07.400Z"), "07.401Z", 7);
    put(t, "show.json", json);
    expect_only(t, "daterange-matches-show-json", "hls/a/index.m3u8");
    snprintf(json, sizeof json, "%s", show_json); /* SCTE-35 bytes the DATERANGE lacks */
    memcpy(strstr(json, "\"source\": \"option\"}]"), "\"scte35\": \"0xFC\"}]  ", 20);
    put(t, "show.json", json);
    expect_only(t, "daterange-matches-show-json", "hls/a/index.m3u8");
    put(t, "show.json", "{\"breaks\": []}");
    expect_only(t, "daterange-matches-show-json", "hls/a/index.m3u8");
    make_show(t);
    for (int i = 0; i < COUNT(media_files); i++)
        write_media(t, media_files[i], PDT R1);
    expect_only(t, "daterange-matches-show-json", "hls/a/index.m3u8");
}

static void test_daterange_interstitial(void **state)
{
    static const char *const tags[] = {
        /* CUE="PRE" away from 0 */
        PDT R1 RANGE("break-2", "2000-01-01T00:00:07.400Z", "15.000", ",CUE=\"PRE\""),
        /* a pre-roll without it */
        PDT RANGE("break-1", EPOCH, "30.000", "") R2,
        /* both asset attributes */
        PDT R1 RANGE("break-2", "2000-01-01T00:00:07.400Z", "15.000", ",X-ASSET-URI=\"/a.m3u8\""),
        /* neither */
        PDT R1 "#EXT-X-DATERANGE:ID=\"break-2\",CLASS=\"com.apple.hls.interstitial\","
               "START-DATE=\"2000-01-01T00:00:07.400Z\",PLANNED-DURATION=15.000,X-RESUME-OFFSET=0,"
               "X-RESTRICT=\"SKIP,JUMP\"\n",
        /* another CLASS, no X-RESUME-OFFSET, no X-RESTRICT */
        PDT R1 "#EXT-X-DATERANGE:ID=\"break-2\",CLASS=\"com.example.ad\","
               "START-DATE=\"2000-01-01T00:00:07.400Z\",PLANNED-DURATION=15.000,"
               "X-ASSET-LIST=\"/ads/news/break-2.json\"\n",
        /* the same ID twice */
        PDT R1 R2 R2,
    };
    static const char *const also[] = {"daterange-matches-show-json", NULL};

    for (int i = 0; i < COUNT(tags); i++) {
        make_show(*state);
        for (int k = 0; k < COUNT(media_files); k++)
            write_media(*state, media_files[k], tags[i]);
        val_report *r = check_show(*state);
        expect(r, "daterange-interstitial", "hls/a/index.m3u8", i == 5 ? also : NULL);
        free(r);
    }
}

/* ---- break-on-segment-idr: measured media made up -------------------------------------------- */

/* Four segments starting at 10, 16, 17.4 and 22 s, their first pictures IDRs. */
static void fake_media(val_media *m, double *pts, unsigned char *idr)
{
    static const double starts[] = {10, 16, 17.4, 22};

    memset(m, 0, sizeof *m);
    m->has_video = 1;
    m->frame = 1 / 30.0;
    m->start = 10;
    m->seg_pts = pts;
    m->seg_idr = idr;
    m->n_seg = COUNT(starts);
    for (int i = 0; i < m->n_seg; i++) {
        pts[i] = starts[i];
        idr[i] = 1;
    }
}

static void test_break_on_segment_idr(void **state)
{
    (void)state;
    val_breaks *b = calloc(1, sizeof *b);
    val_report *r = new_report();
    val_media m;
    double pts[4];
    unsigned char idr[4];

    assert_non_null(b);
    b->n = 2;
    snprintf(b->b[0].id, sizeof b->b[0].id, "break-1");
    snprintf(b->b[1].id, sizeof b->b[1].id, "break-2");
    b->b[1].time = 7.4;
    fake_media(&m, pts, idr);
    val_check_break_idrs(r, "hls/a/index.m3u8", &m, b, 10);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(r->checks, 2);
    /* a frame-rate-capped rung: its first frame at or after the break, half a frame later */
    pts[2] = 17.4 + 1 / 60.0;
    val_check_break_idrs(r, "hls/a/index.m3u8", &m, b, 10);
    assert_int_equal(r->n_failures, 0);
    pts[2] = 17.4 + 1 / 30.0; /* a whole frame late */
    val_check_break_idrs(r, "hls/a/index.m3u8", &m, b, 10);
    assert_int_equal(failures_of(r, "break-on-segment-idr"), 1);
    assert_non_null(strstr(r->failures[0].message, "break-2 at 7.400 s"));
    pts[2] = 17.4;
    idr[2] = 0; /* the segment starts there, with a picture that is not an IDR */
    val_check_break_idrs(r, "hls/a/index.m3u8", &m, b, 10);
    assert_int_equal(failures_of(r, "break-on-segment-idr"), 2);
    assert_non_null(strstr(r->failures[1].message, "not an IDR"));
    idr[2] = 1;
    b->b[1].time = 9; /* mid-segment */
    val_check_break_idrs(r, "hls/a/index.m3u8", &m, b, 10);
    assert_int_equal(failures_of(r, "break-on-segment-idr"), 3);
    assert_int_equal(r->n_failures, 3);
    free(r);
    free(b);
}

/* The same on segments ffmpeg's HLS muxer cuts at an IDR forced at 1.4 s (TS and fMP4): what
 * media.c records of each segment's first picture is what the rule reads. */
static void test_break_on_segment_idr_media(void **state)
{
    tmp_show *t = *state;
    static const char *const kinds[][2] = {{"ts", "mpegts"}, {"fmp4", "fmp4"}};
    val_breaks *b = calloc(1, sizeof *b);
    char cmd[1024];

    assert_non_null(b);
    b->n = 2;
    snprintf(b->b[0].id, sizeof b->b[0].id, "break-1");
    snprintf(b->b[1].id, sizeof b->b[1].id, "break-2");
    for (int i = 0; i < COUNT(kinds); i++) {
        val_report *r = new_report(), *scratch = new_report();
        val_playlist pl = {0};
        val_media m;
        char uri[64];
        fx_mkdir(fx_join(t->dir, kinds[i][0]));
        snprintf(cmd, sizeof cmd,
                 "cd '%s/%s' && ffmpeg -v error -f lavfi -i testsrc2=size=64x64:rate=25 -t 4 "
                 "-c:v libx264 -x264-params keyint=50:min-keyint=50:scenecut=0 "
                 "-force_key_frames 1.4 -f hls -hls_time 1 -hls_playlist_type vod "
                 "-hls_segment_type %s -hls_segment_filename 'seg%%05d.%s' index.m3u8 "
                 "</dev/null",
                 t->dir, kinds[i][0], kinds[i][1], i ? "m4s" : "ts");
        if (system(cmd) != 0)
            fail_msg("ffmpeg could not make the %s segments", kinds[i][0]);
        snprintf(uri, sizeof uri, "%s/index.m3u8", kinds[i][0]);
        val_read_media(scratch, t->dir, uri, 2, &pl);
        val_scan_variant(scratch, t->dir, uri, 0, &pl, &m);
        assert_int_equal(m.n_seg, 3);
        b->b[1].time = 1.4;
        val_check_break_idrs(r, uri, &m, b, m.start);
        print_failures(r);
        assert_int_equal(r->n_failures, 0);
        b->b[1].time = 2.0; /* inside the second segment */
        val_check_break_idrs(r, uri, &m, b, m.start);
        assert_int_equal(failures_of(r, "break-on-segment-idr"), 1);
        assert_non_null(strstr(r->failures[0].message, "segment 1's at 1.400 s"));
        val_media_free(&m);
        val_playlist_free(&pl);
        free(r);
        free(scratch);
    }
    free(b);
}

/* ---- break-on-mp4-keyframe: an MP4 made by ffmpeg, keyframes at 0, 1 and 3 s ------------------
 */

static void test_break_on_mp4_keyframe(void **state)
{
    tmp_show *t = *state;
    val_breaks *b = calloc(1, sizeof *b);
    val_report *r = new_report();
    char cmd[1024];

    assert_non_null(b);
    fx_mkdir(fx_join(t->dir, "mp4"));
    snprintf(cmd, sizeof cmd,
             "ffmpeg -v error -f lavfi -i testsrc2=size=64x64:rate=25 -t 4 -c:v libx264 "
             "-x264-params keyint=50:min-keyint=50:scenecut=0 -force_key_frames 1 "
             "-movflags +faststart -y '%s/mp4/mp4-64p.mp4' </dev/null",
             t->dir);
    if (system(cmd) != 0)
        fail_msg("ffmpeg could not make the MP4");
    b->n = 2;
    snprintf(b->b[0].id, sizeof b->b[0].id, "break-1");
    snprintf(b->b[1].id, sizeof b->b[1].id, "break-2");
    b->b[1].time = 1.0;
    val_check_break_mp4s(r, t->dir, b);
    print_failures(r);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(r->checks, 2);
    b->b[1].time = 1.5;
    val_check_break_mp4s(r, t->dir, b);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "break-on-mp4-keyframe");
    assert_string_equal(r->failures[0].file, "mp4/mp4-64p.mp4");
    assert_non_null(strstr(r->failures[0].message, "break-2 at 1.500 s"));
    free(r);
    free(b);
}

/* ---- stitched playlists -----------------------------------------------------------------------
 */

#define SHOW_BASE "/shows/news/v1/hls/r/"
#define AD_BASE   "/shows/spot/v2/hls/r/"
#define ST_HEAD                                                                                    \
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n"                \
    "#EXT-X-PLAYLIST-TYPE:VOD\n"
#define DISC            "#EXT-X-DISCONTINUITY\n"
#define SEG(base, n, d) "#EXTINF:" d ",\n" base "seg0000" #n ".ts\n"
#define AD              SEG(AD_BASE, 0, "6.000000") SEG(AD_BASE, 1, "4.000000")
#define SHOW_PART1      SEG(SHOW_BASE, 0, "6.000000") SEG(SHOW_BASE, 1, "1.400000")
#define SHOW_PART2      SEG(SHOW_BASE, 2, "4.600000") SEG(SHOW_BASE, 3, "2.000000")
#define END             "#EXT-X-ENDLIST\n"

static const char show_media[] = MEDIA_HEAD PDT RANGES SEGMENTS("ts");
static const char ad_media[] = MEDIA_HEAD "#EXTINF:6.000000,\nseg00000.ts\n"
                                          "#EXTINF:4.000000,\nseg00001.ts\n" END;
static const char ad2_media[] = MEDIA_HEAD "#EXTINF:5.000000,\nseg00000.ts\n" END;

static val_report *stitched(const char *text)
{
    val_report *r = new_report();
    const val_stitch_source show = {"news", show_media, SHOW_BASE};
    const val_stitch_source ads[] = {{"spot", ad_media, AD_BASE},
                                     {"promo", ad2_media, "/shows/promo/v1/hls/r/"}};
    int ret = val_check_stitched("stitched.m3u8", text, &show, ads, COUNT(ads), r);

    assert_int_equal(ret, r->n_failures ? LADDER_EVALIDATE : 0);
    return r;
}

static void expect_stitched(const char *text, const char *rule)
{
    static const char *const also[] = {"stitched-durations", NULL};
    val_report *r = stitched(text);
    expect(r, rule, "stitched.m3u8", strcmp(rule, "stitched-discontinuities") ? NULL : also);
    free(r);
}

static void test_stitched_good(void **state)
{
    (void)state;
    /* a pre-roll (a discontinuity first or not), a mid-roll of two ads, none at all */
    static const char *const good[] = {
        ST_HEAD DISC AD DISC SHOW_PART1 DISC AD DISC SHOW_PART2 END,
        ST_HEAD AD DISC SHOW_PART1 DISC AD DISC
        "#EXTINF:5.000000,\n/shows/promo/v1/hls/r/seg00000.ts\n" DISC SHOW_PART2 END,
        ST_HEAD SHOW_PART1 SHOW_PART2 END,
        /* absolute URLs on the origin's host */
        ST_HEAD SHOW_PART1 DISC
        "#EXTINF:6.000000,\nhttp://cdn.example/shows/spot/v2/hls/r/"
        "seg00000.ts\n#EXTINF:4.000000,\nhttp://cdn.example/shows/spot/v2/hls/r/seg00001.ts\n" DISC
            SHOW_PART2 END,
    };
    for (int i = 0; i < COUNT(good); i++) {
        val_report *r = stitched(good[i]);
        print_failures(r);
        assert_int_equal(r->n_failures, 0);
        assert_true(r->checks >= 8);
        free(r);
    }
}

static void test_stitched_discontinuities(void **state)
{
    (void)state;
    /* none before the mid-roll's ad */
    expect_stitched(ST_HEAD SHOW_PART1 AD DISC SHOW_PART2 END, "stitched-discontinuities");
    /* none before the show's segment after it */
    expect_stitched(ST_HEAD SHOW_PART1 DISC AD SHOW_PART2 END, "stitched-discontinuities");
    /* none between two ads */
    expect_stitched(ST_HEAD SHOW_PART1 DISC AD "#EXTINF:5.000000,\n/shows/promo/v1/hls/r/"
                                               "seg00000.ts\n" DISC SHOW_PART2 END,
                    "stitched-discontinuities");
    /* one inside the show, with no ad */
    expect_stitched(ST_HEAD SHOW_PART1 DISC SHOW_PART2 END, "stitched-discontinuities");
    /* one inside an ad */
    expect_stitched(ST_HEAD SHOW_PART1 DISC SEG(AD_BASE, 0, "6.000000")
                        DISC SEG(AD_BASE, 1, "4.000000") DISC SHOW_PART2 END,
                    "stitched-discontinuities");
}

static void test_stitched_durations(void **state)
{
    (void)state;
    /* an ad cut short */
    expect_stitched(ST_HEAD SHOW_PART1 DISC SEG(AD_BASE, 0, "6.000000") DISC SHOW_PART2 END,
                    "stitched-durations");
    /* an ad segment's EXTINF changed */
    expect_stitched(ST_HEAD SHOW_PART1 DISC SEG(AD_BASE, 0, "6.000000") SEG(AD_BASE, 1, "3.000000")
                        DISC SHOW_PART2 END,
                    "stitched-durations");
    /* the show's segment changed */
    expect_stitched(ST_HEAD SEG(SHOW_BASE, 0, "6.000000") SEG(SHOW_BASE, 1, "1.500000")
                        DISC AD DISC SHOW_PART2 END,
                    "stitched-durations");
    /* ads where no break is (after the show's first segment) */
    expect_stitched(ST_HEAD SEG(SHOW_BASE, 0, "6.000000") DISC AD DISC SEG(SHOW_BASE, 1, "1.400000")
                        SHOW_PART2 END,
                    "stitched-durations");
    /* the show's last segment missing */
    expect_stitched(ST_HEAD SHOW_PART1 DISC AD DISC SEG(SHOW_BASE, 2, "4.600000") END,
                    "stitched-durations");
}

/* A subtitle playlist: the ad, which has no subtitles, is empty WebVTT of its length. */
static void test_stitched_subtitle_span(void **state)
{
    (void)state;
    const val_stitch_source show = {"news", show_media, SHOW_BASE, 0};
    const val_stitch_source ad = {"spot", ad_media, NULL, 1}; /* its video: 10 s */
    static const char *const texts[] = {
        ST_HEAD SHOW_PART1 DISC "#EXTINF:5.000000,\n/stitched/empty.vtt\n"
                                "#EXTINF:5.000000,\n/stitched/empty.vtt\n" DISC SHOW_PART2 END,
        ST_HEAD SHOW_PART1 DISC "#EXTINF:4.000000,\n/stitched/empty.vtt\n"
                                "#EXTINF:5.000000,\n/stitched/empty.vtt\n" DISC SHOW_PART2 END,
    };

    for (int i = 0; i < COUNT(texts); i++) {
        val_report *r = new_report();
        val_check_stitched("stitched.m3u8", texts[i], &show, &ad, 1, r);
        if (i == 0) {
            print_failures(r);
            assert_int_equal(r->n_failures, 0);
        } else {
            expect(r, "stitched-durations", "stitched.m3u8", NULL);
        }
        free(r);
    }
}

static void test_stitched_target_duration(void **state)
{
    (void)state;
    expect_stitched("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:5\n"
                    "#EXT-X-PLAYLIST-TYPE:VOD\n" SHOW_PART1 DISC AD DISC SHOW_PART2 END,
                    "stitched-target-duration");
}

static void test_stitched_no_interstitials(void **state)
{
    (void)state;
    expect_stitched(ST_HEAD PDT R2 SHOW_PART1 DISC AD DISC SHOW_PART2 END,
                    "stitched-no-interstitials");
}

/* ---- ad-rungs-match ---------------------------------------------------------------------------
 */

static void test_ad_rungs_match(void **state)
{
    tmp_show *t = *state;
    char show[256], ad[256];
    val_report *r = new_report();
    const char *folders[] = {"show", "show/hls", "show/mp4", "ad", "ad/hls", "ad/mp4"};

    snprintf(show, sizeof show, "%s/show", t->dir);
    snprintf(ad, sizeof ad, "%s/ad", t->dir);
    for (int i = 0; i < COUNT(folders); i++)
        fx_mkdir(fx_join(t->dir, folders[i]));
    fx_write(fx_join(show, "master.m3u8"), master);
    fx_write(fx_join(ad, "master.m3u8"), master);
    fx_write(fx_join(show, "mp4/mp4-360p.mp4"), "");
    fx_write(fx_join(ad, "mp4/mp4-360p.mp4"), "");
    assert_int_equal(val_check_ad(show, ad, "ad", r), 0);
    assert_int_equal(r->checks, 1);
    fx_write(fx_join(ad, "mp4/mp4-720p.mp4"), ""); /* an MP4 rung the show has not */
    assert_int_equal(val_check_ad(show, ad, "ad", r), LADDER_EVALIDATE);
    assert_int_equal(failures_of(r, "ad-rungs-match"), 1);
    assert_non_null(strstr(r->failures[0].message, "mp4/mp4-720p.mp4"));
    remove(fx_join(ad, "mp4/mp4-720p.mp4"));
    char other[sizeof master];
    snprintf(other, sizeof other, "%s", master);
    memcpy(strstr(other, "hls/b/index"), "hls/c/index", 11); /* another HLS rung */
    fx_write(fx_join(ad, "master.m3u8"), other);
    assert_int_equal(val_check_ad(show, ad, "ad", r), LADDER_EVALIDATE);
    assert_int_equal(failures_of(r, "ad-rungs-match"), 2);
    assert_non_null(strstr(r->failures[1].message, "hls/c"));
    remove(fx_join(ad, "master.m3u8")); /* not a show at all */
    assert_int_equal(val_check_ad(show, ad, "ad", r), LADDER_EVALIDATE);
    assert_int_equal(failures_of(r, "ad-rungs-match"), 3);
    free(r);
}

#include "test_ads_tests.h"

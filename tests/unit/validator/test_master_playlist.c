/* test_master_playlist.c: the validator's multivariant playlist reader (val_read_master,
 * playlist.c) and val_validate's argument checks, on small playlists written to a temporary
 * folder, one folder per test; the rules are named as in docs/hls-rules.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_test.h"

#define UNIT_SETUP    fx_tmp_setup
#define UNIT_TEARDOWN fx_tmp_teardown

/* ---- val_read_master ------------------------------------------------------------------------ */

static const char *const good_master =
    "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=1200000,AVERAGE-BANDWIDTH=1000000,"
    "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=25.000,"
    "CLOSED-CAPTIONS=NONE\n"
    "hls/720p/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=500000,AVERAGE-BANDWIDTH=400000,"
    "CODECS=\"avc1.4d401e,mp4a.40.2\",RESOLUTION=640x360,FRAME-RATE=25.000,"
    "CLOSED-CAPTIONS=NONE\n"
    "hls/360p/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=130000,CODECS=\"mp4a.40.2\","
    "CLOSED-CAPTIONS=NONE\n"
    "hls/audio/index.m3u8\n"
    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,"
    "URI=\"hls/720p/iframes.m3u8\"\n"
    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=40000,CODECS=\"avc1.4d401e\",RESOLUTION=640x360,"
    "URI=\"hls/360p/iframes.m3u8\"\n";

static val_master *read_master_text(const tmp_show *t, const char *text, val_report **r)
{
    val_master *m = calloc(1, sizeof *m);
    assert_non_null(m);
    *r = new_report();
    put(t, "master.m3u8", text);
    val_read_master(*r, t->dir, m);
    return m;
}

static void test_master_good(void **state)
{
    val_report *r;
    val_master *m = read_master_text(*state, good_master, &r);

    assert_int_equal(r->n_failures, 0);
    assert_int_equal(m->n, 3);
    assert_int_equal(m->n_iframes, 2);
    assert_false(m->too_many);
    assert_string_equal(m->v[0].uri, "hls/720p/index.m3u8");
    assert_int_equal(m->v[0].bandwidth, 1200000);
    assert_int_equal(m->v[0].average, 1000000);
    assert_string_equal(m->v[0].codecs, "avc1.64001f,mp4a.40.2");
    assert_true(m->v[0].has_codecs && m->v[0].has_resolution && m->v[0].has_frame_rate);
    assert_false(m->v[0].audio_only);
    assert_string_equal(m->v[1].uri, "hls/360p/index.m3u8");
    assert_string_equal(m->v[2].uri, "hls/audio/index.m3u8");
    assert_true(m->v[2].audio_only);
    assert_false(m->v[2].has_resolution);
    assert_string_equal(m->iframes[0].uri, "hls/720p/iframes.m3u8");
    assert_string_equal(m->iframes[1].uri, "hls/360p/iframes.m3u8");
    assert_string_equal(m->iframes[1].codecs, "avc1.4d401e");
    free(m);
    free(r);
}

/* Absent attributes read as -1 / 0, for the rules to report. */
/* CR LF line ends (RFC 8216 4.1) read the same as LF ones. */
static void test_master_crlf_lines(void **state)
{
    char crlf[4096];
    size_t n = 0;
    val_report *r;
    val_master *m;

    for (const char *p = good_master; *p && n + 2 < sizeof crlf; p++) {
        if (*p == '\n')
            crlf[n++] = '\r';
        crlf[n++] = *p;
    }
    crlf[n] = '\0';
    m = read_master_text(*state, crlf, &r);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(m->n, 3);
    assert_string_equal(m->v[0].uri, "hls/720p/index.m3u8");
    assert_string_equal(m->v[2].uri, "hls/audio/index.m3u8");
    assert_string_equal(m->v[0].codecs, "avc1.64001f,mp4a.40.2");
    assert_int_equal(m->n_iframes, 2);
    assert_string_equal(m->iframes[1].uri, "hls/360p/iframes.m3u8");
    free(m);
    free(r);
}

static void test_master_missing_attributes(void **state)
{
    val_report *r;
    val_master *m = read_master_text(*state,
                                     "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                                     "#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=5,"
                                     "CLOSED-CAPTIONS=NONE\na.m3u8\n"
                                     "#EXT-X-STREAM-INF:BANDWIDTH=7,CLOSED-CAPTIONS=NONE\n"
                                     "b.m3u8\n",
                                     &r);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(m->n, 2);
    assert_int_equal(m->v[0].bandwidth, -1);
    assert_int_equal(m->v[0].average, 5);
    assert_int_equal(m->v[1].bandwidth, 7);
    assert_int_equal(m->v[1].average, -1);
    assert_false(m->v[1].has_codecs);
    free(m);
    free(r);
}

/* The master's own rules: one variant is not a ladder, INDEPENDENT-SEGMENTS is required. */
static void test_master_own_rules(void **state)
{
    val_report *r;
    val_master *m = read_master_text(
        *state,
        "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-STREAM-INF:BANDWIDTH=7,CLOSED-CAPTIONS=NONE\nb.m3u8\n",
        &r);
    assert_int_equal(failures_of(r, "more-than-one-variant"), 1);
    assert_int_equal(failures_of(r, "independent-segments"), 1);
    assert_int_equal(r->n_failures, 2);
    assert_int_equal(m->n, 1);
    free(m);
    free(r);
}

/* More STREAM-INF (or I-FRAME-STREAM-INF) lines than a ladder makes: too-many-variants, and
 * the reader keeps the first VAL_MAX_VARIANTS without writing past its arrays. */
static void test_master_too_many_variants(void **state)
{
    for (int iframes = 0; iframes < 2; iframes++) {
        ladder_text text = {0};
        val_report *r;
        val_master *m;

        char last[32];

        /* VAL_MAX_VARIANTS + 3 of one kind, VAL_MAX_VARIANTS (allowed) of the other */
        ladder_text_printf(&text, "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (int i = 0; i < VAL_MAX_VARIANTS + 3; i++) {
            if (!iframes || i < VAL_MAX_VARIANTS)
                ladder_text_printf(&text,
                                   "#EXT-X-STREAM-INF:BANDWIDTH=%d,CLOSED-CAPTIONS=NONE\n"
                                   "v%d.m3u8\n",
                                   1000 + i, i);
            if (iframes || i < VAL_MAX_VARIANTS)
                ladder_text_printf(&text,
                                   "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"i%d.m3u8\"\n", i);
        }
        assert_false(text.failed);
        m = read_master_text(*state, text.s, &r);
        ladder_text_free(&text);
        assert_true(m->too_many);
        assert_int_equal(failures_of(r, "too-many-variants"), 1);
        assert_int_equal(r->n_failures, 1);
        assert_int_equal(m->n, VAL_MAX_VARIANTS);
        assert_int_equal(m->n_iframes, VAL_MAX_VARIANTS);
        /* the first ones are kept, each with its own URI */
        snprintf(last, sizeof last, "v%d.m3u8", VAL_MAX_VARIANTS - 1);
        assert_string_equal(m->v[VAL_MAX_VARIANTS - 1].uri, last);
        assert_int_equal(m->v[VAL_MAX_VARIANTS - 1].bandwidth, 1000 + VAL_MAX_VARIANTS - 1);
        snprintf(last, sizeof last, "i%d.m3u8", VAL_MAX_VARIANTS - 1);
        assert_string_equal(m->iframes[VAL_MAX_VARIANTS - 1].uri, last);
        free(m);
        free(r);
    }
}

/* CLOSED-CAPTIONS: on every variant, NONE on all or none, and a named group declared. */
static void test_master_closed_captions(void **state)
{
    static const char head[] = "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n";
    static const struct {
        const char *media, *a, *b;
        int failures;
    } cases[] = {
        {"", "NONE", "NONE", 0},
        {"", "", "NONE", 2},         /* absent on one, so NONE is not on all */
        {"", "\"cc\"", "NONE", 3},   /* mixed; and cc is not declared */
        {"", "\"cc\"", "\"cc\"", 2}, /* not declared */
        {"#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"English\","
         "INSTREAM-ID=\"CC1\"\n",
         "\"cc\"", "\"cc\"", 0},
        /* a variant without 608 (audio alone) says nothing when another names a group */
        {"#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"English\","
         "INSTREAM-ID=\"CC1\"\n",
         "\"cc\"", "", 0},
        {"#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"English\","
         "INSTREAM-ID=\"SERVICE1\"\n",
         "\"cc\"", "\"cc\"", 2}, /* not a 608 channel */
        {"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"cc\",LANGUAGE=\"en\",NAME=\"English\","
         "URI=\"s.m3u8\"\n",
         "\"cc\"", "\"cc\"", 2}, /* a group of another type (and no SUBTITLES on a variant) */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        val_report *r;
        val_master *m;
        snprintf(text, sizeof text,
                 "%s%s#EXT-X-STREAM-INF:BANDWIDTH=7%s%s\na.m3u8\n"
                 "#EXT-X-STREAM-INF:BANDWIDTH=9%s%s\nb.m3u8\n",
                 head, cases[i].media, cases[i].a[0] ? ",CLOSED-CAPTIONS=" : "", cases[i].a,
                 cases[i].b[0] ? ",CLOSED-CAPTIONS=" : "", cases[i].b);
        m = read_master_text(*state, text, &r);
        if (failures_of(r, "closed-captions-signalled") != cases[i].failures ||
            r->n_failures - failures_of(r, "subtitles-signalled") != cases[i].failures)
            fail_msg("case %zu: %d failures, expected %d", i, r->n_failures, cases[i].failures);
        free(m);
        free(r);
    }
}

/* SUBTITLES renditions: GROUP-ID, LANGUAGE, NAME and URI; AUTOSELECT with DEFAULT; every
 * variant names a declared group once the show has subtitles. */
static void test_master_subtitles(void **state)
{
    static const char head[] = "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n";
    static const char en[] = "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",LANGUAGE=\"en\","
                             "NAME=\"English\",DEFAULT=NO,AUTOSELECT=YES,URI=\"s/en.m3u8\"\n";
    static const struct {
        const char *media, *a, *b;
        int failures;
    } cases[] = {
        {en, "subs", "subs", 0},
        {"", "", "", 0},         /* no subtitles at all */
        {en, "subs", "", 1},     /* a variant without them */
        {en, "subs", "x", 1},    /* a group never declared */
        {"", "subs", "subs", 2}, /* nothing declared */
        {"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",URI=\"s/en.m3u8\"\n",
         "subs", "subs", 1}, /* no LANGUAGE */
        {"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",LANGUAGE=\"en\",NAME=\"English\"\n", "subs",
         "subs", 1}, /* no URI */
        {"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",LANGUAGE=\"en\",NAME=\"English\","
         "DEFAULT=YES,URI=\"s/en.m3u8\"\n",
         "subs", "subs", 1}, /* DEFAULT=YES without AUTOSELECT=YES */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        val_report *r;
        val_master *m;
        snprintf(text, sizeof text,
                 "%s%s#EXT-X-STREAM-INF:BANDWIDTH=7%s%s%s,CLOSED-CAPTIONS=NONE\na.m3u8\n"
                 "#EXT-X-STREAM-INF:BANDWIDTH=9%s%s%s,CLOSED-CAPTIONS=NONE\nb.m3u8\n",
                 head, cases[i].media, cases[i].a[0] ? ",SUBTITLES=\"" : "", cases[i].a,
                 cases[i].a[0] ? "\"" : "", cases[i].b[0] ? ",SUBTITLES=\"" : "", cases[i].b,
                 cases[i].b[0] ? "\"" : "");
        m = read_master_text(*state, text, &r);
        if (failures_of(r, "subtitles-signalled") != cases[i].failures ||
            r->n_failures != cases[i].failures)
            fail_msg("case %zu: %d failures, expected %d", i, r->n_failures, cases[i].failures);
        free(m);
        free(r);
    }
}

static void test_master_missing(void **state)
{
    tmp_show *t = *state;
    val_master *m = calloc(1, sizeof *m);
    val_report *r = new_report();

    assert_non_null(m);
    val_read_master(r, t->dir, m); /* the group's folder holds no master.m3u8 before this */
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "playlist-exists");
    assert_int_equal(m->n, 0);
    free(m);
    free(r);
}

/* fMP4's audio renditions (audio-rendition-signalled): each that is no variant is read as one. */
static const char *const grouped_master =
    "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac-64\",NAME=\"Audio 64k\",DEFAULT=YES,AUTOSELECT=YES,"
    "CHANNELS=\"2\",URI=\"hls/audio/index.m3u8\"\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac-128\",NAME=\"Audio 128k\",DEFAULT=YES,AUTOSELECT=YES,"
    "%sURI=\"hls/audio-128/index.m3u8\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=1200000,AVERAGE-BANDWIDTH=1000000,"
    "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=25.000,AUDIO=\"%s\","
    "CLOSED-CAPTIONS=NONE\nhls/720p/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=500000,AVERAGE-BANDWIDTH=400000,"
    "CODECS=\"avc1.4d401e,mp4a.40.2\",RESOLUTION=640x360,FRAME-RATE=25.000,AUDIO=\"aac-64\","
    "CLOSED-CAPTIONS=NONE\nhls/360p/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=70000,AVERAGE-BANDWIDTH=65000,CODECS=\"mp4a.40.2\","
    "CLOSED-CAPTIONS=NONE\nhls/audio/index.m3u8\n";

static void test_master_audio_groups(void **state)
{
    char text[2048];
    val_report *r;
    val_master *m;

    snprintf(text, sizeof text, grouped_master, "CHANNELS=\"2\",", "aac-128");
    m = read_master_text(*state, text, &r);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(m->n_audio, 2);
    assert_int_equal(m->n, 4); /* hls/audio is a variant already; hls/audio-128 is added */
    assert_string_equal(m->v[0].audio, "aac-128");
    assert_string_equal(m->v[3].uri, "hls/audio-128/index.m3u8");
    assert_true(m->v[3].rendition && m->v[3].audio_only);
    assert_false(m->v[2].rendition);
    assert_string_equal(val_audio_group_of(m, "aac-64")->uri, "hls/audio/index.m3u8");
    free(m);
    free(r);
}

static void test_master_audio_group_undeclared(void **state)
{
    char text[2048];
    val_report *r;
    val_master *m;

    snprintf(text, sizeof text, grouped_master, "CHANNELS=\"2\",", "aac-96");
    m = read_master_text(*state, text, &r);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "audio-rendition-signalled");
    assert_non_null(strstr(r->failures[0].message, "aac-96"));
    free(m);
    free(r);
    snprintf(text, sizeof text, grouped_master, "", "aac-128"); /* no CHANNELS */
    m = read_master_text(*state, text, &r);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "audio-rendition-signalled");
    free(m);
    free(r);
}

/* ---- val_validate --------------------------------------------------------------------------- */

/* The rule constants come from the ladder: without one there is nothing to judge against. */
static void test_validate_needs_ladder(void **state)
{
    tmp_show *t = *state;
    val_report *r = new_report();

    put(t, "master.m3u8", good_master);
    assert_int_equal(val_validate(t->dir, NULL, NULL, 0, r), LADDER_EINVAL);
    assert_int_equal(r->n_failures, 0);
    free(r);
}

#include "test_master_playlist_tests.h"

/* test_per_title.c: a per-title show's own ladder (validator/rules_per_title.c,
 * docs/hls-rules.md#per-title-ladder) on crafted shows: pbs16 with the per_title ladder a
 * static 640x360 clip gets (four HLS rungs and two MP4s made, the rest not fed), written as
 * show.json beside a master playlist that gives each HLS variant its FRAME-RATE and empty MP4
 * files that mark the MP4 rungs made. The effective ladder, the publish case (the ladder given
 * is already the show's), and per-title-ladder broken in each way it is read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>

#include "val_test.h"

/* FFmpeg's complaints about the empty MP4 files are not the test's output. */
static int av_level;

static int group_setup(void **state)
{
    (void)state;
    av_level = av_log_get_level();
    av_log_set_level(AV_LOG_QUIET);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    av_log_set_level(av_level);
    return 0;
}

#define UNIT_SETUP          fx_tmp_setup
#define UNIT_TEARDOWN       fx_tmp_teardown
#define UNIT_GROUP_SETUP    group_setup
#define UNIT_GROUP_TEARDOWN group_teardown

/* The rungs per-title moved, as the chooser could move them on a static 640x360 clip (bitrates
 * down, the lowest two rungs on larger boxes, the VBV in pbs16's proportion, the steps between
 * 1.15 and 2); the other rungs of pbs16 keep the profile's figures. */
static const struct chosen {
    const char *name;
    int kbps, maxrate, bufsize, w, h;
} CHOSEN[] = {
    {"hls-234p-145", 120, 180, 240, 480, 270}, {"hls-270p-300", 170, 255, 340, 640, 360},
    {"hls-360p-365", 230, 345, 460, 640, 360}, {"hls-360p-600", 300, 450, 600, 640, 360},
    {"mp4-180p-250", 250, 375, 500, 320, 180}, {"mp4-360p-500", 280, 420, 560, 640, 360},
};

static const char master[] =
    "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=281750,AVERAGE-BANDWIDTH=269592,CODECS=\"avc1.4d401e,mp4a.40.2\","
    "RESOLUTION=640x360,FRAME-RATE=30.000\nhls/hls-360p-600/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=208304,AVERAGE-BANDWIDTH=204544,CODECS=\"avc1.42c01e,mp4a.40.2\","
    "RESOLUTION=480x270,FRAME-RATE=30.000\nhls/hls-234p-145/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=237883,AVERAGE-BANDWIDTH=236003,CODECS=\"avc1.42c01e,mp4a.40.2\","
    "RESOLUTION=640x360,FRAME-RATE=30.000\nhls/hls-270p-300/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=252923,AVERAGE-BANDWIDTH=246531,CODECS=\"avc1.4d401e,mp4a.40.2\","
    "RESOLUTION=640x360,FRAME-RATE=30.000\nhls/hls-360p-365/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=123328,AVERAGE-BANDWIDTH=123078,CODECS=\"mp4a.40.2\"\n"
    "hls/audio/index.m3u8\n";

static const struct chosen *chosen_of(const char *name)
{
    for (int i = 0; i < COUNT(CHOSEN); i++)
        if (strcmp(CHOSEN[i].name, name) == 0)
            return &CHOSEN[i];
    return NULL;
}

/* show.json of the crafted show into out: renditions (the made rungs) and per_title, one rung
 * a line, as `"name": "NAME", "use": "USE", "kbps": ...` (what the tests edit), without the
 * rung named skip (NULL: none). */
static void show_json(const prof_ladder *l, const char *skip, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "{\"format\": 1, \"id\": \"still\", \"renditions\": [");

    for (int i = 0, first = 1; i < COUNT(CHOSEN); i++, first = 0)
        n += (size_t)snprintf(out + n, len - n,
                              "%s\n {\"name\": \"%s\", \"use\": \"%.3s\", \"width\": %d, "
                              "\"target_kbps\": %d, \"avg_bps\": 1}",
                              first ? "" : ",", CHOSEN[i].name, CHOSEN[i].name, CHOSEN[i].w,
                              CHOSEN[i].kbps);
    n += (size_t)snprintf(out + n, len - n,
                          "],\n \"per_title\": {\"status\": \"chosen\", \"display\": "
                          "{\"width\": 640, \"height\": 360}, \"windows\": [0, 6.5], \"rungs\": [");
    for (int i = 0, first = 1; i < l->n_rungs; i++) {
        const prof_rung *r = &l->rungs[i];
        const struct chosen *c = chosen_of(r->name);
        if (skip && strcmp(r->name, skip) == 0)
            continue;
        n += (size_t)snprintf(
            out + n, len - n,
            "%s\n  {\"name\": \"%s\", \"use\": \"%s\", \"profile_kbps\": %d, \"kbps\": %d, "
            "\"maxrate_kbps\": %d, \"bufsize_kbps\": %d, \"box\": [%d, %d], \"reason\": \"%s\"}",
            first ? "" : ",", r->name, r->use == PROF_USE_MP4 ? "mp4" : "hls", r->video_kbps,
            c ? c->kbps : r->video_kbps, c ? c->maxrate : r->maxrate_kbps,
            c ? c->bufsize : r->bufsize_kbps, c ? c->w : r->width, c ? c->h : r->height,
            c ? "the lowest bitrate reaching its target" : "the source does not feed it");
        first = 0;
    }
    snprintf(out + n, len - n, "]}}\n");
    assert_true(n + 4 < len);
}

/* The first `from` in text replaced by `to` (text has room for it). */
static void replace(char *text, const char *from, const char *to)
{
    char *at = strstr(text, from);

    assert_non_null(at);
    memmove(at + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
    memcpy(at, to, strlen(to));
}

typedef struct crafted {
    prof_ladder profile, effective;
    char json[16384];
} crafted;

/* The crafted show in t's folder; its show.json text in c->json. */
static crafted *craft(tmp_show *t)
{
    crafted *c = calloc(1, sizeof *c);
    ladder_error err = {0};

    assert_non_null(c);
    assert_int_equal(prof_load_default(&c->profile, &err), 0);
    show_json(&c->profile, NULL, c->json, sizeof c->json);
    put(t, "show.json", c->json);
    put(t, "master.m3u8", master);
    fx_mkdir(fx_join(t->dir, "mp4"));
    put(t, "mp4/mp4-180p-250.mp4", ""); /* unreadable: made, at the most fps it may have */
    put(t, "mp4/mp4-360p-500.mp4", "");
    return c;
}

/* per-title-ladder on the show as it is now in t's folder. */
static val_report *check(tmp_show *t, crafted *c)
{
    val_report *r = new_report();

    val_per_title_ladder(r, t->dir, &c->profile, &c->effective);
    return r;
}

/* After an edit of c->json: written, checked, one per-title-ladder failure saying words. */
static void fails(tmp_show *t, crafted *c, const char *words)
{
    put(t, "show.json", c->json);
    val_report *r = check(t, c);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "per-title-ladder");
    assert_string_equal(r->failures[0].file, "show.json");
    if (!strstr(r->failures[0].message, words))
        fail_msg("'%s' does not say '%s'", r->failures[0].message, words);
    free(r);
}

static void test_chosen_ladder_is_the_shows(void **state)
{
    tmp_show *t = *state;
    crafted *c = craft(t);
    val_report *r = check(t, c);
    const prof_rung *low = prof_find_rung(&c->effective, "hls-234p-145");
    const prof_rung *top = prof_find_rung(&c->effective, "hls-1080p-4500");

    assert_int_equal(r->n_failures, 0);
    assert_int_equal(r->checks, 3); /* readable, the ladder, the renditions' bitrates */
    assert_int_equal(c->effective.n_rungs, c->profile.n_rungs);
    assert_int_equal(low->video_kbps, 120);
    assert_int_equal(low->maxrate_kbps, 180);
    assert_int_equal(low->bufsize_kbps, 240);
    assert_int_equal(low->width, 480);
    assert_int_equal(low->height, 270);
    assert_string_equal(low->h264_profile, "baseline"); /* what per-title may not change */
    assert_int_equal(low->level_idc, 30);
    assert_memory_equal(top, prof_find_rung(&c->profile, "hls-1080p-4500"), sizeof *top);
    free(r);
    free(c);
}

/* Publishing validates with the ladder it used: the show's own, which show.json repeats. */
static void test_given_the_shows_ladder(void **state)
{
    tmp_show *t = *state;
    crafted *c = craft(t);
    val_report *r = check(t, c);
    prof_ladder *own = malloc(sizeof *own);

    assert_non_null(own);
    *own = c->effective;
    free(r);
    c->profile = *own;
    r = check(t, c);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(r->checks, 3);
    assert_memory_equal(&c->effective, own, sizeof *own);
    free(r);
    free(own);
    free(c);
}

static void test_no_per_title_or_fallback(void **state)
{
    tmp_show *t = *state;
    crafted *c = craft(t);
    char why[256];
    val_report *r;

    put(t, "show.json", "{\"format\": 1, \"id\": \"still\"}");
    r = check(t, c);
    assert_int_equal(r->checks, 0);
    assert_memory_equal(&c->effective, &c->profile, sizeof c->profile);
    free(r);
    put(t, "show.json", "{\"per_title\": {\"status\": \"fallback\", \"reason\": \"too short\"}}");
    r = check(t, c);
    assert_int_equal(r->checks, 0);
    assert_memory_equal(&c->effective, &c->profile, sizeof c->profile);
    free(r);
    remove(fx_join(t->dir, "show.json"));
    r = check(t, c);
    assert_int_equal(r->checks, 0);
    free(r);
    assert_int_equal(val_per_title_parse(NULL, &c->profile, &c->effective, why, sizeof why),
                     VAL_PT_NONE);
    assert_int_equal(val_per_title_parse("not json", &c->profile, &c->effective, why, sizeof why),
                     VAL_PT_NONE);
    assert_string_equal(why, "");
    free(c);
}

static void test_unreadable(void **state)
{
    tmp_show *t = *state;
    crafted *c = craft(t);
    char why[256];
    static const char *const bad[] = {
        "{\"per_title\": 5}",
        "{\"per_title\": {}}",
        "{\"per_title\": {\"status\": \"maybe\", \"rungs\": []}}",
        "{\"per_title\": {\"status\": \"chosen\"}}",
        "{\"per_title\": {\"status\": \"chosen\", \"rungs\": []}}",
        "{\"per_title\": {\"status\": \"chosen\", \"rungs\": [{\"name\": \"hls-234p-145\"}]}}",
        "{\"per_title\": {\"status\": \"chosen\", \"rungs\": [{\"name\": \"hls-234p-145\", "
        "\"use\": \"hls\", \"kbps\": 66, \"maxrate_kbps\": 99, \"bufsize_kbps\": 132, "
        "\"box\": [480, 270, 1]}]}}",
        "{\"per_title\": {\"status\": \"chosen\", \"rungs\": [{\"name\": \"hls-234p-145\", "
        "\"use\": \"hls\", \"kbps\": 66.5, \"maxrate_kbps\": 99, \"bufsize_kbps\": 132, "
        "\"box\": [480, 270]}]}}",
        "{\"per_title\": {\"status\": \"chosen\", \"rungs\": [{\"name\": \"hls-234p-145\", "
        "\"use\": \"hls\", \"kbps\": -66, \"maxrate_kbps\": 99, \"bufsize_kbps\": 132, "
        "\"box\": [480, 270]}]}}",
        "{\"per_title\": {\"status\": \"chosen\", \"rungs\": [{\"name\": \"hls-234p-145\", "
        "\"use\": \"hls\", \"kbps\": 66, \"maxrate_kbps\": 99, \"bufsize_kbps\": 132, "
        "\"box\": [480, 270]}",
    };

    for (int i = 0; i < COUNT(bad); i++) {
        if (val_per_title_parse(bad[i], &c->profile, &c->effective, why, sizeof why) !=
            VAL_PT_UNREADABLE)
            fail_msg("readable: %s", bad[i]);
        assert_non_null(strstr(why, "not readable"));
        assert_memory_equal(&c->effective, &c->profile, sizeof c->profile);
    }
    replace(c->json, "\"kbps\": 120,", "\"kbps\": \"120\",");
    fails(t, c, "not readable");
    free(c);
}

static void test_rungs_named_once(void **state)
{
    tmp_show *t = *state;
    crafted *c = craft(t);
    char good[sizeof c->json];

    memcpy(good, c->json, sizeof good);
    replace(c->json, "\"name\": \"mp4-1080p-3500\"", "\"name\": \"mp4-2160p\"");
    fails(t, c, "names rung 'mp4-2160p', which profile pbs16 does not have");
    memcpy(c->json, good, sizeof good);
    replace(c->json, "\"name\": \"mp4-1080p-3500\"", "\"name\": \"mp4-720p-1800\"");
    fails(t, c, "lists rung 'mp4-720p-1800' twice");
    memcpy(c->json, good, sizeof good);
    replace(c->json, "\"name\": \"mp4-1080p-3500\", \"use\": \"mp4\"",
            "\"name\": \"mp4-1080p-3500\", \"use\": \"hls\"");
    fails(t, c, "rung 'mp4-1080p-3500' as hls, profile pbs16 as mp4");
    show_json(&c->profile, "hls-720p-3000", c->json, sizeof c->json);
    fails(t, c, "does not list rung 'hls-720p-3000' of profile pbs16");
    free(c);
}

static void test_ladder_verified(void **state)
{
    tmp_show *t = *state;
    crafted *c = craft(t);
    char good[sizeof c->json];

    memcpy(good, c->json, sizeof good);
    /* above its ceiling, the profile's 600 (VBV in proportion) */
    replace(c->json, "\"kbps\": 300, \"maxrate_kbps\": 450, \"bufsize_kbps\": 600",
            "\"kbps\": 700, \"maxrate_kbps\": 1050, \"bufsize_kbps\": 1400");
    replace(c->json, "\"target_kbps\": 300", "\"target_kbps\": 700");
    fails(t, c, "outside its per-title bounds");
    /* a box no HLS rung of the profile has */
    memcpy(c->json, good, sizeof good);
    replace(c->json, "\"bufsize_kbps\": 600, \"box\": [640, 360]",
            "\"bufsize_kbps\": 600, \"box\": [600, 338]");
    fails(t, c, "box 600x338 is not one it may take");
    /* two adjacent HLS rungs 1.005x apart */
    memcpy(c->json, good, sizeof good);
    replace(c->json, "\"kbps\": 230, \"maxrate_kbps\": 345, \"bufsize_kbps\": 460",
            "\"kbps\": 299, \"maxrate_kbps\": 449, \"bufsize_kbps\": 598");
    replace(c->json, "\"target_kbps\": 230", "\"target_kbps\": 299");
    fails(t, c, "outside the steps");
    /* the VBV out of the profile's proportion */
    memcpy(c->json, good, sizeof good);
    replace(c->json, "\"maxrate_kbps\": 450", "\"maxrate_kbps\": 600");
    fails(t, c, "not in the profile's proportion");
    /* a rung the show does not have that is not the profile's */
    memcpy(c->json, good, sizeof good);
    replace(c->json, "\"kbps\": 730,", "\"kbps\": 700,");
    fails(t, c, "rung 'hls-432p-730' is not made from this source");
    /* an MP4's box changed */
    memcpy(c->json, good, sizeof good);
    replace(c->json, "\"bufsize_kbps\": 560, \"box\": [640, 360]",
            "\"bufsize_kbps\": 560, \"box\": [480, 270]");
    fails(t, c, "box 480x270 is not one it may take");
    free(c);
}

/* The frame rate of a variant is the master's: 640x360 at 50 frames/s is over level 3.0. */
static void test_frame_rate_from_master(void **state)
{
    tmp_show *t = *state;
    crafted *c = craft(t);
    char text[sizeof master + 16];

    memcpy(text, master, sizeof master);
    replace(text, "FRAME-RATE=30.000\nhls/hls-270p-300", "FRAME-RATE=50.000\nhls/hls-270p-300");
    put(t, "master.m3u8", text);
    fails(t, c, "rung 'hls-270p-300': 640x360 at 50.000 fps is over level 3.0");
    /* the rung not in the show: then it must be the profile's */
    replace(text, "hls/hls-270p-300/index.m3u8", "hls/hls-270p-301/index.m3u8");
    put(t, "master.m3u8", text);
    fails(t, c, "rung 'hls-270p-300' is not made from this source");
    free(c);
}

static void test_renditions_encoded_at_per_title_rate(void **state)
{
    tmp_show *t = *state;
    crafted *c = craft(t);

    replace(c->json, "\"target_kbps\": 170", "\"target_kbps\": 300");
    fails(t, c,
          "rendition 'hls-270p-300' was encoded at 300 kbit/s (target_kbps), per_title "
          "says 170");
    free(c);
}

#include "test_per_title_tests.h"

/* test_flows.c: the publish flow (publish/publish.h) for real, in-process: publishes of a 4 s
 * clip (made once, with tests/media/make-clip.sh) on a three-rung ladder: a new show and a
 * re-publish, a busy id, a show the validator refuses, transcode folders that make no show.
 * After each, the library holds exactly what was published, and no staging folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "library.h"
#include "publish.h"

/* ---- real publishes ----------------------------------------------------------------------- */

static const char ladder_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ladder xmlns=\"urn:ladder:profile:1\" name=\"unit\" preset=\"veryfast\" gop-seconds=\"2\"\n"
    "        segment-seconds=\"2\" container=\"ts\" audio-channels=\"2\">\n"
    "  <rung name=\"hls-90p-60\" use=\"hls\" width=\"160\" height=\"90\" video-kbps=\"60\"\n"
    "        maxrate-kbps=\"90\" bufsize-kbps=\"120\" profile=\"baseline\" level=\"3.0\"\n"
    "        audio-kbps=\"64\"/>\n"
    "  <rung name=\"hls-144p-120\" use=\"hls\" width=\"256\" height=\"144\" video-kbps=\"120\"\n"
    "        maxrate-kbps=\"180\" bufsize-kbps=\"240\" profile=\"main\" level=\"3.0\"\n"
    "        audio-kbps=\"64\"/>\n"
    "  <rung name=\"mp4-90p-80\" use=\"mp4\" width=\"160\" height=\"90\" video-kbps=\"80\"\n"
    "        maxrate-kbps=\"120\" bufsize-kbps=\"160\" profile=\"baseline\" level=\"3.0\"\n"
    "        audio-kbps=\"64\"/>\n"
    "</ladder>\n";

typedef struct fixture {
    char dir[64], clip[128], library[128];
    prof_ladder ladder;
    publish_params params;
    tc_params tc;
} fixture;

static int group_setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    char cmd[512], profile[128];

    if (!fx)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/ladder-publish-unit-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->clip, sizeof fx->clip, "%s/clip.mp4", fx->dir);
    snprintf(profile, sizeof profile, "%s/unit.xml", fx->dir);
    snprintf(cmd, sizeof cmd,
             "'%s/tests/media/make-clip.sh' good '%s' --size 256x144 "
             "--duration 4 >/dev/null 2>&1",
             LADDER_SOURCE_DIR, fx->clip);
    if (system(cmd) != 0 || !fx_write(profile, ladder_xml) ||
        prof_load(profile, &fx->ladder, NULL) < 0)
        return -1;
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *fx = *state;
    ladder_rm_rf(fx->dir, NULL);
    free(fx);
    return 0;
}

#define UNIT_GROUP_SETUP    group_setup
#define UNIT_GROUP_TEARDOWN group_teardown
#define UNIT_SETUP          each_setup

/* Each test: an empty library, the params and the transcoder's, on the fixture's ladder. */
static int each_setup(void **state)
{
    fixture *fx = *state;

    snprintf(fx->library, sizeof fx->library, "%s/library", fx->dir);
    ladder_rm_rf(fx->library, NULL);
    publish_params_default(&fx->params);
    fx->params.library = fx->library;
    fx->params.id = "unit-show";
    fx->params.title = "Unit show";
    fx->params.ladder = &fx->ladder;
    tc_params_default(&fx->tc);
    fx->tc.ladder = fx->ladder;
    fx->tc.i_threads = 2;
    return 0;
}

static const char *at(const fixture *fx, const char *rel)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", fx->library, rel);
    return path;
}

static void test_ingest_publishes_then_replaces(void **state)
{
    fixture *fx = *state;
    publish_result r = {0};
    ladder_error err = {0};

    if (publish_ingest(&fx->params, fx->clip, &fx->tc, &r, &err) != 0)
        fail_msg("publish_ingest: %s", err.msg);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.n_renditions, 3);
    assert_int_equal(r.n_skipped, 0);
    assert_true(r.duration > 3.9 && r.duration < 4.1);
    assert_true(ladder_path_exists(at(fx, "unit-show/v1/hls/hls-144p-120/index.m3u8")));
    assert_true(ladder_path_exists(at(fx, "unit-show/v1/mp4/mp4-90p-80.mp4")));
    assert_int_equal(lib_current_version(at(fx, "unit-show")), 1);
    assert_int_equal(publish_ingest(&fx->params, fx->clip, &fx->tc, &r, &err), 0);
    assert_int_equal(r.version, 2);
    assert_int_equal(lib_current_version(at(fx, "unit-show")), 2);
    assert_true(ladder_path_exists(at(fx, "unit-show/v1/show.json"))); /* kept for players */
    assert_true(ladder_dir_is_empty(at(fx, ".staging")));
}

static void test_busy_id_refused_and_untouched(void **state)
{
    fixture *fx = *state;
    lib_stage *other = NULL;
    ladder_error err = {0};

    assert_int_equal(lib_stage_open(&other, fx->library, "unit-show", &err), 0);
    assert_int_equal(publish_ingest(&fx->params, fx->clip, &fx->tc, NULL, &err), LADDER_EBUSY);
    assert_non_null(strstr(err.msg, "being published by another process"));
    lib_stage_close(other);
    assert_false(ladder_path_exists(at(fx, "unit-show")));
    assert_true(ladder_dir_is_empty(at(fx, ".staging")));
}

/* The validator judges against the ladder in params: one that promises another H.264 profile
 * than the encode's refuses the show, and nothing is published. */
static void test_show_failing_the_rules_not_published(void **state)
{
    fixture *fx = *state;
    prof_ladder promised = fx->ladder;
    ladder_error err = {0};

    snprintf(promised.rungs[1].h264_profile, sizeof promised.rungs[1].h264_profile, "high");
    fx->params.ladder = &promised;
    assert_int_equal(publish_ingest(&fx->params, fx->clip, &fx->tc, NULL, &err), LADDER_EVALIDATE);
    assert_non_null(strstr(err.msg, "not published"));
    assert_non_null(strstr(err.msg, "rung-matches-profile"));
    assert_false(ladder_path_exists(at(fx, "unit-show")));
    assert_true(ladder_dir_is_empty(at(fx, ".staging")));
}

static void test_folders_that_make_no_show_leave_library_alone(void **state)
{
    fixture *fx = *state;
    char missing[160];
    const char *dirs[] = {missing};
    ladder_error err = {0};

    snprintf(missing, sizeof missing, "%s/no-such-transcode", fx->dir);
    assert_true(publish_folders(&fx->params, dirs, 1, NULL, &err) < 0);
    assert_true(err.msg[0] != '\0');
    assert_false(ladder_path_exists(fx->library)); /* checked before the library is touched */
}

static void test_job_in_place_is_its_summary(void **state)
{
    fixture *fx = *state;
    queue_job job = {0};
    char path[QUEUE_PATH_MAX + 32];

    snprintf(job.out, sizeof job.out, "%s/job", fx->dir);
    assert_int_equal(publish_job_in_place(&job), 0);
    assert_int_equal(ladder_mkdir_p(job.out, NULL), 0);
    assert_int_equal(publish_job_in_place(&job), 0); /* a folder is not enough */
    snprintf(path, sizeof path, "%s/summary.json", job.out);
    fx_write(path, "{}");
    assert_int_equal(publish_job_in_place(&job), 1);
}

#include "test_flows_tests.h"

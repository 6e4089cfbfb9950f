/* test_caption_precedence.c: which caption tracks a show is published with
 * (publish_caption_tracks, publish/captions.c), on tracks made by hand: the sidecars first,
 * then the source's CEA-608 labelled as --cc says, unless a sidecar in its language stands
 * for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "library.h"
#include "publish.h"

/* ---- caption precedence ------------------------------------------------------------------- */

typedef struct log_capture {
    int warnings;
    char last[512];
} log_capture;

static void capture(void *opaque, ladder_log_level level, const char *component, const char *msg)
{
    log_capture *c = opaque;
    (void)component;
    if (level == LADDER_LOG_WARN)
        c->warnings++;
    snprintf(c->last, sizeof c->last, "%s", msg);
}

static ladder_captions track(const char *language, int n_cues)
{
    ladder_captions t = {0};
    snprintf(t.language, sizeof t.language, "%s", language);
    snprintf(t.name, sizeof t.name, "%s", language);
    t.n = n_cues;
    return t;
}

static publish_params captions_params(const ladder_captions *sidecars, int n, log_capture *log)
{
    publish_params p;
    publish_params_default(&p);
    p.captions = sidecars;
    p.n_captions = n;
    p.cc_language = "fr";
    p.cc_name = "Francais CC";
    p.logger = (ladder_logger){.fn = capture, .opaque = log, .max_level = LADDER_LOG_DEBUG};
    return p;
}

static void test_cc608_added_after_the_sidecars(void **state)
{
    ladder_captions sidecars[] = {track("en", 3), track("es", 2)}, cc = track("und", 5);
    ladder_captions out[4];
    log_capture log = {0};
    publish_params p = captions_params(sidecars, 2, &log);
    int n = -1;

    (void)state;
    assert_int_equal(publish_caption_tracks(&p, &cc, out, 4, &n, NULL), 1);
    assert_int_equal(n, 3);
    assert_string_equal(out[0].language, "en");
    assert_string_equal(out[1].language, "es");
    assert_string_equal(out[2].language, "fr"); /* labelled as --cc says */
    assert_string_equal(out[2].name, "Francais CC");
    assert_int_equal(out[2].sdh, 1);
    assert_int_equal(out[2].n, 5);
    assert_int_equal(log.warnings, 0);
}

static void test_sidecar_in_cc_language_stands_for_cc608(void **state)
{
    ladder_captions sidecars[] = {track("FR", 3)}, cc = track("und", 5);
    ladder_captions out[4];
    log_capture log = {0};
    publish_params p = captions_params(sidecars, 1, &log);
    int n = -1;

    (void)state;
    assert_int_equal(publish_caption_tracks(&p, &cc, out, 4, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].language, "FR");
    assert_int_equal(log.warnings, 1);
    assert_non_null(strstr(log.last, "stands for them"));
}

static void test_no_cc608_no_track(void **state)
{
    ladder_captions sidecars[] = {track("en", 3)}, empty = track("und", 0);
    ladder_captions out[4];
    log_capture log = {0};
    publish_params p = captions_params(sidecars, 1, &log);
    int n = -1;

    (void)state;
    assert_int_equal(publish_caption_tracks(&p, NULL, out, 4, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(publish_caption_tracks(&p, &empty, out, 4, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(log.warnings, 0);
}

static void test_too_many_tracks_refused(void **state)
{
    ladder_captions sidecars[] = {track("en", 1), track("es", 1)}, cc = track("und", 1);
    ladder_captions out[2];
    publish_params p = captions_params(sidecars, 2, &(log_capture){0});
    ladder_error err = {0};
    int n = 0;

    (void)state;
    assert_int_equal(publish_caption_tracks(&p, &cc, out, 2, &n, &err), LADDER_EINVAL);
    assert_non_null(strstr(err.msg, "too many"));
    assert_int_equal(publish_caption_tracks(&p, NULL, out, 1, &n, &err), LADDER_EINVAL);
}

#include "test_caption_precedence_tests.h"

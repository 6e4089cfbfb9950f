/* pkg_test.h: what the packager's unit tests share: a folder per test where each writes
 * out.m3u8 (tests/unit/fixture.h), the file read back, and a seg_writer made by hand. */
#ifndef LADDER_PKG_TEST_H
#define LADDER_PKG_TEST_H

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

static inline int set_up(void **state)
{
    tmp_dir *t;

    if (fx_tmp_setup(state) < 0)
        return -1;
    t = *state;
    snprintf(t->path, sizeof t->path, "%s/out.m3u8", t->dir);
    return 0;
}

/* Every packager test gets its folder. */
#define UNIT_SETUP    set_up
#define UNIT_TEARDOWN fx_tmp_teardown

/* The file t->path as text, in t->text. */
static inline const char *written(tmp_dir *t)
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
static inline seg_writer writer(int fmp4, hls_segment *segs, int n_segs, hls_iframe *iframes,
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
static inline int target_of(const char *text)
{
    const char *p = strstr(text, "\n#EXT-X-TARGETDURATION:");
    assert_non_null(p);
    return atoi(p + 23);
}

#endif

/* test_scte35_scan.c: tc_scan_scte35 (transcoder/scte35_scan.c) on MPEG-TS mezzanines made
 * once at test time by tests/media/scte35_ts.py: which cues become breaks, at what time, for
 * how long and with which bytes; the broken section warned about; pts_adjustment across the
 * 33-bit wrap; a file without SCTE-35, or whose cues FFmpeg cannot see; more breaks than room. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tc_internal.h"

#define MAX_CUES 16

/* One cue as the helper printed it. */
typedef struct made_cue {
    double time, duration;
    char kind[32];
    long long pts90;
    char hex[2 * LADDER_SCTE35_MAX + 3];
} made_cue;

typedef struct clip {
    char path[192];
    long long first_pts;
    int n;
    made_cue cues[MAX_CUES];
} clip;

typedef struct fixture {
    char dir[64];
    clip main, wrap, unregistered;
    char plain[192];
} fixture;

/* Runs scte35_ts.py into c->path with args, and reads what it printed. */
static int make_clip(const char *dir, const char *name, const char *args, clip *c)
{
    char cmd[1024], line[1024];
    FILE *f;

    snprintf(c->path, sizeof c->path, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "python3 '%s/tests/media/scte35_ts.py' '%s' %s", LADDER_SOURCE_DIR,
             c->path, args);
    if (!(f = popen(cmd, "r")))
        return -1;
    c->n = 0;
    while (fgets(line, sizeof line, f)) {
        made_cue *m = &c->cues[c->n];
        if (sscanf(line, "first_video_pts %lld", &c->first_pts) == 1)
            continue;
        if (c->n < MAX_CUES && sscanf(line, "cue %lf %31s %lf %lld %514s", &m->time, m->kind,
                                      &m->duration, &m->pts90, m->hex) == 5)
            c->n++;
    }
    return pclose(f) == 0 ? 0 : -1;
}

static int group_setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    char cmd[512];

    if (!fx)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/ladder-scte35-unit-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    if (make_clip(fx->dir, "main.ts",
                  "--duration 20 --size 320x180 --cue 7.37/15 --cue 12/10:time_signal "
                  "--cue 3:immediate --bad-cue 15 --cue 16:broken --cue 17:null --cue 18:in "
                  "--cue 18.5:cancel --cue 19:time_signal=0x10",
                  &fx->main) != 0 ||
        make_clip(fx->dir, "wrap.ts",
                  "--duration 8 --size 160x90 --cue 5/20 --pts-adjustment 8589934000",
                  &fx->wrap) != 0 ||
        make_clip(fx->dir, "unregistered.ts",
                  "--duration 4 --size 160x90 --cue 2/20 --no-program-cuei",
                  &fx->unregistered) != 0)
        return -1;
    snprintf(fx->plain, sizeof fx->plain, "%s/plain.mp4", fx->dir);
    snprintf(cmd, sizeof cmd,
             "'%s/tests/media/make-clip.sh' good '%s' --size 160x90 --duration 1 >/dev/null 2>&1",
             LADDER_SOURCE_DIR, fx->plain);
    if (system(cmd) != 0)
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

/* What the scan logged. */
typedef struct log_lines {
    int warnings;
    char text[4096];
} log_lines;

static void keep_log(void *opaque, ladder_log_level level, const char *component, const char *msg)
{
    log_lines *l = opaque;
    size_t used = strlen(l->text);
    (void)component;
    if (level == LADDER_LOG_WARN)
        l->warnings++;
    snprintf(l->text + used, sizeof l->text - used, "%s\n", msg);
}

static const made_cue *cue_of(const clip *c, const char *kind)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->cues[i].kind, kind) == 0)
            return &c->cues[i];
    fail_msg("no %s cue made", kind);
    return NULL;
}

static void assert_bytes(const ladder_break *b, const char *hex)
{
    char got[2 * LADDER_SCTE35_MAX + 3] = "0x";
    for (int i = 0; i < b->scte35_size; i++)
        snprintf(got + 2 + 2 * i, 3, "%02X", b->scte35[i]);
    assert_string_equal(got, hex);
}

/* The out-points become breaks in the order they arrive, with the cue's own time (an immediate
 * cue: the PCR it arrived after, within a frame), duration and bytes; the rest do not, and the
 * section with a right CRC but a command cut short is warned about with its time. (The one with
 * a bad CRC is dropped by FFmpeg's demuxer before the scan sees it.) */
static void test_scan_finds_out_points(void **state)
{
    fixture *fx = *state;
    log_lines l = {0};
    ladder_logger lg = {keep_log, &l, LADDER_LOG_DEBUG};
    ladder_break b[8];
    ladder_error err = {0};
    int n = -1;

    if (tc_scan_scte35(fx->main.path, fx->main.first_pts, &lg, b, 8, &n, &err) != 0)
        fail_msg("tc_scan_scte35: %s", err.msg);
    assert_int_equal(n, 3);
    /* immediate at 3 s, insert at 7.37 s (arrives 5.37 s), time_signal at 12 s (arrives 10 s) */
    assert_true(b[0].time > 3.0 - 0.045 && b[0].time < 3.0 + 0.045);
    assert_int_equal(b[0].duration, 30); /* no break_duration: the default */
    assert_bytes(&b[0], cue_of(&fx->main, "immediate")->hex);
    assert_true(b[1].time > 7.37 - 1e-9 && b[1].time < 7.37 + 1e-9);
    assert_true(b[1].duration > 15 - 1e-9 && b[1].duration < 15 + 1e-9);
    assert_int_equal(b[1].source, LADDER_BREAK_SCTE35);
    assert_bytes(&b[1], cue_of(&fx->main, "insert")->hex);
    assert_true(b[2].time > 12 - 1e-9 && b[2].time < 12 + 1e-9);
    assert_true(b[2].duration > 10 - 1e-9 && b[2].duration < 10 + 1e-9);
    assert_bytes(&b[2], cue_of(&fx->main, "time_signal")->hex);
    assert_int_equal(l.warnings, 1);
    /* the broken cue (16 s) arrives 2 s ahead: the warning names that time */
    if (!strstr(l.text, "SCTE-35 cue at 14.0") || !strstr(l.text, "truncated splice_command"))
        fail_msg("log: %s", l.text);
    assert_non_null(strstr(l.text, "splice_null"));
    assert_non_null(strstr(l.text, "in-point"));
    assert_non_null(strstr(l.text, "cancels"));
    assert_non_null(strstr(l.text, "segmentation_type_id 0x10"));
}

/* A pts_time stored less a pts_adjustment that carries it across 2^33 still lands on its time,
 * and the bytes are the section's. */
static void test_scan_pts_adjustment_wraps(void **state)
{
    fixture *fx = *state;
    ladder_break b[4];
    ladder_error err = {0};
    int n = -1;

    assert_int_equal(tc_scan_scte35(fx->wrap.path, fx->wrap.first_pts, NULL, b, 4, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_true(b[0].time > 5 - 1e-9 && b[0].time < 5 + 1e-9);
    assert_true(b[0].duration > 20 - 1e-9 && b[0].duration < 20 + 1e-9);
    assert_bytes(&b[0], fx->wrap.cues[0].hex);
}

/* The origin is the first video pts: another origin moves every timed cue by the difference. */
static void test_scan_origin_moves_times(void **state)
{
    fixture *fx = *state;
    ladder_break b[8];
    int n = -1;

    assert_int_equal(
        tc_scan_scte35(fx->main.path, fx->main.first_pts + 90000, NULL, b, 8, &n, NULL), 0);
    assert_int_equal(n, 3);
    assert_true(b[1].time > 6.37 - 1e-9 && b[1].time < 6.37 + 1e-9);
}

/* A file without an SCTE-35 stream has no breaks; a missing file is an error. */
static void test_scan_without_scte35(void **state)
{
    fixture *fx = *state;
    ladder_break b[2];
    ladder_error err = {0};
    int n = -1;
    char missing[256];

    assert_int_equal(tc_scan_scte35(fx->plain, 0, NULL, b, 2, &n, &err), 0);
    assert_int_equal(n, 0);
    snprintf(missing, sizeof missing, "%s/missing.ts", fx->dir);
    assert_true(tc_scan_scte35(missing, 0, NULL, b, 2, &n, &err) < 0);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err.msg, "missing.ts"));
}

/* A cue PID whose program lacks the "CUEI" registration: FFmpeg reads no cue from it, and the
 * scan says so rather than finding nothing in silence. */
static void test_scan_warns_unregistered_program(void **state)
{
    fixture *fx = *state;
    log_lines l = {0};
    ladder_logger lg = {keep_log, &l, LADDER_LOG_INFO};
    ladder_break b[2];
    int n = -1;

    assert_int_equal(
        tc_scan_scte35(fx->unregistered.path, fx->unregistered.first_pts, &lg, b, 2, &n, NULL), 0);
    assert_int_equal(n, 0);
    assert_int_equal(l.warnings, 1);
    assert_non_null(strstr(l.text, "stream 0x1F0 is registered \"CUEI\" but its program is not"));
}

/* More out-points than room: an error saying how many fit. */
static void test_scan_more_than_max(void **state)
{
    fixture *fx = *state;
    ladder_break b[2];
    ladder_error err = {0};
    int n = -1;

    assert_int_equal(tc_scan_scte35(fx->main.path, fx->main.first_pts, NULL, b, 2, &n, &err),
                     LADDER_EINPUT);
    assert_non_null(strstr(err.msg, "more than 2 breaks"));
}

#include "test_scte35_scan_tests.h"

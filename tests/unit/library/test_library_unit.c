/* test_library_unit.c: the show library (library/library.h): show ids and version names
 * (names.c) as pure functions, then versions (versions.c) and publishing (publish.c) on a
 * library in a temporary folder, one folder per test. Each group tests the contract in
 * library.h: what a reader of the library sees after each step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "library.h"

/* ---- lib_valid_id --------------------------------------------------------------------------- */

static void id_ordinary(void **state)
{
    (void)state;
    assert_true(lib_valid_id("a"));
    assert_true(lib_valid_id("big-buck-bunny"));
    assert_true(lib_valid_id("show_2024-01"));
    assert_true(lib_valid_id("0123456789"));
    assert_true(lib_valid_id("_leading_underscore"));
    assert_true(lib_valid_id("trailing-"));
}

/* 1 to 64 characters: 64 is the last one allowed. */
static void id_length(void **state)
{
    (void)state;
    char id[LIB_ID_MAX + 2];

    assert_false(lib_valid_id(""));
    memset(id, 'a', sizeof id);
    id[LIB_ID_MAX] = '\0';
    assert_true(lib_valid_id(id));
    id[LIB_ID_MAX] = 'a';
    id[LIB_ID_MAX + 1] = '\0';
    assert_false(lib_valid_id(id));
}

/* Ids go into URLs, paths and JSON unescaped: anything beyond [a-z0-9_-] is refused. */
static void id_forbidden_characters(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Show", "SHOW", "a.b", "..",  ".",    "a/b", "/abs", "a\\b", "a b", "a\tb",
        "a\n",  "a%2f", "a?b", "a#b", "a\"b", "a'b", "a<b",  "a&b",  "a:b", "caf\xc3\xa9",
        "-a",   "-",    "--x", "a+b", "a,b",  "a=b", "~a",   "a*",   "a;b", "\x7f",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (lib_valid_id(bad[i]))
            fail_msg("id \"%s\" accepted", bad[i]);
}

/* ---- lib_version_of / lib_version_name ------------------------------------------------------ */

#define VERSION_OF(s) lib_version_of((s), strlen(s))

static void version_of_valid(void **state)
{
    (void)state;
    assert_int_equal(VERSION_OF("v1"), 1);
    assert_int_equal(VERSION_OF("v9"), 9);
    assert_int_equal(VERSION_OF("v10"), 10);
    assert_int_equal(VERSION_OF("v120"), 120);
    assert_int_equal(VERSION_OF("v999999999"), 999999999);
}

/* Nothing but "v" and a number from 1 without leading zeros or a sign names a version. */
static void version_of_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {"",    "v",   "v0",  "v00", "v01", "v007", "x1",
                                      "V1",  "1",   "v1a", "va",  "v-1", "v+1",  "v 1",
                                      "v1 ", "v1.", "vv1", "v1/", ".v1", "v1\n", "current"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (VERSION_OF(bad[i]) != 0)
            fail_msg("\"%s\" read as version %d", bad[i], VERSION_OF(bad[i]));
}

/* Only len bytes are read: a path segment out of "v12/hls/index.m3u8". */
static void version_of_path_segment(void **state)
{
    (void)state;
    const char *path = "v12/hls/index.m3u8";
    assert_int_equal(lib_version_of(path, 3), 12);
    assert_int_equal(lib_version_of(path, 2), 1);
    assert_int_equal(lib_version_of(path, 4), 0); /* "v12/" */
    assert_int_equal(lib_version_of(path, 1), 0);
    assert_int_equal(lib_version_of(path, 0), 0);
    /* not NUL-terminated at all: nothing past len may matter */
    const char raw[3] = {'v', '4', '2'};
    assert_int_equal(lib_version_of(raw, sizeof raw), 42);
}

/* Numbers too long for an int are nobody's version, not a wrapped one. */
static void version_of_long_digits(void **state)
{
    (void)state;
    assert_int_equal(VERSION_OF("v2147483648"), 0);
    assert_int_equal(VERSION_OF("v4294967297"), 0);
    assert_int_equal(VERSION_OF("v99999999999999999999999999999999"), 0);
    assert_int_equal(VERSION_OF("v1000000000"), 0);
}

static void version_name(void **state)
{
    (void)state;
    char out[16];

    lib_version_name(1, out, sizeof out);
    assert_string_equal(out, "v1");
    lib_version_name(123, out, sizeof out);
    assert_string_equal(out, "v123");
    lib_version_name(999999999, out, sizeof out);
    assert_string_equal(out, "v999999999");
    /* the two agree both ways */
    for (int v = 1; v < 2000; v += 37) {
        lib_version_name(v, out, sizeof out);
        assert_int_equal(VERSION_OF(out), v);
    }
}

/* ---- a library in a temporary folder -------------------------------------------------------- */

typedef struct tmp_lib {
    char dir[64];  /* the library */
    char show[96]; /* dir/show, not created */
} tmp_lib;

static int tmp_setup(void **state)
{
    tmp_lib *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/ladder-lib-unit-XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    snprintf(t->show, sizeof t->show, "%s/show", t->dir);
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    tmp_lib *t = *state;
    ladder_rm_rf(t->dir, NULL);
    free(t);
    return 0;
}

/* base/rel as one path, in a static buffer (one use at a time). */
static const char *at(const char *base, const char *rel)
{
    static char path[2][PATH_MAX];
    static int which;
    which ^= 1;
    snprintf(path[which], sizeof path[which], "%s/%s", base, rel);
    return path[which];
}

static void make_dir(const char *base, const char *rel)
{
    assert_int_equal(mkdir(at(base, rel), 0755), 0);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static int exists(const char *base, const char *rel)
{
    return ladder_path_exists(at(base, rel));
}

/* The target of the symlink base/rel, "" when it is not one. */
static const char *link_of(const char *base, const char *rel)
{
    static char target[PATH_MAX];
    ssize_t n = readlink(at(base, rel), target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    return target;
}

/* Sets the mtime of base/rel to `when`. */
static void set_mtime(const char *base, const char *rel, time_t when)
{
    struct timespec times[2] = {{when, 0}, {when, 0}};
    assert_int_equal(utimensat(AT_FDCWD, at(base, rel), times, 0), 0);
}

/* ---- lib_next_version ----------------------------------------------------------------------- */

static void next_version_new_show(void **state)
{
    tmp_lib *t = *state;
    assert_int_equal(lib_next_version(t->show), 1); /* missing */
    make_dir(t->show, "");
    assert_int_equal(lib_next_version(t->show), 1); /* empty */
}

/* One more than the highest vN; other names, "v01" included, do not count. */
static void next_version_ignores_other_folders(void **state)
{
    tmp_lib *t = *state;
    make_dir(t->show, "");
    make_dir(t->show, "v1");
    make_dir(t->show, "v3");
    make_dir(t->show, "v09");
    make_dir(t->show, "v0");
    make_dir(t->show, "vx");
    make_dir(t->show, "hls");
    make_dir(t->show, "v99a");
    write_text(at(t->show, "v50.tmp"), "");
    assert_int_equal(lib_next_version(t->show), 4);
    make_dir(t->show, "v12");
    assert_int_equal(lib_next_version(t->show), 13);
}

/* ---- lib_make_links, lib_current_version, lib_version_dir ----------------------------------- */

static void make_links_new_show(void **state)
{
    tmp_lib *t = *state;
    char out[PATH_MAX];
    ladder_error err = {0};

    make_dir(t->show, "");
    make_dir(t->show, "v1");
    write_text(at(t->show, "v1/" LIB_ENTRY_PLAYLIST), "#EXTM3U\n");
    assert_int_equal(lib_make_links(t->show, 1, &err), 0);
    assert_string_equal(link_of(t->show, "current"), "v1");
    assert_string_equal(link_of(t->show, "master.m3u8"), "current/" LIB_ENTRY_PLAYLIST);
    assert_string_equal(link_of(t->show, "show.json"), "current/show.json");
    assert_string_equal(link_of(t->show, "poster.jpg"), "current/poster.jpg");
    /* master.m3u8 resolves, through current, to the version's entry playlist */
    struct stat st;
    assert_int_equal(stat(at(t->show, "master.m3u8"), &st), 0);
    assert_int_equal(lib_current_version(t->show), 1);
    assert_int_equal(lib_version_dir(t->show, out, sizeof out), 1);
    assert_string_equal(out, at(t->show, "v1"));
    /* no temporary link left behind */
    assert_int_equal(lib_next_version(t->show), 2);
    char tmp[64];
    snprintf(tmp, sizeof tmp, ".current.%ld", (long)getpid());
    assert_false(exists(t->show, tmp));
}

static void current_version_none(void **state)
{
    tmp_lib *t = *state;
    char out[PATH_MAX];

    assert_int_equal(lib_current_version(t->show), 0); /* missing folder */
    make_dir(t->show, "");
    make_dir(t->show, "v1");
    assert_int_equal(lib_current_version(t->show), 0); /* no link */
    /* an unversioned show folder is its own version folder */
    assert_int_equal(lib_version_dir(t->show, out, sizeof out), 0);
    assert_string_equal(out, t->show);
    /* a current link to something that is not a version name */
    assert_int_equal(symlink("hls", at(t->show, "current")), 0);
    assert_int_equal(lib_current_version(t->show), 0);
}

/* A buffer too small for the path: -1, for both kinds of show folder. */
static void version_dir_too_small(void **state)
{
    tmp_lib *t = *state;
    char out[PATH_MAX];
    size_t need = strlen(t->show) + strlen("/v1");

    make_dir(t->show, "");
    assert_int_equal(lib_version_dir(t->show, out, strlen(t->show)), -1);
    assert_int_equal(lib_version_dir(t->show, out, strlen(t->show) + 1), 0);
    make_dir(t->show, "v1");
    assert_int_equal(lib_make_links(t->show, 1, NULL), 0);
    assert_int_equal(lib_version_dir(t->show, out, need), -1);
    assert_int_equal(lib_version_dir(t->show, out, need + 1), 1);
    assert_string_equal(out, at(t->show, "v1"));
}

/* ---- lib_swap ------------------------------------------------------------------------------- */

static void swap_marks_previous_superseded(void **state)
{
    tmp_lib *t = *state;
    ladder_error err = {0};
    struct stat st;
    time_t before = time(NULL);

    make_dir(t->show, "");
    make_dir(t->show, "v1");
    assert_int_equal(lib_make_links(t->show, 1, &err), 0);
    assert_false(exists(t->show, "v1/.superseded"));
    make_dir(t->show, "v2");
    assert_int_equal(lib_swap(t->show, 2, &err), 0);
    assert_int_equal(lib_current_version(t->show), 2);
    assert_string_equal(link_of(t->show, "current"), "v2");
    assert_true(exists(t->show, "v1/.superseded"));
    assert_false(exists(t->show, "v2/.superseded"));
    assert_int_equal(stat(at(t->show, "v1/.superseded"), &st), 0);
    assert_true(st.st_mtime >= before - 1 && st.st_mtime <= time(NULL) + 1);
    /* the top-level links follow current without being touched */
    assert_string_equal(link_of(t->show, "master.m3u8"), "current/" LIB_ENTRY_PLAYLIST);
    make_dir(t->show, "v3");
    assert_int_equal(lib_swap(t->show, 3, &err), 0);
    assert_int_equal(lib_current_version(t->show), 3);
    assert_true(exists(t->show, "v2/.superseded"));
}

/* ---- lib_prune ------------------------------------------------------------------------------ */

/* v1 superseded two days ago and v3 never published go; v2 superseded an hour ago and v4,
 * current, stay; so does a folder that is not a version. */
static void prune_old_and_unpublished(void **state)
{
    tmp_lib *t = *state;
    time_t now = time(NULL);

    make_dir(t->show, "");
    for (int v = 1; v <= 4; v++) {
        char name[16], file[32];
        lib_version_name(v, name, sizeof name);
        make_dir(t->show, name);
        snprintf(file, sizeof file, "%s/a.ts", name);
        write_text(at(t->show, file), "x");
    }
    make_dir(t->show, "v1/hls");
    write_text(at(t->show, "v1/hls/b.ts"), "x");
    make_dir(t->show, "notes");
    write_text(at(t->show, "v1/.superseded"), "");
    write_text(at(t->show, "v2/.superseded"), "");
    set_mtime(t->show, "v1/.superseded", now - 2 * 24 * 3600);
    set_mtime(t->show, "v2/.superseded", now - 3600);
    assert_int_equal(lib_make_links(t->show, 4, NULL), 0);

    assert_int_equal(lib_prune(t->show, now, LIB_KEEP_SUPERSEDED_SECONDS), 2);
    assert_false(exists(t->show, "v1"));
    assert_true(exists(t->show, "v2/a.ts"));
    assert_false(exists(t->show, "v3"));
    assert_true(exists(t->show, "v4"));
    assert_true(exists(t->show, "notes"));
    assert_int_equal(lib_current_version(t->show), 4);
    /* a second prune finds nothing more */
    assert_int_equal(lib_prune(t->show, now, LIB_KEEP_SUPERSEDED_SECONDS), 0);
    /* ... until v2 is old enough: more than keep_seconds, not exactly */
    assert_int_equal(lib_prune(t->show, now - 3600 + 60, 60), 0);
    assert_int_equal(lib_prune(t->show, now - 3600 + 61, 60), 1);
    assert_false(exists(t->show, "v2"));
}

/* The current version stays even with a mark (a run killed between mark and swap leaves one);
 * and without a current link nothing is pruned: which version is live is unknown. */
static void prune_keeps_current(void **state)
{
    tmp_lib *t = *state;
    time_t now = time(NULL);

    make_dir(t->show, "");
    make_dir(t->show, "v1");
    make_dir(t->show, "v2");
    assert_int_equal(lib_prune(t->show, now, 0), 0);
    assert_true(exists(t->show, "v1") && exists(t->show, "v2"));
    write_text(at(t->show, "v2/.superseded"), "");
    set_mtime(t->show, "v2/.superseded", now - 10 * 24 * 3600);
    assert_int_equal(lib_make_links(t->show, 2, NULL), 0);
    assert_int_equal(lib_prune(t->show, now, LIB_KEEP_SUPERSEDED_SECONDS), 1);
    assert_false(exists(t->show, "v1"));
    assert_true(exists(t->show, "v2"));
    assert_int_equal(lib_prune(t->show, now, 0), 0);
    assert_int_equal(lib_prune(at(t->dir, "missing"), now, 0), 0);
}

/* ---- lib_stage_open / lib_stage_commit / lib_stage_close -------------------------------------- */

typedef int (*fill_fn)(void *opaque, const char *version_dir, int version, ladder_error *err);

/* The order publish/ uses the stage in: open, fill the folder, commit only if the fill worked,
 * close either way. */
static int stage_publish(const char *library, const char *id, fill_fn fill_it, void *opaque,
                         int *version_out, ladder_error *err)
{
    lib_stage *s = NULL;
    int ret = lib_stage_open(&s, library, id, err);

    if (ret >= 0)
        ret = fill_it(opaque, lib_stage_dir(s), lib_stage_version(s), err);
    if (ret >= 0)
        ret = lib_stage_commit(s, err);
    if (ret >= 0 && version_out)
        *version_out = lib_stage_version(s);
    lib_stage_close(s);
    return ret;
}

/* What a fill function was asked, and how it should answer. */
typedef struct fill_ctx {
    int calls, version;
    char vdir[PATH_MAX];
    int fail;         /* return this code (after writing some files) */
    const char *text; /* written into entry.m3u8 and show.json */
    /* nested publish from inside the fill */
    const char *library, *nested_id;
    int nested_ret, nested_calls;
} fill_ctx;

static int fill_nothing(void *opaque, const char *version_dir, int version, ladder_error *err)
{
    (void)version_dir;
    (void)version;
    (void)err;
    ((fill_ctx *)opaque)->nested_calls++;
    return 0;
}

static int fill(void *opaque, const char *version_dir, int version, ladder_error *err)
{
    fill_ctx *c = opaque;
    char vname[16];

    c->calls++;
    c->version = version;
    snprintf(c->vdir, sizeof c->vdir, "%s", version_dir);
    /* an empty folder named vN */
    assert_true(ladder_dir_is_empty(version_dir));
    lib_version_name(version, vname, sizeof vname);
    assert_string_equal(strrchr(version_dir, '/') + 1, vname);
    write_text(at(version_dir, LIB_ENTRY_PLAYLIST), c->text ? c->text : "#EXTM3U\n");
    write_text(at(version_dir, "show.json"), c->text ? c->text : "{}");
    if (c->nested_id) {
        ladder_error nested_err = {0};
        c->nested_ret = stage_publish(c->library, c->nested_id, fill_nothing, c, NULL, &nested_err);
    }
    if (c->fail)
        return ladder_error_set(err, c->fail, "fill failed on purpose");
    return 0;
}

static char *slurp(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return NULL;
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Only the lock file and no staging folder are left behind by any finished publish. */
static void assert_staging_empty(const tmp_lib *t)
{
    assert_true(ladder_dir_is_empty(at(t->dir, ".staging")));
}

static void publish_v1_then_v2(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {.text = "#EXTM3U\n# one\n"};
    ladder_error err = {0};
    int version = 0;

    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(c.calls, 1);
    assert_int_equal(version, 1);
    assert_int_equal(c.version, 1);
    /* made in staging, not in the library's show folder */
    assert_null(strstr(c.vdir, t->show));
    assert_non_null(strstr(c.vdir, "/.staging/"));
    assert_int_equal(lib_current_version(t->show), 1);
    assert_string_equal(slurp(at(t->show, "master.m3u8")), "#EXTM3U\n# one\n");
    assert_string_equal(slurp(at(t->show, "show.json")), "#EXTM3U\n# one\n");
    assert_staging_empty(t);

    c = (fill_ctx){.text = "#EXTM3U\n# two\n"};
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(version, 2);
    assert_int_equal(c.version, 2);
    assert_int_equal(lib_current_version(t->show), 2);
    assert_string_equal(link_of(t->show, "master.m3u8"), "current/" LIB_ENTRY_PLAYLIST);
    assert_string_equal(slurp(at(t->show, "master.m3u8")), "#EXTM3U\n# two\n");
    /* v1 stays for the players on it, marked */
    assert_string_equal(slurp(at(t->show, "v1/" LIB_ENTRY_PLAYLIST)), "#EXTM3U\n# one\n");
    assert_true(exists(t->show, "v1/.superseded"));
    assert_staging_empty(t);

    /* version_out may be NULL */
    c = (fill_ctx){0};
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, &err), 0);
    assert_int_equal(lib_current_version(t->show), 3);
}

/* A failing fill: its error comes back, and the published show is as it was. */
static void publish_fill_fails(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {.text = "#EXTM3U\n# one\n"};
    ladder_error err = {0};
    int version = 0;

    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    c = (fill_ctx){.text = "#EXTM3U\n# broken\n", .fail = LADDER_EENCODE};
    version = 77;
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), LADDER_EENCODE);
    assert_int_equal(err.code, LADDER_EENCODE);
    assert_string_equal(err.msg, "fill failed on purpose");
    assert_int_equal(version, 77); /* not set on failure */
    assert_int_equal(lib_current_version(t->show), 1);
    assert_string_equal(slurp(at(t->show, "master.m3u8")), "#EXTM3U\n# one\n");
    assert_false(exists(t->show, "v2"));
    assert_false(exists(t->show, "v1/.superseded"));
    assert_staging_empty(t);
    /* the next publish is v2, as if the failure never happened */
    c = (fill_ctx){0};
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(version, 2);
}

/* A failing first publish: no show folder at all. */
static void publish_fill_fails_new_show(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {.fail = LADDER_EVALIDATE};
    ladder_error err = {0};

    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, &err), LADDER_EVALIDATE);
    assert_int_equal(c.calls, 1);
    assert_false(exists(t->dir, "show"));
    assert_staging_empty(t);
}

static void publish_invalid_id(void **state)
{
    tmp_lib *t = *state;
    static const char *const bad[] = {"", "../escape", "a/b", "Show", "-x", ".staging", ".locks"};
    fill_ctx c = {0};
    ladder_error err = {0};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.code = 0;
        assert_int_equal(stage_publish(t->dir, bad[i], fill, &c, NULL, &err), LADDER_EINVAL);
        assert_int_equal(err.code, LADDER_EINVAL);
    }
    assert_int_equal(c.calls, 0);
    assert_false(exists(t->dir, "escape"));
    assert_true(ladder_dir_is_empty(t->dir)); /* refused before touching the library */
}

/* A folder where the show would go that is not a published show is not replaced. */
static void publish_over_unpublished_folder(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {0};
    ladder_error err = {0};

    make_dir(t->show, "");
    write_text(at(t->show, "precious.txt"), "keep");
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, &err), LADDER_EEXIST);
    assert_int_equal(c.calls, 0);
    assert_string_equal(slurp(at(t->show, "precious.txt")), "keep");
}

/* flock locks belong to an open file description: a second lib_publish of the same id, even
 * from inside the first one's fill, is refused at once; another id is not held up. */
static void publish_same_id_busy_reentrant(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {.library = t->dir, .nested_id = "show"};
    ladder_error err = {0};
    int version = 0;

    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(c.nested_ret, LADDER_EBUSY);
    assert_int_equal(c.nested_calls, 0);
    assert_int_equal(version, 1);
    assert_int_equal(lib_current_version(t->show), 1);

    c = (fill_ctx){.library = t->dir, .nested_id = "other"};
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(c.nested_ret, 0);
    assert_int_equal(c.nested_calls, 1);
    assert_int_equal(lib_current_version(at(t->dir, "other")), 1);
    /* and once the first publish is over, the id is free again */
    c = (fill_ctx){0};
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(version, 3);
}

/* Another process publishing the id: a forked child holds the lock inside its fill until the
 * parent has tried. */
typedef struct child_fill {
    int ready_fd, go_fd;
} child_fill;

static int fill_wait_for_parent(void *opaque, const char *version_dir, int version,
                                ladder_error *err)
{
    child_fill *c = opaque;
    char byte = 'r';
    (void)version_dir;
    (void)version;
    (void)err;
    if (write(c->ready_fd, &byte, 1) != 1 || read(c->go_fd, &byte, 1) != 1)
        return LADDER_EIO;
    return 0;
}

static void publish_same_id_busy_other_process(void **state)
{
    tmp_lib *t = *state;
    int ready[2], go[2], status = 0;
    char byte;
    ladder_error err = {0};
    fill_ctx c = {0};
    pid_t pid;

    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        child_fill cf = {ready[1], go[0]};
        close(ready[0]);
        close(go[1]);
        _exit(stage_publish(t->dir, "show", fill_wait_for_parent, &cf, NULL, NULL) == 0 ? 0 : 1);
    }
    close(ready[1]);
    close(go[0]);
    assert_int_equal(read(ready[0], &byte, 1), 1); /* the child is inside its fill */
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, &err), LADDER_EBUSY);
    assert_int_equal(err.code, LADDER_EBUSY);
    assert_int_equal(c.calls, 0);
    assert_int_equal(write(go[1], "g", 1), 1);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]);
    close(go[1]);
    assert_int_equal(lib_current_version(t->show), 1);
    /* the lock died with the child */
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, &err), 0);
    assert_int_equal(lib_current_version(t->show), 2);
}

/* Staging folders of dead processes are swept; a live process's one is not. */
static void publish_sweeps_dead_staging(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {0};
    char dead[64], alive[64], file[80];
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    make_dir(t->dir, ".staging");
    snprintf(dead, sizeof dead, ".staging/gone.%ld", (long)pid);
    snprintf(alive, sizeof alive, ".staging/busy.%ld", (long)getpid());
    make_dir(t->dir, dead);
    make_dir(t->dir, alive);
    snprintf(file, sizeof file, "%s/partial.ts", dead);
    write_text(at(t->dir, file), "x");
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, NULL), 0);
    assert_false(exists(t->dir, dead));
    assert_true(exists(t->dir, alive));
}

/* A re-publish prunes what an earlier killed run left: a never-published vN. */
static void publish_prunes_unpublished(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {0};
    int version = 0;

    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, NULL), 0);
    make_dir(t->show, "v2"); /* renamed in, then killed before the swap */
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, NULL), 0);
    assert_int_equal(version, 3);
    assert_false(exists(t->show, "v2"));
    assert_true(exists(t->show, "v1")); /* superseded just now: kept */
    assert_int_equal(lib_current_version(t->show), 3);
}

/* ---- show.json: the one C reader (docs/show-json.md) ---------------------------------------- */

#define SHOW_OK                                                                                    \
    "{\"format\":1,\"id\":\"news\",\"title\":\"News\",\"duration\":12.5,\"version\":3,"            \
    "\"poster\":{\"path\":\"poster.jpg\",\"width\":640,\"height\":360},\"future\":[1],"            \
    "\"renditions\":[{\"name\":\"mp4-360p-600\",\"use\":\"mp4\",\"width\":640,\"height\":360,"     \
    "\"codecs\":\"avc1.42c01e,mp4a.40.2\"}]}"

/* Every field a reader needs comes through; an unknown field ("future") is ignored. */
static void show_json_reads_fields(void **state)
{
    lib_show s;
    ladder_error err = {0};
    (void)state;

    assert_int_equal(lib_show_parse(SHOW_OK, strlen(SHOW_OK), &s, &err), 0);
    assert_int_equal(s.format, 1);
    assert_string_equal(s.id, "news");
    assert_string_equal(s.title, "News");
    assert_true(s.duration == 12.5);
    assert_int_equal(s.version, 3);
    assert_int_equal(s.poster_width, 640);
    assert_int_equal(s.n_renditions, 1);
    assert_string_equal(s.renditions[0].use, "mp4");
    assert_string_equal(s.renditions[0].codecs, "avc1.42c01e,mp4a.40.2");
    lib_show_free(&s);
}

/* A format newer than the reader is refused in words; so are broken JSON and a missing id. */
static void show_json_refusals(void **state)
{
    static const char *const bad[][2] = {
        {"{\"format\":2,\"id\":\"a\",\"duration\":1,\"renditions\":[]}", "format 2"},
        {"{\"format\":1,\"id\":\"a\",", "line 1"},
        {"{\"format\":1,\"duration\":1,\"renditions\":[]}", "\"id\""},
        {"{\"format\":1,\"id\":\"A B\",\"duration\":1,\"renditions\":[]}", "\"id\""},
        {"{\"format\":1,\"id\":\"a\",\"renditions\":[]}", "\"duration\""},
        {"{\"format\":1,\"id\":\"a\",\"duration\":1}", "\"renditions\""},
        {"[1,2]", "not a JSON object"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lib_show s;
        ladder_error err = {0};
        assert_int_equal(lib_show_parse(bad[i][0], strlen(bad[i][0]), &s, &err), LADDER_EINPUT);
        assert_non_null(strstr(err.msg, bad[i][1]));
        assert_null(s.title);
        lib_show_free(&s);
    }
}

/* Shows published before the `format` field existed read as format 1. */
static void show_json_without_format(void **state)
{
    const char *text = "{\"id\":\"old\",\"duration\":2,\"renditions\":[]}";
    lib_show s;
    (void)state;

    assert_int_equal(lib_show_parse(text, strlen(text), &s, NULL), 0);
    assert_int_equal(s.format, 1);
    assert_string_equal(s.title, "old");
    lib_show_free(&s);
}

int main(void)
{
    const struct CMUnitTest name_tests[] = {
        cmocka_unit_test(id_ordinary),
        cmocka_unit_test(id_length),
        cmocka_unit_test(id_forbidden_characters),
        cmocka_unit_test(version_of_valid),
        cmocka_unit_test(version_of_invalid),
        cmocka_unit_test(version_of_path_segment),
        cmocka_unit_test(version_of_long_digits),
        cmocka_unit_test(version_name),
    };
#define T(f) cmocka_unit_test_setup_teardown(f, tmp_setup, tmp_teardown)
    const struct CMUnitTest version_tests[] = {
        T(next_version_new_show),     T(next_version_ignores_other_folders),
        T(make_links_new_show),       T(current_version_none),
        T(version_dir_too_small),     T(swap_marks_previous_superseded),
        T(prune_old_and_unpublished), T(prune_keeps_current),
    };
    const struct CMUnitTest publish_tests[] = {
        T(publish_v1_then_v2),
        T(publish_fill_fails),
        T(publish_fill_fails_new_show),
        T(publish_invalid_id),
        T(publish_over_unpublished_folder),
        T(publish_same_id_busy_reentrant),
        T(publish_same_id_busy_other_process),
        T(publish_sweeps_dead_staging),
        T(publish_prunes_unpublished),
    };
    const struct CMUnitTest show_json_tests[] = {
        T(show_json_reads_fields),
        T(show_json_refusals),
        T(show_json_without_format),
    };
#undef T
    int failed = 0;

    failed += cmocka_run_group_tests_name("names", name_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("versions", version_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("publish", publish_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("show.json", show_json_tests, NULL, NULL);
    return failed ? 1 : 0;
}

/* test_versions.c: a show's versions (library/versions.c) on a library in a temporary folder,
 * one folder per test: the next version, the links, swap and prune, as a reader of the library
 * sees them after each step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_test.h"

#define UNIT_SETUP    lib_setup
#define UNIT_TEARDOWN fx_tmp_teardown

/* ---- lib_next_version ----------------------------------------------------------------------- */

static void test_next_version_new_show(void **state)
{
    tmp_lib *t = *state;
    assert_int_equal(lib_next_version(t->path), 1); /* missing */
    make_dir(t->path, "");
    assert_int_equal(lib_next_version(t->path), 1); /* empty */
}

/* One more than the highest vN; other names, "v01" included, do not count. */
static void test_next_version_ignores_other_folders(void **state)
{
    tmp_lib *t = *state;
    make_dir(t->path, "");
    make_dir(t->path, "v1");
    make_dir(t->path, "v3");
    make_dir(t->path, "v09");
    make_dir(t->path, "v0");
    make_dir(t->path, "vx");
    make_dir(t->path, "hls");
    make_dir(t->path, "v99a");
    write_text(at(t->path, "v50.tmp"), "");
    assert_int_equal(lib_next_version(t->path), 4);
    make_dir(t->path, "v12");
    assert_int_equal(lib_next_version(t->path), 13);
}

/* ---- lib_make_links, lib_current_version, lib_version_dir ----------------------------------- */

static void test_make_links_new_show(void **state)
{
    tmp_lib *t = *state;
    char out[PATH_MAX];
    ladder_error err = {0};

    make_dir(t->path, "");
    make_dir(t->path, "v1");
    write_text(at(t->path, "v1/" LIB_ENTRY_PLAYLIST), "#EXTM3U\n");
    assert_int_equal(lib_make_links(t->path, 1, &err), 0);
    assert_string_equal(link_of(t->path, "current"), "v1");
    assert_string_equal(link_of(t->path, "master.m3u8"), "current/" LIB_ENTRY_PLAYLIST);
    assert_string_equal(link_of(t->path, "show.json"), "current/show.json");
    assert_string_equal(link_of(t->path, "poster.jpg"), "current/poster.jpg");
    /* master.m3u8 resolves, through current, to the version's entry playlist */
    struct stat st;
    assert_int_equal(stat(at(t->path, "master.m3u8"), &st), 0);
    assert_int_equal(lib_current_version(t->path), 1);
    assert_int_equal(lib_version_dir(t->path, out, sizeof out), 1);
    assert_string_equal(out, at(t->path, "v1"));
    /* no temporary link left behind */
    assert_int_equal(lib_next_version(t->path), 2);
    char tmp[64];
    snprintf(tmp, sizeof tmp, ".current.%ld", (long)getpid());
    assert_false(exists(t->path, tmp));
}

static void test_current_version_none(void **state)
{
    tmp_lib *t = *state;
    char out[PATH_MAX];

    assert_int_equal(lib_current_version(t->path), 0); /* missing folder */
    make_dir(t->path, "");
    make_dir(t->path, "v1");
    assert_int_equal(lib_current_version(t->path), 0); /* no link */
    /* an unversioned show folder is its own version folder */
    assert_int_equal(lib_version_dir(t->path, out, sizeof out), 0);
    assert_string_equal(out, t->path);
    /* a current link to something that is not a version name */
    assert_int_equal(symlink("hls", at(t->path, "current")), 0);
    assert_int_equal(lib_current_version(t->path), 0);
}

/* A buffer too small for the path: -1, for both kinds of show folder. */
static void test_version_dir_too_small(void **state)
{
    tmp_lib *t = *state;
    char out[PATH_MAX];
    size_t need = strlen(t->path) + strlen("/v1");

    make_dir(t->path, "");
    assert_int_equal(lib_version_dir(t->path, out, strlen(t->path)), -1);
    assert_int_equal(lib_version_dir(t->path, out, strlen(t->path) + 1), 0);
    make_dir(t->path, "v1");
    assert_int_equal(lib_make_links(t->path, 1, NULL), 0);
    assert_int_equal(lib_version_dir(t->path, out, need), -1);
    assert_int_equal(lib_version_dir(t->path, out, need + 1), 1);
    assert_string_equal(out, at(t->path, "v1"));
}

/* ---- lib_swap ------------------------------------------------------------------------------- */

static void test_swap_marks_previous_superseded(void **state)
{
    tmp_lib *t = *state;
    ladder_error err = {0};
    struct stat st;
    time_t before = time(NULL);

    make_dir(t->path, "");
    make_dir(t->path, "v1");
    assert_int_equal(lib_make_links(t->path, 1, &err), 0);
    assert_false(exists(t->path, "v1/.superseded"));
    make_dir(t->path, "v2");
    assert_int_equal(lib_swap(t->path, 2, &err), 0);
    assert_int_equal(lib_current_version(t->path), 2);
    assert_string_equal(link_of(t->path, "current"), "v2");
    assert_true(exists(t->path, "v1/.superseded"));
    assert_false(exists(t->path, "v2/.superseded"));
    assert_int_equal(stat(at(t->path, "v1/.superseded"), &st), 0);
    assert_true(st.st_mtime >= before - 1 && st.st_mtime <= time(NULL) + 1);
    /* the top-level links follow current without being touched */
    assert_string_equal(link_of(t->path, "master.m3u8"), "current/" LIB_ENTRY_PLAYLIST);
    make_dir(t->path, "v3");
    assert_int_equal(lib_swap(t->path, 3, &err), 0);
    assert_int_equal(lib_current_version(t->path), 3);
    assert_true(exists(t->path, "v2/.superseded"));
}

/* ---- lib_prune ------------------------------------------------------------------------------ */

/* v1 superseded two days ago and v3 never published go; v2 superseded an hour ago and v4,
 * current, stay; so does a folder that is not a version. */
static void test_prune_old_and_unpublished(void **state)
{
    tmp_lib *t = *state;
    time_t now = time(NULL);

    make_dir(t->path, "");
    for (int v = 1; v <= 4; v++) {
        char name[16], file[32];
        lib_version_name(v, name, sizeof name);
        make_dir(t->path, name);
        snprintf(file, sizeof file, "%s/a.ts", name);
        write_text(at(t->path, file), "x");
    }
    make_dir(t->path, "v1/hls");
    write_text(at(t->path, "v1/hls/b.ts"), "x");
    make_dir(t->path, "notes");
    write_text(at(t->path, "v1/.superseded"), "");
    write_text(at(t->path, "v2/.superseded"), "");
    set_mtime(t->path, "v1/.superseded", now - 2 * 24 * 3600);
    set_mtime(t->path, "v2/.superseded", now - 3600);
    assert_int_equal(lib_make_links(t->path, 4, NULL), 0);

    assert_int_equal(lib_prune(t->path, now, LIB_KEEP_SUPERSEDED_SECONDS), 2);
    assert_false(exists(t->path, "v1"));
    assert_true(exists(t->path, "v2/a.ts"));
    assert_false(exists(t->path, "v3"));
    assert_true(exists(t->path, "v4"));
    assert_true(exists(t->path, "notes"));
    assert_int_equal(lib_current_version(t->path), 4);
    /* a second prune finds nothing more */
    assert_int_equal(lib_prune(t->path, now, LIB_KEEP_SUPERSEDED_SECONDS), 0);
    /* ... until v2 is old enough: more than keep_seconds, not exactly */
    assert_int_equal(lib_prune(t->path, now - 3600 + 60, 60), 0);
    assert_int_equal(lib_prune(t->path, now - 3600 + 61, 60), 1);
    assert_false(exists(t->path, "v2"));
}

/* The current version stays even with a mark (a run killed between mark and swap leaves one);
 * and without a current link nothing is pruned: which version is live is unknown. */
static void test_prune_keeps_current(void **state)
{
    tmp_lib *t = *state;
    time_t now = time(NULL);

    make_dir(t->path, "");
    make_dir(t->path, "v1");
    make_dir(t->path, "v2");
    assert_int_equal(lib_prune(t->path, now, 0), 0);
    assert_true(exists(t->path, "v1") && exists(t->path, "v2"));
    write_text(at(t->path, "v2/.superseded"), "");
    set_mtime(t->path, "v2/.superseded", now - 10 * 24 * 3600);
    assert_int_equal(lib_make_links(t->path, 2, NULL), 0);
    assert_int_equal(lib_prune(t->path, now, LIB_KEEP_SUPERSEDED_SECONDS), 1);
    assert_false(exists(t->path, "v1"));
    assert_true(exists(t->path, "v2"));
    assert_int_equal(lib_prune(t->path, now, 0), 0);
    assert_int_equal(lib_prune(at(t->dir, "missing"), now, 0), 0);
}

#include "test_versions_tests.h"

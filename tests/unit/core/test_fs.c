/* test_fs.c: the core's file helpers (core/fs.c) in a folder of their own per test: mkdir -p,
 * rm -rf, atomic writes, the size of a tree, and the emptiness of a folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "ladder.h"

#define UNIT_SETUP    fx_tmp_setup
#define UNIT_TEARDOWN fx_tmp_teardown

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_mkdir_p_nested(void **state)
{
    fx_tmp *t = *state;
    ladder_error err = {0};

    assert_int_equal(ladder_mkdir_p(fx_join(t->dir, "a/b/c"), &err), 0);
    assert_true(is_dir(fx_join(t->dir, "a/b/c")));
    /* again: what exists is fine, and a trailing slash too */
    assert_int_equal(ladder_mkdir_p(fx_join(t->dir, "a/b/c/"), &err), 0);
    assert_int_equal(ladder_mkdir_p(fx_join(t->dir, "a/b/d"), &err), 0);
    assert_true(is_dir(fx_join(t->dir, "a/b/d")));
}

static void test_mkdir_p_refusals(void **state)
{
    fx_tmp *t = *state;
    ladder_error err = {0};

    assert_int_equal(ladder_mkdir_p("", &err), LADDER_EINVAL);
    assert_int_equal(err.code, LADDER_EINVAL);
    /* through a file: cannot be a folder, and the message names where it stopped */
    fx_file(t, "file", "x");
    memset(&err, 0, sizeof err);
    assert_int_equal(ladder_mkdir_p(fx_join(t->dir, "file/sub"), &err), LADDER_EIO);
    assert_int_equal(err.code, LADDER_EIO);
    assert_non_null(strstr(err.msg, "file/sub"));
}

static void test_rm_rf_tree(void **state)
{
    fx_tmp *t = *state;
    const char *top = fx_join(t->dir, "top");

    assert_int_equal(ladder_mkdir_p(fx_join(t->dir, "top/a/b"), NULL), 0);
    fx_write(fx_join(t->dir, "top/a/b/f"), "1");
    fx_write(fx_join(t->dir, "top/g"), "2");
    assert_int_equal(ladder_rm_rf(top, NULL), 0);
    assert_false(ladder_path_exists(top));
    assert_true(ladder_path_exists(t->dir));
}

/* A missing path is not an error; a single file goes too. */
static void test_rm_rf_missing_and_file(void **state)
{
    fx_tmp *t = *state;
    ladder_error err = {0};

    assert_int_equal(ladder_rm_rf(fx_join(t->dir, "nothing"), &err), 0);
    assert_int_equal(err.code, 0);
    fx_file(t, "f", "x");
    assert_int_equal(ladder_rm_rf(t->path, &err), 0);
    assert_false(ladder_path_exists(t->path));
}

/* A symlink inside is removed as a link: what it points to stays. */
static void test_rm_rf_keeps_link_targets(void **state)
{
    fx_tmp *t = *state;

    fx_mkdir(fx_join(t->dir, "keep"));
    fx_write(fx_join(t->dir, "keep/precious"), "p");
    fx_mkdir(fx_join(t->dir, "gone"));
    assert_int_equal(symlink(fx_join(t->dir, "keep"), fx_join(t->dir, "gone/link")), 0);
    assert_int_equal(ladder_rm_rf(fx_join(t->dir, "gone"), NULL), 0);
    assert_false(ladder_path_exists(fx_join(t->dir, "gone")));
    assert_true(ladder_path_exists(fx_join(t->dir, "keep/precious")));
}

static void test_path_exists(void **state)
{
    fx_tmp *t = *state;

    assert_true(ladder_path_exists(t->dir));
    assert_false(ladder_path_exists(fx_join(t->dir, "no")));
    /* a dangling link is something there */
    assert_int_equal(symlink("no-such-target", fx_join(t->dir, "dangling")), 0);
    assert_true(ladder_path_exists(fx_join(t->dir, "dangling")));
}

static void test_write_atomic(void **state)
{
    fx_tmp *t = *state;
    const char *path = fx_join(t->dir, "a.json");
    char *back;

    assert_int_equal(ladder_write_file_atomic(path, "{\"v\":1}", 7, NULL), 0);
    back = fx_read(path);
    assert_string_equal(back, "{\"v\":1}");
    free(back);
    /* replaced whole, shorter, and no .tmp left behind */
    assert_int_equal(ladder_write_file_atomic(path, "{}", 2, NULL), 0);
    back = fx_read(path);
    assert_string_equal(back, "{}");
    free(back);
    assert_false(ladder_path_exists(fx_join(t->dir, "a.json.tmp")));
}

/* Bytes, NULs included, and an empty file. */
static void test_write_atomic_bytes(void **state)
{
    fx_tmp *t = *state;
    static const char bytes[] = {'a', 0, 'b', 0, 0, 'c'};
    struct stat st;

    assert_int_equal(ladder_write_file_atomic(fx_join(t->dir, "b"), bytes, sizeof bytes, NULL), 0);
    assert_int_equal(stat(fx_join(t->dir, "b"), &st), 0);
    assert_int_equal(st.st_size, sizeof bytes);
    assert_int_equal(ladder_write_file_atomic(fx_join(t->dir, "e"), "", 0, NULL), 0);
    assert_int_equal(stat(fx_join(t->dir, "e"), &st), 0);
    assert_int_equal(st.st_size, 0);
}

static void test_write_atomic_missing_folder(void **state)
{
    fx_tmp *t = *state;
    ladder_error err = {0};

    assert_int_equal(ladder_write_file_atomic(fx_join(t->dir, "no/a"), "x", 1, &err), LADDER_EIO);
    assert_int_equal(err.code, LADDER_EIO);
    assert_non_null(strstr(err.msg, "no/a"));
    assert_true(ladder_dir_is_empty(t->dir));
}

static void test_tree_size(void **state)
{
    fx_tmp *t = *state;

    assert_int_equal(ladder_tree_size(t->dir), 0);
    fx_write(fx_join(t->dir, "a"), "12345");
    assert_int_equal(ladder_mkdir_p(fx_join(t->dir, "d/e"), NULL), 0);
    fx_write(fx_join(t->dir, "d/b"), "123");
    fx_write(fx_join(t->dir, "d/e/c"), "1234567");
    assert_int_equal(ladder_tree_size(t->dir), 15);
    assert_int_equal(ladder_tree_size(fx_join(t->dir, "d")), 10);
    assert_int_equal(ladder_tree_size(fx_join(t->dir, "a")), 5); /* a file: its size */
    /* links count nothing, and are not followed */
    assert_int_equal(symlink(fx_join(t->dir, "d"), fx_join(t->dir, "link")), 0);
    assert_int_equal(ladder_tree_size(t->dir), 15);
    assert_int_equal(ladder_tree_size(fx_join(t->dir, "missing")), -1);
}

static void test_dir_is_empty(void **state)
{
    fx_tmp *t = *state;

    assert_true(ladder_dir_is_empty(t->dir));
    fx_mkdir(fx_join(t->dir, "sub"));
    assert_false(ladder_dir_is_empty(t->dir));
    assert_true(ladder_dir_is_empty(fx_join(t->dir, "sub")));
    fx_write(fx_join(t->dir, "sub/.hidden"), "");
    assert_false(ladder_dir_is_empty(fx_join(t->dir, "sub")));
    /* not a folder, or nothing there: not an empty folder */
    assert_false(ladder_dir_is_empty(fx_join(t->dir, "sub/.hidden")));
    assert_false(ladder_dir_is_empty(fx_join(t->dir, "missing")));
}

#include "test_fs_tests.h"

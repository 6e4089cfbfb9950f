/* test_names.c: show ids and version names (library/names.c) as pure functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_test.h"

/* ---- lib_valid_id --------------------------------------------------------------------------- */

static void test_id_ordinary(void **state)
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
static void test_id_length(void **state)
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
static void test_id_forbidden_characters(void **state)
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

static void test_version_of_valid(void **state)
{
    (void)state;
    assert_int_equal(VERSION_OF("v1"), 1);
    assert_int_equal(VERSION_OF("v9"), 9);
    assert_int_equal(VERSION_OF("v10"), 10);
    assert_int_equal(VERSION_OF("v120"), 120);
    assert_int_equal(VERSION_OF("v999999999"), 999999999);
}

/* Nothing but "v" and a number from 1 without leading zeros or a sign names a version. */
static void test_version_of_invalid(void **state)
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
static void test_version_of_path_segment(void **state)
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
static void test_version_of_long_digits(void **state)
{
    (void)state;
    assert_int_equal(VERSION_OF("v2147483648"), 0);
    assert_int_equal(VERSION_OF("v4294967297"), 0);
    assert_int_equal(VERSION_OF("v99999999999999999999999999999999"), 0);
    assert_int_equal(VERSION_OF("v1000000000"), 0);
}

static void test_version_name(void **state)
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

#include "test_names_tests.h"

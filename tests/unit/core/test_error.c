/* test_error.c: the core's one error type (core/error.c): ladder_error_set fills the struct and
 * returns the code, and every code has its own short name. */
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "ladder.h"

static const int codes[] = {LADDER_OK,     LADDER_EINVAL,   LADDER_ENOMEM, LADDER_EIO,
                            LADDER_EINPUT, LADDER_EENCODE,  LADDER_EEXIST, LADDER_ENOTFOUND,
                            LADDER_EBUSY,  LADDER_EVALIDATE};
#define N_CODES ((int)(sizeof codes / sizeof codes[0]))

static void test_set_fills_code_and_message(void **state)
{
    ladder_error err = {0};

    (void)state;
    assert_int_equal(ladder_error_set(&err, LADDER_ENOTFOUND, "no '%s' in %d", "x.ts", 7),
                     LADDER_ENOTFOUND);
    assert_int_equal(err.code, LADDER_ENOTFOUND);
    assert_string_equal(err.msg, "no 'x.ts' in 7");
}

/* A caller that only wants the code passes NULL. */
static void test_set_without_struct(void **state)
{
    (void)state;
    assert_int_equal(ladder_error_set(NULL, LADDER_EBUSY, "held by %d", 42), LADDER_EBUSY);
}

/* The second error replaces the first, message and code. */
static void test_set_overwrites(void **state)
{
    ladder_error err = {0};

    (void)state;
    ladder_error_set(&err, LADDER_EIO, "a long first message that is longer than the second");
    ladder_error_set(&err, LADDER_EINVAL, "short");
    assert_int_equal(err.code, LADDER_EINVAL);
    assert_string_equal(err.msg, "short");
}

/* A message longer than the struct is cut, still NUL-terminated. */
static void test_set_truncates_long_message(void **state)
{
    ladder_error err;
    char big[2000];

    (void)state;
    memset(&err, 'x', sizeof err);
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ladder_error_set(&err, LADDER_EIO, "%s", big);
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    assert_int_equal(err.msg[0], 'a');
}

static void test_strerror_names(void **state)
{
    (void)state;
    assert_string_equal(ladder_strerror(LADDER_OK), "success");
    assert_string_equal(ladder_strerror(LADDER_EINVAL), "invalid argument");
    assert_string_equal(ladder_strerror(LADDER_ENOMEM), "out of memory");
    assert_string_equal(ladder_strerror(LADDER_EIO), "input/output error");
    assert_string_equal(ladder_strerror(LADDER_ENOTFOUND), "not found");
    assert_string_equal(ladder_strerror(LADDER_EBUSY), "busy");
    assert_string_equal(ladder_strerror(LADDER_EVALIDATE), "validation failed");
}

/* Every code is negative (but success), and has a name of its own, never "unknown". */
static void test_strerror_distinct(void **state)
{
    (void)state;
    for (int i = 0; i < N_CODES; i++) {
        const char *name = ladder_strerror(codes[i]);
        assert_non_null(name);
        assert_true(name[0] != '\0');
        assert_string_not_equal(name, "unknown error");
        if (codes[i] != LADDER_OK)
            assert_true(codes[i] < 0);
        for (int j = 0; j < i; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(name, ladder_strerror(codes[j]));
        }
    }
}

/* A code Ladder does not have still gets a name, never NULL. */
static void test_strerror_unknown(void **state)
{
    (void)state;
    assert_string_equal(ladder_strerror(-1000), "unknown error");
    assert_string_equal(ladder_strerror(1), "unknown error");
    assert_string_equal(ladder_strerror(LADDER_EVALIDATE - 1), "unknown error");
}

#include "test_error_tests.h"

/* test_text.c: the core's growing text buffer (core/text.c): appends grow it and keep it
 * NUL-terminated, and once an allocation failed, `failed` stays set and later appends are
 * dropped. realloc is wrapped (-Wl,--wrap=realloc, tests/unit/CMakeLists.txt) to fail on
 * demand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "ladder.h"

void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size);

static int fail_reallocs; /* set: the next reallocs fail */

void *__wrap_realloc(void *p, size_t size)
{
    return fail_reallocs ? NULL : __real_realloc(p, size);
}

static void test_empty_until_appended(void **state)
{
    ladder_text t = {0};

    (void)state;
    assert_null(t.s);
    ladder_text_printf(&t, "%s", "");
    assert_non_null(t.s);
    assert_string_equal(t.s, "");
    assert_int_equal(t.len, 0);
    ladder_text_free(&t);
    assert_null(t.s);
    assert_int_equal(t.len, 0);
    assert_int_equal(t.cap, 0);
}

/* Many appends: every one is kept, in order, and len follows. */
static void test_grows(void **state)
{
    ladder_text t = {0};
    char want[16];

    (void)state;
    for (int i = 0; i < 5000; i++)
        ladder_text_printf(&t, "%04d,", i);
    assert_false(t.failed);
    assert_int_equal(t.len, 5000 * 5);
    assert_true(t.cap > t.len);
    assert_int_equal(strlen(t.s), t.len);
    for (int i = 0; i < 5000; i += 997) {
        snprintf(want, sizeof want, "%04d,", i);
        assert_memory_equal(t.s + i * 5, want, 5);
    }
    ladder_text_free(&t);
}

/* One append far bigger than the buffer. */
static void test_big_append(void **state)
{
    ladder_text t = {0};
    static char big[100000];

    (void)state;
    memset(big, 'z', sizeof big - 1);
    ladder_text_printf(&t, "a");
    ladder_text_printf(&t, "%s", big);
    ladder_text_printf(&t, "b");
    assert_int_equal(t.len, sizeof big + 1);
    assert_int_equal(t.s[0], 'a');
    assert_int_equal(t.s[t.len - 1], 'b');
    assert_int_equal(t.s[t.len], '\0');
    ladder_text_free(&t);
}

/* A failed allocation sets `failed`; what was written stays, and later appends are dropped
 * even once memory is back. */
static void test_failure_sticks(void **state)
{
    ladder_text t = {0};

    (void)state;
    ladder_text_printf(&t, "kept");
    fail_reallocs = 1;
    ladder_text_printf(&t, "%0*d", 100, 0); /* needs more room: realloc fails */
    fail_reallocs = 0;
    assert_true(t.failed);
    assert_string_equal(t.s, "kept");
    assert_int_equal(t.len, 4);
    ladder_text_printf(&t, "x");
    assert_string_equal(t.s, "kept");
    ladder_text_free(&t);
    assert_false(t.failed);
}

/* The first append failing leaves nothing allocated. */
static void test_failure_first(void **state)
{
    ladder_text t = {0};

    (void)state;
    fail_reallocs = 1;
    ladder_text_printf(&t, "hello");
    fail_reallocs = 0;
    assert_true(t.failed);
    assert_null(t.s);
    assert_int_equal(t.len, 0);
    ladder_text_free(&t);
}

#include "test_text_tests.h"

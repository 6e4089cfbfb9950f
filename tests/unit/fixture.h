/* fixture.h: the set-up code the unit tests share (tests/unit/fixture.c): a temporary folder
 * per test, paths in it, files written and read back. Includes cmocka with what it needs. */
#ifndef LADDER_UNIT_FIXTURE_H
#define LADDER_UNIT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A folder of its own for a test, removed with everything in it afterwards. */
typedef struct fx_tmp {
    char dir[128];    /* /tmp/ladder-unit-XXXXXX */
    char path[384];   /* scratch for a path in dir (fx_file) */
    char text[16384]; /* scratch for a file read back (fx_text) */
} fx_tmp;

/* As cmocka set-up and tear-down (per test or per group): *state becomes an fx_tmp whose
 * folder exists; the tear-down removes the folder and frees it. */
int fx_tmp_setup(void **state);
int fx_tmp_teardown(void **state);

/* base/rel as one path, in one of 4 static buffers used in turn (so a call may name a few). */
const char *fx_join(const char *base, const char *rel);

/* Writes text to path (asserts it could), and returns path. */
const char *fx_write(const char *path, const char *text);
/* Writes text to t->dir/name and returns its path (t->path). */
const char *fx_file(fx_tmp *t, const char *name, const char *text);
/* Makes the folder path (asserts it could). */
void fx_mkdir(const char *path);

/* The whole file as a NUL-terminated string to free(), or NULL if it cannot be read. */
char *fx_read(const char *path);
/* The file t->dir/name as text in t->text (asserts it exists and fits). */
const char *fx_text(fx_tmp *t, const char *name);

#endif

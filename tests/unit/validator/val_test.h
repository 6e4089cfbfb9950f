/* val_test.h: what the validator's unit tests share: reports made and counted, files put in a
 * test's folder (tests/unit/fixture.h). */
#ifndef LADDER_VAL_TEST_H
#define LADDER_VAL_TEST_H

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "val_internal.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

typedef fx_tmp tmp_show;

static inline val_report *new_report(void)
{
    val_report *r = calloc(1, sizeof *r);
    assert_non_null(r);
    return r;
}

/* How many kept failures name rule. */
static inline int failures_of(const val_report *r, const char *rule)
{
    int n = 0;
    for (int i = 0; i < r->n_failures; i++)
        n += strcmp(r->failures[i].rule, rule) == 0;
    return n;
}

/* Writes text to the test's folder as name. */
static inline void put(const tmp_show *t, const char *name, const char *text)
{
    fx_write(fx_join(t->dir, name), text);
}

#endif

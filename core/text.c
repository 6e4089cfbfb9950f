/* text.c: a growing text buffer for the documents Ladder writes whole (playlists, the
 * Prometheus page): printf-style appends, and one check of `failed` at the end instead of one
 * per line. Also the H.264 profile names that profiles and device rules share. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"

void ladder_text_printf(ladder_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->failed)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = 1;
        return;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *s = realloc(t->s, cap);
        if (!s) {
            t->failed = 1;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, n + 1, fmt, ap);
    va_end(ap);
    t->len += n;
}

void ladder_text_free(ladder_text *t)
{
    free(t->s);
    *t = (ladder_text){0};
}

int ladder_h264_profile_idc(const char *name)
{
    if (!name)
        return 0;
    if (strcmp(name, "baseline") == 0)
        return 66;
    if (strcmp(name, "main") == 0)
        return 77;
    if (strcmp(name, "high") == 0)
        return 100;
    return 0;
}

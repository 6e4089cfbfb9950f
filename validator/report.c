/* report.c: the validator's report (every check counted, failures kept with file and rule)
 * and the small file and text helpers every reader uses. The bottom layer: it calls nothing
 * else in validator/. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_internal.h"

void val_fail(val_report *r, const char *file, const char *rule, const char *fmt, ...)
{
    va_list ap;
    val_failure *f;

    r->checks++;
    if (r->n_failures == VAL_MAX_FAILURES)
        return;
    f = &r->failures[r->n_failures++];
    snprintf(f->file, sizeof f->file, "%s", file);
    snprintf(f->rule, sizeof f->rule, "%s", rule);
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
}

void val_note(val_report *r, const char *fmt, ...)
{
    va_list ap;

    if (r->n_notes == VAL_MAX_NOTES)
        return;
    va_start(ap, fmt);
    vsnprintf(r->notes[r->n_notes++], sizeof r->notes[0], fmt, ap);
    va_end(ap);
}

void val_pass(val_report *r)
{
    r->checks++;
}

void val_report_merge(val_report *into, const val_report *from)
{
    into->checks += from->checks;
    into->read_ahead += from->read_ahead;
    for (int i = 0; i < from->n_failures && into->n_failures < VAL_MAX_FAILURES; i++)
        into->failures[into->n_failures++] = from->failures[i];
    for (int i = 0; i < from->n_notes && into->n_notes < VAL_MAX_NOTES; i++)
        memcpy(into->notes[into->n_notes++], from->notes[i], sizeof from->notes[i]);
}

void val_join(char *out, size_t len, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (la + 1 + lb + 1 > len) {
        out[0] = '\0';
        return;
    }
    memcpy(out, a, la);
    out[la] = '/';
    memcpy(out + la + 1, b, lb + 1);
}

void val_dir_of(char *out, size_t len, const char *show, const char *uri)
{
    val_join(out, len, show, uri);
    if (strrchr(out, '/'))
        *strrchr(out, '/') = '\0';
}

char *val_slurp(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 26) &&
        fseek(f, 0, SEEK_SET) == 0 && (s = malloc(n + 1)) != NULL) {
        if (fread(s, 1, n, f) != (size_t)n) {
            free(s);
            s = NULL;
        } else {
            s[n] = '\0';
            if (size)
                *size = n;
        }
    }
    fclose(f);
    return s;
}

int val_attr(const char *line, const char *name, char *out, size_t len)
{
    size_t n = strlen(name);
    for (const char *p = strchr(line, ':'); p && *p; p++) {
        if ((p[0] == ':' || p[0] == ',') && strncmp(p + 1, name, n) == 0 && p[1 + n] == '=') {
            const char *v = p + 2 + n, *end;
            if (*v == '"') {
                end = strchr(++v, '"');
            } else {
                end = strchr(v, ',');
            }
            if (!end)
                end = v + strcspn(v, "\r\n");
            snprintf(out, len, "%.*s", (int)(end - v), v);
            return 1;
        }
    }
    return 0;
}

int val_attr_next(const char **p, char *name, size_t nlen, char *value, size_t vlen)
{
    const char *s = *p, *eq, *end;

    while (*s == ',' || *s == ' ')
        s++;
    if (!*s || *s == '\r' || *s == '\n')
        return 0;
    eq = strchr(s, '=');
    if (!eq || eq == s || memchr(s, ',', eq - s))
        return -1;
    if (eq[1] == '"') {
        end = strchr(eq + 2, '"');
        if (!end)
            return -1;
        end++;
    } else {
        end = eq + 1 + strcspn(eq + 1, ",\r\n");
    }
    if (*end && *end != ',' && *end != '\r' && *end != '\n')
        return -1; /* text after a quoted string */
    snprintf(name, nlen, "%.*s", (int)(eq - s), s);
    snprintf(value, vlen, "%.*s", (int)(end - eq - 1), eq + 1);
    *p = end;
    return 1;
}

/* json.c: show.json as the validator reads it, like its playlists, as text of its own: a small
 * JSON tokenizer (val_json_*) that the rules walk to the fields they check, skipping the rest
 * unread. (jansson is not among the validator's libraries: tests/unit/test_layers.py.) */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_internal.h"

static void ws(val_json *j)
{
    while (isspace((unsigned char)*j->p))
        j->p++;
}

int val_json_eat(val_json *j, char c)
{
    ws(j);
    if (*j->p != c)
        return 0;
    j->p++;
    return 1;
}

/* A string into out (\u escapes outside ASCII become '?'); 0 when malformed. */
int val_json_str(val_json *j, char *out, size_t len)
{
    size_t n = 0;

    if (!val_json_eat(j, '"'))
        return 0;
    while (*j->p && *j->p != '"') {
        char c = *j->p++;
        if ((unsigned char)c < 0x20)
            return 0;
        if (c == '\\') {
            c = *j->p++;
            if (c == 'u') {
                unsigned v;
                if (sscanf(j->p, "%4x", &v) != 1 || strspn(j->p, "0123456789abcdefABCDEF") < 4)
                    return 0;
                j->p += 4;
                c = v < 0x80 ? (char)v : '?';
            } else if (c && strchr("\"\\/", c)) {
            } else if (c && strchr("bfnrt", c)) {
                c = " \b\f\n\r\t"[strchr(" bfnrt", c) - " bfnrt"];
            } else {
                return 0;
            }
        }
        if (out && n + 1 < len)
            out[n++] = c;
    }
    if (out && len)
        out[n] = '\0';
    return val_json_eat(j, '"');
}

int val_json_num(val_json *j, double *v)
{
    char *end;

    ws(j);
    *v = strtod(j->p, &end);
    if (end == j->p)
        return 0;
    j->p = end;
    return 1;
}

/* An array or object of anything, past its closing bracket. */
static int jskip_container(val_json *j, char close)
{
    if (++j->depth > 64)
        return 0;
    if (val_json_eat(j, close)) {
        j->depth--;
        return 1;
    }
    do {
        if (close == '}' && !(val_json_str(j, NULL, 0) && val_json_eat(j, ':')))
            return 0;
        if (!val_json_skip(j))
            return 0;
    } while (val_json_eat(j, ','));
    j->depth--;
    return val_json_eat(j, close);
}

int val_json_skip(val_json *j)
{
    double v;

    ws(j);
    if (*j->p == '"')
        return val_json_str(j, NULL, 0);
    if (*j->p == '{' || *j->p == '[') {
        char close = *j->p == '{' ? '}' : ']';
        j->p++;
        return jskip_container(j, close);
    }
    for (const char *lit = "true\0false\0null\0"; *lit; lit += strlen(lit) + 1)
        if (strncmp(j->p, lit, strlen(lit)) == 0) {
            j->p += strlen(lit);
            return 1;
        }
    return val_json_num(j, &v);
}

int val_json_string(const char *text, const char *key, char *out, size_t len)
{
    val_json j = {.p = text};
    char name[64];

    if (!val_json_eat(&j, '{') || val_json_eat(&j, '}'))
        return 0;
    do {
        if (!val_json_str(&j, name, sizeof name) || !val_json_eat(&j, ':'))
            return 0;
        if (strcmp(name, key) == 0) {
            ws(&j);
            return *j.p == '"' && val_json_str(&j, out, len);
        }
        if (!val_json_skip(&j))
            return 0;
    } while (val_json_eat(&j, ','));
    return 0;
}

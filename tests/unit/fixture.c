/* fixture.c: the set-up code the unit tests share (fixture.h). */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ladder.h"

int fx_tmp_setup(void **state)
{
    fx_tmp *t = calloc(1, sizeof *t);

    if (!t)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/ladder-unit-XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

int fx_tmp_teardown(void **state)
{
    fx_tmp *t = *state;
    int ret = ladder_rm_rf(t->dir, NULL);

    free(t);
    return ret < 0 ? -1 : 0;
}

const char *fx_join(const char *base, const char *rel)
{
    static char path[4][4096];
    static int which;

    which = (which + 1) % 4;
    if (snprintf(path[which], sizeof path[which], "%s/%s", base, rel) >= (int)sizeof path[which])
        fail_msg("path too long: %s/%s", base, rel);
    return path[which];
}

const char *fx_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f)
        fail_msg("cannot write %s", path);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    return path;
}

const char *fx_file(fx_tmp *t, const char *name, const char *text)
{
    if (snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name) >= (int)sizeof t->path)
        fail_msg("path too long: %s/%s", t->dir, name);
    return fx_write(t->path, text);
}

void fx_mkdir(const char *path)
{
    if (mkdir(path, 0755) != 0)
        fail_msg("cannot make the folder %s", path);
}

char *fx_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    size_t len = 0, cap = 0, n;

    if (!f)
        return NULL;
    do {
        if (len + 4096 + 1 > cap) {
            char *grown = realloc(s, cap = (len + 4096 + 1) * 2);
            if (!grown) {
                free(s);
                fclose(f);
                return NULL;
            }
            s = grown;
        }
        n = fread(s + len, 1, cap - len - 1, f);
        len += n;
    } while (n > 0);
    fclose(f);
    s[len] = '\0';
    return s;
}

const char *fx_text(fx_tmp *t, const char *name)
{
    char *s = fx_read(fx_join(t->dir, name));
    size_t n;

    if (!s)
        fail_msg("cannot read %s/%s", t->dir, name);
    n = strlen(s);
    if (n >= sizeof t->text) {
        free(s);
        fail_msg("%s/%s is too long for the fixture's buffer", t->dir, name);
    }
    memcpy(t->text, s, n + 1);
    free(s);
    return t->text;
}

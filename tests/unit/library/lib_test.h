/* lib_test.h: what the library's unit tests share: a library in a test's own temporary folder
 * (tests/unit/fixture.h), and the few file operations the tests check it with. */
#ifndef LADDER_LIB_TEST_H
#define LADDER_LIB_TEST_H

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "library.h"

/* t->dir is the library, t->path its show "show" (lib_setup; not created). */
typedef fx_tmp tmp_lib;

static inline int lib_setup(void **state)
{
    tmp_lib *t;

    if (fx_tmp_setup(state) < 0)
        return -1;
    t = *state;
    snprintf(t->path, sizeof t->path, "%s/show", t->dir);
    return 0;
}

/* base/rel as one path (fixture.h: a few at a time). */
static inline const char *at(const char *base, const char *rel)
{
    return fx_join(base, rel);
}

static inline void make_dir(const char *base, const char *rel)
{
    fx_mkdir(at(base, rel));
}

static inline void write_text(const char *path, const char *text)
{
    fx_write(path, text);
}

static inline int exists(const char *base, const char *rel)
{
    return ladder_path_exists(at(base, rel));
}

/* The target of the symlink base/rel, "" when it is not one. */
static inline const char *link_of(const char *base, const char *rel)
{
    static char target[PATH_MAX];
    ssize_t n = readlink(at(base, rel), target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    return target;
}

/* Sets the mtime of base/rel to `when`. */
static inline void set_mtime(const char *base, const char *rel, time_t when)
{
    struct timespec times[2] = {{when, 0}, {when, 0}};
    assert_int_equal(utimensat(AT_FDCWD, at(base, rel), times, 0), 0);
}

#endif

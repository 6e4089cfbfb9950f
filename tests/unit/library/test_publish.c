/* test_publish.c: publishing a show through the stage (lib_stage_open, lib_stage_commit,
 * lib_stage_close in library/publish.c) on a library in a temporary folder, one folder per
 * test: staging, the lock, a failing fill, sweeping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>

#include "lib_test.h"

#define UNIT_SETUP    lib_setup
#define UNIT_TEARDOWN fx_tmp_teardown

/* ---- the stage ------------------------------------------------------------------------------ */

typedef int (*fill_fn)(void *opaque, const char *version_dir, int version, ladder_error *err);

/* The order publish/ uses the stage in: open, fill the folder, commit only if the fill worked,
 * close either way. */
static int stage_publish(const char *library, const char *id, fill_fn fill_it, void *opaque,
                         int *version_out, ladder_error *err)
{
    lib_stage *s = NULL;
    int ret = lib_stage_open(&s, library, id, err);

    if (ret >= 0)
        ret = fill_it(opaque, lib_stage_dir(s), lib_stage_version(s), err);
    if (ret >= 0)
        ret = lib_stage_commit(s, err);
    if (ret >= 0 && version_out)
        *version_out = lib_stage_version(s);
    lib_stage_close(s);
    return ret;
}

/* What a fill function was asked, and how it should answer. */
typedef struct fill_ctx {
    int calls, version;
    char vdir[PATH_MAX];
    int fail;         /* return this code (after writing some files) */
    const char *text; /* written into entry.m3u8 and show.json */
    /* nested publish from inside the fill */
    const char *library, *nested_id;
    int nested_ret, nested_calls;
} fill_ctx;

static int fill_nothing(void *opaque, const char *version_dir, int version, ladder_error *err)
{
    (void)version_dir;
    (void)version;
    (void)err;
    ((fill_ctx *)opaque)->nested_calls++;
    return 0;
}

static int fill(void *opaque, const char *version_dir, int version, ladder_error *err)
{
    fill_ctx *c = opaque;
    char vname[16];

    c->calls++;
    c->version = version;
    snprintf(c->vdir, sizeof c->vdir, "%s", version_dir);
    /* an empty folder named vN */
    assert_true(ladder_dir_is_empty(version_dir));
    lib_version_name(version, vname, sizeof vname);
    assert_string_equal(strrchr(version_dir, '/') + 1, vname);
    write_text(at(version_dir, LIB_ENTRY_PLAYLIST), c->text ? c->text : "#EXTM3U\n");
    write_text(at(version_dir, "show.json"), c->text ? c->text : "{}");
    if (c->nested_id) {
        ladder_error nested_err = {0};
        c->nested_ret = stage_publish(c->library, c->nested_id, fill_nothing, c, NULL, &nested_err);
    }
    if (c->fail)
        return ladder_error_set(err, c->fail, "fill failed on purpose");
    return 0;
}

static char *slurp(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return NULL;
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Only the lock file and no staging folder are left behind by any finished publish. */
static void assert_staging_empty(const tmp_lib *t)
{
    assert_true(ladder_dir_is_empty(at(t->dir, ".staging")));
}

static void test_publish_v1_then_v2(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {.text = "#EXTM3U\n# one\n"};
    ladder_error err = {0};
    int version = 0;

    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(c.calls, 1);
    assert_int_equal(version, 1);
    assert_int_equal(c.version, 1);
    /* made in staging, not in the library's show folder */
    assert_null(strstr(c.vdir, t->path));
    assert_non_null(strstr(c.vdir, "/.staging/"));
    assert_int_equal(lib_current_version(t->path), 1);
    assert_string_equal(slurp(at(t->path, "master.m3u8")), "#EXTM3U\n# one\n");
    assert_string_equal(slurp(at(t->path, "show.json")), "#EXTM3U\n# one\n");
    assert_staging_empty(t);

    c = (fill_ctx){.text = "#EXTM3U\n# two\n"};
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(version, 2);
    assert_int_equal(c.version, 2);
    assert_int_equal(lib_current_version(t->path), 2);
    assert_string_equal(link_of(t->path, "master.m3u8"), "current/" LIB_ENTRY_PLAYLIST);
    assert_string_equal(slurp(at(t->path, "master.m3u8")), "#EXTM3U\n# two\n");
    /* v1 stays for the players on it, marked */
    assert_string_equal(slurp(at(t->path, "v1/" LIB_ENTRY_PLAYLIST)), "#EXTM3U\n# one\n");
    assert_true(exists(t->path, "v1/.superseded"));
    assert_staging_empty(t);

    /* version_out may be NULL */
    c = (fill_ctx){0};
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, &err), 0);
    assert_int_equal(lib_current_version(t->path), 3);
}

/* A failing fill: its error comes back, and the published show is as it was. */
static void test_publish_fill_fails(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {.text = "#EXTM3U\n# one\n"};
    ladder_error err = {0};
    int version = 0;

    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    c = (fill_ctx){.text = "#EXTM3U\n# broken\n", .fail = LADDER_EENCODE};
    version = 77;
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), LADDER_EENCODE);
    assert_int_equal(err.code, LADDER_EENCODE);
    assert_string_equal(err.msg, "fill failed on purpose");
    assert_int_equal(version, 77); /* not set on failure */
    assert_int_equal(lib_current_version(t->path), 1);
    assert_string_equal(slurp(at(t->path, "master.m3u8")), "#EXTM3U\n# one\n");
    assert_false(exists(t->path, "v2"));
    assert_false(exists(t->path, "v1/.superseded"));
    assert_staging_empty(t);
    /* the next publish is v2, as if the failure never happened */
    c = (fill_ctx){0};
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(version, 2);
}

/* A failing first publish: no show folder at all. */
static void test_publish_fill_fails_new_show(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {.fail = LADDER_EVALIDATE};
    ladder_error err = {0};

    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, &err), LADDER_EVALIDATE);
    assert_int_equal(c.calls, 1);
    assert_false(exists(t->dir, "show"));
    assert_staging_empty(t);
}

static void test_publish_invalid_id(void **state)
{
    tmp_lib *t = *state;
    static const char *const bad[] = {"", "../escape", "a/b", "Show", "-x", ".staging", ".locks"};
    fill_ctx c = {0};
    ladder_error err = {0};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.code = 0;
        assert_int_equal(stage_publish(t->dir, bad[i], fill, &c, NULL, &err), LADDER_EINVAL);
        assert_int_equal(err.code, LADDER_EINVAL);
    }
    assert_int_equal(c.calls, 0);
    assert_false(exists(t->dir, "escape"));
    assert_true(ladder_dir_is_empty(t->dir)); /* refused before touching the library */
}

/* A folder where the show would go that is not a published show is not replaced. */
static void test_publish_over_unpublished_folder(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {0};
    ladder_error err = {0};

    make_dir(t->path, "");
    write_text(at(t->path, "precious.txt"), "keep");
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, &err), LADDER_EEXIST);
    assert_int_equal(c.calls, 0);
    assert_string_equal(slurp(at(t->path, "precious.txt")), "keep");
}

/* flock locks belong to an open file description: a second stage of the same id, even
 * from inside the first one's fill, is refused at once; another id is not held up. */
static void test_publish_same_id_busy_reentrant(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {.library = t->dir, .nested_id = "show"};
    ladder_error err = {0};
    int version = 0;

    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(c.nested_ret, LADDER_EBUSY);
    assert_int_equal(c.nested_calls, 0);
    assert_int_equal(version, 1);
    assert_int_equal(lib_current_version(t->path), 1);

    c = (fill_ctx){.library = t->dir, .nested_id = "other"};
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(c.nested_ret, 0);
    assert_int_equal(c.nested_calls, 1);
    assert_int_equal(lib_current_version(at(t->dir, "other")), 1);
    /* and once the first publish is over, the id is free again */
    c = (fill_ctx){0};
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, &err), 0);
    assert_int_equal(version, 3);
}

/* Another process publishing the id: a forked child holds the lock inside its fill until the
 * parent has tried. */
typedef struct child_fill {
    int ready_fd, go_fd;
} child_fill;

static int fill_wait_for_parent(void *opaque, const char *version_dir, int version,
                                ladder_error *err)
{
    child_fill *c = opaque;
    char byte = 'r';
    (void)version_dir;
    (void)version;
    (void)err;
    if (write(c->ready_fd, &byte, 1) != 1 || read(c->go_fd, &byte, 1) != 1)
        return LADDER_EIO;
    return 0;
}

static void test_publish_same_id_busy_other_process(void **state)
{
    tmp_lib *t = *state;
    int ready[2], go[2], status = 0;
    char byte;
    ladder_error err = {0};
    fill_ctx c = {0};
    pid_t pid;

    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        child_fill cf = {ready[1], go[0]};
        close(ready[0]);
        close(go[1]);
        _exit(stage_publish(t->dir, "show", fill_wait_for_parent, &cf, NULL, NULL) == 0 ? 0 : 1);
    }
    close(ready[1]);
    close(go[0]);
    assert_int_equal(read(ready[0], &byte, 1), 1); /* the child is inside its fill */
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, &err), LADDER_EBUSY);
    assert_int_equal(err.code, LADDER_EBUSY);
    assert_int_equal(c.calls, 0);
    assert_int_equal(write(go[1], "g", 1), 1);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]);
    close(go[1]);
    assert_int_equal(lib_current_version(t->path), 1);
    /* the lock died with the child */
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, &err), 0);
    assert_int_equal(lib_current_version(t->path), 2);
}

/* Staging folders of dead processes are swept; a live process's one is not, nor another
 * machine's whatever its PID (on a shared library, a PID is only this machine's to test). */
static void test_publish_sweeps_dead_staging(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {0};
    char dead[64], alive[64], file[80], host[256] = "", ours[512], theirs[512];
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    make_dir(t->dir, ".staging");
    snprintf(dead, sizeof dead, ".staging/gone.%ld", (long)pid);
    snprintf(alive, sizeof alive, ".staging/busy.%ld", (long)getpid());
    gethostname(host, sizeof host - 1);
    for (char *p = host; *p; p++)
        if (*p == '.')
            *p = '-';
    snprintf(ours, sizeof ours, ".staging/mine.%ld.%s", (long)pid, host);
    snprintf(theirs, sizeof theirs, ".staging/far.%ld.%s-elsewhere", (long)pid, host);
    make_dir(t->dir, dead);
    make_dir(t->dir, alive);
    make_dir(t->dir, ours);
    make_dir(t->dir, theirs);
    snprintf(file, sizeof file, "%s/partial.ts", dead);
    write_text(at(t->dir, file), "x");
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, NULL, NULL), 0);
    assert_false(exists(t->dir, dead));
    assert_false(exists(t->dir, ours));
    assert_true(exists(t->dir, alive));
    assert_true(exists(t->dir, theirs));
}

/* A re-publish prunes what an earlier killed run left: a never-published vN. */
static void test_publish_prunes_unpublished(void **state)
{
    tmp_lib *t = *state;
    fill_ctx c = {0};
    int version = 0;

    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, NULL), 0);
    make_dir(t->path, "v2"); /* renamed in, then killed before the swap */
    assert_int_equal(stage_publish(t->dir, "show", fill, &c, &version, NULL), 0);
    assert_int_equal(version, 3);
    assert_false(exists(t->path, "v2"));
    assert_true(exists(t->path, "v1")); /* superseded just now: kept */
    assert_int_equal(lib_current_version(t->path), 3);
}

#include "test_publish_tests.h"

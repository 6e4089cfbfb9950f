/* publish.c: puts a new version of a show into the library (library.h).
 *
 * The version is made in LIBRARY/.staging/ID.PID.HOST/vN by the caller (publish/), which also
 * checks it, between lib_stage_open and lib_stage_commit. A new show then appears by one rename of
 * the whole staging folder (vN plus the links); a re-publish renames vN into LIBRARY/ID/ and swaps
 * the `current` link. Either way the one step that readers can see is a single rename. A failed or
 * killed run leaves only its staging folder (swept by the next run on its machine) or a
 * never-current vN (pruned by the next publish of the id). One process at a time may publish an id.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <unistd.h>

#include "library.h"

/* This machine's name as a staging folder carries it: no dots, no slashes. A library on shared
 * storage is written from several machines, and a process id means something only on its own. */
static void host_tag(char *out, size_t size)
{
    if (gethostname(out, size - 1) != 0 || !out[0])
        snprintf(out, size, "localhost");
    out[size - 1] = '\0';
    for (char *p = out; *p; p++)
        if (*p == '.' || *p == '/')
            *p = '-';
}

/* Whether staging folder `name` (ID.PID.HOST; ID.PID before hosts were named) belongs to a
 * process of this machine, host, that is gone. */
static int staging_is_dead(const char *name, const char *host)
{
    const char *dot = strchr(name, '.');
    char *end;
    long pid = dot ? strtol(dot + 1, &end, 10) : 0;

    if (name[0] == '.' || pid <= 0)
        return 0;
    if (*end == '.' && strcmp(end + 1, host) != 0)
        return 0; /* another machine's: only it can tell whether its process runs */
    if (*end != '.' && *end != '\0')
        return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Removes this machine's staging folders whose process is gone. */
static void sweep_staging(const char *staging_root, const char *host)
{
    DIR *d = opendir(staging_root);
    struct dirent *e;
    char path[PATH_MAX + 256];

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (!staging_is_dead(e->d_name, host))
            continue;
        snprintf(path, sizeof path, "%s/%s", staging_root, e->d_name);
        ladder_rm_rf(path, NULL);
    }
    closedir(d);
}

/* Takes LIBRARY/.locks/ID.lock so that a second ingest of the same id stops at once instead
 * of racing to the final rename. The lock dies with the process, so a killed run never blocks
 * the next one. Returns the descriptor or a negative code. */
static int lock_id(const char *library, const char *id, ladder_error *err)
{
    char path[PATH_MAX + 128];
    int fd;

    snprintf(path, sizeof path, "%s/.locks", library);
    if (ladder_mkdir_p(path, err) < 0)
        return err ? err->code : LADDER_EIO;
    snprintf(path, sizeof path, "%s/.locks/%s.lock", library, id);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return ladder_error_set(err, LADDER_EIO, "cannot create %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return ladder_error_set(err, LADDER_EBUSY,
                                "show '%s' is being published by another process", id);
    }
    return fd;
}

static int rename_or_fail(const char *from, const char *to, ladder_error *err)
{
    if (rename(from, to) == 0)
        return 0;
    return ladder_error_set(err, errno == ENOTEMPTY || errno == EEXIST ? LADDER_EEXIST : LADDER_EIO,
                            "cannot publish %s: %s", to, strerror(errno));
}

/* The one visible step. A new show: staging (vN + links) becomes LIBRARY/ID. A re-ingest:
 * vN moves into LIBRARY/ID, then `current` swaps to it. */
static int put_in_place(const char *staging, const char *final, int version, int replacing,
                        ladder_error *err)
{
    char from[PATH_MAX + 160], to[PATH_MAX + 160];
    int ret;

    if (!replacing) {
        ret = lib_make_links(staging, version, err);
        return ret < 0 ? ret : rename_or_fail(staging, final, err);
    }
    snprintf(from, sizeof from, "%s/v%d", staging, version);
    snprintf(to, sizeof to, "%s/v%d", final, version);
    ret = rename_or_fail(from, to, err);
    if (ret >= 0)
        ret = lib_swap(final, version, err);
    return ret;
}

struct lib_stage {
    char staging[PATH_MAX + 384]; /* LIBRARY/.staging/ID.PID.HOST */
    char final[PATH_MAX + 128];   /* LIBRARY/ID */
    char vdir[PATH_MAX + 400];    /* staging/vN */
    int lock, version, replacing;
};

void lib_stage_close(lib_stage *s)
{
    if (!s)
        return;
    ladder_rm_rf(s->staging, NULL);
    if (s->lock >= 0)
        close(s->lock); /* releases the id */
    free(s);
}

int lib_stage_open(lib_stage **out, const char *library, const char *id, ladder_error *err)
{
    char root[PATH_MAX], host[256];
    lib_stage *s;
    int ret;

    *out = NULL;
    if (!lib_valid_id(id))
        return ladder_error_set(err, LADDER_EINVAL,
                                "show id '%s' must be 1-64 of a-z, 0-9, '-' and '_'", id);
    s = calloc(1, sizeof *s);
    if (!s)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    snprintf(root, sizeof root, "%s/.staging", library);
    snprintf(s->final, sizeof s->final, "%s/%s", library, id);
    host_tag(host, sizeof host);
    snprintf(s->staging, sizeof s->staging, "%s/%s.%ld.%s", root, id, (long)getpid(), host);
    s->lock = -1;
    ret = ladder_mkdir_p(root, err);
    if (ret >= 0)
        ret = s->lock = lock_id(library, id, err);
    if (ret < 0) {
        s->staging[0] = '\0'; /* nothing of ours to remove */
        lib_stage_close(s);
        return ret;
    }
    sweep_staging(root, host);
    s->replacing = ladder_path_exists(s->final);
    if (s->replacing && lib_current_version(s->final) == 0) {
        ret =
            ladder_error_set(err, LADDER_EEXIST, "%s exists and is not a published show", s->final);
        lib_stage_close(s);
        return ret;
    }
    s->version = lib_next_version(s->final);
    snprintf(s->vdir, sizeof s->vdir, "%s/v%d", s->staging, s->version);
    ret = ladder_mkdir_p(s->vdir, err);
    if (ret < 0) {
        lib_stage_close(s);
        return ret;
    }
    *out = s;
    return 0;
}

const char *lib_stage_dir(const lib_stage *s)
{
    return s->vdir;
}

int lib_stage_version(const lib_stage *s)
{
    return s->version;
}

int lib_stage_commit(lib_stage *s, ladder_error *err)
{
    int ret = put_in_place(s->staging, s->final, s->version, s->replacing, err);

    ladder_rm_rf(s->staging, NULL);
    if (ret >= 0 && s->replacing)
        lib_prune(s->final, time(NULL), LIB_KEEP_SUPERSEDED_SECONDS);
    return ret;
}

/* publish.c: puts a new version of a show into the library (library.h).
 *
 * The version is made in LIBRARY/.staging/ID.PID/vN by the caller's fill function, which also
 * checks it. A new show then appears by one rename of the whole staging folder (vN plus the
 * links); a re-publish renames vN into LIBRARY/ID/ and swaps the `current` link. Either way the
 * one step that readers can see is a single rename. A failed or killed run leaves only its
 * staging folder (swept by the next run) or a never-current vN (pruned by the next publish of
 * the id). One process at a time may publish an id. */
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

/* Removes staging folders whose process is gone. */
static void sweep_staging(const char *staging_root)
{
    DIR *d = opendir(staging_root);
    struct dirent *e;
    char path[PATH_MAX + 256];

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        const char *dot = strrchr(e->d_name, '.');
        long pid = dot ? strtol(dot + 1, NULL, 10) : 0;
        if (e->d_name[0] == '.' || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
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

int lib_publish(const char *library, const char *id, lib_fill_fn fill, void *opaque,
                int *version_out, ladder_error *err)
{
    char root[PATH_MAX], staging[PATH_MAX + 128], final[PATH_MAX + 128], vdir[PATH_MAX + 160];
    int ret, lock, replacing, version;

    if (!lib_valid_id(id))
        return ladder_error_set(err, LADDER_EINVAL,
                                "show id '%s' must be 1-64 of a-z, 0-9, '-' and '_'", id);
    snprintf(root, sizeof root, "%s/.staging", library);
    snprintf(final, sizeof final, "%s/%s", library, id);
    snprintf(staging, sizeof staging, "%s/%s.%ld", root, id, (long)getpid());
    ret = ladder_mkdir_p(root, err);
    if (ret < 0)
        return ret;
    lock = lock_id(library, id, err);
    if (lock < 0)
        return lock;
    sweep_staging(root);
    replacing = ladder_path_exists(final);
    if (replacing && lib_current_version(final) == 0) {
        close(lock);
        return ladder_error_set(err, LADDER_EEXIST, "%s exists and is not a published show", final);
    }
    version = lib_next_version(final);
    snprintf(vdir, sizeof vdir, "%s/v%d", staging, version);
    ret = ladder_mkdir_p(vdir, err);
    if (ret >= 0)
        ret = fill(opaque, vdir, version, err);
    if (ret >= 0)
        ret = put_in_place(staging, final, version, replacing, err);
    ladder_rm_rf(staging, NULL);
    if (ret >= 0 && replacing)
        lib_prune(final, time(NULL), LIB_KEEP_SUPERSEDED_SECONDS);
    close(lock); /* releases the id */
    if (ret >= 0 && version_out)
        *version_out = version;
    return ret;
}

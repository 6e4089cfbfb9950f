/* versions.c: the versions of one show (library.h), so that re-ingesting a show replaces it
 * atomically while players that started on the old version keep getting its files.
 *
 * A player that loaded master.m3u8 only ever asks for vN/... URLs, which never change. A
 * superseded version gets a `.superseded` file whose mtime is the moment it stopped being
 * current; it is removed LIB_KEEP_SUPERSEDED_SECONDS later, by the next publish of that id.
 * Callers hold the id's lock (publish.c) while they use these functions. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "library.h"

int lib_current_version(const char *show_dir)
{
    char path[PATH_MAX], target[64];
    ssize_t n;

    if (snprintf(path, sizeof path, "%s/current", show_dir) >= (int)sizeof path)
        return 0;
    n = readlink(path, target, sizeof target - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    return lib_version_of(target, strlen(target));
}

int lib_next_version(const char *show_dir)
{
    DIR *d = opendir(show_dir);
    struct dirent *e;
    int max = 0;

    if (!d)
        return 1;
    while ((e = readdir(d)) != NULL)
        if (lib_version_of(e->d_name, strlen(e->d_name)) > max)
            max = lib_version_of(e->d_name, strlen(e->d_name));
    closedir(d);
    return max + 1;
}

/* dir/name becomes a symlink to target, replacing whatever link was there in one rename. */
static int link_atomically(const char *dir, const char *name, const char *target, ladder_error *err)
{
    char tmp[PATH_MAX], path[PATH_MAX];

    if (snprintf(tmp, sizeof tmp, "%s/.%s.%ld", dir, name, (long)getpid()) >= (int)sizeof tmp ||
        snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return ladder_error_set(err, LADDER_EINVAL, "path too long: %s", dir);
    unlink(tmp);
    if (symlink(target, tmp) != 0 || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        return ladder_error_set(err, LADDER_EIO, "cannot link %s -> %s: %s", path, target,
                                strerror(saved));
    }
    return 0;
}

int lib_make_links(const char *show_dir, int version, ladder_error *err)
{
    static const char *const links[][2] = {
        {"master.m3u8", "current/" LIB_ENTRY_PLAYLIST},
        {"show.json", "current/show.json"},
        {"poster.jpg", "current/poster.jpg"},
    };
    char vname[16];
    int ret;

    lib_version_name(version, vname, sizeof vname);
    ret = link_atomically(show_dir, "current", vname, err);
    for (size_t i = 0; ret >= 0 && i < sizeof links / sizeof links[0]; i++)
        ret = link_atomically(show_dir, links[i][0], links[i][1], err);
    return ret;
}

/* Creates or refreshes dir/vN/.superseded; its mtime is when vN stopped being current. */
static void mark_superseded(const char *show_dir, int version)
{
    char path[PATH_MAX];
    int fd;

    snprintf(path, sizeof path, "%s/v%d/.superseded", show_dir, version);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
}

int lib_swap(const char *show_dir, int version, ladder_error *err)
{
    char vname[16];
    int old = lib_current_version(show_dir);

    /* Marked before the swap: a run killed in between leaves the mark on the still-current
     * version, where it is ignored and refreshed by the next swap. */
    if (old > 0)
        mark_superseded(show_dir, old);
    lib_version_name(version, vname, sizeof vname);
    return link_atomically(show_dir, "current", vname, err);
}

/* A non-current version goes when it was never made current (a killed publish left it) or
 * was superseded more than keep_seconds ago. */
static int should_prune(const char *show_dir, const char *name, time_t now, int keep_seconds)
{
    char path[PATH_MAX];
    struct stat st;

    if (snprintf(path, sizeof path, "%s/%s/.superseded", show_dir, name) >= (int)sizeof path)
        return 0;
    if (stat(path, &st) != 0)
        return 1;
    return now - st.st_mtime > keep_seconds;
}

int lib_prune(const char *show_dir, time_t now, int keep_seconds)
{
    DIR *d = opendir(show_dir);
    struct dirent *e;
    int current = lib_current_version(show_dir), removed = 0;
    char path[PATH_MAX];

    if (!d || current == 0) {
        if (d)
            closedir(d);
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        int v = lib_version_of(e->d_name, strlen(e->d_name));
        if (v == 0 || v == current || !should_prune(show_dir, e->d_name, now, keep_seconds))
            continue;
        if (snprintf(path, sizeof path, "%s/%s", show_dir, e->d_name) < (int)sizeof path &&
            ladder_rm_rf(path, NULL) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

int lib_version_dir(const char *show_dir, char *out, size_t len)
{
    int v = lib_current_version(show_dir);

    if (v == 0)
        return (size_t)snprintf(out, len, "%s", show_dir) < len ? 0 : -1;
    return (size_t)snprintf(out, len, "%s/v%d", show_dir, v) < len ? v : -1;
}

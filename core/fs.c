/* fs.c: the few file-system helpers every component needs (mkdir -p, rm -rf, atomic writes). */
#include "ladder.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

int ladder_mkdir_p(const char *path, ladder_error *err)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof buf)
        return ladder_error_set(err, LADDER_EINVAL, "bad folder name '%s'", path);
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return ladder_error_set(err, LADDER_EIO, "cannot create '%s': %s", buf,
                                    strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return ladder_error_set(err, LADDER_EIO, "cannot create '%s': %s", buf, strerror(errno));
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(path);
}

int ladder_rm_rf(const char *path, ladder_error *err)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return 0;
    if (nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS) != 0)
        return ladder_error_set(err, LADDER_EIO, "cannot remove '%s': %s", path, strerror(errno));
    return 0;
}

int ladder_path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int ladder_dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int empty = 1;

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            empty = 0;
            break;
        }
    }
    closedir(d);
    return empty;
}

int ladder_write_file_atomic(const char *path, const void *data, size_t len, ladder_error *err)
{
    char tmp[PATH_MAX];
    const char *p = data;
    int fd;

    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return ladder_error_set(err, LADDER_EINVAL, "path too long: '%s'", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ladder_error_set(err, LADDER_EIO, "cannot write '%s': %s", tmp, strerror(errno));
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return ladder_error_set(err, LADDER_EIO, "cannot write '%s': %s", tmp, strerror(e));
        }
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return ladder_error_set(err, LADDER_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    return 0;
}

long long ladder_tree_size(const char *path)
{
    struct stat st;
    long long total = 0;
    DIR *d;
    struct dirent *e;

    if (lstat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
    d = opendir(path);
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char child[PATH_MAX];
        long long n;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        n = ladder_tree_size(child);
        if (n < 0) {
            total = -1;
            break;
        }
        total += n;
    }
    closedir(d);
    return total;
}

int ladder_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

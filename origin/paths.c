/* paths.c: the origin's safety boundary between a request target and the file system.
 *
 * libmicrohttpd hands the handler a URL it has already percent-decoded, which loses the
 * difference between "/" and "%2f". So routing works on the raw target (captured by the URI
 * log callback) decoded here exactly once, with rules that make traversal impossible before any
 * file is touched: no encoded separators, no empty or dot-led segments ("..", ".staging",
 * "//etc/passwd"), no NUL or control bytes. A double-encoded "%252e%252e" decodes once to the
 * literal name "%2e%2e", which simply does not exist. Symlinks are the other way out of the
 * library, so after opening, the file's real path must still be inside the library's. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "origin_internal.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Every segment non-empty (a trailing '/' aside) and not starting with '.'. */
static int check_segments(const char *path)
{
    for (const char *seg = path + 1;; seg++) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len == 0 && end)
            return 404; /* "//": an empty segment, e.g. an absolute path glued on */
        if (len > 0 && seg[0] == '.')
            return 404; /* ".", "..", and the library's hidden folders and files */
        if (!end)
            return 0;
        seg = end;
    }
}

int org_path_decode(const char *raw, char *out, size_t size)
{
    size_t n = 0;

    if (!raw || raw[0] != '/')
        return 400; /* only origin-form targets: no absolute-form, no "*" */
    for (const char *p = raw; *p && *p != '?' && *p != '#'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%') {
            int hi = hex_value(p[1]), lo = hi < 0 ? -1 : hex_value(p[2]);
            if (lo < 0)
                return 400;
            c = (unsigned char)(hi * 16 + lo);
            p += 2;
            if (c == '/')
                return 404; /* a slash that is not a separator names no file of ours */
        } else if (c == ' ') {
            return 400;
        }
        if (c == '\\')
            return 404; /* never a separator here, but one on other systems: refuse both */
        if (c < 0x20 || c == 0x7f)
            return 400; /* NUL (%00) would cut the path short; control bytes are never names */
        if (n + 1 >= size)
            return 404; /* longer than any path in a library */
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return check_segments(out);
}

/* 1 if the open file's real path is inside library_real. /proc/self/fd names what was actually
 * opened, so there is no window between checking and serving; realpath() is the fallback. */
static int inside_library(int fd, const char *path, const char *library_real)
{
    char link[64], real[PATH_MAX];
    size_t len = strlen(library_real);
    ssize_t n;

    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, real, sizeof real - 1);
    if (n > 0) {
        real[n] = '\0';
    } else if (!realpath(path, real)) {
        return 0;
    }
    if (len == 1) /* the library is "/" */
        return 1;
    return strncmp(real, library_real, len) == 0 && real[len] == '/';
}

int org_path_open(const char *library_real, const char *rel, struct stat *st)
{
    char path[PATH_MAX];
    int fd;

    if (snprintf(path, sizeof path, "%s/%s", library_real, rel) >= (int)sizeof path)
        return -1;
    /* O_NONBLOCK: a FIFO planted in the library must not hang the worker in open(). */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || !inside_library(fd, path, library_real)) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK); /* libmicrohttpd wants blocking fds */
    return fd;
}

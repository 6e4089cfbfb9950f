/* accesslog.c: one line per request in the combined log format that log tools expect:
 *   host - - [day/Mon/year:HH:MM:SS +0000] "METHOD target VERSION" status bytes "referer" "agent"
 * Times are UTC, so a library never depends on the process's time zone. Quotes, backslashes
 * and bytes outside printable ASCII in client-supplied fields are written as \xHH (as nginx
 * does), so a request cannot forge a line. `bytes` is the body length of the response queued
 * (0 for HEAD and 304); a transfer the client abandons is logged with that same length.
 * Each line is one write(2) of at most PIPE_BUF bytes to a descriptor opened for appending, so
 * lines from several workers never mix, in a file or in a pipe, and no lock is needed.
 *
 * Log rotation (logrotate's "move, then signal"): org_accesslog_reopen opens the path again and
 * dup2()s the new file onto the descriptor the workers write to. dup2 swaps it atomically: a
 * line goes wholly to the old file or wholly to the new one. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "origin_internal.h"

static int open_log(const char *path, ladder_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        ladder_error_set(err, LADDER_EIO, "cannot open access log %s: %s", path, strerror(errno));
    return fd;
}

int org_accesslog_open(org_accesslog *al, FILE *f, const char *path, ladder_error *err)
{
    al->fd = -1;
    al->path = NULL;
    if (f) {
        fflush(f); /* we write around its buffer from now on */
        al->fd = fileno(f);
    } else if (path) {
        if ((al->fd = open_log(path, err)) < 0)
            return LADDER_EIO;
        al->path = path;
    }
    return 0;
}

int org_accesslog_reopen(org_accesslog *al, ladder_error *err)
{
    int fd, ret = 0;

    if (!al->path)
        return 0; /* not ours to reopen (none, or the caller's stream) */
    if ((fd = open_log(al->path, err)) < 0)
        return LADDER_EIO; /* keep writing to the old file rather than lose lines */
    if (dup2(fd, al->fd) < 0)
        ret = ladder_error_set(err, LADDER_EIO, "cannot reopen access log %s: %s", al->path,
                               strerror(errno));
    close(fd);
    return ret;
}

void org_accesslog_close(org_accesslog *al)
{
    if (al->path && al->fd >= 0)
        close(al->fd);
    al->fd = -1;
    al->path = NULL;
}

/* Copies s into out (size bytes), escaped; truncates long values. */
static void escape(const char *s, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;

    for (; s && *s && n + 5 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = '\0';
}

static void client_host(struct MHD_Connection *connection, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, size, "-");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)size);
}

void org_accesslog_write(org_accesslog *al, const org_request *rq)
{
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char host[INET6_ADDRSTRLEN], method[80], target[2048], version[80], referer[768], agent[768],
        line[PIPE_BUF];
    struct timespec now;
    struct tm tm;
    int n;

    if (al->fd < 0)
        return;
    client_host(rq->connection, host, sizeof host);
    escape(rq->method, method, sizeof method);
    escape(rq->raw_uri, target, sizeof target);
    escape(rq->version, version, sizeof version);
    escape(MHD_lookup_connection_value(rq->connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_REFERER),
           referer, sizeof referer);
    escape(MHD_lookup_connection_value(rq->connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT),
           agent, sizeof agent);
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    n = snprintf(line, sizeof line,
                 "%s - - [%02d/%s/%04d:%02d:%02d:%02d +0000] \"%s %s %s\" %d %llu \"%s\" "
                 "\"%s\"\n",
                 host, tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                 tm.tm_sec, method, target, version, rq->status, (unsigned long long)rq->body_bytes,
                 referer[0] ? referer : "-", agent[0] ? agent : "-");
    if (n <= 0)
        return;
    if ((size_t)n >= sizeof line) { /* only with every field at its longest: cut the agent */
        n = sizeof line - 1;
        line[n - 1] = '\n';
    }
    /* A failed or short write loses a log line, never the response: nothing to do about it. */
    if (write(al->fd, line, (size_t)n) < 0)
        return;
}

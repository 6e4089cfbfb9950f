/* accesslog.c: one line per request in the combined log format that log tools expect:
 *   host - - [day/Mon/year:HH:MM:SS +0000] "METHOD target VERSION" status bytes "referer" "agent"
 * Times are UTC, so a library never depends on the process's time zone. Quotes, backslashes
 * and bytes outside printable ASCII in client-supplied fields are written as \xHH (as nginx
 * does), so a request cannot forge a line. `bytes` is the body length of the response queued
 * (0 for HEAD and 304); a transfer the client abandons is logged with that same length.
 * Each line is one fwrite() followed by a flush, so lines from several workers never mix. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "origin_internal.h"

int org_accesslog_open(org_accesslog *al, FILE *f, const char *path, ladder_error *err)
{
    al->f = f;
    al->owned = 0;
    if (f || !path)
        return 0;
    al->f = fopen(path, "ae");
    if (!al->f)
        return ladder_error_set(err, LADDER_EIO, "cannot open access log %s: %s", path,
                                strerror(errno));
    al->owned = 1;
    return 0;
}

void org_accesslog_close(org_accesslog *al)
{
    if (al->owned && al->f)
        fclose(al->f);
    al->f = NULL;
    al->owned = 0;
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
    char host[INET6_ADDRSTRLEN], method[80], target[2048], version[80], referer[1024], agent[1024],
        line[4800];
    struct timespec now;
    struct tm tm;
    int n;

    if (!al->f)
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
    if ((size_t)n >= sizeof line) { /* cannot happen with the field sizes above */
        n = sizeof line - 1;
        line[n - 1] = '\n';
    }
    fwrite(line, 1, (size_t)n, al->f);
    fflush(al->f);
}

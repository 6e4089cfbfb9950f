/* origin.c: the origin's lifecycle (origin.h): parameters, the listening socket, the
 * libmicrohttpd daemon, graceful shutdown.
 *
 * We bind the socket ourselves and hand it to libmicrohttpd: errors then carry the system's
 * reason ("Address already in use"), and port 0 works (getsockname gives the port). The daemon
 * runs a pool of worker threads, each with its own epoll set, so idle keep-alive connections
 * cost memory, not threads. */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "origin_internal.h"

origin_params origin_params_default(void)
{
    origin_params p;

    memset(&p, 0, sizeof p);
    p.net.host = "127.0.0.1";
    p.net.port = 8080;
    p.net.threads = ladder_cpu_count();
    p.net.max_connections = 16384;
    p.net.idle_timeout = 60;
    p.net.max_header_bytes = 8192;
    p.http.cors_origin = "*";
    p.http.file_cache_entries = 1024;
    return p;
}

/* 0 if lo <= v <= hi, else LADDER_EINVAL naming the field and its bounds. */
static int check_range(ladder_error *err, const char *what, int v, int lo, int hi)
{
    if (v >= lo && v <= hi)
        return 0;
    return ladder_error_set(err, LADDER_EINVAL, "%s must be %d to %d, not %d", what, lo, hi, v);
}

/* NULL, or "http(s)://" and a host: it goes into HTML attributes, so no quotes, spaces,
 * angle brackets or control characters either. */
static int check_public_url(const char *u, ladder_error *err)
{
    size_t n = u ? strlen(u) : 0;
    int scheme = u && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0);

    if (!u)
        return 0;
    if (!scheme || n >= ORG_PUBLIC_URL_MAX || n <= (size_t)(u[4] == 's' ? 8 : 7))
        return ladder_error_set(err, LADDER_EINVAL,
                                "the public URL must be http:// or https:// and a host, not '%s'",
                                u);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)u[i] <= ' ' || strchr("\"'<>\\`", u[i]) || u[i] == 0x7f)
            return ladder_error_set(err, LADDER_EINVAL,
                                    "the public URL has a character it cannot have: '%s'", u);
    return 0;
}

static int check_params(const origin_params *p, ladder_error *err)
{
    if (!p->library || !p->library[0])
        return ladder_error_set(err, LADDER_EINVAL, "no library given");
    if (!p->net.host || !p->net.host[0])
        return ladder_error_set(err, LADDER_EINVAL, "no listen address given");
    if (check_range(err, "port", p->net.port, 0, 65535) ||
        check_range(err, "threads", p->net.threads, 1, 1024) ||
        check_range(err, "max connections", p->net.max_connections, 1, 1000000) ||
        check_range(err, "idle timeout", p->net.idle_timeout, 1, 86400) ||
        check_range(err, "max header bytes", p->net.max_header_bytes, 1024, 1048576) ||
        check_range(err, "file cache entries", p->http.file_cache_entries, 16, 1000000))
        return LADDER_EINVAL;
    /* It is sent verbatim as a header value: one line, or responses could be forged. */
    if (!p->http.cors_origin || !p->http.cors_origin[0] || strpbrk(p->http.cors_origin, "\r\n"))
        return ladder_error_set(err, LADDER_EINVAL, "the CORS origin must be one non-empty line");
    return check_public_url(p->http.public_url, err);
}

/* The real path of a folder (malloc'd), or NULL if it is not one. */
static char *real_folder(const char *path)
{
    struct stat st;
    char *real = realpath(path, NULL);

    if (real && (stat(real, &st) != 0 || !S_ISDIR(st.st_mode))) {
        free(real);
        real = NULL;
    }
    return real;
}

/* Copies every string of params into o, so the caller's may go away after origin_open. */
static int copy_params(origin *o, const origin_params *p, ladder_error *err)
{
    o->params = *p;
    if (!(o->library_real = real_folder(p->library)))
        return ladder_error_set(err, LADDER_ENOTFOUND, "library %s is not a folder", p->library);
    if (p->http.demo_dir && !(o->demo_real = real_folder(p->http.demo_dir)))
        return ladder_error_set(err, LADDER_ENOTFOUND, "demo folder %s is not a folder",
                                p->http.demo_dir);
    o->host = strdup(p->net.host);
    o->cors_origin = strdup(p->http.cors_origin);
    o->devices = p->http.devices ? strdup(p->http.devices) : NULL;
    o->access_log_path = p->log.access_log_path ? strdup(p->log.access_log_path) : NULL;
    o->public_url = p->http.public_url ? strdup(p->http.public_url) : NULL;
    o->ad_list = strdup(p->http.ads ? p->http.ads : "");
    if (!o->host || !o->cors_origin || !o->ad_list || (p->http.devices && !o->devices) ||
        (p->log.access_log_path && !o->access_log_path) || (p->http.public_url && !o->public_url))
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (o->public_url) { /* URLs are built as public_url + "/watch/..." */
        size_t n = strlen(o->public_url);
        while (n > 0 && o->public_url[n - 1] == '/')
            o->public_url[--n] = '\0';
    }
    o->params.library = o->library_real;
    o->params.net.host = o->host;
    o->params.http.cors_origin = o->cors_origin;
    o->params.http.devices = o->devices;
    o->params.http.demo_dir = o->demo_real;
    o->params.log.access_log_path = o->access_log_path;
    o->params.http.public_url = o->public_url;
    o->params.http.ads = o->ad_list;
    return 0;
}

/* What /play, /shows, /demo/, /ads/ and /stitched/ need: the device rules, the show cache, the
 * demo folder's file cache, the ad pool, the stitched playlists' cache. */
static int open_routes(origin *o, ladder_error *err)
{
    int ret = o->devices ? dev_load(o->devices, &o->device_rules, err)
                         : dev_load_default(&o->device_rules, err);

    if (ret == 0)
        ret = org_showinfo_open(&o->shows, o->library_real, &o->params.log.logger, err);
    if (ret == 0)
        ret = org_ads_open(&o->ads, o->ad_list, o->shows, &o->params.log.logger, err);
    if (ret == 0)
        ret = org_stitched_open(&o->stitched, err);
    /* The page and its scripts: a few files, so a small cache. */
    if (ret == 0 && o->demo_real)
        ret = org_files_open(&o->demo_files, o->demo_real, ORG_ROOT_SITE, 64, err);
    return ret;
}

static int bind_listener(origin *o, ladder_error *err)
{
    struct addrinfo hints = {0}, *res, *ai;
    struct sockaddr_storage addr;
    socklen_t addr_len = sizeof addr;
    char port[8];
    int rc, fd = -1, saved = 0, one = 1;

    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(port, sizeof port, "%d", o->params.net.port);
    rc = getaddrinfo(o->host, port, &hints, &res);
    if (rc != 0)
        return ladder_error_set(err, LADDER_EINVAL, "cannot resolve %s: %s", o->host,
                                gai_strerror(rc));
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        /* Non-blocking: every worker accepts from this socket, and the losers of a race for a
         * connection must not block in accept(). */
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 4096) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return ladder_error_set(err, LADDER_EIO, "cannot listen on %s:%d: %s", o->host,
                                o->params.net.port, strerror(saved));
    o->listen_fd = fd;
    if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) != 0)
        return ladder_error_set(err, LADDER_EIO, "getsockname: %s", strerror(errno));
    o->ipv6 = addr.ss_family == AF_INET6;
    o->port = ntohs(o->ipv6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
                            : ((struct sockaddr_in *)&addr)->sin_port);
    return 0;
}

/* libmicrohttpd's own messages (connection resets, timeouts, parse errors) are routine for a
 * public server: DEBUG, so they never flood the log under attack. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    origin *o = cls;
    ladder_vlog(&o->params.log.logger, LADDER_LOG_DEBUG, "mhd", fmt, ap);
}

static int start_daemon(origin *o, ladder_error *err)
{
    const origin_params *p = &o->params;
    /* Past max_connections a request gets 503 (clients and CDNs retry elsewhere); the reserve
     * above it is what lets us say so rather than drop the connection. */
    unsigned reserve = (unsigned)p->net.max_connections / 16 + 16;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_LISTEN_SOCKET, o->listen_fd, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)((unsigned)p->net.max_connections + reserve), NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, p->net.idle_timeout, NULL},
        /* The per-connection memory pool holds the request head and the response headers;
         * a head that does not fit is answered with a 4xx by libmicrohttpd. */
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)p->net.max_header_bytes * 2, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)org_server_uri_log, o},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)org_server_completed, o},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)org_conns_notify, &o->conns},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, o},
        /* last: with one thread there is no pool, and this entry ends the list instead */
        {p->net.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, p->net.threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    /* TURBO: no listen-socket shutdown dance and no per-connection sanity extras; shutdown
     * here is ours (quiesce, drain, stop). */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_USE_TURBO | (o->ipv6 ? MHD_USE_IPv6 : 0);

    o->daemon = MHD_start_daemon(flags, 0, NULL, NULL, org_server_handle, o, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    if (!o->daemon)
        return ladder_error_set(err, LADDER_EIO, "cannot start the HTTP server");
    o->listen_fd = -1; /* the daemon's now */
    return 0;
}

int origin_reopen_logs(origin *o, ladder_error *err)
{
    return org_accesslog_reopen(&o->access_log, err);
}

int origin_open(origin **out, const origin_params *params, ladder_error *err)
{
    origin *o;
    int ret;

    *out = NULL;
    if ((ret = check_params(params, err)))
        return ret;
    o = calloc(1, sizeof *o);
    if (!o)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    o->listen_fd = -1;
    atomic_init(&o->draining, 0);
    org_metrics_init(&o->metrics);
    if ((ret = copy_params(o, params, err)) || (ret = open_routes(o, err)) ||
        (ret = org_accesslog_open(&o->access_log, o->params.log.access_log, o->access_log_path,
                                  err)) ||
        (ret = org_files_open(&o->files, o->library_real, ORG_ROOT_LIBRARY,
                              o->params.http.file_cache_entries, err)) ||
        (ret = org_conns_init(&o->conns, o->params.net.idle_timeout, err)) ||
        (ret = bind_listener(o, err)) || (ret = start_daemon(o, err))) {
        origin_close(o);
        return ret;
    }
    ladder_log(&o->params.log.logger, LADDER_LOG_DEBUG, "origin",
               "serving %s on port %d with %d threads", o->library_real, o->port,
               o->params.net.threads);
    *out = o;
    return 0;
}

int origin_port(const origin *o)
{
    return o->port;
}

void origin_shutdown(origin *o, double grace_seconds)
{
    MHD_socket listener;
    double end;

    if (!o || !o->daemon)
        return;
    atomic_store(&o->draining, 1);
    /* Stop accepting: the listening socket comes back to us, and closing it makes new
     * connection attempts fail at once instead of waiting in the backlog. */
    listener = MHD_quiesce_daemon(o->daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    end = ladder_now() + grace_seconds;
    while (atomic_load(&o->conns.in_flight) > 0 && ladder_now() < end) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    MHD_stop_daemon(o->daemon); /* closes idle keep-alive connections and any stragglers */
    o->daemon = NULL;
}

void origin_close(origin *o)
{
    if (!o)
        return;
    if (o->daemon)
        MHD_stop_daemon(o->daemon);
    if (o->listen_fd >= 0)
        close(o->listen_fd);
    org_conns_fini(&o->conns);
    org_files_close(o->files);
    org_files_close(o->demo_files);
    org_stitched_close(o->stitched);
    org_ads_close(o->ads);
    org_showinfo_close(o->shows);
    dev_free(o->device_rules);
    org_accesslog_close(&o->access_log);
    free(o->library_real);
    free(o->demo_real);
    free(o->host);
    free(o->cors_origin);
    free(o->devices);
    free(o->access_log_path);
    free(o->public_url);
    free(o->ad_list);
    free(o);
}

/* cmd_serve.c: `ladder serve`: runs the HTTP origin over a show library until SIGTERM or
 * SIGINT, then shuts it down gracefully (no new connections, in-flight responses finish).
 * SIGHUP reopens the access log file, for log rotation. Without --demo it serves the player
 * page installed with the program (cmake/install.cmake), if it finds one.
 *
 * Signals are handled without a handler or a flag: they are blocked before the origin starts
 * its threads (which inherit the mask), and the main thread waits for them with sigwait(). */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "origin.h"

/* Where `cmake --install` puts the player page (cmake/install.cmake defines both). */
#ifndef LADDER_DATADIR
#define LADDER_DATADIR "/usr/local/share/ladder"
#endif
#ifndef LADDER_DATADIR_FROM_BIN
#define LADDER_DATADIR_FROM_BIN "../share/ladder"
#endif

static const char usage_text[] =
    "usage: ladder serve [--library DIR] [--listen HOST:PORT] [--threads N] [--cors-origin O]\n"
    "                    [--access-log FILE|-] [--max-connections N] [--idle-timeout S]\n"
    "                    [--shutdown-grace S] [--file-cache N] [--devices FILE] [--demo DIR]\n"
    "                    [--public-url URL] [--ads ID[,ID...]] [--verbose]\n"
    "\n"
    "Serves LIBRARY over HTTP: /shows/<id>/... (the published files), /play/<id> (a redirect\n"
    "to HLS or to the MP4 that fits the device), /shows (the catalog, JSON), /demo/ (DIR's\n"
    "files), /watch/<id> (a show's share page), /ads/<id>/<break>.json (a break's ads, HLS\n"
    "Interstitials), /stitched/<id>/master.m3u8 (the ads spliced in), /healthz, /metrics.\n"
    "DIR defaults to the player page installed with ladder (share/ladder/player-demo beside\n"
    "its bin/, else " LADDER_DATADIR "/player-demo); if there is none, /demo/ and /watch/ are\n"
    "404. --ads names the ad pool: published shows with the library's HLS rungs.\n"
    "Prints \"ladder serve: listening on http://HOST:PORT/\" once ready (port 0 picks one).\n"
    "SIGTERM or SIGINT: finish the responses in flight, then exit. SIGHUP: reopen the\n"
    "--access-log file (after log rotation moved it).";

/* Splits "HOST:PORT" or "[V6]:PORT" into host (copied into buf) and port; 0 or -1. */
static int parse_listen(const char *s, char *buf, size_t size, int *port)
{
    const char *colon = strrchr(s, ':'), *host = s;
    size_t host_len;
    char *end;
    long v;

    if (!colon)
        return -1;
    host_len = (size_t)(colon - s);
    if (s[0] == '[') { /* [::1]:8080 */
        if (host_len < 2 || s[host_len - 1] != ']')
            return -1;
        host = s + 1;
        host_len -= 2;
    }
    v = strtol(colon + 1, &end, 10);
    if (host_len == 0 || host_len >= size || colon[1] == '\0' || *end || v < 0 || v > 65535)
        return -1;
    memcpy(buf, host, host_len);
    buf[host_len] = '\0';
    *port = (int)v;
    return 0;
}

/* buf = DIR/player-demo if that folder has an index.html; 0 or -1. */
static int page_in(char *buf, size_t size, const char *dir)
{
    char index[PATH_MAX + 32];
    int n = snprintf(buf, size, "%s/player-demo", dir);

    if (n < 0 || (size_t)n >= size)
        return -1;
    n = snprintf(index, sizeof index, "%s/index.html", buf);
    return n > 0 && (size_t)n < sizeof index && access(index, R_OK) == 0 ? 0 : -1;
}

/* The installed player page: the data folder beside this program's bin/ first (so a prefix
 * moved elsewhere finds its own), else the one of the prefix it was built for; NULL if
 * neither has one. */
static const char *installed_demo(char *buf, size_t size)
{
    char exe[PATH_MAX], dir[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;

    if (n > 0) {
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) != NULL) {
            *slash = '\0';
            if (snprintf(dir, sizeof dir, "%s/%s", exe, LADDER_DATADIR_FROM_BIN) <
                    (int)sizeof dir &&
                page_in(buf, size, dir) == 0)
                return buf;
        }
    }
    return page_in(buf, size, LADDER_DATADIR) == 0 ? buf : NULL;
}

/* Idle keep-alive connections are file descriptors: lift the soft limit to the hard one. */
static void raise_fd_limit(const ladder_logger *lg, int max_connections)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max;
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)max_connections + 1100)
        ladder_log(lg, LADDER_LOG_WARN, "serve",
                   "open file limit %llu is below --max-connections %d plus the file cache",
                   (unsigned long long)rl.rlim_cur, max_connections);
}

int cmd_serve(int argc, char **argv)
{
    const char *library = PUBLISH_DEFAULT_LIBRARY, *listen = "127.0.0.1:8080", *cors = NULL;
    const char *access_log = NULL, *devices = NULL, *demo = NULL, *public_url = NULL, *ads = NULL;
    int threads = 0, max_connections = 0, idle_timeout = 0, grace = 30, file_cache = 0;
    int verbose = 0;
    const cli_option opts[] = {
        {"library", CLI_OPT_STRING, &library, "the show library (default ./library)"},
        {"listen", CLI_OPT_STRING, &listen, "address and port (127.0.0.1:8080; port 0: any)"},
        {"threads", CLI_OPT_INT, &threads, "worker threads (default: one per core)"},
        {"cors-origin", CLI_OPT_STRING, &cors, "Access-Control-Allow-Origin value (default *)"},
        {"access-log", CLI_OPT_STRING, &access_log, "combined-format log to FILE, or - (stderr)"},
        {"max-connections", CLI_OPT_INT, &max_connections, "open connections (default 16384)"},
        {"idle-timeout", CLI_OPT_INT, &idle_timeout,
         "seconds a connection may take to send a request (default 60)"},
        {"shutdown-grace", CLI_OPT_INT, &grace,
         "seconds in-flight responses get after SIGTERM (default 30)"},
        {"file-cache", CLI_OPT_INT, &file_cache, "library files kept open (default 1024)"},
        {"devices", CLI_OPT_STRING, &devices, "device rules for /play (default: built in)"},
        {"demo", CLI_OPT_STRING, &demo,
         "folder served at /demo/ (e.g. player-demo; default: the installed page)"},
        {"public-url", CLI_OPT_STRING, &public_url,
         "https://HOST viewers reach us at, for /watch/ pages (default: the Host header)"},
        {"ads", CLI_OPT_STRING, &ads,
         "ID[,ID...]: the ad pool, published shows that fill the ad breaks (default: none)"},
        {"verbose", CLI_OPT_FLAG, &verbose, "also log libmicrohttpd's messages"},
        {NULL},
    };
    int npos = 0, ret = cli_parse(argc, argv, opts, usage_text, &npos);
    origin_params p = origin_params_default();
    char host[256], demo_buf[PATH_MAX];
    ladder_error err = {0};
    sigset_t signals;
    origin *o;
    int sig;

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos != 0 || parse_listen(listen, host, sizeof host, &p.net.port) != 0) {
        if (npos == 0)
            fprintf(stderr, "ladder serve: --listen wants HOST:PORT, not '%s'\n", listen);
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    cli_output_init(verbose ? 2 : 1);
    p.library = library;
    p.net.host = host;
    p.net.threads = threads ? threads : p.net.threads;
    p.net.max_connections = max_connections ? max_connections : p.net.max_connections;
    p.net.idle_timeout = idle_timeout ? idle_timeout : p.net.idle_timeout;
    p.http.cors_origin = cors ? cors : p.http.cors_origin;
    p.http.file_cache_entries = file_cache ? file_cache : p.http.file_cache_entries;
    p.http.devices = devices;
    p.http.demo_dir = demo ? demo : installed_demo(demo_buf, sizeof demo_buf);
    p.http.public_url = public_url;
    p.http.ads = ads;
    if (access_log && strcmp(access_log, "-") == 0)
        p.log.access_log = stderr;
    else
        p.log.access_log_path = access_log;
    p.log.logger = *cli_logger();
    raise_fd_limit(&p.log.logger, p.net.max_connections);

    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    if (origin_open(&o, &p, &err) != 0)
        return cli_fail("serve", &err);
    printf("ladder serve: listening on http://%s%s%s:%d/\n", strchr(host, ':') ? "[" : "", host,
           strchr(host, ':') ? "]" : "", origin_port(o));
    fflush(stdout);

    while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
        if (origin_reopen_logs(o, &err) != 0)
            ladder_log(&p.log.logger, LADDER_LOG_WARN, "serve", "SIGHUP: %s", err.msg);
        else
            ladder_log(&p.log.logger, LADDER_LOG_INFO, "serve", "SIGHUP: access log reopened");
    }
    fprintf(stderr, "ladder serve: %s: finishing responses in flight (up to %d s)\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT", grace);
    origin_shutdown(o, grace);
    origin_close(o);
    return 0;
}

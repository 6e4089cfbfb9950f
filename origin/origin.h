/* origin.h: the HTTP origin. Serves a show library (see README.md, "The show library") to
 * players and to CDNs that pull from it, over libmicrohttpd.
 *
 * Set-up order: origin_params_default() -> the caller's overrides -> origin_open(), which
 * checks and copies them, binds the socket and starts the worker threads. Then the origin runs
 * by itself until origin_shutdown() (stop accepting, let in-flight responses finish) and
 * origin_close(). Nothing here prints or exits: problems come back as a ladder_error or go to
 * the logger.
 *
 * URLs (docs/origin.md): /shows/<id>/... (the published files), /play/<id> (a redirect to the
 * format that fits the device), /shows (the catalog, JSON), /demo/ (the player page),
 * /watch/<id> (a show's share link: the player page with the show's Open Graph tags),
 * /ads/<id>/<break-id>.json (a break's HLS Interstitials asset list), POST /ads/beacon (ad
 * impressions), /stitched/<id>/master.m3u8 (the show with its ads spliced in), /healthz,
 * /metrics. */
#ifndef LADDER_ORIGIN_H
#define LADDER_ORIGIN_H

#include <stdio.h>

#include "ladder.h"

typedef struct origin origin;

typedef struct origin_params {
    const char *library; /* required: the show library folder (LIBRARY above) */

    struct {
        const char *host;     /* numeric IPv4/IPv6 address or host name to bind ("127.0.0.1") */
        int port;             /* 0..65535; 0 = an ephemeral port, read it with origin_port() */
        int threads;          /* worker threads 1..1024; default ladder_cpu_count() */
        int max_connections;  /* open connections 1..1000000 (16384); past it: 503, then refused */
        int idle_timeout;     /* seconds 1..86400 (60): a connection must complete each request's
                                 headers within this long of connecting or of its previous
                                 response, and a response that makes no progress for this long
                                 is cut */
        int max_header_bytes; /* request line + headers, 1024..1048576 (8192); beyond: 4xx */
    } net;

    struct {
        const char *cors_origin; /* Access-Control-Allow-Origin on every response ("*") */
        const char *devices;     /* device rules (devices/devices.xml format) for /play; NULL:
                                    the built-in rules. Loaded once, in origin_open */
        const char *demo_dir;    /* folder served at /demo/ (the repository's player-demo/);
                                    NULL: /demo/ and /watch/ are 404 */
        const char *public_url;  /* "https://host[:port]" viewers reach the origin at (the
                                    CDN's address), for the absolute URLs of /watch/ pages;
                                    NULL: from each request's Host header */
        int file_cache_entries;  /* open files kept between requests, 16..1000000 (1024) */
        const char *ads;         /* the ad pool, "ID[,ID...]": published shows with the same
                                    HLS rungs as each other (checked in origin_open); NULL or
                                    "": none, and breaks stay empty */
    } http;

    struct {
        FILE *access_log;            /* combined-format lines, one per request; NULL: none.
                                        Borrowed: must stay open until origin_close */
        const char *access_log_path; /* if access_log is NULL: a file opened for appending */
        ladder_logger logger;        /* libmicrohttpd's messages arrive at DEBUG level */
    } log;
} origin_params;

/* The defaults above; library is NULL and must be set. Cannot fail. */
origin_params origin_params_default(void);

/* Checks params (LADDER_EINVAL names the bad field), resolves the library and the demo folder
 * (LADDER_ENOTFOUND), loads the device rules (their error, "FILE:LINE: problem"), checks the
 * ad pool (LADDER_EINVAL: "ad pool: 'x' is not a published show", or rungs that differ), opens the
 * access log and binds the listening socket (LADDER_EIO with the system's reason), then starts
 * serving. params and its strings are copied; access_log is borrowed. On failure *out is
 * NULL and nothing is left running. */
int origin_open(origin **out, const origin_params *params, ladder_error *err);

/* The port actually bound (the one asked for, or the ephemeral one). */
int origin_port(const origin *o);

/* Reopens the access log file, after log rotation moved it (the SIGHUP convention). Lines
 * written meanwhile go wholly to the old file or wholly to the new one. A no-op when the log
 * is not a file the origin opened. On failure, logging carries on into the old file. */
int origin_reopen_logs(origin *o, ladder_error *err);

/* Graceful stop: refuses new connections at once, lets the requests in flight finish (for at
 * most grace_seconds), then closes every connection. Idempotent; origin_close() still needed. */
void origin_shutdown(origin *o, double grace_seconds);

/* Stops at once if origin_shutdown() was not called, and frees everything. Accepts NULL. */
void origin_close(origin *o);

#endif

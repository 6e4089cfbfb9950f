/* origin_internal.h: what the origin's files share. Private to origin/: nothing here crosses
 * the component boundary (the public API is origin.h).
 *
 * One request's path through the files: server.c receives it (libmicrohttpd callbacks, route
 * table), paths.c turns the raw target into a safe library-relative path, files.c finds the
 * open file, static.c answers with http.c's rules (validators, ranges, encodings) through
 * respond.c's helpers, gzip.c compresses playlists, mime.c names types and cache lifetimes;
 * accesslog.c and metrics.c record the outcome; conns.c tracks connections (gauge, header
 * deadline, overload). /play (play.c), /watch (share.c) and the /shows catalog (catalog.c) read
 * published shows through showinfo.c, which caches each show's show.json per version. Ads
 * (docs/origin.md, "Ads"): ads.c holds the pool (`--ads`), decides which ads fill a break and
 * answers /ads/ (asset lists, beacons); stitched.c answers /stitched/ with the show's playlists
 * with those ads spliced in, built once per (show version, pool state) and kept in a cache.
 * Every cache is cache.c's: key -> reference-counted entry, checked by its owner on every get.
 *
 * Who calls whom: dependencies run one way, down this list; a file calls only files below it.
 *   origin.c     the public API: starts and stops everything
 *   server.c     callbacks and route table; calls the routes, respond.c, files.c, leaves
 *   share.c      /watch; calls play.c (the desktop MP4) and static.c (org_file_text)
 *   play.c, catalog.c, static.c, stitched.c   the other routes (stitched.c calls files.c and
 *                static.c's org_file_text for the playlists it splices)
 *   ads.c        the pool, decisioning, /ads/; called by play.c and stitched.c
 *   respond.c    the routes' (and server.c's) way to answer
 *   files.c, showinfo.c           what the routes serve, kept in cache.c's caches
 *   cache.c, accesslog.c, metrics.c, conns.c, paths.c, http.c, gzip.c, mime.c   leaves
 * (metrics.c calls mime.c for kind names; files.c calls paths.c, http.c and mime.c; showinfo.c
 * calls paths.c.) */
#ifndef LADDER_ORIGIN_INTERNAL_H
#define LADDER_ORIGIN_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "library.h"
#include "origin.h"
#include "devices.h"

/* ---- mime.c: what a file is ------------------------------------------------------------- */

/* What /metrics counts requests by. */
typedef enum {
    ORG_KIND_PLAYLIST,
    ORG_KIND_SEGMENT,
    ORG_KIND_MP4,
    ORG_KIND_OTHER,
    ORG_KIND_N
} org_kind;

typedef struct org_type {
    const char *content_type;
    org_kind kind;
    int compressible; /* served gzip-compressed to clients that accept it */
} org_type;

/* A folder the origin serves files from. */
typedef enum {
    ORG_ROOT_LIBRARY, /* the show library: /shows/<id>/... */
    ORG_ROOT_SITE     /* the demo page's folder: /demo/... */
} org_root;

/* The type of a relative path ("ID/vN/hls/x/seg00000.ts"), by extension (and folder, for fMP4
 * init segments). Never fails: unknown types are application/octet-stream. */
org_type org_type_of(const char *rel);
/* The Cache-Control value for a path relative to a root (policy in docs/origin.md). */
const char *org_cache_control(org_root root, const char *rel);
/* 1 if a library-relative path is inside a version folder ("ID/vN/..."), which never changes
 * once published. */
int org_in_version_folder(const char *rel);
const char *org_kind_name(org_kind k);

/* ---- paths.c: request target -> library file -------------------------------------------- */

/* Decodes a raw request target ("/shows/a/master.m3u8?x=1") into out (the path without the
 * query, percent-decoded once). Returns 0, or the HTTP status to answer: 400 for a malformed
 * target (not origin-form, bad %-escape, NUL or control bytes), 404 for one that names nothing
 * we serve (an encoded '/' or '\', an empty or dot-led segment such as "..", ".staging" or
 * "//etc"). A trailing '/' is kept, so routes can tell folders from files. */
int org_path_decode(const char *raw, char *out, size_t size);

/* Opens library/rel read-only if, after following every symlink, it is a regular file whose
 * real path is inside library_real (which is itself a real path). Fills *st. Returns the fd,
 * or -1 (not found, not a regular file, outside the library, or unreadable). */
int org_path_open(const char *library_real, const char *rel, struct stat *st);

/* ---- http.c: the protocol rules ----------------------------------------------------------- */

#define ORG_HTTP_DATE_LEN 30 /* "Sun, 06 Nov 1994 08:49:37 GMT" + NUL */

/* A strong ETag ("\"...\"") made from a body's bytes, for answers built per request. */
void org_http_etag_of(const char *body, size_t len, char out[24]);
/* IMF-fixdate of t (UTC). */
void org_http_date(time_t t, char out[ORG_HTTP_DATE_LEN]);
/* Parses an HTTP-date in any of its three forms (RFC 9110 5.6.7); 0 or -1 if malformed. */
int org_http_parse_date(const char *s, time_t *t);
/* If-None-Match against etag ("\"...\""): 1 if any listed tag matches by weak comparison, or
 * the list is "*". */
int org_http_none_match(const char *header, const char *etag);
/* Accept-Encoding: 1 if gzip is acceptable (listed, or "*", with q > 0). */
int org_http_accepts_gzip(const char *accept_encoding);
/* Accept: 1 if the media type is listed by name with q > 0. Wildcard ranges do not count: a
 * browser's navigation accepts anything, and must still get the usual answer. */
int org_http_accepts_type(const char *accept, const char *type);

typedef enum {
    ORG_RANGE_NONE,         /* no usable single range: serve the whole body (200) */
    ORG_RANGE_OK,           /* serve [first, first + len) (206) */
    ORG_RANGE_UNSATISFIABLE /* 416 */
} org_range_result;
/* A Range header against a body of `size` bytes. Multiple ranges, other units and malformed
 * values are ORG_RANGE_NONE (RFC 9110 14.2 lets a server ignore them). */
org_range_result org_http_range(const char *header, uint64_t size, uint64_t *first, uint64_t *len);

/* ---- cache.c: key -> reference-counted entry ------------------------------------------------ */

/* The cache's part of a cached value, embedded in it (ORG_CACHE_OWNER gets the value back). */
typedef struct org_cache_entry {
    const char *key;  /* the value's own copy of its key, set before org_cache_put */
    int refs, linked; /* under the cache's lock */
    struct org_cache_entry *hnext, *lru_prev, *lru_next;
} org_cache_entry;

#define ORG_CACHE_OWNER(e, type, member) ((type *)(void *)((char *)(e)-offsetof(type, member)))

typedef enum {
    ORG_CACHE_FRESH,  /* good: hand it out */
    ORG_CACHE_UNSURE, /* cannot tell without a look outside the cache: leave it, return NULL */
    ORG_CACHE_STALE   /* no longer good: drop it, return NULL */
} org_cache_verdict;

/* Called under the cache's lock with a linked entry and the caller's arg. */
typedef org_cache_verdict (*org_cache_check_fn)(org_cache_entry *e, void *arg);
/* Frees the value holding e, once it is out of the cache and nobody holds it. */
typedef void (*org_cache_free_fn)(org_cache_entry *e);

typedef struct org_cache org_cache;

/* At most capacity entries (the least recently used evicted first), or unbounded with 0. */
int org_cache_open(org_cache **out, int capacity, org_cache_free_fn free_fn, ladder_error *err);
/* Frees every entry; none may be held any more. Accepts NULL. */
void org_cache_close(org_cache *c);
/* The entry for key with a new reference if check says ORG_CACHE_FRESH; else NULL, and a
 * stale entry is dropped. */
org_cache_entry *org_cache_get(org_cache *c, const char *key, org_cache_check_fn check, void *arg);
/* Caches made (not yet shared; its key set) and returns it with one reference for the caller,
 * unless an entry of that key is there that check calls ORG_CACHE_FRESH: then made is freed and
 * that one is returned, referenced. Whatever else had the key is dropped. Never fails. */
org_cache_entry *org_cache_put(org_cache *c, org_cache_entry *made, org_cache_check_fn check,
                               void *arg);
void org_cache_release(org_cache *c, org_cache_entry *e); /* accepts NULL */
int org_cache_count(org_cache *c);                        /* entries in the cache */

/* ---- files.c: open files between requests -------------------------------------------------- */

/* An open library file, as requested by one path, with what its responses need. Immutable once
 * made, except the memoized responses under `lock`. Shared: hold a reference from
 * org_files_get to org_file_release. */
typedef struct org_file {
    char *rel; /* the library-relative path it was requested as (the cache key) */
    int fd;    /* owned by `full` once that is made from it (libmicrohttpd closes it) */
    dev_t dev;
    ino_t ino;
    uint64_t size;
    struct timespec mtime;
    org_type type;
    const char *cache_control;
    char etag[64], etag_gz[68], last_modified[ORG_HTTP_DATE_LEN];

    /* Responses made on first use and reused by every request for this file: libmicrohttpd
     * counts their references, so one can be queued on many connections at once. */
    pthread_mutex_t lock;
    struct MHD_Response *full; /* 200, the whole file: from `text`, else from fd (sendfile) */
    void *text;                /* a small text file's bytes, read once (see static.c) */
    struct MHD_Response *gz;   /* 200, the gzip body below; NULL until made */
    void *gz_data;             /* the gzip representation, made on first ask */
    uint64_t gz_len;
    int gz_state; /* 0 not tried, 1 made, -1 not worth it (no smaller) or failed */

    org_cache_entry entry; /* keyed by rel */
    int immutable;         /* under a version folder (ID/vN/...): published files never change */
    double checked_at;     /* ladder_now() of the last stat() that confirmed it (cache's lock) */
} org_file;

typedef struct org_files org_files;

/* A cache of files under root_real (a real path, borrowed: it must outlive the cache) holding
 * at most capacity open. */
int org_files_open(org_files **out, const char *root_real, org_root root, int capacity,
                   ladder_error *err);
void org_files_close(org_files *fs);
/* The file for a root-relative path, re-checked on every call: the path is stat()ed and an
 * open file is reused only while (device, inode, size, mtime) still match, so a re-published
 * show or a swapped `current` link is seen at once. Returns a new reference, or NULL (404). */
org_file *org_files_get(org_files *fs, const char *rel);
void org_file_release(org_files *fs, org_file *f);
int org_files_count(org_files *fs);

/* ---- showinfo.c: published shows, from their current version's show.json ------------------ */

#define ORG_ID_MAX          LIB_ID_MAX /* show ids (library.h) */
#define ORG_PUBLIC_URL_MAX  512
#define ORG_VERSION_DIR_MAX 16

/* Which version of a show an entry describes: the folder `current` names, and its show.json. */
typedef struct org_show_key {
    char version_dir[ORG_VERSION_DIR_MAX]; /* "v3" */
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
} org_show_key;

/* One progressive MP4 fallback, at /shows/<id>/<version_dir>/mp4/<name>.mp4. */
typedef struct org_mp4 {
    char name[64];
    int width, height;
    int profile_idc; /* H.264 profile_idc, 0 if unknown */
} org_mp4;

/* One ad break of a show (show.json "breaks"). */
#define ORG_BREAK_ID_MAX 16
typedef struct org_break {
    char id[ORG_BREAK_ID_MAX]; /* "break-K", K from 1 in time order */
    double time;               /* seconds from the first picture: the frame's time */
    double duration;           /* planned length, seconds, > 0 */
} org_break;

/* A published show as its current version describes it. Immutable once made; shared: hold a
 * reference from org_showinfo_get to org_show_release. */
typedef struct org_show {
    char id[ORG_ID_MAX + 1];
    org_show_key key;
    int version; /* N of key.version_dir */
    char *title;
    double duration;                 /* seconds */
    int poster_width, poster_height; /* 0 if show.json does not say */
    int n_mp4;
    org_mp4 *mp4; /* those whose file is there, in show.json's order */
    int n_breaks;
    org_break *breaks; /* in time order; NULL when the show has none */
    int n_hls;
    char (*hls)[LADDER_NAME_MAX]; /* the HLS rung names (renditions with use "hls"), sorted */
    char dash_path[64]; /* show.json "dash" "path", relative to the version folder ("manifest.mpd");
                           "" when the version has no MPD (packaged as MPEG-TS) */

    org_cache_entry entry; /* keyed by id */
} org_show;

typedef struct org_showinfo org_showinfo;

/* library_real and logger are borrowed: they must outlive the cache. */
int org_showinfo_open(org_showinfo **out, const char *library_real, const ladder_logger *logger,
                      ladder_error *err);
void org_showinfo_close(org_showinfo *si); /* accepts NULL */

/* The show `id` as published now (a new reference), or NULL: not a valid id, not published,
 * or its show.json unreadable. Re-checks `current` on every call, so a re-ingest is seen at
 * once. Safe from many threads. */
org_show *org_showinfo_get(org_showinfo *si, const char *id);
/* The same for version folder version_dir ("v3") of the show, current or not (a superseded
 * version still on disk, for players that started on it): the cached entry when it is the
 * current one, else one read for this caller alone. NULL if that version is not there.
 * Released with org_show_release either way. */
org_show *org_showinfo_get_version(org_showinfo *si, const char *id, const char *version_dir);
void org_show_release(org_showinfo *si, org_show *s); /* accepts NULL */
/* h (FNV-1a 64) continued over what a version key says across origin nodes: the version
 * folder's name and its show.json's mtime (not device and inode, as ETags of files leave
 * them out; docs/origin.md, "Validators"). For ETags made from a show's version. */
uint64_t org_show_key_hash(const org_show_key *k, uint64_t h);
/* 1 if a and b have the same set of HLS rung names. */
int org_show_same_rungs(const org_show *a, const org_show *b);
/* The rung names as "a,b,c" into out (for messages). */
void org_show_rung_list(const org_show *s, char *out, size_t size);

/* ---- gzip.c ---------------------------------------------------------------------------------- */

/* Compresses data into a new malloc'd gzip stream (*out, *out_len). 0 or LADDER_ENOMEM. */
int org_gzip(const void *data, size_t len, void **out, size_t *out_len);

/* ---- conns.c: connections ----------------------------------------------------------------- */

typedef struct org_conn {
    struct org_conn *prev, *next;
    int fd;
    int in_request;    /* between the handler's first call and the completed callback */
    double idle_since; /* monotonic seconds: when it started waiting for a request */
    int cut;           /* the watchdog shut it down */
} org_conn;

typedef struct org_conns {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    org_conn *head;
    atomic_long open;      /* open connections (the gauge, and the 503 threshold) */
    atomic_long in_flight; /* requests being answered (what shutdown waits for) */
    double header_deadline;
    int stop, running;
    pthread_t watchdog;
} org_conns;

int org_conns_init(org_conns *cs, double header_deadline, ladder_error *err);
void org_conns_fini(org_conns *cs); /* after the daemon stopped */
/* MHD_OPTION_NOTIFY_CONNECTION callback; cls is the org_conns. */
void org_conns_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);
void org_conns_request_begin(org_conns *cs, org_conn *c);
void org_conns_request_end(org_conns *cs, org_conn *c);

/* ---- metrics.c --------------------------------------------------------------------------------
 */

#define ORG_N_STATUS  14 /* the statuses we send, plus "other" */
#define ORG_N_BUCKETS 15 /* latency histogram buckets, +Inf included */

typedef struct org_metrics {
    atomic_ullong requests[ORG_N_STATUS][ORG_KIND_N];
    atomic_ullong bytes[ORG_KIND_N];
    atomic_ullong duration_bucket[ORG_N_BUCKETS]; /* per bucket, not cumulative */
    atomic_ullong duration_sum_ns;
    atomic_ullong incomplete;         /* requests that never reached a handler: malformed, too big,
                                       cut by the header deadline, or abandoned by the client */
    atomic_ullong ad_asset_lists;     /* /ads/<id>/<break>.json answered (200 or 304) */
    atomic_ullong stitched_playlists; /* /stitched/ playlists answered (200 or 304) */
    atomic_ullong ad_impressions[2];  /* accepted beacons: [0] "start", [1] "end" */
} org_metrics;

void org_metrics_init(org_metrics *m);
void org_metrics_record(org_metrics *m, int status, org_kind kind, uint64_t bytes, double seconds);
/* The Prometheus text exposition, malloc'd (the caller frees); NULL when out of memory. */
char *org_metrics_render(org_metrics *m, long open_connections, int cached_files, size_t *len);

/* ---- the origin and one request ------------------------------------------------------------- */

typedef struct org_request {
    origin *o;
    struct MHD_Connection *connection;
    org_conn *conn;  /* its connection's entry in conns (NULL if that could not be made) */
    double start;    /* monotonic seconds: the request line arrived */
    char *raw_uri;   /* the request target as sent */
    char method[16]; /* copies, for the access log */
    char version[16];
    int handled; /* the handler ran at least once */
    int status;  /* what was queued, 0 if nothing */
    org_kind kind;
    org_file *file;        /* the file being sent, held until the request ends */
    org_files *files;      /* the cache it came from (the library's or the demo folder's) */
    uint64_t body_bytes;   /* body length of the queued response (0 for HEAD, 304, ...) */
    org_cache_entry *held; /* a cache entry whose buffers the response uses, released with */
    org_cache *held_cache; /* ... this cache when the request ends (stitched.c) */
    char *upload;          /* a POST body (the beacon's), at most ORG_UPLOAD_MAX bytes + NUL */
    size_t upload_len;
    int upload_too_big; /* more than ORG_UPLOAD_MAX came: answered 400 at its end */
} org_request;

#define ORG_UPLOAD_MAX 1024 /* bytes of a POST body (POST /ads/beacon); beyond: 400 */

typedef struct org_accesslog {
    int fd;           /* -1: no access log */
    const char *path; /* borrowed; set when fd was opened from it (then ours to close) */
} org_accesslog;

/* To stream f if given, else to the file at path if given, else nowhere. */
int org_accesslog_open(org_accesslog *al, FILE *f, const char *path, ladder_error *err);
/* Opens path again (after a log rotation moved the file away); a no-op without a path. */
int org_accesslog_reopen(org_accesslog *al, ladder_error *err);
void org_accesslog_write(org_accesslog *al, const org_request *rq);
void org_accesslog_close(org_accesslog *al);

struct origin {
    origin_params params; /* the caller's, with the strings below in place of theirs */
    char *library_real;   /* realpath of params.library */
    char *demo_real;      /* realpath of params.http.demo_dir, NULL without one */
    char *host, *cors_origin, *devices, *access_log_path, *ad_list;
    char *public_url;        /* params.http.public_url without a trailing '/', NULL without one */
    dev_rules *device_rules; /* for /play: params.http.devices, or the built-in rules */
    struct MHD_Daemon *daemon;
    int listen_fd; /* ours until the daemon owns it */
    int port, ipv6;
    atomic_int draining;   /* origin_shutdown has begun */
    org_files *files;      /* the library's */
    org_files *demo_files; /* the demo folder's, NULL without one */
    org_showinfo *shows;
    struct org_ads *ads;           /* the ad pool (ads.c); never NULL once open */
    struct org_stitched *stitched; /* stitched playlists (stitched.c) */
    org_conns conns;
    org_metrics metrics;
    org_accesslog access_log;
};

/* server.c: the libmicrohttpd callbacks. */
void *org_server_uri_log(void *cls, const char *uri, struct MHD_Connection *connection);
enum MHD_Result org_server_handle(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls);
void org_server_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                          enum MHD_RequestTerminationCode toe);

/* ---- respond.c: answering a request ---------------------------------------------------------- */

#define ORG_ALLOWED_METHODS "GET, HEAD, OPTIONS" /* the Allow header of 405s and preflights */

/* Response helpers for route handlers and server.c. org_send queues resp for the request and
 * records status and body length; it leaves resp to the caller, so shared (memoized) responses
 * and fresh ones both work: a fresh one is destroyed by the caller right after. */
enum MHD_Result org_send(org_request *rq, unsigned status, struct MHD_Response *resp,
                         uint64_t body_len);
/* A body made for this request (malloc'd; the response takes it, or it is freed here), with an
 * ETag that hashes its bytes: 304 when If-None-Match matches it, else 200 with content_type. */
enum MHD_Result org_send_made(org_request *rq, char *body, size_t len, const char *content_type,
                              const char *cache_control);
/* The same with an ETag of the caller's (made from what the body is a function of). */
enum MHD_Result org_send_made_tagged(org_request *rq, char *body, size_t len,
                                     const char *content_type, const char *cache_control,
                                     const char *etag);
/* A 405 whose Allow header is allow (org_send_error's is ORG_ALLOWED_METHODS). */
enum MHD_Result org_send_not_allowed(org_request *rq, const char *allow);
/* A short text/plain error with the common headers; 405 adds Allow. */
enum MHD_Result org_send_error(org_request *rq, unsigned status);
/* The same with a body of the caller's: line, one line ending in '\n', a string constant (the
 * response points at it; it is not copied). */
enum MHD_Result org_send_error_says(org_request *rq, unsigned status, const char *line);
/* A new empty-bodied response for a redirect to location (the status is org_send's), with the
 * common headers and the given Cache-Control; the caller destroys it. NULL if out of memory. */
struct MHD_Response *org_redirect_response(origin *o, const char *location,
                                           const char *cache_control);
/* The value of a request header, NULL if absent. */
const char *org_header(org_request *rq, const char *name);
/* Headers every response carries: CORS, and Connection: close once draining. */
void org_add_common_headers(origin *o, struct MHD_Response *resp);
/* 1 for HEAD (headers only). */
int org_is_head(const org_request *rq);

/* Route handlers; rest is the decoded path after the route's prefix. */

/* static.c: a file of fs by its relative path, with validators, Range and gzip. */
enum MHD_Result org_serve_file(org_request *rq, org_files *fs, const char *rel);
/* The bytes of a small text file (f->size of them, not NUL-terminated), read once and kept
 * with f; NULL for other files or if it cannot be read. Valid while f is held. */
const char *org_file_text(org_file *f);
/* GET/HEAD /shows/<id>/<file...>; rest is "<id>/<file...>". */
enum MHD_Result org_serve_show_file(org_request *rq, const char *rest);
/* GET/HEAD /demo/<file...> from params.http.demo_dir (404 without one); a folder is its
 * index.html. */
enum MHD_Result org_serve_demo_file(org_request *rq, const char *rest);
/* play.c: /play/<id>: 302 to the HLS master, the DASH MPD or the MP4 that fits the device. */
enum MHD_Result org_serve_play(org_request *rq, const char *rest);
/* The MP4 a desktop plays (what /play?format=mp4 gives one); NULL if the show has none. */
const org_mp4 *org_play_desktop_mp4(const org_show *s);
/* share.c: /watch/<id>: the player page with the show's Open Graph tags. */
enum MHD_Result org_serve_watch(org_request *rq, const char *rest);
/* catalog.c: /shows: every published show as JSON. */
enum MHD_Result org_serve_catalog(org_request *rq, const char *rest);
/* stitched.c: /stitched/<id>/master.m3u8 and its media playlists, ads spliced in. */
enum MHD_Result org_serve_stitched(org_request *rq, const char *rest);
int org_stitched_open(struct org_stitched **out, ladder_error *err);
void org_stitched_close(struct org_stitched *st); /* accepts NULL */

/* ---- ads.c: the ad pool and decisioning ------------------------------------------------------ */

#define ORG_ADS_PER_BREAK 16 /* ads in one break at most */
#define ORG_ADS_POOL_MAX  256

typedef struct org_ads org_ads;

/* The pool from "ID[,ID...]" (NULL or "": empty). Every id must be a published show, and all
 * must have the same HLS rung names; else LADDER_EINVAL with one line naming the culprit.
 * si and lg are borrowed: they must outlive the pool. */
int org_ads_open(org_ads **out, const char *list, org_showinfo *si, const ladder_logger *lg,
                 ladder_error *err);
void org_ads_close(org_ads *a); /* accepts NULL */
int org_ads_size(const org_ads *a);
/* 1 if id is in the pool. */
int org_ads_has(const org_ads *a, const char *id);
/* A hash of the pool's state: every ad's published version (and show.json file). Recomputed
 * at most once a second, so a re-ingested ad is seen within a second. Safe from many threads. */
uint64_t org_ads_state(org_ads *a);

/* The ads that fill one break, with a reference on each (org_ad_fill_release). */
typedef struct org_ad_fill {
    int n;
    double total; /* seconds: the sum of their durations */
    org_show *ad[ORG_ADS_PER_BREAK];
} org_ad_fill;

/* Decisioning: break index b (0-based: break-(b+1)) of show s. Walks the pool once in a
 * rotation starting at hash(show id, K) mod n, taking each ad (published, not the show
 * itself, with the show's HLS rung names) whose duration still fits in the planned
 * duration; if none fits, the first usable one, so a non-empty pool never leaves a break
 * empty. An ad whose rungs differ from the show's is skipped and logged (once per version
 * pair). The same (show, break, pool state) always gives the same answer. Never fails:
 * an empty pool gives n = 0. */
void org_ads_fill(org_ads *a, const org_show *s, int b, org_ad_fill *out);
void org_ad_fill_release(org_ads *a, org_ad_fill *f);
/* GET /ads/<id>/<break-id>.json (the X-ASSET-LIST) and POST /ads/beacon. */
enum MHD_Result org_serve_ads(org_request *rq, const char *rest);

#endif

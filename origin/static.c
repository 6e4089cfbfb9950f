/* static.c: GET and HEAD of files as they are on disk: /shows/<id>/<file...> from the show
 * library, and /demo/<file...> from the player-demo folder. Both go through the same two checks
 * (paths.c: the target; files.c and paths.c: the real path stays inside the folder) and the
 * same answers.
 *
 * Order of decisions (RFC 9110 13.2.2): pick the representation (gzip for playlists and the
 * demo page's text when the client accepts it, identity otherwise and for every Range
 * request), then If-None-Match (or, without it, If-Modified-Since) -> 304, then Range
 * (+ If-Range) -> 206 or 416, else 200.
 * HEAD gets the headers GET would (libmicrohttpd drops the body) and, like any method but GET,
 * no range handling (RFC 9110 14.2).
 *
 * Whole-file 200s are the hot path: each file memoizes its responses (identity and gzip),
 * which libmicrohttpd lets many connections send at once. The request holds its file until
 * the completed callback, which keeps memoized buffers alive. Media go out with sendfile.
 * Small text files (playlists) go out from memory: libmicrohttpd then sends the headers and
 * the body in one sendmsg(), so a playlist is one TCP segment instead of two (headers, then
 * sendfile), which is most of the cost of a small response. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "origin_internal.h"

/* Larger text files are neither kept in memory nor compressed: sent as they are. */
#define TEXT_IN_MEMORY_MAX (4u << 20)

/* What a 304 must repeat from the 200 (RFC 9110 15.4.5). */
static void add_validators(origin *o, struct MHD_Response *r, const org_file *f, int gz)
{
    org_add_common_headers(o, r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, gz ? f->etag_gz : f->etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, f->cache_control);
    if (f->type.compressible) /* both representations say so, or a cache could mix them up */
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
}

static void add_file_headers(origin *o, struct MHD_Response *r, const org_file *f, int gz)
{
    add_validators(o, r, f, gz);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f->type.content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, f->last_modified);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    if (gz)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
}

/* [offset, offset + len) of f as a response that owns a duplicate of f's descriptor. */
static struct MHD_Response *fd_response(org_file *f, uint64_t offset, uint64_t len)
{
    int fd = dup(f->fd);
    struct MHD_Response *r;

    if (fd < 0)
        return NULL;
    r = MHD_create_response_from_fd_at_offset64(len, fd, offset);
    if (!r)
        close(fd);
    return r;
}

/* Reads all of f. NULL if it cannot (or the file shrank under us). */
static void *read_all(const org_file *f)
{
    char *buf = malloc(f->size ? f->size : 1);
    uint64_t got = 0;

    while (buf && got < f->size) {
        ssize_t n = pread(f->fd, buf + got, f->size - got, (off_t)got);
        if (n <= 0) {
            free(buf);
            return NULL;
        }
        got += (uint64_t)n;
    }
    return buf;
}

/* A small text file's bytes, read on first use and kept in f->text; NULL for other files.
 * Called with f->lock held. */
static const void *text_of(org_file *f)
{
    if (!f->text && f->type.compressible && f->size > 0 && f->size <= TEXT_IN_MEMORY_MAX)
        f->text = read_all(f);
    return f->text;
}

const char *org_file_text(org_file *f)
{
    const char *text;

    pthread_mutex_lock(&f->lock);
    text = text_of(f);
    pthread_mutex_unlock(&f->lock);
    return text;
}

/* The whole file as a new response: from memory for a small text file, else from f's
 * descriptor, which the response then owns unless `dup_fd`. Called with f->lock held. */
static struct MHD_Response *make_full_response(org_file *f, int dup_fd)
{
    if (text_of(f))
        return MHD_create_response_from_buffer(f->size, f->text, MHD_RESPMEM_PERSISTENT);
    if (dup_fd)
        return fd_response(f, 0, f->size);
    return MHD_create_response_from_fd64(f->size, f->fd);
}

/* The whole file. Shared and made once, except while draining: then every response is fresh
 * so it can carry Connection: close. *fresh says which (a fresh one is the caller's). */
static struct MHD_Response *full_response(origin *o, org_file *f, int *fresh)
{
    struct MHD_Response *r;

    *fresh = atomic_load(&o->draining);
    pthread_mutex_lock(&f->lock);
    if (*fresh)
        r = make_full_response(f, 1);
    else if (!(r = f->full) && (r = f->full = make_full_response(f, 0)))
        add_file_headers(o, r, f, 0);
    pthread_mutex_unlock(&f->lock);
    if (*fresh && r)
        add_file_headers(o, r, f, 0);
    return r;
}

/* Compresses f once; a failure or a body that does not shrink means "serve identity".
 * Called with f->lock held. */
static void make_gzip(org_file *f)
{
    const void *plain = text_of(f);
    void *packed;
    size_t packed_len;

    f->gz_state = -1;
    if (plain && org_gzip(plain, f->size, &packed, &packed_len) == 0) {
        if (packed_len < f->size) {
            f->gz_data = packed;
            f->gz_len = packed_len;
            f->gz_state = 1;
        } else {
            free(packed);
        }
    }
}

/* 1 if f has a gzip representation (made now if this is the first ask). */
static int gzip_ready(org_file *f)
{
    pthread_mutex_lock(&f->lock);
    if (f->gz_state == 0)
        make_gzip(f);
    int ready = f->gz_state > 0;
    pthread_mutex_unlock(&f->lock);
    return ready;
}

/* The gzip representation (gzip_ready said there is one). Shared unless draining, like the
 * above. Its body is f->gz_data, which lives as long as f, and the request holds f until the
 * completed callback. */
static struct MHD_Response *gzip_response(origin *o, org_file *f, int *fresh)
{
    struct MHD_Response *r;

    *fresh = atomic_load(&o->draining);
    pthread_mutex_lock(&f->lock);
    r = *fresh ? NULL : f->gz;
    if (!r &&
        (r = MHD_create_response_from_buffer(f->gz_len, f->gz_data, MHD_RESPMEM_PERSISTENT))) {
        add_file_headers(o, r, f, 1);
        if (!*fresh)
            f->gz = r;
    }
    pthread_mutex_unlock(&f->lock);
    return r;
}

static enum MHD_Result send_fresh(org_request *rq, unsigned status, struct MHD_Response *r,
                                  uint64_t len)
{
    enum MHD_Result ret = org_send(rq, status, r, len);
    if (r)
        MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_not_modified(org_request *rq, org_file *f, int gz)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (r)
        add_validators(rq->o, r, f, gz);
    return send_fresh(rq, 304, r, 0);
}

static enum MHD_Result send_range(org_request *rq, org_file *f, uint64_t first, uint64_t len)
{
    char range[96];
    struct MHD_Response *r = fd_response(f, first, len);

    if (r) {
        add_file_headers(rq->o, r, f, 0);
        snprintf(range, sizeof range, "bytes %llu-%llu/%llu", (unsigned long long)first,
                 (unsigned long long)(first + len - 1), (unsigned long long)f->size);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, range);
    }
    return send_fresh(rq, 206, r, len);
}

static enum MHD_Result send_unsatisfiable(org_request *rq, org_file *f)
{
    static const char body[] = "range not satisfiable\n";
    char range[64];
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);

    if (r) {
        org_add_common_headers(rq->o, r);
        snprintf(range, sizeof range, "bytes */%llu", (unsigned long long)f->size);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, range);
        MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    }
    return send_fresh(rq, 416, r, sizeof body - 1);
}

/* 1 if the validators say the client's copy is current. */
static int not_modified(org_request *rq, const org_file *f, const char *etag)
{
    const char *inm = org_header(rq, MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *ims = org_header(rq, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
    time_t since;

    if (inm) /* takes precedence: If-Modified-Since is then ignored (RFC 9110 13.1.3) */
        return org_http_none_match(inm, etag);
    return ims && org_http_parse_date(ims, &since) == 0 && f->mtime.tv_sec <= since;
}

static enum MHD_Result answer(org_request *rq, org_file *f)
{
    int get = !org_is_head(rq), fresh;
    const char *range = get ? org_header(rq, MHD_HTTP_HEADER_RANGE) : NULL;
    const char *if_range = org_header(rq, MHD_HTTP_HEADER_IF_RANGE);
    int gz = !range && f->type.compressible &&
             org_http_accepts_gzip(org_header(rq, MHD_HTTP_HEADER_ACCEPT_ENCODING));
    uint64_t first = 0, len = 0;
    struct MHD_Response *r;

    gz = gz && gzip_ready(f); /* if compressing did not pay (or failed): identity */
    if (not_modified(rq, f, gz ? f->etag_gz : f->etag))
        return send_not_modified(rq, f, gz);
    if (gz) {
        r = gzip_response(rq->o, f, &fresh);
        return fresh ? send_fresh(rq, 200, r, f->gz_len) : org_send(rq, 200, r, f->gz_len);
    }
    /* If-Range: the range only if the client's copy is this exact file (strong comparison). */
    if (range && (!if_range || strcmp(if_range, f->etag) == 0)) {
        switch (org_http_range(range, f->size, &first, &len)) {
        case ORG_RANGE_OK:
            return send_range(rq, f, first, len);
        case ORG_RANGE_UNSATISFIABLE:
            return send_unsatisfiable(rq, f);
        case ORG_RANGE_NONE:
            break;
        }
    }
    r = full_response(rq->o, f, &fresh);
    return fresh ? send_fresh(rq, 200, r, f->size) : org_send(rq, 200, r, f->size);
}

enum MHD_Result org_serve_file(org_request *rq, org_files *fs, const char *rel)
{
    rq->kind = org_type_of(rel).kind;
    rq->files = fs;
    rq->file = org_files_get(fs, rel);
    if (!rq->file)
        return org_send_error(rq, 404);
    return answer(rq, rq->file);
}

enum MHD_Result org_serve_show_file(org_request *rq, const char *rest)
{
    const char *slash = strchr(rest, '/');
    size_t n = strlen(rest);

    /* "<id>/<file...>"; the show folder itself, or any path ending in '/', is a folder, and
     * folders are never listed. */
    if (!slash || n == 0 || rest[n - 1] == '/') {
        rq->kind = org_type_of(rest).kind;
        return org_send_error(rq, 404);
    }
    return org_serve_file(rq, rq->o->files, rest);
}

enum MHD_Result org_serve_demo_file(org_request *rq, const char *rest)
{
    char rel[4096];
    size_t n = strlen(rest);

    if (!rq->o->demo_files)
        return org_send_error(rq, 404); /* no --demo folder */
    /* A folder's page is its index.html; a folder is still never listed. */
    if (snprintf(rel, sizeof rel, "%s%s", rest, n == 0 || rest[n - 1] == '/' ? "index.html" : "") >=
        (int)sizeof rel)
        return org_send_error(rq, 404);
    return org_serve_file(rq, rq->o->demo_files, rel);
}

/* server.c: one request's life in libmicrohttpd, and the route table.
 *
 * libmicrohttpd calls, per request: the URI log callback when the request line has arrived
 * (we make the request's state there, holding the raw target, and it comes back as *req_cls),
 * the access handler once the headers are in and again when the (normally empty) body is, and
 * the completed callback however the request ended, which records the outcome and frees the
 * state. Responses are queued on the handler's second call: queued on the first, libmicrohttpd
 * 0.9.75 closes the connection afterwards, which would defeat keep-alive. */
#include <stdlib.h>
#include <string.h>

#include "origin_internal.h"

/* A small no-store text response. */
static enum MHD_Result send_text(org_request *rq, unsigned status, const char *content_type,
                                 void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
    enum MHD_Result ret;

    if (!resp) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        return MHD_NO;
    }
    org_add_common_headers(rq->o, resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    ret = org_send(rq, status, resp, len);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- routes --------------------------------------------------------------------------------- */

/* 200 "ok" while serving; 503 once a shutdown has begun, so a load balancer stops sending. */
static enum MHD_Result handle_healthz(org_request *rq, const char *rest)
{
    static const char ok[] = "ok\n", draining[] = "draining\n";
    int down = atomic_load(&rq->o->draining);
    (void)rest;
    return send_text(rq, down ? 503 : 200, "text/plain; charset=utf-8",
                     (void *)(down ? draining : ok), down ? sizeof draining - 1 : sizeof ok - 1,
                     MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result handle_metrics(org_request *rq, const char *rest)
{
    origin *o = rq->o;
    size_t len = 0;
    char *text = org_metrics_render(&o->metrics, atomic_load(&o->conns.open),
                                    org_files_count(o->files), &len);
    (void)rest;
    if (!text)
        return org_send_error(rq, 500);
    return send_text(rq, 200, "text/plain; version=0.0.4; charset=utf-8", text, len,
                     MHD_RESPMEM_MUST_FREE);
}

/* "/demo" is a folder: its page is at "/demo/", where relative links resolve inside it. */
static enum MHD_Result handle_demo_folder(org_request *rq, const char *rest)
{
    struct MHD_Response *resp = org_redirect_response(rq->o, "/demo/", "public, max-age=60");
    enum MHD_Result ret = org_send(rq, 301, resp, 0);

    (void)rest;
    if (resp)
        MHD_destroy_response(resp);
    return ret;
}

/* A route gets the decoded path after its prefix ("" for exact routes). */
typedef enum MHD_Result (*route_fn)(org_request *rq, const char *rest);

typedef struct route {
    const char *path;
    int is_prefix; /* 0: the path must be exactly this */
    route_fn fn;
} route;

/* Every URL the origin answers, in one place; first match wins. */
static const route routes[] = {
    {"/healthz", 0, handle_healthz},       /* load balancers */
    {"/metrics", 0, handle_metrics},       /* Prometheus */
    {"/play/", 1, org_serve_play},         /* play.c: 302 to the format for the device */
    {"/shows", 0, org_serve_catalog},      /* catalog.c: the catalog, before /shows/ */
    {"/shows/", 1, org_serve_show_file},   /* static.c: the library's files */
    {"/demo", 0, handle_demo_folder},      /* 301 to /demo/ */
    {"/demo/", 1, org_serve_demo_file},    /* static.c: the demo folder's files */
    {"/watch/", 1, org_serve_watch},       /* share.c: a show's share page */
    {"/ads/", 1, org_serve_ads},           /* ads.c: asset lists (X-ASSET-LIST), beacons */
    {"/stitched/", 1, org_serve_stitched}, /* stitched.c: playlists with the ads spliced in */
};

static enum MHD_Result send_preflight(org_request *rq)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;

    if (!resp)
        return MHD_NO;
    org_add_common_headers(rq->o, resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, ORG_ALLOWED_METHODS);
    /* POST for the beacon (POST /ads/beacon, application/json: a non-simple request). */
    MHD_add_response_header(resp, "Access-Control-Allow-Methods", ORG_ALLOWED_METHODS ", POST");
    MHD_add_response_header(resp, "Access-Control-Allow-Headers",
                            "Range, If-None-Match, If-Modified-Since, If-Range, Content-Type");
    MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
    ret = org_send(rq, 204, resp, 0);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result dispatch(org_request *rq)
{
    char path[4096];
    int status;

    if (strcmp(rq->method, "OPTIONS") == 0)
        return send_preflight(rq); /* any target: a preflight reveals nothing about files */
    status = org_path_decode(rq->raw_uri, path, sizeof path);
    if (status)
        return org_send_error(rq, (unsigned)status);
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route *r = &routes[i];
        size_t n = strlen(r->path);
        if (r->is_prefix ? strncmp(path, r->path, n) == 0 : strcmp(path, r->path) == 0)
            return r->fn(rq, path + n);
    }
    return org_send_error(rq, 404);
}

/* ---- libmicrohttpd callbacks ---------------------------------------------------------------- */

void *org_server_uri_log(void *cls, const char *uri, struct MHD_Connection *connection)
{
    org_request *rq = calloc(1, sizeof *rq);
    const union MHD_ConnectionInfo *ci;

    if (!rq || !(rq->raw_uri = strdup(uri ? uri : ""))) {
        free(rq);
        return NULL; /* the handler sees no state and drops the connection */
    }
    rq->o = cls;
    rq->connection = connection;
    rq->start = ladder_now();
    rq->kind = ORG_KIND_OTHER;
    ci = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    rq->conn = ci ? ci->socket_context : NULL;
    return rq;
}

/* GET, HEAD and OPTIONS anywhere; POST only to the one URL that takes a body. */
static int allowed_method(org_request *rq, const char *m)
{
    char path[64];

    if (strcmp(m, "POST") == 0)
        return org_path_decode(rq->raw_uri, path, sizeof path) == 0 &&
               strcmp(path, "/ads/beacon") == 0;
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

/* A POST body, kept up to ORG_UPLOAD_MAX bytes. A longer one (sent chunked: a longer
 * Content-Length is refused before the body) is read and dropped, and the request answered 400
 * at its end: libmicrohttpd 0.9.75 takes no response in the middle of a body. */
static enum MHD_Result take_upload(org_request *rq, const char *data, size_t *size)
{
    size_t n = *size;

    *size = 0;
    if (strcmp(rq->method, "POST") != 0 || rq->upload_too_big)
        return MHD_YES; /* a body on GET or HEAD means nothing: read and drop it */
    if (rq->upload_len + n > ORG_UPLOAD_MAX) {
        rq->upload_too_big = 1;
        return MHD_YES;
    }
    if (!rq->upload && !(rq->upload = malloc(ORG_UPLOAD_MAX + 1)))
        return MHD_NO;
    memcpy(rq->upload + rq->upload_len, data, n);
    rq->upload_len += n;
    rq->upload[rq->upload_len] = '\0';
    return MHD_YES;
}

/* A Content-Length over what a POST may carry. */
static int too_long(org_request *rq)
{
    const char *cl = org_header(rq, MHD_HTTP_HEADER_CONTENT_LENGTH);
    return cl && strtoull(cl, NULL, 10) > ORG_UPLOAD_MAX;
}

enum MHD_Result org_server_handle(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    origin *o = cls;
    org_request *rq = *req_cls;

    (void)connection, (void)url;
    if (!rq)
        return MHD_NO;
    if (!rq->handled) { /* first call: the headers are in */
        rq->handled = 1;
        snprintf(rq->method, sizeof rq->method, "%s", method);
        snprintf(rq->version, sizeof rq->version, "%s", version);
        org_conns_request_begin(&o->conns, rq->conn);
        /* These two answer at once, which also closes the connection: right for a method we
         * do not serve (its body is not read) and for overload. */
        if (!allowed_method(rq, method))
            return org_send_error(rq, 405);
        if (atomic_load(&o->conns.open) > o->params.net.max_connections)
            return org_send_error(rq, 503);
        if (strcmp(method, "POST") == 0 && too_long(rq))
            return org_send_error(rq, 400); /* before any "100 Continue" */
        return MHD_YES;
    }
    if (*upload_data_size)
        return take_upload(rq, upload_data, upload_data_size);
    if (rq->status)
        return MHD_YES;
    if (rq->upload_too_big)
        return org_send_error(rq, 400);
    return dispatch(rq);
}

void org_server_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                          enum MHD_RequestTerminationCode toe)
{
    origin *o = cls;
    org_request *rq = *req_cls;

    (void)connection, (void)toe;
    if (!rq)
        return;
    *req_cls = NULL;
    if (rq->handled) {
        if (rq->status) {
            org_metrics_record(&o->metrics, rq->status, rq->kind, rq->body_bytes,
                               ladder_now() - rq->start);
            org_accesslog_write(&o->access_log, rq);
        }
        org_conns_request_end(&o->conns, rq->conn);
        org_file_release(rq->files, rq->file);
        if (rq->held)
            org_cache_release(rq->held_cache, rq->held);
    } else {
        atomic_fetch_add_explicit(&o->metrics.incomplete, 1, memory_order_relaxed);
    }
    free(rq->upload);
    free(rq->raw_uri);
    free(rq);
}

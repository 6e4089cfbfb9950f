/* respond.c: how route handlers answer: the headers every response carries, queuing a
 * response and recording its status and body length for the access log and /metrics, short
 * errors, bodies made per request (with an ETag over their bytes and 304s), and redirects.
 * Route handlers (static.c, play.c, share.c, catalog.c) and server.c call these; this file calls
 * no route handler, so the dependency runs one way. */
#include <stdlib.h>
#include <string.h>

#include "origin_internal.h"

int org_is_head(const org_request *rq)
{
    return strcmp(rq->method, "HEAD") == 0;
}

const char *org_header(org_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->connection, MHD_HEADER_KIND, name);
}

void org_add_common_headers(origin *o, struct MHD_Response *resp)
{
    /* On every response, errors included: a browser player on another origin cannot even see
     * a 404 without them. */
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", o->cors_origin);
    MHD_add_response_header(resp, "Access-Control-Expose-Headers",
                            "Content-Length, Content-Range, ETag, Accept-Ranges");
    if (atomic_load(&o->draining))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

enum MHD_Result org_send(org_request *rq, unsigned status, struct MHD_Response *resp,
                         uint64_t body_len)
{
    if (!resp)
        return MHD_NO; /* out of memory: libmicrohttpd closes the connection */
    rq->status = (int)status;
    rq->body_bytes = org_is_head(rq) || status == 204 || status == 304 ? 0 : body_len;
    return MHD_queue_response(rq->connection, status, resp);
}

static const char *error_text(unsigned status)
{
    switch (status) {
    case 400:
        return "bad request\n";
    case 404:
        return "not found\n";
    case 405:
        return "method not allowed\n";
    case 415:
        return "unsupported media type\n";
    case 416:
        return "range not satisfiable\n";
    case 503:
        return "unavailable\n";
    default:
        return "internal error\n";
    }
}

/* A plain-text error whose body is `body` (a constant); `allow` (may be NULL) is the Allow
 * header of a 405. */
static enum MHD_Result send_error_text(org_request *rq, unsigned status, const char *body,
                                       const char *allow)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;

    if (!resp)
        return MHD_NO;
    org_add_common_headers(rq->o, resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    /* Not cached: a show published a second later must not stay hidden behind a cached 404. */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (status == 503) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    ret = org_send(rq, status, resp, strlen(body));
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result org_send_error(org_request *rq, unsigned status)
{
    return send_error_text(rq, status, error_text(status),
                           status == 405 ? ORG_ALLOWED_METHODS : NULL);
}

enum MHD_Result org_send_error_says(org_request *rq, unsigned status, const char *line)
{
    return send_error_text(rq, status, line, NULL);
}

enum MHD_Result org_send_made(org_request *rq, char *body, size_t len, const char *content_type,
                              const char *cache_control)
{
    char etag[24];

    org_http_etag_of(body, len, etag);
    return org_send_made_tagged(rq, body, len, content_type, cache_control, etag);
}

enum MHD_Result org_send_made_tagged(org_request *rq, char *body, size_t len,
                                     const char *content_type, const char *cache_control,
                                     const char *etag)
{
    const char *inm = org_header(rq, MHD_HTTP_HEADER_IF_NONE_MATCH);
    int unchanged;
    struct MHD_Response *resp;
    enum MHD_Result ret;

    unchanged = inm && org_http_none_match(inm, etag);
    resp = unchanged ? MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)
                     : MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (unchanged || !resp)
        free(body); /* a response made from it owns it */
    if (!resp)
        return MHD_NO;
    org_add_common_headers(rq->o, resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
    if (!unchanged)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    ret = org_send(rq, unchanged ? 304 : 200, resp, len);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result org_send_not_allowed(org_request *rq, const char *allow)
{
    return send_error_text(rq, 405, error_text(405), allow);
}

struct MHD_Response *org_redirect_response(origin *o, const char *location,
                                           const char *cache_control)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);

    if (resp) {
        org_add_common_headers(o, resp);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
    }
    return resp;
}

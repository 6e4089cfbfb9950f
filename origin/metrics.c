/* metrics.c: /metrics in the Prometheus text format (version 0.0.4). Counters are C11 atomics
 * owned by the origin object, bumped once per request from the completed callback with relaxed
 * ordering: a scrape may see one request's status before its bytes, never a torn value. */
#include <stdio.h>
#include <stdlib.h>

#include "origin_internal.h"

/* The statuses the origin sends; anything else (none today) is counted as "other". */
static const int statuses[ORG_N_STATUS - 1] = {200, 204, 206, 301, 302, 304, 400,
                                               404, 405, 415, 416, 500, 503};

/* Upper bounds of the latency buckets, seconds, as printed; the last is +Inf. */
static const char *const bucket_le[ORG_N_BUCKETS] = {"0.001", "0.0025", "0.005", "0.01", "0.025",
                                                     "0.05",  "0.1",    "0.25",  "0.5",  "1",
                                                     "2.5",   "5",      "10",    "30",   "+Inf"};
static const double bucket_bound[ORG_N_BUCKETS - 1] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                       0.25,  0.5,    1,     2.5,  5,     10,   30};

void org_metrics_init(org_metrics *m)
{
    for (int s = 0; s < ORG_N_STATUS; s++)
        for (int k = 0; k < ORG_KIND_N; k++)
            atomic_init(&m->requests[s][k], 0);
    for (int k = 0; k < ORG_KIND_N; k++)
        atomic_init(&m->bytes[k], 0);
    for (int b = 0; b < ORG_N_BUCKETS; b++)
        atomic_init(&m->duration_bucket[b], 0);
    atomic_init(&m->duration_sum_ns, 0);
    atomic_init(&m->incomplete, 0);
    atomic_init(&m->ad_asset_lists, 0);
    atomic_init(&m->stitched_playlists, 0);
    atomic_init(&m->ad_impressions[0], 0);
    atomic_init(&m->ad_impressions[1], 0);
}

static int status_index(int status)
{
    for (int i = 0; i < ORG_N_STATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return ORG_N_STATUS - 1;
}

void org_metrics_record(org_metrics *m, int status, org_kind kind, uint64_t bytes, double seconds)
{
    int b = 0;

    if (kind >= ORG_KIND_N)
        kind = ORG_KIND_OTHER;
    atomic_fetch_add_explicit(&m->requests[status_index(status)][kind], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bytes[kind], bytes, memory_order_relaxed);
    while (b < ORG_N_BUCKETS - 1 && seconds > bucket_bound[b])
        b++;
    atomic_fetch_add_explicit(&m->duration_bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->duration_sum_ns,
                              (unsigned long long)(seconds > 0 ? seconds * 1e9 : 0),
                              memory_order_relaxed);
}

static unsigned long long load(atomic_ullong *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

char *org_metrics_render(org_metrics *m, long open_connections, int cached_files, size_t *len)
{
    ladder_text t = {0};
    unsigned long long cumulative = 0, sum_ns;

    ladder_text_printf(
        &t, "# HELP ladder_http_requests_total HTTP requests answered, by status and kind of "
            "file.\n# TYPE ladder_http_requests_total counter\n");
    for (int s = 0; s < ORG_N_STATUS; s++)
        for (int k = 0; k < ORG_KIND_N; k++) {
            unsigned long long n = load(&m->requests[s][k]);
            if (!n)
                continue; /* a series appears with its first request */
            if (s < ORG_N_STATUS - 1)
                ladder_text_printf(&t,
                                   "ladder_http_requests_total{status=\"%d\",kind=\"%s\"} %llu\n",
                                   statuses[s], org_kind_name((org_kind)k), n);
            else
                ladder_text_printf(
                    &t, "ladder_http_requests_total{status=\"other\",kind=\"%s\"} %llu\n",
                    org_kind_name((org_kind)k), n);
        }
    ladder_text_printf(
        &t, "# HELP ladder_http_response_bytes_total Response body bytes, by kind of file.\n"
            "# TYPE ladder_http_response_bytes_total counter\n");
    for (int k = 0; k < ORG_KIND_N; k++)
        ladder_text_printf(&t, "ladder_http_response_bytes_total{kind=\"%s\"} %llu\n",
                           org_kind_name((org_kind)k), load(&m->bytes[k]));
    ladder_text_printf(
        &t, "# HELP ladder_http_request_duration_seconds From the request line to the last "
            "byte of the response.\n# TYPE ladder_http_request_duration_seconds histogram\n");
    for (int b = 0; b < ORG_N_BUCKETS; b++) {
        cumulative += load(&m->duration_bucket[b]);
        ladder_text_printf(&t, "ladder_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n",
                           bucket_le[b], cumulative);
    }
    sum_ns = load(&m->duration_sum_ns);
    ladder_text_printf(&t, "ladder_http_request_duration_seconds_sum %llu.%09llu\n",
                       sum_ns / 1000000000ull, sum_ns % 1000000000ull);
    /* The count is the +Inf bucket, so the two agree in every scrape. */
    ladder_text_printf(&t, "ladder_http_request_duration_seconds_count %llu\n", cumulative);
    ladder_text_printf(
        &t,
        "# HELP ladder_http_open_connections Client connections open now.\n"
        "# TYPE ladder_http_open_connections gauge\nladder_http_open_connections %ld\n",
        open_connections);
    ladder_text_printf(
        &t,
        "# HELP ladder_http_incomplete_requests_total Requests that never reached a handler "
        "(malformed, headers too large, too slow, or abandoned).\n"
        "# TYPE ladder_http_incomplete_requests_total counter\n"
        "ladder_http_incomplete_requests_total %llu\n",
        load(&m->incomplete));
    ladder_text_printf(
        &t,
        "# HELP ladder_origin_open_files Library files held open by the file cache.\n"
        "# TYPE ladder_origin_open_files gauge\nladder_origin_open_files %d\n",
        cached_files);
    ladder_text_printf(
        &t,
        "# HELP ladder_ad_asset_lists_total Ad asset lists (X-ASSET-LIST) answered.\n"
        "# TYPE ladder_ad_asset_lists_total counter\nladder_ad_asset_lists_total %llu\n"
        "# HELP ladder_ad_stitched_playlists_total Stitched playlists (ads spliced in) "
        "answered.\n# TYPE ladder_ad_stitched_playlists_total counter\n"
        "ladder_ad_stitched_playlists_total %llu\n"
        "# HELP ladder_ad_impressions_total Ad beacons accepted, by event.\n"
        "# TYPE ladder_ad_impressions_total counter\n"
        "ladder_ad_impressions_total{event=\"start\"} %llu\n"
        "ladder_ad_impressions_total{event=\"end\"} %llu\n",
        load(&m->ad_asset_lists), load(&m->stitched_playlists), load(&m->ad_impressions[0]),
        load(&m->ad_impressions[1]));
    if (t.failed) {
        ladder_text_free(&t);
        return NULL;
    }
    *len = t.len;
    return t.s;
}

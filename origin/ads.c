/* ads.c: the ad pool (`ladder serve --ads ID[,ID...]`), ad decisioning, and the two /ads/ URLs:
 * GET /ads/<id>/<break-id>.json, the X-ASSET-LIST an HLS Interstitials player fetches as the
 * break approaches, and POST /ads/beacon, the player page's impressions.
 *
 * An ad is an ordinary published show. The pool is checked once, at start: every id must be
 * published, and all must have the same HLS rung names, so that any of them can be spliced rung
 * for rung into a show of the library's profile. A pool ad whose rungs differ from one main
 * show's (a show of another profile) is skipped for that show, with a log line.
 *
 * Decisioning is a pure function of (show, break, pool state): break K of show S starts a
 * rotation of the pool at hash(S, K) mod n and takes whole ads while they fit in the break's
 * planned duration. The same request always gets the same answer, so the asset list, the
 * stitched playlists and /play agree, and a CDN may cache them. A real ad server (VAST/VMAP)
 * would go behind org_ads_fill: its answer (ad creatives matched to shows of the library,
 * ingested ahead of time like any ad) cached per (show, break, targeting key) for as long as
 * the asset list's max-age; nothing else in the origin needs to change (docs/origin.md, "Ads").
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "origin_internal.h"

#define STATE_RECHECK_SECONDS 1.0
#define SKIPPED_KEPT          32 /* pairs remembered, so a skipped ad is logged once */
#define PAIR_MAX              (2 * ORG_ID_MAX + 2 * ORG_VERSION_DIR_MAX + 8)

struct org_ads {
    int n;
    char (*ids)[ORG_ID_MAX + 1]; /* in the order given */
    org_showinfo *si;            /* borrowed */
    const ladder_logger *lg;     /* borrowed */
    pthread_mutex_t lock;        /* for everything below */
    uint64_t state;              /* org_ads_state's answer, made at state_at */
    double state_at;
    char skipped[SKIPPED_KEPT][PAIR_MAX]; /* the (show, ad) version pairs logged lately */
    int next_skipped;
};

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

#define FNV_START 1469598103934665603ull

static uint64_t compute_state(org_ads *a)
{
    uint64_t h = FNV_START;

    for (int i = 0; i < a->n; i++) {
        org_show *s = org_showinfo_get(a->si, a->ids[i]);
        h = fnv(h, a->ids[i], strlen(a->ids[i]) + 1);
        if (s)
            h = org_show_key_hash(&s->key, h);
        org_show_release(a->si, s);
    }
    return h;
}

/* The pool's checks at start; 0 or LADDER_EINVAL with one line. */
static int check_pool(org_ads *a, ladder_error *err)
{
    org_show *first = NULL;
    int ret = 0;

    for (int i = 0; i < a->n && ret == 0; i++) {
        org_show *s = org_showinfo_get(a->si, a->ids[i]);
        char mine[512], theirs[512];
        if (!s) {
            ret = ladder_error_set(err, LADDER_EINVAL, "ad pool: '%s' is not a published show",
                                   a->ids[i]);
        } else if (first && !org_show_same_rungs(first, s)) {
            org_show_rung_list(s, mine, sizeof mine);
            org_show_rung_list(first, theirs, sizeof theirs);
            ret = ladder_error_set(err, LADDER_EINVAL,
                                   "ad pool: '%s' has the HLS rungs %s, '%s' has %s: every ad "
                                   "needs the same ladder",
                                   s->id, mine, first->id, theirs);
        }
        if (!first) {
            first = s;
            s = NULL;
        }
        org_show_release(a->si, s);
    }
    org_show_release(a->si, first);
    return ret;
}

/* Splits "a,b,c" into a->ids; each must be a show id, named once. */
static int parse_list(org_ads *a, const char *list, ladder_error *err)
{
    const char *p = list;

    a->ids = calloc(ORG_ADS_POOL_MAX, sizeof *a->ids);
    if (!a->ids)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    while (p && *p) {
        size_t n = strcspn(p, ",");
        char id[ORG_ID_MAX + 1];
        if (n == 0 || n > ORG_ID_MAX)
            return ladder_error_set(err, LADDER_EINVAL, "ad pool: '%s' is not a list of show ids",
                                    list);
        memcpy(id, p, n);
        id[n] = '\0';
        if (!lib_valid_id(id))
            return ladder_error_set(err, LADDER_EINVAL, "ad pool: '%s' is not a show id", id);
        if (org_ads_has(a, id))
            return ladder_error_set(err, LADDER_EINVAL, "ad pool: '%s' is named twice", id);
        if (a->n == ORG_ADS_POOL_MAX)
            return ladder_error_set(err, LADDER_EINVAL, "ad pool: more than %d ads",
                                    ORG_ADS_POOL_MAX);
        snprintf(a->ids[a->n++], sizeof a->ids[0], "%s", id);
        p += n;
        if (*p == ',' && !*++p)
            return ladder_error_set(err, LADDER_EINVAL, "ad pool: '%s' ends with a comma", list);
    }
    return 0;
}

int org_ads_open(org_ads **out, const char *list, org_showinfo *si, const ladder_logger *lg,
                 ladder_error *err)
{
    org_ads *a = calloc(1, sizeof *a);
    int ret;

    *out = NULL;
    if (!a)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    a->si = si;
    a->lg = lg;
    pthread_mutex_init(&a->lock, NULL);
    if ((ret = parse_list(a, list, err)) == 0)
        ret = check_pool(a, err);
    if (ret != 0) {
        org_ads_close(a);
        return ret;
    }
    a->state = compute_state(a);
    a->state_at = ladder_now();
    *out = a;
    return 0;
}

void org_ads_close(org_ads *a)
{
    if (!a)
        return;
    pthread_mutex_destroy(&a->lock);
    free(a->ids);
    free(a);
}

int org_ads_size(const org_ads *a)
{
    return a->n;
}

int org_ads_has(const org_ads *a, const char *id)
{
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->ids[i], id) == 0)
            return 1;
    return 0;
}

uint64_t org_ads_state(org_ads *a)
{
    double now = ladder_now();
    uint64_t state;

    pthread_mutex_lock(&a->lock);
    if (now - a->state_at >= STATE_RECHECK_SECONDS) {
        /* Under the lock: one thread rechecks, the others wait a few microseconds. */
        a->state = compute_state(a);
        a->state_at = now;
    }
    state = a->state;
    pthread_mutex_unlock(&a->lock);
    return state;
}

/* Logs once per (show version, ad version) that an ad cannot fill the show's breaks (once
 * among the last SKIPPED_KEPT such pairs: a library of many shows of another ladder may log a
 * pair again, never once per request). */
static void log_skipped(org_ads *a, const org_show *s, const org_show *ad)
{
    char pair[PAIR_MAX], mine[512], theirs[512];
    int repeat = 0;

    snprintf(pair, sizeof pair, "%s/%s %s/%s", s->id, s->key.version_dir, ad->id,
             ad->key.version_dir);
    pthread_mutex_lock(&a->lock);
    for (int i = 0; i < SKIPPED_KEPT && !repeat; i++)
        repeat = strcmp(a->skipped[i], pair) == 0;
    if (!repeat) {
        snprintf(a->skipped[a->next_skipped], PAIR_MAX, "%s", pair);
        a->next_skipped = (a->next_skipped + 1) % SKIPPED_KEPT;
    }
    pthread_mutex_unlock(&a->lock);
    if (repeat)
        return;
    org_show_rung_list(ad, mine, sizeof mine);
    org_show_rung_list(s, theirs, sizeof theirs);
    ladder_log(a->lg, LADDER_LOG_WARN, "origin",
               "ad '%s' (%s) is skipped for show '%s': its HLS rungs %s are not the show's %s",
               ad->id, ad->key.version_dir, s->id, mine, theirs);
}

void org_ads_fill(org_ads *a, const org_show *s, int b, org_ad_fill *out)
{
    char key[ORG_ID_MAX + 16];
    org_show *spare = NULL; /* the first usable ad, if none fits */
    double planned = s->breaks[b].duration;
    uint64_t start;
    int len;

    memset(out, 0, sizeof *out);
    if (a->n == 0)
        return;
    len = snprintf(key, sizeof key, "%s/%d", s->id, b + 1);
    start = fnv(FNV_START, key, (size_t)len) % (uint64_t)a->n;
    for (int i = 0; i < a->n && out->n < ORG_ADS_PER_BREAK; i++) {
        org_show *ad = org_showinfo_get(a->si, a->ids[(start + (uint64_t)i) % (uint64_t)a->n]);
        if (!ad || strcmp(ad->id, s->id) == 0) {
            org_show_release(a->si, ad); /* unpublished since the start, or the show itself */
            continue;
        }
        if (!org_show_same_rungs(ad, s)) {
            log_skipped(a, s, ad);
            org_show_release(a->si, ad);
            continue;
        }
        if (out->total + ad->duration <= planned + 1e-6) {
            out->ad[out->n++] = ad;
            out->total += ad->duration;
        } else if (!spare) {
            spare = ad;
        } else {
            org_show_release(a->si, ad);
        }
    }
    if (out->n == 0 && spare) {
        out->ad[out->n++] = spare;
        out->total = spare->duration;
    } else {
        org_show_release(a->si, spare);
    }
}

void org_ad_fill_release(org_ads *a, org_ad_fill *f)
{
    for (int i = 0; i < f->n; i++)
        org_show_release(a->si, f->ad[i]);
    f->n = 0;
}

/* ---- GET /ads/<id>/<break-id>.json ------------------------------------------------------------
 */

/* The break of s named by "break-K.json"; -1 if none. */
static int break_named(const org_show *s, const char *file)
{
    size_t n = strlen(file);

    if (n < 5 || strcmp(file + n - 5, ".json") != 0)
        return -1;
    for (int b = 0; b < s->n_breaks; b++)
        if (strlen(s->breaks[b].id) == n - 5 && strncmp(s->breaks[b].id, file, n - 5) == 0)
            return b;
    return -1;
}

static enum MHD_Result serve_asset_list(org_request *rq, const char *rest)
{
    origin *o = rq->o;
    const char *slash = strchr(rest, '/');
    char id[ORG_ID_MAX + 1], etag[48], uri[ORG_ID_MAX + ORG_VERSION_DIR_MAX + 32];
    org_show *s;
    org_ad_fill fill;
    json_t *root, *assets;
    char *text;
    uint64_t h;
    int b;

    if (!slash || (size_t)(slash - rest) > ORG_ID_MAX || strchr(slash + 1, '/'))
        return org_send_error(rq, 404);
    memcpy(id, rest, (size_t)(slash - rest));
    id[slash - rest] = '\0';
    if (!(s = org_showinfo_get(o->shows, id)))
        return org_send_error(rq, 404);
    if ((b = break_named(s, slash + 1)) < 0) {
        org_show_release(o->shows, s);
        return org_send_error(rq, 404);
    }
    /* The ETag is what the answer is a function of: the show's version, the break, the pool. */
    h = org_ads_state(o->ads);
    h = fnv(fnv(FNV_START, &h, sizeof h), s->id, strlen(s->id) + 1);
    h = org_show_key_hash(&s->key, h);
    h = fnv(h, s->breaks[b].id, strlen(s->breaks[b].id));
    snprintf(etag, sizeof etag, "\"al-%016llx\"", (unsigned long long)h);
    org_ads_fill(o->ads, s, b, &fill);
    root = json_object();
    assets = json_array();
    json_object_set_new(root, "ASSETS", assets);
    for (int i = 0; i < fill.n; i++) {
        snprintf(uri, sizeof uri, "/shows/%s/%s/master.m3u8", fill.ad[i]->id,
                 fill.ad[i]->key.version_dir);
        json_array_append_new(assets,
                              json_pack("{s:s,s:f}", "URI", uri, "DURATION", fill.ad[i]->duration));
    }
    org_ad_fill_release(o->ads, &fill);
    org_show_release(o->shows, s);
    text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
    json_decref(root);
    if (!text)
        return org_send_error(rq, 500);
    atomic_fetch_add_explicit(&o->metrics.ad_asset_lists, 1, memory_order_relaxed);
    return org_send_made_tagged(rq, text, strlen(text), "application/json", "public, max-age=60",
                                etag);
}

/* ---- POST /ads/beacon ----------------------------------------------------------------------- */

/* "application/json", alone or with parameters ("; charset=utf-8"). */
static int is_json_type(const char *type)
{
    size_t n = strlen("application/json");

    if (!type || strncasecmp(type, "application/json", n) != 0)
        return 0;
    type += n;
    while (*type == ' ' || *type == '\t')
        type++;
    return *type == '\0' || *type == ';';
}

/* 1 if body is exactly {"show": ID, "break": "break-K", "ad": ID, "event": "start"|"end"}
 * naming a published show, one of its breaks and an ad of the pool; *end says which event. */
static int valid_beacon(origin *o, const char *body, size_t len, int *end)
{
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    const char *show = json_string_value(json_object_get(root, "show"));
    const char *brk = json_string_value(json_object_get(root, "break"));
    const char *ad = json_string_value(json_object_get(root, "ad"));
    const char *event = json_string_value(json_object_get(root, "event"));
    int ok = json_is_object(root) && json_object_size(root) == 4 && show && brk && ad && event &&
             lib_valid_id(show) && lib_valid_id(ad) && org_ads_has(o->ads, ad) &&
             (strcmp(event, "start") == 0 || strcmp(event, "end") == 0);
    org_show *s = ok ? org_showinfo_get(o->shows, show) : NULL;

    ok = 0;
    for (int b = 0; s && b < s->n_breaks; b++)
        ok |= strcmp(s->breaks[b].id, brk) == 0;
    if (ok)
        *end = strcmp(event, "end") == 0;
    org_show_release(o->shows, s);
    json_decref(root);
    return ok;
}

static enum MHD_Result serve_beacon(org_request *rq)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    int end = 0;

    if (strcmp(rq->method, "POST") != 0)
        return org_send_not_allowed(rq, "POST, OPTIONS");
    if (!is_json_type(org_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE)))
        return org_send_error(rq, 415);
    if (!rq->upload || !valid_beacon(rq->o, rq->upload, rq->upload_len, &end))
        return org_send_error(rq, 400);
    atomic_fetch_add_explicit(&rq->o->metrics.ad_impressions[end], 1, memory_order_relaxed);
    resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    org_add_common_headers(rq->o, resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    ret = org_send(rq, 204, resp, 0);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result org_serve_ads(org_request *rq, const char *rest)
{
    if (strcmp(rest, "beacon") == 0)
        return serve_beacon(rq);
    if (strcmp(rq->method, "POST") == 0)
        return org_send_not_allowed(rq, ORG_ALLOWED_METHODS);
    return serve_asset_list(rq, rest);
}

/* stitched.c: server-side ad insertion, for players that ignore HLS Interstitials (older iOS,
 * Android's native players, smart TVs, ffmpeg, GStreamer, VLC): /stitched/<id>/master.m3u8 and
 * the media playlists it names, /stitched/<id>/vN/<hls or subtitles path>/index.m3u8.
 *
 * A stitched media playlist is the show's own playlist (its segments at their /shows/<id>/vN/
 * URLs) with each break's ads (ads.c decides which) spliced in at the break, rung for rung: the
 * ad's playlist of the same path (hls/<rung>/index.m3u8, hls/audio/index.m3u8), its segments at
 * their /shows/<ad>/vM/ URLs. EXT-X-DISCONTINUITY goes before each ad and before the show
 * resumes (not before a pre-roll, which starts the playlist). A subtitle playlist gets an empty
 * WebVTT span of the ads' length (/stitched/empty.vtt, repeated in pieces no longer than the
 * target duration) with the same discontinuities, so its timeline stays the video's. The
 * show's EXT-X-PROGRAM-DATE-TIME and EXT-X-DATERANGE are left out (the ads are in the
 * timeline now); EXT-X-TARGETDURATION is the max over show and ads; an fMP4 EXT-X-MAP is
 * repeated after each discontinuity. The stitched master is the show's master without its
 * I-frame and thumbnail playlists, its URIs pointing at the stitched media playlists, each
 * variant's BANDWIDTH the max of the show's and its ads' (AVERAGE-BANDWIDTH their time-weighted
 * mean).
 *
 * A break is spliced at the show's segment boundary nearest the break's time: the packager
 * cuts every rung there, and audio within an AAC frame of it.
 *
 * Caching: a playlist is a function of (show version, path, pool state), so each is built once
 * and kept, with its gzip form and ready responses, in a cache keyed by "id/vN/path" (the master
 * "id/current/master"), checked against org_ads_state() on every request and against the show's
 * version (a readlink and a stat) at most once a second. The ETag is a hash of
 * that key, so every origin node gives the same one. Cache-Control: public, max-age=60: a CDN
 * serves its copy for a minute, then revalidates (304 while nothing changed). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "origin_internal.h"

#define CACHE_ENTRIES   4096
#define CACHE_CONTROL   "public, max-age=60"
#define EMPTY_VTT_URI   "/stitched/empty.vtt"
#define PLAYLIST_TYPE   "application/vnd.apple.mpegurl"
#define PATH_MAX_BYTES  512
#define RECHECK_SECONDS 1.0 /* how long a checked playlist is served without a look at the show */

/* An empty WebVTT segment for the ads' span. It has no cues, so its X-TIMESTAMP-MAP (that of
 * Ladder's packager, whose media time 0 is MPEG-TS 900000) places nothing; it is there
 * because players expect the header on every segment of an HLS subtitle track. */
static const char empty_vtt[] = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n";

typedef struct org_stitched {
    org_cache *cache;
} org_stitched;

/* One built playlist, immutable once in the cache. */
typedef struct built {
    char *key;
    org_show_key show_key; /* the version of the show it was built from */
    uint64_t pool;         /* org_ads_state() then */
    char *body;
    size_t len;
    void *gz; /* NULL when compressing did not pay */
    size_t gz_len;
    char etag[40], etag_gz[44];
    struct MHD_Response *resp, *resp_gz; /* shared by every request; buffers are ours */
    double checked_at; /* ladder_now() of the last full check (under the cache's lock) */
    org_cache_entry entry;
} built;

static void free_built(built *b)
{
    if (b->resp)
        MHD_destroy_response(b->resp);
    if (b->resp_gz)
        MHD_destroy_response(b->resp_gz);
    free(b->body);
    free(b->gz);
    free(b->key);
    free(b);
}

static void free_entry(org_cache_entry *e)
{
    free_built(ORG_CACHE_OWNER(e, built, entry));
}

int org_stitched_open(org_stitched **out, ladder_error *err)
{
    org_stitched *st = calloc(1, sizeof *st);
    int ret;

    *out = NULL;
    if (!st)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if ((ret = org_cache_open(&st->cache, CACHE_ENTRIES, free_entry, err)) < 0) {
        free(st);
        return ret;
    }
    *out = st;
    return 0;
}

void org_stitched_close(org_stitched *st)
{
    if (!st)
        return;
    org_cache_close(st->cache);
    free(st);
}

/* ---- reading a media playlist ------------------------------------------------------------- */

typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct seg {
    int first_tag, n_tags; /* its tag lines (EXTINF, BYTERANGE, MAP...), in pl->tags */
    int map;               /* the EXT-X-MAP line in effect, an index in pl->tags, or -1 */
    span uri;
    double start, dur;
} seg;

typedef struct playlist {
    org_file *file; /* held: the spans below point into its text */
    org_files *fs;
    char prefix[PATH_MAX_BYTES]; /* what a relative URI is resolved with: "/shows/ID/vN/dir/" */
    int version, target, independent;
    span *header; /* header tags we do not know, kept as they are */
    int n_header, cap_header;
    span *tags;
    int n_tags, cap_tags;
    seg *segs;
    int n_segs, cap_segs;
    double total;
} playlist;

static void playlist_free(playlist *pl)
{
    if (pl->file)
        org_file_release(pl->fs, pl->file);
    free(pl->header);
    free(pl->tags);
    free(pl->segs);
    memset(pl, 0, sizeof *pl);
}

static int starts(span l, const char *tag)
{
    size_t n = strlen(tag);
    return l.n >= n && memcmp(l.p, tag, n) == 0;
}

/* Room for one more element in *pp (n used, *cap allocated); 0 or -1. */
static int grow(void *pp, int n, int *cap, size_t size)
{
    void **p = pp;
    void *q;

    if (n < *cap)
        return 0;
    q = realloc(*p, (size_t)(*cap ? *cap * 2 : 16) * size);
    if (!q)
        return -1;
    *p = q;
    *cap = *cap ? *cap * 2 : 16;
    return 0;
}

/* Parses text (len bytes, not NUL-terminated) into pl; -1 if out of memory or no segment. */
static int playlist_parse(playlist *pl, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    int pending = 0, map = -1;
    double dur = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        span l = {p, (size_t)((nl ? nl : end) - p)};
        p = nl ? nl + 1 : end;
        if (l.n && l.p[l.n - 1] == '\r')
            l.n--;
        if (l.n == 0 || starts(l, "#EXTM3U") || starts(l, "#EXT-X-MEDIA-SEQUENCE:") ||
            starts(l, "#EXT-X-PLAYLIST-TYPE:") || starts(l, "#EXT-X-ENDLIST") ||
            starts(l, "#EXT-X-PROGRAM-DATE-TIME:") || starts(l, "#EXT-X-DATERANGE:") ||
            starts(l, "#EXT-X-DISCONTINUITY-SEQUENCE:"))
            continue;
        if (starts(l, "#EXT-X-VERSION:")) {
            pl->version = atoi(l.p + 15);
        } else if (starts(l, "#EXT-X-TARGETDURATION:")) {
            pl->target = atoi(l.p + 22);
        } else if (starts(l, "#EXT-X-INDEPENDENT-SEGMENTS")) {
            pl->independent = 1;
        } else if (l.p[0] != '#') { /* a segment's URI ends it */
            if (grow(&pl->segs, pl->n_segs, &pl->cap_segs, sizeof *pl->segs))
                return -1;
            pl->segs[pl->n_segs++] = (seg){pending, pl->n_tags - pending, map, l, pl->total, dur};
            pl->total += dur;
            pending = pl->n_tags;
            dur = 0;
        } else if (pl->n_segs == 0 && pending == pl->n_tags && !starts(l, "#EXTINF:") &&
                   !starts(l, "#EXT-X-MAP:") && !starts(l, "#EXT-X-BYTERANGE:") &&
                   !starts(l, "#EXT-X-KEY:")) {
            if (grow(&pl->header, pl->n_header, &pl->cap_header, sizeof *pl->header))
                return -1;
            pl->header[pl->n_header++] = l;
        } else {
            if (grow(&pl->tags, pl->n_tags, &pl->cap_tags, sizeof *pl->tags))
                return -1;
            if (starts(l, "#EXT-X-MAP:"))
                map = pl->n_tags;
            if (starts(l, "#EXTINF:"))
                dur = strtod(l.p + 8, NULL);
            pl->tags[pl->n_tags++] = l;
        }
    }
    return pl->n_segs > 0 ? 0 : -1;
}

/* The playlist at library path "ID/vN/rel", its relative URIs resolved against its folder.
 * 0, or 404 (no such file, or not a playlist), or 500 (out of memory). */
static int playlist_load(origin *o, const char *id, const char *vdir, const char *rel, playlist *pl)
{
    char path[PATH_MAX_BYTES];
    const char *slash = strrchr(rel, '/');
    org_file *f;
    const char *text;
    int ret;

    memset(pl, 0, sizeof *pl);
    snprintf(path, sizeof path, "%s/%s/%s", id, vdir, rel);
    snprintf(pl->prefix, sizeof pl->prefix, "/shows/%s/%s/%.*s", id, vdir,
             slash ? (int)(slash - rel + 1) : 0, rel);
    if (!(f = org_files_get(o->files, path)))
        return 404;
    pl->file = f; /* its text lives as long as it: held until playlist_free */
    pl->fs = o->files;
    text = org_file_text(f);
    ret = text ? playlist_parse(pl, text, f->size) : -1;
    if (ret != 0) {
        playlist_free(pl);
        return text ? 404 : 500;
    }
    return 0;
}

/* ---- writing ------------------------------------------------------------------------------- */

typedef struct writer {
    ladder_text t;
    int segments; /* written so far */
} writer;

static int is_relative(span u)
{
    return u.n > 0 && u.p[0] != '/' && !memmem(u.p, u.n, "://", 3);
}

static void put_uri(writer *w, const char *prefix, span u)
{
    if (is_relative(u))
        ladder_text_printf(&w->t, "%s", prefix);
    ladder_text_printf(&w->t, "%.*s", (int)u.n, u.p);
}

/* A tag line, its URI="..." attribute (if any) resolved with prefix. */
static void put_tag(writer *w, const char *prefix, span l)
{
    const char *at = memmem(l.p, l.n, "URI=\"", 5);
    const char *close;

    if (!at || !(close = memchr(at + 5, '"', (size_t)(l.p + l.n - at - 5)))) {
        ladder_text_printf(&w->t, "%.*s\n", (int)l.n, l.p);
        return;
    }
    ladder_text_printf(&w->t, "%.*s", (int)(at + 5 - l.p), l.p);
    put_uri(w, prefix, (span){at + 5, (size_t)(close - at - 5)});
    ladder_text_printf(&w->t, "%.*s\n", (int)(l.p + l.n - close), close);
}

/* Segments [from, to) of pl; the EXT-X-MAP in effect is repeated at the start of a run. */
static void put_segments(writer *w, const playlist *pl, int from, int to)
{
    for (int i = from; i < to; i++) {
        const seg *sg = &pl->segs[i];
        if (i == from && sg->map >= 0 &&
            !(sg->map >= sg->first_tag && sg->map < sg->first_tag + sg->n_tags))
            put_tag(w, pl->prefix, pl->tags[sg->map]);
        for (int t = sg->first_tag; t < sg->first_tag + sg->n_tags; t++)
            put_tag(w, pl->prefix, pl->tags[t]);
        put_uri(w, pl->prefix, sg->uri);
        ladder_text_printf(&w->t, "\n");
        w->segments++;
    }
}

/* The ads' span in a subtitle playlist: empty WebVTT, pieces of at most target seconds. */
static void put_empty_span(writer *w, double seconds, int target)
{
    int n = (int)ceil(seconds / (target > 0 ? target : 6) - 1e-9);

    for (int i = 0; i < n; i++) {
        ladder_text_printf(&w->t, "#EXTINF:%.6f,\n%s\n", seconds / n, EMPTY_VTT_URI);
        w->segments++;
    }
}

static void put_discontinuity(writer *w)
{
    if (w->segments > 0)
        ladder_text_printf(&w->t, "#EXT-X-DISCONTINUITY\n");
}

/* The segment boundary of pl nearest time t (n_segs: the end). */
static int splice_index(const playlist *pl, double t)
{
    int best = 0;
    double best_d = fabs(t);

    for (int i = 1; i <= pl->n_segs; i++) {
        double start = i < pl->n_segs ? pl->segs[i].start : pl->total;
        if (fabs(start - t) < best_d) {
            best = i;
            best_d = fabs(start - t);
        }
    }
    return best;
}

/* ---- building -------------------------------------------------------------------------------- */

typedef struct plan {
    org_ad_fill fill[64]; /* per break: LADDER_MAX_BREAKS of the packager */
    int n;
} plan;

/* Each break's ads, decided once for all the playlists of one build. */
static void plan_make(origin *o, const org_show *s, plan *pn)
{
    pn->n = s->n_breaks < 64 ? s->n_breaks : 64;
    for (int b = 0; b < pn->n; b++)
        org_ads_fill(o->ads, s, b, &pn->fill[b]);
}

static void plan_release(origin *o, plan *pn)
{
    for (int b = 0; b < pn->n; b++)
        org_ad_fill_release(o->ads, &pn->fill[b]);
}

/* The stitched media playlist "rel" of s into w; 0, 404 or 500. */
static int build_media(origin *o, const org_show *s, const char *rel, writer *w)
{
    int subtitles = strncmp(rel, "subtitles/", 10) == 0;
    playlist main_pl, *ads = NULL;
    int ret = playlist_load(o, s->id, s->key.version_dir, rel, &main_pl), n_ads = 0;
    int version, target, pos = 0;
    plan *pn = NULL;

    if (ret)
        return ret;
    if (!(pn = calloc(1, sizeof *pn)) ||
        !(ads = calloc((size_t)(s->n_breaks * ORG_ADS_PER_BREAK + 1), sizeof *ads))) {
        ret = 500;
        goto done;
    }
    plan_make(o, s, pn);
    version = main_pl.version;
    target = main_pl.target;
    for (int b = 0; b < pn->n && !subtitles; b++)
        for (int i = 0; i < pn->fill[b].n; i++) {
            const org_show *ad = pn->fill[b].ad[i];
            playlist *pl = &ads[n_ads++];
            if ((ret = playlist_load(o, ad->id, ad->key.version_dir, rel, pl)) != 0) {
                ladder_log(&o->params.log.logger, LADDER_LOG_WARN, "origin",
                           "stitched %s/%s: ad '%s' (%s) has no usable %s", s->id,
                           s->key.version_dir, ad->id, ad->key.version_dir, rel);
                ret = 500;
                goto done;
            }
            version = pl->version > version ? pl->version : version;
            target = pl->target > target ? pl->target : target;
        }
    ladder_text_printf(&w->t,
                       "#EXTM3U\n#EXT-X-VERSION:%d\n#EXT-X-TARGETDURATION:%d\n"
                       "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n",
                       version > 0 ? version : 3, target);
    if (main_pl.independent)
        ladder_text_printf(&w->t, "#EXT-X-INDEPENDENT-SEGMENTS\n");
    for (int i = 0; i < main_pl.n_header; i++)
        put_tag(w, main_pl.prefix, main_pl.header[i]);
    n_ads = 0;
    for (int b = 0; b < pn->n; b++) {
        int at = splice_index(&main_pl, s->breaks[b].time);
        if (pn->fill[b].n == 0)
            continue;
        at = at < pos ? pos : at;
        put_segments(w, &main_pl, pos, at);
        for (int i = 0; i < pn->fill[b].n; i++) {
            put_discontinuity(w);
            if (subtitles)
                put_empty_span(w, pn->fill[b].ad[i]->duration, target);
            else
                put_segments(w, &ads[n_ads], 0, ads[n_ads].n_segs), n_ads++;
        }
        if (at < main_pl.n_segs)
            put_discontinuity(w);
        pos = at;
    }
    put_segments(w, &main_pl, pos, main_pl.n_segs);
    ladder_text_printf(&w->t, "#EXT-X-ENDLIST\n");
done:
    for (int i = 0; ads && i < s->n_breaks * ORG_ADS_PER_BREAK + 1; i++)
        playlist_free(&ads[i]);
    free(ads);
    if (pn)
        plan_release(o, pn);
    free(pn);
    playlist_free(&main_pl);
    return ret;
}

/* The value of attribute name ("BANDWIDTH") in an EXT-X-STREAM-INF line; -1 if absent. */
static long long attr_number(span l, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = memchr(l.p, ':', l.n); p && p < l.p + l.n; p++) {
        if (*p != ':' && *p != ',')
            continue;
        if ((size_t)(l.p + l.n - p - 1) > n && memcmp(p + 1, name, n) == 0 && p[1 + n] == '=')
            return strtoll(p + 2 + n, NULL, 10);
    }
    return -1;
}

/* The variant's bandwidths in a master of the library ("ID/vN/master.m3u8"): the
 * EXT-X-STREAM-INF line before the URI uri; 0 if none. */
static int variant_rates(origin *o, const char *id, const char *vdir, span uri, long long *peak,
                         long long *avg)
{
    char path[PATH_MAX_BYTES];
    org_file *f;
    const char *text, *p, *end;
    span inf = {NULL, 0};
    int found = 0;

    snprintf(path, sizeof path, "%s/%s/master.m3u8", id, vdir);
    if (!(f = org_files_get(o->files, path)))
        return 0;
    for (p = text = org_file_text(f), end = text ? text + f->size : NULL; text && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        span l = {p, (size_t)((nl ? nl : end) - p)};
        p = nl ? nl + 1 : end;
        if (l.n && l.p[l.n - 1] == '\r')
            l.n--;
        if (starts(l, "#EXT-X-STREAM-INF:"))
            inf = l;
        else if (l.n && l.p[0] != '#' && inf.p && l.n == uri.n && !memcmp(l.p, uri.p, l.n)) {
            *peak = attr_number(inf, "BANDWIDTH");
            *avg = attr_number(inf, "AVERAGE-BANDWIDTH");
            found = 1;
            break;
        }
    }
    org_file_release(o->files, f);
    return found;
}

/* line with attribute name's value replaced by v (name must be there). */
static void put_with_number(writer *w, span l, const char *name, long long v)
{
    size_t n = strlen(name);

    for (const char *p = memchr(l.p, ':', l.n); p && p < l.p + l.n; p++)
        if ((*p == ':' || *p == ',') && (size_t)(l.p + l.n - p - 1) > n &&
            memcmp(p + 1, name, n) == 0 && p[1 + n] == '=') {
            const char *val = p + 2 + n, *after = val + strspn(val, "0123456789");
            ladder_text_printf(&w->t, "%.*s%lld%.*s", (int)(val - l.p), l.p, v,
                               (int)(l.p + l.n - after), after);
            return;
        }
    ladder_text_printf(&w->t, "%.*s", (int)l.n, l.p);
}

/* A variant's EXT-X-STREAM-INF for the stitched timeline: BANDWIDTH the max over the show and
 * the ads spliced into it (each ad's variant of the same path), AVERAGE-BANDWIDTH their
 * average weighted by time. */
static void put_stream_inf(origin *o, const org_show *s, const plan *pn, writer *w, span inf,
                           span uri)
{
    long long peak = attr_number(inf, "BANDWIDTH"), avg = attr_number(inf, "AVERAGE-BANDWIDTH");
    double bits = (double)(avg > 0 ? avg : 0) * s->duration, seconds = s->duration;
    span tmp;
    char *first;

    for (int b = 0; b < pn->n; b++)
        for (int i = 0; i < pn->fill[b].n; i++) {
            const org_show *ad = pn->fill[b].ad[i];
            long long ad_peak = -1, ad_avg = -1;
            if (!variant_rates(o, ad->id, ad->key.version_dir, uri, &ad_peak, &ad_avg))
                continue;
            peak = ad_peak > peak ? ad_peak : peak;
            bits += (double)(ad_avg > 0 ? ad_avg : 0) * ad->duration;
            seconds += ad->duration;
        }
    if (peak < 0) {
        ladder_text_printf(&w->t, "%.*s\n", (int)inf.n, inf.p);
        return;
    }
    /* Two replacements: write the first into a scratch text, then the second from it. */
    {
        writer scratch = {{0}, 0};
        put_with_number(&scratch, inf, "BANDWIDTH", peak);
        first = scratch.t.s;
        tmp = (span){first ? first : "", first ? scratch.t.len : 0};
        if (avg > 0 && seconds > 0)
            put_with_number(w, tmp, "AVERAGE-BANDWIDTH", (long long)(bits / seconds + 0.5));
        else
            ladder_text_printf(&w->t, "%.*s", (int)tmp.n, tmp.p);
        ladder_text_printf(&w->t, "\n");
        if (scratch.t.failed)
            w->t.failed = 1;
        ladder_text_free(&scratch.t);
    }
}

/* The stitched master: the show's, URIs into /stitched/<id>/vN/, each variant's bandwidths
 * those of the stitched timeline. It leaves out the I-frame and thumbnail (image) playlists:
 * they follow the show's own timeline, which the ads shift. */
static int build_master(origin *o, const org_show *s, writer *w)
{
    char path[PATH_MAX_BYTES], prefix[ORG_VERSION_DIR_MAX + 2];
    org_file *f;
    const char *text, *p, *end;
    span inf = {NULL, 0};
    plan *pn;

    snprintf(path, sizeof path, "%s/%s/master.m3u8", s->id, s->key.version_dir);
    snprintf(prefix, sizeof prefix, "%s/", s->key.version_dir);
    if (!(pn = calloc(1, sizeof *pn)))
        return 500;
    if (!(f = org_files_get(o->files, path))) {
        free(pn);
        return 404;
    }
    if (!(text = org_file_text(f))) {
        org_file_release(o->files, f);
        free(pn);
        return 500;
    }
    plan_make(o, s, pn);
    for (p = text, end = text + f->size; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        span l = {p, (size_t)((nl ? nl : end) - p)};
        p = nl ? nl + 1 : end;
        if (l.n && l.p[l.n - 1] == '\r')
            l.n--;
        if (l.n == 0 || starts(l, "#EXT-X-I-FRAME-STREAM-INF:") ||
            starts(l, "#EXT-X-IMAGE-STREAM-INF:"))
            continue;
        if (starts(l, "#EXT-X-STREAM-INF:")) {
            inf = l; /* written with its URI, which names the variant */
        } else if (l.p[0] == '#') {
            put_tag(w, prefix, l);
        } else {
            if (inf.p)
                put_stream_inf(o, s, pn, w, inf, l);
            inf = (span){NULL, 0};
            put_uri(w, prefix, l);
            ladder_text_printf(&w->t, "\n");
        }
    }
    plan_release(o, pn);
    free(pn);
    org_file_release(o->files, f);
    return 0;
}

/* A new entry for key from what w holds (taken). NULL if out of memory. */
static built *make_built(origin *o, const char *key, const org_show *s, uint64_t pool, writer *w)
{
    built *b = calloc(1, sizeof *b);
    /* What the body is a function of: the show's version, the path, the pool's state. */
    uint64_t h = org_show_key_hash(&s->key, 1469598103934665603ull);
    const unsigned char *parts[2] = {(const unsigned char *)key, (const unsigned char *)&pool};
    size_t lens[2] = {strlen(key) + 1, sizeof pool};

    if (!b || !(b->key = strdup(key))) {
        free(b);
        ladder_text_free(&w->t);
        return NULL;
    }
    for (int i = 0; i < 2; i++)
        for (size_t j = 0; j < lens[i]; j++)
            h = (h ^ parts[i][j]) * 1099511628211ull;
    b->entry.key = b->key;
    b->show_key = s->key;
    b->pool = pool;
    b->body = w->t.s;
    b->len = w->t.len;
    snprintf(b->etag, sizeof b->etag, "\"st-%016llx\"", (unsigned long long)h);
    snprintf(b->etag_gz, sizeof b->etag_gz, "\"st-%016llx-gz\"", (unsigned long long)h);
    if (org_gzip(b->body, b->len, &b->gz, &b->gz_len) == 0 && b->gz_len >= b->len) {
        free(b->gz);
        b->gz = NULL;
    }
    (void)o;
    return b;
}

/* ---- answering ------------------------------------------------------------------------------ */

typedef struct want {
    const org_show_key *key; /* NULL: the quick check */
    uint64_t pool;
    double now;
} want;

/* The full check: built from this version of the show and this pool state (and then marks it
 * checked now). The quick check, without a show key: checked less than RECHECK_SECONDS ago
 * and the same pool state, else "unsure" (the caller then looks at the show). */
static org_cache_verdict still_good(org_cache_entry *e, void *arg)
{
    built *b = ORG_CACHE_OWNER(e, built, entry);
    const want *w = arg;
    const org_show_key *k = w->key;

    if (b->pool != w->pool)
        return ORG_CACHE_STALE;
    if (!k)
        return w->now - b->checked_at < RECHECK_SECONDS ? ORG_CACHE_FRESH : ORG_CACHE_UNSURE;
    if (strcmp(b->show_key.version_dir, k->version_dir) != 0 || b->show_key.dev != k->dev ||
        b->show_key.ino != k->ino || b->show_key.mtime.tv_sec != k->mtime.tv_sec ||
        b->show_key.mtime.tv_nsec != k->mtime.tv_nsec)
        return ORG_CACHE_STALE;
    b->checked_at = w->now; /* under the cache's lock */
    return ORG_CACHE_FRESH;
}

static void add_headers(origin *o, struct MHD_Response *r, const built *b, int gz)
{
    org_add_common_headers(o, r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, gz ? b->etag_gz : b->etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, CACHE_CONTROL);
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
}

static struct MHD_Response *body_response(origin *o, const built *b, int gz)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        gz ? b->gz_len : b->len, gz ? b->gz : b->body, MHD_RESPMEM_PERSISTENT);

    if (r) {
        add_headers(o, r, b, gz);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, PLAYLIST_TYPE);
        if (gz)
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    }
    return r;
}

/* Answers from b, which the request now holds until it ends (the responses use its buffers). */
static enum MHD_Result answer(org_request *rq, built *b)
{
    origin *o = rq->o;
    int gz = b->gz && org_http_accepts_gzip(org_header(rq, MHD_HTTP_HEADER_ACCEPT_ENCODING));
    const char *inm = org_header(rq, MHD_HTTP_HEADER_IF_NONE_MATCH);
    struct MHD_Response *r;
    enum MHD_Result ret;

    rq->held = &b->entry;
    rq->held_cache = o->stitched->cache;
    atomic_fetch_add_explicit(&o->metrics.stitched_playlists, 1, memory_order_relaxed);
    if (inm && org_http_none_match(inm, gz ? b->etag_gz : b->etag)) {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (r)
            add_headers(o, r, b, gz);
        ret = org_send(rq, 304, r, 0);
        if (r)
            MHD_destroy_response(r);
        return ret;
    }
    if (atomic_load(&o->draining)) { /* a fresh one, to say Connection: close */
        r = body_response(o, b, gz);
        ret = org_send(rq, 200, r, gz ? b->gz_len : b->len);
        if (r)
            MHD_destroy_response(r);
        return ret;
    }
    return org_send(rq, 200, gz ? b->resp_gz : b->resp, gz ? b->gz_len : b->len);
}

/* A request target, split: "<id>/master.m3u8" (vdir and rel empty) or
 * "<id>/vN/hls/.../index.m3u8" or "<id>/vN/subtitles/.../index.m3u8". 0, or -1 for anything
 * else. */
typedef struct target {
    char id[ORG_ID_MAX + 1], vdir[ORG_VERSION_DIR_MAX];
    char rel[PATH_MAX_BYTES];
} target;

static int parse_target(const char *rest, target *t)
{
    const char *slash = strchr(rest, '/'), *vslash;
    size_t n;

    memset(t, 0, sizeof *t);
    if (!slash || (size_t)(slash - rest) > ORG_ID_MAX)
        return -1;
    memcpy(t->id, rest, (size_t)(slash - rest));
    if (strcmp(slash + 1, "master.m3u8") == 0)
        return 0;
    vslash = strchr(slash + 1, '/');
    if (!vslash || (size_t)(vslash - slash - 1) >= sizeof t->vdir)
        return -1;
    memcpy(t->vdir, slash + 1, (size_t)(vslash - slash - 1));
    n = strlen(vslash + 1);
    if (n >= sizeof t->rel || n < 5 || strcmp(vslash + 1 + n - 5, ".m3u8") != 0 ||
        (strncmp(vslash + 1, "hls/", 4) != 0 && strncmp(vslash + 1, "subtitles/", 10) != 0) ||
        strstr(vslash + 1, "iframes"))
        return -1;
    memcpy(t->rel, vslash + 1, n);
    return 0;
}

static enum MHD_Result serve_empty_vtt(org_request *rq)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        sizeof empty_vtt - 1, (void *)empty_vtt, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;

    if (!r)
        return MHD_NO;
    org_add_common_headers(rq->o, r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/vtt; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            "public, max-age=31536000, immutable");
    ret = org_send(rq, 200, r, sizeof empty_vtt - 1);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result org_serve_stitched(org_request *rq, const char *rest)
{
    origin *o = rq->o;
    char key[PATH_MAX_BYTES + ORG_ID_MAX + 32];
    writer w = {{0}, 0};
    org_cache_entry *e;
    org_show *s;
    target t;
    built *b;
    want wt;
    int ret;

    if (strcmp(rest, "empty.vtt") == 0)
        return serve_empty_vtt(rq);
    rq->kind = ORG_KIND_PLAYLIST;
    if (parse_target(rest, &t) != 0)
        return org_send_error(rq, 404);
    /* The hot path: a playlist built and checked against the show within the last second
     * needs no look at the library (a re-ingest is seen within a second). */
    snprintf(key, sizeof key, "%s/%s/%s", t.id, t.vdir[0] ? t.vdir : "current",
             t.rel[0] ? t.rel : "master");
    wt = (want){NULL, org_ads_state(o->ads), ladder_now()};
    if ((e = org_cache_get(o->stitched->cache, key, still_good, &wt)) != NULL)
        return answer(rq, ORG_CACHE_OWNER(e, built, entry));
    s = t.vdir[0] ? org_showinfo_get_version(o->shows, t.id, t.vdir)
                  : org_showinfo_get(o->shows, t.id);
    if (!s)
        return org_send_error(rq, 404);
    wt.key = &s->key;
    if ((e = org_cache_get(o->stitched->cache, key, still_good, &wt)) != NULL) {
        org_show_release(o->shows, s);
        return answer(rq, ORG_CACHE_OWNER(e, built, entry));
    }
    ret = t.rel[0] ? build_media(o, s, t.rel, &w) : build_master(o, s, &w);
    if (ret == 0 && w.t.failed)
        ret = 500;
    b = ret == 0 ? make_built(o, key, s, wt.pool, &w) : NULL;
    if (ret != 0)
        ladder_text_free(&w.t);
    org_show_release(o->shows, s);
    if (!b)
        return org_send_error(rq, ret ? (unsigned)ret : 500);
    b->checked_at = wt.now;
    b->resp = body_response(o, b, 0);
    b->resp_gz = b->gz ? body_response(o, b, 1) : NULL;
    if (!b->resp || (b->gz && !b->resp_gz)) {
        free_built(b);
        return org_send_error(rq, 500);
    }
    wt.key = &b->show_key;
    e = org_cache_put(o->stitched->cache, &b->entry, still_good, &wt);
    return answer(rq, ORG_CACHE_OWNER(e, built, entry));
}

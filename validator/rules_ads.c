/* rules_ads.c: the rules of a show with ad breaks (docs/hls-rules.md#ads). The breaks come
 * from show.json; each must be a segment that starts with an IDR in every HLS rung and a sync
 * sample in every MP4, and every media playlist signals the same breaks with the same
 * EXT-X-DATERANGE tags, dated through its EXT-X-PROGRAM-DATE-TIME. Two rules compare a show
 * with other files: a stitched playlist with the show's and the ads' (val_check_stitched), an
 * ad's rungs with the show's (val_check_ad). Rules: show-json-breaks, break-on-segment-idr,
 * break-on-mp4-keyframe, daterange-same-in-every-playlist, daterange-needs-pdt,
 * daterange-start-date, daterange-matches-show-json, daterange-interstitial,
 * stitched-discontinuities, stitched-durations, stitched-target-duration,
 * stitched-no-interstitials, ad-rungs-match. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libavformat/avformat.h>

#include "val_internal.h"

#define MS 5e-4 /* half a millisecond: show.json and START-DATE are rounded to the ms */
/* A span ad's length against the ad's playlist: the origin sizes it from show.json's duration,
 * which may differ from the EXTINF sum by a frame or two. */
#define VAL_SPAN_SLACK 0.05

/* ---- show.json's "breaks" (json.c reads the JSON) ------------------------------------------ */

/* One break object. */
static int jbreak(val_json *j, val_break *b)
{
    char key[32];

    memset(b, 0, sizeof *b);
    b->time = b->duration = -1;
    if (!val_json_eat(j, '{'))
        return 0;
    if (val_json_eat(j, '}'))
        return 1;
    do {
        if (!val_json_str(j, key, sizeof key) || !val_json_eat(j, ':'))
            return 0;
        int ok = strcmp(key, "id") == 0 ? val_json_str(j, b->id, sizeof b->id)
                 : strcmp(key, "start_date") == 0
                     ? val_json_str(j, b->start_date, sizeof b->start_date)
                 : strcmp(key, "source") == 0   ? val_json_str(j, b->source, sizeof b->source)
                 : strcmp(key, "scte35") == 0   ? val_json_str(j, b->scte35, sizeof b->scte35)
                 : strcmp(key, "time") == 0     ? (b->has_time = val_json_num(j, &b->time))
                 : strcmp(key, "duration") == 0 ? val_json_num(j, &b->duration)
                                                : val_json_skip(j);
        if (!ok)
            return 0;
    } while (val_json_eat(j, ','));
    return val_json_eat(j, '}');
}

int val_parse_breaks(const char *text, val_breaks *b)
{
    val_json j = {.p = text};
    char key[64];

    b->n = 0;
    if (!val_json_eat(&j, '{'))
        return 0;
    if (val_json_eat(&j, '}'))
        return 1;
    do {
        if (!val_json_str(&j, key, sizeof key) || !val_json_eat(&j, ':'))
            return 0;
        if (strcmp(key, "breaks") != 0) {
            if (!val_json_skip(&j))
                return 0;
            continue;
        }
        if (!val_json_eat(&j, '['))
            return 0;
        if (val_json_eat(&j, ']'))
            continue;
        do {
            if (b->n == VAL_MAX_BREAKS || !jbreak(&j, &b->b[b->n++]))
                return 0;
        } while (val_json_eat(&j, ','));
        if (!val_json_eat(&j, ']'))
            return 0;
    } while (val_json_eat(&j, ','));
    return val_json_eat(&j, '}');
}

void val_read_breaks(val_report *r, const char *show, val_breaks *b)
{
    char path[2048], id[32], *text;

    b->n = 0;
    val_join(path, sizeof path, show, "show.json");
    text = val_slurp(path, NULL);
    if (!text)
        return; /* a folder without show.json has no breaks to check */
    int ok = val_parse_breaks(text, b);
    free(text);
    CHECK(r, ok, "show.json", "show-json-breaks",
          "show.json is not JSON with a well-formed \"breaks\" (at most %d)", VAL_MAX_BREAKS);
    if (!ok)
        b->n = 0; /* what was read before the fault is not to be trusted */
    for (int i = 0; i < b->n; i++) {
        const val_break *x = &b->b[i];
        snprintf(id, sizeof id, "break-%d", i + 1);
        CHECK(r,
              strcmp(x->id, id) == 0 && x->has_time && x->time >= 0 && x->duration > 0 &&
                  (i == 0 || x->time > b->b[i - 1].time),
              "show.json", "show-json-breaks",
              "breaks[%d]: id \"%s\", time %.3f, duration %.3f: want id %s, a time after the "
              "previous break's and a duration > 0",
              i, x->id, x->time, x->duration, id);
    }
}

/* ---- break-on-segment-idr, break-on-mp4-keyframe --------------------------------------------- */

void val_check_break_idrs(val_report *r, const char *uri, const val_media *m, const val_breaks *b,
                          double start)
{
    double tol = m->frame / 2 + MS;

    if (!m->has_video)
        return;
    for (int k = 0; k < b->n; k++) {
        double at = start + b->b[k].time;
        int best = -1;
        for (int i = 0; i < m->n_seg; i++)
            if (!isnan(m->seg_pts[i]) &&
                (best < 0 || fabs(m->seg_pts[i] - at) < fabs(m->seg_pts[best] - at)))
                best = i;
        if (best < 0) {
            val_fail(r, uri, "break-on-segment-idr", "%s at %.3f s: no video read", b->b[k].id,
                     b->b[k].time);
            continue;
        }
        CHECK(r, fabs(m->seg_pts[best] - at) <= tol && m->seg_idr[best], uri,
              "break-on-segment-idr",
              "%s at %.3f s: the nearest segment start is segment %d's at %.3f s%s", b->b[k].id,
              b->b[k].time, best, m->seg_pts[best] - start,
              m->seg_idr[best] ? "" : ", and it is not an IDR");
    }
}

/* The video keyframes of an MP4, s from its first picture; -1 when it cannot be read. */
static int mp4_keyframes(const char *path, double **key, int *n, double *frame)
{
    AVFormatContext *ic = NULL;
    AVPacket *p = av_packet_alloc();
    int vi = -1, cap = 0, count = 0;
    double first = INFINITY, last = -INFINITY;

    *key = NULL;
    *n = 0;
    *frame = 0;
    if (!p || avformat_open_input(&ic, path, NULL, NULL) < 0) {
        av_packet_free(&p);
        return -1;
    }
    for (unsigned i = 0; i < ic->nb_streams; i++) {
        if (ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && vi < 0)
            vi = (int)i;
        else
            ic->streams[i]->discard = AVDISCARD_ALL;
    }
    while (vi >= 0 && av_read_frame(ic, p) >= 0) {
        if (p->stream_index == vi && p->pts != AV_NOPTS_VALUE) {
            double t = p->pts * av_q2d(ic->streams[vi]->time_base);
            first = fmin(first, t);
            last = fmax(last, t);
            count++;
            if ((p->flags & AV_PKT_FLAG_KEY) && *n == cap) {
                double *k = realloc(*key, (cap = cap ? 2 * cap : 64) * sizeof *k);
                if (!k)
                    break;
                *key = k;
            }
            if (p->flags & AV_PKT_FLAG_KEY)
                (*key)[(*n)++] = t;
        }
        av_packet_unref(p);
    }
    av_packet_free(&p);
    avformat_close_input(&ic);
    for (int i = 0; i < *n; i++)
        (*key)[i] -= first;
    *frame = count > 1 ? (last - first) / (count - 1) : 0;
    return vi >= 0 ? 0 : -1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The names in show/folder ending with ext, sorted; how many (at most max). */
static int list_files(const char *show, const char *folder, const char *ext, char (*names)[256],
                      int max)
{
    char dir[2048];
    size_t el = strlen(ext);
    int n = 0;
    DIR *d;
    struct dirent *e;

    val_join(dir, sizeof dir, show, folder);
    d = opendir(dir);
    while (d && (e = readdir(d)) != NULL && n < max) {
        size_t len = strlen(e->d_name);
        if (len > el && strcmp(e->d_name + len - el, ext) == 0 && e->d_name[0] != '.')
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    return n;
}

void val_check_break_mp4s(val_report *r, const char *show, const val_breaks *b)
{
    char(*names)[256] = b->n ? malloc(64 * sizeof *names) : NULL;
    char rel[512], path[2048];
    int n = names ? list_files(show, "mp4", ".mp4", names, 64) : 0;

    for (int i = 0; i < n; i++) {
        double *key, frame;
        int n_key;
        val_join(rel, sizeof rel, "mp4", names[i]);
        val_join(path, sizeof path, show, rel);
        if (mp4_keyframes(path, &key, &n_key, &frame) < 0) {
            val_fail(r, rel, "break-on-mp4-keyframe", "no video track read");
            free(key);
            continue;
        }
        for (int k = 0; k < b->n; k++) {
            int best = -1;
            for (int q = 0; q < n_key; q++)
                if (best < 0 || fabs(key[q] - b->b[k].time) < fabs(key[best] - b->b[k].time))
                    best = q;
            CHECK(r, best >= 0 && fabs(key[best] - b->b[k].time) <= frame / 2 + MS, rel,
                  "break-on-mp4-keyframe", "%s at %.3f s: the nearest sync sample is at %.3f s",
                  b->b[k].id, b->b[k].time, best >= 0 ? key[best] : -1.0);
        }
        free(key);
    }
    free(names);
}

/* ---- the DATERANGE tags -----------------------------------------------------------------------
 */

#define MAX_ATTRS 24

/* A DATERANGE's attributes, sorted by name. */
typedef struct attr {
    char name[32];
    char value[640]; /* as written, quotes kept; SCTE35-OUT is up to 2 + 512 hex digits */
} attr;

typedef struct attrs {
    int n, bad; /* bad: the list did not parse to its end, or had more than MAX_ATTRS */
    attr a[MAX_ATTRS];
} attrs;

static int by_attr_name(const void *x, const void *y)
{
    return strcmp(((const attr *)x)->name, ((const attr *)y)->name);
}

static void parse_attrs(const char *list, attrs *a)
{
    const char *p = list;
    attr spare;
    int ret;

    a->n = 0;
    while ((ret = val_attr_next(
                &p, a->n < MAX_ATTRS ? a->a[a->n].name : spare.name, sizeof spare.name,
                a->n < MAX_ATTRS ? a->a[a->n].value : spare.value, sizeof spare.value)) > 0 &&
           a->n <= MAX_ATTRS)
        a->n++;
    a->bad = ret < 0 || a->n > MAX_ATTRS;
    if (a->n > MAX_ATTRS)
        a->n = MAX_ATTRS;
    qsort(a->a, a->n, sizeof a->a[0], by_attr_name);
}

/* The value of name (quotes removed), or NULL. */
static const char *attr_get(const attrs *a, const char *name, char *out, size_t len)
{
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->a[i].name, name) == 0) {
            const char *v = a->a[i].value;
            size_t n = strlen(v);
            if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
                snprintf(out, len, "%.*s", (int)n - 2, v + 1);
            else
                snprintf(out, len, "%s", v);
            return out;
        }
    return NULL;
}

/* A DATERANGE's ID (quotes removed) into out, without parsing the rest into a struct; 0 when
 * it has none. */
static int range_id(const char *list, char *out, size_t len)
{
    const char *p = list;
    attr x;

    while (val_attr_next(&p, x.name, sizeof x.name, x.value, sizeof x.value) > 0)
        if (strcmp(x.name, "ID") == 0) {
            size_t n = strlen(x.value);
            if (n >= 2 && x.value[0] == '"' && x.value[n - 1] == '"')
                snprintf(out, len, "%.*s", (int)n - 2, x.value + 1);
            else
                snprintf(out, len, "%s", x.value);
            return 1;
        }
    return 0;
}

/* The index of the DATERANGE with ID id in pl (its attributes parsed into a), -1 when none. */
static int find_range(const val_playlist *pl, const char *id, attrs *a)
{
    char v[64];

    for (int i = 0; i < pl->n_ranges; i++)
        if (range_id(pl->ranges[i], v, sizeof v) && strcmp(v, id) == 0) {
            parse_attrs(pl->ranges[i], a);
            return i;
        }
    return -1;
}

/* The first difference between two attribute sets, into out; 0 when they are the same. */
static int attrs_differ(const attrs *a, const attrs *b, char *out, size_t len)
{
    int i = 0, k = 0;

    while (i < a->n || k < b->n) {
        const attr *x = &a->a[i], *y = &b->a[k];
        int c = i == a->n ? 1 : k == b->n ? -1 : strcmp(x->name, y->name);
        if (c < 0) {
            snprintf(out, len, "%s=%.100s is missing", x->name, x->value);
            return 1;
        }
        if (c > 0) {
            snprintf(out, len, "%s=%.100s is extra", y->name, y->value);
            return 1;
        }
        if (strcmp(x->value, y->value) != 0) {
            snprintf(out, len, "%s=%.100s, not %.100s", y->name, y->value, x->value);
            return 1;
        }
        i++;
        k++;
    }
    return 0;
}

/* One media playlist of the show and how closely its segment starts must date a break. */
typedef struct dated {
    const char *uri;
    double tol;   /* s */
    int required; /* a variant: must carry the reference's DATERANGEs (else: if it has any) */
} dated;

/* daterange-same-in-every-playlist: pl has the reference's DATERANGEs, no more, attribute for
 * attribute. */
static void check_same(val_report *r, const dated *d, const val_playlist *pl,
                       const val_playlist *ref, const char *ref_uri, attrs *a, attrs *b)
{
    char id[64], diff[300];

    if (!d->required && pl->n_ranges == 0)
        return;
    for (int i = 0; i < ref->n_ranges; i++) {
        parse_attrs(ref->ranges[i], a);
        if (!attr_get(a, "ID", id, sizeof id))
            continue; /* daterange-interstitial says so on the reference */
        int at = find_range(pl, id, b);
        if (at < 0) {
            val_fail(r, d->uri, "daterange-same-in-every-playlist",
                     "no DATERANGE ID=\"%s\"; %s has one", id, ref_uri);
            continue;
        }
        CHECK(r, !attrs_differ(a, b, diff, sizeof diff), d->uri, "daterange-same-in-every-playlist",
              "DATERANGE \"%s\": %s (as in %s)", id, diff, ref_uri);
    }
    for (int i = 0; i < pl->n_ranges; i++) {
        if (!range_id(pl->ranges[i], id, sizeof id))
            id[0] = '\0';
        CHECK(r, id[0] && find_range(ref, id, a) >= 0, d->uri, "daterange-same-in-every-playlist",
              "DATERANGE ID=\"%s\" is not in %s", id, ref_uri);
    }
}

/* daterange-needs-pdt and daterange-start-date: every START-DATE is the date of one of the
 * playlist's segment starts, through its PDT, within d->tol. */
static void check_dates(val_report *r, const dated *d, const val_playlist *pl, attrs *a)
{
    char id[64], start[64];
    double t;

    if (pl->n_ranges == 0)
        return;
    CHECK(r, pl->n_pdt > 0 && pl->bad_pdt == 0 && pl->n > 0 && !isnan(pl->dates[0]), d->uri,
          "daterange-needs-pdt",
          "%d DATERANGE tags, %d EXT-X-PROGRAM-DATE-TIME (%d unreadable), %s before the first "
          "segment",
          pl->n_ranges, pl->n_pdt, pl->bad_pdt, pl->n > 0 && !isnan(pl->dates[0]) ? "one" : "none");
    if (pl->n == 0 || isnan(pl->dates[0]))
        return;
    for (int i = 0; i < pl->n_ranges; i++) {
        parse_attrs(pl->ranges[i], a);
        if (!attr_get(a, "ID", id, sizeof id))
            snprintf(id, sizeof id, "#%d", i + 1);
        if (!attr_get(a, "START-DATE", start, sizeof start) || !val_parse_date(start, &t)) {
            val_fail(r, d->uri, "daterange-start-date", "DATERANGE \"%s\": no START-DATE date", id);
            continue;
        }
        int best = 0;
        for (int k = 1; k < pl->n; k++)
            if (fabs(pl->dates[k] - t) < fabs(pl->dates[best] - t))
                best = k;
        CHECK(r, fabs(pl->dates[best] - t) <= d->tol, d->uri, "daterange-start-date",
              "DATERANGE \"%s\": START-DATE %s is media time %.3f s, but the nearest segment "
              "starts at %.3f s (PDT plus EXTINFs)",
              id, start, t - pl->dates[0], pl->dates[best] - pl->dates[0]);
    }
}

/* daterange-interstitial: what an HLS Interstitials player needs (Apple's HLS Interstitials,
 * RFC 8216bis 4.4.5.1), on the reference playlist's tags; pre: the break is at media time 0. */
static void check_interstitial(val_report *r, const char *uri, const attrs *a, const char *id,
                               int pre /* -1: unknown, without a PDT */)
{
    char v[640], cue[64] = "";
    int uri_n = attr_get(a, "X-ASSET-URI", v, sizeof v) != NULL,
        list_n = attr_get(a, "X-ASSET-LIST", v, sizeof v) != NULL;
    char *end = NULL;

    CHECK(r, !a->bad, uri, "daterange-interstitial", "DATERANGE \"%s\": a malformed attribute list",
          id);
    CHECK(r, attr_get(a, "CLASS", v, sizeof v) && strcmp(v, "com.apple.hls.interstitial") == 0, uri,
          "daterange-interstitial", "DATERANGE \"%s\": CLASS is not com.apple.hls.interstitial",
          id);
    CHECK(r, uri_n + list_n == 1, uri, "daterange-interstitial",
          "DATERANGE \"%s\": %d of X-ASSET-URI and X-ASSET-LIST, not exactly one", id,
          uri_n + list_n);
    CHECK(r, attr_get(a, "X-RESUME-OFFSET", v, sizeof v) && (strtod(v, &end), end != v && !*end),
          uri, "daterange-interstitial", "DATERANGE \"%s\": no X-RESUME-OFFSET number", id);
    CHECK(r, attr_get(a, "X-RESTRICT", v, sizeof v), uri, "daterange-interstitial",
          "DATERANGE \"%s\": no X-RESTRICT", id);
    attr_get(a, "CUE", cue, sizeof cue);
    int has_pre = strstr(cue, "PRE") != NULL;
    if (pre >= 0)
        CHECK(r, has_pre == pre, uri, "daterange-interstitial",
              "DATERANGE \"%s\": %s, but the break is %s", id,
              has_pre ? "CUE=\"PRE\"" : "no CUE=\"PRE\"", pre ? "at 0 (a pre-roll)" : "not at 0");
}

/* daterange-matches-show-json: the reference's DATERANGEs are show.json's breaks, one for one:
 * same START-DATE, which is the PDT of media time 0 plus the break's time, same planned
 * duration and SCTE-35 bytes. Also the interstitial attributes of each. */
static void check_reference(val_report *r, const char *uri, const val_playlist *pl,
                            const val_breaks *b, double frame, attrs *a)
{
    char v[640], start[64], id[64];
    double t, zero = pl->n > 0 ? pl->dates[0] : NAN;

    for (int k = 0; k < b->n; k++) {
        const val_break *x = &b->b[k];
        if (find_range(pl, x->id, a) < 0) {
            val_fail(r, uri, "daterange-matches-show-json",
                     "show.json's %s at %.3f s has no DATERANGE", x->id, x->time);
            continue;
        }
        int has_start = attr_get(a, "START-DATE", start, sizeof start) != NULL;
        CHECK(r, has_start && strcmp(start, x->start_date) == 0, uri, "daterange-matches-show-json",
              "%s: START-DATE \"%s\", show.json \"%s\"", x->id, has_start ? start : "",
              x->start_date);
        if (has_start && val_parse_date(start, &t) && !isnan(zero))
            CHECK(r, fabs(t - zero - x->time) <= 1e-3 + 1e-9, uri, "daterange-matches-show-json",
                  "%s: START-DATE is media time %.3f s through the PDT; show.json says %.3f s",
                  x->id, t - zero, x->time);
        double planned = attr_get(a, "PLANNED-DURATION", v, sizeof v) ? atof(v) : -1;
        CHECK(r, fabs(planned - x->duration) <= 1e-3, uri, "daterange-matches-show-json",
              "%s: PLANNED-DURATION %.3f, show.json's duration %.3f", x->id, planned, x->duration);
        if (!attr_get(a, "SCTE35-OUT", v, sizeof v))
            v[0] = '\0';
        CHECK(r, strcasecmp(v, x->scte35) == 0, uri, "daterange-matches-show-json",
              "%s: SCTE35-OUT \"%.40s\", show.json's scte35 \"%.40s\"", x->id, v, x->scte35);
    }
    for (int i = 0; i < pl->n_ranges; i++) {
        int known = 0;
        parse_attrs(pl->ranges[i], a);
        if (!attr_get(a, "ID", id, sizeof id)) {
            val_fail(r, uri, "daterange-interstitial", "DATERANGE #%d has no ID", i + 1);
            continue;
        }
        for (int k = 0; k < b->n; k++)
            known |= strcmp(b->b[k].id, id) == 0;
        CHECK(r, known, uri, "daterange-matches-show-json",
              "DATERANGE \"%s\" is not one of show.json's %d breaks", id, b->n);
        int pre = isnan(zero) ? -1
                              : attr_get(a, "START-DATE", start, sizeof start) &&
                                    val_parse_date(start, &t) && fabs(t - zero) < frame / 2 + MS;
        check_interstitial(r, uri, a, id, pre);
        int twice = 0; /* IDs are unique (RFC 8216 4.3.2.7) */
        for (int q = 0; q < i; q++)
            twice |= range_id(pl->ranges[q], v, sizeof v) && strcmp(v, id) == 0;
        CHECK(r, !twice, uri, "daterange-interstitial", "two DATERANGE tags have ID \"%s\"", id);
    }
}

void val_check_dateranges(val_report *r, const char *show, const val_master *ms,
                          const val_breaks *b, double frame)
{
    dated list[3 * VAL_MAX_VARIANTS];
    val_playlist *pls = calloc(3 * VAL_MAX_VARIANTS, sizeof *pls);
    val_report *scratch = malloc(sizeof *scratch); /* what the other rules report already */
    attrs *a = malloc(sizeof *a), *bb = malloc(sizeof *bb);
    int n = 0, ref = -1;

    if (!pls || !scratch || !a || !bb) {
        val_fail(r, "master.m3u8", "daterange-same-in-every-playlist", "out of memory");
        goto done;
    }
    for (int i = 0; i < ms->n; i++) {
        if (ref < 0 && !ms->v[i].audio_only)
            ref = n;
        double tol = ms->v[i].audio_only ? ms->v[i].frame_seconds + 1e-3 : frame / 2 + MS;
        list[n++] = (dated){ms->v[i].uri, tol, 1};
    }
    for (int i = 0; i < ms->n_subs; i++)
        list[n++] = (dated){ms->subs[i].uri, frame / 2 + MS, 0};
    for (int i = 0; i < ms->n_iframes; i++)
        list[n++] = (dated){ms->iframes[i].uri, frame / 2 + MS, 0};
    for (int i = 0; i < n; i++) {
        memset(scratch, 0, sizeof *scratch);
        val_read_iframes(scratch, show, list[i].uri, &pls[i]);
    }
    if (ref < 0)
        goto done;
    check_reference(r, list[ref].uri, &pls[ref], b, frame, a);
    for (int i = 0; i < n; i++) {
        if (i != ref)
            check_same(r, &list[i], &pls[i], &pls[ref], list[ref].uri, a, bb);
        check_dates(r, &list[i], &pls[i], a);
    }
done:
    for (int i = 0; pls && i < 3 * VAL_MAX_VARIANTS; i++)
        val_playlist_free(&pls[i]);
    free(pls);
    free(scratch);
    free(a);
    free(bb);
}

/* ---- stitched playlists ------------------------------------------------------------------------
 * The stitched playlist's URIs may be longer than a val_playlist keeps, so they are taken from
 * the text here, in the same order as its entries. */

/* The URI lines of text (a copy, in *copy for the caller to free), as many as n. */
static char **uri_lines(const char *text, char **copy, int n)
{
    char **uris = calloc(n + 1, sizeof *uris), *save = NULL;
    int i = 0;

    *copy = strdup(text);
    if (!uris || !*copy) {
        free(uris);
        return NULL;
    }
    for (char *line = strtok_r(*copy, "\r\n", &save); line && i < n;
         line = strtok_r(NULL, "\r\n", &save))
        if (line[0] != '#')
            uris[i++] = line;
    return uris;
}

/* The stitched URI s names segment uri of src. */
static int same_uri(const char *s, const val_stitch_source *src, const char *uri)
{
    size_t ls = strlen(s), lu = strlen(uri), lb = src->base ? strlen(src->base) : 0;

    if (!src->base)
        return strcmp(s, uri) == 0 ||
               (ls > lu && s[ls - lu - 1] == '/' && !strcmp(s + ls - lu, uri));
    if (ls < lb + lu || strcmp(s + ls - lu, uri) != 0 || strncmp(s + ls - lu - lb, src->base, lb))
        return 0;
    return ls == lb + lu || src->base[0] == '/'; /* an absolute URL ending in the path */
}

typedef struct stitch {
    val_report *r;
    const char *file;
    const val_playlist *st;
    char **uris;
    const val_stitch_source *show, *ads;
    const val_playlist *sh, *ad;
    int n_ads;
} stitch;

static int entry_is(const stitch *s, int i, const val_stitch_source *src, const val_playlist *pl,
                    int k)
{
    return k < pl->n && fabs(s->st->durations[i] - pl->durations[k]) <= MS &&
           same_uri(s->uris[i], src, pl->uris[k]);
}

/* The ad that stitched entries i.. are, whole, and in *len how many entries it is; -1 when
 * none. A span ad is the entries up to the next discontinuity (or the show's segment k), of
 * the ad's length. */
static int ad_at(const stitch *s, int i, int k, int *len)
{
    for (int j = 0; j < s->n_ads; j++) {
        int q = 0;
        double secs = 0;
        if (s->ads[j].span) {
            while (i + q < s->st->n && (q == 0 || !s->st->discontinuity[i + q]) &&
                   !entry_is(s, i + q, s->show, s->sh, k))
                secs += s->st->durations[i + q++];
            if (q > 0 && fabs(secs - s->ad[j].total) <= VAL_SPAN_SLACK) {
                *len = q;
                return j;
            }
            continue;
        }
        while (q < s->ad[j].n && i + q < s->st->n && entry_is(s, i + q, &s->ads[j], &s->ad[j], q))
            q++;
        if (q > 0 && q == s->ad[j].n) {
            *len = q;
            return j;
        }
    }
    return -1;
}

/* Which of the show's segments a break starts (its DATERANGE's START-DATE, by its PDT): the
 * id of the break at segment k, or NULL. k may be the show's count (a post-roll). */
static const char *break_at(const val_playlist *sh, int k, char *id, size_t len)
{
    attrs *a = malloc(sizeof *a);
    char start[64];
    double t, at;
    const char *found = NULL;

    if (!a || sh->n == 0 || isnan(sh->dates[0])) {
        free(a);
        return NULL;
    }
    at = k < sh->n ? sh->dates[k] : sh->dates[sh->n - 1] + sh->durations[sh->n - 1];
    for (int i = 0; i < sh->n_ranges && !found; i++) {
        parse_attrs(sh->ranges[i], a);
        if (attr_get(a, "START-DATE", start, sizeof start) && val_parse_date(start, &t) &&
            fabs(t - at) < 0.05)
            found = attr_get(a, "ID", id, len) ? id : "a break";
    }
    free(a);
    return found;
}

/* The walk: each stitched entry is the show's next segment, or the start of a whole ad. */
static void walk(stitch *s)
{
    const val_playlist *st = s->st;
    int k = 0, prev_ad = 0, ad_segments = 0;
    double ad_seconds = 0;
    char id[64];

    for (int i = 0; i < st->n;) {
        int len = 0, show_ok = entry_is(s, i, s->show, s->sh, k), j = ad_at(s, i, k, &len);
        if (j >= 0 && (!show_ok || st->discontinuity[i])) {
            const char *brk = break_at(s->sh, k, id, sizeof id);
            CHECK(s->r, brk != NULL, s->file, "stitched-durations",
                  "ad %s (segment %d) is spliced in before the show's segment %d, where no "
                  "break starts",
                  s->ads[j].name, i, k);
            CHECK(s->r, i == 0 || st->discontinuity[i], s->file, "stitched-discontinuities",
                  "no EXT-X-DISCONTINUITY before ad %s (segment %d)", s->ads[j].name, i);
            for (int q = 1; q < len; q++)
                if (st->discontinuity[i + q])
                    val_fail(s->r, s->file, "stitched-discontinuities",
                             "an EXT-X-DISCONTINUITY inside ad %s (segment %d)", s->ads[j].name,
                             i + q);
            ad_segments += len;
            for (int q = 0; q < len; q++)
                ad_seconds += st->durations[i + q];
            i += len;
            prev_ad = 1;
        } else if (show_ok) {
            CHECK(s->r, st->discontinuity[i] == prev_ad, s->file, "stitched-discontinuities",
                  prev_ad ? "no EXT-X-DISCONTINUITY before the show's segment %d after the ads "
                            "(segment %d)"
                          : "an EXT-X-DISCONTINUITY before the show's segment %d (segment %d) "
                            "with no ad before it",
                  k, i);
            k++;
            i++;
            prev_ad = 0;
        } else {
            int e = i + 1;
            double secs = st->durations[i];
            while (e < st->n && !st->discontinuity[e] && !entry_is(s, e, s->show, s->sh, k))
                secs += st->durations[e++];
            val_fail(s->r, s->file, "stitched-durations",
                     "segments %d to %d (%d, %.3f s) before the show's segment %d are neither "
                     "the show's next segment nor a whole ad (first %.80s)",
                     i, e - 1, e - i, secs, k, s->uris[i] ? s->uris[i] : "");
            ad_segments += e - i;
            ad_seconds += secs;
            i = e;
            prev_ad = 1;
        }
    }
    CHECK(s->r, k == s->sh->n, s->file, "stitched-durations",
          "the show's segments %d to %d are missing (it has %d)", k, s->sh->n - 1, s->sh->n);
    CHECK(s->r,
          st->n == s->sh->n + ad_segments &&
              fabs(st->total - s->sh->total - ad_seconds) <= MS * (st->n + 1),
          s->file, "stitched-durations",
          "%d segments, %.3f s; the show's %d (%.3f s) and the ads' %d (%.3f s) make %d, %.3f s",
          st->n, st->total, s->sh->n, s->sh->total, ad_segments, ad_seconds, s->sh->n + ad_segments,
          s->sh->total + ad_seconds);
}

int val_check_stitched(const char *file, const char *stitched, const val_stitch_source *show,
                       const val_stitch_source *ads, int n_ads, val_report *r)
{
    val_playlist st = {0}, sh = {0}, *ad = calloc(n_ads > 0 ? n_ads : 1, sizeof *ad);
    val_report *scratch = malloc(sizeof *scratch);
    char *copy = NULL, **uris = NULL;
    int before = r->n_failures, ret = 0;

    if (!ad || !scratch) {
        ret = LADDER_ENOMEM;
        goto done;
    }
    memset(scratch, 0, sizeof *scratch);
    val_read_playlist_text(r, file, stitched, &st);
    val_read_playlist_text(scratch, show->name, show->text, &sh);
    for (int j = 0; j < n_ads; j++)
        val_read_playlist_text(scratch, ads[j].name, ads[j].text, &ad[j]);
    if (!(uris = uri_lines(stitched, &copy, st.n))) {
        ret = LADDER_ENOMEM;
        goto done;
    }
    for (int i = 0; i < st.n; i++)
        CHECK(r, lround(st.durations[i]) <= st.target, file, "stitched-target-duration",
              "segment %d lasts %.3f s, over EXT-X-TARGETDURATION %d", i, st.durations[i],
              st.target);
    CHECK(r, st.n_ranges == 0, file, "stitched-no-interstitials",
          "%d EXT-X-DATERANGE tags: a player that reads interstitials would play the ads again",
          st.n_ranges);
    walk(&(stitch){.r = r,
                   .file = file,
                   .st = &st,
                   .uris = uris,
                   .show = show,
                   .ads = ads,
                   .sh = &sh,
                   .ad = ad,
                   .n_ads = n_ads});
done:
    free(uris);
    free(copy);
    val_playlist_free(&st);
    val_playlist_free(&sh);
    for (int j = 0; ad && j < n_ads; j++)
        val_playlist_free(&ad[j]);
    free(ad);
    free(scratch);
    return ret < 0 ? ret : r->n_failures > before ? LADDER_EVALIDATE : 0;
}

/* ---- ad-rungs-match ----------------------------------------------------------------------------
 */

/* The names of a show's HLS variant folders (hls/NAME/...) and MP4 fallbacks, sorted, as one
 * comma-separated list in out. */
static int rung_list(const char *show, char *out, size_t len)
{
    val_master *m = malloc(sizeof *m);
    val_report *scratch = malloc(sizeof *scratch);
    char(*names)[256] = malloc((VAL_MAX_VARIANTS + 64) * sizeof *names);
    int n = 0, ok = m && scratch && names;
    size_t used = 0;

    out[0] = '\0';
    if (ok) {
        memset(scratch, 0, sizeof *scratch);
        val_read_master(scratch, show, m);
        for (int i = 0; i < m->n; i++) {
            const char *u = m->v[i].uri, *end = strrchr(u, '/');
            if (strncmp(u, "hls/", 4) == 0 && end && end > u + 4)
                snprintf(names[n++], sizeof names[0], "hls/%.*s", (int)(end - u - 4), u + 4);
        }
        int mp4 = list_files(show, "mp4", ".mp4", names + n, 64);
        for (int i = n; i < n + mp4; i++) {
            char name[256];
            snprintf(name, sizeof name, "mp4/%s", names[i]);
            memcpy(names[i], name, sizeof name);
        }
        n += mp4;
        qsort(names, n, sizeof names[0], by_name);
        for (int i = 0; i < n && used < len; i++)
            used += snprintf(out + used, len - used, "%s%s", i ? "," : "", names[i]);
    }
    free(m);
    free(scratch);
    free(names);
    return ok ? n : -1;
}

/* The entries of the comma-separated list a that b lacks, into out. */
static void list_minus(const char *a, const char *b, char *out, size_t len)
{
    size_t used = 0;

    out[0] = '\0';
    for (const char *p = a; *p && used < len;) {
        size_t n = strcspn(p, ",");
        int found = 0;
        for (const char *q = b; *q && !found;) {
            size_t m = strcspn(q, ",");
            found = m == n && strncmp(p, q, n) == 0;
            q += m + (q[m] == ',');
        }
        if (!found)
            used += snprintf(out + used, len - used, "%s%.*s", used ? "," : "", (int)n, p);
        p += n + (p[n] == ',');
    }
}

int val_check_ad(const char *show_dir, const char *ad_dir, const char *file, val_report *r)
{
    char *mine = malloc(8192), *theirs = malloc(8192), missing[160], extra[160];
    int before = r->n_failures, ret = 0;

    if (!mine || !theirs || rung_list(show_dir, mine, 8192) < 0 ||
        rung_list(ad_dir, theirs, 8192) < 0) {
        ret = LADDER_ENOMEM;
    } else {
        list_minus(mine, theirs, missing, sizeof missing);
        list_minus(theirs, mine, extra, sizeof extra);
        CHECK(r, theirs[0] && strcmp(mine, theirs) == 0, file, "ad-rungs-match",
              "%s: the ad lacks the show's %s; it has %s that the show has not",
              theirs[0] ? "other rungs" : "no rungs (not a show?)", missing[0] ? missing : "-",
              extra[0] ? extra : "-");
    }
    free(mine);
    free(theirs);
    return ret < 0 ? ret : r->n_failures > before ? LADDER_EVALIDATE : 0;
}

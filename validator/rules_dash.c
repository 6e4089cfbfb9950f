/* rules_dash.c: the DASH rules (docs/dash-rules.md) on a version's manifest.mpd: that an fMP4
 * show has one, its structure (ISO/IEC 23009-1), the segments its SegmentTemplates and
 * SegmentTimelines name against the files and their tfdt/trun timing, each Representation's
 * @bandwidth against its segments, its duration against the HLS playlist of the same folder,
 * and the WebVTT files of its text AdaptationSets. Rules: dash-manifest-present,
 * dash-mpd-parses (mpd.c), dash-structure, dash-segments, dash-bandwidth, dash-duration,
 * dash-text. */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "val_internal.h"

#define MPD_FILE  "manifest.mpd"
#define AAC_FRAME 1024 /* samples per AAC-LC frame */

typedef enum kind { KIND_OTHER, KIND_VIDEO, KIND_AUDIO, KIND_TEXT, KIND_IMAGE } kind;

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static kind kind_of(const val_mpd_set *set, const val_mpd_rep *x)
{
    const char *ct = set->content_type, *mime = x->mime[0] ? x->mime : set->mime;

    if (!strcmp(ct, "video") || (!ct[0] && starts(mime, "video/")))
        return KIND_VIDEO;
    if (!strcmp(ct, "audio") || (!ct[0] && starts(mime, "audio/")))
        return KIND_AUDIO;
    if (!strcmp(ct, "text") || (!ct[0] && (starts(mime, "text/") || starts(mime, "application/"))))
        return KIND_TEXT;
    if (!strcmp(ct, "image") || (!ct[0] && starts(mime, "image/")))
        return KIND_IMAGE;
    return KIND_OTHER;
}

/* A frame rate "N" or "N/D" in frames per second; 0 when it is not one. */
static double frame_rate(const char *s)
{
    char *end;
    double n = strtod(s, &end), d = 1;

    if (end == s || n <= 0)
        return 0;
    if (*end == '/') {
        const char *q = end + 1;
        d = strtod(q, &end);
        if (end == q || d <= 0)
            return 0;
    }
    return *end ? 0 : n / d;
}

/* ---- the container: fMP4 or TS ----------------------------------------------------------- */

/* Whether a folder of hls/ holds a file ending in ext. */
static int hls_has(const char *show, const char *ext)
{
    char hls[2048], sub[4096];
    DIR *d, *e;
    struct dirent *a, *b;
    int found = 0;
    size_t n = strlen(ext);

    val_join(hls, sizeof hls, show, "hls");
    if (!(d = opendir(hls)))
        return 0;
    while (!found && (a = readdir(d)) != NULL) {
        if (a->d_name[0] == '.')
            continue;
        val_join(sub, sizeof sub, hls, a->d_name);
        if (!(e = opendir(sub)))
            continue;
        while (!found && (b = readdir(e)) != NULL) {
            size_t k = strlen(b->d_name);
            found = k > n && strcmp(b->d_name + k - n, ext) == 0;
        }
        closedir(e);
    }
    closedir(d);
    return found;
}

/* ---- dash-structure ------------------------------------------------------------------------ */

/* A legal @id for $RepresentationID$: not empty, no whitespace (ISO/IEC 23009-1 5.3.5.2),
 * nothing a URL must escape. */
static int legal_id(const char *id)
{
    if (!id[0])
        return 0;
    for (const char *p = id; *p; p++)
        if (!isgraph((unsigned char)*p) || strchr("$/\\?#%\"<>", *p))
            return 0;
    return 1;
}

static void check_rep_structure(val_report *r, const val_mpd *m, const val_mpd_set *set, int si,
                                int ri)
{
    const val_mpd_rep *x = &set->reps[ri];
    const val_mpd_template *t = &x->tpl;
    kind k = kind_of(set, x);
    int unique = 1;

    CHECK(r, x->has_id && legal_id(x->id), MPD_FILE, "dash-structure",
          "line %d: Representation@id \"%s\" is absent or not usable as $RepresentationID$ "
          "(empty, whitespace or a URL delimiter)",
          x->line, x->id);
    for (int s = 0; s <= si; s++)
        for (int i = 0; i < (s == si ? ri : m->sets[s].n_reps); i++)
            if (m->sets[s].period == set->period && m->sets[s].reps[i].has_id && x->has_id &&
                strcmp(m->sets[s].reps[i].id, x->id) == 0)
                unique = 0;
    CHECK(r, unique, MPD_FILE, "dash-structure",
          "line %d: Representation@id \"%s\" is used twice in the Period", x->line, x->id);
    CHECK(r, x->bandwidth > 0, MPD_FILE, "dash-structure",
          "line %d: Representation \"%s\" has no @bandwidth > 0", x->line, x->id);
    if (k == KIND_VIDEO)
        CHECK(r,
              x->codecs[0] && x->width > 0 && x->height > 0 && frame_rate(x->frame_rate) > 0 &&
                  x->sar[0],
              MPD_FILE, "dash-structure",
              "line %d: video Representation \"%s\" lacks @codecs, @width, @height, @frameRate "
              "or @sar (codecs \"%s\", %dx%d, frameRate \"%s\", sar \"%s\")",
              x->line, x->id, x->codecs, x->width, x->height, x->frame_rate, x->sar);
    if (k == KIND_TEXT) {
        CHECK(r, x->base_url[0] || t->present, MPD_FILE, "dash-structure",
              "line %d: text Representation \"%s\" has neither a BaseURL nor a SegmentTemplate",
              x->line, x->id);
        return;
    }
    if (k == KIND_IMAGE)
        return; /* the thumbnail rules */
    CHECK(r, t->present && t->has_media && t->has_init && t->has_timescale && t->timescale > 0,
          MPD_FILE, "dash-structure",
          "line %d: Representation \"%s\": its SegmentTemplate lacks @media, @initialization or "
          "a @timescale > 0",
          x->line, x->id);
    CHECK(r, t->n_s > 0 || (t->has_duration && t->duration > 0), MPD_FILE, "dash-structure",
          "line %d: Representation \"%s\": its SegmentTemplate has neither a SegmentTimeline "
          "with S elements nor a @duration",
          x->line, x->id);
    for (int i = 0; i < t->n_s; i++)
        if (t->s[i].d == 0 || t->s[i].r < -1 || (t->s[i].r == -1 && i != t->n_s - 1)) {
            val_fail(r, MPD_FILE, "dash-structure",
                     "line %d: Representation \"%s\": S[%d] has no @d > 0 or a bad @r %lld",
                     x->line, x->id, i, t->s[i].r);
            return;
        }
}

static void check_structure(val_report *r, const val_mpd *m)
{
    CHECK(r, m->n_periods > 0, MPD_FILE, "dash-structure", "the MPD has no Period");
    CHECK(r, !m->too_many, MPD_FILE, "dash-structure", "more than %d AdaptationSets",
          VAL_MPD_MAX_SETS);
    for (int s = 0; s < m->n_sets; s++) {
        const val_mpd_set *set = &m->sets[s];
        int mimes = set->n_reps > 0;
        for (int i = 0; i < set->n_reps; i++)
            mimes &= set->reps[i].mime[0] != '\0';
        CHECK(r, set->content_type[0] || set->mime[0] || mimes, MPD_FILE, "dash-structure",
              "line %d: AdaptationSet without @contentType or @mimeType", set->line);
        CHECK(r, set->n_reps > 0 && !set->too_many, MPD_FILE, "dash-structure",
              "line %d: AdaptationSet with %s Representations", set->line,
              set->n_reps ? "too many" : "no");
        for (int i = 0; i < set->n_reps; i++)
            check_rep_structure(r, m, set, s, i);
    }
}

/* ---- dash-segments, dash-bandwidth, dash-duration ---------------------------------------- */

/* A Representation's segments as its template names them. */
typedef struct seg_list {
    int n, cap;
    long long *number;
    uint64_t *t, *d;
} seg_list;

static int seg_add(seg_list *l, long long number, uint64_t t, uint64_t d)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 64;
        long long *a = realloc(l->number, cap * sizeof *a);
        if (a)
            l->number = a;
        uint64_t *b = a ? realloc(l->t, cap * sizeof *b) : NULL;
        if (b)
            l->t = b;
        uint64_t *c = b ? realloc(l->d, cap * sizeof *c) : NULL;
        if (c)
            l->d = c;
        if (!c)
            return -1;
        l->cap = cap;
    }
    l->number[l->n] = number;
    l->t[l->n] = t;
    l->d[l->n] = d;
    l->n++;
    return 0;
}

static void seg_free(seg_list *l)
{
    free(l->number);
    free(l->t);
    free(l->d);
}

/* More segments than this in one Representation is a damaged @r, not a show. */
#define MAX_SEGMENTS 100000

/* The timeline (or @duration) expanded; period_ticks bounds an @r of -1 and @duration. */
static int expand(const val_mpd_template *t, double period_seconds, seg_list *l)
{
    long long number = t->start_number;
    uint64_t at = t->pto, end = period_seconds > 0
                                    ? t->pto + (uint64_t)llround(period_seconds * t->timescale)
                                    : 0;

    if (t->n_s > 0) {
        for (int i = 0; i < t->n_s; i++) {
            const val_mpd_s *s = &t->s[i];
            if (s->has_t)
                at = s->t;
            long long reps = s->r;
            if (reps < 0) /* until the end of the Period */
                reps = end > at ? (long long)((end - at + s->d - 1) / s->d) - 1 : 0;
            for (long long k = 0; k <= reps; k++) {
                if (l->n >= MAX_SEGMENTS || seg_add(l, number++, at, s->d) < 0)
                    return -1;
                at += s->d;
            }
        }
        return 0;
    }
    if (t->duration == 0 || end == 0)
        return -1;
    for (; at < end; at += t->duration)
        if (l->n >= MAX_SEGMENTS || seg_add(l, number++, at, t->duration) < 0)
            return -1;
    return 0;
}

/* A media time in the track's timescale converted to the template's. */
static double to_template(int64_t v, const val_fmp4_track *trk, const val_mpd_template *t)
{
    return trk->timescale == t->timescale ? (double)v : (double)v * t->timescale / trk->timescale;
}

/* The file names a media template can make in its folder: what comes before its first
 * $Number or $Time (with $RepresentationID$ filled in) and after its last $. */
typedef struct pattern {
    char prefix[256], suffix[64], init[512];
} pattern;

static int matches(const pattern *p, const char *name)
{
    size_t n = strlen(name), a = strlen(p->prefix), b = strlen(p->suffix);
    return n > a + b && strncmp(name, p->prefix, a) == 0 && strcmp(name + n - b, p->suffix) == 0 &&
           strcmp(name, p->init) != 0;
}

static void make_pattern(const val_mpd_template *t, const val_mpd_rep *x, const char *init_url,
                         pattern *p)
{
    char head[256];
    const char *name = strrchr(t->media, '/'), *num = strstr(t->media, "$Number");
    const char *time = strstr(t->media, "$Time"), *last = strrchr(t->media, '$');
    const char *slash = strrchr(init_url, '/');

    name = name ? name + 1 : t->media;
    if (!num || (time && time < num))
        num = time;
    snprintf(head, sizeof head, "%.*s", num && num > name ? (int)(num - name) : 0, name);
    if (!val_mpd_url(head, x, 0, 0, p->prefix, sizeof p->prefix))
        p->prefix[0] = '\0';
    snprintf(p->suffix, sizeof p->suffix, "%s", last ? last + 1 : "");
    snprintf(p->init, sizeof p->init, "%s", slash ? slash + 1 : init_url);
}

/* The files in folder dir that the template's pattern matches. */
static int count_segments(const char *dir, const pattern *p)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)) != NULL)
        n += matches(p, e->d_name);
    if (d)
        closedir(d);
    return n;
}

/* Whether url is one of the n names in names (the files the timeline lists). */
static int listed(char (*names)[512], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* A leftover segment in dir that the timeline does not name (the first one into extra). */
static void find_extra(const char *dir, const pattern *p, char (*names)[512], int n, char *extra,
                       size_t len)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    extra[0] = '\0';
    while (d && (e = readdir(d)) != NULL) {
        if (matches(p, e->d_name) && !listed(names, n, e->d_name)) {
            snprintf(extra, len, "%s", e->d_name);
            break;
        }
    }
    if (d)
        closedir(d);
}

/* What the rules across Representations need of one. */
typedef struct rep_result {
    double seconds; /* the timeline's total */
    double frame;   /* one video frame or AAC frame, s (0: unknown) */
    double slack;   /* dash-duration's allowance against HLS, s */
    kind k;
} rep_result;

/* dash-duration for one Representation: against the HLS playlist of its media folder. */
static void check_hls_duration(val_report *r, const char *show, const val_mpd_rep *x,
                               const char *folder, const rep_result *res)
{
    char rel[512], path[4096], *text;
    val_playlist pl = {0};
    val_report *scratch;

    snprintf(rel, sizeof rel, "%s/index.m3u8", folder);
    val_join(path, sizeof path, show, rel);
    text = val_slurp(path, NULL);
    CHECK(r, text != NULL, MPD_FILE, "dash-duration",
          "Representation \"%s\": no HLS playlist %s to compare with", x->id, rel);
    if (!text)
        return;
    scratch = calloc(1, sizeof *scratch);
    if (scratch) { /* the playlist's own rules are checked elsewhere */
        val_read_playlist_text(scratch, rel, text, &pl);
        CHECK(r, fabs(pl.total - res->seconds) <= res->slack + 1e-3, MPD_FILE, "dash-duration",
              "Representation \"%s\" lasts %.3f s; %s adds up to %.3f s (allowed: %.3f s)", x->id,
              res->seconds, rel, pl.total, res->slack);
    }
    val_playlist_free(&pl);
    free(scratch);
    free(text);
}

/* The segments of one video or audio Representation. */
static void check_rep_segments(val_report *r, const char *show, const val_mpd *m,
                               const val_mpd_set *set, const val_mpd_rep *x, double vframe,
                               rep_result *res)
{
    const val_mpd_template *t = &x->tpl;
    char url[512], init_url[512], path[4096], folder[512], extra[256];
    pattern pat;
    char(*names)[512] = NULL;
    val_fmp4_track trk;
    seg_list l = {0};
    double peak = 0, tol;
    int have_init;

    res->k = kind_of(set, x);
    if (!t->present || !t->has_media || !t->has_init || t->timescale == 0 ||
        (t->n_s <= 0 && !t->duration))
        return; /* dash-structure said so */
    if (expand(t, m->duration, &l) < 0 || l.n == 0) {
        val_fail(r, MPD_FILE, "dash-segments",
                 "Representation \"%s\": its segment list cannot be expanded", x->id);
        seg_free(&l);
        return;
    }
    /* the initialization segment */
    int ok = val_mpd_url(t->init, x, 0, 0, init_url, sizeof init_url);
    val_join(path, sizeof path, show, init_url);
    have_init = ok && val_fmp4_init(path, &trk) == 0;
    make_pattern(t, x, ok ? init_url : "", &pat);
    CHECK(r, have_init, ok ? init_url : MPD_FILE, "dash-segments",
          "Representation \"%s\": initialization segment %s is missing or has no track", x->id,
          ok ? init_url : t->init);
    if (res->k == KIND_VIDEO) {
        double fps = frame_rate(x->frame_rate);
        res->frame = fps > 0 ? 1 / fps : 0;
        res->slack = res->frame;
        tol = 1;
    } else {
        long rate = x->sampling_rate > 0 ? x->sampling_rate : have_init ? (long)trk.timescale : 0;
        res->frame = rate > 0 ? (double)AAC_FRAME / rate : 0;
        /* as extinf-sum-matches-media allows audio alone: the encoder's priming frame, the
         * padded last one, and the video frame where the cut is made */
        res->slack = 2 * res->frame + vframe;
        tol = res->frame * t->timescale;
    }
    names = calloc(l.n, sizeof *names);
    if (!names) {
        val_fail(r, MPD_FILE, "dash-segments", "out of memory");
        seg_free(&l);
        return;
    }
    folder[0] = '\0';
    for (int i = 0; i < l.n; i++) {
        val_fmp4_timing s;
        struct stat st;
        double secs = (double)l.d[i] / t->timescale;
        res->seconds += secs;
        if (!val_mpd_url(t->media, x, l.number[i], l.t[i], url, sizeof url)) {
            val_fail(r, MPD_FILE, "dash-segments",
                     "Representation \"%s\": @media \"%s\" is malformed", x->id, t->media);
            break;
        }
        const char *slash = strrchr(url, '/');
        snprintf(names[i], sizeof names[i], "%s", slash ? slash + 1 : url);
        if (i == 0)
            snprintf(folder, sizeof folder, "%.*s", slash ? (int)(slash - url) : 0, url);
        val_join(path, sizeof path, show, url);
        if (stat(path, &st) != 0) {
            val_fail(r, url, "dash-segments", "Representation \"%s\": segment %lld is missing",
                     x->id, l.number[i]);
            continue;
        }
        val_pass(r);
        if (secs > 0 && st.st_size * 8 / secs > peak)
            peak = st.st_size * 8 / secs;
        if (!have_init)
            continue;
        if (val_fmp4_segment(path, &trk, &s) < 0) {
            val_fail(r, url, "dash-segments", "no moof with a tfdt and samples of track %u",
                     trk.track_id);
            continue;
        }
        double ept = to_template(s.earliest, &trk, t), dur = to_template(s.duration, &trk, t);
        CHECK(r, fabs(ept - (double)l.t[i]) <= tol && fabs(dur - (double)l.d[i]) <= tol, url,
              "dash-segments",
              "earliest presentation time %.0f, duration %.0f; the SegmentTimeline says t=%llu "
              "d=%llu (timescale %llu, tolerance %.0f)",
              ept, dur, (unsigned long long)l.t[i], (unsigned long long)l.d[i],
              (unsigned long long)t->timescale, tol);
        CHECK(r, s.first_sync && s.first_pts == s.earliest, url, "dash-segments",
              "the first sample is not a SAP of type 1 or 2 (%s)",
              s.first_sync ? "a sample before it is presented earlier" : "not a sync sample");
    }
    /* the folder holds exactly the segments the timeline names */
    char dir[4096];
    val_join(dir, sizeof dir, show, folder[0] ? folder : ".");
    int files = count_segments(dir, &pat);
    find_extra(dir, &pat, names, l.n, extra, sizeof extra);
    CHECK(r, files == l.n && !extra[0], MPD_FILE, "dash-segments",
          "Representation \"%s\": the timeline names %d segments; %s/ has %d %s*%s%s%s", x->id, l.n,
          folder[0] ? folder : ".", files, pat.prefix, pat.suffix,
          extra[0] ? ", e.g. unlisted " : "", extra);
    /* dash-bandwidth: at least the peak, and no more than 10% over it */
    if (peak > 0)
        CHECK(r, x->bandwidth >= 0.98 * peak && x->bandwidth <= 1.10 * peak, MPD_FILE,
              "dash-bandwidth",
              "Representation \"%s\": @bandwidth %lld; the peak of its segments is %.0f bit/s",
              x->id, x->bandwidth, peak);
    if (folder[0] && res->frame > 0)
        check_hls_duration(r, show, x, folder, res);
    free(names);
    seg_free(&l);
}

/* dash-text: a text Representation's BaseURL file is WebVTT. */
static void check_text(val_report *r, const char *show, const val_mpd_rep *x)
{
    char path[4096];
    FILE *f;
    unsigned char head[9] = {0};
    size_t n = 0;

    if (!x->base_url[0])
        return; /* dash-structure said so, or it has segments of its own */
    val_join(path, sizeof path, show, x->base_url);
    if ((f = fopen(path, "rb")) != NULL) {
        n = fread(head, 1, sizeof head, f);
        fclose(f);
    }
    const unsigned char *p = n >= 3 && !memcmp(head, "\xef\xbb\xbf", 3) ? head + 3 : head;
    CHECK(r, f && !memcmp(p, "WEBVTT", 6), x->base_url, "dash-text",
          "text Representation \"%s\": %s", x->id,
          f ? "the file does not start with WEBVTT" : "the file is missing");
}

static void check_mpd(val_report *r, const char *show, const val_mpd *m)
{
    rep_result *res = calloc(VAL_MPD_MAX_SETS * VAL_MPD_MAX_REPS, sizeof *res);
    double video = 0, audio = 0, vframe = 0, aframe = 0;
    int any_video = 0; /* video that could not be read is not judged by the audio */

    if (!res) {
        val_fail(r, MPD_FILE, "dash-segments", "out of memory");
        return;
    }
    check_structure(r, m);
    for (int pass = 0; pass < 2; pass++) /* the video first: audio's slack needs its frame */
        for (int s = 0; s < m->n_sets; s++) {
            const val_mpd_set *set = &m->sets[s];
            for (int i = 0; i < set->n_reps; i++) {
                rep_result *x = &res[s * VAL_MPD_MAX_REPS + i];
                kind k = kind_of(set, &set->reps[i]);
                any_video |= k == KIND_VIDEO;
                if (pass == 1 && k == KIND_TEXT)
                    check_text(r, show, &set->reps[i]);
                if (k != (pass == 0 ? KIND_VIDEO : KIND_AUDIO))
                    continue;
                check_rep_segments(r, show, m, set, &set->reps[i], vframe, x);
                if (k == KIND_VIDEO && x->seconds > video) {
                    video = x->seconds;
                    vframe = x->frame;
                }
                if (k == KIND_AUDIO && x->seconds > audio) {
                    audio = x->seconds;
                    aframe = x->frame;
                }
            }
        }
    /* mediaPresentationDuration: the longest of the media, within a frame of each kind */
    double longest = video > 0 ? video : audio;
    if (longest > 0 && m->duration >= 0 && (video > 0 || !any_video))
        CHECK(r, fabs(m->duration - longest) <= vframe + aframe + 1e-3, MPD_FILE, "dash-duration",
              "mediaPresentationDuration %s is %.3f s; the %s lasts %.3f s", m->duration_text,
              m->duration, video > 0 ? "video" : "audio", longest);
    free(res);
}

void val_check_dash(val_report *r, const char *show)
{
    char path[2048], container[16] = "", *text;
    long size = 0;

    val_join(path, sizeof path, show, "show.json");
    if ((text = val_slurp(path, NULL)) != NULL) {
        val_json_string(text, "container", container, sizeof container);
        free(text);
    }
    int fmp4 = strcmp(container, "fmp4") == 0 || (!container[0] && hls_has(show, ".m4s"));
    int ts = strcmp(container, "ts") == 0 || (!container[0] && hls_has(show, ".ts"));
    val_join(path, sizeof path, show, MPD_FILE);
    text = val_slurp(path, &size);
    if (!text) {
        if (fmp4)
            val_fail(r, MPD_FILE, "dash-manifest-present",
                     "the show is fMP4 but has no %s (or it cannot be read)", MPD_FILE);
        else if (ts)
            val_note(r, "no DASH: the show is MPEG-TS; DASH needs container=\"fmp4\"");
        return;
    }
    if (fmp4)
        val_pass(r);
    val_mpd *m = calloc(1, sizeof *m);
    if (!m) {
        val_fail(r, MPD_FILE, "dash-mpd-parses", "out of memory");
        free(text);
        return;
    }
    if (val_read_mpd(r, MPD_FILE, text, (size_t)size, m))
        check_mpd(r, show, m);
    val_mpd_free(m);
    free(m);
    free(text);
}

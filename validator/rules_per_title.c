/* rules_per_title.c: a show ingested with --per-title has a ladder of its own
 * (docs/per-title.md), recorded in show.json's "per_title": each rung's video bitrate, VBV and
 * box as encoded. The validator holds such a show to that ladder, not to the profile's: the
 * effective ladder is the profile with those figures in place, and every other rule
 * (rung-matches-profile, vbv-conformance, ...) uses it. Rule per-title-ladder then checks that
 * the ladder is one the chooser could have given for this profile and this show (the shape,
 * the per-title bounds, the steps between adjacent HLS rungs, the boxes and their levels, the
 * VBV's proportion: prof_per_title_verify), that show.json names every rung once, and that
 * renditions[].target_kbps, the bitrate each rung was encoded at, is the per_title one. A show
 * without per_title, or whose per_title fell back to the profile, is held to the ladder given.
 * (docs/hls-rules.md#per-title-ladder) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavformat/avformat.h>

#include "val_internal.h"

/* A rung of per_title.rungs[], or the name and target_kbps of a renditions[] entry. */
typedef struct pt_rung {
    char name[PROF_NAME_MAX], use[8];
    int kbps, maxrate, bufsize, box_w, box_h;
} pt_rung;

typedef struct pt_show {
    val_pt_status status;
    int n_rungs, n_renditions;
    pt_rung rungs[PROF_MAX_RUNGS];
    pt_rung renditions[PROF_MAX_RUNGS]; /* name and kbps (target_kbps) only */
} pt_show;

/* ---- show.json (json.c reads the JSON) ---------------------------------------------------- */

static int read_int(val_json *j, int *out)
{
    double d;

    if (!val_json_num(j, &d) || d != (int)d || d < 0 || d > 1e7)
        return 0;
    *out = (int)d;
    return 1;
}

/* [width, height] */
static int read_box(val_json *j, int *w, int *h)
{
    return val_json_eat(j, '[') && read_int(j, w) && val_json_eat(j, ',') && read_int(j, h) &&
           val_json_eat(j, ']');
}

/* The fields of a rung object after its '{', through its '}': those of per_title.rungs[]
 * (rendition 0) or renditions[] (rendition 1) this file reads, the rest skipped. */
static int read_fields(val_json *j, pt_rung *e, int rendition)
{
    char key[32];

    do {
        if (!val_json_str(j, key, sizeof key) || !val_json_eat(j, ':'))
            return 0;
        int ok;
        if (strcmp(key, "name") == 0)
            ok = val_json_str(j, e->name, sizeof e->name);
        else if (strcmp(key, rendition ? "target_kbps" : "kbps") == 0)
            ok = read_int(j, &e->kbps);
        else if (!rendition && strcmp(key, "use") == 0)
            ok = val_json_str(j, e->use, sizeof e->use);
        else if (!rendition && strcmp(key, "maxrate_kbps") == 0)
            ok = read_int(j, &e->maxrate);
        else if (!rendition && strcmp(key, "bufsize_kbps") == 0)
            ok = read_int(j, &e->bufsize);
        else if (!rendition && strcmp(key, "box") == 0)
            ok = read_box(j, &e->box_w, &e->box_h);
        else
            ok = val_json_skip(j);
        if (!ok)
            return 0;
    } while (val_json_eat(j, ','));
    return val_json_eat(j, '}');
}

/* One rung of per_title.rungs[] (rendition 0): every field there and well-formed. Or one
 * entry of renditions[] (rendition 1), which other rules judge: its name and target_kbps
 * when both are there and well-formed, else "" and -1; only text that is no JSON fails. */
static int read_rung(val_json *j, pt_rung *e, int rendition)
{
    val_json entry = *j;

    memset(e, 0, sizeof *e);
    e->kbps = e->maxrate = e->bufsize = e->box_w = e->box_h = -1;
    if (!rendition)
        return val_json_eat(j, '{') && read_fields(j, e, 0) && e->name[0] && e->kbps >= 0 &&
               e->use[0] && e->maxrate >= 0 && e->bufsize >= 0 && e->box_w >= 0;
    if (!val_json_skip(j)) /* j is past the entry */
        return 0;
    if (!val_json_eat(&entry, '{') || !read_fields(&entry, e, 1) || !e->name[0]) {
        e->name[0] = '\0';
        e->kbps = -1;
    }
    return 1;
}

/* An array of rungs into out[0 .. max), their count in *n; 0 when malformed, or (rungs; extra
 * renditions are skipped) longer. */
static int read_rungs(val_json *j, pt_rung *out, int max, int *n, int rendition)
{
    pt_rung extra;

    *n = 0;
    if (!val_json_eat(j, '['))
        return 0;
    if (val_json_eat(j, ']'))
        return 1;
    do {
        if (*n == max && !rendition)
            return 0;
        if (!read_rung(j, *n < max ? &out[(*n)++] : &extra, rendition))
            return 0;
    } while (val_json_eat(j, ','));
    return val_json_eat(j, ']');
}

/* The per_title object: its status and, when "chosen", its rungs. */
static val_pt_status read_per_title(val_json *j, pt_show *s)
{
    char key[32], status[16] = "";
    int have_rungs = 0;

    if (!val_json_eat(j, '{') || val_json_eat(j, '}'))
        return VAL_PT_UNREADABLE;
    do {
        if (!val_json_str(j, key, sizeof key) || !val_json_eat(j, ':'))
            return VAL_PT_UNREADABLE;
        int ok = strcmp(key, "status") == 0 ? val_json_str(j, status, sizeof status)
                 : strcmp(key, "rungs") == 0
                     ? (have_rungs = read_rungs(j, s->rungs, PROF_MAX_RUNGS, &s->n_rungs, 0))
                     : val_json_skip(j);
        if (!ok)
            return VAL_PT_UNREADABLE;
    } while (val_json_eat(j, ','));
    if (!val_json_eat(j, '}'))
        return VAL_PT_UNREADABLE;
    if (strcmp(status, "fallback") == 0)
        return VAL_PT_FALLBACK;
    return strcmp(status, "chosen") == 0 && have_rungs && s->n_rungs > 0 ? VAL_PT_CHOSEN
                                                                         : VAL_PT_UNREADABLE;
}

/* show.json's per_title and renditions. Text that is no JSON object, or breaks before
 * per_title, counts as a show without it (the rules on show.json's other fields say so); a
 * per_title there but malformed is unreadable. */
static void read_show(const char *text, pt_show *s)
{
    val_json j = {.p = text};
    char key[32];

    memset(s, 0, sizeof *s);
    if (!text || !val_json_eat(&j, '{') || val_json_eat(&j, '}'))
        return;
    do {
        if (!val_json_str(&j, key, sizeof key) || !val_json_eat(&j, ':'))
            break;
        if (strcmp(key, "per_title") == 0) {
            s->status = read_per_title(&j, s);
            if (s->status == VAL_PT_UNREADABLE)
                return;
        } else if (strcmp(key, "renditions") == 0) {
            if (!read_rungs(&j, s->renditions, PROF_MAX_RUNGS, &s->n_renditions, 1)) {
                s->n_renditions = 0; /* not this rule's to judge: then nothing is compared */
                break;
            }
        } else if (!val_json_skip(&j)) {
            break;
        }
    } while (val_json_eat(&j, ','));
}

/* ---- the effective ladder ------------------------------------------------------------------ */

static const char *use_name(prof_use use)
{
    return use == PROF_USE_MP4 ? "mp4" : "hls";
}

/* given with s's rungs in place (every one that names a rung of given, of its use). why gets
 * the first rung unknown, of another use, listed twice or missing; "" when there is none. */
static void apply_rungs(const pt_show *s, const prof_ladder *given, prof_ladder *eff, char *why,
                        size_t len)
{
    int seen[PROF_MAX_RUNGS] = {0};

    *eff = *given;
    why[0] = '\0';
    for (int i = 0; i < s->n_rungs; i++) {
        const pt_rung *e = &s->rungs[i];
        const prof_rung *found = prof_find_rung(given, e->name);
        int k = found ? (int)(found - given->rungs) : -1;
        if (k < 0 || seen[k] || strcmp(e->use, use_name(found->use)) != 0) {
            if (why[0])
                continue;
            if (k < 0)
                snprintf(why, len, "per_title names rung '%s', which profile %s does not have",
                         e->name, given->name);
            else if (seen[k])
                snprintf(why, len, "per_title lists rung '%s' twice", e->name);
            else
                snprintf(why, len, "per_title has rung '%s' as %s, profile %s as %s", e->name,
                         e->use, given->name, use_name(found->use));
            continue;
        }
        seen[k] = 1;
        prof_rung *to = &eff->rungs[k];
        to->video_kbps = e->kbps;
        to->maxrate_kbps = e->maxrate;
        to->bufsize_kbps = e->bufsize;
        to->width = e->box_w;
        to->height = e->box_h;
    }
    for (int k = 0; k < given->n_rungs && !why[0]; k++)
        if (!seen[k])
            snprintf(why, len, "per_title does not list rung '%s' of profile %s",
                     given->rungs[k].name, given->name);
}

/* s read from json, and the effective ladder from it (val_per_title_parse). */
static val_pt_status parse(const char *json, const prof_ladder *given, pt_show *s,
                           prof_ladder *effective, char *why, size_t len)
{
    *effective = *given;
    why[0] = '\0';
    read_show(json, s);
    if (s->status == VAL_PT_UNREADABLE)
        snprintf(why, len,
                 "per_title is not readable: a status and, when chosen, every rung's "
                 "name, use, kbps, maxrate_kbps, bufsize_kbps and box");
    if (s->status == VAL_PT_CHOSEN)
        apply_rungs(s, given, effective, why, len);
    return s->status;
}

val_pt_status val_per_title_parse(const char *json, const prof_ladder *given,
                                  prof_ladder *effective, char *why, size_t len)
{
    pt_show *s = malloc(sizeof *s);
    val_pt_status status;

    if (!s) {
        *effective = *given;
        snprintf(why, len, "out of memory");
        return VAL_PT_UNREADABLE;
    }
    status = parse(json, given, s, effective, why, len);
    free(s);
    return status;
}

/* ---- the frame rates the rungs were made at ------------------------------------------------- */

/* When the show does not say: the most the other rules let the rung have. */
static double fps_unknown(const prof_rung *rung)
{
    return rung->max_fps > 0 ? rung->max_fps : 60;
}

/* The rung named by the folder of a variant's URI ("hls/NAME/index.m3u8"), or -1. */
static int rung_of_uri(const prof_ladder *l, const char *uri)
{
    char name[PROF_NAME_MAX] = "";
    const char *end = strrchr(uri, '/'), *start = end;
    const prof_rung *rung;

    while (start && start > uri && start[-1] != '/')
        start--;
    if (!end || end - start >= (long)sizeof name)
        return -1;
    snprintf(name, sizeof name, "%.*s", (int)(end - start), start);
    rung = prof_find_rung(l, name);
    return rung ? (int)(rung - l->rungs) : -1;
}

/* HLS rungs: the FRAME-RATE of each variant the master lists. */
static void hls_rates(const char *show, const prof_ladder *l, double *fps)
{
    char path[4096], line[1024], value[32], *text;
    double rate = -1; /* of the STREAM-INF before the URI line; -1: none */

    val_join(path, sizeof path, show, "master.m3u8");
    if (!(text = val_slurp(path, NULL)))
        return;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\r\n");
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        p += n;
        p += strspn(p, "\r\n");
        if (strncmp(line, "#EXT-X-STREAM-INF:", 18) == 0) {
            rate = val_attr(line, "FRAME-RATE", value, sizeof value) ? atof(value) : 0;
        } else if (line[0] && line[0] != '#' && rate >= 0) {
            int r = rung_of_uri(l, line);
            if (r >= 0 && l->rungs[r].use == PROF_USE_HLS)
                fps[r] = rate > 0 ? rate : fps_unknown(&l->rungs[r]);
            rate = -1;
        }
    }
    free(text);
}

/* An MP4's video frame rate, as its track says (0: it does not). */
static double mp4_rate(const char *path)
{
    AVFormatContext *ic = NULL;
    double fps = 0;

    if (avformat_open_input(&ic, path, NULL, NULL) < 0)
        return 0;
    for (unsigned i = 0; i < ic->nb_streams && fps == 0; i++) {
        const AVStream *st = ic->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && st->avg_frame_rate.den > 0)
            fps = av_q2d(st->avg_frame_rate);
    }
    avformat_close_input(&ic);
    return fps;
}

/* MP4 rungs: each mp4/NAME.mp4 there is. */
static void mp4_rates(const char *show, const prof_ladder *l, double *fps)
{
    char rel[PROF_NAME_MAX + 16], path[4096];
    struct stat st;

    for (int r = 0; r < l->n_rungs; r++) {
        if (l->rungs[r].use != PROF_USE_MP4)
            continue;
        snprintf(rel, sizeof rel, "mp4/%s.mp4", l->rungs[r].name);
        val_join(path, sizeof path, show, rel);
        if (stat(path, &st) == 0) {
            double rate = mp4_rate(path);
            fps[r] = rate > 0 ? rate : fps_unknown(&l->rungs[r]);
        }
    }
}

/* ---- the rule ------------------------------------------------------------------------------ */

/* renditions[].target_kbps is the bitrate the rung was encoded at (the transcoder's plan, which
 * per-title set): the per_title one. A rendition without a readable one is other rules' to
 * judge. */
static void check_targets(val_report *r, const pt_show *s)
{
    char why[256] = "";

    for (int i = 0; i < s->n_renditions && !why[0]; i++)
        for (int k = 0; k < s->n_rungs; k++)
            if (strcmp(s->renditions[i].name, s->rungs[k].name) == 0 &&
                s->renditions[i].kbps >= 0 && s->renditions[i].kbps != s->rungs[k].kbps)
                snprintf(why, sizeof why,
                         "rendition '%s' was encoded at %d kbit/s (target_kbps), per_title says %d",
                         s->rungs[k].name, s->renditions[i].kbps, s->rungs[k].kbps);
    CHECK(r, !why[0], "show.json", "per-title-ladder", "%s", why);
}

void val_per_title_ladder(val_report *r, const char *show, const prof_ladder *given,
                          prof_ladder *effective)
{
    char path[4096], why[256];
    char *text;
    pt_show *s = malloc(sizeof *s);
    double fps[PROF_MAX_RUNGS] = {0};

    *effective = *given;
    val_join(path, sizeof path, show, "show.json");
    text = val_slurp(path, NULL);
    if (!s || !text) { /* no show.json: nothing per-title to hold the show to */
        if (text)
            val_fail(r, "show.json", "per-title-ladder", "out of memory reading per_title");
        free(s);
        free(text);
        return;
    }
    val_pt_status status = parse(text, given, s, effective, why, sizeof why);
    if (status == VAL_PT_CHOSEN || status == VAL_PT_UNREADABLE) {
        CHECK(r, !why[0], "show.json", "per-title-ladder", "%s", why);
        if (!why[0]) {
            hls_rates(show, given, fps);
            mp4_rates(show, given, fps);
            CHECK(r, prof_per_title_verify(given, effective, fps, why, sizeof why) == 0,
                  "show.json", "per-title-ladder", "%s", why);
            check_targets(r, s);
        }
    }
    free(text);
    free(s);
}

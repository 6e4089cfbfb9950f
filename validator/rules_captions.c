/* rules_captions.c: the subtitle renditions, checked as a player meets them: each WebVTT
 * segment's X-TIMESTAMP-MAP turns its cue times into the video's timestamps, and every cue
 * must land within one frame of where the source put it (docs/captions.md). The cues are read
 * through FFmpeg's WebVTT demuxer (media.h), the map line from the segment's header. Rules:
 * subtitles-segments-aligned, subtitles-timestamp-map, subtitles-cue-timing, captions-sidecar,
 * captions-match-source. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "val_internal.h"

/* One subtitle rendition being checked, and what its cues are compared with. */
typedef struct sub_check {
    val_report *r;
    const char *uri;
    const ladder_captions *ref; /* the source's cues, or the sidecar's */
    double video_start, frame;  /* seconds */
    double end;                 /* show time of the video's end: later cues are left out */
} sub_check;

/* "HH:MM:SS.mmm" or "MM:SS.mmm" in seconds; -1 when it is neither. */
static double parse_vtt_time(const char *s)
{
    int a, b, c, ms, n = 0;

    if (sscanf(s, "%d:%d:%d.%3d%n", &a, &b, &c, &ms, &n) == 4 && n == 12)
        return a * 3600.0 + b * 60 + c + ms / 1000.0;
    if (sscanf(s, "%d:%d.%3d%n", &a, &b, &ms, &n) == 3 && n == 9)
        return a * 60.0 + b + ms / 1000.0;
    return -1;
}

/* The header's X-TIMESTAMP-MAP=MPEGTS:<90 kHz>,LOCAL:<cue time> as seconds to add to a cue
 * time for the media's timestamp; 0 when the header (up to its first blank line) has none. */
static int read_timestamp_map(const char *text, double *offset)
{
    long long mpegts;
    double local;

    for (const char *line = text; *line && *line != '\n' && *line != '\r';) {
        if (strncmp(line, "X-TIMESTAMP-MAP=", 16) == 0) {
            const char *ts = strstr(line, "MPEGTS:"), *lo = strstr(line, "LOCAL:");
            if (!ts || !lo || sscanf(ts + 7, "%lld", &mpegts) != 1 ||
                (local = parse_vtt_time(lo + 6)) < 0)
                return 0;
            *offset = mpegts / 90000.0 - local;
            return 1;
        }
        line += strcspn(line, "\r\n");
        line += *line == '\r';
        line += *line == '\n';
    }
    return 0;
}

/* Cue text compared as a viewer reads it: markup and spacing aside. */
static int same_text(const char *a, const char *b)
{
    for (;;) {
        while (*a == '<' && strchr(a, '>'))
            a = strchr(a, '>') + 1;
        while (*b == '<' && strchr(b, '>'))
            b = strchr(b, '>') + 1;
        if (isspace((unsigned char)*a) || isspace((unsigned char)*b)) {
            a += isspace((unsigned char)*a) != 0;
            b += isspace((unsigned char)*b) != 0;
            continue;
        }
        if (*a != *b)
            return 0;
        if (!*a)
            return 1;
        a++;
        b++;
    }
}

/* The start of a cue's text on one line, for a message. */
static const char *excerpt(const char *text, char out[48])
{
    snprintf(out, 48, "%s", text);
    for (char *p = out; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return out;
}

/* Whether cue c (times shifted by shift_ms) is ref within one frame. */
static int cue_matches(const ladder_cue *c, double shift_ms, const ladder_cue *ref, double frame)
{
    return fabs(c->start_ms + shift_ms - ref->start_ms) <= frame * 1000 + 0.5 &&
           fabs(c->end_ms + shift_ms - ref->end_ms) <= frame * 1000 + 0.5 &&
           same_text(c->text, ref->text);
}

static int find_match(const ladder_captions *in, double shift_ms, const ladder_cue *ref,
                      double frame)
{
    for (int i = 0; i < in->n; i++)
        if (cue_matches(&in->cues[i], shift_ms, ref, frame))
            return 1;
    return 0;
}

/* Segment `path` should hold exactly the reference cues showing during [from, to) seconds of
 * show time; its map must put cue time 0 at the video's first picture. */
static void check_segment(sub_check *k, const char *path, const char *name, double from, double to)
{
    ladder_captions got = {0};
    ladder_error err = {0};
    double offset = 0, shift_ms;
    char *text = val_slurp(path, NULL), file[512], words[48];
    int has_map = text && read_timestamp_map(text, &offset);

    snprintf(file, sizeof file, "%.*s%s",
             (int)(strrchr(k->uri, '/') ? strrchr(k->uri, '/') - k->uri + 1 : 0), k->uri, name);
    free(text);
    CHECK(k->r, has_map, file, "subtitles-timestamp-map", "no X-TIMESTAMP-MAP in the header");
    if (has_map)
        CHECK(k->r, fabs(offset - k->video_start) <= 0.0015, file, "subtitles-timestamp-map",
              "maps cue time 0 to %.3f s; the video's first picture is at %.3f s", offset,
              k->video_start);
    if (ladder_captions_read(path, &got, &err) < 0) {
        val_fail(k->r, file, "subtitles-cue-timing", "%s", err.msg);
        return;
    }
    shift_ms = (offset - k->video_start) * 1000;
    for (int i = 0; i < k->ref->n; i++) {
        const ladder_cue *ref = &k->ref->cues[i];
        if (ref->start_ms >= to * 1000 || ref->end_ms <= from * 1000 ||
            ref->start_ms >= k->end * 1000)
            continue;
        CHECK(k->r, find_match(&got, shift_ms, ref, k->frame), file, "subtitles-cue-timing",
              "the cue shown %.3f-%.3f s (\"%s\") is missing or more than a frame off",
              ref->start_ms / 1000.0, ref->end_ms / 1000.0, excerpt(ref->text, words));
    }
    for (int i = 0; i < got.n; i++) {
        const ladder_cue *c = &got.cues[i];
        double start = (c->start_ms + shift_ms) / 1000;
        CHECK(k->r, find_match(k->ref, -shift_ms, c, k->frame), file, "subtitles-cue-timing",
              "a cue at %.3f s (\"%.40s\") is in no source track within a frame", start, c->text);
    }
    ladder_captions_free(&got);
}

/* The rendition's playlist: the video's segments exactly, then each segment's cues. */
static void check_rendition(sub_check *k, const char *show, const val_subtitles *s,
                            const val_playlist *video, int target)
{
    val_playlist pl = {0};
    char dir[2048], path[4096];
    double from = 0;
    int aligned;

    val_read_media(k->r, show, s->uri, target, &pl);
    aligned = pl.n == video->n;
    for (int i = 0; aligned && i < pl.n; i++)
        aligned = fabs(pl.durations[i] - video->durations[i]) <= 0.001;
    CHECK(k->r, aligned, s->uri, "subtitles-segments-aligned",
          "%d segments, %.3f s, not cut where the video's %d segments (%.3f s) are", pl.n, pl.total,
          video->n, video->total);
    val_dir_of(dir, sizeof dir, show, s->uri);
    for (int i = 0; aligned && i < pl.n; i++) {
        double to = i + 1 < pl.n ? from + pl.durations[i] : INFINITY;
        val_join(path, sizeof path, dir, pl.uris[i]);
        check_segment(k, path, pl.uris[i], from, to);
        from += pl.durations[i];
    }
    val_playlist_free(&pl);
}

/* captions-sidecar: subtitles/LANG.vtt holds the reference's cues (when the reference is
 * not that file itself). */
static void check_sidecar(val_report *r, const char *file, const ladder_captions *sidecar,
                          const ladder_captions *source, double frame, double end)
{
    int matched = 0, expected = 0;

    for (int i = 0; i < source->n && source->cues[i].start_ms < end * 1000; i++) {
        expected++;
        matched += find_match(sidecar, 0, &source->cues[i], frame);
    }
    CHECK(r, matched == expected && sidecar->n == expected, file, "captions-sidecar",
          "%d cues, %d of the source's %d within a frame", sidecar->n, matched, expected);
}

static const ladder_captions *source_for(const char *language, const ladder_captions *sources,
                                         int n)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(sources[i].language, language) == 0)
            return &sources[i];
    return NULL;
}

void val_check_subtitles(val_report *r, const char *show, const val_master *ms,
                         const val_playlist *video_pl, double video_start, double frame,
                         int target_seconds, const ladder_captions *sources, int n_sources)
{
    for (int i = 0; i < ms->n_subs; i++) {
        const val_subtitles *s = &ms->subs[i];
        const ladder_captions *source = source_for(s->language, sources, n_sources);
        ladder_captions sidecar = {0};
        ladder_error err = {0};
        char file[128], path[4096];
        sub_check k = {.r = r,
                       .uri = s->uri,
                       .video_start = video_start,
                       .frame = frame,
                       .end = video_pl->total};

        snprintf(file, sizeof file, "subtitles/%s.vtt", s->language);
        val_join(path, sizeof path, show, file);
        if (ladder_captions_read(path, &sidecar, &err) < 0)
            val_fail(r, file, "captions-sidecar", "%s", err.msg);
        else if (source)
            check_sidecar(r, file, &sidecar, source, frame, video_pl->total);
        if (n_sources > 0)
            CHECK(r, source != NULL, "master.m3u8", "captions-match-source",
                  "subtitles in %s, but no source track in that language", s->language);
        k.ref = source ? source : &sidecar;
        check_rendition(&k, show, s, video_pl, target_seconds);
        ladder_captions_free(&sidecar);
    }
    for (int i = 0; i < n_sources; i++) {
        int found = 0;
        for (int j = 0; j < ms->n_subs; j++)
            found |= strcasecmp(ms->subs[j].language, sources[i].language) == 0;
        CHECK(r, found, "master.m3u8", "captions-match-source",
              "the source's %s captions have no SUBTITLES rendition", sources[i].language);
    }
}

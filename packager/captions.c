/* captions.c: caption tracks as HLS subtitle renditions and as sidecar files.
 *
 * Each track's WebVTT is cut on exactly the video's segment boundaries, so players fetch text
 * in step with pictures. A cue showing across a boundary is written in both segments with its
 * own times, and every segment maps cue time to the video's real first PTS with
 * X-TIMESTAMP-MAP: Ladder's segments start at PKG_TS_OFFSET_SECONDS, and without the map a
 * player would show every cue that much early (docs/captions.md). The whole track also goes to
 * subtitles/LANG.vtt, without a map, for the MP4 fallbacks, whose time starts at 0. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pkg_internal.h"

/* Whether cue c shows at some time in [from, to) seconds. */
static int shows_during(const ladder_cue *c, double from, double to)
{
    return c->start_ms < to * 1000 && c->end_ms > from * 1000;
}

/* The end of the video, seconds: cues starting later are left out everywhere. */
static double video_end(const hls_segment *segs, int n_segs)
{
    return segs[n_segs - 1].start + segs[n_segs - 1].duration;
}

/* Segment i: the header with the timestamp map, then every cue showing during it. The map
 * says the video's first picture (show time first_ms) is at PTS first_ms + the TS offset. */
static int write_segment(const char *dir, int i, const ladder_captions *c, const hls_segment *segs,
                         int n_segs, ladder_error *err)
{
    int64_t first_ms = llround(segs[0].start * 1000);
    double from = segs[i].start, to = from + segs[i].duration, end = video_end(segs, n_segs);
    ladder_text t = {0};
    char path[1200];

    if (i == n_segs - 1)
        to = INFINITY; /* the last segment keeps cues that run past the last picture */
    ladder_text_printf(&t, "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:%" PRId64 ",LOCAL:",
                       first_ms * 90 + (int64_t)PKG_TS_OFFSET_SECONDS * 90000);
    ladder_vtt_time(&t, first_ms);
    ladder_text_printf(&t, "\n");
    for (int k = 0; k < c->n && c->cues[k].start_ms < to * 1000 && c->cues[k].start_ms < end * 1000;
         k++)
        if (shows_during(&c->cues[k], from, to))
            ladder_cue_to_vtt(&t, &c->cues[k]);
    snprintf(path, sizeof path, "%s/seg%05d.vtt", dir, i);
    return pkg_save_text(&t, path, err);
}

/* subtitles/LANG.vtt: the cues that start before the show ends. */
static int write_sidecar(const char *out_dir, const ladder_captions *c, double end,
                         ladder_error *err)
{
    char path[1200];

    snprintf(path, sizeof path, "%s/" PKG_SUBTITLES_DIR "/%s.vtt", out_dir, c->language);
    return ladder_captions_save(path, c, (int64_t)ceil(end * 1000), err);
}

static int write_track(const char *out_dir, const ladder_captions *c, const hls_segment *segs,
                       int n_segs, int min_target, const char *tags, const ladder_logger *lg,
                       ladder_error *err)
{
    double end = video_end(segs, n_segs);
    char dir[1100], path[1200];
    int late = 0, ret;

    snprintf(dir, sizeof dir, "%s/" PKG_SUBTITLES_DIR "/%s", out_dir, c->language);
    ret = ladder_mkdir_p(dir, err);
    for (int i = 0; ret >= 0 && i < n_segs; i++)
        ret = write_segment(dir, i, c, segs, n_segs, err);
    snprintf(path, sizeof path, "%s/index.m3u8", dir);
    if (ret >= 0)
        ret = write_segment_playlist(path, segs, n_segs, "vtt", 0, min_target, tags, err);
    if (ret >= 0)
        ret = write_sidecar(out_dir, c, end, err);
    for (int k = 0; k < c->n; k++)
        late += c->cues[k].start_ms >= end * 1000;
    if (ret >= 0 && late > 0)
        ladder_log(lg, LADDER_LOG_WARN, "packager",
                   "captions '%s': %d cue(s) start after the video ends at %.3f s and are left out",
                   c->language, late, end);
    return ret;
}

int write_caption_tracks(const char *out_dir, const ladder_captions *subs, int n_subs,
                         const hls_segment *segs, int n_segs, int min_target, const char *tags,
                         const ladder_logger *lg, ladder_error *err)
{
    int ret = 0;

    if (n_subs > 0 && n_segs == 0)
        return ladder_error_set(err, LADDER_EINVAL, "captions need a video to cut them by");
    for (int i = 0; ret >= 0 && i < n_subs; i++)
        ret = write_track(out_dir, &subs[i], segs, n_segs, min_target, tags, lg, err);
    return ret;
}

/* An RFC 5646 tag's shape: a 2-8 letter language, then subtags of 1-8 letters or digits. It
 * names a folder and goes into LANGUAGE="...", so nothing else may pass. */
static int is_language_tag(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    if (n < 2 || n > 8)
        return 0;
    for (s += n; *s == '-'; s += n) {
        n = strspn(++s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        if (n < 1 || n > 8)
            return 0;
    }
    return *s == '\0';
}

/* A NAME is a quoted string: no double quote, no line break (RFC 8216 4.2). */
static int is_quotable(const char *s)
{
    for (; *s; s++)
        if (*s == '"' || iscntrl((unsigned char)*s))
            return 0;
    return 1;
}

int pkg_check_captions(const ladder_captions *subs, int n, ladder_error *err)
{
    if (n > PKG_MAX_CAPTION_TRACKS)
        return ladder_error_set(err, LADDER_EINVAL, "%d caption tracks; at most %d", n,
                                PKG_MAX_CAPTION_TRACKS);
    for (int i = 0; i < n; i++) {
        if (!is_language_tag(subs[i].language))
            return ladder_error_set(err, LADDER_EINVAL,
                                    "caption language '%s' is not a language tag like en or es-MX",
                                    subs[i].language);
        if (!subs[i].name[0] || !is_quotable(subs[i].name))
            return ladder_error_set(err, LADDER_EINVAL,
                                    "caption name '%s' must be non-empty, without quotes",
                                    subs[i].name);
        for (int j = 0; j < i; j++)
            if (strcasecmp(subs[i].language, subs[j].language) == 0)
                return ladder_error_set(err, LADDER_EINVAL,
                                        "two caption tracks in language '%s'; one per language",
                                        subs[i].language);
    }
    return 0;
}

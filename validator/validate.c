/* validate.c: runs every rule on a show (validator.h) and holds the rules that compare
 * one file with another: a variant's playlist with its segment files and media, the
 * I-frame playlists with their video, every variant with the first. What is checked, by rule
 * name (each explained in docs/hls-rules.md):
 *
 * Playlists (playlist.c): extm3u-first, version-tag, playlist-type-vod, endlist,
 * target-duration (the profile's segment length), extinf-within-target,
 * segment-max-target-plus-half, independent-segments, more-than-one-variant,
 * too-many-variants, closed-captions-signalled, subtitles-signalled, audio-rendition-signalled.
 * Segments and timelines (this file): playlist-exists, segment-exists, stream-inf-attributes,
 * video-resolution-frame-rate, iframe-stream-per-variant, codecs-match-sps,
 * average-bandwidth-within-10pct, peak-bandwidth-within-10pct, peak-at-most-twice-average,
 * same-timeline, cellular-audio-variant, extinf-sum-matches-media.
 * Media read through libavformat (media.c): segment-starts-with-idr, timestamps-continuous,
 * progressive-only, one-audio-stream, stereo-aac.
 * Video rules (rules_media.c): idr-interval (the profile's GOP length), cc608-present,
 * idr-aligned-across-rungs, h264-max-high-4.2, frame-rate-max-60, rung-matches-profile.
 * TS packets (ts.c): ts-continuity-counters.
 * Subtitles (rules_captions.c): subtitles-segments-aligned, subtitles-timestamp-map,
 * subtitles-cue-timing, captions-sidecar, captions-match-source.
 * MP4 fallbacks (rules_mp4.c): mp4-readable, mp4-faststart, mp4-not-fragmented,
 * mp4-avc1-sample-entry, mp4-aac-lc, mp4-profile-level.
 * Ad breaks (rules_ads.c): show-json-breaks, break-on-segment-idr, break-on-mp4-keyframe,
 * daterange-same-in-every-playlist, daterange-needs-pdt, daterange-start-date,
 * daterange-matches-show-json, daterange-interstitial; and outside val_validate,
 * val_check_stitched (stitched-*) and val_check_ad (ad-rungs-match).
 * DASH (rules_dash.c, docs/dash-rules.md): dash-manifest-present, dash-mpd-parses,
 * dash-structure, dash-segments, dash-bandwidth, dash-duration, dash-text.
 * Thumbnails (rules_thumbnails.c): thumbnail-show-json, thumbnail-vtt, thumbnail-timing,
 * thumbnail-tile-inside-sheet, thumbnail-sheet-size, thumbnail-image-playlist,
 * thumbnail-master-entry.
 * Per-title ladders (rules_per_title.c): per-title-ladder; a show ingested with --per-title
 * is held by every other rule to its own ladder, show.json's per_title over the one given. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "val_internal.h"

/* Whether the comma-separated list `list` holds `item` (case-insensitive). */
static int list_has(const char *list, const char *item, size_t len)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        while (n > 0 && isspace((unsigned char)*p)) {
            p++;
            n--;
        }
        if (n == len && strncasecmp(p, item, len) == 0)
            return 1;
        p += n;
        p += *p == ',';
    }
    return 0;
}

/* Every entry of a is in b. */
static int list_within(const char *a, const char *b)
{
    for (const char *p = a; *p;) {
        size_t n = strcspn(p, ",");
        while (n > 0 && isspace((unsigned char)*p)) {
            p++;
            n--;
        }
        if (n > 0 && !list_has(b, p, n))
            return 0;
        p += n;
        p += *p == ',';
    }
    return 1;
}

void val_check_codecs(val_report *r, const char *what, const char *declared, const char *measured)
{
    CHECK(r, list_within(declared, measured) && list_within(measured, declared), "master.m3u8",
          "codecs-match-sps", "%s: CODECS=\"%s\" but the media says \"%s\"", what, declared,
          measured);
}

/* Measured average and peak bit rate of a variant's segments. */
static void measure_segments(const char *show, const char *uri, const val_playlist *m, double *avg,
                             double *peak, val_report *r)
{
    char dir[2048], path[4096];
    double bytes = 0;

    val_dir_of(dir, sizeof dir, show, uri);
    *peak = 0;
    for (int i = 0; i < m->n; i++) {
        struct stat st;
        val_join(path, sizeof path, dir, m->uris[i]);
        if (stat(path, &st) != 0) {
            val_fail(r, uri, "segment-exists", "segment %s is missing", m->uris[i]);
            continue;
        }
        bytes += st.st_size;
        if (m->durations[i] > 0 && st.st_size * 8 / m->durations[i] > *peak)
            *peak = st.st_size * 8 / m->durations[i];
    }
    *avg = m->total > 0 ? bytes * 8 / m->total : 0;
}

static void check_variant_tags(val_report *r, const val_variant *x)
{
    CHECK(r, x->bandwidth > 0 && x->average > 0 && x->has_codecs, "master.m3u8",
          "stream-inf-attributes", "%s lacks BANDWIDTH, AVERAGE-BANDWIDTH or CODECS", x->uri);
    if (!x->audio_only)
        CHECK(r, x->has_resolution && x->has_frame_rate, "master.m3u8",
              "video-resolution-frame-rate", "%s lacks RESOLUTION or FRAME-RATE", x->uri);
}

static void check_bandwidth(val_report *r, const val_variant *x, double avg, double peak)
{
    CHECK(r, fabs(avg - x->average) <= 0.1 * x->average, x->uri, "average-bandwidth-within-10pct",
          "measured average %.0f bit/s vs AVERAGE-BANDWIDTH %lld", avg, x->average);
    CHECK(r, fabs(peak - x->bandwidth) <= 0.1 * x->bandwidth, x->uri, "peak-bandwidth-within-10pct",
          "measured peak %.0f bit/s vs BANDWIDTH %lld", peak, x->bandwidth);
    CHECK(r, peak <= 2 * avg, x->uri, "peak-at-most-twice-average",
          "peak %.0f bit/s is more than twice the average %.0f", peak, avg);
}

typedef struct variant_job {
    val_report report;
    val_playlist pl;
    val_media m;
} variant_job;

/* The size of a playlist's segment i in bits; 0 when it is missing (segment-exists says so). */
static double segment_bits(const char *show, const char *uri, const val_playlist *pl, int i)
{
    char dir[2048], path[4096];
    struct stat st;

    val_dir_of(dir, sizeof dir, show, uri);
    val_join(path, sizeof path, dir, pl->uris[i]);
    return stat(path, &st) == 0 ? st.st_size * 8.0 : 0;
}

/* A variant whose audio is a rendition of its own (fMP4): a player fetches both, segment by
 * segment, so its BANDWIDTH is the peak of the two added up and its CODECS name both. */
static void check_with_audio(val_report *r, const char *show, const val_variant *x,
                             const val_playlist *pl, const val_variant *a, const val_playlist *apl)
{
    double bits = 0, peak = 0;
    char codecs[260];

    for (int i = 0; i < pl->n; i++) {
        double both = segment_bits(show, x->uri, pl, i) +
                      (i < apl->n ? segment_bits(show, a->uri, apl, i) : 0);
        bits += both;
        if (pl->durations[i] > 0 && both / pl->durations[i] > peak)
            peak = both / pl->durations[i];
    }
    check_bandwidth(r, x, pl->total > 0 ? bits / pl->total : 0, peak);
    snprintf(codecs, sizeof codecs, "%s,%s", x->measured_codecs, a->measured_codecs);
    if (x->has_codecs && x->measured_codecs[0] && a->measured_codecs[0])
        val_check_codecs(r, x->uri, x->codecs, codecs);
}

/* Every variant with an AUDIO group, against the rendition's segments. */
static void check_audio_groups(val_report *r, const char *show, const val_master *ms,
                               const variant_job *jobs)
{
    for (int i = 0; i < ms->n; i++) {
        const val_audio_group *g = val_audio_group_of(ms, ms->v[i].audio);
        for (int k = 0; g && k < ms->n; k++)
            if (strcmp(ms->v[k].uri, g->uri) == 0)
                check_with_audio(r, show, &ms->v[i], &jobs[i].pl, &ms->v[k], &jobs[k].pl);
    }
}

/* extinf-sum-matches-media: the EXTINF values add up to the media's duration within slack. */
static void check_duration(val_report *r, const char *file, double extinf, double media,
                           double slack)
{
    if (media > 0)
        CHECK(r, fabs(extinf - media) <= slack + 1e-3, file, "extinf-sum-matches-media",
              "EXTINF values add up to %.3f s; the media lasts %.3f s", extinf, media);
}

/* Everything about one variant: its playlist, its segment files, its media. */
static void check_variant(val_report *r, const char *show, const prof_ladder *ladder,
                          val_variant *x, val_reader *ahead, val_playlist *pl, val_media *m)
{
    double avg, peak;
    char codecs[128];

    if (!x->rendition)
        check_variant_tags(r, x);
    val_read_media(r, show, x->uri, (int)lround(ladder->segment_seconds), pl);
    measure_segments(show, x->uri, pl, &avg, &peak, r);
    if (!x->rendition && !x->audio[0]) /* else with its audio, after all are read */
        check_bandwidth(r, x, avg, peak);
    if (ahead && val_reader_take(ahead, show, x->uri, pl, r, m)) {
        r->read_ahead++;
    } else {
        val_ts_continuity(r, show, x->uri, pl);
        val_scan_variant(r, show, x->uri, x->audio_only, pl, m);
    }
    val_media_codecs(m, codecs, sizeof codecs);
    snprintf(x->measured_codecs, sizeof x->measured_codecs, "%s", codecs);
    if (x->has_codecs && codecs[0] && !x->audio[0])
        val_check_codecs(r, x->uri, x->codecs, codecs);
    x->extinf_seconds = pl->total;
    x->media_seconds = m->end > m->start ? m->end - m->start : 0;
    x->frame_seconds = m->frame;
    if (!x->audio_only) /* within one frame; audio alone waits for the video's frame */
        check_duration(r, x->uri, pl->total, x->media_seconds, x->frame_seconds);
    val_check_cc608(r, x, m, pl->n);
}

/* An I-frame stream: its playlist, the avc1 entry of its first segment, and its EXTINF sum
 * against the media of the video variant in the same folder. */
static void check_iframe_stream(val_report *r, const char *show, const val_iframe_stream *s,
                                const val_master *ms, val_playlist *pl)
{
    char dir[2048], path[4096], codecs[64], vdir[2048];

    val_read_iframes(r, show, s->uri, pl);
    val_dir_of(dir, sizeof dir, show, s->uri);
    if (pl->n > 0) {
        val_join(path, sizeof path, dir, pl->uris[0]);
        if (val_file_avc1(path, codecs, sizeof codecs))
            val_check_codecs(r, s->uri, s->codecs, codecs);
    }
    for (int i = 0; i < ms->n; i++) {
        const val_variant *x = &ms->v[i];
        val_dir_of(vdir, sizeof vdir, show, x->uri);
        if (!x->audio_only && strcmp(vdir, dir) == 0)
            check_duration(r, s->uri, pl->total, x->media_seconds, x->frame_seconds);
    }
}

/* What the video variants are compared with: the first one's IDR times and timeline. */
typedef struct first_video {
    val_media media;
    int n_video, segments;
    double total;
} first_video;

/* The rules of a video variant, m its media (taken over or freed). */
static void check_video_variant(val_report *r, const val_variant *x, const val_playlist *pl,
                                val_media *m, const prof_ladder *ladder, first_video *first)
{
    val_check_video(r, x->uri, m, ladder->gop_seconds);
    val_check_rung(r, x->uri, m, ladder);
    if (first->n_video++ == 0) {
        first->media = *m;
        memset(m, 0, sizeof *m);
        first->segments = pl->n;
        first->total = pl->total;
    } else {
        val_check_idr_alignment(r, x->uri, m, &first->media);
        val_media_free(m);
    }
    CHECK(r, pl->n == first->segments && fabs(pl->total - first->total) <= 0.04, x->uri,
          "same-timeline", "%d segments, %.3f s; the first variant has %d, %.3f s", pl->n,
          pl->total, first->segments, first->total);
}

/* ---- reading the variants in parallel ------------------------------------------------------
 * Reading a variant's segments is most of the validator's time, and variants do not depend on
 * each other, so each is read by whichever worker is free, into a report of its own. The
 * reports are then merged in playlist order, and the rules across variants run after: the
 * result is the same as reading them one after the other. The MP4 fallbacks are one more job. */

typedef struct variant_pool {
    const char *show;
    const prof_ladder *ladder;
    const val_breaks *breaks;
    val_master *ms;
    variant_job *jobs;          /* ms->n variants, then the MP4s */
    val_reader *const *readers; /* what was read ahead, tried on every variant */
    int n_readers;
} variant_pool;

/* The reader opened for the variant at uri, or NULL. */
static val_reader *reader_for(const variant_pool *vp, const char *uri)
{
    for (int k = 0; k < vp->n_readers; k++)
        if (val_reader_is_for(vp->readers[k], uri))
            return vp->readers[k];
    return NULL;
}

static void read_variant(void *opaque, int i)
{
    variant_pool *vp = opaque;
    variant_job *job = &vp->jobs[i];

    if (i == vp->ms->n) {
        val_mp4s(&job->report, vp->show, vp->ladder);
        val_check_break_mp4s(&job->report, vp->show, vp->breaks);
    } else {
        val_variant *x = &vp->ms->v[i];
        check_variant(&job->report, vp->show, vp->ladder, x, reader_for(vp, x->uri), &job->pl,
                      &job->m);
    }
}

static void free_jobs(variant_job *jobs, int n)
{
    for (int i = 0; jobs && i < n; i++) {
        val_playlist_free(&jobs[i].pl);
        val_media_free(&jobs[i].m);
    }
    free(jobs);
}

int val_validate(const char *show, const prof_ladder *ladder, const ladder_captions *captions,
                 int n_captions, val_report *r)
{
    return val_validate_ahead(show, ladder, captions, n_captions, NULL, 0, r);
}

int val_validate_ahead(const char *show, const prof_ladder *given, const ladder_captions *captions,
                       int n_captions, val_reader *const *readers, int n_readers, val_report *r)
{
    prof_ladder *ladder = malloc(sizeof *ladder); /* the show's own (rules_per_title.c) */
    val_master *ms = malloc(sizeof *ms);
    val_playlist *pl = calloc(1, sizeof *pl);
    val_breaks *breaks = malloc(sizeof *breaks);
    variant_job *jobs = NULL;
    first_video first = {0};
    const val_playlist *first_pl = NULL;
    int audio_ok = 0, any_audio = 0;
    double start = 0, frame = 0; /* the first video variant's first PTS and frame */

    memset(r, 0, sizeof *r);
    if (!given || !ladder || !ms || !pl || !breaks) {
        free(ladder);
        free(ms);
        free(pl);
        free(breaks);
        return given ? LADDER_ENOMEM : LADDER_EINVAL;
    }
    val_per_title_ladder(r, show, given, ladder);
    val_read_master(r, show, ms);
    val_read_breaks(r, show, breaks);
    jobs = calloc(ms->n + 1, sizeof *jobs);
    if (!jobs) {
        free(ladder);
        free(ms);
        free(pl);
        free(breaks);
        return LADDER_ENOMEM;
    }
    ladder_parallel_for(ms->n + 1, read_variant,
                        &(variant_pool){.show = show,
                                        .ladder = ladder,
                                        .breaks = breaks,
                                        .ms = ms,
                                        .jobs = jobs,
                                        .readers = readers,
                                        .n_readers = n_readers});
    for (int i = ms->n - 1; i >= 0; i--)
        if (!ms->v[i].audio_only) {
            start = jobs[i].m.start;
            frame = jobs[i].m.frame;
        }
    for (int i = 0; i < ms->n; i++) {
        val_variant *x = &ms->v[i];
        val_report_merge(r, &jobs[i].report);
        audio_ok |= !x->rendition && x->bandwidth <= 192000;
        any_audio |= strstr(x->codecs, "mp4a") != NULL;
        if (!x->audio_only && !first_pl)
            first_pl = &jobs[i].pl;
        if (!x->audio_only) {
            val_check_break_idrs(r, x->uri, &jobs[i].m, breaks, start);
            check_video_variant(r, x, &jobs[i].pl, &jobs[i].m, ladder, &first);
        }
    }
    check_audio_groups(r, show, ms, jobs);
    if (first_pl && (ms->n_subs > 0 || n_captions > 0))
        val_check_subtitles(r, show, ms, first_pl, first.media.start, first.media.frame,
                            (int)lround(ladder->segment_seconds), captions, n_captions);
    /* Audio alone is cut where the video is: two AAC frames (the encoder's priming frame
     * before zero, the padded last one) and a video frame of slack. */
    for (int i = 0; i < ms->n; i++)
        if (ms->v[i].audio_only)
            check_duration(r, ms->v[i].uri, ms->v[i].extinf_seconds, ms->v[i].media_seconds,
                           2 * ms->v[i].frame_seconds + first.media.frame);
    val_media_free(&first.media);
    /* A show without sound has no audio-only variant to offer; its lowest rung is all a
     * cellular client can get, and the rule is moot. */
    CHECK(r, audio_ok || !any_audio, "master.m3u8", "cellular-audio-variant",
          "no variant with a peak of at most 192 kbit/s");
    CHECK(r, ms->n_iframes == first.n_video, "master.m3u8", "iframe-stream-per-variant",
          "%d I-frame streams for %d video variants", ms->n_iframes, first.n_video);
    for (int i = 0; i < ms->n_iframes; i++)
        check_iframe_stream(r, show, &ms->iframes[i], ms, pl);
    val_report_merge(r, &jobs[ms->n].report); /* the MP4s */
    val_check_dateranges(r, show, ms, breaks, frame);
    val_check_dash(r, show);
    val_check_thumbnails(r, show);
    free_jobs(jobs, ms->n + 1);
    val_playlist_free(pl);
    free(pl);
    free(ms);
    free(breaks);
    free(ladder);
    return r->n_failures ? LADDER_EVALIDATE : 0;
}

/* validator.h: the independent judge of a published show. It reads what the packager wrote,
 * as a player would (playlists as text, segments through libavformat, H.264 and AAC facts from
 * the bitstream), and checks it against the publishing rules of docs/hls-rules.md. Every
 * failure is reported with its file and rule; nothing stops at the first.
 *
 * Rule constants that a ladder decides (the target duration, the IDR interval, each rung's
 * size, profile, level and frame rate) come from the ladder profile the show was made with. */
#ifndef LADDER_VALIDATOR_H
#define LADDER_VALIDATOR_H

#include "ladder.h"
#include "media.h"
#include "profiles.h"

#define VAL_MAX_FAILURES 256
#define VAL_MAX_NOTES    4

typedef struct val_failure {
    char file[256]; /* relative to the show folder */
    char rule[64];  /* a stable rule name, e.g. "segment-starts-with-idr" (docs/hls-rules.md) */
    char message[256];
} val_failure;

typedef struct val_report {
    int checks;     /* checks made */
    int read_ahead; /* variants whose segments came from a val_reader (val_validate_ahead) */
    int n_failures; /* failures kept (at most VAL_MAX_FAILURES; checks still counts them all) */
    val_failure failures[VAL_MAX_FAILURES];
    int n_notes;                    /* what a reader should know that is no failure, e.g. that */
    char notes[VAL_MAX_NOTES][256]; /* a TS show has no DASH (printed by `ladder validate`) */
} val_report;

/* Checks the show in show_dir (a version folder, or any folder holding master.m3u8) against
 * the rules, with the constants of `ladder` (borrowed for the call; the profile the show was
 * made with). A per-title show is held to the ladder its show.json's per_title gives, which
 * rule per-title-ladder checks against `ladder` (docs/per-title.md). Cue times are checked against
 * `captions`, the tracks the show was made from (matched by language); with none given, against the
 * show's own sidecar WebVTT files. Returns 0 when everything passes, LADDER_EVALIDATE with the
 * failures in *report otherwise, or LADDER_ENOMEM. report is large: allocate it. */
int val_validate(const char *show_dir, const prof_ladder *ladder, const ladder_captions *captions,
                 int n_captions, val_report *report);

/* ---- reading ahead (reader.c) ----------------------------------------------------------------
 * A variant's segments read as they are written, so that val_validate_ahead need not read them
 * again at the end (docs/distributed.md, "After the last job"). Open a reader per variant with
 * the show folder and the variant's playlist URI as the multivariant playlist will name it
 * ("hls/hls-720p-3000/index.m3u8"); add each segment by its name in that playlist, in order,
 * once the file is complete (add is thread-safe). val_validate_ahead uses a variant's reader
 * only if it read exactly the files the playlist lists, unchanged since; otherwise, and for a
 * variant without one, it reads the segments itself. The result is val_validate's either way. */
typedef struct val_reader val_reader;
int val_reader_open(val_reader **out, const char *show_dir, const char *uri, int audio_only);
void val_reader_add(val_reader *reader, const char *segment);
void val_reader_free(val_reader *reader);
int val_validate_ahead(const char *show_dir, const prof_ladder *ladder,
                       const ladder_captions *captions, int n_captions, val_reader *const *readers,
                       int n_readers, val_report *report);

/* ---- ads (rules_ads.c, docs/hls-rules.md#ads) ------------------------------------------------
 * The break rules of a show with ad breaks run inside val_validate, from show.json's "breaks".
 * These two compare a show with other files, so they are separate calls. Both add their checks
 * and failures to *report (val_validate's, or one that starts from {0}) and return 0 when they
 * added no failure, LADDER_EVALIDATE when they did, or LADDER_ENOMEM. */

/* A media playlist's text (borrowed for the call) and the URI prefix its segments have in a
 * stitched playlist, e.g. "/shows/news/v2/hls/hls-720p-2000/" (NULL: a stitched URI matches
 * when it is the segment's URI or ends with "/" and it); name says which show it is.
 * span (ads only): the ad stands in the stitched playlist as filler segments of its length
 * (within 50 ms of the EXTINF sum of text), whatever their URIs: how a subtitle playlist
 * carries an ad that has no subtitles (empty WebVTT). */
typedef struct val_stitch_source {
    const char *name, *text, *base;
    int span;
} val_stitch_source;

/* stitched-discontinuities, stitched-durations, stitched-target-duration,
 * stitched-no-interstitials: the stitched media playlist `stitched` (text, reported as file)
 * is the show's media playlist with whole ads from ads[0..n_ads) spliced in at its breaks (the
 * segments its DATERANGEs start), each ad between EXT-X-DISCONTINUITY tags. */
int val_check_stitched(const char *file, const char *stitched, const val_stitch_source *show,
                       const val_stitch_source *ads, int n_ads, val_report *report);

/* ad-rungs-match: the show folder ad_dir (a version folder) has the same HLS variants
 * (hls/NAME/) and MP4 fallbacks (mp4/NAME.mp4) as show_dir; failures are on file. */
int val_check_ad(const char *show_dir, const char *ad_dir, const char *file, val_report *report);

#endif

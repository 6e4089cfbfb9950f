/* val_internal.h: what the validator's files share. Never included from outside validator/.
 *
 * The files are layered, and each layer calls only the layers above it in this header:
 *   1. report.c      the report and the small file and text helpers;
 *   2. bitstream.c   H.264 SPS and AAC configuration readers, on bytes in memory;
 *   3. playlist.c    playlists as text;  ts.c  TS packets;  bmff.c  fMP4 boxes;
 *      mpd.c         the DASH MPD (libxml2);  json.c  show.json's JSON;
 *      media.c       segments through libavformat (uses bitstream.c and bmff.c);
 *   4. the rules:    rules_media.c, rules_mp4.c, rules_captions.c, rules_ads.c, rules_dash.c,
 *                    rules_thumbnails.c, rules_per_title.c, and validate.c, which runs them
 *                    all.
 * A reader in layer 3 also checks the rules that need its data in hand (a playlist's own tags,
 * a segment's packets), through the report; it never calls a rule file. */
#ifndef LADDER_VAL_INTERNAL_H
#define LADDER_VAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "validator.h"

/* ---- 1. report and helpers (report.c) -------------------------------------------------------- */

/* Counts a check and keeps its failure (up to VAL_MAX_FAILURES). */
void val_fail(val_report *r, const char *file, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Keeps a note (up to VAL_MAX_NOTES): no check, no failure. */
void val_note(val_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Counts a check that passed. */
void val_pass(val_report *r);
/* Adds from's checks and failures after into's, as if they had been made there. */
void val_report_merge(val_report *into, const val_report *from);

#define CHECK(r, cond, file, rule, ...)                                                            \
    do {                                                                                           \
        if (cond)                                                                                  \
            val_pass(r);                                                                           \
        else                                                                                       \
            val_fail(r, file, rule, __VA_ARGS__);                                                  \
    } while (0)

/* out = a/b; a path longer than out holds comes out empty, and then is simply not found. */
void val_join(char *out, size_t len, const char *a, const char *b);
/* out = the folder of show/uri. */
void val_dir_of(char *out, size_t len, const char *show, const char *uri);
/* The whole file, NUL-terminated, for the caller to free, its size in *size (may be NULL);
 * NULL if unreadable or over 64 MB. */
char *val_slurp(const char *path, long *size);
/* The value of attribute `name` in a tag's attribute list, into out (quotes removed);
 * 0 when absent. */
int val_attr(const char *line, const char *name, char *out, size_t len);
/* The next NAME=VALUE of an attribute list (RFC 8216 4.2) from *p on, the value as written
 * (quotes kept), *p moved past it; 0 at the end, -1 when the list is malformed there. */
int val_attr_next(const char **p, char *name, size_t nlen, char *value, size_t vlen);

/* ---- 2. bitstream readers (bitstream.c) ------------------------------------------------------ */

/* The first three payload bytes of a NAL unit (after its header), emulation prevention
 * removed; 0 when there are fewer. */
int val_nal_payload3(const uint8_t *p, int n, uint8_t out[3]);
/* The first NAL unit of `type` in a packet: Annex B (len_size 0) or length-prefixed with
 * len_size bytes (MP4). Returns its size (header included), 0 when there is none. */
int val_h264_find_nal(const uint8_t *d, int n, int len_size, int type, const uint8_t **nal);
/* The three SPS bytes after the NAL header (profile_idc, constraint flags, level_idc), from
 * Annex B data or an avcC record; 0 if none. */
int val_h264_sps(const uint8_t *data, int size, uint8_t out[3]);
/* The valid CEA-608 byte pairs carried as A/53 cc_data in the SEI NAL units of one picture
 * (Annex B with len_size 0, else length-prefixed). */
int val_h264_cc608_pairs(const uint8_t *d, int n, int len_size);
/* frame_mbs_only_flag of an SPS NAL unit's payload (after the header): 1 progressive. */
int val_h264_frame_mbs_only(const uint8_t *nal, int len);
/* AAC object type and channel configuration from an AudioSpecificConfig, or from an ADTS
 * header at the start of a packet; 0 when the bytes do not say. */
int val_aac_asc_config(const uint8_t *asc, int n, int *aot, int *channels);
int val_aac_adts_config(const uint8_t *p, int n, int *aot, int *channels);

/* ---- 3. readers: playlists (playlist.c) ------------------------------------------------------ */

/* A media or I-frame playlist's entries, in order, as many as it has. Start from {0}; a read
 * reuses the arrays; free with val_playlist_free. */
typedef struct val_playlist {
    int target, n, cap;
    double *durations;
    char (*uris)[64]; /* relative to the playlist's folder */
    double total;     /* sum of the EXTINF values */
    /* For the ad rules (rules_ads.c): */
    double *dates;                /* entry i's date (s since 1970): the last EXT-X-PROGRAM-
                                   * DATE-TIME before it plus the EXTINFs between; NAN: none */
    unsigned char *discontinuity; /* 1: an EXT-X-DISCONTINUITY comes before entry i */
    int n_pdt, bad_pdt;           /* PDT tags, and those whose date does not parse */
    int n_ranges, cap_ranges;     /* EXT-X-DATERANGE tags, in order */
    char **ranges;                /* each one's attribute list (after the colon), owned */
} val_playlist;

void val_playlist_free(val_playlist *pl);
/* Reads playlist text (not modified) as a media playlist into pl, checking only extm3u-first,
 * under the name file; for playlists that are not files of the show (val_check_stitched). */
void val_read_playlist_text(val_report *r, const char *file, const char *text, val_playlist *pl);
/* An ISO 8601 date-time (YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm|-hh:mm), RFC 3339) in seconds
 * since 1970 UTC; 0 when it is not one. */
int val_parse_date(const char *s, double *seconds);

/* More variants than a ladder can make is itself a failure (too-many-variants). */
#define VAL_MAX_VARIANTS (PROF_MAX_RUNGS + 2)

typedef struct val_variant {
    char uri[256], codecs[128];
    long long bandwidth, average;
    int has_codecs, has_resolution, has_frame_rate, audio_only;
    char closed_captions[64];  /* "NONE", a GROUP-ID, or "" when absent */
    char subtitles[64];        /* the SUBTITLES group, "" when absent */
    double extinf_seconds;     /* the EXTINF values of its media playlist added up */
    double media_seconds;      /* measured from the segments (0: unknown) */
    double frame_seconds;      /* one video frame, or AAC frame for audio alone (0: unknown) */
    char audio[64];            /* the AUDIO group it plays (fMP4's own audio), "" when muxed */
    int rendition;             /* not a STREAM-INF: an AUDIO rendition, read as a variant is */
    char measured_codecs[128]; /* what its media says (for variants with an AUDIO group) */
} val_variant;

/* An EXT-X-MEDIA:TYPE=AUDIO rendition. */
typedef struct val_audio_group {
    char group[64], name[64], uri[256], channels[16];
} val_audio_group;

typedef struct val_iframe_stream {
    char uri[256], codecs[128];
} val_iframe_stream;

/* An EXT-X-MEDIA:TYPE=SUBTITLES rendition. */
typedef struct val_subtitles {
    char group[64], language[40], name[64], uri[256];
    int is_default, autoselect;
} val_subtitles;

typedef struct val_master {
    int n, n_iframes;
    int n_subs;
    val_subtitles subs[VAL_MAX_VARIANTS];
    int n_audio;
    val_audio_group audio[VAL_MAX_VARIANTS];
    int n_cc_groups;                      /* EXT-X-MEDIA TYPE=CLOSED-CAPTIONS */
    char cc_groups[VAL_MAX_VARIANTS][64]; /* their GROUP-IDs */
    int too_many;                         /* the playlist had more than VAL_MAX_VARIANTS */
    val_variant v[VAL_MAX_VARIANTS];
    val_iframe_stream iframes[VAL_MAX_VARIANTS];
} val_master;

/* Reads master.m3u8 and checks its own rules; fills m (m->n variants, the AUDIO renditions
 * that are no variant last). */
void val_read_master(val_report *r, const char *show, val_master *m);
/* The AUDIO rendition of a group, or NULL. */
const val_audio_group *val_audio_group_of(const val_master *m, const char *group);
/* Reads a variant's media playlist and checks the media playlist rules; target_seconds is the
 * profile's segment length, which the target duration must equal. */
void val_read_media(val_report *r, const char *show, const char *uri, int target_seconds,
                    val_playlist *pl);
/* Reads an I-frame playlist and checks its version tag. */
void val_read_iframes(val_report *r, const char *show, const char *uri, val_playlist *pl);

/* ---- 3. readers: TS packets (ts.c) ----------------------------------------------------------- */

/* ts-continuity-counters: per PID across all the variant's segments. */
void val_ts_continuity(val_report *r, const char *show, const char *uri, const val_playlist *pl);
/* The same one segment at a time, in order (reader.c): the counters carry on in the state. A
 * segment whose name does not end in .ts is skipped. new gives NULL when out of memory. */
typedef struct val_ts_state val_ts_state;
val_ts_state *val_ts_state_new(void);
void val_ts_segment(val_report *r, const char *uri, const char *name, const char *path,
                    val_ts_state *s);
void val_ts_state_free(val_ts_state *s);

/* ---- 3. readers: fMP4 boxes (bmff.c) --------------------------------------------------------- */

/* The composition time offsets of track_id's samples in an fMP4 segment, in decode order, in
 * a new array for the caller to free; 0, or -1 when unreadable (then *cto is NULL). */
int val_fmp4_offsets(const char *path, uint32_t track_id, int32_t **cto, int *count);

/* An init segment's first track: moov/trak's tkhd, mdhd and hdlr, and its trex defaults. */
typedef struct val_fmp4_track {
    uint32_t track_id, timescale;
    char handler[5]; /* "vide", "soun" */
    uint32_t default_duration, default_flags;
    int64_t edit_media_time; /* the edit list's media_time (0 without one), subtracted from
                              * the presentation times, as a player maps them */
} val_fmp4_track;
/* 0 with *t filled, -1 when the file is unreadable or has no such track. */
int val_fmp4_init(const char *path, val_fmp4_track *t);

/* A media segment's samples of track t, in t's timescale (ISO/IEC 14496-12 8.8): */
typedef struct val_fmp4_timing {
    uint64_t tfdt;     /* the first traf's baseMediaDecodeTime */
    int64_t earliest;  /* earliest presentation time: min of decode time + composition offset,
                        * less the edit list's media_time */
    int64_t first_pts; /* the first sample's (decode order) presentation time */
    uint64_t duration; /* the sample durations added up */
    int samples;
    int first_sync; /* the first sample is a sync sample (sample_is_non_sync_sample clear) */
    long bytes;     /* the file's size */
} val_fmp4_timing;
/* 0 with *s filled; -1 when unreadable, damaged, or without a sample of the track. */
int val_fmp4_segment(const char *path, const val_fmp4_track *t, val_fmp4_timing *s);

/* ---- 3. readers: the DASH MPD (mpd.c) -------------------------------------------------------- */

#define VAL_MPD_MAX_SETS 16 /* AdaptationSets, all Periods together */
#define VAL_MPD_MAX_REPS 16 /* Representations per AdaptationSet */

/* One S of a SegmentTimeline: t (has_t 0: where the previous one ended), d, r (-1: until the
 * end of the Period). */
typedef struct val_mpd_s {
    uint64_t t, d;
    long long r;
    int has_t;
} val_mpd_s;

/* A SegmentTemplate, attributes merged from the AdaptationSet's and the Representation's
 * (the Representation's win); the has_ flags say what was written. */
typedef struct val_mpd_template {
    int present, has_media, has_init, has_timescale, has_duration, has_start;
    char media[256], init[256];
    uint64_t timescale, duration, pto;
    long long start_number; /* 1 when absent (ISO/IEC 23009-1 5.3.9.5.3) */
    int n_s;                /* SegmentTimeline entries; -1: no SegmentTimeline */
    val_mpd_s *s;           /* owned */
} val_mpd_template;

/* A Representation with what it inherits from its AdaptationSet (mimeType, codecs, width,
 * height, frameRate, sar, audioSamplingRate, startWithSAP); "" or 0 when absent. */
typedef struct val_mpd_rep {
    char id[64];
    int has_id, line;
    long long bandwidth; /* -1: absent or not a number */
    char mime[64], codecs[128], frame_rate[32], sar[32], base_url[256];
    int width, height;  /* 0: absent */
    long sampling_rate; /* audioSamplingRate, 0: absent */
    val_mpd_template tpl;
} val_mpd_rep;

typedef struct val_mpd_set {
    char content_type[32], mime[64], lang[32];
    int line, period;
    int start_with_sap; /* -1: absent */
    int n_reps, too_many;
    val_mpd_rep reps[VAL_MPD_MAX_REPS];
} val_mpd_set;

typedef struct val_mpd {
    int n_periods, n_sets, too_many;
    char type[32], profiles[512];
    double duration, min_buffer; /* s; -1: absent or not an xs:duration */
    char duration_text[64];
    val_mpd_set sets[VAL_MPD_MAX_SETS];
} val_mpd;

/* An xs:duration (PnYnMnDTnHnMnS, no sign) in seconds; 0 when it is not one. */
int val_parse_xs_duration(const char *s, double *seconds);
/* Reads MPD text (len bytes) into *m (allocate it; free with val_mpd_free) and checks
 * dash-mpd-parses on file: well-formed, no DTD, root MPD in urn:mpeg:dash:schema:mpd:2011,
 * type static, an isoff-live or isoff-on-demand profile, mediaPresentationDuration and
 * minBufferTime xs:durations. Returns 1 when the document was read (the rules on it may
 * follow even if an attribute failed), 0 when it could not be. */
int val_read_mpd(val_report *r, const char *file, const char *text, size_t len, val_mpd *m);
void val_mpd_free(val_mpd *m);
/* A SegmentTemplate URL with $RepresentationID$, $Number$, $Time$, $Bandwidth$ (each with an
 * optional %0Nd) and $$ filled in; 0 when the template is malformed or out does not fit. */
int val_mpd_url(const char *tpl, const val_mpd_rep *rep, long long number, uint64_t time, char *out,
                size_t len);

/* ---- 3. readers: show.json's JSON (json.c) --------------------------------------------------- */

/* A cursor over JSON text; each call skips white space first and returns 0 when the text
 * there is not what it reads, 1 when it is (the cursor then past it). */
typedef struct val_json {
    const char *p;
    int depth; /* nesting, bounded while skipping */
} val_json;

/* The character c. */
int val_json_eat(val_json *j, char c);
/* A string into out (NULL: skipped; \u escapes outside ASCII become '?'). */
int val_json_str(val_json *j, char *out, size_t len);
int val_json_num(val_json *j, double *v);
/* Any value, of any depth up to 64. */
int val_json_skip(val_json *j);
/* The top-level string field key of show.json's text, into out; 0 when absent, not a string,
 * or the text is not a JSON object. */
int val_json_string(const char *json, const char *key, char *out, size_t len);

/* ---- 3. readers: media through libavformat (media.c) ----------------------------------------- */

/* What a variant's segments say. */
typedef struct val_media {
    int has_video, has_audio;
    int have_sps;
    uint8_t sps[3];    /* profile_idc, constraint flags, level_idc (first segment read) */
    int width, height; /* first segment read */
    double fps;        /* highest frame rate of any segment, from the video PTS */
    double frame;      /* seconds per video frame (first segment read), else per AAC frame */
    double start, end; /* first PTS .. last PTS + one frame (video, else audio); end 0: none */
    int aac;           /* AAC audio (the CODECS entry is mp4a.40.<aot>) */
    int aot;           /* AAC audio object type (2 = LC) of the first segment read */
    double *idr;       /* IDR presentation times, seconds */
    int n_idr, cap_idr;
    int cc608_segments; /* segments with CEA-608 byte pairs (A/53 SEI) in their pictures */
    double *au_dts;     /* each video access unit's decoding time (s), in decode order, */
    int *au_bytes;      /* and its size, across every segment: what vbv-conformance plays */
    int n_au, cap_au;
    double *seg_pts;        /* each playlist entry's first video packet in decode order: its */
    unsigned char *seg_idr; /* PTS (s; NAN: no video) and whether it is an IDR (rules_ads.c) */
    int n_seg, cap_seg;
} val_media;

/* Reads every segment of the playlist at uri, checks the per-segment rules (IDR first unless
 * audio_only, progressive, one stereo AAC-LC audio stream, timestamps continuous) and fills m.
 * Free m with val_media_free. */
void val_scan_variant(val_report *r, const char *show, const char *uri, int audio_only,
                      const val_playlist *pl, val_media *m);
/* The same one segment at a time, in order (reader.c): new zeroes m, which the scan fills;
 * uri is borrowed until free. new gives NULL when out of memory. */
typedef struct val_scan val_scan;
val_scan *val_scan_new(const char *uri, int audio_only, val_media *m);
void val_scan_segment(val_report *r, val_scan *s, const char *path, const char *name);
void val_scan_free(val_scan *s);
/* A reader's results for the variant at uri with playlist pl, if it read exactly pl's files,
 * unchanged: its reports merged into r, its media moved into m (the reader gives them once);
 * returns 1, or 0 with nothing done. */
int val_reader_is_for(const val_reader *rd, const char *uri);
int val_reader_take(val_reader *rd, const char *show, const char *uri, const val_playlist *pl,
                    val_report *r, val_media *m);
void val_media_free(val_media *m);
/* "avc1.PPCCLL,mp4a.40.2" as the media says; empty when nothing was read. */
void val_media_codecs(const val_media *m, char *out, size_t len);
/* AAC object type and channels from the first packet (ADTS) or the stream's extradata
 * (AudioSpecificConfig), else the demuxer's profile; 0 when none says. */
struct AVCodecParameters;
int val_aac_config(const struct AVCodecParameters *par, const uint8_t *pkt, int size, int *aot,
                   int *channels);
/* The avc1 CODECS entry of the first video packet (SPS) of a file; 0 when none is found. */
int val_file_avc1(const char *path, char *out, size_t len);

/* ---- 4. rules (rules_media.c, rules_mp4.c, rules_captions.c) ------------------------------- */

/* The variant-wide video rules on what val_scan_variant measured; gop_seconds is the
 * profile's IDR interval. */
void val_check_video(val_report *r, const char *uri, const val_media *m, double gop_seconds);
void val_check_idr_alignment(val_report *r, const char *uri, const val_media *m,
                             const val_media *first);
/* cc608-present: a variant whose CLOSED-CAPTIONS names a group carries 608 in every segment. */
void val_check_cc608(val_report *r, const val_variant *x, const val_media *m, int segments);
/* rung-matches-profile: the rung named by uri's folder (hls/<rung>/index.m3u8); and
 * vbv-conformance: its video, joined across every segment, fits the rung's VBV. */
void val_check_rung(val_report *r, const char *uri, const val_media *m, const prof_ladder *ladder);

/* The subtitle renditions (rules_captions.c): their playlists against the first video variant's
 * (video_pl), their WebVTT segments' timestamp maps against the video's first PTS
 * (video_start, seconds), and every cue against the source tracks (by language; none given:
 * the show's sidecar files), within one video frame (frame, seconds). */
void val_check_subtitles(val_report *r, const char *show, const val_master *ms,
                         const val_playlist *video_pl, double video_start, double frame,
                         int target_seconds, const ladder_captions *sources, int n_sources);

/* Every .mp4 file of mp4/, in name order: faststart, not fragmented, avc1, AAC-LC stereo and,
 * with a ladder, the rung's profile and level. */
void val_mp4s(val_report *r, const char *show, const prof_ladder *ladder);

/* ---- 4. the DASH rules (rules_dash.c, docs/dash-rules.md) ---------------------------------- */

/* dash-manifest-present, and on show/manifest.mpd when there is one: dash-mpd-parses,
 * dash-structure, dash-segments, dash-bandwidth, dash-duration, dash-text. A TS show has no
 * MPD and gets a note saying so. */
void val_check_dash(val_report *r, const char *show);

/* ---- 4. the ad rules (rules_ads.c) --------------------------------------------------------- */

#define VAL_MAX_BREAKS 64

/* One of show.json's "breaks" (docs/show-json.md). */
typedef struct val_break {
    char id[32], start_date[40], source[16];
    char scte35[600]; /* "0xFC..." or "" */
    double time;      /* s from the first picture */
    double duration;  /* planned, s */
    int has_time;
} val_break;

typedef struct val_breaks {
    int n;
    val_break b[VAL_MAX_BREAKS];
} val_breaks;

/* Reads the "breaks" of show/show.json (none without the file or the field) and checks
 * show-json-breaks: readable, ids break-1.. in time order. */
void val_read_breaks(val_report *r, const char *show, val_breaks *b);
/* The same from show.json's text; 0 when it is not JSON with a well-formed "breaks". */
int val_parse_breaks(const char *json, val_breaks *b);
/* break-on-segment-idr: each break starts a segment of the variant at uri with an IDR, its PTS
 * start + the break's time within half of the variant's frame (start: the first picture's PTS,
 * from the first video variant). */
void val_check_break_idrs(val_report *r, const char *uri, const val_media *m, const val_breaks *b,
                          double start);
/* break-on-mp4-keyframe: each break is a sync sample of every MP4 of mp4/. */
void val_check_break_mp4s(val_report *r, const char *show, const val_breaks *b);
/* daterange-same-in-every-playlist, daterange-needs-pdt, daterange-start-date,
 * daterange-matches-show-json, daterange-interstitial, on every media playlist the master
 * names (read again here); frame: one video frame, s. */
void val_check_dateranges(val_report *r, const char *show, const val_master *ms,
                          const val_breaks *b, double frame);

/* ---- 4. the thumbnail rules (rules_thumbnails.c) ------------------------------------------- */

/* thumbnail-*: the trick-play thumbnails show.json lists (none listed: nothing to check). */
void val_check_thumbnails(val_report *r, const char *show);

/* ---- 4. the per-title ladder (rules_per_title.c) ------------------------------------------- */

/* show.json's "per_title" (docs/show-json.md): absent, "fallback" (the profile's bitrates were
 * encoded), "chosen" (the show's own ladder was), or there but not readable. */
typedef enum { VAL_PT_NONE, VAL_PT_FALLBACK, VAL_PT_CHOSEN, VAL_PT_UNREADABLE } val_pt_status;

/* The ladder a show was made with, from show.json's text (NULL: none) and the ladder it is
 * checked against (given, borrowed): with status "chosen", given with each rung's video_kbps,
 * maxrate_kbps, bufsize_kbps, width and height those of the per_title rung of its name; else
 * given itself. Returns the status; why gets, in one line, what makes per_title unusable (not
 * readable; a rung unknown to given, of another use, listed twice or missing: the other rungs
 * are still applied), "" when nothing does. */
val_pt_status val_per_title_parse(const char *json, const prof_ladder *given,
                                  prof_ladder *effective, char *why, size_t len);
/* The effective ladder of show/show.json into *effective, as val_per_title_parse gives it, and
 * per-title-ladder on it when per_title is there and not a fallback: it is readable and names
 * every rung of given once; prof_per_title_verify accepts it for given at the frame rates the
 * show's rungs have (the master's FRAME-RATE for HLS, the MP4's track for MP4; a rung not in
 * the show has none); each renditions[].target_kbps is its rung's per_title kbps. */
void val_per_title_ladder(val_report *r, const char *show, const prof_ladder *given,
                          prof_ladder *effective);

#endif

/* validate_internal.h: what the validator's files share (validate*.c only): the report
 * helpers, small text and path helpers, the playlists as read, and the media facts measured
 * from each variant's segments. */
#ifndef LADDER_VALIDATE_INTERNAL_H
#define LADDER_VALIDATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "packager.h"

/* ---- report (validate.c) --------------------------------------------------------------------- */

/* Counts a check and keeps its failure (up to PKG_MAX_FAILURES). */
void pkg_val_fail(pkg_report *r, const char *file, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Counts a check that passed. */
void pkg_val_pass(pkg_report *r);

#define CHECK(r, cond, file, rule, ...)                                                            \
    do {                                                                                           \
        if (cond)                                                                                  \
            pkg_val_pass(r);                                                                       \
        else                                                                                       \
            pkg_val_fail(r, file, rule, __VA_ARGS__);                                              \
    } while (0)

/* ---- files and text (validate.c) ------------------------------------------------------------- */

/* out = a/b; a path longer than out holds comes out empty, and then is simply not found. */
void pkg_val_join(char *out, size_t len, const char *a, const char *b);
/* out = the folder of show/uri. */
void pkg_val_dir_of(char *out, size_t len, const char *show, const char *uri);
/* The whole file, NUL-terminated, for the caller to free, its size in *size (may be NULL);
 * NULL if unreadable or over 64 MB. */
char *pkg_val_slurp(const char *path, long *size);
/* The value of attribute `name` in a tag's attribute list, into out (quotes removed);
 * 0 when absent. */
int pkg_val_attr(const char *line, const char *name, char *out, size_t len);

/* ---- playlists (validate_playlists.c) -------------------------------------------------------- */

#define VAL_MAX_SEGMENTS 4096
#define VAL_MAX_VARIANTS (PROF_MAX_RUNGS + 2)

/* A media or I-frame playlist's entries, in order. */
typedef struct val_playlist {
    int target, n;
    double durations[VAL_MAX_SEGMENTS];
    char uris[VAL_MAX_SEGMENTS][64]; /* relative to the playlist's folder */
    double total;                    /* sum of the EXTINF values */
} val_playlist;

typedef struct val_variant {
    char uri[256], codecs[128];
    long long bandwidth, average;
    int has_codecs, has_resolution, has_frame_rate, audio_only;
    double extinf_seconds; /* the EXTINF values of its media playlist added up */
    double media_seconds;  /* measured from the segments (0: unknown) */
    double frame_seconds;  /* one video frame, or AAC frame for audio alone (0: unknown) */
} val_variant;

typedef struct val_iframe_stream {
    char uri[256], codecs[128];
} val_iframe_stream;

typedef struct val_master {
    int n, n_iframes;
    val_variant v[VAL_MAX_VARIANTS];
    val_iframe_stream iframes[VAL_MAX_VARIANTS];
} val_master;

/* Reads master.m3u8 and checks its own rules; fills m (m->n variants). */
void pkg_val_read_master(pkg_report *r, const char *show, val_master *m);
/* Reads a variant's media playlist and checks the media playlist rules. */
void pkg_val_read_media(pkg_report *r, const char *show, const char *uri, val_playlist *pl);
/* Reads an I-frame playlist and checks its version tag. */
void pkg_val_read_iframes(pkg_report *r, const char *show, const char *uri, val_playlist *pl);
/* CODECS of a STREAM-INF or I-FRAME-STREAM-INF against what the media says (comma-separated
 * lists compared as sets, case-insensitively). */
void pkg_val_check_codecs(pkg_report *r, const char *what, const char *declared,
                          const char *measured);

/* ---- media (validate_media.c) ---------------------------------------------------------------- */

/* What a variant's segments say, read through libavformat. */
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
} val_media;

/* Reads every segment of the playlist at uri, checks the per-segment rules (IDR first unless
 * audio_only, progressive, one stereo AAC-LC audio stream, timestamps continuous) and fills m.
 * Free m with pkg_val_media_free. */
void pkg_val_scan_variant(pkg_report *r, const char *show, const char *uri, int audio_only,
                          const val_playlist *pl, val_media *m);
void pkg_val_media_free(val_media *m);
/* "avc1.PPCCLL,mp4a.40.2" as the media says; empty when nothing was read. */
void pkg_val_media_codecs(const val_media *m, char *out, size_t len);
/* The variant-wide rules on what pkg_val_scan_variant measured. */
void pkg_val_check_video(pkg_report *r, const char *uri, const val_media *m);
void pkg_val_check_idr_alignment(pkg_report *r, const char *uri, const val_media *m,
                                 const val_media *first);
/* rung-matches-profile: the rung named by uri's folder (hls/<rung>/index.m3u8). */
void pkg_val_check_rung(pkg_report *r, const char *uri, const val_media *m,
                        const prof_ladder *ladder);
/* The avc1 CODECS entry of the first video packet (SPS) of a file; 0 when none is found. */
int pkg_val_file_avc1(const char *path, char *out, size_t len);

/* The three SPS bytes after the NAL header, from Annex B data or an avcC record; 0 if none. */
int pkg_val_h264_sps(const uint8_t *data, int size, uint8_t out[3]);
/* AAC object type and channels from the first packet (ADTS) or extradata (AudioSpecificConfig);
 * 0 when neither says. */
struct AVCodecParameters;
int pkg_val_aac_config(const struct AVCodecParameters *par, const uint8_t *pkt, int size, int *aot,
                       int *channels);

/* ---- MPEG-TS packets (validate_ts.c) ------------------------------------------------------ */

/* Continuity counters per PID across all the variant's segments. */
void pkg_val_ts_continuity(pkg_report *r, const char *show, const char *uri,
                           const val_playlist *pl);

/* ---- ISO BMFF: fMP4 segments, MP4 fallbacks (validate_mp4.c) --------------------------------- */

/* The composition time offsets of track_id's samples in an fMP4 segment, in decode order, in
 * a new array for the caller to free; 0, or -1 when unreadable (then *cto is NULL). */
int pkg_val_fmp4_offsets(const char *path, uint32_t track_id, int32_t **cto, int *count);

/* Every .mp4 file of mp4/, in name order: faststart, not fragmented, avc1, AAC-LC stereo and, with
 * a ladder, the rung's profile and level. */
void pkg_val_mp4s(pkg_report *r, const char *show, const prof_ladder *ladder);

#endif

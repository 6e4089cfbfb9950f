/* profiles.h: encoding ladders ("profiles"), read from XML files checked against the schema
 * ladder-profile.xsd that ships beside them. (The origin's device rules are devices/devices.h.)
 *
 * A profile is plain data: prof_load fills a caller-owned prof_ladder with fixed-size fields, so
 * there is nothing to free. The default ladder, pbs16, is built into the program (its source is
 * profiles/pbs16.xml) so `ladder` works from any folder. */
#ifndef LADDER_PROFILES_H
#define LADDER_PROFILES_H

#include "ladder.h"

#define PROF_MAX_RUNGS LADDER_MAX_RUNGS
#define PROF_NAME_MAX  LADDER_NAME_MAX

/* What a rung is for: an HLS variant or a progressive MP4 fallback. */
typedef enum { PROF_USE_HLS = 0, PROF_USE_MP4 = 1 } prof_use;

/* Segment container for HLS. */
typedef enum { PROF_CONTAINER_TS = 0, PROF_CONTAINER_FMP4 = 1 } prof_container;

typedef struct prof_rung {
    char name[PROF_NAME_MAX]; /* unique in the ladder, [a-z0-9-]+, e.g. "hls-720p-3000" */
    prof_use use;
    int width, height;     /* the box the picture is fitted into, even, 16..4096 */
    int video_kbps;        /* target average video bitrate, kbit/s */
    int maxrate_kbps;      /* VBV maximum rate, kbit/s, >= video_kbps */
    int bufsize_kbps;      /* VBV buffer size, kbit */
    char h264_profile[16]; /* "baseline", "main" or "high" */
    int level_idc;         /* H.264 level times ten: 30 for 3.0, 31 for 3.1, 40 for 4.0 */
    int audio_kbps;        /* AAC-LC stereo bitrate muxed with this rung, kbit/s */
    int max_fps;           /* frame-rate cap (frames/s); 0 = no cap beyond the level's */
} prof_rung;

typedef struct prof_ladder {
    char name[PROF_NAME_MAX];
    char preset[32];          /* x264 preset name, default "veryfast" */
    double gop_seconds;       /* IDR interval in seconds of presentation time, default 2 */
    double segment_seconds;   /* HLS target segment length, a multiple of gop_seconds, default 6 */
    prof_container container; /* HLS segment container, default TS */
    int thumbnails_off;       /* thumbnails="off": no trick-play thumbnails (docs/packager.md) */
    int audio_channels;       /* output audio channels, 2 */
    int n_rungs;
    prof_rung rungs[PROF_MAX_RUNGS];
} prof_ladder;

/* Loads and validates the profile at path (schema, then the rules the schema cannot express:
 * unique names, even sizes, maxrate >= bitrate, frame size within the level, known preset).
 * On failure returns LADDER_EINVAL (or LADDER_ENOTFOUND/LADDER_EIO) and err->msg reads
 * "FILE:LINE: problem". `out` is untouched on failure. */
int prof_load(const char *path, prof_ladder *out, ladder_error *err);

/* The same from an in-memory document; `name` is used in messages in place of a file name. */
int prof_load_memory(const char *xml, size_t len, const char *name, prof_ladder *out,
                     ladder_error *err);

/* Loads the built-in default ladder (pbs16). */
int prof_load_default(prof_ladder *out, ladder_error *err);

/* Finds a rung by name; NULL if absent. */
const prof_rung *prof_find_rung(const prof_ladder *ladder, const char *name);

#endif

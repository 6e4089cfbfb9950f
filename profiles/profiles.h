/* profiles.h: encoding ladders ("profiles"), read from XML files checked against the schema
 * ladder-profile.xsd that ships beside them, and device rules (devices.xml, devices.xsd) for
 * the origin's format choice.
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

/* "baseline"/"main"/"high" to the H.264 profile_idc (66/77/100); 0 if unknown. */
int prof_profile_idc(const char *h264_profile);

/* ---- device rules (devices.c) --------------------------------------------------------------
 * devices.xml, checked against devices.xsd: ordered rules that send a client to HLS or to a
 * progressive MP4. The default set is built in (profiles/devices.xml). */

typedef enum { PROF_FORMAT_HLS = 0, PROF_FORMAT_MP4 = 1 } prof_format;

/* What a request says about its client: header values, NULL when absent. */
typedef struct prof_client {
    const char *user_agent;
    const char *ch_mobile;   /* Sec-CH-UA-Mobile, e.g. "?1" */
    const char *ch_platform; /* Sec-CH-UA-Platform, e.g. "\"Android\"" */
} prof_client;

/* The decision. For MP4: the tallest MP4 rendition no taller than max_height whose profile is
 * at most profile_idc (66 Baseline, 77 Main, 100 High). */
typedef struct prof_route {
    prof_format format;
    int max_height;
    int profile_idc;
    const char *rule; /* the deciding rule's name; valid while the rule set is */
} prof_route;

typedef struct prof_devices prof_devices;

/* Load a rule set (errors read "FILE:LINE: problem"); free with prof_devices_free. */
int prof_devices_load(const char *path, prof_devices **out, ladder_error *err);
int prof_devices_load_memory(const char *xml, size_t len, const char *name, prof_devices **out,
                             ladder_error *err);
int prof_devices_load_default(prof_devices **out, ladder_error *err);
void prof_devices_free(prof_devices *d);
const char *prof_devices_name(const prof_devices *d);

/* The first rule whose conditions all hold decides; none: HLS. Safe from many threads. */
void prof_devices_route(const prof_devices *d, const prof_client *c, prof_route *out);

#endif

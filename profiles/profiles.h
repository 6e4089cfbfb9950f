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
    /* How far --per-title may move the rung (docs/per-title.md): its video bitrate stays in
     * pt_min_kbps .. pt_max_kbps (defaults: a fifth of video_kbps, rounded up, and video_kbps
     * itself), and its box may change to another HLS rung's unless pt_fixed_size (always set
     * for MP4 rungs: old phones were promised that picture). */
    int pt_min_kbps, pt_max_kbps;
    int pt_fixed_size;
} prof_rung;

typedef struct prof_ladder {
    char name[PROF_NAME_MAX];
    char preset[32];          /* x264 preset name, default "veryfast" */
    double gop_seconds;       /* IDR interval in seconds of presentation time, default 2 */
    double segment_seconds;   /* HLS target segment length, a multiple of gop_seconds, default 6 */
    prof_container container; /* HLS segment container, default TS */
    int thumbnails_off;       /* thumbnails="off": no trick-play thumbnails (docs/packager.md) */
    int audio_channels;       /* output audio channels, 2 */
    /* --per-title (docs/per-title.md): no rung aims above pt_psnr_max dB PSNR-Y at the display
     * size (default 45), and adjacent HLS rungs' total bitrates (video + audio) stay between
     * pt_step_min and pt_step_max times each other (defaults 1.15 and 2). */
    double pt_psnr_max, pt_step_min, pt_step_max;
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

/* The ladder as a profile document that prof_load_memory reads back to the same prof_ladder
 * (every field, the per-title bounds included), into out. A distributed ingest's coordinator
 * gives its workers the ladder per-title chose this way. */
void prof_format_xml(const prof_ladder *ladder, ladder_text *out);

/* ---- per-title ladders (per_title.c, docs/per-title.md) ----------------------------------
 * The analysis (the transcoder's tc_per_title) encodes samples of the show at each HLS box
 * and a few rate factors and measures each probe's PSNR-Y and SSIM at the display size; the
 * chooser here turns those rate-quality curves into the show's ladder. It is plain arithmetic
 * on its inputs, so the same curves always give the same ladder. */
#define PROF_RD_MAX_POINTS 8
#define PROF_RD_MAX_SIZES  PROF_MAX_RUNGS

typedef struct prof_rd_point {
    double kbps;   /* the probe's video bitrate */
    double psnr_y; /* dB, against the source, both at the display size */
    double ssim;   /* the same, SSIM (All) */
} prof_rd_point;

/* The probes at one box: the picture the transcoder makes for a rung with this box. */
typedef struct prof_rd_curve {
    int box_w, box_h;  /* an HLS rung's box in the profile */
    int width, height; /* the picture fitted into it for this source */
    int n;
    prof_rd_point p[PROF_RD_MAX_POINTS]; /* by kbps, ascending */
} prof_rd_curve;

typedef struct prof_rd_show {
    int n_sizes;
    prof_rd_curve sizes[PROF_RD_MAX_SIZES]; /* by picture area, ascending */
    int display_w, display_h;               /* where quality was measured */
    /* the frame rate the transcoder gives rung r of the profile on this source; 0: the source
     * does not feed the rung (it is smaller than the rung's box) */
    double rung_fps[PROF_MAX_RUNGS];
} prof_rd_show;

/* PSNR-Y of a curve at kbps: linear in log2(kbps) between its points, and beyond them along
 * its end segments (a curve of one point is flat). */
double prof_rd_psnr(const prof_rd_curve *c, double kbps);
/* The lowest kbps at which the curve reaches psnr_y (the inverse of prof_rd_psnr). */
double prof_rd_kbps(const prof_rd_curve *c, double psnr_y);
/* 1 if point k of curve i lies on the show's convex hull: no other size gives more PSNR-Y at
 * its bitrate. */
int prof_rd_on_hull(const prof_rd_show *show, int i, int k);

/* Why a rung got its bitrate and size, for show.json and the player page. */
typedef struct prof_pt_choice {
    int made;              /* the source feeds the rung (else it is left as the profile has it) */
    int size;              /* the curve it was given (index in prof_rd_show.sizes) */
    double profile_psnr_y; /* what the profile's own bitrate and box give on this show */
    double target_psnr_y;  /* what it aimed at: that, or the ladder's pt_psnr_max */
    double psnr_y;         /* what its chosen bitrate and box are predicted to give */
    char reason[128];      /* one line: what bound the choice */
} prof_pt_choice;

/* The show's ladder: profile's rungs, names, uses, H.264 profiles, levels, audio and frame-rate
 * caps, each HLS and MP4 rung at the lowest bitrate (and, where the rung may resize, the box)
 * that reaches its target on the curves, then held to the constraints: the rung's per-title
 * bounds, the steps between adjacent HLS rungs, the lowest HLS rung never above the profile's,
 * boxes that grow with the bitrate and fit the rung's level at its frame rate, and maxrate and
 * bufsize in the profile's proportion to the bitrate. Returns 0 with out and choice[0 ..
 * n_rungs) filled, or LADDER_EINVAL when no ladder meets them (prof_per_title_check). */
int prof_per_title_choose(const prof_ladder *profile, const prof_rd_show *show, prof_ladder *out,
                          prof_pt_choice choice[PROF_MAX_RUNGS], ladder_error *err);

/* Whether `chosen` is a ladder prof_per_title_choose could give for `profile` on a source whose
 * rung r gets rung_fps[r] frames/s (0: the source does not feed it): the shape, the bounds,
 * the steps, the lowest rung, the boxes and their levels, the VBV's proportion (the rules,
 * not the chooser's judgement: a ladder chosen by an older or newer chooser passes). Returns 0, or
 * -1 with the first broken constraint in one line in why. The chooser checks its own result
 * with it, and the validator a published show's (rule per-title-ladder). */
int prof_per_title_verify(const prof_ladder *profile, const prof_ladder *chosen,
                          const double *rung_fps, char *why, size_t len);

/* Fills every per-title field still 0 with its default (the rung's bounds, the steps, the
 * quality ceiling, pt_fixed_size on MP4 rungs); prof_load does it for every profile. */
void prof_per_title_defaults(prof_ladder *ladder);

/* Whether some ladder meets the constraints: each HLS rung's bounds, narrowed by its
 * neighbours' through the step rule, leave it a bitrate (lo[r] .. hi[r], video kbps; lo, hi
 * may be NULL). Returns -1 if so, or the index of the first rung left with none. */
int prof_per_title_check(const prof_ladder *ladder, double *lo, double *hi);

#endif

/* packager.h: turns a transcoder's packets into a published show: HLS (MPEG-TS segments by
 * default) with master, media and I-frame playlists and an audio-only variant, plus faststart
 * MP4 fallbacks.
 *
 * The packager is a tc_sink: plug it into tc_run (ladder ingest, nothing written twice) or
 * tc_disk_replay (ladder package). Lifecycle: pkg_open -> feed the sink -> pkg_finish -> pkg_close.
 * pkg_open writes into the folder it is given (a staging folder); pkg_finish writes the
 * playlists and poster.jpg there and pkg_write_show_json show.json. Moving the folder into
 * the library is the caller's step (cli/publish.c). */
#ifndef LADDER_PACKAGER_H
#define LADDER_PACKAGER_H

#include <time.h>

#include "ladder.h"
#include "profiles.h"
#include "transcoder.h"

typedef struct pkg_packager pkg_packager;

typedef struct pkg_params {
    const char *out_dir;      /* folder to write the show into; must exist and be empty */
    double segment_seconds;   /* target segment length, a multiple of the GOP (6) */
    prof_container container; /* TS segments, or fMP4 (init.mp4 + .m4s) */
    const char *entry_prefix; /* when set (e.g. "v2/"), pkg_finish also writes entry.m3u8: the
                                 master playlist as seen from the show's top folder */
    ladder_logger logger;
} pkg_params;

/* Per-variant figures measured while packaging, for the multivariant playlist and show.json. */
typedef struct pkg_variant_stats {
    char name[PROF_NAME_MAX];
    int is_audio_only;
    int segments;
    double duration;          /* seconds */
    double avg_bps, peak_bps; /* measured over the segments, muxed audio included */
    char codecs[64];          /* the CODECS attribute, e.g. "avc1.64001f,mp4a.40.2" */
} pkg_variant_stats;

/* Copies params. Returns 0 or a negative code with err filled. */
int pkg_open(pkg_packager **out, const pkg_params *params, ladder_error *err);

/* The sink to feed; valid until pkg_close. Thread-safe as tc_sink requires. */
const tc_sink *pkg_get_sink(pkg_packager *p);

/* The first error a sink callback hit, if any (err->code 0 when none). */
const ladder_error *pkg_sink_error(const pkg_packager *p);

/* After the sink's end: writes master.m3u8 and the I-frame playlists. */
int pkg_finish(pkg_packager *p, ladder_error *err);

/* Measured figures per HLS variant (n set to the count); valid until pkg_close. */
const pkg_variant_stats *pkg_get_variants(const pkg_packager *p, int *n);

/* What show.json says besides the measured figures. All borrowed for the call. */
typedef struct pkg_show_info {
    const char *id, *title; /* title NULL: the id */
    int version;            /* the library version (vN) this show becomes; 0: none */
    const tc_plan *plan;
    const tc_stream_stats *stats; /* per plan stream (PSNR/SSIM); may be NULL */
} pkg_show_info;

/* After pkg_finish: writes show.json (facts, per-rendition figures, every file's size and
 * SHA-256). The one file of a show that is not byte-identical between runs: it has a date. */
int pkg_write_show_json(pkg_packager *p, const pkg_show_info *info, ladder_error *err);

void pkg_close(pkg_packager *p);

/* ---- validation ---------------------------------------------------------------------------- */

#define PKG_MAX_FAILURES 256

typedef struct pkg_failure {
    char file[256]; /* relative to the show folder */
    char rule[64];  /* a stable rule name, e.g. "segment-starts-with-idr" */
    char message[256];
} pkg_failure;

typedef struct pkg_report {
    int checks;     /* checks made */
    int n_failures; /* failures kept (at most PKG_MAX_FAILURES) */
    pkg_failure failures[PKG_MAX_FAILURES];
} pkg_report;

/* Checks the show in show_dir against the file-level publishing rules
 * (shared/docs/hls-checklist.md; the rules are listed in validate.c). With a ladder (borrowed
 * for the call) each HLS variant and MP4 is also held to its rung's promises (size, profile,
 * level, frame rate); NULL skips those. Returns 0 when everything passes, LADDER_EVALIDATE with
 * the failures in *report otherwise, or LADDER_ENOMEM. report is large: allocate it. */
int pkg_validate(const char *show_dir, const prof_ladder *ladder, pkg_report *report);

/* ---- the show library (library.c) ---------------------------------------------------------
 * LIBRARY/ID/vN/ holds one published version; LIBRARY/ID/current -> vN is swapped atomically;
 * master.m3u8, show.json and poster.jpg at LIBRARY/ID/ are symlinks through current. A
 * superseded version is kept PKG_KEEP_SUPERSEDED_SECONDS for players still on it. The caller
 * serialises publishes of one id. */

#define PKG_KEEP_SUPERSEDED_SECONDS (24 * 3600)

/* The N that `current` points at, 0 when there is none. */
int pkg_library_current_version(const char *show_dir);
/* One more than the highest vN folder present (1 for a new show). */
int pkg_library_next_version(const char *show_dir);
/* In a new show folder holding vN: the current link and the top-level links through it. */
int pkg_library_make_links(const char *show_dir, int version, ladder_error *err);
/* Points current at vN (already in place) and marks the previous version superseded. */
int pkg_library_swap(const char *show_dir, int version, ladder_error *err);
/* Removes versions superseded more than keep_seconds before now, and never-published ones.
 * Returns how many went. */
int pkg_library_prune(const char *show_dir, time_t now, int keep_seconds);
/* out = the folder of the current version (show_dir itself for an unversioned show folder).
 * Returns the version (0 unversioned) or -1 when out is too small. */
int pkg_library_version_dir(const char *show_dir, char *out, size_t len);

#endif

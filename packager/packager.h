/* packager.h: turns a transcoder's packets into a published show: HLS (MPEG-TS segments by
 * default) with master, media and I-frame playlists, an audio-only variant and subtitle
 * renditions, plus faststart MP4 fallbacks with sidecar captions.
 *
 * The packager is a ladder_sink: plug it into tc_run (ladder ingest, nothing written twice) or
 * tc_disk_replay (ladder package). Lifecycle: pkg_open -> feed the sink -> pkg_finish -> pkg_close.
 * pkg_open writes into the folder it is given (a staging folder); pkg_finish writes the
 * playlists, the caption tracks and poster.jpg there and pkg_write_show_json show.json. Moving
 * the folder into the library is the caller's step (library/library.h). */
#ifndef LADDER_PACKAGER_H
#define LADDER_PACKAGER_H

#include <time.h>

#include "ladder.h"
#include "profiles.h"
#include "media.h"

typedef struct pkg_packager pkg_packager;

typedef struct pkg_params {
    const char *out_dir;      /* folder to write the show into; must exist and be empty */
    double segment_seconds;   /* target segment length, a multiple of the GOP (6) */
    double gop_seconds;       /* the IDR grid (2): where cuts may move to around ad breaks */
    prof_container container; /* TS segments, or fMP4 (init.mp4 + .m4s) */
    int thumbnails_off;       /* no trick-play thumbnails (the profile's thumbnails="off") */
    const char *entry_prefix; /* when set (e.g. "v2/"), pkg_finish also writes entry_name: */
    const char *entry_name;   /* the master playlist as seen from the show's top folder */
    /* Caption tracks, published as HLS subtitle renditions and sidecar WebVTT files; borrowed
     * until pkg_close. Languages must be distinct language tags (PKG_MAX_CAPTION_TRACKS). */
    const ladder_captions *captions;
    int n_captions;
    /* The CLOSED-CAPTIONS rendition for renditions whose video carries CEA-608 (the plan's
     * cc608): its LANGUAGE and NAME (NULL: "en", "CC1"); borrowed until pkg_close. */
    const char *cc_language, *cc_name;
    /* The show's id, for the ad breaks' asset-list URIs (/ads/<id>/break-K.json); needed when
     * the plan has breaks. Borrowed until pkg_close. */
    const char *show_id;
    ladder_logger logger;
    /* Told of each HLS segment once its file is complete, from the thread that wrote it, in
     * order within a variant: the variant's playlist as the multivariant playlist names it
     * ("hls/hls-720p-3000/index.m3u8"), the segment's name in it, and whether the variant is
     * audio only. May be NULL. Publishing reads each segment ahead with it (val_reader). */
    void (*on_segment)(void *opaque, const char *playlist, const char *segment, int audio_only);
    void *on_segment_opaque;
} pkg_params;

#define PKG_MAX_CAPTION_TRACKS 16

/* Whether caption tracks can be published: distinct language tags, names fit for a playlist.
 * pkg_open checks the same; calling it first fails before any encoding. */
int pkg_check_captions(const ladder_captions *subs, int n, ladder_error *err);

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

/* The sink to feed; valid until pkg_close. Thread-safe as ladder_sink requires. */
const ladder_sink *pkg_get_sink(pkg_packager *p);

/* One more caption track, before pkg_finish (the source's CEA-608 decoded while it was
 * transcoded); checked as pkg_open checks params' tracks. Borrowed until pkg_close. */
int pkg_add_captions(pkg_packager *p, const ladder_captions *track, ladder_error *err);

/* After the sink's end: writes master.m3u8 and the I-frame playlists. */
int pkg_finish(pkg_packager *p, ladder_error *err);

/* Measured figures per HLS variant (n set to the count); valid until pkg_close. */
const pkg_variant_stats *pkg_get_variants(const pkg_packager *p, int *n);

/* What show.json says besides the measured figures. All borrowed for the call. */
typedef struct pkg_show_info {
    const char *id, *title; /* title NULL: the id */
    int version;            /* the library version (vN) this show becomes; 0: none */
    const ladder_plan *plan;
    const ladder_stream_stats *stats; /* per plan stream (PSNR/SSIM); may be NULL */
    const char *per_title;            /* the "per_title" object (tc_per_title_json); NULL: none */
} pkg_show_info;

/* After pkg_finish: writes show.json (facts, per-rendition figures, every file's size and
 * SHA-256). The one file of a show that is not byte-identical between runs: it has a date. */
int pkg_write_show_json(pkg_packager *p, const pkg_show_info *info, ladder_error *err);

void pkg_close(pkg_packager *p);

/* Hex SHA-256 of a file, as show.json lists it; returns the file's size, or -1 when it cannot
 * be read. */
long long pkg_sha256_file(const char *path, char hex[65]);

#endif

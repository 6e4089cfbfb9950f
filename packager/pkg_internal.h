/* pkg_internal.h: what the packager's files share. Never included from outside packager/. */
#ifndef LADDER_PKG_INTERNAL_H
#define LADDER_PKG_INTERNAL_H

#include <stdio.h>

#include <libavformat/avformat.h>

#include "media_av.h"
#include "packager.h"

/* A growable list of packet copies, in arrival order. */
typedef struct pkt_list {
    AVPacket **pkts;
    int n, cap;
} pkt_list;

/* Makes room for element n of a growing array (doubling); 0, or -1 when out of memory. */
int pkg_grow(void **array, int *cap, int n, size_t size);

int pkt_list_add(pkt_list *l, const ladder_packet *p);
void pkt_list_clear(pkt_list *l);

typedef struct hls_segment {
    double start, duration; /* seconds, media time */
    int64_t bytes;
} hls_segment;

typedef struct hls_iframe {
    int segment;
    int64_t offset, size; /* byte range in the segment file */
    double start;         /* seconds */
} hls_iframe;

/* One HLS variant written as MPEG-TS or fMP4 segments by one muxer, so continuity counters,
 * fragment sequence numbers and timestamps run on across segments. */
typedef struct seg_writer {
    AVFormatContext *oc;
    int fmp4;   /* fMP4 (init.mp4 + segNNNNN.m4s) rather than TS (segNNNNN.ts) */
    FILE *file; /* the segment being written */
    char dir[1024];
    int video, audio;    /* muxer stream index, -1 when absent */
    AVRational in_tb[2]; /* the packets' own time base, per muxer stream */
    int n_segments, cap_segments;
    hls_segment *segments;
    int n_iframes, cap_iframes;
    hls_iframe *iframes;
    int64_t segment_start_pos;
} seg_writer;

/* Opens a writer into dir (created) for the given plan streams (video or audio may be NULL). */
int seg_writer_open(seg_writer *w, const char *dir, int fmp4, const ladder_stream *video,
                    const ladder_stream *audio, ladder_error *err);
/* Writes one segment: video packets (may be empty) and audio packets, already in the packets'
 * own time bases, starting at `start` seconds and lasting `duration`. */
int seg_writer_segment(seg_writer *w, double start, double duration, AVPacket **video, int n_video,
                       AVPacket **audio, int n_audio, ladder_error *err);
int seg_writer_close(seg_writer *w, ladder_error *err);
void seg_writer_free(seg_writer *w);

/* Playlists (playlists.c). */

/* Writes t to path atomically and frees t; out of memory while building t is an error. */
int pkg_save_text(ladder_text *t, const char *path, ladder_error *err);
typedef struct pkg_master_entry {
    pkg_variant_stats stats;
    int target_kbps; /* the rung's video bitrate from the ladder */
    int width, height;
    double fps;
    char uri[256], iframe_uri[256]; /* relative to the master playlist */
    char video_codec[32];           /* CODECS of the I-frame stream: the avc1 part only */
    double iframe_peak_bps;
    int cc608; /* its video carries CEA-608 (CC1) */
} pkg_master_entry;

/* The target duration is the longest EXTINF rounded, and never below min_target (the
 * profile's segment length), so a show shorter than one segment still says 6. */
int write_media_playlist(const char *path, const seg_writer *w, int min_target, ladder_error *err);
/* The same for any list of segments named segNNNNN.<ext> (the subtitle playlists). */
int write_segment_playlist(const char *path, const hls_segment *segs, int n, const char *ext,
                           int fmp4, int min_target, ladder_error *err);
int write_iframe_playlist(const char *path, const seg_writer *w, double total, ladder_error *err);
double iframe_peak_bps(const seg_writer *w, double total);
/* Subtitle renditions first (one per caption track), then the entries in the order given;
 * I-frame streams follow for every video entry. Every URI gets `prefix` in front ("" for the
 * version's own master.m3u8, "vN/" for entry.m3u8). */
typedef struct pkg_master_text {
    const ladder_captions *subs; /* the SUBTITLES renditions */
    int n_subs;
    const char *cc_language, *cc_name; /* the CLOSED-CAPTIONS rendition, when a rung has 608 */
} pkg_master_text;
int write_master_playlist(const char *path, const pkg_master_entry *v, int n,
                          const pkg_master_text *text, const char *prefix, ladder_error *err);

/* Caption tracks (captions.c): subtitles/LANG/index.m3u8 with WebVTT segments cut at the
 * video's segments `segs`, and the whole track as subtitles/LANG.vtt for the MP4 fallbacks. */
#define PKG_SUBTITLES_DIR   "subtitles"
#define PKG_SUBTITLES_GROUP "subs"
#define PKG_CC_GROUP        "cc"
#define PKG_SDH_CHARACTERISTICS                                                                    \
    "public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-"     \
    "sound"
int write_caption_tracks(const char *out_dir, const ladder_captions *subs, int n_subs,
                         const hls_segment *segs, int n_segs, int min_target,
                         const ladder_logger *lg, ladder_error *err);

/* Timestamps in TS are offset by this much so no stream starts below zero (B-frame and AAC
 * priming delays) and every rung keeps identical PTS. */
#define PKG_TS_OFFSET_SECONDS 10

/* poster.c: poster.jpg from the first picture of segment `segment` (file extension `ext`)
 * of HLS rung `rung`; *width and *height get its size (share pages announce it). */
int write_poster(const char *out_dir, const char *rung, int segment, const char *ext, int *width,
                 int *height, ladder_error *err);

/* segment_reader.c: avformat_open_input for one segment file, .ts or .m4s (read after its
 * folder's init.mp4). Returns 0 or an AVERROR. */
int ladder_open_segment(AVFormatContext **ic, const char *path);

/* "avc1.PPCCLL" from the SPS in a stream's Annex-B extradata: profile_idc, constraint flags,
 * level_idc (packager.c). */
void pkg_avc1_codec(const ladder_stream *st, char *out, size_t len);

/* packager.c accessors for show_json.c */
const char *pkg_out_dir(const pkg_packager *p);
double pkg_duration(const pkg_packager *p);
const ladder_captions *pkg_captions(const pkg_packager *p);
int pkg_n_captions(const pkg_packager *p);
/* The size of poster.jpg; 0 and 0 when the show has none. */
void pkg_poster_size(const pkg_packager *p, int *width, int *height);

#endif

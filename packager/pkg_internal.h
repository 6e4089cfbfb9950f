/* pkg_internal.h: what the packager's files share. Never included from outside packager/. */
#ifndef LADDER_PKG_INTERNAL_H
#define LADDER_PKG_INTERNAL_H

#include <pthread.h>
#include <stdio.h>

#include <libavformat/avformat.h>
#include <openssl/evp.h>

#include "media_av.h"
#include "packager.h"

/* A growable list of packet copies, in arrival order. */
typedef struct pkt_list {
    AVPacket **pkts;
    int n, cap;
} pkt_list;

/* Makes room for element n of a growing array (doubling); 0, or -1 when out of memory. */
int pkg_grow(void **array, int *cap, int n, size_t size);

/* A private copy of a sink packet, or NULL when out of memory. */
AVPacket *pkt_copy(const ladder_packet *p);
int pkt_list_add(pkt_list *l, const ladder_packet *p);
void pkt_list_clear(pkt_list *l);

typedef struct hls_segment {
    double start, duration; /* seconds, media time */
    int64_t bytes;
    char sha256[65]; /* of the file, hashed as it was written (for show.json); "": not known */
    /* fMP4: its first stream's earliest presentation time and end, in that track's timescale
     * (seg_writer.timescale), for the DASH SegmentTimeline; a video picture ends at least a
     * whole frame after it starts, as the muxer writes it */
    int64_t t0, t1;
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
    EVP_MD_CTX *sha;          /* the segment file's SHA-256, as its bytes go out */
    int hashing;              /* sha is hashing the open segment file (not fMP4's init.mp4) */
    const pkg_params *params; /* its on_segment, told of each segment file closed; may be NULL */
    char playlist[256];       /* the variant's playlist URI, for on_segment */
    int timescale;            /* of its first stream's track (fMP4's mdhd) */
    int64_t frame_ticks;      /* video: one frame in its track's timescale; 0 without video */
    int64_t seg_t0, seg_t1;   /* the open segment's times (hls_segment's t0, t1) */
} seg_writer;

/* Opens a writer into dir (created) for the given plan streams (video or audio may be NULL).
 * playlist: the variant's playlist URI, which params->on_segment (params may be NULL) is told
 * with each segment closed. */
int seg_writer_open(seg_writer *w, const char *dir, int fmp4, const ladder_stream *video,
                    const ladder_stream *audio, const pkg_params *params, const char *playlist,
                    ladder_error *err);
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
    /* fMP4: its audio rendition's GROUP-ID ("" for none, and in TS, where audio is muxed) */
    char audio_group[32];
} pkg_master_entry;

/* An EXT-X-MEDIA:TYPE=AUDIO rendition (fMP4): the group the video variants name. */
typedef struct pkg_audio_group {
    char group[32], name[32], uri[256];
    int channels;
} pkg_audio_group;

/* The target duration is the longest EXTINF rounded, and never below min_target (the
 * profile's segment length), so a show shorter than one segment still says 6. */
/* `tags` (may be NULL) go before the first segment: the ad breaks' (pkg_break_tags). */
int write_media_playlist(const char *path, const seg_writer *w, int min_target, const char *tags,
                         ladder_error *err);
/* The same for any list of segments named segNNNNN.<ext> (the subtitle playlists). */
int write_segment_playlist(const char *path, const hls_segment *segs, int n, const char *ext,
                           int fmp4, int min_target, const char *tags, ladder_error *err);
int write_iframe_playlist(const char *path, const seg_writer *w, double total, const char *tags,
                          ladder_error *err);
double iframe_peak_bps(const seg_writer *w, double total);
/* Fills v's segment count, duration and average and peak bitrate from what w wrote. */
void measure_variant(const seg_writer *w, pkg_variant_stats *v);
/* The same for a video variant and its audio rendition played together (fMP4): the peak of
 * each segment's video and audio bytes added up, as a player fetches them. */
void measure_with_audio(const seg_writer *video, const seg_writer *audio, pkg_variant_stats *v);
/* "avc1.PPCCLL" from the SPS in a stream's Annex-B extradata: profile_idc, constraint flags,
 * level_idc. */
void pkg_avc1_codec(const ladder_stream *st, char *out, size_t len);
/* Subtitle renditions first (one per caption track), then the entries in the order given;
 * I-frame streams follow for every video entry. Every URI gets `prefix` in front ("" for the
 * version's own master.m3u8, "vN/" for entry.m3u8). */
typedef struct pkg_master_text {
    const ladder_captions *subs; /* the SUBTITLES renditions */
    int n_subs;
    const struct pkg_thumbs *thumbs; /* the EXT-X-IMAGE-STREAM-INF entries (thumbnails.c) */
    int n_thumbs;
    const char *cc_language, *cc_name; /* the CLOSED-CAPTIONS rendition, when a rung has 608 */
    const pkg_audio_group *audio;      /* the AUDIO renditions (fMP4) */
    int n_audio;
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
                         const hls_segment *segs, int n_segs, int min_target, const char *tags,
                         const ladder_logger *lg, ladder_error *err);

/* Timestamps in TS are offset by this much so no stream starts below zero (B-frame and AAC
 * priming delays) and every rung keeps identical PTS. */
#define PKG_TS_OFFSET_SECONDS 10

/* ---- the packager's state: packager.c runs the sink, each concern's file owns its part ---- */

/* A segment whose video is complete, waiting for its audio. */
typedef struct closed_segment {
    pkt_list video;
    double start, end;
} closed_segment;

typedef struct hls_rung {
    pthread_mutex_t lock; /* the rung's state and writer */
    int stream, audio;    /* plan indexes; audio: the audio muxed in (TS), -1 for none */
    int group_audio;      /* the audio the variant plays: muxed (TS) or its own track (fMP4) */
    seg_writer w;
    pkt_list open; /* video of the segment being gathered */
    double open_start;
    int64_t next_cut;        /* 1/90000: the first IDR at or after this starts a segment */
    int next_break;          /* the plan's first ad break not reached yet: its IDR cuts too */
    closed_segment *waiting; /* in order; written once their audio is in */
    int n_waiting, cap_waiting;
    int audio_reader; /* its place among the audio store's readers */
    double video_end; /* seconds: end of the last video packet */
} hls_rung;

typedef struct mp4_rung {
    int stream, audio;
    AVFormatContext *oc;
    int audio_reader;
} mp4_rung;

/* Every HLS rung, MP4 rung and the audio-only variant reading one audio stream. */
#define PKG_AUDIO_READERS_MAX (2 * PROF_MAX_RUNGS + 1)

/* An audio stream's packets from the oldest one a reader still needs to the newest: a packet
 * every reader has taken is freed, so memory follows the distance between the fastest and the
 * slowest reader, not the show's length. */
typedef struct audio_store {
    pthread_mutex_t lock; /* everything below */
    pkt_list pkts;        /* packets first .. first + pkts.n - 1 of the stream */
    int64_t first;
    int n_readers;
    int64_t next[PKG_AUDIO_READERS_MAX]; /* each reader's next packet */
    AVRational tb;
    double last_pts; /* seconds; how far the audio has arrived */
    int ended;
} audio_store;

/* An HLS audio track of its own (audio_tracks.c): an AAC cut at the first HLS rung's segment
 * times, written a segment at a time as the cuts and the audio come in. */
typedef struct audio_track {
    pthread_mutex_t lock; /* the writer and the cuts */
    int audio;            /* plan stream */
    char name[32];        /* its folder under hls/: "audio", "audio-128" */
    int audio_reader;
    seg_writer w;
    int opened, written; /* segments written */
    double *cuts;        /* segment start times, from the first HLS rung */
    int n_cuts, cap_cuts;
} audio_track;

typedef struct pkg_thumbnailer pkg_thumbnailer; /* thumbnails.c */

struct pkg_packager {
    pkg_params params;
    char out_dir[1024];
    char entry_prefix[32], entry_name[64];
    ladder_plan plan;
    hls_rung hls[PROF_MAX_RUNGS];
    int n_hls;
    mp4_rung mp4[PROF_MAX_RUNGS];
    int n_mp4;
    audio_store audio[LADDER_MAX_STREAMS]; /* indexed by plan stream */
    double duration;
    audio_track audio_tracks[LADDER_MAX_STREAMS]; /* the first: the audio-only variant */
    int n_audio_tracks;
    ladder_captions captions[PKG_MAX_CAPTION_TRACKS]; /* shallow copies: the cues are borrowed */
    int n_captions;
    pkg_variant_stats variants[PROF_MAX_RUNGS + 1];
    int n_variants;
    int poster_width, poster_height; /* 0 until poster.jpg is written */
    pkg_thumbnailer *thumbs;         /* the trick-play thumbnails; NULL: none */
    ladder_text break_tags; /* PDT and DATERANGEs for every media playlist; empty: no breaks */
    ladder_sink sink;
    pthread_mutex_t error_lock;
    ladder_error error; /* the first failure, sticky */
};

/* breaks.c: fills break_tags from the plan's breaks (after the sink's begin). */
int pkg_break_tags(pkg_packager *p, ladder_error *err);

/* The profile's segment length in whole seconds: the least target duration of a playlist. */
int pkg_target_seconds(const pkg_packager *p);

/* audio_store.c: the audio stores. */

/* Stores a copy of an audio packet; 0, or an AVERROR when out of memory. */
int audio_store_add(audio_store *a, const ladder_packet *pkt);
/* A new reader's place in audio stream `audio`'s store; -1 when audio is -1 (none). */
int add_audio_reader(pkg_packager *p, int audio);
/* Whether audio stream `audio` (-1: none) has come up to `end` seconds. */
int audio_ready(pkg_packager *p, int audio, double end);
/* Reader `reader`'s next packets of an audio stream whose time is before `end` (or at it,
 * with `inclusive`): new references in a new array (*out, NULL when none), for the caller to
 * free with free_taken, so the store may drop its own while the caller muxes them. Returns the
 * count, or -1 when out of memory. */
int take_audio(pkg_packager *p, int audio, int reader, double end, int inclusive, AVPacket ***out);
void free_taken(pkg_packager *p, int audio, AVPacket **pkts, int n);

/* hls_segments.c: the HLS rungs. Those called per packet take the rungs' locks. */

int hls_rung_open(pkg_packager *p, const ladder_stream *v, ladder_error *err);
/* Writes one segment of a variant: video packets given, audio from the store up to `end`. */
int write_variant_segment(pkg_packager *p, seg_writer *w, int audio, int reader, AVPacket **video,
                          int n_video, double start, double end, double duration,
                          ladder_error *err);
/* A video packet for every rung of its stream (each under its lock). */
int hls_video_packet(pkg_packager *p, const ladder_packet *pkt, ladder_error *err);
/* Audio stream `audio` has come further: the segments of its rungs waiting for it (each rung
 * under its lock). */
int hls_audio_arrived(pkg_packager *p, int audio, ladder_error *err);
/* After the last packet: every rung's last segment, then its writer closed. */
int hls_finish(pkg_packager *p, ladder_error *err);
/* index.m3u8 and iframes.m3u8 of a rung, and its master playlist entry. */
int hls_rung_playlists(pkg_packager *p, const hls_rung *r, pkg_master_entry *e, ladder_error *err);
void hls_rung_free(hls_rung *r);

/* mp4_fallback.c: the MP4 rungs, each touched by its own video stream's calls only. */

int mp4_rung_open(pkg_packager *p, const ladder_stream *v, ladder_error *err);
/* A video packet for every MP4 rung of its stream, after the audio up to its time. */
int mp4_video_packet(pkg_packager *p, const ladder_packet *pkt, ladder_error *err);
/* After the last packet: the rest of the audio and the moov, for every MP4 rung. */
int mp4_finish(pkg_packager *p, ladder_error *err);
void mp4_rung_free(mp4_rung *m);

/* audio_tracks.c: the audio tracks of their own. */

/* Picks them (none without an HLS rung) and registers each as a reader. */
void audio_tracks_begin(pkg_packager *p);
/* The track of plan stream `audio`, or NULL. */
const audio_track *audio_track_of(const pkg_packager *p, int audio);
/* A segment start time, from the first HLS rung's thread. */
int audio_tracks_cut(pkg_packager *p, double when, ladder_error *err);
/* Writes the segments of audio stream `audio`'s track whose end is known and audio is in. */
int audio_tracks_flush(pkg_packager *p, int audio, ladder_error *err);
/* After the last packet: the rest of every track. */
int audio_tracks_finish(pkg_packager *p, ladder_error *err);
/* hls/<name>/index.m3u8, and the track's entry as an audio-only variant (e comes zeroed). */
int audio_track_playlist(pkg_packager *p, const audio_track *t, pkg_master_entry *e,
                         ladder_error *err);
void audio_track_free(audio_track *t);

/* dash.c: manifest.mpd over the fMP4 segments the HLS playlists name (docs/dash.md), after
 * the HLS playlists and the caption tracks. */
#define PKG_DASH_MANIFEST "manifest.mpd"
int write_dash_manifest(pkg_packager *p, ladder_error *err);

/* variant_order.c: the order of the master playlist's entries. */
void order_variants(pkg_master_entry *e, int n);

/* poster.c: poster.jpg from the largest HLS rung up to 720p, a third of the way in; sets
 * p's poster size. Nothing, and 0, when no rung has a segment. */
int make_poster(pkg_packager *p, ladder_error *err);
/* Encodes a full-range 4:2:0 picture (AV_PIX_FMT_YUVJ420P) as a baseline JPEG file at the fixed
 * quantiser qscale, bit-exact so that a show's bytes repeat; the file's size in *bytes (may be
 * NULL). An AVERROR on failure. Also the thumbnails' sheets. */
int pkg_write_jpeg(AVFrame *yuvj, int qscale, const char *path, int64_t *bytes);

/* thumbnails.c: trick-play thumbnails (docs/packager.md, "Thumbnails"): every IDR on the
 * thumbnail grid of one HLS rung, decoded as it arrives, scaled into JPEG sprite sheets of each
 * tile width, a sheet written as it fills; at the end the last sheet, the WebVTT tracks and the
 * image media playlists. */

#define PKG_THUMBS_DIR    "thumbnails"
#define PKG_THUMB_SIZES   2 /* tile widths 160 and 320 */
#define PKG_THUMB_COLUMNS 5
#define PKG_THUMB_ROWS    5

/* One tile width's published thumbnails: what show.json, the master playlist and the MPD
 * writer need. Sheet k is <dir>/sheet<k, 5 digits>.jpg (k from 0); sheet k holds tiles
 * k*columns*rows.., left to right then top to bottom; tile i shows the IDR at i*interval and
 * stands for [i*interval, (i+1)*interval), the last one up to the show's end. Every sheet is
 * sheet_width x sheet_height, the last one's unused tiles black. */
typedef struct pkg_thumbs {
    int width, height;             /* one tile, px: height even, the video's aspect */
    int columns, rows;             /* tiles per sheet (DASH thumbnail_tile "5x5", LAYOUT) */
    int sheet_width, sheet_height; /* columns * width, rows * height */
    double interval;               /* seconds per tile */
    int tiles, sheets;             /* tiles with a picture; sheets written */
    double duration;               /* seconds the tiles cover: the show's */
    double peak_bps;               /* the largest sheet's bits over the seconds it covers */
    char dir[32];                  /* "thumbnails/160", relative to the version folder */
    char vtt[32];                  /* "thumbnails/160.vtt" */
    char playlist[48];             /* "thumbnails/160/index.m3u8" (image media playlist) */
} pkg_thumbs;

/* After the sink's begin (runs alone): picks the rung and opens the decoder; nothing when the
 * profile turns thumbnails off or there is no HLS rung. */
int thumbs_begin(pkg_packager *p, ladder_error *err);
/* A video packet (any stream; only the chosen rung's IDRs are used). Thread-safe. */
int thumbs_video_packet(pkg_packager *p, const ladder_packet *pkt, ladder_error *err);
/* After the sink's end (p->duration known): the last sheets, the .vtt files and the image
 * playlists. */
int thumbs_finish(pkg_packager *p, ladder_error *err);
/* The thumbnails published, one per tile width (*n = 0 when none): complete once pkg_finish
 * has run thumbs_finish (the MPD writer runs after it); valid until pkg_close. */
const pkg_thumbs *pkg_thumbnails(const pkg_packager *p, int *n);
/* The master playlist's EXT-X-IMAGE-STREAM-INF lines, URIs with prefix in front. */
void thumbs_master_lines(ladder_text *t, const pkg_thumbs *th, int n, const char *prefix);
void thumbs_free(pkg_packager *p);

/* packager.c accessors for show_json.c */
const char *pkg_out_dir(const pkg_packager *p);
/* Whether the show's segments are fMP4. */
int pkg_fmp4(const pkg_packager *p);
/* Whether pkg_finish writes a DASH manifest: fMP4 segments and at least one HLS rung. */
int pkg_has_dash(const pkg_packager *p);
double pkg_duration(const pkg_packager *p);
const ladder_captions *pkg_captions(const pkg_packager *p);
int pkg_n_captions(const pkg_packager *p);
/* The size of poster.jpg; 0 and 0 when the show has none. */
void pkg_poster_size(const pkg_packager *p, int *width, int *height);

#endif

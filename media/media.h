/* media.h: the types every media component shares: the output streams a transcode plans,
 * the encoded packets it makes, and the sink that receives them. The transcoder produces them,
 * the packager consumes them; neither needs the other to build. Also caption tracks, read from
 * caption files for the packager and the validator. No FFmpeg or x264 types here.
 *
 * Timestamps: video packets use a 1/90000 time base with 0 at the first source frame; audio
 * packets use 1/sample_rate on the same origin. */
#ifndef LADDER_MEDIA_H
#define LADDER_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "ladder.h"

#define LADDER_VIDEO_TIMEBASE 90000
#define LADDER_MAX_STREAMS    (LADDER_MAX_RUNGS + 8)

typedef enum { LADDER_STREAM_VIDEO = 0, LADDER_STREAM_AUDIO = 1 } ladder_stream_kind;

/* ---- ad breaks (breaks.c; docs/ads.md) ---------------------------------------------------- */

#define LADDER_MAX_BREAKS       64
#define LADDER_SCTE35_MAX       256  /* bytes of one splice_info_section kept for SCTE35-OUT */
#define LADDER_BREAK_DURATION   30.0 /* seconds planned when nothing says otherwise */
#define LADDER_BREAK_MIN_GAP    1.0  /* seconds: breaks closer than this are refused */
#define LADDER_BREAK_ID_MAX     16   /* "break-64" and its NUL */
#define LADDER_BREAK_EPOCH_TEXT "2000-01-01T00:00:00.000Z" /* the PDT of media time 0 */

/* Where a break came from: bits, since a cue and an option on the same frame merge. */
enum { LADDER_BREAK_OPTION = 1, LADDER_BREAK_SCTE35 = 2 };

/* One ad break: where the editor (or the mezzanine's SCTE-35) asked for it, and the source
 * frame it was rounded to. Every rung has an IDR starting a segment at that frame. */
typedef struct ladder_break {
    double time;     /* seconds from the first picture, as asked */
    double duration; /* planned length in seconds, > 0 */
    int source;      /* LADDER_BREAK_* bits */
    int64_t frame;   /* the source frame it starts on, at the nominal frame rate */
    int64_t pts;     /* that frame's time, 1/90000 from the first picture */
    uint8_t scte35[LADDER_SCTE35_MAX]; /* the cue's splice_info_section, for SCTE35-OUT */
    int scte35_size;
} ladder_break;

/* One output stream: a video rendition or a shared AAC track. */
typedef struct ladder_stream {
    int index; /* position in ladder_plan.streams */
    ladder_stream_kind kind;
    char name[LADDER_NAME_MAX]; /* the rung name, or "audio-<kbps>k" */
    int timebase_den;           /* packets' time base is 1/timebase_den */
    int bitrate_kbps;           /* target average bitrate */
    /* video */
    double crf; /* x264's rate factor under the rung's VBV (docs/transcoder.md); 0: 1-pass ABR */
    int rung;   /* index of the rung in the ladder; -1 for audio */
    int use;    /* PROF_USE_HLS or PROF_USE_MP4 (profiles.h) */
    int maxrate_kbps, bufsize_kbps; /* the rung's VBV */
    double vbv_init;      /* the VBV's fullness the encode started from; 0: x264's default, 0.9 */
    int width, height;    /* coded picture size (square pixels) */
    int fps_num, fps_den; /* nominal output frame rate */
    int profile_idc, level_idc;
    int audio_stream; /* index of the audio stream muxed with it, -1 if none */
    int cc608;        /* carries the source's CEA-608 as A/53 SEI; final at the sink's end */
    /* audio */
    int sample_rate, channels;
    /* codec configuration: SPS+PPS in Annex-B for video, AudioSpecificConfig for audio */
    uint8_t extradata[512];
    int extradata_size;
} ladder_stream;

/* What a transcode makes from its source: the output streams and facts about the source. */
typedef struct ladder_plan {
    int n_streams;
    ladder_stream streams[LADDER_MAX_STREAMS];
    int n_video, n_audio;
    int n_skipped; /* rungs dropped because the source is too small */
    char skipped[LADDER_MAX_RUNGS][LADDER_NAME_MAX];
    /* facts about the source */
    int src_width, src_height; /* display size after rotation and pixel aspect */
    int src_fps_num, src_fps_den;
    double src_duration; /* seconds, as the container declares it */
    int src_rotation;    /* degrees clockwise applied: 0, 90, 180, 270 */
    int src_interlaced;  /* 1 if the source is deinterlaced */
    int src_has_audio;
    char src_video_codec[32], src_pix_fmt[32];
    /* ad breaks conditioned into every rung (breaks.c), in time order */
    int n_breaks;
    ladder_break breaks[LADDER_MAX_BREAKS];
} ladder_plan;

/* An encoded packet. Borrowed: data is valid only during the sink's packet call. */
typedef struct ladder_packet {
    int stream;          /* index into ladder_plan.streams */
    const uint8_t *data; /* Annex-B NAL units (video, SPS/PPS repeated before IDRs) or raw AAC */
    int size;
    int64_t pts, dts; /* in the stream's time base */
    int64_t duration; /* in the stream's time base */
    int keyframe;     /* 1 on IDR frames (video) and on every audio packet */
} ladder_packet;

/* Where encoded packets go. Calls for one stream are never concurrent and come in decode
 * order; calls for different streams may come from different threads at the same time.
 * A callback that fails returns a negative code with err filled; the run stops and hands that
 * error to its caller unchanged, so the user reads the sink's own words. */
typedef struct ladder_sink {
    void *opaque;
    /* once, after the plan is final (all extradata filled), before any packet */
    int (*begin)(void *opaque, const ladder_plan *plan, ladder_error *err);
    int (*packet)(void *opaque, const ladder_packet *pkt, ladder_error *err);
    /* once, after the last packet of every stream, only if the run succeeded */
    int (*end)(void *opaque, const ladder_plan *plan, ladder_error *err);
} ladder_sink;

/* Per-stream results of an encode (tc_run fills them; summary.json carries them). */
typedef struct ladder_stream_stats {
    int64_t frames; /* packets written */
    int64_t bytes;
    double duration; /* seconds from first pts to last pts + duration */
    double avg_kbps;
    int64_t idr_count;
    double psnr_y, psnr_avg; /* mean over frames, dB (video, with b_stats) */
    double ssim;             /* mean over frames (video, with b_stats) */
} ladder_stream_stats;

/* Parses a break list: comma-separated TIME[/DURATION[/0xHEX]], TIME in seconds ("13.37") or
 * [HH:]MM:SS[.mmm], DURATION in seconds (default LADDER_BREAK_DURATION), HEX a cue's
 * splice_info_section (what ladder_breaks_format writes for SCTE-35 breaks). Appends to
 * out[*n..max); returns 0 or LADDER_EINVAL with a one-line err naming the bad item. */
int ladder_breaks_parse(const char *list, ladder_break *out, int max, int *n, ladder_error *err);
/* Rounds each break to the nearest frame at fps_num/fps_den, sorts them, merges those a frame
 * or less apart (an option's frame and duration win, a cue's bytes are kept) and checks them:
 * within [0, duration) of a source lasting `duration` seconds (0: unknown), LADDER_BREAK_MIN_GAP
 * apart. Returns 0 or LADDER_EINVAL with a one-line err. */
int ladder_breaks_resolve(ladder_break *b, int *n, int fps_num, int fps_den, double duration,
                          ladder_error *err);
/* The resolved list as ladder_breaks_parse reads it back to the same breaks. */
void ladder_breaks_format(ladder_text *t, const ladder_break *b, int n);
/* Whether the picture at pts (1/90000) is where a break starts: the first picture at or after
 * half a source frame before it. *next is the first break not yet reached (start at 0); every
 * stage that meets the pictures in order (encoder, segmenter) asks the same question. */
int ladder_break_reached(const ladder_plan *plan, int *next, int64_t pts);
/* "break-K" for the break at index i (K = i + 1). */
void ladder_break_id(int i, char *out, size_t size);
/* The break's EXT-X-DATERANGE START-DATE: LADDER_BREAK_EPOCH_TEXT plus its pts, to the ms. */
void ladder_break_start_date(const ladder_break *b, char *out, size_t size);
/* "option", "scte35" or "option+scte35". */
const char *ladder_break_source_name(int source);

/* ---- captions (captions.c) ----------------------------------------------------------------- */

#define LADDER_LANGUAGE_MAX 36 /* an RFC 5646 tag as HLS LANGUAGE takes it, with its NUL */

/* One caption: a WebVTT cue payload (UTF-8, no blank line) shown from start to end, in
 * milliseconds with 0 at the first source frame. */
typedef struct ladder_cue {
    int64_t start_ms, end_ms;
    char *text;
} ladder_cue;

/* A caption track: its cues sorted by start, and how players list it. */
typedef struct ladder_captions {
    char language[LADDER_LANGUAGE_MAX]; /* e.g. "en", "es-MX" */
    char name[LADDER_NAME_MAX];         /* what a captions menu shows */
    int sdh;                            /* subtitles for the deaf and hard of hearing */
    ladder_cue *cues;
    int n, cap;
} ladder_captions;

/* Reads a WebVTT, SubRip or SCC file's cues into c (its cues replaced; language, name and sdh
 * kept; a file without cues gives none). Returns 0, or a negative code with a one-line err
 * naming the file. */
int ladder_captions_read(const char *path, ladder_captions *c, ladder_error *err);
/* Frees the cues (the struct itself is the caller's). */
void ladder_captions_free(ladder_captions *c);
/* WebVTT text: one cue (a blank line, the timing line, the payload); and a bare timestamp,
 * HH:MM:SS.mmm. */
void ladder_cue_to_vtt(ladder_text *t, const ladder_cue *c);
void ladder_vtt_time(ladder_text *t, int64_t ms);
/* The track as a WebVTT file (written atomically): its cues that start before before_ms. */
int ladder_captions_save(const char *path, const ladder_captions *c, int64_t before_ms,
                         ladder_error *err);

/* CEA-608 captions fed as they arrive with the pictures (cc_data triplets, as in A/53 or a MOV
 * c608 track, pts in 1/90000 from the first picture), decoded to cues with FFmpeg's cc_dec
 * (field 1, CC1). */
typedef struct ladder_cc_decoder ladder_cc_decoder;
int ladder_cc_decoder_open(ladder_cc_decoder **out, ladder_error *err);
int ladder_cc_decoder_feed(ladder_cc_decoder *d, int64_t pts, const uint8_t *cc_data, int size,
                           ladder_error *err);
/* Ends the decoding (a caption still showing comes out) and returns the cues, sorted; owned
 * by d. Feed nothing after. */
const ladder_captions *ladder_cc_decoder_cues(ladder_cc_decoder *d);
void ladder_cc_decoder_close(ladder_cc_decoder *d);

/* The share of [0, duration seconds] during which some cue shows. */
double ladder_captions_coverage(const ladder_captions *c, double duration);

/* ---- SCTE-35 cues (scte35.c; docs/ads.md) ------------------------------------------------- */

/* What one splice_info_section (ANSI/SCTE 35) says about an ad break. Times are in the 90 kHz
 * clock of the stream the section came in (its video's PTS), pts_adjustment applied. */
typedef struct ladder_scte35_cue {
    int is_out;        /* 1: an out-point, a break starts; 0: anything else (see why) */
    int command;       /* splice_command_type: 0x00 null, 0x05 splice_insert, 0x06 time_signal */
    uint32_t event_id; /* splice_event_id, or the segmentation_event_id of the out-point */
    int segmentation_type; /* time_signal: the out-point's segmentation_type_id; else -1 */
    int has_pts;           /* 1: pts90 holds the splice time */
    int immediate;         /* 1: no splice time: the splice is where the section arrives */
    int64_t pts90;         /* (pts_time + pts_adjustment) mod 2^33, 1/90000 */
    int has_duration; /* 1: duration comes from the cue (break_duration, segmentation_duration) */
    double duration;  /* seconds, 0 when absent */
    int auto_return;  /* splice_insert's break_duration auto_return flag */
    int section_size; /* bytes of the section (3 + section_length), <= the size given */
    char why[96];     /* when is_out is 0: why not, one line ("splice_null", ...) */
} ladder_scte35_cue;

/* Reads one splice_info_section (table_id 0xFC) from sec[0..size): checks its length and its
 * CRC-32 (MPEG-2), applies pts_adjustment, and fills cue. Out-points are a splice_insert with
 * out_of_network_indicator set (program splice mode; component mode is reported as not a
 * break), and a time_signal with a "CUEI" segmentation_descriptor of type 0x30, 0x32, 0x34 or
 * 0x36 (provider/distributor advertisement or placement opportunity start) that is not
 * cancelled. Returns 0 (then cue->is_out says whether it is a break), or LADDER_EINPUT with a
 * one-line err and cue cleared for a section that is truncated, malformed, encrypted or fails
 * its CRC. Never reads outside sec; sec is borrowed. */
int ladder_scte35_parse(const uint8_t *sec, int size, ladder_scte35_cue *cue, ladder_error *err);

#endif

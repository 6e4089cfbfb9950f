/* transcoder.h: one mezzanine in, every rendition of a ladder out, in one pass.
 *
 * The source is demuxed and decoded once, each distinct picture size is scaled once, each
 * rendition is encoded by its own x264 instance, and AAC is encoded once per distinct audio
 * bitrate. Encoded packets go to a tc_sink (in-process, e.g. the packager) or, through
 * tc_disk_sink, to the on-disk intermediate that `ladder package` reads back.
 *
 * Set-up order, as in x264: tc_params_default -> caller's overrides -> tc_open (which copies
 * the parameters, probes the input and plans the outputs) -> tc_run -> tc_close.
 *
 * Timestamps: all video packets use a 1/90000 time base with 0 at the first source frame;
 * audio packets use 1/sample_rate on the same origin. An IDR starts every gop_seconds of
 * presentation time (the first source frame at or after each multiple), at identical
 * timestamps on every rendition. */
#ifndef LADDER_TRANSCODER_H
#define LADDER_TRANSCODER_H

#include <stdint.h>

#include "ladder.h"
#include "profiles.h"

#define TC_VIDEO_TIMEBASE 90000
#define TC_MAX_STREAMS    (PROF_MAX_RUNGS + 8)

typedef struct tc_transcoder tc_transcoder;

typedef enum { TC_STREAM_VIDEO = 0, TC_STREAM_AUDIO = 1 } tc_stream_kind;

/* One output stream: a video rendition or a shared AAC track. */
typedef struct tc_stream {
    int index; /* position in tc_plan.streams */
    tc_stream_kind kind;
    char name[PROF_NAME_MAX]; /* the rung name, or "audio-<kbps>k" */
    int timebase_den;         /* packets' time base is 1/timebase_den */
    int bitrate_kbps;         /* target average bitrate */
    /* video */
    int rung;             /* index of the rung in the ladder; -1 for audio */
    int use;              /* PROF_USE_HLS or PROF_USE_MP4 */
    int width, height;    /* coded picture size (square pixels) */
    int fps_num, fps_den; /* nominal output frame rate */
    int profile_idc, level_idc;
    int audio_stream; /* index of the audio stream muxed with it, -1 if none */
    /* audio */
    int sample_rate, channels;
    /* codec configuration: SPS+PPS in Annex-B for video, AudioSpecificConfig for audio */
    uint8_t extradata[512];
    int extradata_size;
} tc_stream;

/* What tc_open decided to make from this source. Valid until tc_close. */
typedef struct tc_plan {
    int n_streams;
    tc_stream streams[TC_MAX_STREAMS];
    int n_video, n_audio;
    int n_skipped; /* rungs dropped because the source is too small */
    char skipped[PROF_MAX_RUNGS][PROF_NAME_MAX];
    /* facts about the source */
    int src_width, src_height; /* display size after rotation and pixel aspect */
    int src_fps_num, src_fps_den;
    double src_duration; /* seconds, as the container declares it */
    int src_rotation;    /* degrees clockwise applied: 0, 90, 180, 270 */
    int src_interlaced;  /* 1 if the source is deinterlaced */
    int src_has_audio;
    char src_video_codec[32], src_pix_fmt[32];
} tc_plan;

/* An encoded packet. Borrowed: data is valid only during the on_packet call. */
typedef struct tc_packet {
    int stream;          /* index into tc_plan.streams */
    const uint8_t *data; /* Annex-B NAL units (video, SPS/PPS repeated before IDRs) or raw AAC */
    int size;
    int64_t pts, dts; /* in the stream's time base */
    int64_t duration; /* in the stream's time base */
    int keyframe;     /* 1 on IDR frames (video) and on every audio packet */
} tc_packet;

/* Where encoded packets go. Calls for one stream are never concurrent and come in decode
 * order; calls for different streams may come from different threads at the same time.
 * A nonzero return from a callback aborts the run with that code. */
typedef struct tc_sink {
    void *opaque;
    /* once, after the plan is final (all extradata filled), before any packet */
    int (*begin)(void *opaque, const tc_plan *plan);
    int (*packet)(void *opaque, const tc_packet *pkt);
    /* once, after the last packet of every stream, only if the run succeeded */
    int (*end)(void *opaque, const tc_plan *plan);
} tc_sink;

typedef struct tc_progress {
    int64_t frames;  /* source frames decoded */
    double position; /* seconds of source done */
    double duration; /* seconds of source in all (0 if unknown) */
    double elapsed;  /* wall seconds since tc_run began */
} tc_progress;

typedef struct tc_params {
    prof_ladder ladder;   /* copied; default: the built-in pbs16 */
    int i_threads;        /* encoder worker threads; 0 = one per core */
    int i_queue_frames;   /* frames buffered per rendition, 2..64; default 8 */
    int b_stats;          /* 1: measure PSNR and SSIM in x264 (default 1) */
    ladder_logger logger; /* where x264, FFmpeg-in-library and Ladder messages go */
    /* progress, called from the decoding thread after each source frame; may be NULL */
    void (*pf_progress)(void *opaque, const tc_progress *p);
    void *progress_opaque;
} tc_params;

/* Per-stream results, filled by tc_run. */
typedef struct tc_stream_stats {
    int64_t frames; /* packets written */
    int64_t bytes;
    double duration; /* seconds from first pts to last pts + duration */
    double avg_kbps;
    int64_t idr_count;
    double psnr_y, psnr_avg; /* mean over frames, dB (video, with b_stats) */
    double ssim;             /* mean over frames (video, with b_stats) */
} tc_stream_stats;

/* Fills p with defaults (pbs16, one worker per core, stats on). Cannot fail. */
void tc_params_default(tc_params *p);

/* Opens and probes input_path and plans the outputs. The ladder in params is validated again.
 * Returns 0 with *out set, or a negative code with err filled (*out stays NULL): a missing,
 * empty or unreadable file and a file without video are LADDER_EINPUT / LADDER_ENOTFOUND. */
int tc_open(tc_transcoder **out, const char *input_path, const tc_params *params,
            ladder_error *err);

/* The plan; valid until tc_close. Extradata is filled once tc_open returns. */
const tc_plan *tc_get_plan(const tc_transcoder *t);

/* Decodes, scales and encodes the whole source into sink. May be called once. Returns 0, or a
 * negative code (a truncated or corrupt source is LADDER_EINPUT) with err filled; on failure
 * sink->end is not called and the caller discards what the sink received. */
int tc_run(tc_transcoder *t, const tc_sink *sink, ladder_error *err);

/* Results of stream i after tc_run; NULL if i is out of range. */
const tc_stream_stats *tc_get_stats(const tc_transcoder *t, int i);

/* Frees everything; t may be NULL. */
void tc_close(tc_transcoder *t);

/* The run as JSON (source facts, plan, per-stream stats, the ladder's name); `elapsed` is the
 * wall time to report. Returns a malloc'd string the caller frees with free(), NULL if out of
 * memory. The format is documented in docs/transcoder.md and read back by tc_disk_replay. */
char *tc_summary_json(const tc_transcoder *t, double elapsed);

/* Adds st to a libavformat muxer as a stream of the same codec, configuration and time base,
 * so that tc_packets can be written to it (H.264 as Annex-B, AAC raw). Returns the new stream,
 * owned by oc, or NULL when out of memory. */
struct AVFormatContext;
struct AVStream *tc_stream_add_to(struct AVFormatContext *oc, const tc_stream *st);

/* --- The on-disk intermediate (`ladder transcode --out DIR`) ---------------------------
 * DIR/<stream name>.mp4  one MP4 per stream, codec copy of the packets, 1/90000 video time base
 * DIR/summary.json        tc_summary_json: the plan, the source facts and per-stream stats
 * tc_disk_sink_open makes a sink that writes those MP4s into dir (which must exist);
 * tc_disk_replay reads them back and feeds the same packets and plan to another sink. */
typedef struct tc_disk_sink tc_disk_sink;
int tc_disk_sink_open(tc_disk_sink **out, const char *dir, ladder_error *err);
const tc_sink *tc_disk_sink_get(tc_disk_sink *ds); /* valid until tc_disk_sink_close */
/* The error that made a callback fail, if any. */
const ladder_error *tc_disk_sink_error(const tc_disk_sink *ds);
void tc_disk_sink_close(tc_disk_sink *ds);

/* Reads DIR/summary.json into *plan_out (and stats_out[i] per stream if not NULL), then feeds
 * every packet of DIR's MP4s to sink (begin, packets merged in time order, end). */
int tc_disk_replay(const char *dir, const tc_sink *sink, tc_plan *plan_out,
                   tc_stream_stats stats_out[TC_MAX_STREAMS], ladder_error *err);

#endif

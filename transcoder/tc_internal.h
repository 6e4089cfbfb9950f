/* tc_internal.h: what the transcoder's files share with each other. Not installed and never
 * included from outside transcoder/ (tests excepted). */
#ifndef LADDER_TC_INTERNAL_H
#define LADDER_TC_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <x264.h>

#include "media_av.h"
#include "transcoder.h"

/* ---- plan.c: pure decisions, unit-tested ---------------------------------------------- */

/* The size a rung gets from a source whose display size is src_w x src_h (square pixels,
 * rotation applied). Returns 1 and fills *w,*h if the rung is kept, 0 if it would need more
 * than 5% upscaling. Portrait sources turn the box sideways. */
int tc_fit_rung(int box_w, int box_h, int src_w, int src_h, int *w, int *h);

/* The smallest frame-rate divisor n (output = source/n) that keeps w x h at fps_src within
 * max_fps (0 = no cap) and within the macroblock rate of level_idc. */
int tc_fps_divisor(double fps_src, int max_fps, int w, int h, int level_idc);

/* IDR schedule: feed every frame's pts (1/90000) in order; returns 1 if the frame starts a GOP.
 * state starts at INT64_MIN. */
int tc_idr_decide(int64_t pts90, int64_t gop_ticks, int64_t *next_idr);

/* Source facts plus the plan for a ladder; fills plan (streams without extradata) and, per
 * video stream, its frame-rate divisor. */
typedef struct tc_source_info {
    int width, height;    /* coded size after rotation */
    int sar_num, sar_den; /* pixel aspect ratio (1:1 if unknown) */
    int fps_num, fps_den; /* nominal frame rate */
    int has_audio;
    int audio_sample_rate; /* source rate; output keeps 44100/48000, else 48000 */
} tc_source_info;

int tc_make_plan(const prof_ladder *ladder, const tc_source_info *src, ladder_plan *plan,
                 int fps_divisor[LADDER_MAX_STREAMS], ladder_error *err);

/* ---- source.c: demux, decode, deinterlace, rotate ------------------------------------- */

typedef struct tc_source tc_source;

int tc_source_open(tc_source **out, const char *path, const ladder_logger *lg, ladder_error *err);
void tc_source_close(tc_source *s);
void tc_source_describe(const tc_source *s, ladder_plan *plan, tc_source_info *info);
AVStream *tc_source_audio_stream(const tc_source *s);
/* Before the first tc_source_next: reading starts at the keyframe before `pts` (1/90000 from
 * the origin), so the first pictures out may be earlier than pts. */
int tc_source_seek(tc_source *s, int64_t pts, ladder_error *err);
/* Whether the source has a CEA-608 track beside its video (its bytes come on the pictures). */
int tc_source_has_caption_track(const tc_source *s);
/* The caption track's bytes are also fed to d (borrowed), at the track's own times. */
void tc_source_decode_captions_with(tc_source *s, ladder_cc_decoder *d);

/* Reads until it has the next picture: returns 1 with *frame (owned by the caller, pts
 * rescaled to 1/90000 from the video origin), 2 when an audio packet was read (passed to
 * on_audio), 0 at the end, or a negative code. */
typedef int (*tc_audio_packet_fn)(void *opaque, AVPacket *pkt);
int tc_source_next(tc_source *s, AVFrame **frame, tc_audio_packet_fn on_audio, void *opaque,
                   ladder_error *err);

/* Pictures the decoder flagged as damaged so far, and pictures decoded. */
int tc_source_decode_errors(const tc_source *s);
int64_t tc_source_decoded_pictures(const tc_source *s);

/* The audio job's way through the video: its packets, not decoded. Whether they give the same
 * times and captions as decoding would (progressive H.264); then, instead of tc_source_next,
 * returns 1 with the next video packet's pts (1/90000 from the origin, in the file's order,
 * not yet presentation order) and the cc_data in its SEI, 0 at the end, or a negative code. */
typedef struct tc_video_packet {
    int64_t pts;
    uint8_t cc[3 * 31 * 4]; /* a few A/53 messages' triplets */
    int cc_size;
} tc_video_packet;
int tc_source_packets_suffice(const tc_source *s);
int tc_source_next_packet(tc_source *s, tc_video_packet *vp, tc_audio_packet_fn on_audio,
                          void *opaque, ladder_error *err);

/* ---- sei.c: an H.264 access unit's A/53 cc_data, undecoded ------------------------------ */

/* Appends the cc_data triplets of every ATSC A/53 SEI in the packet (NAL units after
 * length_size-byte lengths, or Annex B start codes if 0) to cc, up to room bytes; returns the
 * bytes appended, or -1 out of memory. */
int tc_h264_a53_cc(const uint8_t *pkt, int size, int length_size, uint8_t *cc, int room);

/* Seconds of video the container promises, and the origin of all timestamps. */
double tc_source_video_duration(const tc_source *s);
int64_t tc_source_origin(const tc_source *s, AVRational tb);
/* Fails if the file's size or time changed since it was opened (a copy still running). */
int tc_source_check_unchanged(const tc_source *s, ladder_error *err);

/* ---- scaler.c: one scaling per distinct size, cascading from larger sizes -------------- */

typedef struct tc_scaler tc_scaler;

/* sizes: n distinct (w,h) pairs. */
int tc_scaler_open(tc_scaler **out, const int (*sizes)[2], int n, ladder_error *err);
/* Makes every size from src; out[i] are new references the caller frees. */
int tc_scaler_run(tc_scaler *sc, const AVFrame *src, AVFrame **out, ladder_error *err);
void tc_scaler_close(tc_scaler *sc);

/* ---- encoder.c: one x264 instance per rendition ---------------------------------------- */

typedef struct tc_encoder {
    x264_t *x264;
    int stream;          /* index in the plan */
    int64_t frame_ticks; /* nominal frame duration, 1/90000 */
    ladder_stream_stats stats;
    double psnr_y_sum, psnr_avg_sum, ssim_sum;
    int64_t first_pts, last_end;
    const ladder_logger *logger;
    char name[PROF_NAME_MAX];
} tc_encoder;

/* How a rendition's bits are spent: CRF crf (> 0) or 1-pass ABR at the rung's bitrate, under
 * the rung's VBV either way, but for the rate probe's first pass (no_vbv). */
typedef struct tc_rate {
    double crf;
    int no_vbv;
    double vbv_init; /* the VBV's fullness at the first picture; 0: x264's default */
} tc_rate;

int tc_encoder_open(tc_encoder *e, const prof_ladder *ladder, const prof_rung *rung,
                    ladder_stream *st, const tc_rate *rate, int b_stats, const ladder_logger *lg,
                    ladder_error *err);
/* Encodes one picture (NULL drains delayed frames) and hands packets to sink. */
int tc_encoder_encode(tc_encoder *e, const AVFrame *pic, int idr, const ladder_sink *sink,
                      ladder_error *err);
int tc_encoder_drain(tc_encoder *e, const ladder_sink *sink, ladder_error *err);
void tc_encoder_finish_stats(tc_encoder *e);
void tc_encoder_close(tc_encoder *e);

/* ---- audio.c: decode once, resample, AAC once per bitrate ------------------------------ */

typedef struct tc_audio tc_audio;

/* One encoder per plan audio stream; fills their extradata. */
int tc_audio_open(tc_audio **out, AVStream *src, int64_t origin_pts, ladder_plan *plan,
                  const ladder_logger *lg, ladder_error *err);
int tc_audio_packet(tc_audio *a, AVPacket *pkt, const ladder_sink *sink, ladder_error *err);
/* The video has a picture at `pts` (1/90000, from the origin): audio up to there may be
 * encoded, and the first call sets where the audio starts. */
void tc_audio_video_at(tc_audio *a, int64_t pts);
/* Flushes; the audio is cut or padded with silence to end with the video at `video_end`. */
int tc_audio_finish(tc_audio *a, int64_t video_end, const ladder_sink *sink, ladder_error *err);
const ladder_stream_stats *tc_audio_stats(const tc_audio *a, int stream);
void tc_audio_close(tc_audio *a);

/* ---- pool.c: encoder workers fed by bounded queues ------------------------------------- */

typedef struct tc_pool tc_pool;

int tc_pool_open(tc_pool **out, tc_encoder *encoders, int n, int threads, int queue_frames,
                 const ladder_sink *sink, ladder_error *err);
/* Queues a picture for encoder i (takes ownership of frame); blocks while that queue is full.
 * Fails if a worker has failed. */
int tc_pool_push(tc_pool *p, int i, AVFrame *frame, int idr, ladder_error *err);
/* Signals the end, waits for every encoder to drain; returns the first worker error. */
int tc_pool_finish(tc_pool *p, ladder_error *err);
void tc_pool_close(tc_pool *p);

/* ---- cc.c: CEA-608 caption bytes repaced per rendition -------------------------------- */

#define TC_CC_QUEUE_MAX 128 /* triplets: seconds of captions at any listed rate */

typedef struct tc_cc_fifo {
    int cc_count, n608; /* triplets per picture, of which 608 pairs; 0: rate not listed */
    uint8_t q608[TC_CC_QUEUE_MAX][3], q708[TC_CC_QUEUE_MAX][3];
    int n608_queued, n708_queued;
    int seen;       /* caption bytes have arrived: from then on every picture carries some */
    int dropped;    /* triplets beyond the queue's room */
    int pictures;   /* pictures given caption bytes */
    int null_field; /* which field the next 608 null pair is for */
} tc_cc_fifo;

/* Sets the pace for a rendition at fps_num/fps_den; returns 0 for a rate that cannot carry
 * 608 (the fifo then gives nothing). Set `seen` when the source is known to carry 608 from
 * its start, so every picture carries caption bytes (padding until the first arrive). */
int tc_cc_fifo_init(tc_cc_fifo *f, int fps_num, int fps_den);
/* Queues one source picture's cc_data triplets. */
void tc_cc_fifo_put(tc_cc_fifo *f, const uint8_t *cc_data, int size);
/* One rendition picture's cc_data (cc_count triplets) into out (room for 31 triplets);
 * returns its size in bytes, 0 when the rendition carries none. */
int tc_cc_fifo_take(tc_cc_fifo *f, uint8_t *out);
/* The A/53 SEI payload (user data registered by ITU-T T.35) for cc_data, malloc'd; NULL when
 * out of memory or size is not 1..31 triplets. */
uint8_t *tc_a53_sei_payload(const uint8_t *cc_data, int size, int *payload_size);

/* ---- summary.c ------------------------------------------------------------------------ */

/* What one job of a chunked transcode did (summary.json's "job"; docs/distributed.md). */
typedef struct tc_job {
    int first_segment, n_segments; /* the video chunk; n_segments 0: no chunk */
    int audio_only;
    int reached_end; /* the source ended within it */
} tc_job;

char *tc_plan_json(const ladder_plan *plan, const ladder_stream_stats *stats, const tc_job *job,
                   const char *ladder, double elapsed);
/* job may be NULL; a summary without "job" reads as a whole transcode that reached the end. */
int tc_plan_read(const char *path, ladder_plan *plan, ladder_stream_stats *stats, tc_job *job,
                 ladder_error *err);
const char *tc_get_ladder_name(const tc_transcoder *t);
/* tc_open for the rate probe (rate_probe.c): params must be one chunk's (n_segments > 0), and
 * only GOP `gop` of the show is encoded, without the rungs' VBV if no_vbv. */
int tc_open_probe(tc_transcoder **out, const char *input_path, const tc_params *params, int gop,
                  int no_vbv, ladder_error *err);
/* A probe's run of params (rate_probe.c, per_title.c): no stats, progress, breaks or audio,
 * one GOP as a chunk (tc_open_probe), at the factors crf, from x264's VBV fullness. */
void tc_probe_params(tc_params *p, const double crf[PROF_MAX_RUNGS]);
/* Before tc_run: tap is shown each source picture that is encoded (pts in 1/90000 from the
 * origin), on the decoding thread, before the encoders get it; per_title.c keeps them as the
 * reference its probes are measured against, so the source is decoded once. 0 or an error. */
typedef int (*tc_picture_tap)(void *opaque, const AVFrame *frame, ladder_error *err);
void tc_set_picture_tap(tc_transcoder *t, tc_picture_tap tap, void *opaque);

/* ---- vbv_join.c: the rungs' VBV across a chunked transcode's joins ------------------------- */

/* One rung's decoder buffer where the chunks joined so far leave it. */
typedef struct tc_vbv_buffer {
    int started;     /* a picture has come */
    double level;    /* bits, after the last picture left */
    double last_dts; /* that picture's decoding time, seconds */
} tc_vbv_buffer;

typedef struct tc_vbv_join {
    tc_vbv_buffer buffer[LADDER_MAX_STREAMS]; /* per stream of the plan */
} tc_vbv_join;

/* What a chunk would do to the buffers. */
typedef struct tc_vbv_verdict {
    int underflows; /* some rung's buffer runs dry in the chunk */
    /* per rung of the ladder, the vbv_init to encode the chunk with again (tc_params): a
     * little under the level it starts at where it runs dry, as before elsewhere */
    double init[PROF_MAX_RUNGS];
    char rung[LADDER_NAME_MAX]; /* the first rung that runs dry, */
    double start, assumed;      /* its buffer's fullness at the chunk's start, and what its
                                   encoder assumed (fractions) */
} tc_vbv_verdict;

/* Plays the HLS rungs of the chunk in dir (whose plan is plan) through their buffers from
 * where the chunks before it left them. Returns 0 (and moves the buffers on) when none runs
 * dry, 1 with *out filled when one does (tries: how often the chunk was encoded again
 * already, each time from a little lower), or a negative code with err filled. */
int tc_vbv_join_chunk(tc_vbv_join *v, const char *dir, const ladder_plan *plan, int tries,
                      tc_vbv_verdict *out, ladder_error *err);

/* ---- disk_jobs.c: the folders of a replay -------------------------------------------------- */

/* The folders a replay reads, in order (the audio job first, then the chunks). Each is read
 * and checked against those before it when first asked for, after wait (NULL: none) says it is
 * complete. Thread-safe. */
typedef struct tc_folders tc_folders;
int tc_folders_open(tc_folders **out, const char *const *dirs, int n, const tc_folder_wait *wait,
                    ladder_error *err);
int tc_folders_count(const tc_folders *f);
const char *tc_folders_dir(const tc_folders *f, int k);
/* Folder k and the ones before it, read and checked (waiting for them); *job its job if not
 * NULL. A failure is sticky: every later call gives the same error. */
int tc_folders_get(tc_folders *f, int k, const tc_job **job, ladder_error *err);
/* The show's plan, read from the first folder and, for the video's rate factors and headers,
 * the first video job (waiting for them); valid until tc_folders_close. NULL with err filled. */
const ladder_plan *tc_folders_plan(tc_folders *f, ladder_error *err);
/* After the last folder: the checks of the whole set, then the plan (608 carried if any chunk
 * carried it) and the figures summed over the jobs (stats may be NULL). */
int tc_folders_finish(tc_folders *f, ladder_plan *plan, ladder_stream_stats *stats,
                      ladder_error *err);
void tc_folders_close(tc_folders *f);
/* dirs[0..n) in replay order into sorted: the audio job first, then the chunks by segment. */
int tc_folders_sort(const char *const *dirs, int n, const char **sorted, ladder_error *err);

const tc_job *tc_get_job(const tc_transcoder *t);

/* ---- scte35_scan.c: the mezzanine's SCTE-35 cues as breaks ------------------------------- */

/* Reads the file at path on its own (libavformat, every stream but SCTE-35 discarded) and
 * appends one ladder_break per SCTE-35 out-point to out[0..max), in the file's order, *n their
 * number: time = (splice pts - origin90) mod 2^33 / 90000 (the cue's pts_time plus
 * pts_adjustment; an immediate splice takes the PCR its section arrived after), duration = the
 * cue's break_duration or segmentation_duration (30 s without one), source
 * LADDER_BREAK_SCTE35, scte35 = the section's bytes. origin90 is the transcoder's origin, the
 * first video pts in the 90 kHz clock (tc_source_origin at 1/90000). Nothing is rounded,
 * sorted or merged, except that a cue repeated with the same bytes and time is kept once. A
 * section that is broken, bigger than LADDER_SCTE35_MAX, or splices before the first picture
 * is skipped with a warning naming its time (lg); a file without SCTE-35 gives *n = 0 at once
 * (with a warning if a stream is registered "CUEI" but its program is not, which FFmpeg needs).
 * Returns 0, or a negative code with err: the file cannot be opened, more than max breaks. */
int tc_scan_scte35(const char *path, int64_t origin90, const ladder_logger *lg, ladder_break *out,
                   int max, int *n, ladder_error *err);

#endif

/* transcoder.h: one mezzanine in, every rendition of a ladder out, in one pass.
 *
 * The source is demuxed and decoded once, each distinct picture size is scaled once, each
 * rendition is encoded by its own x264 instance, and AAC is encoded once per distinct audio
 * bitrate. Encoded packets go to a ladder_sink (in-process, e.g. the packager) or, through
 * tc_disk_sink, to the on-disk intermediate that `ladder package` reads back.
 *
 * Set-up order, as in x264: tc_params_default -> caller's overrides -> tc_open (which copies
 * the parameters, probes the input and plans the outputs) -> tc_run -> tc_close.
 *
 * Timestamps: all video packets use a 1/90000 time base with 0 at the first source frame;
 * audio packets use 1/sample_rate on the same origin. An IDR starts every gop_seconds of
 * presentation time (the first source frame at or after each multiple), at identical
 * timestamps on every rendition, and one more on each ad break's frame (the plan's breaks). */
#ifndef LADDER_TRANSCODER_H
#define LADDER_TRANSCODER_H

#include <stdint.h>

#include "ladder.h"
#include "media.h"
#include "profiles.h"

typedef struct tc_transcoder tc_transcoder;

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
    /* One job of an ingest split into chunks (docs/distributed.md); all 0: the whole
     * transcode. n_segments > 0: only the video of segments first_segment ..
     * first_segment + n_segments - 1 of the ladder's segment grid, decoded from the keyframe
     * before, every time-based decision on the show's own timestamps. audio_only: only the
     * audio streams, for the whole show. The plan is the same in every job. */
    int first_segment, n_segments;
    int audio_only;
    /* Ad breaks (docs/ads.md): an IDR in every rendition on each break's frame. `breaks` as
     * ladder_breaks_parse gives them (copied by tc_open, which rounds them to frames into the
     * plan). The source's SCTE-35 out-points are breaks too, unless ignore_scte35. */
    const ladder_break *breaks;
    int n_breaks;
    int ignore_scte35;
    /* Rate control (docs/transcoder.md, "Rate control"): rung r (its index in the ladder) is
     * encoded at x264's constant rate factor crf[r], capped by the rung's VBV, so that a
     * chunk's encode does not depend on the chunks before it. All 0 (the default): tc_open
     * chooses them for the show with tc_choose_crf. A negative value: 1-pass ABR at the rung's
     * bitrate, under the same VBV (what shows under 30 GOPs get). */
    double crf[PROF_MAX_RUNGS];
    /* How full rung r's VBV is taken to be at the first picture, as a fraction of the buffer:
     * 0 (the default) is x264's 0.9. A distributed ingest's join asks for a lower one where a
     * chunk would underflow the buffer the chunks before it left (docs/distributed.md,
     * "Joins that conform"). */
    double vbv_init[PROF_MAX_RUNGS];
} tc_params;

/* Fills p with defaults (pbs16, one worker per core, stats on). Cannot fail. */
void tc_params_default(tc_params *p);

/* Chooses each rung's CRF for the show at input_path (params: its ladder, threads and logger),
 * or -1 for every rung (1-pass ABR) when its video is under 30 GOPs (a minute): encodes a sample
 * of its GOPs twice, without and then under each rung's VBV, and moves each rung's factor to
 * land its average on the rung's bitrate (rate_probe.c, docs/transcoder.md). The result is
 * rounded to hundredths, so that "%.2f" carries it exactly to another machine's jobs.
 * Deterministic for one binary and one source. Returns 0 or a negative code with err filled. */
int tc_choose_crf(const char *input_path, const tc_params *params, double crf[PROF_MAX_RUNGS],
                  ladder_error *err);
/* The probe of tc_choose_crf in steps, so that a distributed ingest's workers can encode its
 * GOPs (docs/distributed.md, "The rate probe as jobs"); tc_choose_crf runs the same steps on
 * one machine, and the factors are the same bytes either way. begin plans the probe of a show
 * of `seconds` (pass 3 at once, crf all -1, for a show under 30 GOPs); then for pass 1 and 2,
 * each of gops[] is encoded by tc_probe_gop, which adds its bits and seconds per rung, and next
 * takes the sums, added in the order of gops[], and moves to the next pass. After pass 2, crf
 * holds the show's factors. */
#define TC_PROBE_MAX_GOPS 30
typedef struct tc_rate_probe {
    int pass;                            /* the pass to encode: 1, 2; 3: done */
    int n_gops, gops[TC_PROBE_MAX_GOPS]; /* which GOPs of the show, by index */
    double crf[PROF_MAX_RUNGS];          /* the factors of this pass; after pass 2 the show's */
    double kbps0[PROF_MAX_RUNGS];        /* pass 1's result, for pass 2's slope */
} tc_rate_probe;
void tc_rate_probe_begin(tc_rate_probe *p, const prof_ladder *ladder, double seconds);
/* params: the show's (ladder, threads, logger). 0 or a negative code with err filled. */
int tc_probe_gop(const char *input_path, const tc_params *params, const tc_rate_probe *p, int gop,
                 double bits[PROF_MAX_RUNGS], double seconds[PROF_MAX_RUNGS], ladder_error *err);
void tc_rate_probe_next(tc_rate_probe *p, const prof_ladder *ladder,
                        const double bits[PROF_MAX_RUNGS], const double seconds[PROF_MAX_RUNGS]);
/* A probe job's result, in a folder as `ladder transcode --probe` writes it: summary.json with
 * {"probe": {"pass", "gop", "bits": [per rung], "seconds": [per rung]}}. write makes the JSON
 * (malloc'd, NULL if out of memory); read adds the folder's bits and seconds to the sums,
 * checking it is that pass's and that GOP's. */
char *tc_probe_json(const tc_rate_probe *p, int gop, int n_rungs, const double *bits,
                    const double *seconds);
int tc_probe_read(const char *dir, const tc_rate_probe *p, int gop, int n_rungs, double *bits,
                  double *seconds, ladder_error *err);
/* Each rung's rate factor as the transcode uses it (tc_choose_crf's, or the params'); n_rungs
 * of them, valid until tc_close. */
const double *tc_get_crf(const tc_transcoder *t);
/* Formats crf[0 .. n) as "23.10,24.75,..." into out (tc_choose_crf's hundredths exactly; ""
 * for ABR); parses it back, refusing anything else (a count other than n, a value outside
 * 1..51). */
int tc_crf_format(const double *crf, int n, char *out, size_t len);
int tc_crf_parse(const char *list, double *crf, int n, ladder_error *err);
/* The same for vbv_init[0 .. n): "0.90,0.41,..." (0: the default, 0.9), values 0 to 1. */
int tc_vbv_init_format(const double *vbv_init, int n, char *out, size_t len);
int tc_vbv_init_parse(const char *list, double *vbv_init, int n, ladder_error *err);

/* Per-title (per_title.c, docs/per-title.md): tc_analyse_per_title chooses the show's own ladder
 * before it is encoded. A few one-second stretches of the show are encoded at each HLS box of
 * params' ladder and a few rate factors, each probe measured against the source at the display size
 * with FFmpeg's psnr and ssim filters, and prof_per_title_choose makes the ladder from those
 * curves. A show under TC_PT_MIN_SECONDS, or one that feeds a single HLS box, keeps the
 * profile's bitrates (chosen 0, reason says why, logged in one line). Deterministic for one
 * binary, source and profile. Returns 0 (either way) or a negative code with err filled. */
#define TC_PT_MIN_SECONDS 6
#define TC_PT_MIN_WINDOWS 3
#define TC_PT_MAX_WINDOWS 12
typedef struct tc_per_title {
    int chosen; /* 1: ladder is the show's; 0: the profile's, for `reason` */
    char reason[192];
    prof_ladder profile; /* the ladder asked for */
    prof_ladder ladder;  /* what to encode the show with */
    prof_rd_show show;   /* the probes' curves, and each rung's frame rate on this source */
    int crf[PROF_RD_MAX_SIZES][PROF_RD_MAX_POINTS]; /* the factor of each curve's points */
    int size_rung[PROF_RD_MAX_SIZES];               /* the profile's first rung at each box */
    prof_pt_choice choice[PROF_MAX_RUNGS];
    int n_windows, windows[TC_PT_MAX_WINDOWS]; /* the stretches, by their first second */
    double fps;                                /* the source's frame rate */
    double seconds;                            /* the analysis' wall time (not in the JSON) */
} tc_per_title;
int tc_analyse_per_title(const char *input_path, const tc_params *params, tc_per_title *out,
                         ladder_error *err);
/* show.json's "per_title" object (docs/show-json.md), malloc'd; NULL if out of memory. */
char *tc_per_title_json(const tc_per_title *pt);
/* A folder's record of the choice, for whoever encodes or publishes from it: the ladder as a
 * profile (prof_format_xml) and show.json's "per_title" object. `ladder transcode --per-title`
 * writes them beside its output, and a distributed ingest's coordinator into the show's work
 * folder, where its workers load the ladder as their --profile. save returns 0 or an error;
 * load returns 1 with *ladder and *json (malloc'd) filled, 0 when dir has none, or an error. */
#define TC_PER_TITLE_XML  "per-title.xml"
#define TC_PER_TITLE_JSON "per-title.json"
int tc_per_title_save(const tc_per_title *pt, const char *dir, ladder_error *err);
int tc_per_title_load(const char *dir, prof_ladder *ladder, char **json, ladder_error *err);

/* Opens and probes input_path and plans the outputs. The ladder in params is validated again.
 * Returns 0 with *out set, or a negative code with err filled (*out stays NULL): a missing,
 * empty or unreadable file and a file without video are LADDER_EINPUT / LADDER_ENOTFOUND. */
int tc_open(tc_transcoder **out, const char *input_path, const tc_params *params,
            ladder_error *err);

/* The plan; valid until tc_close. Extradata is filled once tc_open returns. */
const ladder_plan *tc_get_plan(const tc_transcoder *t);

/* How long the source's video is, in seconds: its track's own duration, or the container's
 * when the track gives none. The show is as long as its video (a longer audio or caption
 * track is cut where the video ends), so this, not the plan's src_duration, says how many
 * segments a show has. */
double tc_get_video_duration(const tc_transcoder *t);

/* Decodes, scales and encodes the whole source into sink. May be called once. Returns 0, or a
 * negative code (a truncated or corrupt source is LADDER_EINPUT) with err filled; on failure
 * sink->end is not called and the caller discards what the sink received. */
int tc_run(tc_transcoder *t, const ladder_sink *sink, ladder_error *err);

/* The source's CEA-608 captions (CC1), decoded to cues during tc_run; NULL when the source
 * has none. Valid until tc_close. Which renditions carry the 608 itself: the plan's cc608. */
const ladder_captions *tc_get_captions(tc_transcoder *t);

/* Results of stream i after tc_run; NULL if i is out of range. */
const ladder_stream_stats *tc_get_stats(const tc_transcoder *t, int i);

/* Frees everything; t may be NULL. */
void tc_close(tc_transcoder *t);

/* The run as JSON (source facts, plan, per-stream stats, the ladder's name); `elapsed` is the
 * wall time to report. Returns a malloc'd string the caller frees with free(), NULL if out of
 * memory. The format is documented in docs/transcoder.md and read back by tc_disk_replay. */
char *tc_summary_json(const tc_transcoder *t, double elapsed);

/* --- The on-disk intermediate (`ladder transcode --out DIR`) ---------------------------
 * DIR/<stream name>.mp4  one MP4 per stream, codec copy of the packets, 1/90000 video time base
 * DIR/summary.json        tc_summary_json: the plan, the source facts and per-stream stats
 * DIR/cc608.vtt           the source's CEA-608 as text (tc_get_captions), when it had some
 * tc_disk_sink_open makes a sink that writes those MP4s into dir (which must exist);
 * tc_disk_replay reads them back and feeds the same packets and plan to another sink. */
#define TC_CC608_FILE "cc608.vtt"
typedef struct tc_disk_sink tc_disk_sink;
int tc_disk_sink_open(tc_disk_sink **out, const char *dir, ladder_error *err);
const ladder_sink *tc_disk_sink_get(tc_disk_sink *ds); /* valid until tc_disk_sink_close */
void tc_disk_sink_close(tc_disk_sink *ds);

/* Reads the summary.json of the n folders into *plan_out (and stats_out[i] per stream if not
 * NULL), then feeds every packet of their MP4s to sink: begin, then each stream in decode
 * order from a thread of its own (the streams kept within seconds of each other on the
 * timeline), then end. The folders are one whole transcode, or the jobs of a chunked one (an
 * audio job and video chunks covering the show from its first segment to its end, in any
 * order); a stream's packets then come from each chunk in turn. */
#define TC_REPLAY_DIRS_MAX 4096
/* Whether the folders make one show, as tc_disk_replay would find; 0 or an error. */
int tc_disk_check(const char *const *dirs, int n, ladder_error *err);
int tc_disk_replay(const char *const *dirs, int n, const ladder_sink *sink, ladder_plan *plan_out,
                   ladder_stream_stats stats_out[LADDER_MAX_STREAMS], ladder_error *err);

/* A replay that starts before every folder is complete: a distributed ingest's join, as the
 * jobs arrive. wait(opaque, k, err) returns 0 once folder k (of dirs) is complete, or an error
 * if it never will be; it is called once per folder, in order, from the replay's threads. */
typedef struct tc_folder_wait {
    int (*wait)(void *opaque, int k, ladder_error *err);
    /* May be NULL. Chunk k, complete, would underflow a rung's VBV at the level the chunks
     * before it leave (docs/distributed.md, "Joins that conform"): redo has it encoded again
     * with tc_params.vbv_init = vbv_init[0 .. the ladder's rungs) and returns the new folder,
     * complete and valid until the replay ends, or NULL with err filled. Without redo, such a
     * chunk fails the replay with the --vbv-init list to encode it with. */
    const char *(*redo)(void *opaque, int k, const double *vbv_init, ladder_error *err);
    void *opaque;
} tc_folder_wait;
/* tc_disk_replay of folders in replay order (the audio job, then the chunks by segment), each
 * checked as tc_disk_check would when wait says it is complete. sink->begin is called once the
 * first folder is; a folder that does not fit fails the replay then. */
int tc_disk_replay_arriving(const char *const *dirs, int n, const tc_folder_wait *wait,
                            const ladder_sink *sink, ladder_plan *plan_out,
                            ladder_stream_stats stats_out[LADDER_MAX_STREAMS], ladder_error *err);

#endif

/* transcoder.c: the whole transcode, wired together.
 * demux/decode (source.c) -> scale per size (scaler.c) -> x264 per rendition (encoder.c, on the
 * worker pool in pool.c); audio packets go to audio.c on the decoding thread. */
#include <string.h>

#include "tc_internal.h"

struct tc_transcoder {
    tc_params params;
    ladder_plan plan;
    tc_source *source;
    tc_scaler *scaler;
    tc_audio *audio;
    tc_encoder encoders[LADDER_MAX_STREAMS]; /* indexed like the plan's video streams */
    int fps_divisor[LADDER_MAX_STREAMS];
    int size_index[LADDER_MAX_STREAMS]; /* which scaler output each video stream uses */
    int n_sizes;
    ladder_stream_stats stats[LADDER_MAX_STREAMS];
    tc_cc_fifo cc[LADDER_MAX_STREAMS]; /* per video stream: caption bytes at its pace */
    ladder_cc_decoder *cc_text;        /* the source's CC1 as cues; NULL until 608 is seen */
    tc_job job;                        /* what this run is of a chunked transcode */
    int probe_gop;                     /* >= 0: a rate probe of this GOP alone (rate_probe.c) */
    int probe_no_vbv;                  /* and without the rungs' VBV */
    tc_picture_tap tap;                /* shown each source picture encoded; may be NULL */
    void *tap_opaque;
    int ran;
};

/* State of one run, shared with the audio callback. */
typedef struct run_state {
    tc_transcoder *t;
    const ladder_sink *sink;
    ladder_error *err;
    tc_pool *pool;
    int64_t next_idr, gop_ticks, last_pts, frames;
    int64_t misplaced; /* pictures dropped for a repeated or backwards timestamp */
    int64_t max_gap;   /* the longest a picture may last: one segment (1/90000) */
    int since_idr;
    int next_break; /* the first of the plan's breaks not reached yet */
    unsigned char break_due[LADDER_MAX_STREAMS]; /* a break came; the rung's next picture is IDR */
    int64_t chunk_start, chunk_end;              /* 1/90000: the pictures this run encodes */
    int stopped_at_end;                          /* a chunk's end was reached before the source's */
    int before_chunk; /* a picture before the chunk was decoded (the seek held) */
    double start;     /* ladder_now() when the run began */
} run_state;

void tc_params_default(tc_params *p)
{
    memset(p, 0, sizeof *p);
    prof_load_default(&p->ladder, NULL);
    p->i_threads = 0;
    p->i_queue_frames = 8;
    p->b_stats = 1;
}

/* Groups the video streams by size so each size is scaled once. */
static int open_scaler(tc_transcoder *t, ladder_error *err)
{
    int sizes[LADDER_MAX_STREAMS][2];

    t->n_sizes = 0;
    for (int i = 0; i < t->plan.n_video; i++) {
        const ladder_stream *st = &t->plan.streams[i];
        int k = 0;
        while (k < t->n_sizes && (sizes[k][0] != st->width || sizes[k][1] != st->height))
            k++;
        if (k == t->n_sizes) {
            sizes[k][0] = st->width;
            sizes[k][1] = st->height;
            t->n_sizes++;
        }
        t->size_index[i] = k;
    }
    return tc_scaler_open(&t->scaler, (const int(*)[2])sizes, t->n_sizes, err);
}

static int open_encoders(tc_transcoder *t, ladder_error *err)
{
    for (int i = 0; i < t->plan.n_video; i++) {
        ladder_stream *st = &t->plan.streams[i];
        tc_cc_fifo_init(&t->cc[i], st->fps_num, st->fps_den);
        tc_rate rate = {.crf = t->params.crf[st->rung],
                        .no_vbv = t->probe_no_vbv,
                        .vbv_init = t->params.vbv_init[st->rung]};
        st->crf = rate.crf > 0 ? rate.crf : 0;
        st->vbv_init = rate.vbv_init;
        int ret =
            tc_encoder_open(&t->encoders[i], &t->params.ladder, &t->params.ladder.rungs[st->rung],
                            st, &rate, t->params.b_stats, &t->params.logger, err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* Keeps the cues that fall within the show; one past its end (a mezzanine cut after its cue
 * was sent) is a warning, not a refusal: nobody asked for it on the command line. */
static int cues_within(const tc_transcoder *t, ladder_break *cues, int n)
{
    double end = t->plan.src_duration;
    int kept = 0;

    for (int i = 0; i < n; i++) {
        if (end > 0 && cues[i].time >= end) {
            ladder_log(&t->params.logger, LADDER_LOG_WARN, "tc",
                       "SCTE-35 cue at %.3f s is past the end of the show (%.3f s): no break",
                       cues[i].time, end);
            continue;
        }
        cues[kept++] = cues[i];
    }
    return kept;
}

/* The breaks asked for, with the source's SCTE-35 cues unless told to ignore them, rounded to
 * source frames into the plan (docs/ads.md). */
static int plan_breaks(tc_transcoder *t, const char *path, ladder_error *err)
{
    ladder_plan *plan = &t->plan;

    if (t->params.n_breaks > LADDER_MAX_BREAKS)
        return ladder_error_set(err, LADDER_EINVAL, "more than %d ad breaks", LADDER_MAX_BREAKS);
    plan->n_breaks = t->params.n_breaks;
    if (plan->n_breaks > 0)
        memcpy(plan->breaks, t->params.breaks, (size_t)plan->n_breaks * sizeof *plan->breaks);
    if (!t->params.ignore_scte35) {
        int n = 0;
        int ret = tc_scan_scte35(path, tc_source_origin(t->source, (AVRational){1, 90000}),
                                 &t->params.logger, plan->breaks + plan->n_breaks,
                                 LADDER_MAX_BREAKS - plan->n_breaks, &n, err);
        if (ret < 0)
            return ret;
        plan->n_breaks += cues_within(t, plan->breaks + plan->n_breaks, n);
    }
    if (plan->n_breaks == 0)
        return 0;
    return ladder_breaks_resolve(plan->breaks, &plan->n_breaks, plan->src_fps_num,
                                 plan->src_fps_den, plan->src_duration, err);
}

static int open_all(tc_transcoder *t, const char *path, ladder_error *err)
{
    tc_source_info info;
    int ret = tc_source_open(&t->source, path, &t->params.logger, err);

    if (ret < 0)
        return ret;
    tc_source_describe(t->source, &t->plan, &info);
    ret = tc_make_plan(&t->params.ladder, &info, &t->plan, t->fps_divisor, err);
    if (ret >= 0)
        ret = plan_breaks(t, path, err);
    if (ret >= 0)
        ret = open_encoders(t, err);
    for (int i = 0; ret >= 0 && i < t->plan.n_video; i++)
        t->cc[i].seen = tc_source_has_caption_track(t->source);
    /* a chunk's text would miss what was on screen before it: the audio job decodes it all */
    if (ret >= 0 && tc_source_has_caption_track(t->source) && t->params.n_segments == 0) {
        ret = ladder_cc_decoder_open(&t->cc_text, err);
        if (ret >= 0)
            tc_source_decode_captions_with(t->source, t->cc_text);
    }
    if (ret >= 0)
        ret = open_scaler(t, err);
    if (ret >= 0 && t->plan.n_audio > 0)
        ret =
            tc_audio_open(&t->audio, tc_source_audio_stream(t->source),
                          tc_source_origin(t->source, tc_source_audio_stream(t->source)->time_base),
                          &t->plan, &t->params.logger, err);
    if (ret == LADDER_EINPUT && err && strncmp(err->msg, path, strlen(path)) != 0) {
        ladder_error named = *err; /* say which file the fault is in */
        ladder_error_set(err, ret, "%s: %s", path, named.msg);
    }
    return ret;
}

/* Whether the rates are still to be chosen: a video encode given no rate factors. */
static int crf_unset(const tc_params *p)
{
    for (int r = 0; r < p->ladder.n_rungs; r++)
        if (p->crf[r] != 0)
            return 0;
    return !p->audio_only;
}

static int open_transcoder(tc_transcoder **out, const char *input_path, const tc_params *params,
                           int probe_gop, int probe_no_vbv, ladder_error *err)
{
    tc_transcoder *t;
    int ret;

    *out = NULL;
    if (params->ladder.n_rungs <= 0)
        return ladder_error_set(err, LADDER_EINVAL, "the ladder has no rungs");
    t = av_mallocz(sizeof *t);
    if (!t)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    t->params = *params;
    t->probe_gop = probe_gop;
    t->probe_no_vbv = probe_no_vbv;
    if (t->params.i_threads <= 0)
        t->params.i_threads = ladder_cpu_count();
    ret = crf_unset(&t->params) ? tc_choose_crf(input_path, &t->params, t->params.crf, err) : 0;
    if (ret >= 0)
        ret = open_all(t, input_path, err);
    if (ret < 0) {
        tc_close(t);
        return ret;
    }
    *out = t;
    return 0;
}

int tc_open_probe(tc_transcoder **out, const char *input_path, const tc_params *params, int gop,
                  int no_vbv, ladder_error *err)
{
    return open_transcoder(out, input_path, params, gop, no_vbv, err);
}

void tc_set_picture_tap(tc_transcoder *t, tc_picture_tap tap, void *opaque)
{
    t->tap = tap;
    t->tap_opaque = opaque;
}

int tc_open(tc_transcoder **out, const char *input_path, const tc_params *params, ladder_error *err)
{
    tc_transcoder *t;
    int ret = open_transcoder(out, input_path, params, -1, 0, err);

    if (ret < 0)
        return ret;
    t = *out;
    for (int i = 0; i < t->plan.n_skipped; i++)
        ladder_log(&t->params.logger, LADDER_LOG_INFO, "tc",
                   "rung %s skipped: the source (%dx%d) is smaller", t->plan.skipped[i],
                   t->plan.src_width, t->plan.src_height);
    if (!t->plan.src_has_audio)
        ladder_log(&t->params.logger, LADDER_LOG_INFO, "tc",
                   "the source has no audio: renditions will be video-only");
    return 0;
}

const ladder_plan *tc_get_plan(const tc_transcoder *t)
{
    return &t->plan;
}

double tc_get_video_duration(const tc_transcoder *t)
{
    return tc_source_video_duration(t->source);
}

static int on_audio_packet(void *opaque, AVPacket *pkt)
{
    run_state *rs = opaque;
    int chunk = rs->t->params.n_segments > 0; /* a video chunk: the audio job has the sound */

    return rs->t->audio && !chunk ? tc_audio_packet(rs->t->audio, pkt, rs->sink, rs->err) : 0;
}

static void report_progress(run_state *rs, int64_t pts)
{
    const tc_params *p = &rs->t->params;
    tc_progress pr = {
        .frames = rs->frames,
        .position = (double)pts / LADDER_VIDEO_TIMEBASE,
        .duration = tc_source_video_duration(rs->t->source),
        .elapsed = ladder_now() - rs->start,
    };
    if (p->pf_progress)
        p->pf_progress(p->progress_opaque, &pr);
}

/* The CEA-608 text of the source's pictures, decoded once, by the job that does the audio. */
static int caption_text(run_state *rs, int64_t pts, const uint8_t *cc_data, int size)
{
    tc_transcoder *t = rs->t;

    if (tc_source_has_caption_track(t->source) || t->params.n_segments > 0)
        return 0; /* source.c decodes a track's text; a chunk leaves the text to the audio job */
    if (!t->cc_text && ladder_cc_decoder_open(&t->cc_text, rs->err) < 0)
        return rs->err->code;
    return ladder_cc_decoder_feed(t->cc_text, pts, cc_data, size, rs->err);
}

/* A source picture's CEA-608 bytes: queued for every rendition at its own pace, and decoded
 * to text. */
static int take_captions(run_state *rs, const AVFrame *frame)
{
    tc_transcoder *t = rs->t;
    const AVFrameSideData *sd = av_frame_get_side_data(frame, AV_FRAME_DATA_A53_CC);

    if (!sd)
        return 0;
    for (int i = 0; i < t->plan.n_video; i++)
        tc_cc_fifo_put(&t->cc[i], sd->data, (int)sd->size);
    return caption_text(rs, frame->pts, sd->data, (int)sd->size);
}

/* Rendition i's caption bytes for the picture it keeps (none when it carries none). */
static int give_captions(tc_transcoder *t, int i, AVFrame *picture)
{
    uint8_t cc_data[3 * 31];
    int size = tc_cc_fifo_take(&t->cc[i], cc_data);
    AVFrameSideData *sd;

    av_frame_remove_side_data(picture, AV_FRAME_DATA_A53_CC);
    if (size == 0)
        return 0;
    sd = av_frame_new_side_data(picture, AV_FRAME_DATA_A53_CC, size);
    if (!sd)
        return AVERROR(ENOMEM);
    memcpy(sd->data, cc_data, size);
    return 0;
}

/* Scales one decoded picture and queues it for every rendition that keeps it. */
static int dispatch(run_state *rs, AVFrame *frame)
{
    tc_transcoder *t = rs->t;
    AVFrame *scaled[LADDER_MAX_STREAMS];
    int idr = tc_idr_decide(frame->pts, rs->gop_ticks, &rs->next_idr), ret;
    /* A break's IDR is extra: the 2 s grid runs on around it, aligned in every rung. A
     * frame-rate-capped rung keeps its own pictures and makes the first of them at or after
     * the break its IDR, at most a source frame late (docs/ads.md). */
    int at_break = ladder_break_reached(&t->plan, &rs->next_break, frame->pts);

    if (idr)
        rs->since_idr = 0;
    ret = tc_scaler_run(t->scaler, frame, scaled, rs->err);
    for (int i = 0; ret >= 0 && i < t->plan.n_video; i++) {
        AVFrame *ref;
        rs->break_due[i] |= at_break;
        if (rs->since_idr % t->fps_divisor[i] != 0)
            continue;
        ref = av_frame_clone(scaled[t->size_index[i]]);
        if (!ref || give_captions(t, i, ref) < 0) {
            av_frame_free(&ref);
            ret = ladder_error_set(rs->err, LADDER_ENOMEM, "out of memory");
        } else {
            ret = tc_pool_push(rs->pool, i, ref, idr || rs->break_due[i], rs->err);
            rs->break_due[i] = 0;
        }
    }
    for (int k = 0; k < t->n_sizes; k++) /* the queues hold their own references */
        av_frame_free(&scaled[k]);
    rs->since_idr++;
    return ret;
}

/* A picture at pts, in presentation order, on the show's clock: 1 if it has its place, 0 if it
 * is dropped, or an error. The audio follows it. */
static int place_picture(run_state *rs, int64_t pts)
{
    if (pts <= rs->last_pts) {
        /* a repeated or backwards timestamp cannot be placed in the output; drop it */
        rs->misplaced++;
        return 0;
    }
    if (rs->frames > 0 && pts - rs->last_pts > rs->max_gap)
        /* no segment could span the hole: a damaged clock, not a still picture */
        return ladder_error_set(rs->err, LADDER_EINPUT,
                                "the video's timestamps jump ahead by %.1f s at %.1f s",
                                (double)(pts - rs->last_pts) / LADDER_VIDEO_TIMEBASE,
                                (double)rs->last_pts / LADDER_VIDEO_TIMEBASE);
    rs->last_pts = pts;
    rs->frames++;
    if (rs->t->audio)
        tc_audio_video_at(rs->t->audio, pts);
    return 1;
}

/* Decodes everything and feeds the pool; returns 0 at the end of the source. */
static int decode_loop(run_state *rs)
{
    for (;;) {
        AVFrame *frame;
        int ret = tc_source_next(rs->t->source, &frame, on_audio_packet, rs, rs->err);
        if (ret <= 0)
            return ret;
        if (frame->pts < rs->chunk_start || frame->pts >= rs->chunk_end) {
            /* decoded from the keyframe before a chunk, or past its end */
            rs->stopped_at_end = frame->pts >= rs->chunk_end;
            rs->before_chunk |= frame->pts < rs->chunk_start;
            av_frame_free(&frame);
            if (rs->stopped_at_end)
                return 0;
            continue;
        }
        if (rs->frames == 0 && rs->chunk_start > 0 && !rs->before_chunk) {
            /* no picture before the chunk came out of the seek: its first may be missing */
            av_frame_free(&frame);
            return ladder_error_set(rs->err, LADDER_EINPUT,
                                    "seeking to segment %d landed after its start",
                                    rs->t->params.first_segment);
        }
        if ((ret = place_picture(rs, frame->pts)) <= 0) {
            av_frame_free(&frame);
            if (ret < 0)
                return ret;
            continue;
        }
        ret = take_captions(rs, frame);
        if (ret >= 0 && rs->t->tap)
            ret = rs->t->tap(rs->t->tap_opaque, frame, rs->err);
        if (ret >= 0 && !rs->t->params.audio_only)
            ret = dispatch(rs, frame);
        av_frame_free(&frame);
        if (ret < 0)
            return ret;
        report_progress(rs, rs->last_pts);
    }
}

/* H.264's deepest picture reordering (max_num_reorder_frames): a picture comes out of the
 * decoder once this many later ones have gone in. */
#define REORDER_MAX 16

/* The earliest of the held packets, as the decoder would give its picture. */
static int present_earliest(run_state *rs, tc_video_packet *held, int *n)
{
    int k = 0, ret;

    for (int i = 1; i < *n; i++)
        if (held[i].pts < held[k].pts)
            k = i;
    ret = place_picture(rs, held[k].pts);
    if (ret > 0 && held[k].cc_size > 0)
        ret = caption_text(rs, held[k].pts, held[k].cc, held[k].cc_size);
    if (ret >= 0)
        report_progress(rs, rs->last_pts);
    held[k] = held[--*n];
    return ret < 0 ? ret : 0;
}

/* The audio job's loop where the packets suffice (tc_source_packets_suffice): the video's
 * packet times and SEI put back in presentation order, nothing decoded. The audio and the
 * caption text come out as from decode_loop, byte for byte, at a fraction of its time. */
static int packet_loop(run_state *rs)
{
    tc_video_packet held[REORDER_MAX + 1];
    int n = 0, ret;

    for (;;) {
        ret = tc_source_next_packet(rs->t->source, &held[n], on_audio_packet, rs, rs->err);
        if (ret <= 0)
            break;
        if (++n > REORDER_MAX && (ret = present_earliest(rs, held, &n)) < 0)
            return ret;
    }
    while (ret == 0 && n > 0)
        ret = present_earliest(rs, held, &n);
    return ret;
}

/* Where the last picture ends, in 1/90000 from the origin. */
static int64_t video_end(const run_state *rs)
{
    const ladder_plan *p = &rs->t->plan;
    return rs->last_pts + av_rescale(LADDER_VIDEO_TIMEBASE, p->src_fps_den, p->src_fps_num);
}

/* A source that ends well before its declared duration is truncated, not short. */
static int check_complete(run_state *rs)
{
    const tc_transcoder *t = rs->t;
    double declared = tc_source_video_duration(t->source);
    double frame = (double)t->plan.src_fps_den / t->plan.src_fps_num;
    double got = rs->frames ? (double)rs->last_pts / LADDER_VIDEO_TIMEBASE + frame : 0;
    double slack = declared * 0.02 > 3 * frame ? declared * 0.02 : 3 * frame;

    if (rs->frames == 0 && t->params.n_segments > 0)
        return ladder_error_set(rs->err, LADDER_EINPUT,
                                "segment %d is past the end of the show (%.1f s)",
                                t->params.first_segment, declared);
    if (rs->frames == 0)
        return ladder_error_set(rs->err, LADDER_EINPUT,
                                "no picture of the source could be decoded");
    if (rs->stopped_at_end)
        return 0; /* a chunk before the last: the end is another job's to check */
    if (tc_source_check_unchanged(t->source, rs->err) < 0)
        return LADDER_EINPUT;
    if (declared > 0 && got < declared - slack && rs->misplaced > rs->frames)
        return ladder_error_set(rs->err, LADDER_EINPUT,
                                "the video's timestamps repeat or go backwards: %lld of %lld "
                                "pictures have no place on its timeline",
                                (long long)rs->misplaced, (long long)(rs->misplaced + rs->frames));
    if (declared > 0 && got < declared - slack)
        return ladder_error_set(rs->err, LADDER_EINPUT,
                                "the source is truncated: video ends at %.2f s of %.2f s", got,
                                declared);
    if (tc_source_decode_errors(t->source) > 0)
        ladder_log(&t->params.logger, LADDER_LOG_WARN, "tc", "%d damaged pictures in the source",
                   tc_source_decode_errors(t->source));
    return 0;
}

/* Which renditions carry 608, for the playlists; and what the source's caption bytes could
 * not keep. */
static void note_captions(tc_transcoder *t)
{
    for (int i = 0; i < t->plan.n_video; i++) {
        t->plan.streams[i].cc608 = t->cc[i].pictures > 0;
        if (t->cc[i].dropped > 0)
            ladder_log(&t->params.logger, LADDER_LOG_WARN, "tc",
                       "%s: %d caption byte pairs dropped: the source carries more than its "
                       "frame rate allows",
                       t->plan.streams[i].name, t->cc[i].dropped);
        if (t->cc_text && t->cc[i].cc_count == 0)
            ladder_log(&t->params.logger, LADDER_LOG_INFO, "tc",
                       "%s: no CEA-608 at %.3f fps (only 24, 30 and 60 and their 1000/1001 "
                       "rates can carry it); its text reaches viewers as WebVTT",
                       t->plan.streams[i].name,
                       (double)t->plan.streams[i].fps_num / t->plan.streams[i].fps_den);
    }
}

static void collect_stats(tc_transcoder *t)
{
    for (int i = 0; i < t->plan.n_streams; i++) {
        const ladder_stream_stats *s =
            i < t->plan.n_video ? &t->encoders[i].stats : tc_audio_stats(t->audio, i);
        if (s)
            t->stats[i] = *s;
    }
}

int tc_run(tc_transcoder *t, const ladder_sink *sink, ladder_error *err)
{
    run_state rs = {.t = t, .sink = sink, .err = err, .last_pts = INT64_MIN, .next_idr = INT64_MIN};
    int ret;

    if (t->ran)
        return ladder_error_set(err, LADDER_EINVAL, "tc_run may be called once");
    t->ran = 1;
    rs.gop_ticks = (int64_t)(t->params.ladder.gop_seconds * LADDER_VIDEO_TIMEBASE + 0.5);
    rs.max_gap = (int64_t)(t->params.ladder.segment_seconds * LADDER_VIDEO_TIMEBASE + 0.5);
    rs.chunk_start = INT64_MIN;
    rs.chunk_end = INT64_MAX;
    if (t->params.n_segments > 0) {
        /* the IDR and segment grids start at 0, so a chunk's first picture is an IDR */
        rs.chunk_start = t->params.first_segment * rs.max_gap;
        rs.chunk_end = rs.chunk_start + t->params.n_segments * rs.max_gap;
        if (t->probe_gop >= 0) {
            rs.chunk_start = t->probe_gop * rs.gop_ticks;
            rs.chunk_end = rs.chunk_start + rs.gop_ticks;
        }
        rs.next_idr = rs.chunk_start;
        if (rs.chunk_start > 0 && tc_source_seek(t->source, rs.chunk_start, err) < 0)
            return err->code;
    }
    rs.start = ladder_now();
    ret = sink && sink->begin ? sink->begin(sink->opaque, &t->plan, err) : 0;
    if (ret < 0)
        return ret;
    ret = tc_pool_open(&rs.pool, t->encoders, t->plan.n_video, t->params.i_threads,
                       t->params.i_queue_frames, sink, err);
    if (ret < 0)
        return ret;
    if (t->params.audio_only && tc_source_packets_suffice(t->source))
        ret = packet_loop(&rs);
    else
        ret = decode_loop(&rs);
    if (ret >= 0 && t->params.audio_only)
        ladder_log(&t->params.logger, LADDER_LOG_INFO, "tc",
                   "audio job: %lld pictures on the clock, %lld of them decoded",
                   (long long)rs.frames, (long long)tc_source_decoded_pictures(t->source));
    if (ret >= 0)
        ret = tc_pool_finish(rs.pool, err);
    tc_pool_close(rs.pool);
    if (ret >= 0 && t->audio && t->params.n_segments == 0)
        ret = tc_audio_finish(t->audio, video_end(&rs), sink, err);
    if (ret >= 0)
        ret = check_complete(&rs);
    if (ret < 0)
        return ret;
    collect_stats(t);
    note_captions(t);
    t->job = (tc_job){.first_segment = t->params.first_segment,
                      .n_segments = t->params.n_segments,
                      .audio_only = t->params.audio_only,
                      .reached_end = !rs.stopped_at_end};
    ret = sink && sink->end ? sink->end(sink->opaque, &t->plan, err) : 0;
    return ret < 0 ? ret : 0;
}

const ladder_stream_stats *tc_get_stats(const tc_transcoder *t, int i)
{
    return i >= 0 && i < t->plan.n_streams ? &t->stats[i] : NULL;
}

const ladder_captions *tc_get_captions(tc_transcoder *t)
{
    return t->cc_text ? ladder_cc_decoder_cues(t->cc_text) : NULL;
}

const double *tc_get_crf(const tc_transcoder *t)
{
    return t->params.crf;
}

const tc_job *tc_get_job(const tc_transcoder *t)
{
    return &t->job;
}

const char *tc_get_ladder_name(const tc_transcoder *t)
{
    return t->params.ladder.name;
}

void tc_close(tc_transcoder *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->plan.n_video; i++)
        tc_encoder_close(&t->encoders[i]);
    tc_scaler_close(t->scaler);
    tc_audio_close(t->audio);
    ladder_cc_decoder_close(t->cc_text);
    tc_source_close(t->source);
    av_free(t);
}

/* fuzz_source.c: the transcoder's front end without the x264 back end: demuxing and probing
 * (transcoder/source.c), the plan made from what the file claims (plan.c), video decoding with
 * the picture filters, scaling (scaler.c), and audio decoding, resampling and timing
 * (audio.c). fuzz_media runs the same front end with x264 behind it, at some 100 inputs a
 * second; without the encoders this target runs many times faster, so the long runs in
 * fuzz/README.md reach a million inputs. Any return is fine; a crash, a leak or a hang is not. */
#include <stdio.h>
#include <stdlib.h>

#include <libavutil/frame.h>
#include <libavutil/log.h>

#include "common.h"
#include "tc_internal.h"

static const char profile[] =
    "<ladder xmlns=\"urn:ladder:profile:1\" name=\"fuzz\" preset=\"ultrafast\" gop-seconds=\"1\""
    " segment-seconds=\"1\">\n"
    "  <rung name=\"a\" use=\"hls\" width=\"64\" height=\"36\" video-kbps=\"20\""
    " maxrate-kbps=\"30\" bufsize-kbps=\"40\" profile=\"baseline\" level=\"3.0\""
    " audio-kbps=\"16\"/>\n"
    "  <rung name=\"b\" use=\"hls\" width=\"32\" height=\"18\" video-kbps=\"10\""
    " maxrate-kbps=\"15\" bufsize-kbps=\"20\" profile=\"baseline\" level=\"3.0\""
    " audio-kbps=\"16\"/>\n"
    "</ladder>\n";

static prof_ladder ladder;
static int input_fd;
static char input_path[32];

typedef struct front_end {
    tc_audio *audio;
    ladder_error *err;
} front_end;

static int on_packet(void *opaque, const ladder_packet *pkt, ladder_error *err)
{
    (void)opaque, (void)err;
    if (pkt->size < 0 || (pkt->size > 0 && !pkt->data) || pkt->duration < 0)
        abort();
    return 0;
}

static int on_audio(void *opaque, AVPacket *pkt)
{
    front_end *fe = opaque;
    static const ladder_sink sink = {NULL, NULL, on_packet, NULL};
    return fe->audio ? tc_audio_packet(fe->audio, pkt, &sink, fe->err) : 0;
}

/* Decodes, scales and drops every picture; feeds the audio as the video reaches it. */
static void run(tc_source *src, const ladder_plan *plan, front_end *fe)
{
    static const ladder_sink sink = {NULL, NULL, on_packet, NULL};
    int sizes[LADDER_MAX_STREAMS][2];
    tc_scaler *scaler = NULL;
    int64_t last = INT64_MIN;
    AVFrame *frame;

    for (int i = 0; i < plan->n_video; i++)
        sizes[i][0] = plan->streams[i].width, sizes[i][1] = plan->streams[i].height;
    if (tc_scaler_open(&scaler, (const int(*)[2])sizes, plan->n_video, fe->err) < 0)
        return;
    while (tc_source_next(src, &frame, on_audio, fe, fe->err) > 0) {
        AVFrame *scaled[LADDER_MAX_STREAMS] = {0};
        if (frame->pts > last) {
            last = frame->pts;
            if (fe->audio)
                tc_audio_video_at(fe->audio, frame->pts);
            if (tc_scaler_run(scaler, frame, scaled, fe->err) >= 0)
                for (int i = 0; i < plan->n_video; i++)
                    av_frame_free(&scaled[i]);
        }
        av_frame_free(&frame);
    }
    if (fe->audio && last != INT64_MIN)
        tc_audio_finish(fe->audio, last + 3000, &sink, fe->err);
    tc_scaler_close(scaler);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ladder_error err = {0};

    (void)argc, (void)argv;
    av_log_set_level(AV_LOG_QUIET);
    if (prof_load_memory(profile, sizeof profile - 1, "fuzz-profile.xml", &ladder, &err)) {
        fprintf(stderr, "fuzz_source: %s\n", err.msg);
        abort();
    }
    input_fd = fuzz_memfd("mezzanine", input_path, sizeof input_path);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ladder_error err = {0};
    ladder_plan plan = {0};
    int divisor[LADDER_MAX_STREAMS];
    front_end fe = {.err = &err};
    tc_source_info info;
    tc_source *src = NULL;

    fuzz_memfd_set(input_fd, data, size);
    if (tc_source_open(&src, input_path, NULL, &err) < 0) {
        if (src)
            abort(); /* a failed open leaves *out NULL */
        return 0;
    }
    tc_source_describe(src, &plan, &info);
    if (tc_make_plan(&ladder, &info, &plan, divisor, &err) == 0 && plan.n_video > 0) {
        /* The AAC encoder only ever sees Ladder's own resampled PCM, and at 48 kHz stereo it
         * takes most of each run: 8 kHz mono keeps the same path at a sixth of the work. */
        for (int i = plan.n_video; i < plan.n_streams; i++)
            plan.streams[i].sample_rate = plan.streams[i].timebase_den = 8000,
            plan.streams[i].channels = 1;
        if (plan.n_audio > 0)
            tc_audio_open(&fe.audio, tc_source_audio_stream(src),
                          tc_source_origin(src, tc_source_audio_stream(src)->time_base), &plan,
                          NULL, &err);
        run(src, &plan, &fe);
    }
    tc_audio_close(fe.audio);
    tc_source_close(src);
    return 0;
}

/* fuzz_media.c: the transcoder's front end (transcoder/source.c, plan.c, audio.c and the run
 * loop) on corrupted media: the input is the mezzanine, in a memfd, and a one-rung 64x36
 * ladder keeps each run quick. Mezzanines come from users, and a damaged one must end in an
 * error code: any return is fine, a crash, a leak or a hang is not. FFmpeg decodes underneath,
 * so a crash found here may be FFmpeg's; fuzz/README.md says how to tell. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <libavutil/log.h>

#include "common.h"
#include "transcoder.h"

static const char profile[] =
    "<ladder xmlns=\"urn:ladder:profile:1\" name=\"fuzz\" preset=\"ultrafast\" gop-seconds=\"1\""
    " segment-seconds=\"1\">\n"
    "  <rung name=\"r36\" use=\"hls\" width=\"64\" height=\"36\" video-kbps=\"20\""
    " maxrate-kbps=\"30\" bufsize-kbps=\"40\" profile=\"baseline\" level=\"3.0\""
    " audio-kbps=\"16\"/>\n"
    "</ladder>\n";

static tc_params params;
static int input_fd;
static char input_path[32];
static atomic_long packets;

static int on_begin(void *opaque, const ladder_plan *plan, ladder_error *err)
{
    (void)opaque, (void)err;
    return plan->n_streams > 0 && plan->n_streams <= LADDER_MAX_STREAMS ? 0 : LADDER_EINVAL;
}

static int on_packet(void *opaque, const ladder_packet *pkt, ladder_error *err)
{
    (void)opaque, (void)err;
    if (pkt->size < 0 || (pkt->size > 0 && !pkt->data))
        abort();
    atomic_fetch_add(&packets, 1);
    return 0;
}

static int on_end(void *opaque, const ladder_plan *plan, ladder_error *err)
{
    (void)opaque, (void)plan, (void)err;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ladder_error err = {0};

    (void)argc, (void)argv;
    av_log_set_level(AV_LOG_QUIET);
    tc_params_default(&params);
    if (prof_load_memory(profile, sizeof profile - 1, "fuzz-profile.xml", &params.ladder, &err)) {
        fprintf(stderr, "fuzz_media: %s\n", err.msg);
        abort();
    }
    params.i_threads = 1;
    params.i_queue_frames = 2;
    params.b_stats = 0;
    input_fd = fuzz_memfd("mezzanine", input_path, sizeof input_path);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ladder_sink sink = {NULL, on_begin, on_packet, on_end};
    tc_transcoder *t = NULL;
    ladder_error err = {0};

    fuzz_memfd_set(input_fd, data, size);
    if (tc_open(&t, input_path, &params, &err) == 0) {
        if (!tc_get_plan(t))
            abort();
        tc_run(t, &sink, &err);
    } else if (t) {
        abort(); /* a failed open leaves *out NULL */
    }
    tc_close(t);
    return 0;
}

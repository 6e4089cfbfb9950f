/* fuzz_captions.c: the caption reader (media/captions.c) on any bytes. Operators hand Ladder
 * caption files made by many tools (--captions), and the validator reads every published
 * WebVTT segment with it, so both sides' files are untrusted. The input is the file, in a
 * memfd; whatever FFmpeg's probe makes of it (WebVTT, SubRip, SCC, or something refused). */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "media.h"

static int fd;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fd = fuzz_memfd("captions", path, sizeof path);
    return 0;
}

/* What the packager and the validator then trust: cues sorted by start, each a non-empty
 * payload with no blank line and no "-->", ending after it starts. */
static void check_cues(const ladder_captions *c)
{
    for (int i = 0; i < c->n; i++) {
        const ladder_cue *q = &c->cues[i];
        if (q->start_ms < 0 || q->end_ms <= q->start_ms || !q->text[0] || strstr(q->text, "\n\n") ||
            strstr(q->text, "-->") || (i > 0 && q->start_ms < c->cues[i - 1].start_ms))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ladder_captions c = {0};
    ladder_error err = {0};

    fuzz_memfd_set(fd, data, size);
    if (ladder_captions_read(path, &c, &err) == 0)
        check_cues(&c);
    else if (!err.msg[0] || strchr(err.msg, '\n') || c.n != 0 || c.cues)
        abort(); /* a refusal is one line and leaves nothing behind */
    ladder_captions_free(&c);
    return 0;
}

/* fuzz_profile.c: the ladder profile loader (profiles/profile.c, xml/xml.c) on any bytes, through
 * prof_load_memory, the same path prof_load takes after reading the file. Profiles come from
 * users (`ladder ingest --profile`, a coordinator's job), so a malformed one must fail in
 * words. A ladder that loads must keep the promises the encoder relies on. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "profiles.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prof_ladder ladder;
    ladder_error err = {0};

    if (prof_load_memory((const char *)data, size, "fuzz.xml", &ladder, &err) != 0) {
        CHECK(err.code < 0 && memchr(err.msg, '\0', sizeof err.msg));
        return 0;
    }
    CHECK(ladder.n_rungs >= 1 && ladder.n_rungs <= PROF_MAX_RUNGS);
    CHECK(ladder.gop_seconds > 0 && ladder.segment_seconds >= 1);
    for (int i = 0; i < ladder.n_rungs; i++) {
        const prof_rung *r = &ladder.rungs[i];
        CHECK(memchr(r->name, '\0', sizeof r->name) && r->name[0]);
        CHECK(prof_find_rung(&ladder, r->name) == r);
        CHECK(r->width >= 16 && r->width % 2 == 0 && r->height >= 16 && r->height % 2 == 0);
        CHECK(r->maxrate_kbps >= r->video_kbps && r->video_kbps > 0);
        CHECK(ladder_h264_profile_idc(r->h264_profile) != 0);
    }
    return 0;
}

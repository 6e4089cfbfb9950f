/* bmff.c: ISO BMFF reading for fMP4 segments: the composition time offsets of a track's
 * samples, from the trun boxes. libavformat adds a constant of its own to the PTS of a track
 * with negative offsets (so that pts >= dts), which would make rungs with and without B-frames
 * look misaligned when they are not; media.c takes the offsets from here instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_internal.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* More samples than this in one segment (an hour of 240 fps video) is a damaged count: a trun
 * without per-sample fields must not make us loop and allocate for billions of samples. */
#define MAX_SAMPLES (1 << 20)

/* Appends the composition offsets of one trun box (body b, n bytes). */
static int read_trun(const uint8_t *b, long n, int32_t **cto, int *count, int *cap)
{
    uint32_t flags, samples;
    int version, per_sample;
    long pos;

    if (n < 8)
        return -1;
    flags = be32(b) & 0xffffff;
    version = b[0];
    per_sample =
        4 * (!!(flags & 0x100) + !!(flags & 0x200) + !!(flags & 0x400) + !!(flags & 0x800));
    pos = 8 + 4 * !!(flags & 0x1) + 4 * !!(flags & 0x4);
    samples = be32(b + 4);
    if (samples > (uint32_t)(MAX_SAMPLES - *count) || pos + (long)samples * per_sample > n)
        return -1;
    for (uint32_t i = 0; i < samples; i++, pos += per_sample) {
        if (*count == *cap) {
            int32_t *p = realloc(*cto, (*cap ? 2 * *cap : 256) * sizeof *p);
            if (!p)
                return -1;
            *cto = p;
            *cap = *cap ? 2 * *cap : 256;
        }
        uint32_t v = flags & 0x800 ? be32(b + pos + per_sample - 4) : 0;
        (*cto)[(*count)++] = version ? (int32_t)v : (int32_t)(v & 0x7fffffff);
    }
    return 0;
}

/* The trun boxes of track_id in the moof boxes of data (n bytes). */
static int read_moofs(const uint8_t *d, long n, uint32_t track_id, int32_t **cto, int *count)
{
    int cap = 0;

    for (long o = 0; o + 8 <= n && be32(d + o) >= 8 && be32(d + o) <= n - o; o += be32(d + o)) {
        if (memcmp(d + o + 4, "moof", 4) != 0)
            continue;
        for (long t = o + 8; t + 8 <= o + be32(d + o); t += be32(d + t)) {
            long tend = t + be32(d + t), b;
            int mine = 0;
            if (be32(d + t) < 8 || tend > o + be32(d + o))
                return -1;
            if (memcmp(d + t + 4, "traf", 4) != 0)
                continue;
            for (b = t + 8; b + 8 <= tend && be32(d + b) >= 8 && b + be32(d + b) <= tend;
                 b += be32(d + b)) {
                if (!memcmp(d + b + 4, "tfhd", 4) && be32(d + b) >= 16)
                    mine = be32(d + b + 12) == track_id;
                if (!memcmp(d + b + 4, "trun", 4) && mine &&
                    read_trun(d + b + 8, be32(d + b) - 8, cto, count, &cap) < 0)
                    return -1;
            }
        }
    }
    return 0;
}

int val_fmp4_offsets(const char *path, uint32_t track_id, int32_t **cto, int *count)
{
    long n = 0;
    uint8_t *data = (uint8_t *)val_slurp(path, &n);
    int ret;

    *cto = NULL;
    *count = 0;
    if (!data)
        return -1;
    ret = read_moofs(data, n, track_id, cto, count);
    free(data);
    if (ret < 0) {
        free(*cto);
        *cto = NULL;
        *count = 0;
    }
    return ret;
}

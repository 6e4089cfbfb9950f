/* bmff.c: ISO BMFF reading for fMP4 segments: the composition time offsets of a track's
 * samples, from the trun boxes. libavformat adds a constant of its own to the PTS of a track
 * with negative offsets (so that pts >= dts), which would make rungs with and without B-frames
 * look misaligned when they are not; media.c takes the offsets from here instead.
 * For DASH (rules_dash.c), an init segment's track (tkhd, mdhd, hdlr, trex) and a media
 * segment's timing as ISO/IEC 14496-12 defines it: tfdt, sample durations and composition
 * offsets from trun, tfhd and trex defaults, and the first sample's sync flag. */
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

/* ---- DASH: an init segment's track, a media segment's timing ------------------------------- */

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* The first child box of `type` in d[o..end), its body in *body (n bytes); 0 when none. */
static int find_box(const uint8_t *d, long o, long end, const char *type, long *body, long *n)
{
    while (o + 8 <= end) {
        long size = be32(d + o);
        if (size < 8 || size > end - o)
            return 0;
        if (!memcmp(d + o + 4, type, 4)) {
            *body = o + 8;
            *n = size - 8;
            return 1;
        }
        o += size;
    }
    return 0;
}

/* A box on a path of types ("moov/trak/mdia/mdhd") under d[o..end). */
static int find_path(const uint8_t *d, long o, long end, const char *path, long *body, long *n)
{
    char type[5];

    while (*path) {
        snprintf(type, sizeof type, "%.4s", path);
        if (!find_box(d, o, end, type, body, n))
            return 0;
        o = *body;
        end = *body + *n;
        path += path[4] == '/' ? 5 : 4;
    }
    return 1;
}

int val_fmp4_init(const char *path, val_fmp4_track *t)
{
    long n = 0, b, bn, end, trak, trakn;
    uint8_t *d = (uint8_t *)val_slurp(path, &n);
    int ok = 0;

    memset(t, 0, sizeof *t);
    if (!d)
        return -1;
    if (find_path(d, 0, n, "moov/trak", &trak, &trakn)) {
        end = trak + trakn;
        if (find_path(d, trak, end, "tkhd", &b, &bn) && bn >= 24)
            t->track_id = be32(d + b + (d[b] == 1 ? 20 : 12));
        if (find_path(d, trak, end, "mdia/mdhd", &b, &bn) && bn >= 24)
            t->timescale = be32(d + b + (d[b] == 1 ? 20 : 12));
        if (find_path(d, trak, end, "mdia/hdlr", &b, &bn) && bn >= 12)
            memcpy(t->handler, d + b + 8, 4);
        /* the first edit that is not empty: where the presentation starts in the media */
        if (find_path(d, trak, end, "edts/elst", &b, &bn) && bn >= 8) {
            int v1 = d[b] == 1, size = v1 ? 20 : 12;
            uint32_t count = be32(d + b + 4);
            for (uint32_t i = 0; i < count && 8 + (long)(i + 1) * size <= bn; i++) {
                const uint8_t *e = d + b + 8 + i * size;
                int64_t media = v1 ? (int64_t)be64(e + 8) : (int64_t)(int32_t)be32(e + 4);
                if (media >= 0) {
                    t->edit_media_time = media;
                    break;
                }
            }
        }
        ok = t->track_id > 0 && t->timescale > 0;
    }
    /* trex: the defaults of the track's fragments (the one whose track_ID is ours) */
    if (ok && find_path(d, 0, n, "moov/mvex", &b, &bn)) {
        for (long o = b; o + 8 <= b + bn && be32(d + o) >= 8 && be32(d + o) <= b + bn - o;
             o += be32(d + o))
            if (!memcmp(d + o + 4, "trex", 4) && be32(d + o) >= 32 &&
                be32(d + o + 12) == t->track_id) {
                t->default_duration = be32(d + o + 20);
                t->default_flags = be32(d + o + 28);
            }
    }
    free(d);
    return ok ? 0 : -1;
}

/* One traf of the segment's track: its samples added to s. */
static int read_traf(const uint8_t *d, long o, long end, const val_fmp4_track *t,
                     val_fmp4_timing *s)
{
    uint32_t dflt_duration = t->default_duration, dflt_flags = t->default_flags;
    uint64_t dts = 0;
    long b, bn;
    int have_tfdt = 0;

    if (!find_box(d, o, end, "tfhd", &b, &bn) || bn < 8 || be32(d + b + 4) != t->track_id)
        return 0; /* another track's */
    uint32_t tf = be32(d + b) & 0xffffff;
    long p = b + 8 + 8 * !!(tf & 0x1) + 4 * !!(tf & 0x2);
    if (tf & 0x8) {
        if (p + 4 > b + bn)
            return -1;
        dflt_duration = be32(d + p);
        p += 4;
    }
    p += 4 * !!(tf & 0x10);
    if (tf & 0x20) {
        if (p + 4 > b + bn)
            return -1;
        dflt_flags = be32(d + p);
    }
    if (find_box(d, o, end, "tfdt", &b, &bn) && bn >= 8) {
        dts = d[b] == 1 && bn >= 12 ? be64(d + b + 4) : be32(d + b + 4);
        have_tfdt = 1;
    }
    if (!have_tfdt)
        return -1;
    if (s->samples == 0)
        s->tfdt = dts;
    for (long r = o; r + 8 <= end && be32(d + r) >= 8 && be32(d + r) <= end - r; r += be32(d + r)) {
        long rn = be32(d + r) - 8, q;
        const uint8_t *x = d + r + 8;
        if (memcmp(d + r + 4, "trun", 4) != 0)
            continue;
        if (rn < 8)
            return -1;
        uint32_t flags = be32(x) & 0xffffff, count = be32(x + 4), first_flags = 0;
        int version = x[0];
        int per =
            4 * (!!(flags & 0x100) + !!(flags & 0x200) + !!(flags & 0x400) + !!(flags & 0x800));
        q = 8 + 4 * !!(flags & 0x1);
        if (flags & 0x4) {
            if (q + 4 > rn)
                return -1;
            first_flags = be32(x + q);
            q += 4;
        }
        if (count > MAX_SAMPLES || q + (long)count * per > rn)
            return -1;
        for (uint32_t i = 0; i < count; i++, q += per) {
            long f = q;
            uint32_t dur = dflt_duration, sflags = dflt_flags, v;
            int64_t cto = 0;
            if (flags & 0x100) {
                dur = be32(x + f);
                f += 4;
            }
            f += 4 * !!(flags & 0x200);
            if (flags & 0x400) {
                sflags = be32(x + f);
                f += 4;
            }
            if (i == 0 && (flags & 0x4))
                sflags = first_flags;
            if (flags & 0x800) {
                v = be32(x + f);
                cto = version ? (int64_t)(int32_t)v : (int64_t)v;
            }
            int64_t pts = (int64_t)dts + cto - t->edit_media_time;
            if (s->samples == 0) {
                s->first_sync = !(sflags & 0x10000); /* sample_is_non_sync_sample */
                s->first_pts = pts;
            }
            if (s->samples == 0 || pts < s->earliest)
                s->earliest = pts;
            s->samples++;
            s->duration += dur;
            dts += dur;
        }
    }
    return 0;
}

int val_fmp4_segment(const char *path, const val_fmp4_track *t, val_fmp4_timing *s)
{
    long n = 0;
    uint8_t *d = (uint8_t *)val_slurp(path, &n);
    int ret = 0;

    memset(s, 0, sizeof *s);
    if (!d)
        return -1;
    s->bytes = n;
    for (long o = 0; ret == 0 && o + 8 <= n; o += be32(d + o)) {
        long size = be32(d + o);
        if (size < 8 || size > n - o) {
            ret = -1;
            break;
        }
        if (memcmp(d + o + 4, "moof", 4) != 0)
            continue;
        for (long t2 = o + 8; ret == 0 && t2 + 8 <= o + size; t2 += be32(d + t2)) {
            long tn = be32(d + t2);
            if (tn < 8 || tn > o + size - t2) {
                ret = -1;
                break;
            }
            if (!memcmp(d + t2 + 4, "traf", 4))
                ret = read_traf(d, t2 + 8, t2 + tn, t, s);
        }
    }
    free(d);
    return ret < 0 || s->samples == 0 ? -1 : 0;
}

/* scte35_build.h: what the SCTE-35 parser's tests (test_scte35.c, test_scte35_refused.c)
 * share: the standard's two sample sections, and builders of sections with a right CRC-32
 * (computed here on its own, not with the parser's). */
#ifndef LADDER_UNIT_SCTE35_BUILD_H
#define LADDER_UNIT_SCTE35_BUILD_H

#include <stdint.h>
#include <string.h>

#include "fixture.h"
#include "media.h"

#define TICKS 90000.0

/* ANSI/SCTE 35 sample 14.2: splice_insert, out of network, pts_time 0x07369C02E, break_duration
 * 0x00052CCF5 with auto_return, an avail_descriptor. */
static const uint8_t sample_insert[] = {0xfc, 0x30, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
                                        0xff, 0xf0, 0x14, 0x05, 0x48, 0x00, 0x00, 0x8f, 0x7f, 0xef,
                                        0xfe, 0x73, 0x69, 0xc0, 0x2e, 0xfe, 0x00, 0x52, 0xcc, 0xf5,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x08, 0x43, 0x55,
                                        0x45, 0x49, 0x00, 0x00, 0x01, 0x35, 0x62, 0xdb, 0xa3, 0x0a};
/* ANSI/SCTE 35 sample 14.1: time_signal at 0x072BD0050 with a segmentation_descriptor, Provider
 * Placement Opportunity Start (0x34), segmentation_duration 0x0001A599B0. */
static const uint8_t sample_time_signal[] = {
    0xfc, 0x30, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xf0, 0x05, 0x06,
    0xfe, 0x72, 0xbd, 0x00, 0x50, 0x00, 0x1e, 0x02, 0x1c, 0x43, 0x55, 0x45, 0x49, 0x48,
    0x00, 0x00, 0x8e, 0x7f, 0xcf, 0x00, 0x01, 0xa5, 0x99, 0xb0, 0x08, 0x08, 0x00, 0x00,
    0x00, 0x00, 0x2c, 0xa0, 0xa1, 0x8a, 0x34, 0x02, 0x00, 0x9a, 0xc9, 0xd1, 0x7e};

static inline uint32_t crc32_mpeg2(const uint8_t *p, int n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= (uint32_t)*p++ << 24;
        for (int i = 0; i < 8; i++)
            crc = (crc << 1) ^ (crc & 0x80000000u ? 0x04C11DB7u : 0);
    }
    return crc;
}

/* A byte string being built. */
typedef struct bytes {
    uint8_t b[512];
    int n;
} bytes;

static inline void put(bytes *s, int n, uint64_t v)
{
    for (int i = n - 1; i >= 0; i--)
        s->b[s->n++] = (uint8_t)(v >> (8 * i));
}

static inline void put_all(bytes *s, const bytes *from)
{
    memcpy(s->b + s->n, from->b, (size_t)from->n);
    s->n += from->n;
}

static inline void put_splice_time(bytes *s, int64_t pts)
{
    put(s, 1, 0xFE | (uint64_t)(pts >> 32 & 1));
    put(s, 4, (uint64_t)pts & 0xFFFFFFFFu);
}

/* A whole section: header (pts_adjustment adj; splice_command_length cmd_len_field, or the
 * command's own length when -1), command, descriptor loop, CRC-32. */
static inline bytes section_with(int type, const bytes *cmd, const bytes *desc, int64_t adj,
                                 int cmd_len_field)
{
    bytes s = {0};
    int len = 11 + cmd->n + 2 + desc->n + 4; /* from protocol_version to CRC */

    put(&s, 1, 0xFC);
    put(&s, 2, 0x3000 | (uint64_t)len);
    put(&s, 1, 0); /* protocol_version */
    put(&s, 1, (uint64_t)(adj >> 32 & 1));
    put(&s, 4, (uint64_t)adj & 0xFFFFFFFFu);
    put(&s, 1, 0xFF); /* cw_index */
    put(&s, 3, 0xFFF000 | (uint64_t)(cmd_len_field < 0 ? cmd->n : cmd_len_field));
    put(&s, 1, (uint64_t)type);
    put_all(&s, cmd);
    put(&s, 2, (uint64_t)desc->n);
    put_all(&s, desc);
    put(&s, 4, crc32_mpeg2(s.b, s.n));
    return s;
}

static inline bytes section(int type, const bytes *cmd, const bytes *desc)
{
    return section_with(type, cmd, desc, 0, -1);
}

/* splice_insert: flags is the byte after the cancel byte (0x80 out, 0x40 program, 0x20
 * duration, 0x10 immediate). */
static inline bytes splice_insert(int flags, int64_t pts, int64_t duration)
{
    bytes c = {0};
    put(&c, 4, 0x1234);
    put(&c, 1, 0x7F);
    put(&c, 1, (uint64_t)flags | 0x0F);
    if (!(flags & 0x40)) { /* component mode: two components */
        put(&c, 1, 2);
        for (int i = 0; i < 2; i++) {
            put(&c, 1, (uint64_t)i);
            if (!(flags & 0x10))
                put_splice_time(&c, pts);
        }
    } else if (!(flags & 0x10)) {
        put_splice_time(&c, pts);
    }
    if (flags & 0x20) {
        put(&c, 1, 0xFE);
        put(&c, 4, (uint64_t)duration);
    }
    put(&c, 4, 0x00010000);
    return c;
}

/* A CUEI segmentation_descriptor of type `type`, with a duration when duration > 0. */
static inline void put_segmentation(bytes *d, int type, int64_t duration, int cancel)
{
    bytes b = {0};
    put(&b, 4, 0x43554549);
    put(&b, 4, 0x77);
    put(&b, 1, cancel ? 0xFF : 0x7F);
    if (!cancel) {
        put(&b, 1, duration > 0 ? 0xFF : 0xBF);
        if (duration > 0)
            put(&b, 5, (uint64_t)duration);
        put(&b, 1, 0x08); /* upid type, 8 bytes of it */
        put(&b, 1, 8);
        put(&b, 8, 0x2CA0A18A);
        put(&b, 1, (uint64_t)type);
        put(&b, 2, 0x0101);
    }
    put(d, 1, 0x02);
    put(d, 1, (uint64_t)b.n);
    put_all(d, &b);
}

static inline bytes time_signal(int64_t pts)
{
    bytes c = {0};
    put_splice_time(&c, pts);
    return c;
}

static const bytes none = {{0}, 0};

/* After a test changed a byte of s: its CRC made right again. */
static inline void fix_crc(bytes *s)
{
    uint32_t crc = crc32_mpeg2(s->b, s->n - 4);
    for (int i = 0; i < 4; i++)
        s->b[s->n - 4 + i] = (uint8_t)(crc >> (24 - 8 * i));
}

static inline int parse(const bytes *s, ladder_scte35_cue *cue, ladder_error *err)
{
    return ladder_scte35_parse(s->b, s->n, cue, err);
}

static inline void assert_close(double got, double want)
{
    if (got < want - 1e-9 || got > want + 1e-9)
        fail_msg("%.9f, not %.9f", got, want);
}

#endif

/* test_scte35.c: the SCTE-35 parser (media/scte35.c) on the standard's own sample sections
 * (ANSI/SCTE 35, 14.1 time_signal and 14.2 splice_insert) and on sections the tests build:
 * splice_insert out-points timed and immediate, cancelled, in-points, component mode,
 * splice_null, time_signal with every segmentation type, pts_adjustment across 2^33, the CRC,
 * and every kind of short or inconsistent section, cut at every length. */
#include <stdio.h>
#include <stdlib.h>
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

/* ---- sections built by the tests ------------------------------------------------------------ */

static uint32_t crc32_mpeg2(const uint8_t *p, int n)
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

static void put(bytes *s, int n, uint64_t v)
{
    for (int i = n - 1; i >= 0; i--)
        s->b[s->n++] = (uint8_t)(v >> (8 * i));
}

static void put_all(bytes *s, const bytes *from)
{
    memcpy(s->b + s->n, from->b, (size_t)from->n);
    s->n += from->n;
}

static void put_splice_time(bytes *s, int64_t pts)
{
    put(s, 1, 0xFE | (uint64_t)(pts >> 32 & 1));
    put(s, 4, (uint64_t)pts & 0xFFFFFFFFu);
}

/* A whole section: header (pts_adjustment adj; splice_command_length cmd_len_field, or the
 * command's own length when -1), command, descriptor loop, CRC-32. */
static bytes section_with(int type, const bytes *cmd, const bytes *desc, int64_t adj,
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

static bytes section(int type, const bytes *cmd, const bytes *desc)
{
    return section_with(type, cmd, desc, 0, -1);
}

/* splice_insert: flags is the byte after the cancel byte (0x80 out, 0x40 program, 0x20
 * duration, 0x10 immediate). */
static bytes splice_insert(int flags, int64_t pts, int64_t duration)
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
static void put_segmentation(bytes *d, int type, int64_t duration, int cancel)
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

static bytes time_signal(int64_t pts)
{
    bytes c = {0};
    put_splice_time(&c, pts);
    return c;
}

static const bytes none = {{0}, 0};

/* After a test changed a byte of s: its CRC made right again. */
static void fix_crc(bytes *s)
{
    uint32_t crc = crc32_mpeg2(s->b, s->n - 4);
    for (int i = 0; i < 4; i++)
        s->b[s->n - 4 + i] = (uint8_t)(crc >> (24 - 8 * i));
}

static int parse(const bytes *s, ladder_scte35_cue *cue, ladder_error *err)
{
    return ladder_scte35_parse(s->b, s->n, cue, err);
}

static void assert_close(double got, double want)
{
    if (got < want - 1e-9 || got > want + 1e-9)
        fail_msg("%.9f, not %.9f", got, want);
}

/* ---- the standard's samples ----------------------------------------------------------------- */

static void test_sample_splice_insert(void **state)
{
    ladder_scte35_cue cue;
    ladder_error err = {0};
    (void)state;

    assert_int_equal(ladder_scte35_parse(sample_insert, sizeof sample_insert, &cue, &err), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.command, 0x05);
    assert_int_equal(cue.event_id, 0x4800008F);
    assert_int_equal(cue.has_pts, 1);
    assert_int_equal(cue.immediate, 0);
    assert_int_equal(cue.pts90, 0x07369C02E);
    assert_int_equal(cue.has_duration, 1);
    assert_close(cue.duration, 0x00052CCF5 / TICKS);
    assert_int_equal(cue.auto_return, 1);
    assert_int_equal(cue.section_size, (int)sizeof sample_insert);
    assert_int_equal(cue.segmentation_type, -1);
}

static void test_sample_time_signal(void **state)
{
    ladder_scte35_cue cue;
    ladder_error err = {0};
    (void)state;

    assert_int_equal(ladder_scte35_parse(sample_time_signal, sizeof sample_time_signal, &cue, &err),
                     0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.command, 0x06);
    assert_int_equal(cue.segmentation_type, 0x34);
    assert_int_equal(cue.event_id, 0x4800008E);
    assert_int_equal(cue.pts90, 0x072BD0050);
    assert_int_equal(cue.has_duration, 1);
    assert_close(cue.duration, 307.0);
    assert_int_equal(cue.section_size, (int)sizeof sample_time_signal);
}

/* ---- splice_insert -------------------------------------------------------------------------- */

static void test_insert_out_with_duration(void **state)
{
    bytes c = splice_insert(0x80 | 0x40 | 0x20, 663300, 15 * 90000);
    bytes s = section(0x05, &c, &none);
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.pts90, 663300);
    assert_close(cue.duration, 15);
    assert_int_equal(cue.section_size, s.n);
}

static void test_insert_out_without_duration(void **state)
{
    bytes c = splice_insert(0x80 | 0x40, 900, 0);
    bytes s = section(0x05, &c, &none);
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.has_duration, 0);
    assert_close(cue.duration, 0);
}

static void test_insert_immediate(void **state)
{
    bytes c = splice_insert(0x80 | 0x40 | 0x20 | 0x10, 0, 30 * 90000);
    bytes s = section(0x05, &c, &none);
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.immediate, 1);
    assert_int_equal(cue.has_pts, 0);
    assert_close(cue.duration, 30);
}

static void test_insert_cancel(void **state)
{
    bytes c = {0}, s;
    ladder_scte35_cue cue;
    (void)state;

    put(&c, 4, 0x99);
    put(&c, 1, 0xFF); /* splice_event_cancel_indicator: nothing follows */
    s = section(0x05, &c, &none);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 0);
    assert_non_null(strstr(cue.why, "cancels event 153"));
}

static void test_insert_in_point(void **state)
{
    bytes c = splice_insert(0x40 | 0x20, 900, 90000);
    bytes s = section(0x05, &c, &none);
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 0);
    assert_int_equal(cue.has_pts, 0);
    assert_non_null(strstr(cue.why, "in-point"));
}

static void test_insert_component_mode(void **state)
{
    for (int immediate = 0; immediate <= 0x10; immediate += 0x10) {
        bytes c = splice_insert(0x80 | 0x20 | immediate, 900, 90000);
        bytes s = section(0x05, &c, &none);
        ladder_scte35_cue cue;
        (void)state;

        assert_int_equal(parse(&s, &cue, NULL), 0);
        assert_int_equal(cue.is_out, 0);
        assert_non_null(strstr(cue.why, "component mode"));
    }
}

/* An old encoder's splice_command_length 0xFFF: the command's length is its syntax's. */
static void test_insert_legacy_command_length(void **state)
{
    bytes c = splice_insert(0x80 | 0x40 | 0x20, 1234, 20 * 90000), d = {0};
    bytes s;
    ladder_scte35_cue cue;
    (void)state;

    put_segmentation(&d, 0x30, 0, 0);
    s = section_with(0x05, &c, &d, 0, 0xFFF);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.pts90, 1234);
    assert_close(cue.duration, 20);
}

/* ---- splice_null and other commands --------------------------------------------------------- */

static void test_splice_null(void **state)
{
    bytes s = section(0x00, &none, &none);
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(s.n, 20);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 0);
    assert_int_equal(cue.command, 0);
    assert_string_equal(cue.why, "splice_null");
}

static void test_other_commands_are_not_breaks(void **state)
{
    static const int types[] = {0x04, 0x07, 0xFF};
    bytes c = {0};
    (void)state;

    put(&c, 4, 0xDEADBEEF);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        bytes s = section(types[i], &c, &none);
        ladder_scte35_cue cue;
        assert_int_equal(parse(&s, &cue, NULL), 0);
        assert_int_equal(cue.is_out, 0);
        assert_non_null(strstr(cue.why, "not a break"));
    }
}

/* ---- time_signal ---------------------------------------------------------------------------- */

static void test_time_signal_out_types(void **state)
{
    static const int types[] = {0x30, 0x32, 0x34, 0x36};
    (void)state;

    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        bytes c = time_signal(4500), d = {0}, s;
        ladder_scte35_cue cue;

        put_segmentation(&d, types[i], 12 * 90000, 0);
        s = section(0x06, &c, &d);
        assert_int_equal(parse(&s, &cue, NULL), 0);
        assert_int_equal(cue.is_out, 1);
        assert_int_equal(cue.segmentation_type, types[i]);
        assert_int_equal(cue.event_id, 0x77);
        assert_int_equal(cue.pts90, 4500);
        assert_close(cue.duration, 12);
    }
}

/* Ends, program boundaries, content ids, chapter starts: not out-points. */
static void test_time_signal_other_types(void **state)
{
    static const int types[] = {0x00, 0x01, 0x10, 0x11, 0x20, 0x31, 0x33, 0x35, 0x37, 0x50};
    (void)state;

    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        bytes c = time_signal(4500), d = {0}, s;
        ladder_scte35_cue cue;
        char want[64];

        put_segmentation(&d, types[i], 12 * 90000, 0);
        s = section(0x06, &c, &d);
        assert_int_equal(parse(&s, &cue, NULL), 0);
        assert_int_equal(cue.is_out, 0);
        snprintf(want, sizeof want, "segmentation_type_id 0x%02X", types[i]);
        assert_non_null(strstr(cue.why, want));
    }
}

/* The first out-point among several descriptors decides; a cancelled one, another identifier
 * and other tags do not count. */
static void test_time_signal_descriptors(void **state)
{
    bytes c = time_signal(4500), d = {0}, s;
    ladder_scte35_cue cue;
    (void)state;

    put(&d, 1, 0x00); /* avail_descriptor */
    put(&d, 1, 8);
    put(&d, 4, 0x43554549);
    put(&d, 4, 0x135);
    put_segmentation(&d, 0x10, 0, 0);
    put_segmentation(&d, 0x30, 0, 1); /* cancelled */
    put(&d, 1, 0x02);                 /* another identifier's segmentation descriptor */
    put(&d, 1, 4);
    put(&d, 4, 0x41424344);
    put_segmentation(&d, 0x36, 0, 0);
    put_segmentation(&d, 0x30, 5 * 90000, 0);
    s = section(0x06, &c, &d);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.segmentation_type, 0x36);
    assert_int_equal(cue.has_duration, 0);

    d.n = 0;
    put_segmentation(&d, 0x34, 0, 1);
    s = section(0x06, &c, &d);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 0);
    assert_non_null(strstr(cue.why, "without an out-point"));
    s = section(0x06, &c, &none);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 0);
}

/* time_specified_flag 0: an immediate out-point. */
static void test_time_signal_immediate(void **state)
{
    bytes c = {0}, d = {0}, s;
    ladder_scte35_cue cue;
    (void)state;

    put(&c, 1, 0x7F);
    put_segmentation(&d, 0x34, 0, 0);
    s = section(0x06, &c, &d);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.is_out, 1);
    assert_int_equal(cue.immediate, 1);
    assert_int_equal(cue.has_pts, 0);
}

/* ---- pts_adjustment --------------------------------------------------------------------- */

static void test_pts_adjustment_wraps(void **state)
{
    const int64_t wrap = INT64_C(1) << 33;
    bytes c = splice_insert(0x80 | 0x40, wrap - 100, 0);
    bytes s = section_with(0x05, &c, &none, 1000, -1);
    bytes t = time_signal(wrap - 1), d = {0};
    ladder_scte35_cue cue;
    (void)state;

    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.pts90, 900);
    s = section_with(0x05, &c, &none, wrap - 1, -1); /* the largest adjustment */
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.pts90, wrap - 101);
    put_segmentation(&d, 0x30, 0, 0);
    s = section_with(0x06, &t, &d, 1, -1);
    assert_int_equal(parse(&s, &cue, NULL), 0);
    assert_int_equal(cue.pts90, 0);
}

/* ---- sections refused --------------------------------------------------------------------- */

static void assert_refused(const uint8_t *b, int n, const char *why)
{
    ladder_scte35_cue cue;
    ladder_error err = {0};

    assert_int_equal(ladder_scte35_parse(b, n, &cue, &err), LADDER_EINPUT);
    assert_int_equal(err.code, LADDER_EINPUT);
    if (!strstr(err.msg, why))
        fail_msg("\"%s\" does not say \"%s\"", err.msg, why);
    assert_null(strchr(err.msg, '\n'));
    assert_int_equal(cue.is_out, 0);
}

static void test_bad_crc(void **state)
{
    uint8_t b[sizeof sample_insert];
    (void)state;

    for (size_t i = 3; i < sizeof b; i++) { /* any byte after the length */
        memcpy(b, sample_insert, sizeof b);
        b[i] ^= 0x01;
        assert_refused(b, sizeof b, "bad CRC-32");
    }
}

static void test_header_refused(void **state)
{
    bytes c = splice_insert(0x80 | 0x40, 900, 0), s;
    (void)state;

    s = section(0x05, &c, &none);
    s.b[0] = 0x02;
    assert_refused(s.b, s.n, "table_id 0x02");
    s = section(0x05, &c, &none);
    s.b[3] = 1; /* protocol_version, CRC made again */
    fix_crc(&s);
    assert_refused(s.b, s.n, "protocol_version 1");
    s = section_with(0x05, &c, &none, 0, -1);
    s.b[4] |= 0x80; /* encrypted_packet */
    fix_crc(&s);
    assert_refused(s.b, s.n, "encrypted");
    assert_refused(NULL, 0, "0 bytes");
}

/* Every cut of the samples and of a built section: refused, never read past the cut. Bytes are
 * copied to the heap at their cut length so that AddressSanitizer sees any overread. */
static void test_truncated_at_every_length(void **state)
{
    bytes c = splice_insert(0x80 | 0x40 | 0x20, 900, 90000), d = {0};
    bytes built;
    const uint8_t *all[] = {sample_insert, sample_time_signal, NULL};
    int sizes[] = {sizeof sample_insert, sizeof sample_time_signal, 0};
    (void)state;

    put_segmentation(&d, 0x34, 90000, 0);
    built = section(0x05, &c, &d);
    all[2] = built.b;
    sizes[2] = built.n;
    for (int k = 0; k < 3; k++)
        for (int n = 0; n < sizes[k]; n++) {
            uint8_t *b = malloc(n ? (size_t)n : 1);
            ladder_scte35_cue cue;
            ladder_error err = {0};
            assert_non_null(b);
            memcpy(b, all[k], (size_t)n);
            assert_int_equal(ladder_scte35_parse(b, n, &cue, &err), LADDER_EINPUT);
            assert_true(err.msg[0] != 0);
            free(b);
        }
}

/* A right CRC over wrong inner lengths: each refused in one line. */
static void test_inner_lengths_refused(void **state)
{
    bytes c = splice_insert(0x80 | 0x40 | 0x20, 900, 90000), d = {0}, s;
    (void)state;

    s = section_with(0x05, &c, &none, 0, c.n + 3);
    assert_refused(s.b, s.n, "splice_command_length");
    s = section_with(0x05, &c, &none, 0, 0xFFE);
    assert_refused(s.b, s.n, "splice_command_length");
    /* the command cut short at every length, its length field saying so */
    for (int k = 0; k < c.n; k++) {
        bytes cut = c;
        cut.n = k;
        s = section(0x05, &cut, &none);
        assert_refused(s.b, s.n, "truncated splice_command 0x05");
    }
    /* descriptor_loop_length past the CRC */
    s = section(0x05, &c, &none);
    s.b[14 + c.n + 1] = 9;
    fix_crc(&s);
    assert_refused(s.b, s.n, "descriptor_loop_length");
    /* a descriptor longer than its loop */
    put(&d, 1, 0x02);
    put(&d, 1, 40);
    put(&d, 4, 0x43554549);
    s = section(0x05, &c, &d);
    assert_refused(s.b, s.n, "overruns its loop");
    /* a segmentation_descriptor cut at every length, its own length saying so */
    d.n = 0;
    put_segmentation(&d, 0x30, 90000, 0);
    for (int k = 4; k < d.b[1]; k++) {
        bytes cut = d, t = time_signal(900);
        cut.b[1] = (uint8_t)k;
        cut.n = 2 + k;
        s = section(0x06, &t, &cut);
        assert_refused(s.b, s.n, "truncated segmentation_descriptor");
    }
}

/* Bytes after the section (a demuxer's padding) are not part of it. */
static void test_trailing_bytes_ignored(void **state)
{
    uint8_t b[sizeof sample_insert + 7];
    ladder_scte35_cue cue;
    (void)state;

    memcpy(b, sample_insert, sizeof sample_insert);
    memset(b + sizeof sample_insert, 0xFF, 7);
    assert_int_equal(ladder_scte35_parse(b, sizeof b, &cue, NULL), 0);
    assert_int_equal(cue.section_size, (int)sizeof sample_insert);
    assert_int_equal(cue.is_out, 1);
}

#include "test_scte35_tests.h"

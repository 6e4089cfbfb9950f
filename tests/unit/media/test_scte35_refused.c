/* test_scte35_refused.c: the sections the SCTE-35 parser (media/scte35.c) must refuse, each
 * in one line with the cue cleared: a wrong CRC-32 at any byte, a wrong table_id,
 * protocol_version or an encrypted section, every cut of a section, and inner lengths
 * (command, descriptor loop, descriptors) that do not fit under a right CRC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scte35_build.h"

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

#include "test_scte35_refused_tests.h"

/* test_aac.c: the validator's AAC readers (validator/bitstream.c) on bytes in memory: the
 * AudioSpecificConfig and ADTS headers, and CEA-608 pairs in an H.264 SEI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_test.h"

/* ---- val_aac_asc_config / val_aac_adts_config ----------------------------------------------- */

static void test_asc_lc(void **state)
{
    (void)state;
    const uint8_t lc44[] = {0x12, 0x10}, lc48[] = {0x11, 0x90}, mono[] = {0x11, 0x88};
    int aot = -1, ch = -1;

    assert_int_equal(val_aac_asc_config(lc44, sizeof lc44, &aot, &ch), 1);
    assert_int_equal(aot, 2);
    assert_int_equal(ch, 2);
    aot = ch = -1;
    assert_int_equal(val_aac_asc_config(lc48, sizeof lc48, &aot, &ch), 1);
    assert_int_equal(aot, 2);
    assert_int_equal(ch, 2);
    assert_int_equal(val_aac_asc_config(mono, sizeof mono, &aot, &ch), 1);
    assert_int_equal(aot, 2);
    assert_int_equal(ch, 1);
}

/* HE-AAC (5) as a player sees it: the object type is what the first 5 bits say. */
static void test_asc_he_aac(void **state)
{
    (void)state;
    /* 00101 (5) 0110 (22.05 kHz) 0010 (stereo) 0011 (extension: 48 kHz) 00010 (LC) */
    const uint8_t he[] = {0x2b, 0x11, 0x88};
    int aot = 0, ch = 0;
    assert_int_equal(val_aac_asc_config(he, sizeof he, &aot, &ch), 1);
    assert_int_equal(aot, 5);
    assert_int_equal(ch, 2);
}

/* Object type 31 escapes to 32 + 6 more bits: 11111 001010 (42, USAC), 0011 (48 kHz), 0010. */
static void test_asc_escaped_object_type(void **state)
{
    (void)state;
    const uint8_t usac[] = {0xf9, 0x46, 0x40};
    int aot = 0, ch = 0;
    assert_int_equal(val_aac_asc_config(usac, sizeof usac, &aot, &ch), 1);
    assert_int_equal(aot, 42);
    assert_int_equal(ch, 2);
}

/* Frequency index 15: 24 bits of frequency follow before the channels.
 * 00010 (LC) 1111 000000001010110001000100 (44100) 0010 (stereo). */
static void test_asc_explicit_frequency(void **state)
{
    (void)state;
    const uint8_t explicit_rate[] = {0x17, 0x80, 0x56, 0x22, 0x10};
    int aot = 0, ch = 0;
    assert_int_equal(val_aac_asc_config(explicit_rate, sizeof explicit_rate, &aot, &ch), 1);
    assert_int_equal(aot, 2);
    assert_int_equal(ch, 2);
    /* cut before the channel bits: the bytes do not say */
    assert_int_equal(val_aac_asc_config(explicit_rate, 3, &aot, &ch), 0);
}

static void test_asc_too_short(void **state)
{
    (void)state;
    const uint8_t lc44[] = {0x12, 0x10};
    int aot = 0, ch = 0;
    assert_int_equal(val_aac_asc_config(lc44, 1, &aot, &ch), 0);
    assert_int_equal(val_aac_asc_config(lc44, 0, &aot, &ch), 0);
    assert_int_equal(val_aac_asc_config(NULL, 0, &aot, &ch), 0);
}

/* FF F1: sync, MPEG-4, layer 0, no CRC. 0x50 0x80: profile 1 (LC, object type 2), 44.1 kHz,
 * channel configuration 2. 0x51 0x80: the same with configuration 6 (5.1, split over bytes). */
static void test_adts_valid(void **state)
{
    (void)state;
    const uint8_t lc[] = {0xff, 0xf1, 0x50, 0x80, 0x2e, 0x7f, 0xfc};
    const uint8_t six[] = {0xff, 0xf1, 0x51, 0x80, 0x2e, 0x7f, 0xfc};
    const uint8_t mpeg2_crc[] = {0xff, 0xf8, 0x4c, 0x40, 0x2e, 0x7f, 0xfc, 0x00, 0x00};
    int aot = 0, ch = 0;

    assert_int_equal(val_aac_adts_config(lc, sizeof lc, &aot, &ch), 1);
    assert_int_equal(aot, 2);
    assert_int_equal(ch, 2);
    assert_int_equal(val_aac_adts_config(six, sizeof six, &aot, &ch), 1);
    assert_int_equal(ch, 6);
    assert_int_equal(val_aac_adts_config(mpeg2_crc, sizeof mpeg2_crc, &aot, &ch), 1);
    assert_int_equal(aot, 2);
    assert_int_equal(ch, 1);
}

/* A/53 captions in SEI: valid 608 pairs counted (a 708 triplet and an invalid pair are not),
 * through emulation prevention, Annex B and length-prefixed, other SEI payloads skipped. */
static void test_sei_cc608_pairs(void **state)
{
    static const uint8_t annexb[] = {
        0,    0,    1,    0x06, 0x05, 0x02, 0xaa, 0xbb, /* user data unregistered first */
        0x04, 0x17, 0xb5, 0x00, 0x31, 'G',  'A',  '9',  '4',
        0x03, 0x44, 0xff, 0xfc, 0x00, 0x00, 0x03, 0x01, /* 00 00 03 01 */
        0xfd, 0x80, 0x80, 0xfe, 0x12, 0x34, 0xf8, 0x80, 0x80,
        0xff, 0x80, 0,    0,    1,    0x65, 0x88};
    uint8_t mp4[64];
    int n = sizeof annexb - 3 - 6;

    (void)state;
    /* pairs: fc 00 01 (valid, field 1), fd 80 80 (valid, field 2); fe is 708, f8 invalid */
    assert_int_equal(val_h264_cc608_pairs(annexb, sizeof annexb, 0), 2);
    mp4[0] = mp4[1] = mp4[2] = 0;
    mp4[3] = (uint8_t)n;
    memcpy(mp4 + 4, annexb + 3, n);
    assert_int_equal(val_h264_cc608_pairs(mp4, n + 4, 4), 2);
    assert_int_equal(val_h264_cc608_pairs(annexb, 20, 0), 0); /* cut short: nothing read */
    assert_int_equal(val_h264_cc608_pairs(annexb + 4, sizeof annexb - 4, 0), 0);
}

static void test_adts_not_adts(void **state)
{
    (void)state;
    const uint8_t asc[] = {0x12, 0x10, 0x56, 0xe5, 0x00, 0x00, 0x00};
    const uint8_t layer1[] = {0xff, 0xf3, 0x50, 0x80, 0x2e, 0x7f, 0xfc};
    const uint8_t lc[] = {0xff, 0xf1, 0x50, 0x80, 0x2e, 0x7f, 0xfc};
    int aot = 0, ch = 0;

    assert_int_equal(val_aac_adts_config(asc, sizeof asc, &aot, &ch), 0);
    assert_int_equal(val_aac_adts_config(layer1, sizeof layer1, &aot, &ch), 0);
    assert_int_equal(val_aac_adts_config(lc, 6, &aot, &ch), 0);
    assert_int_equal(val_aac_adts_config(NULL, 7, &aot, &ch), 0);
}

#include "test_aac_tests.h"

/* test_h264.c: the validator's H.264 readers (validator/bitstream.c, through val_internal.h) on
 * bytes in memory: emulation prevention, finding NAL units in Annex B and length-prefixed
 * samples, the SPS fields the rules need, and frame_mbs_only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_test.h"

/* ---- H.264 SPS NAL units --------------------------------------------------------------------
 * Real ones from libx264 (FFmpeg 5.1, Debian 12), a 64x64 clip each:
 *   ffmpeg -f lavfi -i testsrc2=size=64x64:rate=25 -t 0.2 -c:v libx264 [options]
 *          -bsf:v h264_mp4toannexb -f h264 x.264
 * then the bytes of the NAL unit of type 7, header byte 0x67 first, trailing zeros dropped.
 * Options: none (High, progressive); -flags +ildct+ilme -x264-params interlaced=1 (High,
 * interlaced); -profile:v baseline; -flags +ildct+ilme -x264-params interlaced=1 -profile:v main;
 * -pix_fmt yuv444p -profile:v high444. ffprobe says field_order progressive for the first,
 * baseline and 4:4:4 ones, tt for the interlaced ones. */
static const uint8_t sps_high_progressive[] = {0x67, 0x64, 0x00, 0x0a, 0xac, 0xd9, 0x44, 0x26,
                                               0xc0, 0x44, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00,
                                               0x00, 0x03, 0x00, 0xc8, 0x3c, 0x48, 0x96, 0x58};
static const uint8_t sps_high_interlaced[] = {0x67, 0x64, 0x00, 0x15, 0xac, 0xd9, 0x44, 0x4d,
                                              0x80, 0x88, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00,
                                              0x00, 0x03, 0x01, 0x90, 0xf8, 0xa1, 0x4c, 0xb0};
static const uint8_t sps_baseline[] = {0x67, 0x42, 0xc0, 0x0a, 0xd9, 0x04, 0x26, 0xc0,
                                       0x44, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00,
                                       0x03, 0x00, 0xc8, 0x3c, 0x48, 0x99, 0x20};
static const uint8_t sps_main_interlaced[] = {0x67, 0x4d, 0x40, 0x15, 0xec, 0xa2, 0x26, 0xc0,
                                              0x44, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00,
                                              0x03, 0x00, 0xc8, 0x7c, 0x50, 0xa6, 0x58};
static const uint8_t sps_high444_progressive[] = {0x67, 0xf4, 0x00, 0x0a, 0x91, 0x9b, 0x28, 0x84,
                                                  0xd8, 0x08, 0x80, 0x00, 0x00, 0x03, 0x00, 0x80,
                                                  0x00, 0x00, 0x19, 0x07, 0x89, 0x12, 0xcb};

/* Hand-made (libx264 never writes scaling lists or POC type 1 in an SPS), each checked with
 * `ffmpeg -bsf:v trace_headers` after putting it in place of the SPS above:
 * High level 3.1, 4:2:0, seq_scaling_matrix_present with list 0 (one delta, -8, ending it early)
 * and list 6 (all 64 deltas), POC type 0, 4x4 macroblocks; then frame_mbs_only 1 or 0. */
static const uint8_t sps_scaling_progressive[] = {
    0x67, 0x64, 0x00, 0x1f, 0xad, 0x84, 0x41, 0x49, 0x24, 0x92, 0x49, 0x24,
    0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x92, 0x49, 0x24,
    0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x95, 0xb4, 0x21, 0x32};
static const uint8_t sps_scaling_interlaced[] = {
    0x67, 0x64, 0x00, 0x1f, 0xad, 0x84, 0x41, 0x49, 0x24, 0x92, 0x49, 0x24,
    0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x92, 0x49, 0x24,
    0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x95, 0xb4, 0x22, 0x64};
/* High 4:4:4 (chroma_format_idc 3: separate_colour_plane_flag, twelve lists), lists 0 and 11
 * present (11 is one that a reader counting eight would miss), progressive or interlaced. */
static const uint8_t sps_444_scaling_progressive[] = {
    0x67, 0xf4, 0x00, 0x1f, 0x91, 0xb0, 0x88, 0x01, 0x49, 0x24, 0x92, 0x49,
    0x24, 0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x92, 0x49,
    0x24, 0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x97, 0x68, 0x42, 0x64};
static const uint8_t sps_444_scaling_interlaced[] = {
    0x67, 0xf4, 0x00, 0x1f, 0x91, 0xb0, 0x88, 0x01, 0x49, 0x24, 0x92, 0x49,
    0x24, 0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x92, 0x49,
    0x24, 0x92, 0x49, 0x24, 0x92, 0x49, 0x24, 0x97, 0x68, 0x44, 0xc8};
/* Main, POC type 1 (offsets and a 3-entry cycle to skip), frame_mbs_only 1 or 0. */
static const uint8_t sps_poc1_progressive[] = {0x67, 0x4d, 0x00, 0x1f, 0xd1, 0x14,
                                               0x89, 0x8a, 0x42, 0x13, 0x20};
static const uint8_t sps_poc1_interlaced[] = {0x67, 0x4d, 0x00, 0x1f, 0xd1, 0x14,
                                              0x89, 0x8a, 0x42, 0x26, 0x40};

/* ---- val_nal_payload3 ----------------------------------------------------------------------- */

static void test_payload3_plain(void **state)
{
    (void)state;
    const uint8_t p[] = {0x64, 0x00, 0x1f, 0xac};
    uint8_t out[3] = {0xee, 0xee, 0xee};
    assert_int_equal(val_nal_payload3(p, sizeof p, out), 1);
    assert_memory_equal(out, ((uint8_t[]){0x64, 0x00, 0x1f}), 3);
}

/* 00 00 03 is emulation prevention: the 03 is not payload, so it must not be the third byte. */
static void test_payload3_emulation_prevention(void **state)
{
    (void)state;
    const uint8_t p[] = {0x00, 0x00, 0x03, 0x01, 0x02};
    uint8_t out[3];
    assert_int_equal(val_nal_payload3(p, sizeof p, out), 1);
    assert_memory_equal(out, ((uint8_t[]){0x00, 0x00, 0x01}), 3);
}

/* A 03 that does not follow two zeros is data. */
static void test_payload3_lone_03_is_data(void **state)
{
    (void)state;
    const uint8_t p[] = {0x03, 0x00, 0x03};
    uint8_t out[3];
    assert_int_equal(val_nal_payload3(p, sizeof p, out), 1);
    assert_memory_equal(out, p, 3);
}

/* Fewer than three payload bytes, counting after the removal, is "none". */
static void test_payload3_short(void **state)
{
    (void)state;
    const uint8_t two[] = {0x64, 0x00}, escaped[] = {0x00, 0x00, 0x03};
    uint8_t out[3];
    assert_int_equal(val_nal_payload3(two, sizeof two, out), 0);
    assert_int_equal(val_nal_payload3(two, 0, out), 0);
    assert_int_equal(val_nal_payload3(escaped, sizeof escaped, out), 0);
}

/* ---- val_h264_find_nal ---------------------------------------------------------------------- */

/* 3-byte start codes: the NAL runs to the next start code, or to the end of the data. */
static void test_find_nal_annexb_3byte(void **state)
{
    (void)state;
    const uint8_t d[] = {0x00, 0x00, 0x01, 0x67, 0x64, 0x00, 0x1f, 0xac,
                         0x00, 0x00, 0x01, 0x68, 0xee, 0x3c, 0x80};
    const uint8_t *nal = NULL;
    assert_int_equal(val_h264_find_nal(d, sizeof d, 0, 7, &nal), 5);
    assert_ptr_equal(nal, d + 3);
    assert_int_equal(val_h264_find_nal(d, sizeof d, 0, 8, &nal), 4);
    assert_ptr_equal(nal, d + 11);
    assert_int_equal(val_h264_find_nal(d, sizeof d, 0, 6, &nal), 0);
}

/* 4-byte start codes: the zero before the next 00 00 01 belongs to the start code. */
static void test_find_nal_annexb_4byte(void **state)
{
    (void)state;
    const uint8_t d[] = {0x00, 0x00, 0x00, 0x01, 0x09, 0xf0, 0x00, 0x00, 0x00, 0x01, 0x67, 0x64,
                         0x00, 0x1f, 0xac, 0x00, 0x00, 0x00, 0x01, 0x68, 0xee, 0x3c, 0x80};
    const uint8_t *nal = NULL;
    assert_int_equal(val_h264_find_nal(d, sizeof d, 0, 9, &nal), 2);
    assert_ptr_equal(nal, d + 4);
    assert_int_equal(val_h264_find_nal(d, sizeof d, 0, 7, &nal), 5);
    assert_ptr_equal(nal, d + 10);
    assert_int_equal(val_h264_find_nal(d, sizeof d, 0, 8, &nal), 4);
}

/* MP4 samples: 4-byte big-endian lengths, each NAL exactly as long as its length says. */
static void test_find_nal_length_prefixed(void **state)
{
    (void)state;
    const uint8_t d[] = {0x00, 0x00, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x00, 0x00, 0x05,
                         0x67, 0x64, 0x00, 0x1f, 0xac, 0x00, 0x00, 0x00, 0x03, 0x68,
                         0xee, 0x3c, 0x00, 0x00, 0x00, 0x02, 0x65, 0x88};
    const uint8_t *nal = NULL;
    assert_int_equal(val_h264_find_nal(d, sizeof d, 4, 7, &nal), 5);
    assert_ptr_equal(nal, d + 10);
    assert_int_equal(val_h264_find_nal(d, sizeof d, 4, 8, &nal), 3);
    assert_ptr_equal(nal, d + 19);
    assert_int_equal(val_h264_find_nal(d, sizeof d, 4, 5, &nal), 2);
    assert_ptr_equal(nal, d + 26);
    assert_int_equal(val_h264_find_nal(d, sizeof d, 4, 6, &nal), 0);
}

/* A length longer than what is left, zero, or past INT_MAX stops the scan; a length field cut
 * off at the end of the data is not read. Each buffer is a heap copy of exactly its size, so
 * valgrind sees any read past it. */
static int find_in_copy(const uint8_t *bytes, int n, int len_size, int type)
{
    uint8_t *d = malloc(n);
    const uint8_t *nal = NULL;
    int ret;

    assert_non_null(d);
    memcpy(d, bytes, n);
    ret = val_h264_find_nal(d, n, len_size, type, &nal);
    if (ret > 0) {
        assert_true(nal >= d && nal + ret <= d + n);
    }
    free(d);
    return ret;
}

static void test_find_nal_lying_lengths(void **state)
{
    (void)state;
    const uint8_t too_long[] = {0x00, 0x00, 0x00, 0x09, 0x67, 0x64, 0x00, 0x1f};
    const uint8_t zero[] = {0x00, 0x00, 0x00, 0x00, 0x67, 0x64, 0x00, 0x1f};
    const uint8_t huge[] = {0xff, 0xff, 0xff, 0xf0, 0x67, 0x64, 0x00, 0x1f};
    const uint8_t max[] = {0x7f, 0xff, 0xff, 0xff, 0x67, 0x64, 0x00, 0x1f};
    /* the first NAL (2 bytes) is fine; the second's length field has only 3 of its 4 bytes */
    const uint8_t cut_field[] = {0x00, 0x00, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x00, 0x00};
    /* the second length field is complete but nothing follows it */
    const uint8_t no_body[] = {0x00, 0x00, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x00, 0x00, 0x01};

    assert_int_equal(find_in_copy(too_long, sizeof too_long, 4, 7), 0);
    assert_int_equal(find_in_copy(zero, sizeof zero, 4, 7), 0);
    assert_int_equal(find_in_copy(huge, sizeof huge, 4, 7), 0);
    assert_int_equal(find_in_copy(max, sizeof max, 4, 7), 0);
    assert_int_equal(find_in_copy(cut_field, sizeof cut_field, 4, 7), 0);
    assert_int_equal(find_in_copy(no_body, sizeof no_body, 4, 7), 0);
    /* a length of exactly what is left is fine */
    assert_int_equal(find_in_copy(too_long, sizeof too_long - 4, 4, 7), 0);
    const uint8_t exact[] = {0x00, 0x00, 0x00, 0x04, 0x67, 0x64, 0x00, 0x1f};
    assert_int_equal(find_in_copy(exact, sizeof exact, 4, 7), 4);
}

/* Annex B data cut anywhere: a start code at the very end, a NAL of only its header. */
static void test_find_nal_annexb_truncated(void **state)
{
    (void)state;
    const uint8_t sps[] = {0x00, 0x00, 0x01, 0x67, 0x64, 0x00, 0x1f, 0x00, 0x00};
    for (int n = 0; n <= COUNT(sps); n++) {
        int len = find_in_copy(sps, n, 0, 7);
        assert_true(len <= (n > 3 ? n - 3 : 0));
    }
    assert_int_equal(find_in_copy(sps, 3, 0, 7), 0);
    assert_int_equal(find_in_copy(sps, 4, 0, 7), 1);
    assert_int_equal(find_in_copy(sps, 7, 0, 7), 4);
    const uint8_t *nal = NULL;
    assert_int_equal(val_h264_find_nal(NULL, 0, 0, 7, &nal), 0);
}

/* The first slice decides: looking for an IDR slice (5) in a picture whose first slice is a
 * non-IDR one (1) stops there, even if an IDR NAL follows; non-slice types scan on. */
static void test_find_nal_first_slice_decides(void **state)
{
    (void)state;
    const uint8_t annexb[] = {0x00, 0x00, 0x01, 0x09, 0xf0, 0x00, 0x00, 0x01, 0x41, 0x9a,
                              0x00, 0x00, 0x01, 0x65, 0x88, 0x00, 0x00, 0x01, 0x67, 0x64};
    const uint8_t prefixed[] = {0x00, 0x00, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x00, 0x00,
                                0x02, 0x41, 0x9a, 0x00, 0x00, 0x00, 0x02, 0x65, 0x88};
    const uint8_t *nal = NULL;

    assert_int_equal(val_h264_find_nal(annexb, sizeof annexb, 0, 5, &nal), 0);
    assert_int_equal(val_h264_find_nal(annexb, sizeof annexb, 0, 1, &nal), 2);
    assert_ptr_equal(nal, annexb + 8);
    assert_int_equal(val_h264_find_nal(annexb, sizeof annexb, 0, 7, &nal), 2);
    assert_ptr_equal(nal, annexb + 18);
    assert_int_equal(val_h264_find_nal(prefixed, sizeof prefixed, 4, 5, &nal), 0);
    assert_int_equal(val_h264_find_nal(prefixed, sizeof prefixed, 4, 1, &nal), 2);
    assert_ptr_equal(nal, prefixed + 10);
    /* an IDR picture: its first slice is the answer */
    const uint8_t idr[] = {0x00, 0x00, 0x00, 0x01, 0x65, 0x88, 0x84};
    assert_int_equal(val_h264_find_nal(idr, sizeof idr, 0, 5, &nal), 3);
    assert_ptr_equal(nal, idr + 4);
}

/* ---- val_h264_sps --------------------------------------------------------------------------- */

/* Annex B: an AUD, then a real SPS behind a 4-byte start code, then a PPS. */
static void test_sps_annexb(void **state)
{
    (void)state;
    uint8_t d[64], out[3] = {0};
    int n = 0;
    const uint8_t aud[] = {0x00, 0x00, 0x00, 0x01, 0x09, 0xf0, 0x00, 0x00, 0x00, 0x01};
    const uint8_t pps[] = {0x00, 0x00, 0x00, 0x01, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};

    memcpy(d + n, aud, sizeof aud);
    n += sizeof aud;
    memcpy(d + n, sps_high_progressive, sizeof sps_high_progressive);
    n += sizeof sps_high_progressive;
    memcpy(d + n, pps, sizeof pps);
    n += sizeof pps;
    assert_int_equal(val_h264_sps(d, n, out), 1);
    assert_memory_equal(out, ((uint8_t[]){0x64, 0x00, 0x0a}), 3);

    const uint8_t level31[] = {0x00, 0x00, 0x01, 0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9};
    assert_int_equal(val_h264_sps(level31, sizeof level31, out), 1);
    assert_memory_equal(out, ((uint8_t[]){0x64, 0x00, 0x1f}), 3);
}

/* An avcC record (ISO 14496-15 5.2.4.1): version 1, profile, compatibility, level, 0xff
 * (length size 4), 0xe1 (one SPS), the SPS's 16-bit length and bytes, then the PPS. */
static int make_avcc(uint8_t *d, const uint8_t *sps, int sps_len)
{
    int n = 0;
    const uint8_t head[] = {0x01, sps[1], sps[2], sps[3], 0xff, 0xe1};
    const uint8_t pps[] = {0x01, 0x00, 0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};

    memcpy(d, head, sizeof head);
    n = sizeof head;
    d[n++] = (uint8_t)(sps_len >> 8);
    d[n++] = (uint8_t)sps_len;
    memcpy(d + n, sps, sps_len);
    n += sps_len;
    memcpy(d + n, pps, sizeof pps);
    return n + (int)sizeof pps;
}

static void test_sps_avcc(void **state)
{
    (void)state;
    uint8_t d[128], out[3] = {0};
    int n = make_avcc(d, sps_high_interlaced, sizeof sps_high_interlaced);

    assert_int_equal(val_h264_sps(d, n, out), 1);
    assert_memory_equal(out, ((uint8_t[]){0x64, 0x00, 0x15}), 3);
    n = make_avcc(d, sps_baseline, sizeof sps_baseline);
    assert_int_equal(val_h264_sps(d, n, out), 1);
    assert_memory_equal(out, ((uint8_t[]){0x42, 0xc0, 0x0a}), 3);
}

/* avcC records that do not hold a readable SPS: none announced, a length past the end, a
 * first parameter set that is not an SPS, the record cut short. */
static void test_sps_avcc_broken(void **state)
{
    (void)state;
    uint8_t d[128], out[3];
    int n = make_avcc(d, sps_high_progressive, sizeof sps_high_progressive);

    d[5] = 0xe0; /* zero SPS */
    assert_int_equal(val_h264_sps(d, n, out), 0);
    n = make_avcc(d, sps_high_progressive, sizeof sps_high_progressive);
    d[7] = 0xf0; /* 240 bytes */
    assert_int_equal(val_h264_sps(d, n, out), 0);
    n = make_avcc(d, sps_high_progressive, sizeof sps_high_progressive);
    d[8] = 0x68; /* a PPS where the SPS should be */
    assert_int_equal(val_h264_sps(d, n, out), 0);
    n = make_avcc(d, sps_high_progressive, sizeof sps_high_progressive);
    for (int cut = 0; cut < 8 + (int)sizeof sps_high_progressive; cut++)
        assert_int_equal(val_h264_sps(d, cut, out), 0);
}

static void test_sps_absent(void **state)
{
    (void)state;
    const uint8_t no_sps[] = {0x00, 0x00, 0x01, 0x09, 0xf0, 0x00, 0x00, 0x01, 0x68, 0xee};
    const uint8_t header_only[] = {0x00, 0x00, 0x01, 0x67};
    const uint8_t two_bytes[] = {0x00, 0x00, 0x01, 0x67, 0x64, 0x00};
    uint8_t out[3];

    assert_int_equal(val_h264_sps(no_sps, sizeof no_sps, out), 0);
    assert_int_equal(val_h264_sps(header_only, sizeof header_only, out), 0);
    assert_int_equal(val_h264_sps(two_bytes, sizeof two_bytes, out), 0);
    assert_int_equal(val_h264_sps(NULL, 0, out), 0);
}

/* ---- val_h264_frame_mbs_only ---------------------------------------------------------------- */

#define MBS_ONLY(sps) val_h264_frame_mbs_only((sps) + 1, (int)sizeof(sps) - 1)

static void test_frame_mbs_only_x264(void **state)
{
    (void)state;
    assert_int_equal(MBS_ONLY(sps_high_progressive), 1);
    assert_int_equal(MBS_ONLY(sps_high_interlaced), 0);
    assert_int_equal(MBS_ONLY(sps_baseline), 1);
    assert_int_equal(MBS_ONLY(sps_main_interlaced), 0);
    assert_int_equal(MBS_ONLY(sps_high444_progressive), 1);
}

/* Scaling lists must be skipped exactly, early-ended and full ones, 8 or 12 of them. */
static void test_frame_mbs_only_scaling_lists(void **state)
{
    (void)state;
    assert_int_equal(MBS_ONLY(sps_scaling_progressive), 1);
    assert_int_equal(MBS_ONLY(sps_scaling_interlaced), 0);
    assert_int_equal(MBS_ONLY(sps_444_scaling_progressive), 1);
    assert_int_equal(MBS_ONLY(sps_444_scaling_interlaced), 0);
}

static void test_frame_mbs_only_poc_type1(void **state)
{
    (void)state;
    assert_int_equal(MBS_ONLY(sps_poc1_progressive), 1);
    assert_int_equal(MBS_ONLY(sps_poc1_interlaced), 0);
}

#include "test_h264_tests.h"

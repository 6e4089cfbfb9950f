/* test_validator_unit.c: the validator's internals (validator/val_internal.h), without a show:
 * the bitstream readers on bytes in memory (bitstream.c), the report and val_attr (report.c),
 * and the playlist readers (playlist.c) on small playlists written to a temporary folder. Each
 * group tests the contract in val_internal.h; the rules are named as in docs/hls-rules.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "val_internal.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

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

static void payload3_plain(void **state)
{
    (void)state;
    const uint8_t p[] = {0x64, 0x00, 0x1f, 0xac};
    uint8_t out[3] = {0xee, 0xee, 0xee};
    assert_int_equal(val_nal_payload3(p, sizeof p, out), 1);
    assert_memory_equal(out, ((uint8_t[]){0x64, 0x00, 0x1f}), 3);
}

/* 00 00 03 is emulation prevention: the 03 is not payload, so it must not be the third byte. */
static void payload3_emulation_prevention(void **state)
{
    (void)state;
    const uint8_t p[] = {0x00, 0x00, 0x03, 0x01, 0x02};
    uint8_t out[3];
    assert_int_equal(val_nal_payload3(p, sizeof p, out), 1);
    assert_memory_equal(out, ((uint8_t[]){0x00, 0x00, 0x01}), 3);
}

/* A 03 that does not follow two zeros is data. */
static void payload3_lone_03_is_data(void **state)
{
    (void)state;
    const uint8_t p[] = {0x03, 0x00, 0x03};
    uint8_t out[3];
    assert_int_equal(val_nal_payload3(p, sizeof p, out), 1);
    assert_memory_equal(out, p, 3);
}

/* Fewer than three payload bytes, counting after the removal, is "none". */
static void payload3_short(void **state)
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
static void find_nal_annexb_3byte(void **state)
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
static void find_nal_annexb_4byte(void **state)
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
static void find_nal_length_prefixed(void **state)
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

static void find_nal_lying_lengths(void **state)
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
static void find_nal_annexb_truncated(void **state)
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
static void find_nal_first_slice_decides(void **state)
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
static void sps_annexb(void **state)
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

static void sps_avcc(void **state)
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
static void sps_avcc_broken(void **state)
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

static void sps_absent(void **state)
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

static void frame_mbs_only_x264(void **state)
{
    (void)state;
    assert_int_equal(MBS_ONLY(sps_high_progressive), 1);
    assert_int_equal(MBS_ONLY(sps_high_interlaced), 0);
    assert_int_equal(MBS_ONLY(sps_baseline), 1);
    assert_int_equal(MBS_ONLY(sps_main_interlaced), 0);
    assert_int_equal(MBS_ONLY(sps_high444_progressive), 1);
}

/* Scaling lists must be skipped exactly, early-ended and full ones, 8 or 12 of them. */
static void frame_mbs_only_scaling_lists(void **state)
{
    (void)state;
    assert_int_equal(MBS_ONLY(sps_scaling_progressive), 1);
    assert_int_equal(MBS_ONLY(sps_scaling_interlaced), 0);
    assert_int_equal(MBS_ONLY(sps_444_scaling_progressive), 1);
    assert_int_equal(MBS_ONLY(sps_444_scaling_interlaced), 0);
}

static void frame_mbs_only_poc_type1(void **state)
{
    (void)state;
    assert_int_equal(MBS_ONLY(sps_poc1_progressive), 1);
    assert_int_equal(MBS_ONLY(sps_poc1_interlaced), 0);
}

/* ---- val_aac_asc_config / val_aac_adts_config ----------------------------------------------- */

static void asc_lc(void **state)
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
static void asc_he_aac(void **state)
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
static void asc_escaped_object_type(void **state)
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
static void asc_explicit_frequency(void **state)
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

static void asc_too_short(void **state)
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
static void adts_valid(void **state)
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
static void sei_cc608_pairs(void **state)
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

static void adts_not_adts(void **state)
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

/* ---- the report: val_fail, val_pass, CHECK -------------------------------------------------- */

static val_report *new_report(void)
{
    val_report *r = calloc(1, sizeof *r);
    assert_non_null(r);
    return r;
}

/* How many kept failures name rule. */
static int failures_of(const val_report *r, const char *rule)
{
    int n = 0;
    for (int i = 0; i < r->n_failures; i++)
        n += strcmp(r->failures[i].rule, rule) == 0;
    return n;
}

static void report_counts(void **state)
{
    (void)state;
    val_report *r = new_report();

    val_pass(r);
    val_pass(r);
    assert_int_equal(r->checks, 2);
    assert_int_equal(r->n_failures, 0);
    val_fail(r, "hls/a/index.m3u8", "endlist", "no %s after %d", "ENDLIST", 3);
    assert_int_equal(r->checks, 3);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].file, "hls/a/index.m3u8");
    assert_string_equal(r->failures[0].rule, "endlist");
    assert_string_equal(r->failures[0].message, "no ENDLIST after 3");
    free(r);
}

static void report_check_macro(void **state)
{
    (void)state;
    val_report *r = new_report();
    int x = 3;

    CHECK(r, x == 3, "f", "rule-a", "x is %d", x);
    assert_int_equal(r->checks, 1);
    assert_int_equal(r->n_failures, 0);
    CHECK(r, x == 4, "f", "rule-b", "x is %d", x);
    assert_int_equal(r->checks, 2);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "rule-b");
    assert_string_equal(r->failures[0].message, "x is 3");
    /* the macro is one statement: it fits an unbraced if/else */
    if (x)
        CHECK(r, 0, "f", "rule-c", "in an if");
    else
        CHECK(r, 0, "f", "rule-d", "in an else");
    assert_int_equal(failures_of(r, "rule-c"), 1);
    assert_int_equal(failures_of(r, "rule-d"), 0);
    free(r);
}

/* Long names and messages are cut to the fields, NUL-terminated. */
static void report_long_strings(void **state)
{
    (void)state;
    val_report *r = new_report();
    char file[1000];

    memset(file, 'a', sizeof file - 1);
    file[sizeof file - 1] = '\0';
    val_fail(r, file, file, "%s", file);
    assert_int_equal(strlen(r->failures[0].file), sizeof r->failures[0].file - 1);
    assert_int_equal(strlen(r->failures[0].rule), sizeof r->failures[0].rule - 1);
    assert_int_equal(strlen(r->failures[0].message), sizeof r->failures[0].message - 1);
    free(r);
}

/* Past VAL_MAX_FAILURES the failures are no longer kept, but every check is still counted. */
static void report_cap(void **state)
{
    (void)state;
    val_report *r = new_report();
    char rule[32];

    for (int i = 0; i < VAL_MAX_FAILURES + 50; i++) {
        snprintf(rule, sizeof rule, "rule-%d", i);
        val_fail(r, "f", rule, "failure %d", i);
        val_pass(r);
    }
    assert_int_equal(r->n_failures, VAL_MAX_FAILURES);
    assert_int_equal(r->checks, 2 * (VAL_MAX_FAILURES + 50));
    snprintf(rule, sizeof rule, "rule-%d", VAL_MAX_FAILURES - 1);
    assert_string_equal(r->failures[VAL_MAX_FAILURES - 1].rule, rule);
    free(r);
}

/* ---- val_attr ------------------------------------------------------------------------------- */

static const char *const stream_inf =
    "#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=1000000,BANDWIDTH=1200000,"
    "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=25.000\r\n";

static void attr_unquoted(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(val_attr(stream_inf, "RESOLUTION", out, sizeof out), 1);
    assert_string_equal(out, "1280x720");
    /* the last one ends at the line's end, CR LF not included */
    assert_int_equal(val_attr(stream_inf, "FRAME-RATE", out, sizeof out), 1);
    assert_string_equal(out, "25.000");
    /* the first one, right after the colon */
    assert_int_equal(val_attr(stream_inf, "AVERAGE-BANDWIDTH", out, sizeof out), 1);
    assert_string_equal(out, "1000000");
}

/* A quoted value keeps its commas and loses its quotes. */
static void attr_quoted_with_commas(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(val_attr(stream_inf, "CODECS", out, sizeof out), 1);
    assert_string_equal(out, "avc1.64001f,mp4a.40.2");
    const char *iframe = "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=9,URI=\"v2/hls/a,b/iframes.m3u8\"";
    assert_int_equal(val_attr(iframe, "URI", out, sizeof out), 1);
    assert_string_equal(out, "v2/hls/a,b/iframes.m3u8");
}

/* BANDWIDTH is a suffix of AVERAGE-BANDWIDTH, which comes first here: the right one answers. */
static void attr_name_is_suffix_of_another(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(val_attr(stream_inf, "BANDWIDTH", out, sizeof out), 1);
    assert_string_equal(out, "1200000");
    /* only AVERAGE-BANDWIDTH there: BANDWIDTH is absent */
    assert_int_equal(
        val_attr("#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=5", "BANDWIDTH", out, sizeof out), 0);
    /* a name that is a prefix of another (CODECS vs CODECS-X) is not it either */
    assert_int_equal(val_attr("#X:CODECS-X=\"a\"", "CODECS", out, sizeof out), 0);
}

static void attr_absent(void **state)
{
    (void)state;
    char out[16] = "unchanged";
    assert_int_equal(val_attr(stream_inf, "URI", out, sizeof out), 0);
    assert_int_equal(val_attr("#EXT-X-ENDLIST", "URI", out, sizeof out), 0);
    assert_int_equal(val_attr("#EXT-X-STREAM-INF:", "BANDWIDTH", out, sizeof out), 0);
    /* the tag's name before the colon is not an attribute */
    assert_int_equal(val_attr("BANDWIDTH=1:X=2", "BANDWIDTH", out, sizeof out), 0);
}

/* A value longer than out is cut, NUL-terminated; an unterminated quote runs to the end. */
static void attr_truncated_and_unterminated(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(val_attr(stream_inf, "CODECS", out, sizeof out), 1);
    assert_string_equal(out, "avc1.64");
    char big[64];
    assert_int_equal(val_attr("#X:URI=\"abc\n", "URI", big, sizeof big), 1);
    assert_string_equal(big, "abc");
}

/* ---- playlist readers on files ------------------------------------------------------------- */

typedef struct tmp_show {
    char dir[64];
} tmp_show;

static int tmp_setup(void **state)
{
    tmp_show *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/ladder-val-unit-XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    tmp_show *t = *state;
    ladder_rm_rf(t->dir, NULL);
    free(t);
    return 0;
}

static void put(const tmp_show *t, const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", t->dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

#define MEDIA_HEAD                                                                                 \
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n"                \
    "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n"

static const char *const good_media = MEDIA_HEAD "#EXTINF:6.000000,\nseg00000.ts\n"
                                                 "#EXTINF:5.960000,\nseg00001.ts\n"
                                                 "#EXTINF:2.500000,\nseg00002.ts\n"
                                                 "#EXT-X-ENDLIST\n";

/* Reads text as a media playlist with target 6; the report for the caller to free. */
static val_report *read_media_text(const tmp_show *t, const char *text, val_playlist *pl)
{
    val_report *r = new_report();
    put(t, "index.m3u8", text);
    val_read_media(r, t->dir, "index.m3u8", 6, pl);
    return r;
}

static void media_good(void **state)
{
    val_playlist pl = {0};
    val_report *r = read_media_text(*state, good_media, &pl);

    assert_int_equal(r->n_failures, 0);
    assert_true(r->checks >= 10);
    assert_int_equal(pl.n, 3);
    assert_int_equal(pl.target, 6);
    assert_true(pl.durations[0] == 6.0);
    assert_true(pl.durations[1] == 5.96);
    assert_true(pl.durations[2] == 2.5);
    assert_true(pl.total > 14.459 && pl.total < 14.461);
    assert_string_equal(pl.uris[0], "seg00000.ts");
    assert_string_equal(pl.uris[2], "seg00002.ts");
    val_playlist_free(&pl);
    assert_null(pl.durations);
    assert_int_equal(pl.n, 0);
    free(r);
}

/* The arrays are reused: a second, shorter read starts from zero, not from the first's end. */
static void media_reread_resets(void **state)
{
    val_playlist pl = {0};
    val_report *r = read_media_text(*state, good_media, &pl);
    free(r);
    r = read_media_text(*state, MEDIA_HEAD "#EXTINF:4.0,\nonly.ts\n#EXT-X-ENDLIST\n", &pl);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(pl.n, 1);
    assert_string_equal(pl.uris[0], "only.ts");
    assert_true(pl.total == 4.0);
    val_playlist_free(&pl);
    free(r);
}

/* One broken playlist: rule fails (at least once), and no other rule does. */
static void expect_only_rule(const tmp_show *t, const char *text, const char *rule)
{
    val_playlist pl = {0};
    val_report *r = read_media_text(t, text, &pl);

    if (failures_of(r, rule) == 0 || failures_of(r, rule) != r->n_failures) {
        for (int i = 0; i < r->n_failures; i++)
            print_message("  %s: %s: %s\n", r->failures[i].file, r->failures[i].rule,
                          r->failures[i].message);
        fail_msg("expected only rule %s to fail", rule);
    }
    assert_string_equal(r->failures[0].file, "index.m3u8");
    val_playlist_free(&pl);
    free(r);
}

static void media_target_not_profile(void **state)
{
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "target-duration");
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:4.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "target-duration");
}

/* 6.4 s rounds to 6 and is within 6 + 0.5: fine. 6.6 s breaks both duration rules. 6.5 s
 * rounds up to 7 (RFC 8216 4.3.3.1) but is not over target + 0.5. */
static void media_extinf_over_target(void **state)
{
    val_playlist pl = {0};
    val_report *r;

    r = read_media_text(*state, MEDIA_HEAD "#EXTINF:6.4,\na.ts\n#EXT-X-ENDLIST\n", &pl);
    assert_int_equal(r->n_failures, 0);
    free(r);
    r = read_media_text(*state,
                        MEDIA_HEAD "#EXTINF:6.0,\na.ts\n#EXTINF:6.6,\nb.ts\n#EXT-X-ENDLIST\n", &pl);
    assert_int_equal(failures_of(r, "segment-max-target-plus-half"), 1);
    assert_int_equal(failures_of(r, "extinf-within-target"), 1);
    assert_int_equal(r->n_failures, 2);
    assert_non_null(strstr(r->failures[0].message, "segment 1"));
    free(r);
    r = read_media_text(*state, MEDIA_HEAD "#EXTINF:6.5,\na.ts\n#EXT-X-ENDLIST\n", &pl);
    assert_int_equal(failures_of(r, "extinf-within-target"), 1);
    assert_int_equal(r->n_failures, 1);
    free(r);
    val_playlist_free(&pl);
}

static void media_no_endlist(void **state)
{
    expect_only_rule(*state, MEDIA_HEAD "#EXTINF:6.0,\na.ts\n", "endlist");
}

static void media_not_vod(void **state)
{
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
                     "#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "playlist-type-vod");
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
                     "#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "playlist-type-vod");
}

static void media_no_extm3u(void **state)
{
    expect_only_rule(*state,
                     "#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                     "#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "extm3u-first");
    /* present, but not first */
    expect_only_rule(*state,
                     "#EXT-X-VERSION:3\n#EXTM3U\n#EXT-X-TARGETDURATION:6\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "extm3u-first");
}

/* version-tag: exactly one EXT-X-VERSION, and high enough for the features used. */
static void media_version_tags(void **state)
{
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "version-tag");
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-TARGETDURATION:6\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "version-tag");
    /* decimal EXTINF needs 3 */
    expect_only_rule(*state,
                     "#EXTM3U\n#EXT-X-VERSION:2\n#EXT-X-TARGETDURATION:6\n"
                     "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\na.ts\n#EXT-X-ENDLIST\n",
                     "version-tag");
    /* EXT-X-MAP needs 6 */
    expect_only_rule(*state,
                     MEDIA_HEAD "#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:6.0,\na.m4s\n"
                                "#EXT-X-ENDLIST\n",
                     "version-tag");
}

static void media_missing_file(void **state)
{
    tmp_show *t = *state;
    val_playlist pl = {0};
    val_report *r = new_report();

    val_read_media(r, t->dir, "nowhere/index.m3u8", 6, &pl);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "playlist-exists");
    assert_string_equal(r->failures[0].file, "nowhere/index.m3u8");
    assert_int_equal(pl.n, 0);
    val_playlist_free(&pl);
    free(r);
}

/* A long show is read to its end: the reader once stopped silently at 4096 entries. */
static void media_ten_thousand_segments(void **state)
{
    ladder_text text = {0};
    val_playlist pl = {0};
    val_report *r;

    ladder_text_printf(&text, MEDIA_HEAD);
    for (int i = 0; i < 10000; i++)
        ladder_text_printf(&text, "#EXTINF:%.6f,\nseg%05d.ts\n", i % 2 ? 6.0 : 5.5, i);
    ladder_text_printf(&text, "#EXT-X-ENDLIST\n");
    assert_false(text.failed);
    r = read_media_text(*state, text.s, &pl);
    ladder_text_free(&text);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(pl.n, 10000);
    assert_string_equal(pl.uris[9999], "seg09999.ts");
    assert_true(pl.durations[9998] == 5.5);
    assert_true(pl.durations[9999] == 6.0);
    assert_true(pl.total > 57499.99 && pl.total < 57500.01);
    val_playlist_free(&pl);
    free(r);
}

/* RFC 8216 4.1: lines end with LF or CR LF. A CR LF playlist is the same playlist. */
static void media_crlf_lines(void **state)
{
    val_playlist pl = {0};
    val_report *r = read_media_text(*state,
                                    "#EXTM3U\r\n#EXT-X-VERSION:3\r\n#EXT-X-TARGETDURATION:6\r\n"
                                    "#EXT-X-PLAYLIST-TYPE:VOD\r\n#EXTINF:6.0,\r\na.ts\r\n"
                                    "#EXT-X-ENDLIST\r\n",
                                    &pl);
    for (int i = 0; i < r->n_failures; i++)
        print_message("  %s: %s\n", r->failures[i].rule, r->failures[i].message);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(pl.n, 1);
    assert_string_equal(pl.uris[0], "a.ts");
    val_playlist_free(&pl);
    free(r);
}

/* I-frame playlists: entries read, the version tag checked (byte ranges need 4). */
static void iframes_read(void **state)
{
    tmp_show *t = *state;
    val_playlist pl = {0};
    val_report *r = new_report();

    put(t, "iframes.m3u8",
        "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-I-FRAMES-ONLY\n#EXTINF:2.000000,\n#EXT-X-BYTERANGE:1000@376\nseg00000.ts\n"
        "#EXTINF:2.000000,\n#EXT-X-BYTERANGE:900@50000\nseg00000.ts\n#EXT-X-ENDLIST\n");
    val_read_iframes(r, t->dir, "iframes.m3u8", &pl);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(pl.n, 2);
    assert_true(pl.total == 4.0);
    free(r);
    r = new_report();
    put(t, "iframes.m3u8",
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-I-FRAMES-ONLY\n#EXTINF:2.000000,\n#EXT-X-BYTERANGE:1000@376\nseg00000.ts\n"
        "#EXT-X-ENDLIST\n");
    val_read_iframes(r, t->dir, "iframes.m3u8", &pl);
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "version-tag");
    val_playlist_free(&pl);
    free(r);
}

/* ---- val_read_master ------------------------------------------------------------------------ */

static const char *const good_master =
    "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=1200000,AVERAGE-BANDWIDTH=1000000,"
    "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=25.000,"
    "CLOSED-CAPTIONS=NONE\n"
    "hls/720p/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=500000,AVERAGE-BANDWIDTH=400000,"
    "CODECS=\"avc1.4d401e,mp4a.40.2\",RESOLUTION=640x360,FRAME-RATE=25.000,"
    "CLOSED-CAPTIONS=NONE\n"
    "hls/360p/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=130000,CODECS=\"mp4a.40.2\","
    "CLOSED-CAPTIONS=NONE\n"
    "hls/audio/index.m3u8\n"
    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,"
    "URI=\"hls/720p/iframes.m3u8\"\n"
    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=40000,CODECS=\"avc1.4d401e\",RESOLUTION=640x360,"
    "URI=\"hls/360p/iframes.m3u8\"\n";

static val_master *read_master_text(const tmp_show *t, const char *text, val_report **r)
{
    val_master *m = calloc(1, sizeof *m);
    assert_non_null(m);
    *r = new_report();
    put(t, "master.m3u8", text);
    val_read_master(*r, t->dir, m);
    return m;
}

static void master_good(void **state)
{
    val_report *r;
    val_master *m = read_master_text(*state, good_master, &r);

    assert_int_equal(r->n_failures, 0);
    assert_int_equal(m->n, 3);
    assert_int_equal(m->n_iframes, 2);
    assert_false(m->too_many);
    assert_string_equal(m->v[0].uri, "hls/720p/index.m3u8");
    assert_int_equal(m->v[0].bandwidth, 1200000);
    assert_int_equal(m->v[0].average, 1000000);
    assert_string_equal(m->v[0].codecs, "avc1.64001f,mp4a.40.2");
    assert_true(m->v[0].has_codecs && m->v[0].has_resolution && m->v[0].has_frame_rate);
    assert_false(m->v[0].audio_only);
    assert_string_equal(m->v[1].uri, "hls/360p/index.m3u8");
    assert_string_equal(m->v[2].uri, "hls/audio/index.m3u8");
    assert_true(m->v[2].audio_only);
    assert_false(m->v[2].has_resolution);
    assert_string_equal(m->iframes[0].uri, "hls/720p/iframes.m3u8");
    assert_string_equal(m->iframes[1].uri, "hls/360p/iframes.m3u8");
    assert_string_equal(m->iframes[1].codecs, "avc1.4d401e");
    free(m);
    free(r);
}

/* Absent attributes read as -1 / 0, for the rules to report. */
/* CR LF line ends (RFC 8216 4.1) read the same as LF ones. */
static void master_crlf_lines(void **state)
{
    char crlf[4096];
    size_t n = 0;
    val_report *r;
    val_master *m;

    for (const char *p = good_master; *p && n + 2 < sizeof crlf; p++) {
        if (*p == '\n')
            crlf[n++] = '\r';
        crlf[n++] = *p;
    }
    crlf[n] = '\0';
    m = read_master_text(*state, crlf, &r);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(m->n, 3);
    assert_string_equal(m->v[0].uri, "hls/720p/index.m3u8");
    assert_string_equal(m->v[2].uri, "hls/audio/index.m3u8");
    assert_string_equal(m->v[0].codecs, "avc1.64001f,mp4a.40.2");
    assert_int_equal(m->n_iframes, 2);
    assert_string_equal(m->iframes[1].uri, "hls/360p/iframes.m3u8");
    free(m);
    free(r);
}

static void master_missing_attributes(void **state)
{
    val_report *r;
    val_master *m = read_master_text(*state,
                                     "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                                     "#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=5,"
                                     "CLOSED-CAPTIONS=NONE\na.m3u8\n"
                                     "#EXT-X-STREAM-INF:BANDWIDTH=7,CLOSED-CAPTIONS=NONE\n"
                                     "b.m3u8\n",
                                     &r);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(m->n, 2);
    assert_int_equal(m->v[0].bandwidth, -1);
    assert_int_equal(m->v[0].average, 5);
    assert_int_equal(m->v[1].bandwidth, 7);
    assert_int_equal(m->v[1].average, -1);
    assert_false(m->v[1].has_codecs);
    free(m);
    free(r);
}

/* The master's own rules: one variant is not a ladder, INDEPENDENT-SEGMENTS is required. */
static void master_own_rules(void **state)
{
    val_report *r;
    val_master *m = read_master_text(
        *state,
        "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-STREAM-INF:BANDWIDTH=7,CLOSED-CAPTIONS=NONE\nb.m3u8\n",
        &r);
    assert_int_equal(failures_of(r, "more-than-one-variant"), 1);
    assert_int_equal(failures_of(r, "independent-segments"), 1);
    assert_int_equal(r->n_failures, 2);
    assert_int_equal(m->n, 1);
    free(m);
    free(r);
}

/* More STREAM-INF (or I-FRAME-STREAM-INF) lines than a ladder makes: too-many-variants, and
 * the reader keeps the first VAL_MAX_VARIANTS without writing past its arrays. */
static void master_too_many_variants(void **state)
{
    for (int iframes = 0; iframes < 2; iframes++) {
        ladder_text text = {0};
        val_report *r;
        val_master *m;

        char last[32];

        /* VAL_MAX_VARIANTS + 3 of one kind, VAL_MAX_VARIANTS (allowed) of the other */
        ladder_text_printf(&text, "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (int i = 0; i < VAL_MAX_VARIANTS + 3; i++) {
            if (!iframes || i < VAL_MAX_VARIANTS)
                ladder_text_printf(&text,
                                   "#EXT-X-STREAM-INF:BANDWIDTH=%d,CLOSED-CAPTIONS=NONE\n"
                                   "v%d.m3u8\n",
                                   1000 + i, i);
            if (iframes || i < VAL_MAX_VARIANTS)
                ladder_text_printf(&text,
                                   "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"i%d.m3u8\"\n", i);
        }
        assert_false(text.failed);
        m = read_master_text(*state, text.s, &r);
        ladder_text_free(&text);
        assert_true(m->too_many);
        assert_int_equal(failures_of(r, "too-many-variants"), 1);
        assert_int_equal(r->n_failures, 1);
        assert_int_equal(m->n, VAL_MAX_VARIANTS);
        assert_int_equal(m->n_iframes, VAL_MAX_VARIANTS);
        /* the first ones are kept, each with its own URI */
        snprintf(last, sizeof last, "v%d.m3u8", VAL_MAX_VARIANTS - 1);
        assert_string_equal(m->v[VAL_MAX_VARIANTS - 1].uri, last);
        assert_int_equal(m->v[VAL_MAX_VARIANTS - 1].bandwidth, 1000 + VAL_MAX_VARIANTS - 1);
        snprintf(last, sizeof last, "i%d.m3u8", VAL_MAX_VARIANTS - 1);
        assert_string_equal(m->iframes[VAL_MAX_VARIANTS - 1].uri, last);
        free(m);
        free(r);
    }
}

/* CLOSED-CAPTIONS: on every variant, NONE on all or none, and a named group declared. */
static void master_closed_captions(void **state)
{
    static const char head[] = "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n";
    static const struct {
        const char *media, *a, *b;
        int failures;
    } cases[] = {
        {"", "NONE", "NONE", 0},
        {"", "", "NONE", 2},         /* absent on one, so NONE is not on all */
        {"", "\"cc\"", "NONE", 3},   /* mixed; and cc is not declared */
        {"", "\"cc\"", "\"cc\"", 2}, /* not declared */
        {"#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"English\","
         "INSTREAM-ID=\"CC1\"\n",
         "\"cc\"", "\"cc\"", 0},
        /* a variant without 608 (audio alone) says nothing when another names a group */
        {"#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"English\","
         "INSTREAM-ID=\"CC1\"\n",
         "\"cc\"", "", 0},
        {"#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"English\","
         "INSTREAM-ID=\"SERVICE1\"\n",
         "\"cc\"", "\"cc\"", 2}, /* not a 608 channel */
        {"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"cc\",LANGUAGE=\"en\",NAME=\"English\","
         "URI=\"s.m3u8\"\n",
         "\"cc\"", "\"cc\"", 2}, /* a group of another type (and no SUBTITLES on a variant) */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        val_report *r;
        val_master *m;
        snprintf(text, sizeof text,
                 "%s%s#EXT-X-STREAM-INF:BANDWIDTH=7%s%s\na.m3u8\n"
                 "#EXT-X-STREAM-INF:BANDWIDTH=9%s%s\nb.m3u8\n",
                 head, cases[i].media, cases[i].a[0] ? ",CLOSED-CAPTIONS=" : "", cases[i].a,
                 cases[i].b[0] ? ",CLOSED-CAPTIONS=" : "", cases[i].b);
        m = read_master_text(*state, text, &r);
        if (failures_of(r, "closed-captions-signalled") != cases[i].failures ||
            r->n_failures - failures_of(r, "subtitles-signalled") != cases[i].failures)
            fail_msg("case %zu: %d failures, expected %d", i, r->n_failures, cases[i].failures);
        free(m);
        free(r);
    }
}

/* SUBTITLES renditions: GROUP-ID, LANGUAGE, NAME and URI; AUTOSELECT with DEFAULT; every
 * variant names a declared group once the show has subtitles. */
static void master_subtitles(void **state)
{
    static const char head[] = "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n";
    static const char en[] = "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",LANGUAGE=\"en\","
                             "NAME=\"English\",DEFAULT=NO,AUTOSELECT=YES,URI=\"s/en.m3u8\"\n";
    static const struct {
        const char *media, *a, *b;
        int failures;
    } cases[] = {
        {en, "subs", "subs", 0},
        {"", "", "", 0},         /* no subtitles at all */
        {en, "subs", "", 1},     /* a variant without them */
        {en, "subs", "x", 1},    /* a group never declared */
        {"", "subs", "subs", 2}, /* nothing declared */
        {"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",URI=\"s/en.m3u8\"\n",
         "subs", "subs", 1}, /* no LANGUAGE */
        {"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",LANGUAGE=\"en\",NAME=\"English\"\n", "subs",
         "subs", 1}, /* no URI */
        {"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",LANGUAGE=\"en\",NAME=\"English\","
         "DEFAULT=YES,URI=\"s/en.m3u8\"\n",
         "subs", "subs", 1}, /* DEFAULT=YES without AUTOSELECT=YES */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        val_report *r;
        val_master *m;
        snprintf(text, sizeof text,
                 "%s%s#EXT-X-STREAM-INF:BANDWIDTH=7%s%s%s,CLOSED-CAPTIONS=NONE\na.m3u8\n"
                 "#EXT-X-STREAM-INF:BANDWIDTH=9%s%s%s,CLOSED-CAPTIONS=NONE\nb.m3u8\n",
                 head, cases[i].media, cases[i].a[0] ? ",SUBTITLES=\"" : "", cases[i].a,
                 cases[i].a[0] ? "\"" : "", cases[i].b[0] ? ",SUBTITLES=\"" : "", cases[i].b,
                 cases[i].b[0] ? "\"" : "");
        m = read_master_text(*state, text, &r);
        if (failures_of(r, "subtitles-signalled") != cases[i].failures ||
            r->n_failures != cases[i].failures)
            fail_msg("case %zu: %d failures, expected %d", i, r->n_failures, cases[i].failures);
        free(m);
        free(r);
    }
}

static void master_missing(void **state)
{
    tmp_show *t = *state;
    val_master *m = calloc(1, sizeof *m);
    val_report *r = new_report();

    assert_non_null(m);
    val_read_master(r, t->dir, m); /* the group's folder holds no master.m3u8 before this */
    assert_int_equal(r->n_failures, 1);
    assert_string_equal(r->failures[0].rule, "playlist-exists");
    assert_int_equal(m->n, 0);
    free(m);
    free(r);
}

/* ---- val_validate --------------------------------------------------------------------------- */

/* The rule constants come from the ladder: without one there is nothing to judge against. */
static void validate_needs_ladder(void **state)
{
    tmp_show *t = *state;
    val_report *r = new_report();

    put(t, "master.m3u8", good_master);
    assert_int_equal(val_validate(t->dir, NULL, NULL, 0, r), LADDER_EINVAL);
    assert_int_equal(r->n_failures, 0);
    free(r);
}

int main(void)
{
    const struct CMUnitTest bitstream_tests[] = {
        cmocka_unit_test(payload3_plain),
        cmocka_unit_test(payload3_emulation_prevention),
        cmocka_unit_test(payload3_lone_03_is_data),
        cmocka_unit_test(payload3_short),
        cmocka_unit_test(find_nal_annexb_3byte),
        cmocka_unit_test(find_nal_annexb_4byte),
        cmocka_unit_test(find_nal_length_prefixed),
        cmocka_unit_test(find_nal_lying_lengths),
        cmocka_unit_test(find_nal_annexb_truncated),
        cmocka_unit_test(find_nal_first_slice_decides),
        cmocka_unit_test(sps_annexb),
        cmocka_unit_test(sps_avcc),
        cmocka_unit_test(sps_avcc_broken),
        cmocka_unit_test(sps_absent),
        cmocka_unit_test(frame_mbs_only_x264),
        cmocka_unit_test(frame_mbs_only_scaling_lists),
        cmocka_unit_test(frame_mbs_only_poc_type1),
        cmocka_unit_test(asc_lc),
        cmocka_unit_test(asc_he_aac),
        cmocka_unit_test(asc_escaped_object_type),
        cmocka_unit_test(asc_explicit_frequency),
        cmocka_unit_test(asc_too_short),
        cmocka_unit_test(adts_valid),
        cmocka_unit_test(adts_not_adts),
        cmocka_unit_test(sei_cc608_pairs),
    };
    const struct CMUnitTest report_tests[] = {
        cmocka_unit_test(report_counts),
        cmocka_unit_test(report_check_macro),
        cmocka_unit_test(report_long_strings),
        cmocka_unit_test(report_cap),
        cmocka_unit_test(attr_unquoted),
        cmocka_unit_test(attr_quoted_with_commas),
        cmocka_unit_test(attr_name_is_suffix_of_another),
        cmocka_unit_test(attr_absent),
        cmocka_unit_test(attr_truncated_and_unterminated),
    };
    /* master_missing runs first, while the folder is empty */
    const struct CMUnitTest playlist_tests[] = {
        cmocka_unit_test(master_missing),
        cmocka_unit_test(media_good),
        cmocka_unit_test(media_reread_resets),
        cmocka_unit_test(media_target_not_profile),
        cmocka_unit_test(media_extinf_over_target),
        cmocka_unit_test(media_no_endlist),
        cmocka_unit_test(media_not_vod),
        cmocka_unit_test(media_no_extm3u),
        cmocka_unit_test(media_version_tags),
        cmocka_unit_test(media_missing_file),
        cmocka_unit_test(media_ten_thousand_segments),
        cmocka_unit_test(media_crlf_lines),
        cmocka_unit_test(iframes_read),
        cmocka_unit_test(master_good),
        cmocka_unit_test(master_crlf_lines),
        cmocka_unit_test(master_missing_attributes),
        cmocka_unit_test(master_own_rules),
        cmocka_unit_test(master_too_many_variants),
        cmocka_unit_test(master_closed_captions),
        cmocka_unit_test(master_subtitles),
        cmocka_unit_test(validate_needs_ladder),
    };
    int failed = 0;

    failed += cmocka_run_group_tests_name("bitstream", bitstream_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("report", report_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("playlists", playlist_tests, tmp_setup, tmp_teardown);
    return failed ? 1 : 0;
}

/* test_sei.c: the audio job's reader of A/53 cc_data in H.264 SEI (transcoder/sei.c), on access
 * units built here byte by byte: AVCC and Annex B framing, emulation prevention inside the
 * payload, several messages and several SEI NAL units, and what must be left alone (other SEI
 * payloads, cc_data not to be processed, a count the payload cannot hold, other NAL units). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tc_internal.h"

/* A user_data_registered_itu_t_t35 payload: USA, ATSC, "GA94", cc_data of n triplets. */
static int ga94(uint8_t *p, const uint8_t *triplets, int n, int process)
{
    static const uint8_t head[] = {0xb5, 0x00, 0x31, 'G', 'A', '9', '4', 0x03};
    int len = 0;

    memcpy(p, head, sizeof head);
    len = sizeof head;
    p[len++] = (uint8_t)((process ? 0x40 : 0) | n);
    p[len++] = 0xff; /* em_data */
    memcpy(p + len, triplets, 3 * (size_t)n);
    len += 3 * n;
    p[len++] = 0xff; /* marker_bits */
    return len;
}

/* An SEI message: type, size, payload. */
static int message(uint8_t *p, int type, const uint8_t *payload, int size)
{
    p[0] = (uint8_t)type;
    p[1] = (uint8_t)size;
    memcpy(p + 2, payload, (size_t)size);
    return 2 + size;
}

/* A NAL unit from an RBSP: the header byte, then the RBSP with emulation prevention. */
static int nal(uint8_t *p, int type, const uint8_t *rbsp, int size)
{
    int n = 0, zeros = 0;

    p[n++] = (uint8_t)(0x00 | type);
    for (int i = 0; i < size; i++) {
        if (zeros == 2 && rbsp[i] <= 3) {
            p[n++] = 3;
            zeros = 0;
        }
        zeros = rbsp[i] == 0 ? zeros + 1 : 0;
        p[n++] = rbsp[i];
    }
    return n;
}

/* Frames NAL units: a 4-byte length before each (AVCC), or a start code (Annex B). */
static int frame(uint8_t *out, int avcc, uint8_t (*nals)[512], const int *sizes, int n)
{
    int len = 0;

    for (int i = 0; i < n; i++) {
        if (avcc) {
            out[len++] = 0;
            out[len++] = 0;
            out[len++] = (uint8_t)(sizes[i] >> 8);
            out[len++] = (uint8_t)sizes[i];
        } else {
            memcpy(out + len, "\0\0\0\1", 4);
            len += 4;
        }
        memcpy(out + len, nals[i], (size_t)sizes[i]);
        len += sizes[i];
    }
    return len;
}

/* Field-1 pairs with zero bytes, so the payload needs emulation prevention. */
static const uint8_t cc_a[] = {0xfc, 0x00, 0x00, 0xfd, 0x80, 0x80};
static const uint8_t cc_b[] = {0xfc, 0x94, 0x2c};

/* An access unit: an AUD, an SEI with an unrelated message, a GA94 message and a second GA94
 * message, a second SEI NAL unit with GA94 again, and a slice. */
static int access_unit(uint8_t *out, int avcc)
{
    uint8_t rbsp[512], payload[128], nals[4][512];
    int sizes[4], len = 0, plen;
    static const uint8_t slice[] = {0x88, 0x84, 0x00, 0x00, 0x03, 0x21};
    static const uint8_t other[] = {0x00, 0x00, 0x00, 0x00}; /* a recovery point, say */

    sizes[0] = nal(nals[0], 9, (const uint8_t[]){0xf0}, 1);
    len += message(rbsp + len, 6, other, sizeof other);
    plen = ga94(payload, cc_a, 2, 1);
    len += message(rbsp + len, 4, payload, plen);
    plen = ga94(payload, cc_b, 1, 1);
    len += message(rbsp + len, 4, payload, plen);
    rbsp[len++] = 0x80;
    sizes[1] = nal(nals[1], 6, rbsp, len);
    len = 0;
    plen = ga94(payload, cc_b, 1, 1);
    len += message(rbsp + len, 4, payload, plen);
    rbsp[len++] = 0x80;
    sizes[2] = nal(nals[2], 6, rbsp, len);
    sizes[3] = nal(nals[3], 5, slice, sizeof slice);
    return frame(out, avcc, nals, sizes, 4);
}

static void check_access_unit(int avcc)
{
    uint8_t pkt[2048], cc[64];
    uint8_t want[] = {0xfc, 0x00, 0x00, 0xfd, 0x80, 0x80, 0xfc, 0x94, 0x2c, 0xfc, 0x94, 0x2c};
    int size = access_unit(pkt, avcc);

    assert_int_equal(tc_h264_a53_cc(pkt, size, avcc ? 4 : 0, cc, sizeof cc), (int)sizeof want);
    assert_memory_equal(cc, want, sizeof want);
}

static void test_avcc_access_unit(void **state)
{
    (void)state;
    check_access_unit(1);
}

static void test_annexb_access_unit(void **state)
{
    (void)state;
    check_access_unit(0);
}

/* One SEI NAL unit in AVCC framing holding just rbsp. */
static int single_sei(uint8_t *pkt, const uint8_t *rbsp, int len)
{
    uint8_t nals[1][512];
    int size = nal(nals[0], 6, rbsp, len);

    return frame(pkt, 1, nals, &size, 1);
}

/* cc_data with process_cc_data_flag off, a cc_count longer than the payload, another
 * provider: none of it is caption data, as FFmpeg's decoder would not take it either. */
static void test_ignored_payloads(void **state)
{
    uint8_t rbsp[256], payload[128], pkt[1024], cc[64];
    int len = 0, plen;

    (void)state;
    plen = ga94(payload, cc_b, 1, 0);
    len += message(rbsp + len, 4, payload, plen);
    plen = ga94(payload, cc_a, 2, 1);
    payload[8] = 0x40 | 9; /* 9 triplets claimed, 2 there */
    len += message(rbsp + len, 4, payload, plen);
    plen = ga94(payload, cc_b, 1, 1);
    payload[2] = 0x2f; /* another provider */
    len += message(rbsp + len, 4, payload, plen);
    rbsp[len++] = 0x80;
    assert_int_equal(tc_h264_a53_cc(pkt, single_sei(pkt, rbsp, len), 4, cc, sizeof cc), 0);
}

/* itu_t_t35_country_code 0xff takes an extension byte before the provider code. */
static void test_country_code_extension(void **state)
{
    static const uint8_t payload[] = {0xff, 0x01, 0x00, 0x31, 'G',  'A',  '9', '4',
                                      0x03, 0x41, 0xff, 0xfc, 0x94, 0x2c, 0xff};
    uint8_t rbsp[64], pkt[256], cc[64];
    int len = message(rbsp, 4, payload, sizeof payload);

    (void)state;
    rbsp[len++] = 0x80;
    assert_int_equal(tc_h264_a53_cc(pkt, single_sei(pkt, rbsp, len), 4, cc, sizeof cc), 3);
    assert_memory_equal(cc, cc_b, 3);
}

/* A message whose size runs past its NAL unit, and a length prefix past the packet: what came
 * before is kept, nothing is read outside the packet. */
static void test_damaged_lengths(void **state)
{
    uint8_t rbsp[256], payload[128], pkt[1024], cc[64];
    int len = 0, plen, size;

    (void)state;
    plen = ga94(payload, cc_b, 1, 1);
    len += message(rbsp + len, 4, payload, plen);
    rbsp[len++] = 4;
    rbsp[len++] = 200; /* 200 bytes claimed, none there */
    size = single_sei(pkt, rbsp, len);
    assert_int_equal(tc_h264_a53_cc(pkt, size, 4, cc, sizeof cc), 3);
    pkt[size++] = 0x7f; /* a length prefix cut short, then one claiming too much */
    assert_int_equal(tc_h264_a53_cc(pkt, size, 4, cc, sizeof cc), 3);
    memcpy(pkt + size - 1, "\0\0\1\0", 4);
    assert_int_equal(tc_h264_a53_cc(pkt, size + 3, 4, cc, sizeof cc), 3);
}

/* More triplets than the caller has room for: those that fit are not written past it. */
static void test_room(void **state)
{
    uint8_t pkt[2048], cc[8];

    (void)state;
    memset(cc, 0xee, sizeof cc);
    assert_int_equal(tc_h264_a53_cc(pkt, access_unit(pkt, 1), 4, cc, 7), 6);
    assert_int_equal(cc[6], 0xee);
}

#include "test_sei_tests.h"

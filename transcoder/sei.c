/* sei.c: CEA-608/708 cc_data read from an H.264 access unit's SEI without decoding it, for
 * the audio job (docs/distributed.md): it needs the source's caption text, not its pictures.
 *
 * The bytes are what FFmpeg's decoder would put on the picture as A/53 side data: every
 * user_data_registered_itu_t_t35 SEI message (ITU-T H.264 D.1.6) whose payload is ATSC's
 * "GA94" cc_data (A/53 Part 4, 6.2.3) with process_cc_data_flag set, its triplets appended in
 * order. FFmpeg offers no public way to read SEI without decoding; this reads only that. */
#include <stdlib.h>
#include <string.h>

#include "tc_internal.h"

#define NAL_SEI                  6
#define SEI_USER_DATA_REGISTERED 4

/* The NAL unit's payload without emulation prevention bytes (00 00 03 -> 00 00). */
static int unescape(const uint8_t *nal, int size, uint8_t *out)
{
    int n = 0, zeros = 0;

    for (int i = 0; i < size; i++) {
        if (zeros >= 2 && nal[i] == 3) {
            zeros = 0;
            continue;
        }
        zeros = nal[i] == 0 ? zeros + 1 : 0;
        out[n++] = nal[i];
    }
    return n;
}

/* One "GA94" cc_data payload (after the T.35 country and provider codes): appends its
 * triplets to cc; returns how many bytes, 0 if it carries none. */
static int a53_triplets(const uint8_t *p, int size, uint8_t *cc, int room)
{
    int count;

    if (size < 3 || p[0] != 0x03 || !(p[1] & 0x40))
        return 0; /* not cc_data, or not to be processed */
    count = p[1] & 0x1f;
    if (count == 0 || 3 * count >= size - 3 || 3 * count > room)
        return 0; /* 3 bytes per triplet and the marker byte must fit; a short one is damaged */
    memcpy(cc, p + 3, 3 * (size_t)count);
    return 3 * count;
}

/* The cc_data of one user_data_registered_itu_t_t35 message. */
static int t35_cc(const uint8_t *p, int size, uint8_t *cc, int room)
{
    static const uint8_t atsc[] = {0x00, 0x31, 'G', 'A', '9', '4'};

    if (size < 1)
        return 0;
    if (p[0] == 0xff) { /* itu_t_t35_country_code_extension_byte follows */
        p++;
        size--;
    }
    if (size < 1 + (int)sizeof atsc || memcmp(p + 1, atsc, sizeof atsc) != 0)
        return 0;
    return a53_triplets(p + 1 + sizeof atsc, size - 1 - (int)sizeof atsc, cc, room);
}

/* Walks the sei_message()s of one unescaped SEI RBSP. */
static int sei_cc(const uint8_t *p, int size, uint8_t *cc, int room)
{
    int pos = 0, got = 0;

    while (pos < size && p[pos] != 0x80) { /* 0x80: rbsp_trailing_bits */
        int type = 0, len = 0;
        while (pos < size && p[pos] == 0xff)
            type += p[pos++];
        if (pos >= size)
            break;
        type += p[pos++];
        while (pos < size && p[pos] == 0xff)
            len += p[pos++];
        if (pos >= size)
            break;
        len += p[pos++];
        if (len > size - pos)
            break; /* a damaged message: keep what came before */
        if (type == SEI_USER_DATA_REGISTERED)
            got += t35_cc(p + pos, len, cc + got, room - got);
        pos += len;
    }
    return got;
}

static int nal_cc(const uint8_t *nal, int size, uint8_t *cc, int room)
{
    uint8_t *rbsp;
    int n, got;

    if (size < 2 || (nal[0] & 0x1f) != NAL_SEI)
        return 0;
    if (!(rbsp = malloc((size_t)size)))
        return -1;
    n = unescape(nal + 1, size - 1, rbsp);
    got = sei_cc(rbsp, n, cc, room);
    free(rbsp);
    return got;
}

/* The next Annex B NAL unit at or after *pos: its start and size. */
static int next_annexb(const uint8_t *p, int size, int *pos, int *nal_size)
{
    int i = *pos, start;

    while (i + 3 <= size && !(p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1))
        i++;
    if (i + 3 > size)
        return -1;
    start = i + 3;
    for (i = start; i + 3 <= size; i++)
        if (p[i] == 0 && p[i + 1] == 0 && (p[i + 2] == 1 || p[i + 2] == 0))
            break;
    *nal_size = (i + 3 <= size ? i : size) - start;
    *pos = start;
    return 0;
}

int tc_h264_a53_cc(const uint8_t *pkt, int size, int length_size, uint8_t *cc, int room)
{
    int pos = 0, got = 0, nal_size, ret;

    while (pos < size) {
        if (length_size > 0) { /* AVCC (MP4, MOV): each NAL unit after its big-endian length */
            if (size - pos < length_size)
                break;
            nal_size = 0;
            for (int i = 0; i < length_size; i++)
                nal_size = (nal_size << 8) | pkt[pos++];
            if (nal_size < 0 || nal_size > size - pos)
                break;
        } else if (next_annexb(pkt, size, &pos, &nal_size) < 0) {
            break;
        }
        if ((ret = nal_cc(pkt + pos, nal_size, cc + got, room - got)) < 0)
            return ret;
        got += ret;
        pos += nal_size;
    }
    return got;
}

/* bitstream.c: the H.264 and AAC facts the rules need, read from bytes held in memory: the
 * SPS's profile, constraint flags and level (what a CODECS attribute encodes), whether the SPS
 * says progressive, the AAC object type and channels from an AudioSpecificConfig or an ADTS
 * header. No FFmpeg here: these are the validator's own eyes on the bitstream, so that what is
 * checked is what a player's decoder sees, and each reader can be tested on a few bytes. */
#include <string.h>

#include "val_internal.h"

/* The first three payload bytes of a NAL unit (after its header), emulation prevention removed. */
int val_nal_payload3(const uint8_t *p, int n, uint8_t out[3])
{
    int k = 0, zeros = 0;

    for (int i = 0; i < n && k < 3; i++) {
        if (zeros >= 2 && p[i] == 3) {
            zeros = 0;
            continue;
        }
        zeros = p[i] == 0 ? zeros + 1 : 0;
        out[k++] = p[i];
    }
    return k == 3;
}

/* The first NAL unit of `type` in a packet: Annex B (len_size 0) or length-prefixed with
 * len_size bytes (MP4). Returns its size (header included), 0 when there is none. For a
 * slice type (1-5) the first slice decides: scanning a whole picture's bytes for a start code
 * that cannot come was most of the validator's time. */
int val_h264_find_nal(const uint8_t *d, int n, int len_size, int type, const uint8_t **nal)
{
    if (!d)
        return 0;
    for (int i = 0; len_size > 0 && i + len_size < n;) {
        uint32_t len = 0; /* unsigned: a length of 2^31 or more must not overflow */
        for (int k = 0; k < len_size; k++)
            len = len << 8 | d[i + k];
        i += len_size;
        if (len == 0 || len > (uint32_t)(n - i))
            return 0;
        if ((d[i] & 0x1f) == type) {
            *nal = d + i;
            return (int)len;
        }
        if (type <= 5 && (d[i] & 0x1f) >= 1 && (d[i] & 0x1f) <= 5)
            return 0;
        i += (int)len;
    }
    for (int i = 0; len_size == 0 && i + 3 < n; i++) {
        int t = d[i + 3] & 0x1f;
        if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && t != type && type <= 5 && t >= 1 &&
            t <= 5)
            return 0;
        if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && t == type) {
            int end = i + 3;
            while (end + 2 < n && !(d[end] == 0 && d[end + 1] == 0 && d[end + 2] <= 1))
                end++;
            *nal = d + i + 3;
            return (end + 2 < n ? end : n) - (i + 3);
        }
    }
    return 0;
}

int val_h264_sps(const uint8_t *d, int n, uint8_t out[3])
{
    const uint8_t *nal;
    int len;

    if (d && n >= 9 && d[0] == 1) { /* avcC: the first SPS after a 6-byte header */
        len = d[6] << 8 | d[7];
        return (d[5] & 0x1f) > 0 && len > 1 && 8 + len <= n && (d[8] & 0x1f) == 7 &&
               val_nal_payload3(d + 9, len - 1, out);
    }
    len = val_h264_find_nal(d, n, 0, 7, &nal);
    return len > 1 && val_nal_payload3(nal + 1, len - 1, out);
}

/* ---- CEA-608 in A/53 SEI (H.264 D.1.6, ATSC A/53 Part 4 6.2.3) ------------------------------ */

/* The valid 608 byte pairs (cc_type 0 or 1) of the A/53 cc_data in one SEI NAL's payload. */
static int sei_cc608_pairs(const uint8_t *p, int len)
{
    static const uint8_t a53[8] = {0xb5, 0x00, 0x31, 'G', 'A', '9', '4', 0x03};
    uint8_t b[1024];
    int m = 0, i = 0, pairs = 0;

    for (int k = 0; k < len && m < (int)sizeof b; k++) { /* emulation prevention out */
        if (k >= 2 && p[k] == 3 && p[k - 1] == 0 && p[k - 2] == 0)
            continue;
        b[m++] = p[k];
    }
    while (i < m && b[i] != 0x80) { /* sei_message()s until the RBSP trailing bits */
        int type = 0, size = 0;
        while (i < m && b[i] == 0xff)
            type += b[i++];
        type += i < m ? b[i++] : 0;
        while (i < m && b[i] == 0xff)
            size += b[i++];
        size += i < m ? b[i++] : 0;
        if (size > m - i)
            break;
        if (type == 4 && size >= 10 && memcmp(b + i, a53, sizeof a53) == 0 && (b[i + 8] & 0x40))
            for (int k = 0; k < (b[i + 8] & 0x1f) && 10 + 3 * k + 3 <= size; k++)
                pairs += (b[i + 10 + 3 * k] & 0x04) && (b[i + 10 + 3 * k] & 0x03) <= 1;
        i += size;
    }
    return pairs;
}

int val_h264_cc608_pairs(const uint8_t *d, int n, int len_size)
{
    const uint8_t *nal;
    int off = 0, len, pairs = 0;

    /* SEI comes before a picture's first slice (H.264 7.4.1.2.3): the slice data, which is
     * nearly all of the bytes, is not scanned for it. */
    if (val_h264_find_nal(d, n, len_size, 1, &nal) > 0 ||
        val_h264_find_nal(d, n, len_size, 5, &nal) > 0)
        n = (int)(nal - d) - len_size;
    while (off < n && (len = val_h264_find_nal(d + off, n - off, len_size, 6, &nal)) > 0) {
        pairs += sei_cc608_pairs(nal + 1, len - 1);
        off = (int)(nal - d) + len;
    }
    return pairs;
}

/* n bits from bit *pos of d (size bytes); reading past the end gives zeros. */
static unsigned bits(const uint8_t *d, int size, int *pos, int n)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++, (*pos)++)
        v = v << 1 | (*pos < 8 * size ? (d[*pos >> 3] >> (7 - (*pos & 7))) & 1 : 0);
    return v;
}

/* ---- frame_mbs_only_flag from an SPS (H.264 7.3.2.1.1) ----------------------------------------
 * Read here rather than asked of a decoder: progressive-only is checked on every segment, and
 * decoding pictures for it was most of the validator's time. */

static unsigned golomb_ue(const uint8_t *d, int size, int *pos)
{
    int zeros = 0;

    while (zeros < 31 && *pos < 8 * size && bits(d, size, pos, 1) == 0)
        zeros++;
    return (1u << zeros) - 1 + bits(d, size, pos, zeros);
}

static int golomb_se(const uint8_t *d, int size, int *pos)
{
    unsigned k = golomb_ue(d, size, pos);
    return k & 1 ? (int)((k + 1) / 2) : -(int)(k / 2);
}

static void skip_scaling_list(const uint8_t *d, int size, int *pos, int n)
{
    int last = 8, next = 8;

    for (int j = 0; j < n && next != 0; j++) {
        /* delta_scale is -128..127 in a valid SPS; reduced first, any value cannot overflow */
        next = (last + golomb_se(d, size, pos) % 256 + 256) % 256;
        last = next ? next : last;
    }
}

/* An SPS NAL payload (after the header byte) without its emulation-prevention bytes. */
static int sps_rbsp(const uint8_t *nal, int len, uint8_t *out, int cap)
{
    int n = 0, zeros = 0;

    for (int i = 0; i < len && n < cap; i++) {
        if (zeros >= 2 && nal[i] == 3) {
            zeros = 0;
            continue;
        }
        zeros = nal[i] == 0 ? zeros + 1 : 0;
        out[n++] = nal[i];
    }
    return n;
}

/* 1 progressive (frame_mbs_only_flag), 0 field or MBAFF coding possible. */
int val_h264_frame_mbs_only(const uint8_t *nal, int len)
{
    static const int high[] = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135};
    uint8_t d[256];
    int size = sps_rbsp(nal, len, d, sizeof d), pos = 0, profile = bits(d, size, &pos, 8), poc;

    pos += 16; /* constraint flags, level_idc */
    golomb_ue(d, size, &pos);
    for (size_t i = 0; i < sizeof high / sizeof high[0]; i++) {
        if (profile != high[i])
            continue;
        unsigned chroma = golomb_ue(d, size, &pos);
        pos += chroma == 3; /* separate_colour_plane_flag */
        golomb_ue(d, size, &pos);
        golomb_ue(d, size, &pos);
        pos++; /* qpprime_y_zero_transform_bypass_flag */
        if (bits(d, size, &pos, 1))
            for (unsigned k = 0; k < (chroma != 3 ? 8u : 12u); k++)
                if (bits(d, size, &pos, 1))
                    skip_scaling_list(d, size, &pos, k < 6 ? 16 : 64);
    }
    golomb_ue(d, size, &pos); /* log2_max_frame_num_minus4 */
    poc = golomb_ue(d, size, &pos);
    if (poc == 0) {
        golomb_ue(d, size, &pos);
    } else if (poc == 1) {
        pos++;
        golomb_se(d, size, &pos);
        golomb_se(d, size, &pos);
        for (unsigned k = golomb_ue(d, size, &pos); k > 0 && pos < 8 * size; k--)
            golomb_se(d, size, &pos);
    }
    golomb_ue(d, size, &pos); /* max_num_ref_frames */
    pos++;                    /* gaps_in_frame_num_value_allowed_flag */
    golomb_ue(d, size, &pos); /* pic_width_in_mbs_minus1 */
    golomb_ue(d, size, &pos); /* pic_height_in_map_units_minus1 */
    return bits(d, size, &pos, 1);
}

/* AudioSpecificConfig (ISO 14496-3 1.6.2.1): object type, then channel configuration. */
int val_aac_asc_config(const uint8_t *e, int n, int *aot, int *channels)
{
    int pos = 0;

    if (!e)
        return 0;
    *aot = bits(e, n, &pos, 5);
    if (*aot == 31)
        *aot = 32 + bits(e, n, &pos, 6);
    if (bits(e, n, &pos, 4) == 15) /* explicit sampling rate */
        bits(e, n, &pos, 24);
    *channels = bits(e, n, &pos, 4);
    return pos <= 8 * n;
}

int val_aac_adts_config(const uint8_t *p, int n, int *aot, int *channels)
{
    if (!p || n < 7 || p[0] != 0xff || (p[1] & 0xf6) != 0xf0)
        return 0;
    *aot = (p[2] >> 6) + 1;
    *channels = (p[2] & 1) << 2 | p[3] >> 6;
    return 1;
}

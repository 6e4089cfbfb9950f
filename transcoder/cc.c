/* cc.c: CEA-608 captions carried from the source's pictures into every rendition's H.264.
 *
 * Caption bytes are paced per picture: ANSI/CTA-708 4.3.6.1 fixes, per frame rate, how many
 * cc_data triplets a picture carries (cc_count) and how many of them are 608 byte pairs. A
 * rendition whose rate differs from the source's (the 30 fps caps on 60 fps sources) cannot
 * take each picture's bytes as they are: they are queued per rendition and handed out at the
 * rendition's own pace, 608 null pairs and 708 padding filling the rest, as CTA-708 asks. A rate
 * the table does not list gets no caption bytes at all, never malformed ones (docs/captions.md).
 * The bytes travel to x264 as A/53 cc_data in a registered user data SEI (ATSC A/53 Part 4). */
#include <stdlib.h>
#include <string.h>

#include "tc_internal.h"

/* Frame rate -> cc_count and 608 pairs per picture (ANSI/CTA-708-E 4.3.6.1). */
static const struct {
    int num, den, cc_count, n608;
} pacing[] = {
    {24, 1, 25, 3},       {24000, 1001, 25, 3}, {30, 1, 20, 2},
    {30000, 1001, 20, 2}, {60, 1, 10, 1},       {60000, 1001, 10, 1},
}; /* 15 fps (cc_count 40) is left out: A/53's cc_count has 5 bits */

int tc_cc_fifo_init(tc_cc_fifo *f, int fps_num, int fps_den)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < sizeof pacing / sizeof pacing[0]; i++)
        if ((int64_t)fps_num * pacing[i].den == (int64_t)pacing[i].num * fps_den) {
            f->cc_count = pacing[i].cc_count;
            f->n608 = pacing[i].n608;
            return 1;
        }
    return 0;
}

static void queue(uint8_t (*q)[3], int *n, const uint8_t *triplet, int *dropped)
{
    if (*n == TC_CC_QUEUE_MAX) {
        (*dropped)++; /* a source carrying more than its rate allows */
        return;
    }
    memcpy(q[(*n)++], triplet, 3);
}

void tc_cc_fifo_put(tc_cc_fifo *f, const uint8_t *cc_data, int size)
{
    if (f->cc_count == 0)
        return;
    for (int i = 0; i + 3 <= size; i += 3) {
        const uint8_t *t = cc_data + i;
        int valid = t[0] & 0x04, type = t[0] & 0x03;
        if (type <= 1) /* 608 field 1 or 2: kept even when marked invalid, for the pacing */
            queue(f->q608, &f->n608_queued, t, &f->dropped);
        else if (valid)
            queue(f->q708, &f->n708_queued, t, &f->dropped);
    }
    f->seen |= size >= 3;
}

/* Moves up to `want` triplets from the front of q to out; returns how many. */
static int take(uint8_t (*q)[3], int *n, int want, uint8_t *out)
{
    int k = want < *n ? want : *n;

    memcpy(out, q, 3 * (size_t)k);
    memmove(q, q + k, 3 * (size_t)(*n - k));
    *n -= k;
    return k;
}

int tc_cc_fifo_take(tc_cc_fifo *f, uint8_t *out)
{
    int filled;

    if (f->cc_count == 0 || !f->seen)
        return 0;
    filled = take(f->q608, &f->n608_queued, f->n608, out);
    for (; filled < f->n608; filled++) { /* 608 null pairs, fields 1 and 2 in turn */
        out[3 * filled] = 0xfc | (f->null_field++ & 1);
        out[3 * filled + 1] = out[3 * filled + 2] = 0x80;
    }
    filled += take(f->q708, &f->n708_queued, f->cc_count - filled, out + 3 * filled);
    for (; filled < f->cc_count; filled++) { /* 708 padding: cc_valid 0, type 2 */
        out[3 * filled] = 0xfa;
        out[3 * filled + 1] = out[3 * filled + 2] = 0;
    }
    f->pictures++;
    return 3 * f->cc_count;
}

/* ATSC A/53 Part 4, 6.2.3: user_data_registered_itu_t_t35 for the USA (0xB5), provider ATSC
 * (0x0031), "GA94", cc_data (type 3) with process_cc_data_flag set, em_data, the triplets,
 * marker bits. */
uint8_t *tc_a53_sei_payload(const uint8_t *cc_data, int size, int *payload_size)
{
    static const uint8_t head[] = {0xb5, 0x00, 0x31, 'G', 'A', '9', '4', 0x03};
    int count = size / 3;
    uint8_t *p = count > 0 && count < 32 ? malloc(sizeof head + 3 + 3 * (size_t)count) : NULL;

    if (!p)
        return NULL;
    memcpy(p, head, sizeof head);
    p[8] = 0x40 | count;
    p[9] = 0xff;
    memcpy(p + 10, cc_data, 3 * (size_t)count);
    p[10 + 3 * count] = 0xff;
    *payload_size = 11 + 3 * count;
    return p;
}

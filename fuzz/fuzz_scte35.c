/* fuzz_scte35.c: the SCTE-35 parser (media/scte35.c) on any bytes. A mezzanine's cues come
 * from whoever made the broadcast recording, so every section is untrusted. The first input
 * byte is a mode, the rest the section: with mode bit 0 set, the section's CRC-32 is made
 * right first (when its section_length fits), so that mutations reach the command and
 * descriptor syntax behind the CRC check instead of all failing it. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "media.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static uint32_t crc32_mpeg2(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= (uint32_t)*p++ << 24;
        for (int i = 0; i < 8; i++)
            crc = (crc << 1) ^ (crc & 0x80000000u ? 0x04C11DB7u : 0);
    }
    return crc;
}

static void fix_crc(uint8_t *b, size_t n)
{
    size_t len;
    uint32_t crc;

    if (n < 7)
        return;
    len = 3 + ((size_t)(b[1] & 0x0F) << 8 | b[2]);
    if (len < 7 || len > n)
        return;
    crc = crc32_mpeg2(b, len - 4);
    for (int i = 0; i < 4; i++)
        b[len - 4 + i] = (uint8_t)(crc >> (24 - 8 * i));
}

/* What tc_scan_scte35 then trusts. */
static void check(int ret, const ladder_scte35_cue *c, const ladder_error *err, size_t size)
{
    if (ret < 0) {
        if (ret != LADDER_EINPUT || !err->msg[0] || strchr(err->msg, '\n') || c->is_out ||
            c->section_size)
            abort();
        return;
    }
    if (ret != 0 || c->section_size < 20 || (size_t)c->section_size > size || c->is_out > 1 ||
        c->is_out < 0 || c->pts90 < 0 || c->pts90 >= (INT64_C(1) << 33) || c->duration < 0 ||
        c->duration > (double)(INT64_C(1) << 40) / 90000)
        abort();
    if (c->is_out && (c->has_pts == c->immediate || c->why[0]))
        abort();
    if (!c->is_out && (!c->why[0] || c->has_pts || c->immediate))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ladder_scte35_cue cue;
    ladder_error err = {0};
    uint8_t *b;
    size_t n;
    int ret;

    if (size < 1 || size > 8192)
        return 0;
    n = size - 1;
    b = malloc(n ? n : 1); /* exactly n bytes: AddressSanitizer sees any read past them */
    if (!b)
        abort();
    memcpy(b, data + 1, n);
    if (data[0] & 1)
        fix_crc(b, n);
    ret = ladder_scte35_parse(b, (int)n, &cue, &err);
    check(ret, &cue, &err, n);
    free(b);
    return 0;
}

/* fuzz_bmff.c: the validator's own eyes on media bytes: the fMP4 box reader
 * (validator/bmff.c, val_fmp4_offsets on the input as a segment file) and the H.264 and AAC
 * bitstream readers (validator/bitstream.c) straight on the input. Segments and MP4s come from
 * the show being judged, so none of these bytes can be trusted. */
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "val_internal.h"

static char segment_path[4200];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(segment_path, sizeof segment_path, "%s/seg00000.m4s", fuzz_tempdir());
    return 0;
}

static void bitstream(const uint8_t *d, int n)
{
    static const int types[] = {7, 8, 5, 1, 6};
    const uint8_t *nal = NULL;
    uint8_t sps[3];
    int aot = 0, channels = 0, len;

    val_h264_sps(d, n, sps);
    val_nal_payload3(d, n, sps);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        for (int len_size = 0; len_size <= 4; len_size += 4) {
            len = val_h264_find_nal(d, n, len_size, types[i], &nal);
            if (len < 0 || len > n || (len > 0 && (nal < d || nal + len > d + n)))
                abort();
            if (len > 1 && types[i] == 7)
                val_h264_frame_mbs_only(nal + 1, len - 1);
        }
    }
    val_h264_frame_mbs_only(d, n);
    for (int len_size = 0; len_size <= 4; len_size += 4) /* at most one pair per 3 bytes */
        if (val_h264_cc608_pairs(d, n, len_size) > n / 3)
            abort();
    val_aac_asc_config(d, n, &aot, &channels);
    val_aac_adts_config(d, n, &aot, &channels);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int32_t *cto = NULL;
    int count = 0;

    fuzz_write_file(segment_path, data, size);
    for (uint32_t track = 1; track <= 2; track++) {
        if (val_fmp4_offsets(segment_path, track, &cto, &count) == 0 ? count < 0 || (count && !cto)
                                                                     : cto || count)
            abort();
        free(cto);
    }
    if (size <= 1 << 20)
        bitstream(data, (int)size);
    return 0;
}

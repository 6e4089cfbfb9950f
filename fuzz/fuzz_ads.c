/* fuzz_ads.c: the ad rules' readers (validator/rules_ads.c): show.json's "breaks", and a
 * stitched playlist with its DATERANGE attribute lists, both untrusted text (`ladder validate`
 * judges shows and stitched playlists from anywhere). The first input byte picks: show.json
 * text; a stitched playlist against a fixed show and ad; or the same text as both the stitched
 * playlist and the show, so its own DATERANGE and PDT tags are parsed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "val_internal.h"

static val_report *report;
static val_breaks *breaks;

static const char show_text[] =
    "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:00.000Z\n"
    "#EXT-X-DATERANGE:ID=\"break-1\",CLASS=\"com.apple.hls.interstitial\","
    "START-DATE=\"2000-01-01T00:00:06.000Z\",X-RESTRICT=\"SKIP,JUMP\"\n"
    "#EXTINF:6.000000,\nseg00000.ts\n#EXTINF:4.000000,\nseg00001.ts\n#EXT-X-ENDLIST\n";
static const char ad_text[] = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:5.000000,\nseg00000.ts\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    report = malloc(sizeof *report);
    breaks = malloc(sizeof *breaks);
    if (!report || !breaks)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    val_stitch_source show = {"show", show_text, "/shows/s/v1/hls/r/", 0};
    val_stitch_source ads[2] = {{"ad", ad_text, "/shows/a/v1/hls/r/", 0},
                                {"span", ad_text, NULL, 1}};

    if (size < 1)
        return 0;
    text = fuzz_strndup(data + 1, size - 1);
    memset(report, 0, sizeof *report);
    switch (data[0] % 3) {
    case 0:
        if (val_parse_breaks(text, breaks) && (breaks->n < 0 || breaks->n > VAL_MAX_BREAKS))
            abort();
        break;
    case 1:
        val_check_stitched("st.m3u8", text, &show, ads, 2, report);
        break;
    case 2:
        show.text = text;
        show.base = NULL;
        val_check_stitched("st.m3u8", text, &show, ads, 2, report);
        break;
    }
    if (report->n_failures < 0 || report->n_failures > VAL_MAX_FAILURES ||
        report->n_failures > report->checks)
        abort();
    free(text);
    return 0;
}

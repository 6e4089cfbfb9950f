/* fuzz_playlist.c: the validator's playlist readers (validator/playlist.c): master, media and
 * I-frame playlists, read as a player would read them from a show folder. The validator judges
 * shows from anywhere (`ladder validate DIR`), so their text is untrusted. The first input
 * byte picks the reader; the rest is written as the playlist file in a private folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "val_internal.h"

static const char *show;
static char master_path[4200], media_path[4200];
static val_report *report;
static val_master *master;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    show = fuzz_tempdir();
    snprintf(master_path, sizeof master_path, "%s/master.m3u8", show);
    snprintf(media_path, sizeof media_path, "%s/index.m3u8", show);
    report = malloc(sizeof *report);
    master = malloc(sizeof *master);
    if (!report || !master)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    val_playlist pl = {0};

    if (size < 1)
        return 0;
    report->checks = report->n_failures = 0;
    switch (data[0] % 3) {
    case 0:
        fuzz_write_file(master_path, data + 1, size - 1);
        val_read_master(report, show, master);
        if (master->n < 0 || master->n > VAL_MAX_VARIANTS || master->n_iframes < 0 ||
            master->n_iframes > VAL_MAX_VARIANTS)
            abort();
        break;
    case 1:
        /* a media playlist, then the same arrays reused for an I-frame playlist */
        fuzz_write_file(media_path, data + 1, size - 1);
        val_read_media(report, show, "index.m3u8", 6, &pl);
        val_read_iframes(report, show, "index.m3u8", &pl);
        break;
    case 2:
        fuzz_write_file(media_path, data + 1, size - 1);
        val_read_iframes(report, show, "index.m3u8", &pl);
        break;
    }
    if (report->n_failures < 0 || report->n_failures > VAL_MAX_FAILURES ||
        report->n_failures > report->checks || pl.n < 0 || pl.n > pl.cap)
        abort();
    val_playlist_free(&pl);
    return 0;
}

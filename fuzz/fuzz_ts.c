/* fuzz_ts.c: the validator's TS packet reader (validator/ts.c, ts-continuity-counters) on any
 * bytes, written as a .ts segment that a playlist built in memory lists twice (so counters
 * carry across segments) and then a missing segment (which starts afresh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "val_internal.h"

static const char *show;
static char segment_path[4200];
static val_report *report;
static val_playlist playlist;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *uris[] = {"seg00000.ts", "seg00000.ts", "missing.ts", "init.mp4"};
    int n = sizeof uris / sizeof uris[0];

    (void)argc, (void)argv;
    show = fuzz_tempdir();
    snprintf(segment_path, sizeof segment_path, "%s/hls/a", show);
    if (ladder_mkdir_p(segment_path, NULL) != 0)
        abort();
    snprintf(segment_path, sizeof segment_path, "%s/hls/a/seg00000.ts", show);
    report = malloc(sizeof *report);
    playlist.durations = calloc(n, sizeof *playlist.durations);
    playlist.uris = calloc(n, sizeof *playlist.uris);
    if (!report || !playlist.durations || !playlist.uris)
        abort();
    for (int i = 0; i < n; i++) {
        snprintf(playlist.uris[i], sizeof playlist.uris[i], "%s", uris[i]);
        playlist.durations[i] = 2;
    }
    playlist.n = playlist.cap = n;
    playlist.target = 2;
    playlist.total = 2.0 * n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    report->checks = report->n_failures = 0;
    fuzz_write_file(segment_path, data, size);
    val_ts_continuity(report, show, "hls/a/index.m3u8", &playlist);
    if (report->n_failures > report->checks || report->n_failures > VAL_MAX_FAILURES)
        abort();
    return 0;
}

/* cmd_profiles.c: `ladder profiles check FILE...` validates ladders; `ladder profiles show
 * [FILE]` prints one (the built-in pbs16 by default) as a table. */
#include <string.h>

#include "cli.h"
#include "profiles.h"

static const char usage_text[] = "usage: ladder profiles check FILE...\n"
                                 "       ladder profiles show [FILE]";

static void show(const prof_ladder *l)
{
    printf("ladder %s: preset %s, IDR every %g s, %g s segments, %s, %d audio channels\n", l->name,
           l->preset, l->gop_seconds, l->segment_seconds,
           l->container == PROF_CONTAINER_TS ? "TS" : "fMP4", l->audio_channels);
    printf("%-3s %-16s %-4s %-10s %6s %7s %7s %-9s %-5s %5s %6s\n", "#", "name", "use", "size",
           "kbps", "maxrate", "bufsize", "profile", "level", "audio", "maxfps");
    for (int i = 0; i < l->n_rungs; i++) {
        const prof_rung *r = &l->rungs[i];
        char size[24];
        snprintf(size, sizeof size, "%dx%d", r->width, r->height);
        printf("%-3d %-16s %-4s %-10s %6d %7d %7d %-9s %d.%d   %5d %6d\n", i + 1, r->name,
               r->use == PROF_USE_HLS ? "hls" : "mp4", size, r->video_kbps, r->maxrate_kbps,
               r->bufsize_kbps, r->h264_profile, r->level_idc / 10, r->level_idc % 10,
               r->audio_kbps, r->max_fps);
    }
}

static int check(int n, char **files)
{
    int failed = 0;
    for (int i = 0; i < n; i++) {
        prof_ladder l;
        ladder_error err = {0};
        if (prof_load(files[i], &l, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            failed = 1;
        } else {
            printf("%s: ok (%s, %d rungs)\n", files[i], l.name, l.n_rungs);
        }
    }
    return failed ? CLI_EXIT_FAILURE : 0;
}

int cmd_profiles(int argc, char **argv)
{
    static const cli_option opts[] = {{NULL}};
    int npos = 0, ret = cli_parse(argc, argv, opts, usage_text, &npos);
    prof_ladder l;
    ladder_error err = {0};

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos >= 2 && strcmp(argv[1], "check") == 0)
        return check(npos - 1, argv + 2);
    if (npos >= 1 && npos <= 2 && strcmp(argv[1], "show") == 0) {
        ret = npos == 2 ? prof_load(argv[2], &l, &err) : prof_load_default(&l, &err);
        if (ret < 0)
            return cli_fail("profiles", &err);
        show(&l);
        return 0;
    }
    cli_print_usage(stderr, usage_text, opts);
    return CLI_EXIT_USAGE;
}

/* cmd_profiles.c: `ladder profiles check FILE...` validates ladders; `ladder profiles show
 * [FILE]` prints one (the built-in pbs16 by default) as a table; `ladder profiles route
 * [DEVICES.xml]` says what `/play` would answer each user agent read from stdin. */
#include <string.h>

#include "cli.h"
#include "devices.h"
#include "profiles.h"

static const char usage_text[] =
    "usage: ladder profiles check FILE...\n"
    "       ladder profiles show [FILE]\n"
    "       ladder profiles route [DEVICES.xml] < user-agents   (one per line; optionally\n"
    "                 TAB Sec-CH-UA-Mobile TAB Sec-CH-UA-Platform)";

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

/* One line in, one decision out: "hls|mp4|dash MAX_HEIGHT PROFILE_IDC RULE". */
static void route_line(const dev_rules *d, char *line)
{
    char *fields[3] = {line, NULL, NULL};
    dev_route r;

    line[strcspn(line, "\r\n")] = '\0';
    for (int i = 1; i < 3 && fields[i - 1]; i++) {
        char *tab = strchr(fields[i - 1], '\t');
        if (tab) {
            *tab = '\0';
            fields[i] = tab + 1;
        }
    }
    dev_route_client(d, &(dev_client){fields[0], fields[1], fields[2]}, &r);
    printf("%s %d %d %s\n", dev_format_name(r.format), r.max_height, r.profile_idc, r.rule);
}

static int route(const char *file)
{
    dev_rules *d = NULL;
    ladder_error err = {0};
    char line[8192];
    int ret = file ? dev_load(file, &d, &err) : dev_load_default(&d, &err);

    if (ret < 0)
        return cli_fail("profiles", &err);
    while (fgets(line, sizeof line, stdin))
        route_line(d, line);
    dev_free(d);
    return 0;
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
    if (npos >= 1 && npos <= 2 && strcmp(argv[1], "route") == 0)
        return route(npos == 2 ? argv[2] : NULL);
    cli_print_usage(stderr, usage_text, opts);
    return CLI_EXIT_USAGE;
}

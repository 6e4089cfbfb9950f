/* cmd_transcode.c: `ladder transcode MEZZ --out DIR`: every rendition of the ladder, the shared
 * audio and summary.json, written into DIR.
 *
 * DIR appears complete or not at all: the work happens in a hidden staging folder beside it
 * (.DIR.partial-PID) that is renamed into place at the end, removed on failure, and swept
 * away by the next run if a killed run left it behind. */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "transcoder.h"

static const char usage_text[] =
    "usage: ladder transcode MEZZ --out DIR [--profile FILE] [--threads N] "
    "[--segments FIRST:COUNT | --audio-only | --probe PASS:GOP] [--crf LIST] [--vbv-init LIST] "
    "[--ad-breaks "
    "TIME[/DURATION],...] "
    "[--ignore-scte35] [--per-title] "
    "[--json] [--quiet]";

typedef struct transcode_opts {
    const char *profile, *out, *segments, *ad_breaks, *crf, *vbv_init, *probe;
    int per_title;
    int threads, json, quiet, verbose, audio_only, ignore_scte35;
    tc_rate_probe rate_probe; /* --probe: its pass and factors, gop the GOP */
    int gop;
} transcode_opts;

/* --probe PASS:GOP with --crf: one GOP of the rate probe, at the pass's factors. */
static int parse_probe(transcode_opts *o, const tc_params *p, ladder_error *err)
{
    int pass, gop, end = 0;

    if (o->segments || o->audio_only || !o->crf)
        return ladder_error_set(err, LADDER_EINVAL,
                                "--probe is a job of its own: give it with --crf, without "
                                "--segments or --audio-only");
    if (sscanf(o->probe, "%d:%d%n", &pass, &gop, &end) != 2 || o->probe[end] || pass < 1 ||
        pass > 2 || gop < 0 || gop > 1000000)
        return ladder_error_set(err, LADDER_EINVAL,
                                "--probe '%s': expected PASS:GOP, PASS 1 or 2, e.g. 1:14",
                                o->probe);
    o->rate_probe.pass = pass;
    o->gop = gop;
    memcpy(o->rate_probe.crf, p->crf, sizeof p->crf);
    return 0;
}

/* --segments FIRST:COUNT: a chunk of the show (segments FIRST .. FIRST+COUNT-1). */
static int parse_segments(const char *spec, tc_params *p, ladder_error *err)
{
    int first, count, end = 0;

    if (sscanf(spec, "%d:%d%n", &first, &count, &end) != 2 || spec[end] || first < 0 || count < 1 ||
        first > 1000000 || count > 1000000)
        return ladder_error_set(err, LADDER_EINVAL,
                                "--segments '%s': expected FIRST:COUNT, e.g. 0:5", spec);
    p->first_segment = first;
    p->n_segments = count;
    return 0;
}

/* Splits DIR into its parent folder and base name, and names the staging folder. */
static int staging_name(const char *out, char *staging, size_t len, char *parent, size_t plen)
{
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof a, "%s", out);
    snprintf(b, sizeof b, "%s", out);
    snprintf(parent, plen, "%s", dirname(a));
    return snprintf(staging, len, "%s/.%s.partial-%ld", parent, basename(b), (long)getpid()) >=
           (int)len;
}

/* Removes staging folders of runs that no longer exist. */
static void sweep_stale(const char *parent, const char *out)
{
    char b[PATH_MAX], prefix[PATH_MAX], path[PATH_MAX * 2];
    DIR *d = opendir(parent);
    struct dirent *e;

    if (!d)
        return;
    snprintf(b, sizeof b, "%s", out);
    snprintf(prefix, sizeof prefix, ".%s.partial-", basename(b));
    while ((e = readdir(d)) != NULL) {
        long pid;
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        pid = strtol(e->d_name + strlen(prefix), NULL, 10);
        if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue; /* still running */
        snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
        ladder_rm_rf(path, NULL);
    }
    closedir(d);
}

static void print_table(const tc_transcoder *t)
{
    const ladder_plan *plan = tc_get_plan(t);

    printf("%-16s %-10s %8s %8s %9s %8s %7s\n", "rendition", "size", "fps", "target", "achieved",
           "PSNR-Y", "SSIM");
    for (int i = 0; i < plan->n_streams; i++) {
        const ladder_stream *st = &plan->streams[i];
        const ladder_stream_stats *s = tc_get_stats(t, i);
        char size[24] = "audio", fps[16] = "";
        if (st->kind == LADDER_STREAM_VIDEO) {
            snprintf(size, sizeof size, "%dx%d", st->width, st->height);
            snprintf(fps, sizeof fps, "%.2f", (double)st->fps_num / st->fps_den);
            printf("%-16s %-10s %8s %8d %9.0f %8.2f %7.4f\n", st->name, size, fps, st->bitrate_kbps,
                   s->avg_kbps, s->psnr_y, s->ssim);
        } else {
            printf("%-16s %-10s %8s %8d %9.0f\n", st->name, size, fps, st->bitrate_kbps,
                   s->avg_kbps);
        }
    }
    if (!plan->src_has_audio)
        printf("(the source has no audio: the renditions are video-only)\n");
}

/* Encodes the probe's GOP and writes its bits and seconds per rung as summary.json. */
static int probe_into(const char *in, const char *staging, const tc_params *params,
                      const transcode_opts *o, ladder_error *err)
{
    double bits[PROF_MAX_RUNGS] = {0}, seconds[PROF_MAX_RUNGS] = {0};
    char path[PATH_MAX + 32], *json;
    int ret = tc_probe_gop(in, params, &o->rate_probe, o->gop, bits, seconds, err);

    if (ret < 0)
        return ret;
    json = tc_probe_json(&o->rate_probe, o->gop, params->ladder.n_rungs, bits, seconds);
    if (!json)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/summary.json", staging);
    ret = ladder_write_file_atomic(path, json, strlen(json), err);
    if (ret >= 0 && o->json)
        printf("%s\n", json);
    free(json);
    return ret;
}

/* Runs the transcode into the staging folder and writes summary.json (and the source's CEA-608
 * as text) there. */
static int transcode_into(const char *in, const char *staging, const tc_params *params,
                          const transcode_opts *o, ladder_error *err)
{
    tc_transcoder *t = NULL;
    tc_disk_sink *ds = NULL;
    cli_progress bar;
    double t0 = ladder_now();
    char path[PATH_MAX + 32], *json = NULL;
    int ret;

    cli_progress_init(&bar, "transcode", o->quiet || o->json);
    tc_params p = *params;
    p.pf_progress = cli_progress_transcoder;
    p.progress_opaque = &bar;
    ret = tc_open(&t, in, &p, err);
    if (ret >= 0)
        ret = tc_disk_sink_open(&ds, staging, err);
    if (ret >= 0) {
        ret = tc_run(t, tc_disk_sink_get(ds), err);
        cli_progress_end(&bar, ret >= 0);
    }
    tc_disk_sink_close(ds);
    if (ret >= 0 && !(json = tc_summary_json(t, ladder_now() - t0)))
        ret = ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/summary.json", staging);
    if (ret >= 0)
        ret = ladder_write_file_atomic(path, json, strlen(json), err);
    snprintf(path, sizeof path, "%s/" TC_CC608_FILE, staging);
    if (ret >= 0 && tc_get_captions(t)) /* `ladder package` publishes it as a subtitle track */
        ret = ladder_captions_save(path, tc_get_captions(t), INT64_MAX, err);
    if (ret >= 0 && o->json)
        printf("%s\n", json);
    else if (ret >= 0 && !o->quiet)
        print_table(t);
    free(json);
    tc_close(t);
    return ret;
}

/* --per-title: the show's ladder, chosen here and recorded in the folder (per-title.xml and
 * per-title.json), where `ladder package` finds it. */
static int choose_per_title(const char *in, const char *staging, tc_params *params,
                            ladder_error *err)
{
    tc_per_title *pt = malloc(sizeof *pt);
    int ret = pt ? tc_analyse_per_title(in, params, pt, err)
                 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    if (ret >= 0)
        ret = tc_per_title_save(pt, staging, err);
    if (ret >= 0)
        params->ladder = pt->ladder;
    free(pt);
    return ret;
}

static int load_ladder(const char *profile, prof_ladder *ladder, ladder_error *err)
{
    return profile ? prof_load(profile, ladder, err) : prof_load_default(ladder, err);
}

int cmd_transcode(int argc, char **argv)
{
    transcode_opts o = {0};
    const cli_option opts[] = {
        {"out", CLI_OPT_STRING, &o.out, "folder to create with the renditions (required)"},
        {"profile", CLI_OPT_STRING, &o.profile, "ladder profile XML (default: built-in pbs16)"},
        {"threads", CLI_OPT_INT, &o.threads, "encoder threads (default: one per core)"},
        {"segments", CLI_OPT_STRING, &o.segments,
         "FIRST:COUNT: only the video of those segments (a chunk of a distributed ingest)"},
        {"audio-only", CLI_OPT_FLAG, &o.audio_only,
         "only the audio (the audio job of a distributed ingest)"},
        {"probe", CLI_OPT_STRING, &o.probe,
         "PASS:GOP: only GOP's bits per rung at --crf, for pass 1 or 2 of the rate probe (a "
         "probe job of a distributed ingest)"},
        {"crf", CLI_OPT_STRING, &o.crf,
         "R1,R2,...: each rung's x264 rate factor, as a distributed ingest's coordinator chose "
         "them (default: chosen for the show here)"},
        {"vbv-init", CLI_OPT_STRING, &o.vbv_init,
         "F1,F2,...: how full each rung's VBV is at the first picture (default: x264's 0.9); "
         "what a join asks of a chunk that would underflow it"},
        {"ad-breaks", CLI_OPT_STRING, &o.ad_breaks,
         "TIME[/DURATION],...: an IDR in every rendition at each ad break (see ladder ingest)"},
        {"ignore-scte35", CLI_OPT_FLAG, &o.ignore_scte35,
         "no ad breaks from the mezzanine's SCTE-35 cues"},
        {"per-title", CLI_OPT_FLAG, &o.per_title,
         "choose this show's bitrates and boxes from probe encodes of it, and record them in "
         "DIR for `ladder package` (docs/per-title.md)"},
        {"json", CLI_OPT_FLAG, &o.json, "print the summary as JSON on stdout"},
        {"quiet", CLI_OPT_FLAG, &o.quiet, "no progress bar, only warnings and errors"},
        {"verbose", CLI_OPT_FLAG, &o.verbose, "also show FFmpeg's and x264's messages"},
        {NULL},
    };
    char staging[PATH_MAX], parent[PATH_MAX];
    ladder_error err = {0};
    ladder_break breaks[LADDER_MAX_BREAKS];
    tc_params params;
    int npos = 0, ret = cli_parse(argc, argv, opts, usage_text, &npos);

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos != 1 || !o.out) {
        fprintf(stderr, "ladder transcode: %s\n",
                npos != 1 ? "give one input file" : "--out is required");
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    cli_output_init(o.quiet ? 0 : o.verbose ? 2 : 1);
    tc_params_default(&params);
    params.i_threads = o.threads;
    params.logger = *cli_logger();
    params.audio_only = o.audio_only;
    params.ignore_scte35 = o.ignore_scte35;
    params.breaks = breaks;
    if (o.segments && o.audio_only) {
        ladder_error_set(&err, LADDER_EINVAL, "--segments and --audio-only are two jobs; give one");
        return cli_fail("transcode", &err);
    }
    if (o.per_title && (o.segments || o.audio_only || o.probe || o.crf)) {
        ladder_error_set(&err, LADDER_EINVAL,
                         "--per-title chooses a whole show's ladder; a job is given it as its "
                         "--profile (docs/per-title.md)");
        return cli_fail("transcode", &err);
    }
    if ((o.ad_breaks &&
         ladder_breaks_parse(o.ad_breaks, breaks, LADDER_MAX_BREAKS, &params.n_breaks, &err) < 0) ||
        (o.segments && parse_segments(o.segments, &params, &err) < 0) ||
        load_ladder(o.profile, &params.ladder, &err) < 0 ||
        (o.crf && tc_crf_parse(o.crf, params.crf, params.ladder.n_rungs, &err) < 0) ||
        (o.vbv_init &&
         tc_vbv_init_parse(o.vbv_init, params.vbv_init, params.ladder.n_rungs, &err) < 0) ||
        (o.probe && parse_probe(&o, &params, &err) < 0))
        return cli_fail("transcode", &err);
    if (ladder_path_exists(o.out) && !ladder_dir_is_empty(o.out)) {
        ladder_error_set(&err, LADDER_EEXIST, "%s already exists and is not empty", o.out);
        return cli_fail("transcode", &err);
    }
    if (staging_name(o.out, staging, sizeof staging, parent, sizeof parent)) {
        ladder_error_set(&err, LADDER_EINVAL, "output path too long");
        return cli_fail("transcode", &err);
    }
    sweep_stale(parent, o.out);
    ret = ladder_mkdir_p(staging, &err);
    if (ret >= 0 && o.per_title)
        ret = choose_per_title(argv[1], staging, &params, &err);
    if (ret >= 0)
        ret = o.probe ? probe_into(argv[1], staging, &params, &o, &err)
                      : transcode_into(argv[1], staging, &params, &o, &err);
    if (ret >= 0 && rename(staging, o.out) != 0)
        ret = ladder_error_set(&err, LADDER_EIO, "cannot move the result to %s: %s", o.out,
                               strerror(errno));
    if (ret < 0) {
        ladder_rm_rf(staging, NULL);
        return cli_fail("transcode", &err);
    }
    if (!o.json && !o.quiet)
        printf("wrote %s\n", o.out);
    return 0;
}

/* cmd_ingest.c: `ladder ingest MEZZ --id SHOW_ID`: transcode and package in one pass, the
 * packager taking the encoders' packets in-process, and publish the show into the library; or,
 * with --queue, have `ladder worker`s do the transcoding (publish/publish.h). */
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: ladder ingest MEZZ --id SHOW_ID [--title T] "
    "[--profile FILE] [--library DIR] [--captions FILE[:LANG[:NAME[:sdh]]]]... "
    "[--cc LANG[:NAME]] [--ad-breaks TIME[/DURATION],...] [--ignore-scte35] [--per-title] "
    "[--quiet]\n"
    "       ladder ingest MEZZ --id SHOW_ID --queue redis://HOST[:PORT] [--work DIR] "
    "[--chunk SEGMENTS] [--urgent] [--max-tries N] [--soft-limit S] [--hard-limit S] ...";

/* publish_queue_params.pf_progress: the jobs' bar on a terminal, else a line per change. */
static void jobs_progress(void *opaque, int done, int total)
{
    cli_progress *bar = opaque;
    double elapsed = ladder_now() - bar->started;

    if (!bar->enabled)
        ladder_log(cli_logger(), LADDER_LOG_INFO, "ingest", "%d of %d jobs done", done, total);
    cli_progress_draw(bar, done, total, elapsed, done / (elapsed + 1e-9), "jobs/s");
    if (done == total)
        cli_progress_end(bar, 1);
}

/* --queue: the jobs go to `ladder worker`s, and this process assembles and publishes. */
static int ingest_queued(publish_queue_params *qp, const publish_params *params, int quiet,
                         double t0)
{
    ladder_error err = {0};
    publish_result done = {0};
    cli_progress bar;
    int ret;

    cli_progress_init(&bar, "jobs", quiet);
    qp->pf_progress = jobs_progress;
    qp->progress_opaque = &bar;
    ret = publish_queued(params, qp, &done, &err);
    cli_progress_end(&bar, 0);
    if (ret < 0)
        return cli_fail("ingest", &err);
    if (!quiet)
        printf("published %s/%s (version v%d) through the queue in %.1f s\n", params->library,
               params->id, done.version, ladder_now() - t0);
    return 0;
}

/* Transcodes and packages here, with the encode's progress bar. */
static int ingest_here(const publish_params *params, const char *mezz, int quiet, double t0)
{
    ladder_error err = {0};
    publish_result done = {0};
    cli_progress bar;
    tc_params tc;
    char path[4096];
    int ret;

    tc_params_default(&tc);
    tc.ladder = *params->ladder;
    tc.logger = *cli_logger();
    cli_progress_init(&bar, "ingest", quiet);
    tc.pf_progress = cli_progress_transcoder;
    tc.progress_opaque = &bar;
    ret = publish_ingest(params, mezz, &tc, &done, &err);
    cli_progress_end(&bar, ret >= 0);
    if (ret < 0)
        return cli_fail("ingest", &err);
    if (quiet)
        return 0;
    snprintf(path, sizeof path, "%s/%s/v%d", params->library, params->id, done.version);
    printf("published %s/%s (version v%d): %d renditions (%d skipped as larger than the source), "
           "%.1f s of media, %.1f MB, in %.1f s\n",
           params->library, params->id, done.version, done.n_renditions, done.n_skipped,
           done.duration, ladder_tree_size(path) / 1e6, ladder_now() - t0);
    return 0;
}

int cmd_ingest(int argc, char **argv)
{
    cli_show_opts so = {0};
    publish_queue_params qp;
    cli_option opts[CLI_SHOW_OPTIONS + 10] = {0};
    int n = cli_show_options(opts, &so), ignore_scte35 = 0, per_title = 0;

    publish_queue_params_default(&qp);
    opts[n++] = (cli_option){"ignore-scte35", CLI_OPT_FLAG, &ignore_scte35,
                             "no ad breaks from the mezzanine's SCTE-35 cues"};
    opts[n++] = (cli_option){"per-title", CLI_OPT_FLAG, &per_title,
                             "choose this show's bitrates and boxes from probe encodes of it "
                             "(docs/per-title.md)"};
    opts[n++] = (cli_option){"queue", CLI_OPT_STRING, &qp.url,
                             "redis://[:PASSWORD@]HOST[:PORT][/DB]: a distributed ingest, by "
                             "`ladder worker`s"};
    opts[n++] = (cli_option){"work", CLI_OPT_STRING, &qp.work,
                             "shared folder for the jobs' output (default: LIBRARY.work)"};
    opts[n++] = (cli_option){"chunk", CLI_OPT_INT, &qp.chunk_segments,
                             "segments per chunk job (default 5)"};
    opts[n++] =
        (cli_option){"urgent", CLI_OPT_FLAG, &qp.urgent, "the show's jobs are taken before others"};
    opts[n++] = (cli_option){"max-tries", CLI_OPT_INT, &qp.max_tries,
                             "failures before a job goes to the dead-letter stream (default 3)"};
    opts[n++] = (cli_option){"soft-limit", CLI_OPT_INT, &qp.soft_limit,
                             "seconds after which a job's worker warns (default 600; 0: never)"};
    opts[n++] = (cli_option){"hard-limit", CLI_OPT_INT, &qp.hard_limit,
                             "seconds after which a job is stopped and retried (default 1800; "
                             "0: never)"};
    int npos = 0, ret = cli_parse(argc, argv, opts, usage_text, &npos);
    ladder_error err = {0};
    double t0 = ladder_now();
    cli_show show;

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos != 1 || !so.id) {
        fprintf(stderr, "ladder ingest: %s\n",
                npos != 1 ? "give one input file" : "--id is required");
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    cli_output_init(so.quiet ? 0 : 1);
    ret = cli_show_setup(&show, &so, &err);
    show.params.ignore_scte35 = ignore_scte35;
    show.params.per_title = per_title;
    if (ret < 0)
        ret = cli_fail("ingest", &err);
    else if (qp.url) {
        qp.mezz = argv[1];
        qp.profile = so.profile;
        ret = ingest_queued(&qp, &show.params, so.quiet, t0);
    } else
        ret = ingest_here(&show.params, argv[1], so.quiet, t0);
    cli_show_free(&show);
    return ret;
}

/* cmd_ingest.c: `ladder ingest MEZZ --id SHOW_ID`: transcode and package in one pass, the
 * packager taking the encoders' packets in-process, and publish the show into the library. */
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: ladder ingest MEZZ --id SHOW_ID [--title T] "
    "[--profile FILE] [--library DIR] [--captions FILE[:LANG[:NAME[:sdh]]]]... "
    "[--cc LANG[:NAME]] [--quiet]\n"
    "       ladder ingest MEZZ --id SHOW_ID --queue redis://HOST[:PORT] [--work DIR] "
    "[--chunk SEGMENTS] [--urgent] [--max-tries N] [--soft-limit S] [--hard-limit S] ...";

static int transcode(void *opaque, const ladder_sink *sink, publish_feed_result *out,
                     ladder_error *err)
{
    tc_transcoder *t = opaque;
    int ret = tc_run(t, sink, err);

    *out->plan = *tc_get_plan(t);
    for (int i = 0; ret >= 0 && i < out->plan->n_streams; i++)
        out->stats[i] = *tc_get_stats(t, i);
    out->cc608 = tc_get_captions(t);
    return ret;
}

/* One short summary: renditions, duration, bytes, time taken, where the show is. */
static void print_summary(const char *library, const char *id, int version, const tc_transcoder *t,
                          double seconds)
{
    const ladder_plan *plan = tc_get_plan(t);
    char path[4096];
    long long bytes;

    snprintf(path, sizeof path, "%s/%s/v%d", library, id, version);
    bytes = ladder_tree_size(path);
    printf("published %s/%s (version v%d): %d renditions (%d skipped as larger than the source), "
           "%.1f s of media, %.1f MB, in %.1f s\n",
           library, id, version, plan->n_video, plan->n_skipped, plan->src_duration, bytes / 1e6,
           seconds);
}

/* --queue: the jobs go to `ladder worker`s, and this process assembles and publishes. */
static int ingest_queued(queue_ingest *qi, const publish_request *req, double t0)
{
    char work[4096];
    ladder_error err = {0};
    int version = 0;

    snprintf(work, sizeof work, "%s.work", req->library);
    qi->work = qi->work ? qi->work : work;
    if (cli_ingest_queued(qi, req, &version, &err) < 0)
        return cli_fail("ingest", &err);
    if (!qi->quiet)
        printf("published %s/%s (version v%d) through the queue in %.1f s\n", req->library, req->id,
               version, cli_now() - t0);
    return 0;
}

int cmd_ingest(int argc, char **argv)
{
    const char *id = NULL, *title = NULL, *library = LADDER_DEFAULT_LIBRARY, *profile = NULL;
    const char *cc = NULL;
    char cc_language[LADDER_LANGUAGE_MAX], cc_name[LADDER_NAME_MAX];
    int quiet = 0, version = 0;
    cli_list caption_specs = {0};
    ladder_captions *captions = NULL;
    queue_ingest qi = {.chunk_segments = 5, .max_tries = 3, .soft_limit = 600, .hard_limit = 1800};
    const cli_option opts[] = {
        {"id", CLI_OPT_STRING, &id, "show id: a-z, 0-9, '-' and '_' (required)"},
        {"title", CLI_OPT_STRING, &title, "show title (default: the id)"},
        {"profile", CLI_OPT_STRING, &profile, "ladder profile XML (default: built-in pbs16)"},
        {"library", CLI_OPT_STRING, &library, "show library folder (default: ./library)"},
        {"captions", CLI_OPT_LIST, &caption_specs,
         "FILE[:LANG[:NAME[:sdh]]]: a WebVTT, SRT or SCC track (repeat per language)"},
        {"cc", CLI_OPT_STRING, &cc,
         "LANG[:NAME]: how the source's CEA-608 captions are labelled (default en:CC1)"},
        {"quiet", CLI_OPT_FLAG, &quiet, "no progress bar, only warnings and errors"},
        {"queue", CLI_OPT_STRING, &qi.url,
         "redis://[:PASSWORD@]HOST[:PORT][/DB]: a distributed ingest, by `ladder worker`s"},
        {"work", CLI_OPT_STRING, &qi.work,
         "shared folder for the jobs' output (default: LIBRARY.work)"},
        {"chunk", CLI_OPT_INT, &qi.chunk_segments, "segments per chunk job (default 5)"},
        {"urgent", CLI_OPT_FLAG, &qi.urgent, "the show's jobs are taken before others"},
        {"max-tries", CLI_OPT_INT, &qi.max_tries,
         "failures before a job goes to the dead-letter stream (default 3)"},
        {"soft-limit", CLI_OPT_INT, &qi.soft_limit,
         "seconds after which a job's worker warns (default 600; 0: never)"},
        {"hard-limit", CLI_OPT_INT, &qi.hard_limit,
         "seconds after which a job is stopped and retried (default 1800; 0: never)"},
        {NULL},
    };
    int npos = 0, ret = cli_parse(argc, argv, opts, usage_text, &npos);
    ladder_error err = {0};
    tc_transcoder *t = NULL;
    tc_params params;
    cli_progress bar;
    double t0 = cli_now();

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos != 1 || !id) {
        fprintf(stderr, "ladder ingest: %s\n",
                npos != 1 ? "give one input file" : "--id is required");
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    cli_output_init(quiet ? 0 : 1);
    tc_params_default(&params);
    params.logger = *cli_logger();
    cli_progress_init(&bar, "ingest", quiet);
    params.pf_progress = cli_progress_transcoder;
    params.progress_opaque = &bar;
    ret = cli_parse_cc(cc, cc_language, cc_name, &err);
    if (ret >= 0)
        ret = cli_read_captions(&caption_specs, &captions, &err);
    if (ret >= 0 && profile)
        ret = prof_load(profile, &params.ladder, &err);
    publish_request req = {.library = library,
                           .id = id,
                           .title = title,
                           .ladder = &params.ladder,
                           .captions = captions,
                           .n_captions = caption_specs.n,
                           .cc_language = cc_language,
                           .cc_name = cc_name};
    if (ret >= 0 && qi.url) {
        qi.mezz = argv[1];
        qi.profile = profile;
        qi.quiet = quiet;
        ret = ingest_queued(&qi, &req, t0);
        cli_free_captions(captions, caption_specs.n);
        return ret;
    }
    if (ret >= 0)
        ret = tc_open(&t, argv[1], &params, &err);
    if (ret >= 0)
        ret = publish_show(&req, transcode, t, &version, &err);
    cli_progress_end(&bar, ret >= 0);
    cli_free_captions(captions, caption_specs.n);
    if (ret < 0) {
        tc_close(t);
        return cli_fail("ingest", &err);
    }
    if (!quiet)
        print_summary(library, id, version, t, cli_now() - t0);
    tc_close(t);
    return 0;
}

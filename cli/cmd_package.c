/* cmd_package.c: `ladder package TRANSCODE_DIR... --id SHOW_ID [--library DIR]`: the packaging
 * step alone, from the output of `ladder transcode` (its packets, and the source's CEA-608 as
 * text in cc608.vtt when it had some): one folder, or the jobs of a chunked transcode (an
 * audio job and the video chunks, joined in segment order). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] = "usage: ladder package TRANSCODE_DIR... --id SHOW_ID [--title T] "
                                 "[--library DIR] [--profile FILE] "
                                 "[--captions FILE[:LANG[:NAME[:sdh]]]]... [--cc LANG[:NAME]]";

int cmd_package(int argc, char **argv)
{
    const char *id = NULL, *title = NULL, *library = LADDER_DEFAULT_LIBRARY, *profile = NULL;
    const char *cc = NULL;
    char cc_language[LADDER_LANGUAGE_MAX], cc_name[LADDER_NAME_MAX];
    int quiet = 0, version = 0;
    cli_list caption_specs = {0};
    ladder_captions *captions = NULL;
    const cli_option opts[] = {
        {"id", CLI_OPT_STRING, &id, "show id: a-z, 0-9, '-' and '_' (required)"},
        {"title", CLI_OPT_STRING, &title, "show title (default: the id)"},
        {"library", CLI_OPT_STRING, &library, "show library folder (default: ./library)"},
        {"profile", CLI_OPT_STRING, &profile, "ladder profile the transcode used (default pbs16)"},
        {"captions", CLI_OPT_LIST, &caption_specs,
         "FILE[:LANG[:NAME[:sdh]]]: a WebVTT, SRT or SCC track (repeat per language)"},
        {"cc", CLI_OPT_STRING, &cc,
         "LANG[:NAME]: how the source's CEA-608 captions are labelled (default en:CC1)"},
        {"quiet", CLI_OPT_FLAG, &quiet, "only warnings and errors"},
        {NULL},
    };
    int npos = 0, ret = cli_parse(argc, argv, opts, usage_text, &npos);
    ladder_error err = {0};
    prof_ladder ladder;
    replay_ctx ctx = {0};

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos < 1 || !id) {
        fprintf(stderr, "ladder package: %s\n",
                npos < 1 ? "give a transcode folder" : "--id is required");
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    cli_output_init(quiet ? 0 : 1);
    ret = cli_parse_cc(cc, cc_language, cc_name, &err);
    if (ret >= 0)
        ret = cli_read_captions(&caption_specs, &captions, &err);
    if (ret >= 0)
        ret = profile ? prof_load(profile, &ladder, &err) : prof_load_default(&ladder, &err);
    ctx.dirs = (const char *const *)argv + 1;
    ctx.n_dirs = npos;
    if (ret >= 0) /* before the library is touched */
        ret = tc_disk_check(ctx.dirs, ctx.n_dirs, &err);
    if (ret >= 0) {
        publish_request req = {.library = library,
                               .id = id,
                               .title = title,
                               .ladder = &ladder,
                               .captions = captions,
                               .n_captions = caption_specs.n,
                               .cc_language = cc_language,
                               .cc_name = cc_name};
        ret = publish_show(&req, publish_replay, &ctx, &version, &err);
    }
    cli_free_captions(captions, caption_specs.n);
    ladder_captions_free(&ctx.cc608);
    if (ret < 0)
        return cli_fail("package", &err);
    if (!quiet)
        printf("published %s/%s (version v%d)\n", library, id, version);
    return 0;
}

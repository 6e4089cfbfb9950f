/* cmd_package.c: `ladder package TRANSCODE_DIR... --id SHOW_ID [--library DIR]`: the packaging
 * step alone, from the output of `ladder transcode` (its packets, and the source's CEA-608 as
 * text in cc608.vtt when it had some): one folder, or the jobs of a chunked transcode (an
 * audio job and the video chunks, joined in segment order). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] = "usage: ladder package TRANSCODE_DIR... --id SHOW_ID [--title T] "
                                 "[--library DIR] [--profile FILE] "
                                 "[--captions FILE[:LANG[:NAME[:sdh]]]]... [--cc LANG[:NAME]] "
                                 "[--ad-breaks TIME[/DURATION],...]";

int cmd_package(int argc, char **argv)
{
    cli_show_opts so = {0};
    cli_option opts[CLI_SHOW_OPTIONS + 1] = {0};
    int npos = 0, ret;
    ladder_error err = {0};
    publish_result done = {0};
    cli_show show;

    cli_show_options(opts, &so);
    ret = cli_parse(argc, argv, opts, usage_text, &npos);
    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos < 1 || !so.id) {
        fprintf(stderr, "ladder package: %s\n",
                npos < 1 ? "give a transcode folder" : "--id is required");
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    cli_output_init(so.quiet ? 0 : 1);
    ret = cli_show_setup(&show, &so, &err);
    if (ret >= 0)
        ret = publish_folders(&show.params, (const char *const *)argv + 1, npos, &done, &err);
    cli_show_free(&show);
    if (ret < 0)
        return cli_fail("package", &err);
    if (!so.quiet)
        printf("published %s/%s (version v%d)\n", show.params.library, show.params.id,
               done.version);
    return 0;
}

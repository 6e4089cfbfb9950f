/* cmd_validate.c: `ladder validate SHOW_DIR [--profile FILE] [--json]`: checks a published show
 * against the file-level publishing rules, and its rungs against the ladder profile (default:
 * the built-in pbs16), and prints every failure with its file and rule. SHOW_DIR may be a
 * version folder (LIBRARY/ID/vN) or LIBRARY/ID, which means its current version. */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>

#include "cli.h"
#include "library.h"
#include "validator.h"

static const char usage_text[] =
    "usage: ladder validate SHOW_DIR [--profile FILE] [--captions FILE[:LANG]]... [--json]";

static void print_json(const char *show, const val_report *r)
{
    json_t *failures = json_array(), *root;
    char *text;

    for (int i = 0; failures && i < r->n_failures; i++)
        json_array_append_new(failures,
                              json_pack("{s:s,s:s,s:s}", "file", r->failures[i].file, "rule",
                                        r->failures[i].rule, "message", r->failures[i].message));
    root = json_pack("{s:s,s:b,s:i,s:o}", "show", show, "ok", r->n_failures == 0, "checks",
                     r->checks, "failures", failures);
    text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(root);
}

int cmd_validate(int argc, char **argv)
{
    int json = 0;
    const char *profile = NULL;
    cli_list caption_specs = {0};
    ladder_captions *captions = NULL;
    const cli_option opts[] = {
        {"profile", CLI_OPT_STRING, &profile,
         "ladder profile XML the show was made with (default: built-in pbs16)"},
        {"captions", CLI_OPT_LIST, &caption_specs,
         "FILE[:LANG]: a source caption track to check the show's cue times against"},
        {"json", CLI_OPT_FLAG, &json, "print the result as JSON on stdout"},
        {NULL},
    };
    int npos = 0, ret = cli_parse(argc, argv, opts, usage_text, &npos);
    ladder_error err = {0};
    char dir[PATH_MAX];
    prof_ladder *ladder;
    val_report *r;

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos != 1) {
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    cli_output_init(1); /* FFmpeg's complaints about broken media stay off the report */
    r = malloc(sizeof *r);
    ladder = malloc(sizeof *ladder);
    ret = r && ladder ? 0 : ladder_error_set(&err, LADDER_ENOMEM, "out of memory");
    if (ret == 0)
        ret = cli_read_captions(&caption_specs, &captions, &err);
    if (ret == 0)
        ret = profile ? prof_load(profile, ladder, &err) : prof_load_default(ladder, &err);
    if (ret == 0 && lib_version_dir(argv[1], dir, sizeof dir) < 0)
        ret = ladder_error_set(&err, LADDER_EINVAL, "path too long: %s", argv[1]);
    if (ret < 0) {
        free(r);
        free(ladder);
        cli_free_captions(captions, caption_specs.n);
        return cli_fail("validate", &err);
    }
    ret = val_validate(dir, ladder, captions, caption_specs.n, r);
    cli_free_captions(captions, caption_specs.n);
    if (json) {
        print_json(dir, r);
    } else {
        for (int i = 0; i < r->n_failures; i++)
            printf("%s: %s: %s\n", r->failures[i].file, r->failures[i].rule,
                   r->failures[i].message);
        printf("%s: %d checks, %d failed\n", dir, r->checks, r->n_failures);
    }
    free(r);
    free(ladder);
    return ret == 0 ? 0 : CLI_EXIT_FAILURE;
}

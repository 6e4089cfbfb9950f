/* cmd_validate.c: `ladder validate LIBRARY/SHOW_ID [--json]`: checks a published show against
 * the file-level publishing rules and prints every failure with its file and rule. */
#include <jansson.h>
#include <stdlib.h>

#include "cli.h"
#include "packager.h"

static const char usage_text[] = "usage: ladder validate SHOW_DIR [--json]";

static void print_json(const char *show, const pkg_report *r)
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
    const cli_option opts[] = {
        {"json", CLI_OPT_FLAG, &json, "print the result as JSON on stdout"},
        {NULL},
    };
    int npos = 0, ret = cli_parse(argc, argv, opts, usage_text, &npos);
    pkg_report *r;

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos != 1) {
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    r = malloc(sizeof *r);
    if (!r) {
        ladder_error err = {LADDER_ENOMEM, "out of memory"};
        return cli_fail("validate", &err);
    }
    ret = pkg_validate(argv[1], r);
    if (json) {
        print_json(argv[1], r);
    } else {
        for (int i = 0; i < r->n_failures; i++)
            printf("%s: %s: %s\n", r->failures[i].file, r->failures[i].rule,
                   r->failures[i].message);
        printf("%s: %d checks, %d failed\n", argv[1], r->checks, r->n_failures);
    }
    free(r);
    return ret == 0 ? 0 : CLI_EXIT_FAILURE;
}

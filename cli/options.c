/* options.c: the one option parser every subcommand uses (--name VALUE, --name=VALUE,
 * flags, -h/--help), so usage errors look and exit the same everywhere. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_print_usage(FILE *out, const char *usage, const cli_option *opts)
{
    fprintf(out, "%s\n", usage);
    if (opts && opts->name)
        fprintf(out, "\noptions:\n");
    for (; opts && opts->name; opts++)
        fprintf(out, "  --%-16s %s\n", opts->name, opts->help);
    fprintf(out, "  --%-16s %s\n", "help, -h", "show this help");
}

static const cli_option *find(const cli_option *opts, const char *name, size_t len)
{
    for (; opts->name; opts++)
        if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
            return opts;
    return NULL;
}

static int usage_error(const char *usage, const cli_option *opts, const char *cmd, const char *what,
                       const char *arg)
{
    fprintf(stderr, "ladder %s: %s '%s'\n", cmd, what, arg);
    cli_print_usage(stderr, usage, opts);
    return CLI_EXIT_USAGE;
}

/* Stores one option's value; returns 0 or a usage error. */
static int store(const cli_option *o, const char *value, const char *usage, const cli_option *opts,
                 const char *cmd)
{
    char *end;
    long v;

    switch (o->kind) {
    case CLI_OPT_FLAG:
        *(int *)o->value = 1;
        return 0;
    case CLI_OPT_STRING:
        *(const char **)o->value = value;
        return 0;
    case CLI_OPT_LIST: {
        cli_list *l = o->value;
        if (l->n == CLI_LIST_MAX)
            return usage_error(usage, opts, cmd, "too many times:", o->name);
        l->items[l->n++] = value;
        return 0;
    }
    case CLI_OPT_INT:
        v = strtol(value, &end, 10);
        if (*value == '\0' || *end != '\0' || v < 0 || v > 1000000)
            return usage_error(usage, opts, cmd, "not a valid number:", value);
        *(int *)o->value = (int)v;
        return 0;
    }
    return 0;
}

int cli_parse(int argc, char **argv, const cli_option *opts, const char *usage, int *n_positional)
{
    int npos = 0, only_positional = 0;

    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == '\0') {
            argv[1 + npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_print_usage(stdout, usage, opts);
            return -1;
        }
        if (a[1] != '-')
            return usage_error(usage, opts, argv[0], "unknown option", a);
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        const cli_option *o = find(opts, a + 2, len);
        if (!o)
            return usage_error(usage, opts, argv[0], "unknown option", a);
        const char *value = eq ? eq + 1 : NULL;
        if (o->kind != CLI_OPT_FLAG && !value) {
            if (i + 1 >= argc)
                return usage_error(usage, opts, argv[0], "missing value for", a);
            value = argv[++i];
        }
        if (o->kind == CLI_OPT_FLAG && value)
            return usage_error(usage, opts, argv[0], "takes no value:", a);
        int ret = store(o, value, usage, opts, argv[0]);
        if (ret)
            return ret;
    }
    *n_positional = npos;
    return 0;
}

/* options.h: the `ladder` program's one option parser (options.c), the options `ingest` and
 * `package` share (show_options.c), and the caption options (captions.c), so that every
 * subcommand reads its arguments, and fails on them, the same way. */
#ifndef LADDER_CLI_OPTIONS_H
#define LADDER_CLI_OPTIONS_H

#include <stdio.h>

#include "ladder.h"
#include "media.h"
#include "profiles.h"
#include "publish.h"

typedef enum { CLI_OPT_FLAG, CLI_OPT_STRING, CLI_OPT_INT, CLI_OPT_LIST } cli_opt_kind;

/* The values of an option that may be given more than once, in order. */
#define CLI_LIST_MAX 16
typedef struct cli_list {
    const char *items[CLI_LIST_MAX];
    int n;
} cli_list;

typedef struct cli_option {
    const char *name; /* long name without "--" */
    cli_opt_kind kind;
    void *value; /* int* for FLAG and INT, const char** for STRING, cli_list* for LIST */
    const char *help;
} cli_option;

/* Parses argv against opts (terminated by a {NULL} entry). Positional arguments are moved to
 * the front of argv[1..] and counted in *n_positional. Returns 0, or CLI_EXIT_USAGE after
 * printing the problem and the usage to stderr, or -1 after printing help for -h/--help to
 * stdout (the caller then exits 0). */
int cli_parse(int argc, char **argv, const cli_option *opts, const char *usage, int *n_positional);
void cli_print_usage(FILE *out, const char *usage, const cli_option *opts);

/* show_options.c: the options `ingest` and `package` share, in one table. */
typedef struct cli_show_opts {
    const char *id, *title, *library, *profile, *cc, *ad_breaks;
    int quiet;
    cli_list captions;
} cli_show_opts;
#define CLI_SHOW_OPTIONS 8 /* entries cli_show_options writes */
/* Writes the shared entries into opts (room for CLI_SHOW_OPTIONS), pointing at o, and sets
 * o's defaults; returns how many it wrote. */
int cli_show_options(cli_option *opts, cli_show_opts *o);

/* The parsed options made ready to publish: --cc and --ad-breaks checked, --captions read, the
 * profile loaded
 * (cli_output_init first: params logs through cli_logger). Free with cli_show_free. */
typedef struct cli_show {
    publish_params params; /* points into this struct */
    prof_ladder ladder;
    ladder_captions *captions;
    int n_captions;
    char cc_language[LADDER_LANGUAGE_MAX], cc_name[LADDER_NAME_MAX];
    ladder_break breaks[LADDER_MAX_BREAKS]; /* --ad-breaks */
    int n_breaks;
} cli_show;
int cli_show_setup(cli_show *s, const cli_show_opts *o, ladder_error *err);
void cli_show_free(cli_show *s);

/* --cc LANG[:NAME]: the labels of the source's CEA-608 (default en, "CC1"), into lang and name
 * (sized LADDER_LANGUAGE_MAX and LADDER_NAME_MAX). Returns 0 or a negative code with err. */
int cli_parse_cc(const char *spec, char *lang, char *name, ladder_error *err);

/* captions.c: each --captions FILE[:LANG[:NAME[:sdh]]] read into a track (LANG defaults to
 * "und", NAME to LANG). *out is a new array of specs->n tracks; free it with
 * cli_free_captions. Returns 0, or a negative code with a one-line err. */
int cli_read_captions(const cli_list *specs, ladder_captions **out, ladder_error *err);
void cli_free_captions(ladder_captions *tracks, int n);

#endif

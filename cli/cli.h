/* cli.h: what the `ladder` subcommands share: the command signature, the one option parser,
 * and the terminal output (log lines, progress bar). */
#ifndef LADDER_CLI_H
#define LADDER_CLI_H

#include <stdio.h>
#include <sys/types.h>

#include "ladder.h"
#include "media.h"
#include "profiles.h"
#include "publish.h"
#include "queue.h"
#include "transcoder.h"

#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE   2

/* Every subcommand: argv[0] is the subcommand's name; returns the process exit status. */
typedef int (*cli_command_fn)(int argc, char **argv);

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

/* Terminal output. cli_output_init sets verbosity (0 quiet, 1 normal, 2 verbose) and routes
 * FFmpeg's log into the same place. */
void cli_output_init(int verbosity);
const ladder_logger *cli_logger(void);
/* One-line error: "ladder CMD: error: MSG". Returns CLI_EXIT_FAILURE. */
int cli_fail(const char *cmd, const ladder_error *err);

/* Progress bar on stderr when it is a terminal; silent otherwise. */
typedef struct cli_progress {
    int enabled;
    double started; /* ladder_now() at cli_progress_init */
    double last_draw, last_elapsed, last_rate;
    const char *label, *rate_unit;
} cli_progress;
void cli_progress_init(cli_progress *p, const char *label, int quiet);
void cli_progress_draw(cli_progress *p, double done, double total, double elapsed, double rate,
                       const char *rate_unit);
/* Ends the bar's line; with `done`, first draws it full. Once ended, a second call does nothing. */
void cli_progress_end(cli_progress *p, int done);

/* A tc_params.pf_progress that draws the bar passed as opaque (a cli_progress). */
void cli_progress_transcoder(void *opaque, const tc_progress *p);

int cmd_ingest(int argc, char **argv);
int cmd_package(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_transcode(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_queue(int argc, char **argv);
int cmd_worker(int argc, char **argv);

/* show_options.c: the options `ingest` and `package` share, in one table. */
typedef struct cli_show_opts {
    const char *id, *title, *library, *profile, *cc;
    int quiet;
    cli_list captions;
} cli_show_opts;
#define CLI_SHOW_OPTIONS 7 /* entries cli_show_options writes */
/* Writes the shared entries into opts (room for CLI_SHOW_OPTIONS), pointing at o, and sets
 * o's defaults; returns how many it wrote. */
int cli_show_options(cli_option *opts, cli_show_opts *o);

/* The parsed options made ready to publish: --cc checked, --captions read, the profile loaded
 * (cli_output_init first: params logs through cli_logger). Free with cli_show_free. */
typedef struct cli_show {
    publish_params params; /* points into this struct */
    prof_ladder ladder;
    ladder_captions *captions;
    int n_captions;
    char cc_language[LADDER_LANGUAGE_MAX], cc_name[LADDER_NAME_MAX];
} cli_show;
int cli_show_setup(cli_show *s, const cli_show_opts *o, ladder_error *err);
void cli_show_free(cli_show *s);

/* --cc LANG[:NAME]: the labels of the source's CEA-608 (default en, "CC1"), into lang and name
 * (sized LADDER_LANGUAGE_MAX and LADDER_NAME_MAX). Returns 0 or a negative code with err. */
int cli_parse_cc(const char *spec, char *lang, char *name, ladder_error *err);

/* spawn.c: a job run as a `ladder transcode` child writing its messages to log_path. */
int cli_spawn_transcode(const queue_job *job, int threads, const char *log_path, pid_t *pid,
                        ladder_error *err);
/* Whether the child ended (*exited), and then its exit status (128 + signal if killed). */
int cli_child_status(pid_t pid, int *exited);
void cli_child_kill(pid_t pid); /* SIGKILL and reap */
/* The last non-empty line of a text file (a job's log), for a one-line reason. */
void cli_last_line(const char *path, char *out, size_t len);

/* captions.c: each --captions FILE[:LANG[:NAME[:sdh]]] read into a track (LANG defaults to
 * "und", NAME to LANG). *out is a new array of specs->n tracks; free it with
 * cli_free_captions. Returns 0, or a negative code with a one-line err. */
int cli_read_captions(const cli_list *specs, ladder_captions **out, ladder_error *err);
void cli_free_captions(ladder_captions *tracks, int n);

#endif

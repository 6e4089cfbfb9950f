/* cli.h: what the `ladder` subcommands share: the command signature, the one option parser,
 * and the terminal output (log lines, progress bar). */
#ifndef LADDER_CLI_H
#define LADDER_CLI_H

#include <stdio.h>
#include <sys/types.h>

#include "ladder.h"
#include "media.h"
#include "profiles.h"
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
    double last_draw, last_elapsed, last_rate;
    const char *label, *rate_unit;
} cli_progress;
void cli_progress_init(cli_progress *p, const char *label, int quiet);
void cli_progress_draw(cli_progress *p, double done, double total, double elapsed, double rate,
                       const char *rate_unit);
/* Ends the bar's line; with `done`, first draws it full. */
void cli_progress_end(cli_progress *p, int done);

/* A tc_params.pf_progress that draws the bar passed as opaque (a cli_progress). */
void cli_progress_transcoder(void *opaque, const tc_progress *p);

/* Seconds on the monotonic clock. */
double cli_now(void);

int cmd_ingest(int argc, char **argv);
int cmd_package(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_transcode(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_queue(int argc, char **argv);
int cmd_worker(int argc, char **argv);

/* publish.c: packages a show into LIBRARY/SHOW_ID/vN through a staging folder. `feed` drives the
 * given sink from its packet source (a transcode or a replay), then fills the result: *plan and
 * stats[] (per plan stream) for show.json, and the source's CEA-608 as cues (NULL: none, else
 * valid until publish_show returns); it returns 0 or an error. */
typedef struct publish_feed_result {
    ladder_plan *plan;
    ladder_stream_stats *stats;
    const ladder_captions *cc608;
} publish_feed_result;
typedef int (*publish_feed_fn)(void *opaque, const ladder_sink *sink, publish_feed_result *out,
                               ladder_error *err);
typedef struct publish_request {
    const char *library, *id, *title; /* title NULL: the id */
    const prof_ladder *ladder;
    const ladder_captions *captions; /* caption tracks to publish with the show */
    int n_captions;
    const char *cc_language, *cc_name; /* how the source's CEA-608 is labelled (--cc) */
} publish_request;
/* Packages, validates and publishes version N of the show (a new show, or a replacement of
 * the current version: see library/library.h) and sets *version_out to N. */
int publish_show(const publish_request *req, publish_feed_fn feed, void *opaque, int *version_out,
                 ladder_error *err);

/* --cc LANG[:NAME]: the labels of the source's CEA-608 (default en, "CC1"), into lang and name
 * (sized LADDER_LANGUAGE_MAX and LADDER_NAME_MAX). Returns 0 or a negative code with err. */
int cli_parse_cc(const char *spec, char *lang, char *name, ladder_error *err);

#define LADDER_DEFAULT_LIBRARY "library"

/* The feed of `ladder package` and of a distributed ingest's assembly: the folders of a
 * transcode (one, or the jobs of a chunked one) replayed into the packager. */
typedef struct replay_ctx {
    const char *const *dirs;
    int n_dirs;
    ladder_captions cc608; /* read from the first folder with cc608.vtt; free after publish */
} replay_ctx;
int publish_replay(void *opaque, const ladder_sink *sink, publish_feed_result *out,
                   ladder_error *err);

/* ingest_queue.c: `ladder ingest --queue`: the coordinator of a distributed ingest. */
typedef struct queue_ingest {
    const char *url, *mezz, *work, *profile;
    int chunk_segments, urgent, soft_limit, hard_limit, max_tries, quiet;
} queue_ingest;
/* Submits the show's jobs (resuming a show already in flight), waits for them with a progress
 * bar, then joins, validates and publishes the show as req says. 0 or an error. */
int cli_ingest_queued(const queue_ingest *qi, const publish_request *req, int *version_out,
                      ladder_error *err);

/* spawn.c: a job run as a `ladder transcode` child writing its messages to log_path. */
int cli_spawn_transcode(const queue_job *job, int threads, const char *log_path, pid_t *pid,
                        ladder_error *err);
/* Whether the child ended (*exited), and then its exit status (128 + signal if killed). */
int cli_child_status(pid_t pid, int *exited);
void cli_child_kill(pid_t pid); /* SIGKILL and reap */
/* Whether a job's folder is in place: `ladder transcode` renames it there complete. */
int cli_job_in_place(const queue_job *job);
/* The last non-empty line of a text file (a job's log), for a one-line reason. */
void cli_last_line(const char *path, char *out, size_t len);

/* captions.c: each --captions FILE[:LANG[:NAME[:sdh]]] read into a track (LANG defaults to
 * "und", NAME to LANG). *out is a new array of specs->n tracks; free it with
 * cli_free_captions. Returns 0, or a negative code with a one-line err. */
int cli_read_captions(const cli_list *specs, ladder_captions **out, ladder_error *err);
void cli_free_captions(ladder_captions *tracks, int n);

#endif

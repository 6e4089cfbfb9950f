/* output.h: everything `ladder` prints to the terminal besides results (output.c): log lines,
 * one-line errors and progress bars. */
#ifndef LADDER_CLI_OUTPUT_H
#define LADDER_CLI_OUTPUT_H

#include "ladder.h"
#include "transcoder.h"

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

#endif

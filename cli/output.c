/* output.c: everything `ladder` prints to the terminal besides results: log lines, one-line
 * errors and the progress bar. The logger set up at start-up is the program's only global
 * setting; FFmpeg's messages reach it through media_route_av_log, as its callback has no
 * context pointer. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "media_av.h"

static ladder_logger stderr_logger; /* written once in cli_output_init, then read-only */

static void log_to_stderr(void *opaque, ladder_log_level level, const char *component,
                          const char *msg)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    (void)opaque;
    if (level == LADDER_LOG_INFO)
        fprintf(stderr, "ladder: %s\n", msg);
    else
        fprintf(stderr, "ladder: %s: %s: %s\n", names[level], component, msg);
}

void cli_output_init(int verbosity)
{
    stderr_logger.fn = log_to_stderr;
    stderr_logger.max_level = verbosity <= 0   ? LADDER_LOG_WARN
                              : verbosity == 1 ? LADDER_LOG_INFO
                                               : LADDER_LOG_DEBUG;
    /* FFmpeg's own messages only at -vv: our errors already say what went wrong. */
    media_route_av_log(&stderr_logger);
}

const ladder_logger *cli_logger(void)
{
    return &stderr_logger;
}

int cli_fail(const char *cmd, const ladder_error *err)
{
    const char *msg = err && err->msg[0] ? err->msg : ladder_strerror(err ? err->code : -1);
    fprintf(stderr, "ladder %s: error: %s\n", cmd, msg);
    return CLI_EXIT_FAILURE;
}

void cli_progress_init(cli_progress *p, const char *label, int quiet)
{
    memset(p, 0, sizeof *p);
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->label = label;
    p->last_draw = -1;
    p->started = ladder_now();
}

void cli_progress_draw(cli_progress *p, double done, double total, double elapsed, double rate,
                       const char *rate_unit)
{
    char bar[31];
    double frac = total > 0 ? done / total : 0;
    int filled, eta;

    p->last_elapsed = elapsed;
    p->last_rate = rate;
    p->rate_unit = rate_unit;
    if (!p->enabled || (elapsed - p->last_draw < 0.2 && frac < 1))
        return;
    p->last_draw = elapsed;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    filled = (int)(frac * 30);
    memset(bar, '#', filled);
    memset(bar + filled, '.', 30 - filled);
    bar[30] = '\0';
    eta = frac > 0.001 ? (int)(elapsed / frac - elapsed) : 0;
    fprintf(stderr, "\r%s [%s] %3d%%  %6.1f %s  ETA %d:%02d ", p->label, bar, (int)(frac * 100),
            rate, rate_unit, eta / 60, eta % 60);
    fflush(stderr);
}

void cli_progress_end(cli_progress *p, int done)
{
    if (!p->enabled || p->last_draw < 0)
        return;
    if (done) {
        p->last_draw = -1; /* force the final draw */
        cli_progress_draw(p, 1, 1, p->last_elapsed, p->last_rate, p->rate_unit);
    }
    fprintf(stderr, "\n");
    p->last_draw = -1; /* ended: a second end prints nothing */
}

void cli_progress_transcoder(void *opaque, const tc_progress *p)
{
    cli_progress_draw(opaque, p->position, p->duration, p->elapsed,
                      p->elapsed > 0 ? p->frames / p->elapsed : 0, "fps");
}

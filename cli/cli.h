/* cli.h: what the `ladder` subcommands share: the command signature and exit statuses, the
 * option parser (options.h) and the terminal output (output.h). One file per subcommand,
 * cmd_NAME.c, dispatched by ladder.c. */
#ifndef LADDER_CLI_H
#define LADDER_CLI_H

#include "ladder.h"
#include "options.h"
#include "output.h"
#include "publish.h"

#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE   2
#define CLI_EXIT_REFUSED 3 /* a worker whose binary or profile is not the coordinator's */

/* Every subcommand: argv[0] is the subcommand's name; returns the process exit status. */
typedef int (*cli_command_fn)(int argc, char **argv);

int cmd_ingest(int argc, char **argv);
int cmd_package(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_transcode(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_queue(int argc, char **argv);
int cmd_worker(int argc, char **argv);

#endif

/* ladder.c: the `ladder` program. A thin dispatcher over a sorted table of subcommands, one
 * file each (cmd_*.c), in the manner of git's builtin/. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    cli_command_fn fn;
    const char *summary;
} command;

/* Sorted by name. */
static const command commands[] = {
    {"ingest", cmd_ingest, "transcode, package and publish a show in one pass"},
    {"package", cmd_package, "package a transcode folder into a show in the library"},
    {"profiles", cmd_profiles, "check or show an encoding ladder"},
    {"queue", cmd_queue, "the distributed ingests' queue: `ladder queue status`"},
    {"serve", cmd_serve, "serve the show library over HTTP (the origin)"},
    {"transcode", cmd_transcode, "encode a mezzanine into every rendition of a ladder"},
    {"validate", cmd_validate, "check a published show against the publishing rules"},
    {"worker", cmd_worker, "take and run the jobs of distributed ingests from a queue"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: ladder <command> [options]   (ladder <command> -h for details)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ladder %s\n", LADDER_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "ladder: '%s' is not a ladder command\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}

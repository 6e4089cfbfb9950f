/* cmd_queue.c: `ladder queue status --queue redis://... [--json]`: the shows in flight with
 * their jobs pending, running, done and dead, the dead-letter stream, and the workers seen in
 * the last minute (queue/queue.h). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: ladder queue status --queue redis://[:PASSWORD@]HOST[:PORT][/DB] [--json]";

#define SEEN_SECONDS 60

static void print_table(const char *text)
{
    json_t *root = json_loads(text, 0, NULL), *shows, *workers, *x;
    size_t i;

    if (!root)
        return;
    shows = json_object_get(root, "shows");
    workers = json_object_get(root, "workers");
    printf("%-24s %-8s %6s %8s %8s %6s %6s\n", "show", "state", "jobs", "pending", "running",
           "done", "dead");
    json_array_foreach(shows, i, x)
    {
        printf("%-24s %-8s %6lld %8lld %8lld %6lld %6lld%s\n",
               json_string_value(json_object_get(x, "id")),
               json_string_value(json_object_get(x, "state")) ?: "?",
               json_integer_value(json_object_get(x, "jobs")),
               json_integer_value(json_object_get(x, "pending")),
               json_integer_value(json_object_get(x, "running")),
               json_integer_value(json_object_get(x, "done")),
               json_integer_value(json_object_get(x, "dead")),
               json_is_true(json_object_get(x, "urgent")) ? "  urgent" : "");
        if (json_object_get(x, "first_dead"))
            printf("  dead: %s\n", json_string_value(json_object_get(x, "first_dead")));
    }
    printf("dead-letter stream: %lld job(s)\n",
           json_integer_value(json_object_get(root, "dead_letters")));
    printf("workers seen in the last %d s: %zu\n", SEEN_SECONDS, json_array_size(workers));
    json_array_foreach(workers, i, x)
    {
        printf("  %-32s %3llds ago  %s\n", json_string_value(json_object_get(x, "name")),
               json_integer_value(json_object_get(x, "seen_seconds_ago")),
               json_string_value(json_object_get(x, "doing")));
    }
    json_decref(root);
}

int cmd_queue(int argc, char **argv)
{
    const char *url = NULL;
    int json = 0;
    const cli_option opts[] = {
        {"queue", CLI_OPT_STRING, &url, "the Redis of the queue (required)"},
        {"json", CLI_OPT_FLAG, &json, "print the status as JSON"},
        {NULL},
    };
    int npos = 0, ret = cli_parse(argc, argv, opts, usage_text, &npos);
    ladder_error err = {0};
    queue_conn *q = NULL;
    char *text = NULL;

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos != 1 || strcmp(argv[1], "status") != 0 || !url) {
        fprintf(stderr, "ladder queue: %s\n",
                !url ? "--queue is required" : "the one subcommand is 'status'");
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    cli_output_init(1);
    ret = queue_connect(&q, url, 0, &err);
    if (ret >= 0)
        ret = queue_status_json(q, SEEN_SECONDS, &text, &err);
    queue_close(q);
    if (ret < 0)
        return cli_fail("queue", &err);
    if (json)
        printf("%s\n", text);
    else
        print_table(text);
    free(text);
    return 0;
}

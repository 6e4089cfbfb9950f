/* cmd_queue.c: `ladder queue status --queue redis://... [--json]`: the shows in flight with
 * their jobs pending, running, done and dead and their estimated time left, the dead-letter
 * stream, and the workers seen in the last minute with their throughput (queue/queue.h). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: ladder queue status --queue redis://[:PASSWORD@]HOST[:PORT][/DB] [--json]";

#define SEEN_SECONDS 60

/* A show's estimated time left as "1h02m", "4m05s" or "42s"; "unknown" while it is null. */
static void format_left(const json_t *eta, char *out, size_t size)
{
    long long s = json_integer_value(eta);

    if (!json_is_integer(eta))
        snprintf(out, size, "unknown");
    else if (s >= 3600)
        snprintf(out, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    else if (s >= 60)
        snprintf(out, size, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf(out, size, "%llds", s);
}

static void print_table(const char *text)
{
    json_t *root = json_loads(text, 0, NULL), *shows, *workers, *x;
    char left[32];
    size_t i;

    if (!root)
        return;
    shows = json_object_get(root, "shows");
    workers = json_object_get(root, "workers");
    printf("%-24s %-8s %6s %8s %8s %6s %6s %8s\n", "show", "state", "jobs", "pending", "running",
           "done", "dead", "left");
    json_array_foreach(shows, i, x)
    {
        format_left(json_object_get(x, "eta_seconds"), left, sizeof left);
        printf("%-24s %-8s %6lld %8lld %8lld %6lld %6lld %8s%s\n",
               json_string_value(json_object_get(x, "id")),
               json_string_value(json_object_get(x, "state")) ?: "?",
               json_integer_value(json_object_get(x, "jobs")),
               json_integer_value(json_object_get(x, "pending")),
               json_integer_value(json_object_get(x, "running")),
               json_integer_value(json_object_get(x, "done")),
               json_integer_value(json_object_get(x, "dead")), left,
               json_is_true(json_object_get(x, "urgent")) ? "  urgent" : "");
        if (json_object_get(x, "first_dead"))
            printf("  dead: %s\n", json_string_value(json_object_get(x, "first_dead")));
    }
    printf("dead-letter stream: %lld job(s)\n",
           json_integer_value(json_object_get(root, "dead_letters")));
    printf("workers seen in the last %d s: %zu (throughput over the last %lld s)\n", SEEN_SECONDS,
           json_array_size(workers),
           json_integer_value(json_object_get(root, "throughput_window_seconds")));
    json_array_foreach(workers, i, x)
    {
        printf("  %-32s %3llds ago  %6.2f jobs/min %8.1f s/min  %s\n",
               json_string_value(json_object_get(x, "name")),
               json_integer_value(json_object_get(x, "seen_seconds_ago")),
               json_number_value(json_object_get(x, "jobs_per_minute")),
               json_number_value(json_object_get(x, "show_seconds_per_minute")),
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

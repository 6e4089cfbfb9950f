/* spawn.h: a worker's jobs as `ladder transcode` child processes (spawn.c). */
#ifndef LADDER_CLI_SPAWN_H
#define LADDER_CLI_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "ladder.h"
#include "queue.h"

/* spawn.c: a job run as a `ladder transcode` child writing its messages to log_path. */
int cli_spawn_transcode(const queue_job *job, int threads, const char *log_path, pid_t *pid,
                        ladder_error *err);
/* Whether the child ended (*exited), and then its exit status (128 + signal if killed). */
int cli_child_status(pid_t pid, int *exited);
void cli_child_kill(pid_t pid); /* SIGKILL and reap */
/* The last non-empty line of a text file (a job's log), for a one-line reason. */
void cli_last_line(const char *path, char *out, size_t len);

#endif

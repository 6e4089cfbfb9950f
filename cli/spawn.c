/* spawn.c: a worker runs each job as a `ladder transcode` child process, so that a job can be
 * stopped at its time limit or on SIGTERM, and a crash on a bad chunk takes down only the
 * job. The child writes into a staging folder and renames it into place (cmd_transcode.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

/* In the child: dies with the worker (so a killed worker leaves no orphan encoding on), and
 * sends its output to the job's log. Never returns. */
static void exec_child(char *const argv[], const char *log_path, pid_t parent)
{
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127); /* the worker died before prctl */
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
    }
    execv("/proc/self/exe", argv);
    fprintf(stderr, "ladder worker: error: cannot run ladder transcode: %s\n", strerror(errno));
    _exit(127);
}

int cli_spawn_transcode(const queue_job *job, int threads, const char *log_path, pid_t *pid,
                        ladder_error *err)
{
    char segments[32], nthreads[16], probe[32];
    char *argv[24];
    int n = 0;
    pid_t parent = getpid();

    snprintf(segments, sizeof segments, "%d:%d", job->first_segment, job->n_segments);
    snprintf(nthreads, sizeof nthreads, "%d", threads);
    argv[n++] = "ladder";
    argv[n++] = "transcode";
    argv[n++] = (char *)job->mezz;
    argv[n++] = "--out";
    argv[n++] = (char *)job->out;
    argv[n++] = "--quiet";
    argv[n++] = "--threads";
    argv[n++] = nthreads;
    if (job->profile[0]) {
        argv[n++] = "--profile";
        argv[n++] = (char *)job->profile;
    }
    /* the coordinator's list already has the source's cues in it */
    argv[n++] = "--ignore-scte35";
    if (job->breaks[0]) {
        argv[n++] = "--ad-breaks";
        argv[n++] = (char *)job->breaks;
    }
    if (job->crf[0]) {
        argv[n++] = "--crf";
        argv[n++] = (char *)job->crf;
    }
    if (job->vbv_init[0]) {
        argv[n++] = "--vbv-init";
        argv[n++] = (char *)job->vbv_init;
    }
    snprintf(probe, sizeof probe, "%d:%d", job->probe_pass, job->probe_gop);
    argv[n++] = job->audio_only ? "--audio-only" : job->probe_pass ? "--probe" : "--segments";
    if (!job->audio_only)
        argv[n++] = job->probe_pass ? probe : segments;
    argv[n] = NULL;
    fflush(NULL);
    *pid = fork();
    if (*pid < 0)
        return ladder_error_set(err, LADDER_EIO, "cannot start a job: %s", strerror(errno));
    if (*pid == 0)
        exec_child(argv, log_path, parent);
    return 0;
}

int cli_child_status(pid_t pid, int *exited)
{
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);

    *exited = r == pid || (r < 0 && errno == ECHILD);
    if (r != pid)
        return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void cli_child_kill(pid_t pid)
{
    int status;

    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
}

void cli_last_line(const char *path, char *out, size_t len)
{
    char line[1024];
    FILE *f = fopen(path, "r");

    snprintf(out, len, "no message (see %s)", path);
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0])
            snprintf(out, len, "%s", line);
    }
    fclose(f);
}

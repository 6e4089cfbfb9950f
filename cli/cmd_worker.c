/* cmd_worker.c: `ladder worker --queue redis://...`: takes the jobs of distributed ingests
 * from the queue (queue/queue.h) and runs each as a `ladder transcode` child, until SIGTERM.
 *
 * A job is acked only once its folder is in place on the shared filesystem. While it runs the
 * worker keeps its claim fresh every lease/3; a worker that dies stops doing so, and after
 * the lease another worker takes the job back (XAUTOCLAIM). Each job has a soft time limit (a
 * warning) and a hard one (the job is stopped and handed back). On SIGTERM the current job
 * gets `--grace` seconds to finish, then is handed back; the worker exits 0 either way. A worker
 * whose binary or profile is not the coordinator's hands the job back untouched and exits 3. */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "spawn.h"

static const char usage_text[] =
    "usage: ladder worker --queue redis://[:PASSWORD@]HOST[:PORT][/DB] [--threads N] "
    "[--name NAME] [--lease SECONDS] [--grace SECONDS]";

/* Set by the signal handler: the one thing it may touch. */
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct worker {
    queue_conn *q;
    char name[128];
    char build[QUEUE_DIGEST_MAX]; /* this binary's SHA-256: jobs name the coordinator's */
    int refused;                  /* it stopped at a job it does not fit */
    int threads, lease, grace;
    const ladder_logger *log;
} worker;

/* JOB_IN_PLACE: done, by an earlier try; it counts for no throughput, as this worker did not
 * run it. */
typedef enum { JOB_OK, JOB_IN_PLACE, JOB_FAILED, JOB_HANDED_BACK, JOB_LOST } job_outcome;

/* A test's poison chunk: LADDER_WORKER_FAIL=SHOW/JOB makes this worker fail that job without
 * running it (docs/distributed.md, "Testing"). */
static int poisoned(const queue_job *job)
{
    const char *p = getenv("LADDER_WORKER_FAIL");
    char which[LADDER_NAME_MAX + QUEUE_JOB_NAME_MAX + 2];

    snprintf(which, sizeof which, "%s/%s", job->show, job->name);
    return p && strcmp(p, which) == 0;
}

/* Runs the job's child to its end, keeping the claim fresh and watching the time limits and
 * SIGTERM. Sets reason when the job failed. */
static job_outcome watch_child(worker *w, const queue_job *job, pid_t pid, const char *log_path,
                               char *reason, size_t len, ladder_error *err)
{
    double start = ladder_now(), last_keep = start, stop_at = 0;
    int warned = 0, exited = 0;

    for (;;) {
        double now = ladder_now(), took = now - start;
        cli_child_status(pid, &exited);
        if (exited)
            break;
        if (now - last_keep >= w->lease / 3.0) {
            last_keep = now;
            if (queue_keep(w->q, w->name, job, err) != 1) {
                cli_child_kill(pid);
                return JOB_LOST; /* another worker has it (or Redis is gone): not ours to ack */
            }
        }
        if (!warned && job->soft_limit > 0 && took > job->soft_limit) {
            warned = 1;
            ladder_log(w->log, LADDER_LOG_WARN, "worker", "%s/%s: over its soft time limit of %d s",
                       job->show, job->name, job->soft_limit);
        }
        if (job->hard_limit > 0 && took > job->hard_limit) {
            cli_child_kill(pid);
            snprintf(reason, len, "over its hard time limit of %d s", job->hard_limit);
            return JOB_FAILED;
        }
        if (stop_requested && stop_at == 0)
            stop_at = now + w->grace;
        if (stop_at > 0 && now >= stop_at) {
            cli_child_kill(pid);
            return JOB_HANDED_BACK;
        }
        usleep(100 * 1000);
    }
    /* exit 0 renamed the folder into place; a failed rename may mean another worker's
     * identical copy got there first, which is as good */
    if (publish_job_in_place(job))
        return JOB_OK;
    cli_last_line(log_path, reason, len);
    return JOB_FAILED;
}

static job_outcome run_job(worker *w, const queue_job *job, char *reason, size_t len,
                           ladder_error *err)
{
    char log_path[QUEUE_PATH_MAX + 8];
    pid_t pid;

    if (publish_job_in_place(job))
        return JOB_IN_PLACE; /* done before: a retried job is not redone */
    if (poisoned(job)) {
        snprintf(reason, len, "failed on purpose (LADDER_WORKER_FAIL)");
        return JOB_FAILED;
    }
    snprintf(log_path, sizeof log_path, "%s.log", job->out);
    if (cli_spawn_transcode(job, w->threads, log_path, &pid, err) < 0) {
        snprintf(reason, len, "%s", err->msg);
        return JOB_FAILED;
    }
    return watch_child(w, job, pid, log_path, reason, len, err);
}

/* One job from take to ack (or hand-back, or the dead-letter stream). */
static int do_job(worker *w, const queue_job *job, ladder_error *err)
{
    char reason[512] = "", doing[256];
    double start = ladder_now(), took;
    int tries = queue_start(w->q, w->name, job, err);
    job_outcome outcome;

    if (tries <= 0)
        return tries; /* an error, or a job of a show no longer in flight */
    if (job->max_tries > 0 && tries > job->max_tries) {
        snprintf(reason, sizeof reason, "taken %d times without finishing", tries - 1);
        return queue_dead(w->q, job, reason, err);
    }
    snprintf(doing, sizeof doing, "%s/%s", job->show, job->name);
    if (queue_heartbeat(w->q, w->name, doing, err) < 0)
        return LADDER_EIO;
    ladder_log(w->log, LADDER_LOG_INFO, "worker", "%s: started (try %d)", doing, tries);
    outcome = run_job(w, job, reason, sizeof reason, err);
    switch (outcome) {
    case JOB_OK:
        took = ladder_now() - start;
        ladder_log(w->log, LADDER_LOG_INFO, "worker", "%s: done in %.1f s", doing, took);
        return queue_done(w->q, w->name, job, took, err);
    case JOB_IN_PLACE:
        ladder_log(w->log, LADDER_LOG_INFO, "worker", "%s: done already", doing);
        return queue_done(w->q, w->name, job, -1, err);
    case JOB_HANDED_BACK:
        ladder_log(w->log, LADDER_LOG_INFO, "worker", "%s: handed back (stopping)", doing);
        return queue_give_back(w->q, w->name, job, 0, err);
    case JOB_LOST:
        ladder_log(w->log, LADDER_LOG_WARN, "worker", "%s: taken by another worker", doing);
        return 0;
    case JOB_FAILED:
        break;
    }
    ladder_log(w->log, LADDER_LOG_WARN, "worker", "%s: failed (try %d of %d): %s", doing, tries,
               job->max_tries, reason);
    if (job->max_tries > 0 && tries >= job->max_tries)
        return queue_dead(w->q, job, reason, err);
    return queue_give_back(w->q, w->name, job, 1, err);
}

/* A worker whose binary or profile is not the coordinator's would make a folder that does not
 * fit the show's others: it hands the job back untouched, for a worker that fits, and stops. */
static int refuse_unless_fits(worker *w, const queue_job *job, ladder_error *err)
{
    char why[QUEUE_PATH_MAX + 128];

    if (publish_job_fits(job, w->build, why, sizeof why))
        return 0;
    if (queue_release(w->q, w->name, job, err) < 0)
        return LADDER_EIO;
    w->refused = 1;
    return ladder_error_set(err, LADDER_EINVAL, "refused %s/%s: %s", job->show, job->name, why);
}

static int work(worker *w, ladder_error *err)
{
    queue_job job;
    int ret = 0;

    while (!stop_requested && ret >= 0) {
        ret = queue_heartbeat(w->q, w->name, "idle", err);
        if (ret >= 0)
            ret = queue_take(w->q, w->name, w->lease * 1000, &job, err);
        if (ret > 0 && (ret = refuse_unless_fits(w, &job, err)) >= 0)
            ret = do_job(w, &job, err);
    }
    return ret < 0 ? ret : 0;
}

int cmd_worker(int argc, char **argv)
{
    const char *url = NULL, *name = NULL;
    worker w = {.lease = 30, .grace = 30, .threads = 0};
    const cli_option opts[] = {
        {"queue", CLI_OPT_STRING, &url, "the Redis of the queue (required)"},
        {"threads", CLI_OPT_INT, &w.threads, "encoder threads per job (default: one per core)"},
        {"name", CLI_OPT_STRING, &name, "this worker's name (default: HOST-PID)"},
        {"lease", CLI_OPT_INT, &w.lease,
         "seconds of silence after which another worker takes a job back (default 30)"},
        {"grace", CLI_OPT_INT, &w.grace,
         "seconds a job may go on after SIGTERM before it is handed back (default 30)"},
        {NULL},
    };
    struct sigaction sa = {.sa_handler = on_stop};
    ladder_error err = {0};
    char host[HOST_NAME_MAX + 1] = "worker";
    int npos = 0, connected, ret = cli_parse(argc, argv, opts, usage_text, &npos);

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos != 0 || !url || w.lease < 3 || w.grace < 0 || w.threads < 0) {
        fprintf(stderr, "ladder worker: %s\n",
                !url ? "--queue is required" : "bad arguments (--lease is at least 3)");
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    cli_output_init(1);
    w.log = cli_logger();
    gethostname(host, sizeof host - 1);
    snprintf(w.name, sizeof w.name, "%s", name ? name : host);
    if (!name)
        snprintf(w.name + strlen(w.name), sizeof w.name - strlen(w.name), "-%ld", (long)getpid());
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (publish_build_digest(w.build, &err) < 0)
        return cli_fail("worker", &err);
    /* Redis may restart under a worker: it waits for it up to 5 minutes. */
    ret = queue_connect(&w.q, url, 300, &err);
    connected = ret >= 0;
    if (ret >= 0) {
        queue_set_stop_flag(w.q, &stop_requested);
        ladder_log(w.log, LADDER_LOG_INFO, "worker", "%s: waiting for jobs", w.name);
        ret = work(&w, &err);
    }
    queue_close(w.q);
    if (ret < 0 && stop_requested && connected) { /* asked to stop while Redis was away */
        ladder_log(w.log, LADDER_LOG_WARN, "worker", "%s", err.msg);
        return 0;
    }
    if (ret < 0 && w.refused) {
        /* its own exit status, which the systemd unit does not restart on: the same job would
         * be taken and refused again every RestartSec */
        cli_fail("worker", &err);
        return CLI_EXIT_REFUSED;
    }
    if (ret < 0)
        return cli_fail("worker", &err);
    return 0;
}

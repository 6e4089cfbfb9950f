/* ingest_queue.c: `ladder ingest MEZZ --id ID --queue redis://...`, the coordinator of a
 * distributed ingest (docs/distributed.md).
 *
 * The show is cut into the audio job and chunks of whole segments, each a `ladder transcode`
 * into a folder of WORK/ID/ on the shared filesystem. The coordinator submits the jobs whose
 * folder is not there yet, waits for them with a progress bar, then joins the folders, validates
 * and publishes exactly as `ladder package` does. Its state is in Redis and on disk, so the same
 * command run again after it died resumes: folders in place are not redone, jobs still queued
 * are not queued twice. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "library.h"

#define AUDIO_JOB "audio"

typedef struct show_jobs {
    queue_job *jobs; /* [0] the audio job, then the chunks in order */
    int n;
    const char **dirs; /* each job's folder, for the join */
} show_jobs;

/* The show's length in segments, from the transcoder's own probe: the file the workers will
 * read is refused here, in one line, if they would refuse it. */
static int count_segments(const char *mezz, const prof_ladder *ladder, ladder_error *err)
{
    tc_transcoder *t = NULL;
    tc_params params;
    double duration;
    int ret;

    tc_params_default(&params);
    params.ladder = *ladder;
    if ((ret = tc_open(&t, mezz, &params, err)) < 0)
        return ret;
    duration = tc_get_plan(t)->src_duration;
    tc_close(t);
    if (!(duration > 0))
        return ladder_error_set(err, LADDER_EINPUT, "%s: the container gives no duration", mezz);
    /* A segment starts at every multiple of segment_seconds before the end. */
    return (int)ceil(duration / ladder->segment_seconds - 1e-6);
}

static void fill_job(queue_job *j, const queue_ingest *qi, const char *id, const char *work,
                     const char *name)
{
    memset(j, 0, sizeof *j);
    snprintf(j->show, sizeof j->show, "%s", id);
    snprintf(j->name, sizeof j->name, "%s", name);
    snprintf(j->mezz, sizeof j->mezz, "%s", qi->mezz);
    snprintf(j->out, sizeof j->out, "%s/%s", work, name);
    snprintf(j->profile, sizeof j->profile, "%s", qi->profile ? qi->profile : "");
    j->soft_limit = qi->soft_limit;
    j->hard_limit = qi->hard_limit;
    j->max_tries = qi->max_tries;
}

/* The audio job, then one job per chunk_segments segments; the last chunk runs to the end. */
static int plan_jobs(show_jobs *s, const queue_ingest *qi, const char *id, const char *work,
                     int n_segments, ladder_error *err)
{
    int chunks = (n_segments + qi->chunk_segments - 1) / qi->chunk_segments;
    char name[QUEUE_JOB_NAME_MAX];

    s->n = chunks + 1;
    s->jobs = calloc((size_t)s->n, sizeof *s->jobs);
    s->dirs = calloc((size_t)s->n, sizeof *s->dirs);
    if (!s->jobs || !s->dirs)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    fill_job(&s->jobs[0], qi, id, work, AUDIO_JOB);
    s->jobs[0].audio_only = 1;
    for (int c = 0; c < chunks; c++) {
        queue_job *j = &s->jobs[c + 1];
        snprintf(name, sizeof name, "chunk-%05d", c * qi->chunk_segments);
        fill_job(j, qi, id, work, name);
        j->first_segment = c * qi->chunk_segments;
        /* one spare segment on the last chunk: the transcoder stops at the source's end */
        j->n_segments = c + 1 < chunks ? qi->chunk_segments : n_segments - j->first_segment + 1;
    }
    for (int i = 0; i < s->n; i++)
        s->dirs[i] = s->jobs[i].out;
    return 0;
}

static int count_done(const show_jobs *s)
{
    int done = 0;
    for (int i = 0; i < s->n; i++)
        done += cli_job_in_place(&s->jobs[i]);
    return done;
}

/* Submits every job not done yet; returns how many were queued anew. */
static int submit_all(queue_conn *q, const show_jobs *s, int urgent, ladder_error *err)
{
    int added = 0;

    for (int i = 0; i < s->n; i++) {
        int r = cli_job_in_place(&s->jobs[i]) ? 0 : queue_submit(q, &s->jobs[i], urgent, err);
        if (r < 0)
            return r;
        added += r;
    }
    return added;
}

/* Registers the show and submits its jobs; says so when it resumes one in flight. */
static int submit_show(queue_conn *q, const show_jobs *s, const queue_ingest *qi, const char *id,
                       ladder_error *err)
{
    int ret = queue_show_begin(q, id, qi->mezz, s->n, qi->urgent, err);

    if (ret > 0 && !qi->quiet)
        ladder_log(cli_logger(), LADDER_LOG_INFO, "ingest",
                   "%s is in flight already: resuming (%d of %d jobs done)", id, count_done(s),
                   s->n);
    return ret < 0 ? ret : submit_all(q, s, qi->urgent, err);
}

/* Redis restarted without its data (no AOF) forgets the show and its queued jobs: they are
 * submitted again, and the jobs whose folders are in place are not redone. */
static int check_show_known(queue_conn *q, const show_jobs *s, const queue_ingest *qi,
                            const char *id, ladder_error *err)
{
    int known = queue_show_known(q, id, err);

    if (known != 0)
        return known < 0 ? known : 0;
    ladder_log(cli_logger(), LADDER_LOG_WARN, "ingest",
               "Redis no longer knows %s (restarted without its data?): submitting its jobs again",
               id);
    return submit_show(q, s, qi, id, err);
}

/* Waits until every job's folder is in place, or a job is dead. */
static int wait_for_jobs(queue_conn *q, const show_jobs *s, const queue_ingest *qi, const char *id,
                         ladder_error *err)
{
    cli_progress bar;
    double t0 = cli_now();
    char dead[600];
    int done = -1, ret = 0;

    cli_progress_init(&bar, "jobs", qi->quiet);
    while (ret >= 0) {
        int now_done = count_done(s);
        if (now_done != done && !bar.enabled && !qi->quiet)
            ladder_log(cli_logger(), LADDER_LOG_INFO, "ingest", "%d of %d jobs done", now_done,
                       s->n);
        done = now_done;
        cli_progress_draw(&bar, done, s->n, cli_now() - t0, done / (cli_now() - t0 + 1e-9),
                          "jobs/s");
        if (done == s->n)
            break;
        ret = queue_show_dead(q, id, dead, sizeof dead, err);
        if (ret > 0)
            ret = ladder_error_set(err, LADDER_EENCODE,
                                   "a job failed for good, nothing is published (ladder:dead has "
                                   "it): %s",
                                   dead);
        if (ret >= 0)
            ret = queue_wait(q, id, 1000, err);
        if (ret >= 0)
            ret = check_show_known(q, s, qi, id, err);
    }
    cli_progress_end(&bar, ret >= 0);
    return ret;
}

/* WORK/ID as an absolute path (the workers run elsewhere), made if missing. */
static int work_folder(const char *work, const char *id, char *out, size_t len, ladder_error *err)
{
    char real[PATH_MAX];

    if (ladder_mkdir_p(work, err) < 0)
        return LADDER_EIO;
    if (!realpath(work, real))
        return ladder_error_set(err, LADDER_EIO, "%s: %s", work, strerror(errno));
    if (snprintf(out, len, "%s/%s", real, id) >= (int)len)
        return ladder_error_set(err, LADDER_EINVAL, "%s: path too long", work);
    return ladder_mkdir_p(out, err);
}

static int absolute(const char *path, char *out, ladder_error *err)
{
    if (!realpath(path, out))
        return ladder_error_set(err, LADDER_ENOTFOUND, "%s: %s", path, strerror(errno));
    return 0;
}

static int run_show(queue_conn *q, queue_ingest *qi, const publish_request *req, const char *work,
                    int *version_out, ladder_error *err)
{
    show_jobs s = {0};
    replay_ctx ctx = {0};
    int n_segments = count_segments(qi->mezz, req->ladder, err);
    int ret = n_segments;
    double all_done;

    if (ret >= 0)
        ret = plan_jobs(&s, qi, req->id, work, n_segments, err);
    if (ret >= 0)
        ret = submit_show(q, &s, qi, req->id, err);
    if (ret >= 0)
        ret = wait_for_jobs(q, &s, qi, req->id, err);
    all_done = cli_now();
    ctx.dirs = s.dirs;
    ctx.n_dirs = s.n;
    if (ret >= 0)
        ret = tc_disk_check(ctx.dirs, ctx.n_dirs, err);
    if (ret >= 0)
        ret = publish_show(req, publish_replay, &ctx, version_out, err);
    if (ret >= 0)
        ladder_log(cli_logger(), LADDER_LOG_INFO, "ingest",
                   "joined, validated and published %.1f s after the last job",
                   cli_now() - all_done);
    ladder_captions_free(&ctx.cc608);
    free(s.jobs);
    free(s.dirs);
    return ret;
}

int cli_ingest_queued(const queue_ingest *qi_in, const publish_request *req, int *version_out,
                      ladder_error *err)
{
    char mezz[PATH_MAX], profile[PATH_MAX], work[PATH_MAX];
    queue_ingest qi = *qi_in;
    queue_conn *q = NULL;
    int ret;

    if (qi.chunk_segments < 1 || qi.max_tries < 1 || qi.soft_limit < 0 || qi.hard_limit < 0)
        return ladder_error_set(err, LADDER_EINVAL,
                                "--chunk and --max-tries are at least 1; limits are not negative");
    if (!lib_valid_id(req->id))
        return ladder_error_set(err, LADDER_EINVAL, "'%s' is not a show id", req->id);
    if (absolute(qi.mezz, mezz, err) < 0 || (qi.profile && absolute(qi.profile, profile, err) < 0))
        return LADDER_ENOTFOUND;
    qi.mezz = mezz;
    qi.profile = qi.profile ? profile : NULL;
    /* Redis may restart under the coordinator: it waits for it up to 30 s. */
    ret = queue_connect(&q, qi.url, 30, err);
    if (ret >= 0)
        ret = work_folder(qi.work, req->id, work, sizeof work, err);
    if (ret >= 0)
        ret = run_show(q, &qi, req, work, version_out, err);
    if (q && ret != LADDER_EIO) { /* EIO: Redis is gone, and a re-run resumes the show */
        ladder_error end_err = {0};
        if (queue_show_end(q, req->id, ret >= 0 ? "published" : "failed", &end_err) < 0 && ret >= 0)
            ladder_log(cli_logger(), LADDER_LOG_WARN, "ingest", "%s", end_err.msg);
    }
    if (ret >= 0) /* the show is in the library: its jobs' folders have served */
        ladder_rm_rf(work, NULL);
    queue_close(q);
    return ret;
}

/* coordinator.c: the coordinator of a distributed ingest, `ladder ingest MEZZ --id ID --queue
 * redis://...` (publish.h, docs/distributed.md).
 *
 * The show is cut into the audio job and chunks of whole segments, each a `ladder transcode`
 * into a folder of WORK/ID/ on the shared filesystem. The coordinator submits the jobs whose
 * folder is not there yet, waits for them (reporting progress), then joins the folders, validates
 * and publishes exactly as `ladder package` does. Its state is in Redis and on disk, so the same
 * command run again after it died resumes: folders in place are not redone, jobs still queued
 * are not queued twice.
 *
 * The join runs beside the wait, on a thread of its own: it replays each job's folder as soon
 * as it and the ones before it are in place, so what is left after the last job is that job's
 * chunk, the playlists, show.json and the validator. A chunk that would underflow a rung's VBV
 * where the chunks before it leave the buffer is queued again, under a name of its own, to be
 * encoded from that level (docs/distributed.md, "Joins that conform").
 *
 * The rates are chosen before any chunk is queued, by the same probe a local transcode runs
 * (tc_rate_probe), but with its GOPs encoded by the workers as jobs of their own: the audio job
 * and the probe's first pass are queued at once, its second pass when the first is in, and the
 * chunks, which need the rates, after that (docs/distributed.md, "The rate probe as jobs"). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "library.h"
#include "publish_internal.h"

#define AUDIO_JOB "audio"

typedef struct show_jobs {
    queue_job *jobs; /* [0] the audio job, then the chunks in order */
    int n;
    const char **dirs; /* each job's folder, for the join */
    int *redos;        /* per job: how often the join had it encoded again */
} show_jobs;

/* What the wait and the join share, under lock. */
typedef struct arrivals {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int *in_place;  /* per job: its folder is complete */
    int stopped;    /* the wait ended without every job: the join gives up */
    int join_ended; /* the join returned */
    int redo_job;   /* a chunk the join wants encoded again, with redo_init; -1: none */
    double redo_init[PROF_MAX_RUNGS];
} arrivals;

/* One coordinator's state: the connection, what it was asked, and the show's jobs. */
typedef struct coordinator {
    queue_conn *q;
    const publish_params *params;
    publish_queue_params qp; /* mezz, profile and work as absolute paths */
    show_jobs s;
    arrivals a;
    double all_done;       /* when every job's folder was last seen in place; 0: not yet */
    tc_rate_probe probe;   /* the rates being chosen, and once chosen */
    queue_job *probe_jobs; /* the pass under way (probe.n_gops of them); NULL: none */
    int chunks_ready;      /* the chunks have their rates and may be queued */
    const char *per_title; /* show.json's "per_title" with --per-title; NULL: none */
} coordinator;

/* The show's ad breaks, rounded to frames, as each job's transcode is told them. */
static int breaks_for_jobs(const ladder_plan *plan, char *out, size_t size, ladder_error *err)
{
    ladder_text t = {0};
    int ret = 0;

    ladder_breaks_format(&t, plan->breaks, plan->n_breaks);
    if (t.failed || t.len >= size)
        ret = ladder_error_set(err, LADDER_EINVAL, "the ad breaks' cues are too long for a job");
    else
        snprintf(out, size, "%s", t.s ? t.s : "");
    ladder_text_free(&t);
    return ret;
}

/* The show's length in segments (and in seconds, into *seconds) and its ad breaks, from the
 * transcoder's own look at the file: the file the workers will read is refused here, in one
 * line, if they would refuse it. The breaks are resolved once, here, so every job conditions
 * the same frames. */
static int count_segments(const char *mezz, const publish_params *pp, char *breaks, size_t size,
                          double *seconds, ladder_error *err)
{
    const prof_ladder *ladder = pp->ladder;
    tc_transcoder *t = NULL;
    tc_params params;
    double duration;
    int ret;

    tc_params_default(&params);
    params.ladder = *ladder;
    params.breaks = pp->breaks;
    params.n_breaks = pp->n_breaks;
    params.ignore_scte35 = pp->ignore_scte35;
    for (int r = 0; r < PROF_MAX_RUNGS; r++)
        params.crf[r] = -1; /* the rates are the probe jobs' to choose */
    if ((ret = tc_open(&t, mezz, &params, err)) < 0)
        return ret;
    *seconds = duration = tc_get_video_duration(t);
    ret = breaks_for_jobs(tc_get_plan(t), breaks, size, err);
    tc_close(t);
    if (ret < 0)
        return ret;
    if (!(duration > 0))
        return ladder_error_set(err, LADDER_EINPUT, "%s: its video has no duration", mezz);
    /* A segment starts at every multiple of segment_seconds before the end. */
    return (int)ceil(duration / ladder->segment_seconds - 1e-6);
}

static void fill_job(queue_job *j, const publish_queue_params *qp, const char *id, const char *work,
                     const char *name)
{
    memset(j, 0, sizeof *j);
    snprintf(j->show, sizeof j->show, "%s", id);
    snprintf(j->name, sizeof j->name, "%s", name);
    snprintf(j->mezz, sizeof j->mezz, "%s", qp->mezz);
    snprintf(j->out, sizeof j->out, "%s/%s", work, name);
    snprintf(j->profile, sizeof j->profile, "%s", qp->profile ? qp->profile : "");
    j->soft_limit = qp->soft_limit;
    j->hard_limit = qp->hard_limit;
    j->max_tries = qp->max_tries;
}

/* The audio job, then one job per chunk_segments segments of segment_seconds; the last chunk
 * runs to the end, at seconds. */
static int plan_jobs(show_jobs *s, const publish_queue_params *qp, const char *id, const char *work,
                     int n_segments, double segment_seconds, double seconds, ladder_error *err)
{
    int chunks = (n_segments + qp->chunk_segments - 1) / qp->chunk_segments;
    char name[QUEUE_JOB_NAME_MAX];

    s->n = chunks + 1;
    s->jobs = calloc((size_t)s->n, sizeof *s->jobs);
    s->dirs = calloc((size_t)s->n, sizeof *s->dirs);
    s->redos = calloc((size_t)s->n, sizeof *s->redos);
    if (!s->jobs || !s->dirs || !s->redos)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    fill_job(&s->jobs[0], qp, id, work, AUDIO_JOB);
    s->jobs[0].audio_only = 1;
    s->jobs[0].show_seconds = seconds;
    for (int c = 0; c < chunks; c++) {
        queue_job *j = &s->jobs[c + 1];
        snprintf(name, sizeof name, "chunk-%05d", c * qp->chunk_segments);
        fill_job(j, qp, id, work, name);
        j->first_segment = c * qp->chunk_segments;
        /* one spare segment on the last chunk: the transcoder stops at the source's end */
        j->n_segments = c + 1 < chunks ? qp->chunk_segments : n_segments - j->first_segment + 1;
        j->show_seconds =
            fmin(j->n_segments * segment_seconds, seconds - j->first_segment * segment_seconds);
    }
    for (int i = 0; i < s->n; i++)
        s->dirs[i] = s->jobs[i].out;
    return 0;
}

static int count_done(const show_jobs *s)
{
    int done = 0;
    for (int i = 0; i < s->n; i++)
        done += publish_job_in_place(&s->jobs[i]);
    return done;
}

/* Marks the jobs whose folder is now in place, and wakes the join; returns how many are. Only
 * this thread writes in_place, so it reads it without the lock. */
static int note_arrivals(coordinator *c)
{
    int done = 0, arrived = 0;

    for (int i = 0; i < c->s.n; i++) {
        if (!c->a.in_place[i] && publish_job_in_place(&c->s.jobs[i])) {
            pthread_mutex_lock(&c->a.lock);
            c->a.in_place[i] = 1;
            pthread_mutex_unlock(&c->a.lock);
            arrived = 1;
        }
        done += c->a.in_place[i];
    }
    if (arrived) {
        pthread_mutex_lock(&c->a.lock);
        pthread_cond_broadcast(&c->a.changed);
        pthread_mutex_unlock(&c->a.lock);
    }
    return done;
}

static int join_ended(coordinator *c)
{
    pthread_mutex_lock(&c->a.lock);
    int ended = c->a.join_ended;
    pthread_mutex_unlock(&c->a.lock);
    return ended;
}

/* Submits each of the n jobs not done yet. */
static int submit_jobs(coordinator *c, const queue_job *jobs, int n, ladder_error *err)
{
    for (int i = 0; i < n; i++) {
        int r =
            publish_job_in_place(&jobs[i]) ? 0 : queue_submit(c->q, &jobs[i], c->qp.urgent, err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Submits what may be queued now and is not done: the audio job, the probe's pass under way,
 * and the chunks once they have their rates. */
static int submit_pending(coordinator *c, ladder_error *err)
{
    int ret = submit_jobs(c, c->s.jobs, 1, err);

    if (ret >= 0 && c->probe_jobs)
        ret = submit_jobs(c, c->probe_jobs, c->probe.n_gops, err);
    if (ret >= 0 && c->chunks_ready)
        ret = submit_jobs(c, c->s.jobs + 1, c->s.n - 1, err);
    return ret;
}

/* Registers the show (its jobs and the probe's two passes) and submits what may be queued;
 * says so when it resumes one in flight. */
static int submit_show(coordinator *c, ladder_error *err)
{
    int run = 0, n = c->s.n + 2 * c->probe.n_gops;
    int ret = queue_show_begin(c->q, c->params->id, c->qp.mezz, n, c->qp.urgent, &run, err);

    for (int i = 0; i < c->s.n; i++)
        c->s.jobs[i].run = run;
    for (int k = 0; c->probe_jobs && k < c->probe.n_gops; k++)
        c->probe_jobs[k].run = run;
    if (ret > 0)
        ladder_log(&c->params->logger, LADDER_LOG_INFO, "ingest",
                   "%s is in flight already: resuming (%d of %d jobs done)", c->params->id,
                   count_done(&c->s), c->s.n);
    return ret < 0 ? ret : submit_pending(c, err);
}

/* Redis restarted without its data (no AOF) forgets the show and its queued jobs: they are
 * submitted again, and the jobs whose folders are in place are not redone. */
static int check_show_known(coordinator *c, ladder_error *err)
{
    int known = queue_show_known(c->q, c->params->id, err);

    if (known != 0)
        return known < 0 ? known : 0;
    ladder_log(&c->params->logger, LADDER_LOG_WARN, "ingest",
               "Redis no longer knows %s (restarted without its data?): submitting its jobs again",
               c->params->id);
    return submit_show(c, err);
}

/* The chunk the join asked to have encoded again, if any, becomes a job of its own, "NAME-vbvN",
 * in place of the one it redoes: queued unless its folder is there already (a coordinator
 * resuming). Its folder name is written into the job's `out`, the join's dirs[k], while the
 * join waits for it and reads no folder. */
static int take_redo(coordinator *c, ladder_error *err)
{
    char list[QUEUE_CRF_MAX];
    double init[PROF_MAX_RUNGS];
    int k;

    pthread_mutex_lock(&c->a.lock);
    k = c->a.redo_job;
    if (k >= 0) {
        memcpy(init, c->a.redo_init, sizeof init);
        c->a.in_place[k] = 0;
        c->a.redo_job = -1;
    }
    pthread_mutex_unlock(&c->a.lock);
    if (k < 0)
        return 0;
    queue_job *j = &c->s.jobs[k];
    if (tc_vbv_init_format(init, c->params->ladder->n_rungs, list, sizeof list) < 0)
        return ladder_error_set(err, LADDER_EINVAL, "too many rungs for a job");
    snprintf(j->name, sizeof j->name, "chunk-%05d-vbv%d", j->first_segment, ++c->s.redos[k]);
    snprintf(j->out, sizeof j->out, "%s/%s", c->qp.work, j->name);
    snprintf(j->vbv_init, sizeof j->vbv_init, "%s", list);
    ladder_log(&c->params->logger, LADDER_LOG_INFO, "ingest",
               "segment %d's chunk would underflow a rung's VBV at the joins: encoding it again as "
               "%s, --vbv-init %s",
               j->first_segment, j->name, list);
    c->all_done = 0;
    return publish_job_in_place(j) ? 0 : queue_submit(c->q, j, c->qp.urgent, err);
}

/* With every folder in place, the join may still ask for a chunk again: waits for that, or for
 * the join to end. */
static void wait_for_join(coordinator *c)
{
    pthread_mutex_lock(&c->a.lock);
    while (!c->a.join_ended && c->a.redo_job < 0)
        pthread_cond_wait(&c->a.changed, &c->a.lock);
    pthread_mutex_unlock(&c->a.lock);
}

/* A job that failed for good fails the show. */
static int check_dead(coordinator *c, ladder_error *err)
{
    char dead[600];
    int ret = queue_show_dead(c->q, c->params->id, dead, sizeof dead, err);

    if (ret > 0)
        ret = ladder_error_set(
            err, LADDER_EENCODE,
            "a job failed for good, nothing is published (ladder:dead has it): %s", dead);
    return ret;
}

/* Waits up to a second for news of the show's jobs, resubmitting them if Redis forgot them. */
static int wait_a_second(coordinator *c, ladder_error *err)
{
    int ret = queue_wait(c->q, c->params->id, 1000, err);
    return ret < 0 ? ret : check_show_known(c, err);
}

/* Waits until every job's folder is in place and the join has ended, or a job is dead. */
static int wait_for_jobs(coordinator *c, ladder_error *err)
{
    int done = -1, ret = 0;

    while (ret >= 0) {
        if ((ret = take_redo(c, err)) < 0)
            break;
        int now_done = note_arrivals(c);
        if (now_done != done && c->qp.pf_progress)
            c->qp.pf_progress(c->qp.progress_opaque, now_done, c->s.n);
        done = now_done;
        if (done == c->s.n && !c->all_done)
            c->all_done = ladder_now();
        if (join_ended(c)) /* published, or a join that failed: its error tells */
            break;
        if (done == c->s.n) {
            wait_for_join(c);
            continue;
        }
        ret = check_dead(c, err);
        if (ret >= 0)
            ret = wait_a_second(c, err);
    }
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

/* Every job carries the digests of this binary and the profile (fingerprint.c). */
static int fingerprint_jobs(show_jobs *s, ladder_error *err)
{
    char build[QUEUE_DIGEST_MAX];
    int ret = publish_build_digest(build, err);

    for (int i = 0; ret >= 0 && i < s->n; i++)
        ret = publish_fingerprint_job(&s->jobs[i], build, err);
    return ret;
}

/* The join's thread: publish_folders_arriving, fed by wait_for_folder. */
typedef struct join {
    coordinator *c;
    publish_params params;
    publish_result out;
    ladder_error err;
    int ret;
} join;

/* The join needs folder k next: it waits until the wait loop has seen it in place. */
static int wait_for_folder(void *opaque, int k, ladder_error *err)
{
    coordinator *c = opaque;

    pthread_mutex_lock(&c->a.lock);
    while (!c->a.in_place[k] && !c->a.stopped)
        pthread_cond_wait(&c->a.changed, &c->a.lock);
    int ok = c->a.in_place[k];
    pthread_mutex_unlock(&c->a.lock);
    return ok ? 0
              : ladder_error_set(err, LADDER_EINPUT, "the ingest stopped before %s was done",
                                 c->s.jobs[k].name);
}

/* The join found chunk k would underflow a rung's VBV: the wait loop queues it again
 * (take_redo), and the join waits for the new folder. */
static const char *redo_folder(void *opaque, int k, const double *vbv_init, ladder_error *err)
{
    coordinator *c = opaque;

    pthread_mutex_lock(&c->a.lock);
    c->a.redo_job = k;
    memcpy(c->a.redo_init, vbv_init, sizeof c->a.redo_init);
    pthread_cond_broadcast(&c->a.changed);
    while (c->a.redo_job >= 0 && !c->a.stopped)
        pthread_cond_wait(&c->a.changed, &c->a.lock);
    pthread_mutex_unlock(&c->a.lock);
    return wait_for_folder(c, k, err) < 0 ? NULL : c->s.jobs[k].out;
}

static void *run_join(void *arg)
{
    join *j = arg;
    tc_folder_wait wait = {.wait = wait_for_folder, .redo = redo_folder, .opaque = j->c};

    j->ret = publish_folders_arriving(&j->params, j->c->s.dirs, j->c->s.n, &wait, j->c->per_title,
                                      &j->out, &j->err);
    pthread_mutex_lock(&j->c->a.lock);
    j->c->a.join_ended = 1;
    pthread_cond_broadcast(&j->c->a.changed);
    pthread_mutex_unlock(&j->c->a.lock);
    return NULL;
}

/* Waits for the jobs with the join running beside; its error, or the wait's, is the result. */
static int wait_and_join(coordinator *c, publish_result *out, ladder_error *err)
{
    join j = {.c = c, .params = *c->params};
    pthread_t thread;
    int ret;

    j.params.n_breaks = 0; /* the folders' breaks: the cues' and the option's, resolved once */
    c->a.in_place = calloc((size_t)c->s.n, sizeof *c->a.in_place);
    if (!c->a.in_place)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    c->a.redo_job = -1;
    if (pthread_create(&thread, NULL, run_join, &j) != 0)
        return ladder_error_set(err, LADDER_ENOMEM, "cannot start the join");
    ret = wait_for_jobs(c, err);
    pthread_mutex_lock(&c->a.lock);
    c->a.stopped = 1;
    pthread_cond_broadcast(&c->a.changed);
    pthread_mutex_unlock(&c->a.lock);
    pthread_join(thread, NULL);
    if (ret < 0)
        return ret;
    if (j.ret < 0) {
        *err = j.err;
        return j.ret;
    }
    if (out)
        *out = j.out;
    ladder_log(&c->params->logger, LADDER_LOG_INFO, "ingest",
               "joined, validated (%d HLS variants read as they arrived) and published %.1f s "
               "after the last job",
               j.out.read_ahead, ladder_now() - c->all_done);
    return 0;
}

/* The probe pass under way as jobs: one per sampled GOP, "probeP-GGGGG", at the pass's factors,
 * like the audio job in everything else (limits, run, fingerprints). */
static int plan_probe_pass(coordinator *c, ladder_error *err)
{
    const queue_job *audio = &c->s.jobs[0];
    char crf[QUEUE_CRF_MAX], name[QUEUE_JOB_NAME_MAX];

    if (tc_crf_format(c->probe.crf, c->params->ladder->n_rungs, crf, sizeof crf) < 0)
        return ladder_error_set(err, LADDER_EINVAL, "too many rungs for a job");
    for (int k = 0; k < c->probe.n_gops; k++) {
        queue_job *j = &c->probe_jobs[k];
        snprintf(name, sizeof name, "probe%d-%05d", c->probe.pass, c->probe.gops[k]);
        fill_job(j, &c->qp, c->params->id, c->qp.work, name);
        j->probe_pass = c->probe.pass;
        j->probe_gop = c->probe.gops[k];
        j->show_seconds = c->params->ladder->gop_seconds;
        j->run = audio->run;
        snprintf(j->crf, sizeof j->crf, "%s", crf);
        snprintf(j->build, sizeof j->build, "%s", audio->build);
        snprintf(j->profile_digest, sizeof j->profile_digest, "%s", audio->profile_digest);
    }
    return 0;
}

static int wait_for_probe(coordinator *c, ladder_error *err)
{
    for (;;) {
        int done = 0, ret;
        for (int k = 0; k < c->probe.n_gops; k++)
            done += publish_job_in_place(&c->probe_jobs[k]);
        if (done == c->probe.n_gops)
            return 0;
        if ((ret = check_dead(c, err)) < 0 || (ret = wait_a_second(c, err)) < 0)
            return ret;
    }
}

/* The pass's bits and seconds per rung, summed in the order of the GOPs as tc_choose_crf sums
 * them, move the probe on. */
static int read_probe_pass(coordinator *c, ladder_error *err)
{
    double bits[PROF_MAX_RUNGS] = {0}, seconds[PROF_MAX_RUNGS] = {0};
    int n_rungs = c->params->ladder->n_rungs;

    for (int k = 0; k < c->probe.n_gops; k++) {
        int ret = tc_probe_read(c->probe_jobs[k].out, &c->probe, c->probe.gops[k], n_rungs, bits,
                                seconds, err);
        if (ret < 0)
            return ret;
    }
    tc_rate_probe_next(&c->probe, c->params->ladder, bits, seconds);
    return 0;
}

/* Each rung's rate factor, from the probe's two passes run by the workers. */
static int choose_rates(coordinator *c, ladder_error *err)
{
    double t0 = ladder_now();
    int ret = 0;

    if (c->probe.n_gops == 0) /* a show under 30 GOPs: 1-pass ABR */
        return 0;
    if (!(c->probe_jobs = calloc((size_t)c->probe.n_gops, sizeof *c->probe_jobs)))
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    while (ret >= 0 && c->probe.pass <= 2) {
        ret = plan_probe_pass(c, err);
        if (ret >= 0)
            ret = submit_jobs(c, c->probe_jobs, c->probe.n_gops, err);
        if (ret >= 0)
            ret = wait_for_probe(c, err);
        if (ret >= 0)
            ret = read_probe_pass(c, err);
    }
    free(c->probe_jobs);
    c->probe_jobs = NULL;
    if (ret >= 0)
        ladder_log(&c->params->logger, LADDER_LOG_INFO, "ingest",
                   "rates chosen from %d of the show's GOPs, twice, on the workers, in %.1f s",
                   c->probe.n_gops, ladder_now() - t0);
    return ret;
}

/* The chunks get the rates and are queued. */
static int submit_chunks(coordinator *c, ladder_error *err)
{
    char crf[QUEUE_CRF_MAX];

    if (tc_crf_format(c->probe.crf, c->params->ladder->n_rungs, crf, sizeof crf) < 0)
        return ladder_error_set(err, LADDER_EINVAL, "too many rungs for a job");
    for (int i = 1; i < c->s.n; i++)
        snprintf(c->s.jobs[i].crf, sizeof c->s.jobs[i].crf, "%s", crf);
    c->chunks_ready = 1;
    return submit_jobs(c, c->s.jobs + 1, c->s.n - 1, err);
}

/* Plans, submits and waits for the jobs, joining their folders into the show as they come. */
static int run_show(coordinator *c, publish_result *out, ladder_error *err)
{
    char *breaks = malloc(QUEUE_BREAKS_MAX);
    double seconds = 0;
    int n_segments =
        breaks ? count_segments(c->qp.mezz, c->params, breaks, QUEUE_BREAKS_MAX, &seconds, err)
               : ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    int ret = n_segments;

    if (ret >= 0)
        ret = plan_jobs(&c->s, &c->qp, c->params->id, c->qp.work, n_segments,
                        c->params->ladder->segment_seconds, seconds, err);
    for (int i = 0; ret >= 0 && i < c->s.n; i++)
        snprintf(c->s.jobs[i].breaks, sizeof c->s.jobs[i].breaks, "%s", breaks);
    free(breaks);
    tc_rate_probe_begin(&c->probe, c->params->ladder, seconds);
    if (ret >= 0)
        ret = fingerprint_jobs(&c->s, err);
    if (ret >= 0)
        ret = submit_show(c, err);
    if (ret >= 0)
        ret = choose_rates(c, err);
    if (ret >= 0)
        ret = submit_chunks(c, err);
    if (ret >= 0)
        ret = wait_and_join(c, out, err);
    return ret;
}

void publish_queue_params_default(publish_queue_params *q)
{
    memset(q, 0, sizeof *q);
    q->chunk_segments = 5;
    q->max_tries = 3;
    q->soft_limit = 600;
    q->hard_limit = 1800;
}

/* The mezzanine and the profile as absolute paths: the workers run elsewhere. */
static int resolve_paths(coordinator *c, char *mezz, char *profile, ladder_error *err)
{
    if (absolute(c->qp.mezz, mezz, err) < 0 ||
        (c->qp.profile && absolute(c->qp.profile, profile, err) < 0))
        return LADDER_ENOTFOUND;
    c->qp.mezz = mezz;
    c->qp.profile = c->qp.profile ? profile : NULL;
    return 0;
}

/* --per-title: the ladder is chosen once, here, and the workers load it from WORK/ID as their
 * profile, so every job encodes with the same one (docs/per-title.md). */
static int choose_ladder(coordinator *c, publish_params *chosen, tc_per_title **pt, char *profile,
                         ladder_error *err)
{
    char path[PATH_MAX];
    tc_params tc;
    int ret;

    tc_params_default(&tc);
    tc.ladder = *c->params->ladder;
    tc.logger = c->params->logger;
    if ((ret = publish_per_title(c->qp.mezz, &tc, pt, &c->per_title, err)) < 0)
        return ret;
    chosen->ladder = &(*pt)->ladder;
    chosen->profile = c->params->ladder;
    c->params = chosen;
    ret = tc_per_title_save(*pt, c->qp.work, err);
    snprintf(path, sizeof path, "%s/" TC_PER_TITLE_XML, c->qp.work);
    if (ret >= 0 && (ret = absolute(path, profile, err)) >= 0)
        c->qp.profile = profile;
    return ret;
}

int publish_queued(const publish_params *params, const publish_queue_params *qp,
                   publish_result *out, ladder_error *err)
{
    char chosen_profile[PATH_MAX];
    publish_params chosen = *params;
    tc_per_title *pt = NULL;
    char mezz[PATH_MAX], profile[PATH_MAX], work[PATH_MAX], work_base[PATH_MAX];
    coordinator c = {.params = params, .qp = *qp};
    int ret;

    if (qp->chunk_segments < 1 || qp->max_tries < 1 || qp->soft_limit < 0 || qp->hard_limit < 0)
        return ladder_error_set(err, LADDER_EINVAL,
                                "--chunk and --max-tries are at least 1; limits are not negative");
    if (!lib_valid_id(params->id))
        return ladder_error_set(err, LADDER_EINVAL, "'%s' is not a show id", params->id);
    if (resolve_paths(&c, mezz, profile, err) < 0)
        return LADDER_ENOTFOUND;
    if (!qp->work) /* the default: LIBRARY.work, beside the library */
        snprintf(work_base, sizeof work_base, "%s.work", params->library);
    pthread_mutex_init(&c.a.lock, NULL);
    pthread_cond_init(&c.a.changed, NULL);
    /* Redis may restart under the coordinator: it waits for it up to 30 s. */
    ret = queue_connect(&c.q, qp->url, 30, err);
    if (ret >= 0)
        ret = work_folder(qp->work ? qp->work : work_base, params->id, work, sizeof work, err);
    c.qp.work = work;
    if (ret >= 0 && params->per_title)
        ret = choose_ladder(&c, &chosen, &pt, chosen_profile, err);
    if (ret >= 0)
        ret = run_show(&c, out, err);
    /* EIO: Redis is gone, and a re-run resumes the show. EBUSY: another coordinator of the same
     * show holds its publish lock, and the show is that one's to end. */
    if (c.q && ret != LADDER_EIO && ret != LADDER_EBUSY) {
        ladder_error end_err = {0};
        if (queue_show_end(c.q, params->id, ret >= 0 ? "published" : "failed", &end_err) < 0 &&
            ret >= 0)
            ladder_log(&params->logger, LADDER_LOG_WARN, "ingest", "%s", end_err.msg);
    }
    if (ret >= 0) /* the show is in the library: its jobs' folders have served */
        ladder_rm_rf(work, NULL);
    queue_close(c.q);
    free(c.s.jobs);
    free(c.s.dirs);
    free(c.s.redos);
    free(c.a.in_place);
    free((char *)c.per_title);
    free(pt);
    pthread_cond_destroy(&c.a.changed);
    pthread_mutex_destroy(&c.a.lock);
    return ret;
}

int publish_job_in_place(const queue_job *job)
{
    char path[QUEUE_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/summary.json", job->out);
    return ladder_path_exists(path);
}

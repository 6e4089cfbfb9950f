/* fields.c: the queue's key names, and a job as the fields of its stream entry and back
 * (queue_internal.h). Pure: nothing here talks to Redis. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue_internal.h"

void q_show_key(char *out, const char *show, const char *suffix)
{
    snprintf(out, Q_KEY_MAX, "ladder:show:%s%s", show, suffix);
}

void q_events_key(char *out, const char *show)
{
    snprintf(out, Q_KEY_MAX, "ladder:events:%s", show);
}

const char *q_job_stream(int urgent)
{
    return urgent ? Q_STREAM_URGENT : Q_STREAM_NORMAL;
}

void q_job_segments(const queue_job *j, char *out, size_t size)
{
    snprintf(out, size, "%d:%d", j->first_segment, j->n_segments);
}

void q_job_seconds(const queue_job *j, char *out, size_t size)
{
    snprintf(out, size, "%.3f", j->show_seconds);
}

/* Copies field `name` of a stream entry's [field, value, ...] array into dst. */
static void field(const redisReply *fields, const char *name, char *dst, size_t size)
{
    dst[0] = '\0';
    for (size_t i = 0; i + 1 < fields->elements; i += 2)
        if (strcmp(q_str(fields->element[i]), name) == 0) {
            snprintf(dst, size, "%s", q_str(fields->element[i + 1]));
            return;
        }
}

static int int_field(const redisReply *fields, const char *name)
{
    char v[32];
    field(fields, name, v, sizeof v);
    return atoi(v);
}

int q_parse_entry(const redisReply *e, int urgent, queue_job *job)
{
    const redisReply *f;
    char segments[32], seconds[32];

    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
        e->element[1]->type != REDIS_REPLY_ARRAY)
        return -1;
    f = e->element[1];
    memset(job, 0, sizeof *job);
    snprintf(job->entry, sizeof job->entry, "%s", q_str(e->element[0]));
    job->urgent = urgent;
    field(f, "show", job->show, sizeof job->show);
    field(f, "name", job->name, sizeof job->name);
    field(f, "mezz", job->mezz, sizeof job->mezz);
    field(f, "out", job->out, sizeof job->out);
    field(f, "profile", job->profile, sizeof job->profile);
    field(f, "segments", segments, sizeof segments);
    field(f, "breaks", job->breaks, sizeof job->breaks); /* "" in a job from before breaks */
    field(f, "build", job->build, sizeof job->build);    /* these two "" in an older job */
    field(f, "profile_sha256", job->profile_digest, sizeof job->profile_digest);
    field(f, "crf", job->crf, sizeof job->crf);                /* "" in a job from before it */
    field(f, "vbv_init", job->vbv_init, sizeof job->vbv_init); /* "" but in a chunk redone */
    field(f, "seconds", seconds, sizeof seconds);              /* "" in a job from before it: 0 */
    job->show_seconds = atof(seconds);
    job->audio_only = int_field(f, "audio");
    job->soft_limit = int_field(f, "soft");
    job->hard_limit = int_field(f, "hard");
    job->max_tries = int_field(f, "max_tries");
    job->run = int_field(f, "run");               /* 0 in a job queued before runs were counted */
    job->probe_pass = int_field(f, "probe_pass"); /* 0: not a probe job */
    job->probe_gop = int_field(f, "probe_gop");
    if (sscanf(segments, "%d:%d", &job->first_segment, &job->n_segments) != 2 || !job->show[0] ||
        !job->name[0] || !job->mezz[0] || !job->out[0])
        return -1;
    return 0;
}

/* queue_internal.h: queue-internal and pure, no Redis connection needed: the names of the keys
 * jobs.c keeps, and a job as the fields of its stream entry and back (fields.c). jobs.c sends
 * and reads through these; the unit tests (tests/unit/queue) check them without a Redis. */
#ifndef LADDER_QUEUE_INTERNAL_H
#define LADDER_QUEUE_INTERNAL_H

#include <stddef.h>

#include "redis.h"

/* Room for any key below. */
#define Q_KEY_MAX (LADDER_NAME_MAX + 32)

/* "ladder:show:SHOW" followed by suffix ("", ":queued", ":done", ":tries"). */
void q_show_key(char *out, const char *show, const char *suffix);
/* "ladder:events:SHOW", the show's event stream. */
void q_events_key(char *out, const char *show);
/* The stream a job goes in: Q_STREAM_URGENT or Q_STREAM_NORMAL. */
const char *q_job_stream(int urgent);

/* A job's entry: the XADD that submits it (hiredis format) and its arguments, segments and
 * seconds being q_job_segments' and q_job_seconds' text. One definition for jobs.c and the tests,
 * so they cannot drift apart. */
#define Q_JOB_XADD                                                                                 \
    "XADD %s * show %s name %s mezz %s out %s profile %s audio %d segments %s soft %d hard %d "    \
    "max_tries %d run %d breaks %s build %s profile_sha256 %s seconds %s crf %s "                  \
    "vbv_init %s probe_pass %d probe_gop %d"
#define Q_JOB_XADD_ARGS(j, urgent, segments, seconds)                                              \
    q_job_stream(urgent), (j)->show, (j)->name, (j)->mezz, (j)->out, (j)->profile,                 \
        (j)->audio_only, (segments), (j)->soft_limit, (j)->hard_limit, (j)->max_tries, (j)->run,   \
        (j)->breaks, (j)->build, (j)->profile_digest, (seconds), (j)->crf, (j)->vbv_init,          \
        (j)->probe_pass, (j)->probe_gop
/* "FIRST:COUNT", the job's segments field. */
void q_job_segments(const queue_job *j, char *out, size_t size);
/* The job's show_seconds as text, to the millisecond: its seconds field. */
void q_job_seconds(const queue_job *j, char *out, size_t size);

/* Fills job from one stream entry, [id, [field, value, ...]], read from the urgent stream or
 * not; 0, or -1 if it is not a job (a field missing, or not the entry's shape). */
int q_parse_entry(const redisReply *e, int urgent, queue_job *job);

#endif

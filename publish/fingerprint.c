/* fingerprint.c: what a worker must share with the coordinator for its output to fit the
 * show's other jobs: the same ladder binary and the same profile bytes. Two builds can encode
 * the same frames differently, and a profile edited between machines changes every rung; the
 * join would then put together jobs that do not fit. The coordinator records the SHA-256 of
 * both in every job; a worker compares them with its own before it starts one
 * (docs/distributed.md, "Workers that differ"). */
#include <stdio.h>
#include <string.h>

#include "packager.h"
#include "publish.h"

/* The running program, read back whole; on Linux /proc/self/exe is its file even after the
 * path was replaced by a newer build. */
#define SELF_EXE "/proc/self/exe"

static int sha256_file(const char *path, char hex[QUEUE_DIGEST_MAX], ladder_error *err)
{
    if (pkg_sha256_file(path, hex) < 0)
        return ladder_error_set(err, LADDER_EIO, "cannot read '%s'", path);
    return 0;
}

int publish_build_digest(char hex[QUEUE_DIGEST_MAX], ladder_error *err)
{
    return sha256_file(SELF_EXE, hex, err);
}

int publish_fingerprint_job(queue_job *job, const char *build, ladder_error *err)
{
    snprintf(job->build, sizeof job->build, "%s", build);
    job->profile_digest[0] = '\0';
    return job->profile[0] ? sha256_file(job->profile, job->profile_digest, err) : 0;
}

int publish_job_fits(const queue_job *job, const char *build, char *why, size_t len)
{
    char here[QUEUE_DIGEST_MAX];
    ladder_error err = {0};

    /* 12 hex digits name a build well enough for a person comparing two machines */
    if (job->build[0] && strcmp(job->build, build) != 0) {
        snprintf(why, len,
                 "this worker's ladder binary is not the coordinator's (sha256 %.12s here, %.12s "
                 "there)",
                 build, job->build);
        return 0;
    }
    if (!job->profile_digest[0])
        return 1;
    if (sha256_file(job->profile, here, &err) < 0) {
        snprintf(why, len, "the profile '%s' cannot be read here", job->profile);
        return 0;
    }
    if (strcmp(here, job->profile_digest) != 0) {
        snprintf(why, len,
                 "the profile '%s' here is not the coordinator's (sha256 %.12s here, %.12s there)",
                 job->profile, here, job->profile_digest);
        return 0;
    }
    return 1;
}

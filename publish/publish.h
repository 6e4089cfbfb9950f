/* publish.h: how a show gets into the library. One flow, read top to bottom in publish.c:
 *
 *   stage (library/) -> feed the packager (a transcode, or transcode folders replayed)
 *   -> the source's CEA-608 as a caption track, unless a sidecar stands for it (captions.c)
 *   -> playlists and show.json (packager/) -> the rules (validator/) -> commit (library/)
 *
 * A show that breaks a rule is not published, and a failure at any step leaves the library as
 * it was. The three ways in:
 *
 *   publish_ingest     `ladder ingest`: transcode a mezzanine straight into the packager
 *   publish_folders    `ladder package`: the folders of `ladder transcode` (one, or the jobs
 *                      of a chunked transcode: the audio job, then the chunks in order)
 *   publish_queued     `ladder ingest --queue`: the coordinator of a distributed ingest
 *                      submits the jobs to `ladder worker`s and joins their folders as
 *                      publish_folders does, each as soon as it and those before it are in
 *                      (coordinator.c, docs/distributed.md)
 *
 * Order of use: fill a publish_params (publish_params_default first), call one of them. They
 * return 0 or a negative LADDER_E* code with err filled, and log through params' logger. */
#ifndef LADDER_PUBLISH_H
#define LADDER_PUBLISH_H

#include "ladder.h"
#include "media.h"
#include "profiles.h"
#include "queue.h"
#include "transcoder.h"

#define PUBLISH_DEFAULT_LIBRARY "library"

typedef struct publish_params {
    const char *library, *id; /* publish LIBRARY/ID (default library: ./library) */
    const char *title;        /* NULL: the id */
    const prof_ladder *ladder;
    const ladder_captions *captions; /* sidecar caption tracks (--captions); borrowed */
    int n_captions;
    const char *cc_language, *cc_name; /* how the source's CEA-608 is labelled (--cc) */
    /* Ad breaks asked for (--ad-breaks), as ladder_breaks_parse gives them; borrowed. A
     * transcode conditions every rung for them (with the source's SCTE-35 cues, unless
     * ignore_scte35); publish_folders re-plans the folders' own with them
     * (publish_replace_breaks). */
    const ladder_break *breaks;
    int n_breaks;
    int ignore_scte35;
    /* --per-title: the show is encoded with the ladder tc_analyse_per_title chooses from
     * `ladder` for it, and show.json says how (docs/per-title.md) */
    int per_title;
    /* Set by publish itself when `ladder` is per-title's choice: the profile it was chosen
     * from, which the validator holds the choice to (rule per-title-ladder). NULL: ladder. */
    const prof_ladder *profile;
    ladder_logger logger;
} publish_params;

void publish_params_default(publish_params *p);

/* What was published, for the caller's summary line. */
typedef struct publish_result {
    int version;      /* the N of LIBRARY/ID/vN */
    int n_renditions; /* video renditions made */
    int n_skipped;    /* rungs left out as larger than the source */
    double duration;  /* seconds of media */
    int read_ahead;   /* HLS variants validated from segments read as they were written */
} publish_result;

/* Transcodes mezz with tc (its ladder is params' ladder) into the packager, and publishes. */
int publish_ingest(const publish_params *params, const char *mezz, const tc_params *tc,
                   publish_result *out, ladder_error *err);

/* Publishes from the folders of `ladder transcode`, checked first to make one show. */
int publish_folders(const publish_params *params, const char *const *dirs, int n_dirs,
                    publish_result *out, ladder_error *err);

/* ---- a distributed ingest (coordinator.c) -----------------------------------------------------
 */

typedef struct publish_queue_params {
    const char *url;            /* redis://[:PASSWORD@]HOST[:PORT][/DB] */
    const char *mezz;           /* the mezzanine, on storage every worker mounts at the same path */
    const char *work;           /* the jobs' folders go into WORK/ID (default: LIBRARY.work) */
    const char *profile;        /* the ladder file the workers load (NULL: the built-in pbs16) */
    int chunk_segments;         /* segments per chunk job */
    int urgent;                 /* the show's jobs are taken before normal ones */
    int max_tries;              /* failures before a job goes to the dead-letter stream */
    int soft_limit, hard_limit; /* seconds: a job's worker warns; gives the job up (0: never) */
    /* Called as jobs finish (done of total); done == total once they all have. May be NULL. */
    void (*pf_progress)(void *opaque, int done, int total);
    void *progress_opaque;
} publish_queue_params;

void publish_queue_params_default(publish_queue_params *q);

/* Submits the show's jobs (resuming a show already in flight: jobs done are not redone),
 * waits for them, then joins, validates and publishes the show. A job dead for good ends it
 * with one line naming the job, and nothing is published. */
int publish_queued(const publish_params *params, const publish_queue_params *q, publish_result *out,
                   ladder_error *err);

/* Whether a job's folder is in place: `ladder transcode` renames it there complete. */
int publish_job_in_place(const queue_job *job);

/* ---- workers that differ (fingerprint.c) -------------------------------------------------------
 * A job records the SHA-256 of the coordinator's ladder binary and of its profile file; a
 * worker runs it only if its own are the same. */

/* The SHA-256 of the running ladder binary. */
int publish_build_digest(char hex[QUEUE_DIGEST_MAX], ladder_error *err);
/* Records build and the digest of the job's profile file in the job. */
int publish_fingerprint_job(queue_job *job, const char *build, ladder_error *err);
/* 1 if this worker (its binary's digest: build) may run the job; 0 with the difference, in
 * one line, in why. */
int publish_job_fits(const queue_job *job, const char *build, char *why, size_t len);

/* ---- ad breaks (breaks.c) ---------------------------------------------------------------------
 */

/* Replaces plan's breaks with `asked`, rounded to its frames: each on the frame of one of
 * plan's breaks (whose cue bytes it keeps), since only there do the rungs have IDRs. */
int publish_replace_breaks(const ladder_break *asked, int n_asked, ladder_plan *plan,
                           ladder_error *err);

/* ---- caption precedence (captions.c) ----------------------------------------------------------
 */

/* The caption tracks a show is published with: params' sidecars, then the source's CEA-608
 * decoded to cues (cc608, may be NULL) labelled as params say, unless a sidecar in its
 * language stands for it (then a warning is logged). tracks gets shallow copies; *n is their
 * count. Returns 1 if the CEA-608 track was added, 0 if not, or a negative code. */
int publish_caption_tracks(const publish_params *params, const ladder_captions *cc608,
                           ladder_captions *tracks, int max_tracks, int *n, ladder_error *err);

#endif

/* publish.c: what `ladder ingest` and `ladder package` share: the packager plugged into a
 * packet source, the validator's verdict, and the library's publish (library/library.h), which
 * makes the version in a staging folder and puts it in place with one rename. A show that
 * fails `ladder validate`'s rules is not published. Also the replay of transcode folders that
 * `ladder package` and a distributed ingest's coordinator publish from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "library.h"
#include "packager.h"
#include "validator.h"

/* What lib_publish's fill needs to make one version, and the caption tracks it is made with:
 * the request's, then the source's own CEA-608 as text. */
typedef struct fill_job {
    const publish_request *req;
    publish_feed_fn feed;
    void *opaque;
    ladder_captions tracks[PKG_MAX_CAPTION_TRACKS]; /* shallow copies */
    int n_tracks;
} fill_job;

/* The source's CEA-608, decoded to cues, becomes a subtitle track too, so players that never
 * read 608 (hls.js, the MP4 fallbacks) get its text; unless a sidecar in its language was
 * given, which then stands for it. */
static int add_embedded(pkg_packager *p, fill_job *job, const ladder_captions *cc,
                        ladder_error *err)
{
    const publish_request *req = job->req;
    ladder_captions *track;

    if (!cc || cc->n == 0)
        return 0;
    for (int i = 0; i < job->n_tracks; i++)
        if (strcasecmp(job->tracks[i].language, req->cc_language) == 0) {
            ladder_log(cli_logger(), LADDER_LOG_WARN, "ingest",
                       "the source's CEA-608 captions are not published as WebVTT: the "
                       "--captions track in '%s' stands for them",
                       req->cc_language);
            return 0;
        }
    if (job->n_tracks == PKG_MAX_CAPTION_TRACKS)
        return ladder_error_set(err, LADDER_EINVAL, "too many caption tracks");
    track = &job->tracks[job->n_tracks];
    *track = *cc;
    snprintf(track->language, sizeof track->language, "%s", req->cc_language);
    snprintf(track->name, sizeof track->name, "%s", req->cc_name);
    track->sdh = 1; /* 608 describes sounds as well as speech */
    if (pkg_add_captions(p, track, err) < 0)
        return err->code;
    job->n_tracks++;
    return 0;
}

/* Feeds the packager and writes the playlists and show.json into the staging folder. */
static int package_into(pkg_packager *p, const pkg_show_info *show, fill_job *job,
                        ladder_error *err)
{
    publish_feed_result *got = calloc(1, sizeof *got);
    ladder_plan *plan = calloc(1, sizeof *plan);
    ladder_stream_stats *stats = calloc(LADDER_MAX_STREAMS, sizeof *stats);
    int ret = got && plan && stats ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    if (ret >= 0) {
        got->plan = plan;
        got->stats = stats;
        ret = job->feed(job->opaque, pkg_get_sink(p), got, err);
    }
    if (ret >= 0)
        ret = add_embedded(p, job, got->cc608, err);
    if (ret >= 0)
        ret = pkg_finish(p, err);
    if (ret >= 0) {
        pkg_show_info info = *show;
        info.plan = plan;
        info.stats = stats;
        ret = pkg_write_show_json(p, &info, err);
    }
    free(got);
    free(plan);
    free(stats);
    return ret;
}

/* A show that breaks a publishing rule is not published; the first failure is the error. The
 * caption tracks it was made from are the reference for its cue times. */
static int validate_staged(const char *staging, const fill_job *job, ladder_error *err)
{
    val_report *r = malloc(sizeof *r);
    int ret;

    if (!r)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = val_validate(staging, job->req->ladder, job->tracks, job->n_tracks, r);
    if (ret == LADDER_EVALIDATE)
        ladder_error_set(err, ret, "show '%s' not published: %d rule(s) failed, first %s: %s: %s",
                         job->req->id, r->n_failures, r->failures[0].file, r->failures[0].rule,
                         r->failures[0].message);
    else if (ret < 0)
        ladder_error_set(err, ret, "validating show '%s' failed", job->req->id);
    free(r);
    return ret;
}

/* lib_fill_fn: packages into dir as version `version` of the show, then validates it. */
static int package_version(void *opaque, const char *dir, int version, ladder_error *err)
{
    fill_job *job = opaque;
    const prof_ladder *ladder = job->req->ladder;
    pkg_show_info show = {.id = job->req->id, .title = job->req->title, .version = version};
    pkg_packager *p = NULL;
    pkg_params params = {0};
    char prefix[32];
    int ret;

    job->n_tracks = job->req->n_captions; /* a retried fill starts again */
    lib_version_name(version, prefix, sizeof prefix - 1);
    strcat(prefix, "/");
    params.out_dir = dir;
    params.segment_seconds = ladder->segment_seconds;
    params.container = ladder->container;
    params.entry_prefix = prefix;
    params.entry_name = LIB_ENTRY_PLAYLIST;
    params.captions = job->req->captions;
    params.n_captions = job->req->n_captions;
    params.cc_language = job->req->cc_language;
    params.cc_name = job->req->cc_name;
    params.logger = *cli_logger();
    ret = pkg_open(&p, &params, err);
    if (ret >= 0)
        ret = package_into(p, &show, job, err);
    pkg_close(p);
    if (ret >= 0)
        ret = validate_staged(dir, job, err);
    return ret;
}

int publish_show(const publish_request *req, publish_feed_fn feed, void *opaque, int *version_out,
                 ladder_error *err)
{
    fill_job *job = calloc(1, sizeof *job);
    int ret;

    if (!job)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (req->n_captions > PKG_MAX_CAPTION_TRACKS) {
        free(job);
        return ladder_error_set(err, LADDER_EINVAL, "more than %d caption tracks",
                                PKG_MAX_CAPTION_TRACKS);
    }
    *job = (fill_job){.req = req, .feed = feed, .opaque = opaque, .n_tracks = req->n_captions};
    for (int i = 0; i < req->n_captions; i++)
        job->tracks[i] = req->captions[i];
    ret = lib_publish(req->library, req->id, package_version, job, version_out, err);
    free(job);
    return ret;
}

int publish_replay(void *opaque, const ladder_sink *sink, publish_feed_result *out,
                   ladder_error *err)
{
    replay_ctx *c = opaque;
    char path[4096];
    int ret = tc_disk_replay(c->dirs, c->n_dirs, sink, out->plan, out->stats, err);

    for (int i = 0; ret >= 0 && i < c->n_dirs && !out->cc608; i++) {
        snprintf(path, sizeof path, "%s/" TC_CC608_FILE, c->dirs[i]);
        if (!ladder_path_exists(path))
            continue;
        ret = ladder_captions_read(path, &c->cc608, err);
        out->cc608 = &c->cc608;
    }
    return ret;
}

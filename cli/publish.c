/* publish.c: what `ladder ingest` and `ladder package` share: the packager plugged into a
 * packet source, the validator's verdict, and the library's publish (library/library.h), which
 * makes the version in a staging folder and puts it in place with one rename. A show that
 * fails `ladder validate`'s rules is not published. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "library.h"
#include "packager.h"
#include "validator.h"

/* Feeds the packager and writes the playlists and show.json into the staging folder. */
static int package_into(pkg_packager *p, const pkg_show_info *show, publish_feed_fn feed,
                        void *opaque, ladder_error *err)
{
    ladder_plan *plan = calloc(1, sizeof *plan);
    ladder_stream_stats *stats = calloc(LADDER_MAX_STREAMS, sizeof *stats);
    int ret = plan && stats ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    if (ret >= 0)
        ret = feed(opaque, pkg_get_sink(p), plan, stats, err);
    if (ret >= 0)
        ret = pkg_finish(p, err);
    if (ret >= 0) {
        pkg_show_info info = *show;
        info.plan = plan;
        info.stats = stats;
        ret = pkg_write_show_json(p, &info, err);
    }
    free(plan);
    free(stats);
    return ret;
}

/* A show that breaks a publishing rule is not published; the first failure is the error. */
static int validate_staged(const char *staging, const publish_request *req, ladder_error *err)
{
    val_report *r = malloc(sizeof *r);
    int ret;

    if (!r)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = val_validate(staging, req->ladder, req->captions, req->n_captions, r);
    if (ret == LADDER_EVALIDATE)
        ladder_error_set(err, ret, "show '%s' not published: %d rule(s) failed, first %s: %s: %s",
                         req->id, r->n_failures, r->failures[0].file, r->failures[0].rule,
                         r->failures[0].message);
    else if (ret < 0)
        ladder_error_set(err, ret, "validating show '%s' failed", req->id);
    free(r);
    return ret;
}

/* What lib_publish's fill needs to make one version. */
typedef struct fill_job {
    const publish_request *req;
    publish_feed_fn feed;
    void *opaque;
} fill_job;

/* lib_fill_fn: packages into dir as version `version` of the show, then validates it. */
static int package_version(void *opaque, const char *dir, int version, ladder_error *err)
{
    const fill_job *job = opaque;
    const prof_ladder *ladder = job->req->ladder;
    pkg_show_info show = {.id = job->req->id, .title = job->req->title, .version = version};
    pkg_packager *p = NULL;
    pkg_params params = {0};
    char prefix[32];
    int ret;

    lib_version_name(version, prefix, sizeof prefix - 1);
    strcat(prefix, "/");
    params.out_dir = dir;
    params.segment_seconds = ladder->segment_seconds;
    params.container = ladder->container;
    params.entry_prefix = prefix;
    params.entry_name = LIB_ENTRY_PLAYLIST;
    params.captions = job->req->captions;
    params.n_captions = job->req->n_captions;
    params.logger = *cli_logger();
    ret = pkg_open(&p, &params, err);
    if (ret >= 0)
        ret = package_into(p, &show, job->feed, job->opaque, err);
    pkg_close(p);
    if (ret >= 0)
        ret = validate_staged(dir, job->req, err);
    return ret;
}

int publish_show(const publish_request *req, publish_feed_fn feed, void *opaque, int *version_out,
                 ladder_error *err)
{
    fill_job job = {.req = req, .feed = feed, .opaque = opaque};
    return lib_publish(req->library, req->id, package_version, &job, version_out, err);
}

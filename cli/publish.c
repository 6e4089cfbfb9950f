/* publish.c: what `ladder ingest` and `ladder package` share: a staging folder inside the
 * library, the packager plugged into a packet source, and the final rename into place.
 *
 * The show is packaged into LIBRARY/.staging/ID.PID/vN and validated there. A new show then
 * appears by one rename of the whole staging folder (vN plus the links of packager/library.c);
 * a re-ingest renames vN into LIBRARY/ID/ and swaps the `current` link. Either way the one
 * step that readers can see is a single rename. A failed or killed run leaves only its staging
 * folder (swept by the next run) or a never-current vN (pruned by the next publish of the id).
 * A show that fails `ladder validate`'s rules is not published. One process at a time may
 * publish an id (LIBRARY/.locks/ID.lock, an flock that dies with its process). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli.h"
#include "packager.h"

static int valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64 || id[0] == '.' || id[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-' ||
              id[i] == '_'))
            return 0;
    return 1;
}

/* Removes staging folders whose process is gone. */
static void sweep_staging(const char *staging_root)
{
    DIR *d = opendir(staging_root);
    struct dirent *e;
    char path[PATH_MAX + 256];

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        const char *dot = strrchr(e->d_name, '.');
        long pid = dot ? strtol(dot + 1, NULL, 10) : 0;
        if (e->d_name[0] == '.' || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue;
        snprintf(path, sizeof path, "%s/%s", staging_root, e->d_name);
        ladder_rm_rf(path, NULL);
    }
    closedir(d);
}

/* Feeds the packager and writes the playlists and show.json into the staging folder. */
static int package_into(pkg_packager *p, const pkg_show_info *show, publish_feed_fn feed,
                        void *opaque, ladder_error *err)
{
    tc_plan *plan = calloc(1, sizeof *plan);
    tc_stream_stats *stats = calloc(TC_MAX_STREAMS, sizeof *stats);
    int ret = plan && stats ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    if (ret >= 0) {
        ret = feed(opaque, pkg_get_sink(p), plan, stats, err);
        if (ret < 0 && pkg_sink_error(p)->msg[0])
            *err = *pkg_sink_error(p);
    }
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

/* Takes LIBRARY/.locks/ID.lock so that a second ingest of the same id stops at once instead
 * of racing to the final rename. The lock dies with the process, so a killed run never blocks
 * the next one. Returns the descriptor or a negative code. */
static int lock_id(const char *library, const char *id, ladder_error *err)
{
    char path[PATH_MAX + 128];
    int fd;

    snprintf(path, sizeof path, "%s/.locks", library);
    if (ladder_mkdir_p(path, err) < 0)
        return err ? err->code : LADDER_EIO;
    snprintf(path, sizeof path, "%s/.locks/%s.lock", library, id);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return ladder_error_set(err, LADDER_EIO, "cannot create %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return ladder_error_set(err, LADDER_EBUSY,
                                "show '%s' is being published by another process", id);
    }
    return fd;
}

/* A show that breaks a publishing rule is not published; the first failure is the error. */
static int validate_staged(const char *staging, const char *id, const prof_ladder *ladder,
                           ladder_error *err)
{
    pkg_report *r = malloc(sizeof *r);
    int ret;

    if (!r)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = pkg_validate(staging, ladder, r);
    if (ret == LADDER_EVALIDATE)
        ladder_error_set(err, ret, "show '%s' not published: %d rule(s) failed, first %s: %s: %s",
                         id, r->n_failures, r->failures[0].file, r->failures[0].rule,
                         r->failures[0].message);
    else if (ret < 0)
        ladder_error_set(err, ret, "validating show '%s' failed", id);
    free(r);
    return ret;
}

/* Packages into dir (created) as version `version` of the show, then validates it. */
static int package_version(const char *dir, const pkg_show_info *show, const prof_ladder *ladder,
                           publish_feed_fn feed, void *opaque, ladder_error *err)
{
    pkg_packager *p = NULL;
    pkg_params params = {0};
    char prefix[32];
    int ret = ladder_mkdir_p(dir, err);

    snprintf(prefix, sizeof prefix, "v%d/", show->version);
    params.out_dir = dir;
    params.segment_seconds = ladder->segment_seconds;
    params.container = ladder->container;
    params.entry_prefix = prefix;
    params.logger = *cli_logger();
    if (ret >= 0)
        ret = pkg_open(&p, &params, err);
    if (ret >= 0)
        ret = package_into(p, show, feed, opaque, err);
    pkg_close(p);
    if (ret >= 0)
        ret = validate_staged(dir, show->id, ladder, err);
    return ret;
}

static int rename_or_fail(const char *from, const char *to, ladder_error *err)
{
    if (rename(from, to) == 0)
        return 0;
    return ladder_error_set(err, errno == ENOTEMPTY || errno == EEXIST ? LADDER_EEXIST : LADDER_EIO,
                            "cannot publish %s: %s", to, strerror(errno));
}

/* The one visible step. A new show: staging (vN + links) becomes LIBRARY/ID. A re-ingest:
 * vN moves into LIBRARY/ID, then `current` swaps to it. */
static int put_in_place(const char *staging, const char *final, int version, int replacing,
                        ladder_error *err)
{
    char from[PATH_MAX + 160], to[PATH_MAX + 160];
    int ret;

    if (!replacing) {
        ret = pkg_library_make_links(staging, version, err);
        return ret < 0 ? ret : rename_or_fail(staging, final, err);
    }
    snprintf(from, sizeof from, "%s/v%d", staging, version);
    snprintf(to, sizeof to, "%s/v%d", final, version);
    ret = rename_or_fail(from, to, err);
    if (ret >= 0)
        ret = pkg_library_swap(final, version, err);
    return ret;
}

int publish_show(const publish_request *req, publish_feed_fn feed, void *opaque, int *version_out,
                 ladder_error *err)
{
    char root[PATH_MAX], staging[PATH_MAX + 128], final[PATH_MAX + 128], vdir[PATH_MAX + 160];
    pkg_show_info show = {.id = req->id, .title = req->title};
    int ret, lock, replacing;

    if (!valid_id(req->id))
        return ladder_error_set(err, LADDER_EINVAL,
                                "show id '%s' must be 1-64 of a-z, 0-9, '-' and '_'", req->id);
    snprintf(root, sizeof root, "%s/.staging", req->library);
    snprintf(final, sizeof final, "%s/%s", req->library, req->id);
    snprintf(staging, sizeof staging, "%s/%s.%ld", root, req->id, (long)getpid());
    ret = ladder_mkdir_p(root, err);
    if (ret < 0)
        return ret;
    lock = lock_id(req->library, req->id, err);
    if (lock < 0)
        return lock;
    sweep_staging(root);
    replacing = ladder_path_exists(final);
    if (replacing && pkg_library_current_version(final) == 0) {
        close(lock);
        return ladder_error_set(err, LADDER_EEXIST, "%s exists and is not a published show", final);
    }
    show.version = pkg_library_next_version(final);
    snprintf(vdir, sizeof vdir, "%s/v%d", staging, show.version);
    ret = package_version(vdir, &show, req->ladder, feed, opaque, err);
    if (ret >= 0)
        ret = put_in_place(staging, final, show.version, replacing, err);
    ladder_rm_rf(staging, NULL);
    if (ret >= 0 && replacing)
        pkg_library_prune(final, time(NULL), PKG_KEEP_SUPERSEDED_SECONDS);
    close(lock); /* releases the id */
    if (ret >= 0 && version_out)
        *version_out = show.version;
    return ret;
}

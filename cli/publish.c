/* publish.c: what `ladder ingest` and `ladder package` share: a staging folder inside the
 * library, the packager plugged into a packet source, and the final rename into place.
 *
 * Layout: LIBRARY/SHOW_ID/ (master.m3u8, hls/, mp4/) appears by one rename of
 * LIBRARY/.staging/SHOW_ID.PID; a failed or killed run leaves only its staging folder, which
 * the next run sweeps. A show that fails `ladder validate`'s rules is not published. One process at
 * a time may publish an id (LIBRARY/.locks/ID.lock, an flock that dies with its process).
 * Re-ingesting an existing id is refused for now (versioned replacement is the next step of the
 * packager issue). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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
static int package_into(pkg_packager *p, const char *id, const char *title, publish_feed_fn feed,
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
        pkg_show_info info = {.id = id, .title = title, .plan = plan, .stats = stats};
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
static int validate_staged(const char *staging, const char *id, ladder_error *err)
{
    pkg_report *r = malloc(sizeof *r);
    int ret;

    if (!r)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = pkg_validate(staging, r);
    if (ret == LADDER_EVALIDATE)
        ladder_error_set(err, ret, "show '%s' not published: %d rule(s) failed, first %s: %s: %s",
                         id, r->n_failures, r->failures[0].file, r->failures[0].rule,
                         r->failures[0].message);
    else if (ret < 0)
        ladder_error_set(err, ret, "validating show '%s' failed", id);
    free(r);
    return ret;
}

int publish_show(const char *library, const char *id, const char *title, const prof_ladder *ladder,
                 publish_feed_fn feed, void *opaque, ladder_error *err)
{
    char root[PATH_MAX], staging[PATH_MAX + 128], final[PATH_MAX + 128];
    pkg_packager *p = NULL;
    pkg_params params = {0};
    int ret, lock;

    if (!valid_id(id))
        return ladder_error_set(err, LADDER_EINVAL,
                                "show id '%s' must be 1-64 of a-z, 0-9, '-' and '_'", id);
    snprintf(root, sizeof root, "%s/.staging", library);
    snprintf(final, sizeof final, "%s/%s", library, id);
    snprintf(staging, sizeof staging, "%s/%s.%ld", root, id, (long)getpid());
    ret = ladder_mkdir_p(root, err);
    if (ret < 0)
        return ret;
    lock = lock_id(library, id, err);
    if (lock < 0)
        return lock;
    if (ladder_path_exists(final)) {
        close(lock);
        return ladder_error_set(err, LADDER_EEXIST, "show '%s' is already published in %s", id,
                                library);
    }
    sweep_staging(root);
    ret = ladder_mkdir_p(staging, err);
    params.out_dir = staging;
    params.segment_seconds = ladder->segment_seconds;
    params.container = ladder->container;
    params.logger = *cli_logger();
    if (ret >= 0)
        ret = pkg_open(&p, &params, err);
    if (ret >= 0)
        ret = package_into(p, id, title, feed, opaque, err);
    pkg_close(p);
    if (ret >= 0)
        ret = validate_staged(staging, id, err);
    if (ret >= 0 && rename(staging, final) != 0)
        ret = ladder_error_set(err,
                               errno == ENOTEMPTY || errno == EEXIST ? LADDER_EEXIST : LADDER_EIO,
                               "cannot publish %s: %s", final, strerror(errno));
    if (ret < 0)
        ladder_rm_rf(staging, NULL);
    close(lock); /* releases the id */
    return ret;
}

/* files.c: the open-file cache of one served folder (the show library, or the demo page's
 * folder). Opening a library file means resolving two symlinks and checking the real path, so
 * files stay open between requests, keyed by the path they were requested as, and carry what
 * every response needs (ETag, Last-Modified, type, Cache-Control, and the memoized responses).
 *
 * An open file is reused only while its path still names the same (device, inode, size,
 * mtime). Top-level names (LIBRARY/ID/master.m3u8 and the like) are stat()ed on every request:
 * a re-ingest that swaps `current` changes the inode behind them, so the next request opens the
 * new file. Files under a version folder (ID/vN/...) never change once published, so they are
 * re-checked at most once a second (to notice a pruned version), which spares the path walk
 * that was the busiest part of serving a segment. A show that appears is found on its first
 * request.
 *
 * Kept in cache.c's cache. Bounded: at most `capacity` entries, least recently used evicted
 * first. Entries are counted references: an evicted or stale entry is unlinked at once and freed
 * when its last user releases it; responses already queued hold their own reference to the file
 * descriptor through libmicrohttpd's response reference count. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "origin_internal.h"

struct org_files {
    org_cache *cache;      /* of org_file, by rel */
    const char *root_real; /* the folder's real path, borrowed from the origin */
    org_root root;
};

static void free_file(org_file *f)
{
    if (f->full)
        MHD_destroy_response(f->full); /* one made from fd closes it with its last reference */
    if (!f->full || f->text)
        close(f->fd);
    if (f->gz)
        MHD_destroy_response(f->gz);
    /* No response reads these any more: each holds f until it has been sent. */
    free(f->text);
    free(f->gz_data);
    pthread_mutex_destroy(&f->lock);
    free(f->rel);
    free(f);
}

static void free_entry(org_cache_entry *e)
{
    free_file(ORG_CACHE_OWNER(e, org_file, entry));
}

int org_files_open(org_files **out, const char *root_real, org_root root, int capacity,
                   ladder_error *err)
{
    org_files *fs = calloc(1, sizeof *fs);
    int ret;

    *out = NULL;
    if (!fs)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if ((ret = org_cache_open(&fs->cache, capacity > 0 ? capacity : 1, free_entry, err)) < 0) {
        free(fs);
        return ret;
    }
    fs->root_real = root_real;
    fs->root = root;
    *out = fs;
    return 0;
}

static int same_file(const org_file *f, dev_t dev, ino_t ino, uint64_t size, struct timespec mtime)
{
    return f->dev == dev && f->ino == ino && f->size == size && f->mtime.tv_sec == mtime.tv_sec &&
           f->mtime.tv_nsec == mtime.tv_nsec;
}

/* Opens rel and fills a new entry, or NULL. Outside the lock: open() may wait for a disk. */
static org_file *make_file(org_files *fs, const char *rel)
{
    struct stat st;
    int fd = org_path_open(fs->root_real, rel, &st);
    org_file *f;
    unsigned long long size, mtime_ns;

    if (fd < 0)
        return NULL;
    f = calloc(1, sizeof *f);
    if (!f || !(f->rel = strdup(rel))) {
        free(f);
        close(fd);
        return NULL;
    }
    f->entry.key = f->rel;
    pthread_mutex_init(&f->lock, NULL);
    f->fd = fd;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = (uint64_t)st.st_size;
    f->mtime = st.st_mtim;
    f->type = org_type_of(rel);
    f->cache_control = org_cache_control(fs->root, rel);
    /* Strong validators from size and mtime (to the nanosecond), not the inode: two origin
     * nodes serving copies of one library made with times kept (rsync -a, cp -p) then agree,
     * so a CDN in front of both revalidates with 304s. Published files never change in place,
     * and a re-publish is a new file with a new mtime. The gzip representation has its own
     * tag (RFC 9110 8.8.3: one per representation). */
    size = (unsigned long long)st.st_size;
    mtime_ns = (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
               (unsigned long long)st.st_mtim.tv_nsec;
    snprintf(f->etag, sizeof f->etag, "\"%llx-%llx\"", size, mtime_ns);
    snprintf(f->etag_gz, sizeof f->etag_gz, "\"%llx-%llx-gz\"", size, mtime_ns);
    org_http_date(st.st_mtim.tv_sec, f->last_modified);
    return f;
}

/* What org_files_get knows when it checks an entry. */
typedef struct check_arg {
    double now;
    int found; /* the path names a regular file, described by st */
    struct stat st;
} check_arg;

/* Good without a stat() now: an immutable file checked within the last second. */
static org_cache_verdict recently_checked(org_cache_entry *e, void *arg)
{
    const org_file *f = ORG_CACHE_OWNER(e, org_file, entry);
    const check_arg *ca = arg;
    return f->immutable && ca->now - f->checked_at < 1.0 ? ORG_CACHE_FRESH : ORG_CACHE_UNSURE;
}

/* Good while the path still names the same file; the check then counts as a confirmation. */
static org_cache_verdict still_there(org_cache_entry *e, void *arg)
{
    org_file *f = ORG_CACHE_OWNER(e, org_file, entry);
    const check_arg *ca = arg;

    if (!ca->found ||
        !same_file(f, ca->st.st_dev, ca->st.st_ino, (uint64_t)ca->st.st_size, ca->st.st_mtim))
        return ORG_CACHE_STALE; /* changed or gone: let the old file go */
    f->checked_at = ca->now;
    return ORG_CACHE_FRESH;
}

/* Another worker opened the same file meanwhile. */
static org_cache_verdict same_as(org_cache_entry *e, void *arg)
{
    const org_file *f = ORG_CACHE_OWNER(e, org_file, entry), *made = arg;
    return same_file(f, made->dev, made->ino, made->size, made->mtime) ? ORG_CACHE_FRESH
                                                                       : ORG_CACHE_STALE;
}

org_file *org_files_get(org_files *fs, const char *rel)
{
    char path[PATH_MAX];
    check_arg ca = {.now = ladder_now()};
    org_cache_entry *e;
    org_file *made;

    if (snprintf(path, sizeof path, "%s/%s", fs->root_real, rel) >= (int)sizeof path)
        return NULL;
    if ((e = org_cache_get(fs->cache, rel, recently_checked, &ca)) != NULL)
        return ORG_CACHE_OWNER(e, org_file, entry);
    ca.found = stat(path, &ca.st) == 0 && S_ISREG(ca.st.st_mode);
    if ((e = org_cache_get(fs->cache, rel, still_there, &ca)) != NULL)
        return ORG_CACHE_OWNER(e, org_file, entry);
    if (!ca.found || !(made = make_file(fs, rel)))
        return NULL;
    made->immutable = fs->root == ORG_ROOT_LIBRARY && org_in_version_folder(rel);
    made->checked_at = ca.now;
    e = org_cache_put(fs->cache, &made->entry, same_as, made);
    return ORG_CACHE_OWNER(e, org_file, entry);
}

void org_file_release(org_files *fs, org_file *f)
{
    if (f)
        org_cache_release(fs->cache, &f->entry);
}

int org_files_count(org_files *fs)
{
    return org_cache_count(fs->cache);
}

void org_files_close(org_files *fs)
{
    if (!fs)
        return;
    org_cache_close(fs->cache);
    free(fs);
}

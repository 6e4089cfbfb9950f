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
 * Bounded: at most `capacity` entries, least recently used evicted first. Entries are counted
 * references: an evicted or stale entry is unlinked at once and freed when its last user
 * releases it; responses already queued hold their own reference to the file descriptor through
 * libmicrohttpd's response reference count. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "origin_internal.h"

struct org_files {
    pthread_mutex_t lock;
    const char *root_real; /* the folder's real path, borrowed from the origin */
    org_root root;
    int capacity, count;
    size_t mask; /* buckets - 1, buckets a power of two */
    org_file **buckets;
    org_file *lru_head, *lru_tail; /* head: most recently used */
};

static size_t hash_path(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

int org_files_open(org_files **out, const char *root_real, org_root root, int capacity,
                   ladder_error *err)
{
    org_files *fs = calloc(1, sizeof *fs);
    size_t n = 16;

    *out = NULL;
    while (n < (size_t)capacity * 2)
        n *= 2;
    if (!fs || !(fs->buckets = calloc(n, sizeof *fs->buckets))) {
        free(fs);
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&fs->lock, NULL);
    fs->root_real = root_real;
    fs->root = root;
    fs->capacity = capacity;
    fs->mask = n - 1;
    *out = fs;
    return 0;
}

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

static org_file *find(org_files *fs, const char *rel)
{
    org_file *f = fs->buckets[hash_path(rel) & fs->mask];
    while (f && strcmp(f->rel, rel) != 0)
        f = f->hnext;
    return f;
}

static void lru_remove(org_files *fs, org_file *f)
{
    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        fs->lru_head = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        fs->lru_tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static void lru_push(org_files *fs, org_file *f)
{
    f->lru_next = fs->lru_head;
    if (fs->lru_head)
        fs->lru_head->lru_prev = f;
    fs->lru_head = f;
    if (!fs->lru_tail)
        fs->lru_tail = f;
}

/* Takes f out of the cache; frees it unless someone still holds it. Under fs->lock. */
static void unlink_file(org_files *fs, org_file *f)
{
    org_file **pp = &fs->buckets[hash_path(f->rel) & fs->mask];
    while (*pp != f)
        pp = &(*pp)->hnext;
    *pp = f->hnext;
    lru_remove(fs, f);
    f->linked = 0;
    fs->count--;
    if (f->refs == 0)
        free_file(f);
}

static void insert(org_files *fs, org_file *f)
{
    org_file **head = &fs->buckets[hash_path(f->rel) & fs->mask];
    f->hnext = *head;
    *head = f;
    lru_push(fs, f);
    f->linked = 1;
    fs->count++;
    while (fs->count > fs->capacity && fs->lru_tail != f)
        unlink_file(fs, fs->lru_tail);
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

/* The cached entry for rel when it needs no stat() now (an immutable file checked within the
 * last second), with a reference taken; else NULL. */
static org_file *recently_checked(org_files *fs, const char *rel, double now)
{
    org_file *f;

    pthread_mutex_lock(&fs->lock);
    f = find(fs, rel);
    if (f && f->immutable && now - f->checked_at < 1.0) {
        f->refs++;
        lru_remove(fs, f);
        lru_push(fs, f);
    } else {
        f = NULL;
    }
    pthread_mutex_unlock(&fs->lock);
    return f;
}

org_file *org_files_get(org_files *fs, const char *rel)
{
    char path[PATH_MAX];
    struct stat st;
    org_file *f, *made;
    double now = ladder_now();

    if (snprintf(path, sizeof path, "%s/%s", fs->root_real, rel) >= (int)sizeof path)
        return NULL;
    if ((f = recently_checked(fs, rel, now)) != NULL)
        return f;
    int found = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    pthread_mutex_lock(&fs->lock);
    f = find(fs, rel);
    if (f && found && same_file(f, st.st_dev, st.st_ino, (uint64_t)st.st_size, st.st_mtim)) {
        f->checked_at = now;
        f->refs++;
        lru_remove(fs, f);
        lru_push(fs, f);
        pthread_mutex_unlock(&fs->lock);
        return f;
    }
    if (f) /* changed or gone: let the old file go */
        unlink_file(fs, f);
    pthread_mutex_unlock(&fs->lock);
    if (!found || !(made = make_file(fs, rel)))
        return NULL;

    pthread_mutex_lock(&fs->lock);
    f = find(fs, rel); /* another worker may have opened it meanwhile */
    if (f && same_file(f, made->dev, made->ino, made->size, made->mtime)) {
        f->refs++;
        pthread_mutex_unlock(&fs->lock);
        free_file(made);
        return f;
    }
    if (f)
        unlink_file(fs, f);
    made->refs = 1;
    made->immutable = fs->root == ORG_ROOT_LIBRARY && org_in_version_folder(rel);
    made->checked_at = now;
    insert(fs, made);
    pthread_mutex_unlock(&fs->lock);
    return made;
}

void org_file_release(org_files *fs, org_file *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&fs->lock);
    if (--f->refs == 0 && !f->linked)
        free_file(f);
    pthread_mutex_unlock(&fs->lock);
}

int org_files_count(org_files *fs)
{
    pthread_mutex_lock(&fs->lock);
    int n = fs->count;
    pthread_mutex_unlock(&fs->lock);
    return n;
}

void org_files_close(org_files *fs)
{
    if (!fs)
        return;
    while (fs->lru_head)
        unlink_file(fs, fs->lru_head);
    pthread_mutex_destroy(&fs->lock);
    free(fs->buckets);
    free(fs);
}

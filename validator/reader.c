/* reader.c: a variant's segments read as the packager writes them (val_reader, validator.h).
 *
 * Reading every segment is most of the validator's time, and at the end of a distributed
 * ingest it was most of what came after the last job (docs/distributed.md, "After the last
 * job"). A reader runs the same per-segment readers as val_validate (ts.c's counters, media.c's
 * scan) one segment at a time, as each is complete, into reports of its own. val_validate_ahead
 * then takes a variant's results from its reader instead of reading the segments again, but
 * only when the reader read exactly the files the playlist lists, in its order, unchanged
 * since: anything else is read again as it would be without a reader. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "val_internal.h"

/* A file as it was when read: a later write changes its size or its modification time. */
typedef struct read_file {
    char name[64];
    off_t size;
    struct timespec mtime;
} read_file;

struct val_reader {
    pthread_mutex_t lock;
    char uri[256], dir[PATH_MAX];
    val_scan *scan;
    val_ts_state *ts;
    val_media m;
    val_report ts_report, scan_report; /* merged in this order, as val_validate checks them */
    read_file *files;
    int n, cap;
    int failed; /* out of memory, or a name too long: the reader is not used */
};

int val_reader_open(val_reader **out, const char *show_dir, const char *uri, int audio_only)
{
    val_reader *rd = calloc(1, sizeof *rd);

    *out = NULL;
    if (!rd)
        return LADDER_ENOMEM;
    pthread_mutex_init(&rd->lock, NULL);
    snprintf(rd->uri, sizeof rd->uri, "%s", uri);
    val_dir_of(rd->dir, sizeof rd->dir, show_dir, uri);
    rd->scan = val_scan_new(rd->uri, audio_only, &rd->m);
    rd->ts = val_ts_state_new();
    if (!rd->scan || !rd->ts) {
        val_reader_free(rd);
        return LADDER_ENOMEM;
    }
    *out = rd;
    return 0;
}

static int note_file(val_reader *rd, const char *name, const char *path)
{
    struct stat st;

    if (strlen(name) >= sizeof rd->files[0].name || stat(path, &st) != 0)
        return -1;
    if (rd->n == rd->cap) {
        int cap = rd->cap ? 2 * rd->cap : 256;
        read_file *f = realloc(rd->files, cap * sizeof *f);
        if (!f)
            return -1;
        rd->files = f;
        rd->cap = cap;
    }
    read_file *f = &rd->files[rd->n++];
    snprintf(f->name, sizeof f->name, "%s", name);
    f->size = st.st_size;
    f->mtime = st.st_mtim;
    return 0;
}

void val_reader_add(val_reader *rd, const char *name)
{
    char path[PATH_MAX + 64];

    pthread_mutex_lock(&rd->lock);
    val_join(path, sizeof path, rd->dir, name);
    if (!rd->failed && note_file(rd, name, path) < 0)
        rd->failed = 1;
    if (!rd->failed) {
        val_ts_segment(&rd->ts_report, rd->uri, name, path, rd->ts);
        val_scan_segment(&rd->scan_report, rd->scan, path, name);
    }
    pthread_mutex_unlock(&rd->lock);
}

void val_reader_free(val_reader *rd)
{
    if (!rd)
        return;
    val_scan_free(rd->scan);
    val_ts_state_free(rd->ts);
    val_media_free(&rd->m);
    free(rd->files);
    pthread_mutex_destroy(&rd->lock);
    free(rd);
}

/* Whether the reader read the playlist's files, in order, and they are as they were. */
static int read_all_of(const val_reader *rd, const char *show, const char *uri,
                       const val_playlist *pl)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    struct stat st;

    val_dir_of(dir, sizeof dir, show, uri);
    if (rd->failed || strcmp(rd->uri, uri) != 0 || strcmp(rd->dir, dir) != 0 || rd->n != pl->n)
        return 0;
    for (int i = 0; i < pl->n; i++) {
        const read_file *f = &rd->files[i];
        val_join(path, sizeof path, dir, pl->uris[i]);
        if (strcmp(f->name, pl->uris[i]) != 0 || stat(path, &st) != 0 || st.st_size != f->size ||
            st.st_mtim.tv_sec != f->mtime.tv_sec || st.st_mtim.tv_nsec != f->mtime.tv_nsec)
            return 0;
    }
    return 1;
}

int val_reader_is_for(const val_reader *rd, const char *uri)
{
    return strcmp(rd->uri, uri) == 0; /* fixed at open: no lock needed */
}

int val_reader_take(val_reader *rd, const char *show, const char *uri, const val_playlist *pl,
                    val_report *r, val_media *m)
{
    int taken;

    pthread_mutex_lock(&rd->lock);
    taken = read_all_of(rd, show, uri, pl);
    if (taken) {
        val_report_merge(r, &rd->ts_report);
        val_report_merge(r, &rd->scan_report);
        *m = rd->m; /* the media's arrays are the caller's now */
        memset(&rd->m, 0, sizeof rd->m);
        rd->failed = 1; /* taken once */
    }
    pthread_mutex_unlock(&rd->lock);
    return taken;
}

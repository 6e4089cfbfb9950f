/* showinfo.c: what a published show is, for /play and the /shows catalog: its current version
 * and, from that version's show.json (read by library/show_json.c), title, duration and MP4
 * fallbacks (with the H.264 profile of each, from its codecs string). A show whose show.json
 * cannot be read is answered 404, and the origin's log says why.
 *
 * Parsed once per version and cached by show id. A version folder never changes once
 * published, so an entry stays good while `current` names the same folder and that folder's
 * show.json is the same file (device, inode, mtime: a show deleted and published again as v1
 * is a new file). Checking costs a readlink and a stat per lookup; parsing happens outside the
 * cache's lock (cache.c), and entries are reference-counted so a replaced one lives until its
 * last user is done. Only shows that exist get an entry, so the cache is bounded by the
 * library; an entry of a show that was deleted goes on its next lookup. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "library.h"
#include "origin_internal.h"

#define SHOW_JSON_MAX (16u << 20) /* a show.json lists every file: big, but not this big */

struct org_showinfo {
    org_cache *cache;               /* of org_show, by id; unbounded */
    const char *library_real;       /* borrowed from the origin */
    const ladder_logger *logger;    /* borrowed from the origin */
    pthread_mutex_t lock;           /* for the two below */
    char failed_id[ORG_ID_MAX + 1]; /* the last show logged as unreadable, and its version */
    org_show_key failed_key;
};

static void free_show(org_show *s)
{
    free(s->title);
    free(s->mp4);
    free(s);
}

static void free_entry(org_cache_entry *e)
{
    free_show(ORG_CACHE_OWNER(e, org_show, entry));
}

int org_showinfo_open(org_showinfo **out, const char *library_real, const ladder_logger *logger,
                      ladder_error *err)
{
    org_showinfo *si = calloc(1, sizeof *si);
    int ret;

    *out = NULL;
    if (!si)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if ((ret = org_cache_open(&si->cache, 0, free_entry, err)) < 0) {
        free(si);
        return ret;
    }
    pthread_mutex_init(&si->lock, NULL);
    si->library_real = library_real;
    si->logger = logger;
    *out = si;
    return 0;
}

/* Reads which version is current and stats its show.json; 0, or -1 if the show is not (or no
 * longer) published. */
static int current_key(const org_showinfo *si, const char *id, org_show_key *k)
{
    char path[PATH_MAX];
    struct stat st;
    ssize_t n;

    snprintf(path, sizeof path, "%s/%s/current", si->library_real, id);
    n = readlink(path, k->version_dir, sizeof k->version_dir - 1);
    if (n <= 0 || n >= (ssize_t)sizeof k->version_dir - 1)
        return -1;
    k->version_dir[n] = '\0';
    if (lib_version_of(k->version_dir, strlen(k->version_dir)) == 0)
        return -1;
    snprintf(path, sizeof path, "%s/%s/%s/show.json", si->library_real, id, k->version_dir);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    k->dev = st.st_dev;
    k->ino = st.st_ino;
    k->mtime = st.st_mtim;
    return 0;
}

static int same_key(const org_show_key *a, const org_show_key *b)
{
    return strcmp(a->version_dir, b->version_dir) == 0 && a->dev == b->dev && a->ino == b->ino &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* The whole of a library file, NUL-terminated, opened through the library's safety check. */
static char *read_library_file(const char *library_real, const char *rel, size_t *len)
{
    struct stat st;
    int fd = org_path_open(library_real, rel, &st);
    char *buf = NULL;
    size_t got = 0;

    if (fd < 0)
        return NULL;
    if ((uint64_t)st.st_size <= SHOW_JSON_MAX && (buf = malloc((size_t)st.st_size + 1))) {
        while (got < (size_t)st.st_size) {
            ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        buf[got] = '\0';
        *len = got;
    }
    close(fd);
    return buf;
}

/* profile_idc from a codecs string ("avc1.4d401e,mp4a.40.2"); 0 if it names no H.264. */
static int codecs_profile(const char *codecs)
{
    unsigned v;
    if (!codecs || (strncmp(codecs, "avc1.", 5) != 0 && strncmp(codecs, "avc3.", 5) != 0) ||
        strspn(codecs + 5, "0123456789abcdefABCDEF") < 6 || sscanf(codecs + 5, "%2x", &v) != 1)
        return 0;
    return (int)v;
}

/* The MP4 fallbacks of a show, with the H.264 profile of each. */
static int take_mp4s(org_show *s, const lib_show *js)
{
    s->mp4 = calloc(js->n_renditions ? js->n_renditions : 1, sizeof *s->mp4);
    if (!s->mp4)
        return -1;
    for (int i = 0; i < js->n_renditions; i++) {
        const lib_rendition *r = &js->renditions[i];
        org_mp4 *m = &s->mp4[s->n_mp4];
        /* names become file names and URLs: the ladder's own spelling only */
        if (strcmp(r->use, "mp4") != 0 || !r->name[0] ||
            strspn(r->name, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(r->name))
            continue;
        snprintf(m->name, sizeof m->name, "%s", r->name);
        m->width = r->width;
        m->height = r->height;
        m->profile_idc = codecs_profile(r->codecs);
        s->n_mp4 += m->profile_idc > 0;
    }
    return 0;
}

/* Says once why a show cannot be served (not again for the same file), so that an operator
 * sees the cause of the 404s. */
static void log_unreadable(org_showinfo *si, const char *id, const org_show_key *k, const char *why)
{
    int repeat;

    pthread_mutex_lock(&si->lock);
    repeat = strcmp(si->failed_id, id) == 0 && same_key(&si->failed_key, k);
    if (!repeat) {
        snprintf(si->failed_id, sizeof si->failed_id, "%s", id);
        si->failed_key = *k;
    }
    pthread_mutex_unlock(&si->lock);
    if (!repeat)
        ladder_log(si->logger, LADDER_LOG_WARN, "origin", "show '%s' (%s) is not served: %s", id,
                   k->version_dir, why);
}

/* A new entry from the show.json of the version in k; NULL (logged) if it is unreadable. */
static org_show *load_show(org_showinfo *si, const char *id, const org_show_key *k)
{
    char rel[PATH_MAX];
    size_t len = 0;
    char *text;
    lib_show js = {0};
    ladder_error err = {0};
    org_show *s = calloc(1, sizeof *s);
    int ret = s ? 0 : ladder_error_set(&err, LADDER_ENOMEM, "out of memory");

    snprintf(rel, sizeof rel, "%s/%s/show.json", id, k->version_dir);
    text = s ? read_library_file(si->library_real, rel, &len) : NULL;
    if (ret == 0 && !text)
        ret = ladder_error_set(&err, LADDER_EIO, "show.json cannot be read");
    if (ret == 0)
        ret = lib_show_parse(text, len, &js, &err);
    free(text);
    if (ret == 0 && strcmp(js.id, id) != 0)
        ret = ladder_error_set(&err, LADDER_EINPUT, "show.json names show '%s'", js.id);
    if (ret == 0) {
        snprintf(s->id, sizeof s->id, "%s", id);
        s->entry.key = s->id;
        s->key = *k;
        s->version = lib_version_of(k->version_dir, strlen(k->version_dir));
        s->title = js.title;
        js.title = NULL;
        s->duration = js.duration;
        s->poster_width = js.poster_width;
        s->poster_height = js.poster_height;
        if (take_mp4s(s, &js) != 0)
            ret = ladder_error_set(&err, LADDER_ENOMEM, "out of memory");
    }
    lib_show_free(&js);
    if (ret == 0)
        return s;
    log_unreadable(si, id, k, err.msg);
    if (s)
        free_show(s);
    return NULL;
}

/* Good while the show is published (arg is its key, NULL if not) as the version it describes. */
static org_cache_verdict still_current(org_cache_entry *e, void *arg)
{
    const org_show *s = ORG_CACHE_OWNER(e, org_show, entry);
    const org_show_key *k = arg;
    return k && same_key(&s->key, k) ? ORG_CACHE_FRESH : ORG_CACHE_STALE;
}

org_show *org_showinfo_get(org_showinfo *si, const char *id)
{
    org_show_key k;
    org_cache_entry *e;
    org_show *made;
    int published;

    if (!lib_valid_id(id))
        return NULL;
    published = current_key(si, id, &k) == 0;
    e = org_cache_get(si->cache, id, still_current, published ? &k : NULL);
    if (e || !published)
        return e ? ORG_CACHE_OWNER(e, org_show, entry) : NULL;
    if (!(made = load_show(si, id, &k)))
        return NULL;
    e = org_cache_put(si->cache, &made->entry, still_current, &made->key);
    return ORG_CACHE_OWNER(e, org_show, entry);
}

void org_show_release(org_showinfo *si, org_show *s)
{
    if (s)
        org_cache_release(si->cache, &s->entry);
}

void org_showinfo_close(org_showinfo *si)
{
    if (!si)
        return;
    org_cache_close(si->cache);
    pthread_mutex_destroy(&si->lock);
    free(si);
}

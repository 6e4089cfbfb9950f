/* showinfo.c: what a published show is, for /play and the /shows catalog: its current version
 * and, from that version's show.json (read by library/show_json.c), title, duration and MP4
 * fallbacks (with the H.264 profile of each, from its codecs string). A show whose show.json
 * cannot be read is answered 404, and the origin's log says why. The ad breaks ("breaks") and
 * the HLS rung names are read here too, for ads.c and stitched.c, and the DASH MPD ("dash",
 * present when the version was packaged in fMP4) for play.c.
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

#include <jansson.h>

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
    free(s->breaks);
    free(s->hls);
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

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The HLS rung names, sorted, so two shows' sets compare element by element. */
static int take_rungs(org_show *s, const lib_show *js)
{
    s->hls = calloc(js->n_renditions > 0 ? (size_t)js->n_renditions : 1, sizeof *s->hls);
    if (!s->hls)
        return -1;
    for (int i = 0; i < js->n_renditions; i++)
        if (strcmp(js->renditions[i].use, "hls") == 0)
            snprintf(s->hls[s->n_hls++], sizeof s->hls[0], "%s", js->renditions[i].name);
    qsort(s->hls, (size_t)s->n_hls, sizeof s->hls[0], by_name);
    return 0;
}

uint64_t org_show_key_hash(const org_show_key *k, uint64_t h)
{
    long long parts[2] = {(long long)k->mtime.tv_sec, (long long)k->mtime.tv_nsec};
    const unsigned char *p = (const unsigned char *)parts;

    for (const char *c = k->version_dir; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    h = (h ^ '/') * 1099511628211ull;
    for (size_t i = 0; i < sizeof parts; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

int org_show_same_rungs(const org_show *a, const org_show *b)
{
    if (a->n_hls != b->n_hls)
        return 0;
    for (int i = 0; i < a->n_hls; i++)
        if (strcmp(a->hls[i], b->hls[i]) != 0)
            return 0;
    return 1;
}

void org_show_rung_list(const org_show *s, char *out, size_t size)
{
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; i < s->n_hls && used < size; i++) {
        int n = snprintf(out + used, size - used, "%s%s", i ? "," : "", s->hls[i]);
        used += n > 0 ? (size_t)n : 0;
    }
}

/* show.json "breaks" (docs/show-json.md): [{"id": "break-K", "time": s, "duration": s, ...}],
 * in time order. Absent: none. A break without a usable time or duration makes the show
 * unreadable (-1 with why), as it would be served wrong. */
static int take_breaks(org_show *s, const json_t *root, const char **why)
{
    json_t *list = json_object_get(root, "breaks");
    size_t n = json_array_size(list);
    int ret = 0;

    if (list && !json_is_array(list))
        *why = "show.json: \"breaks\" is not a list", ret = -1;
    if (n > 64)
        n = 64; /* LADDER_MAX_BREAKS: no packager writes more */
    if (ret == 0 && n > 0 && !(s->breaks = calloc(n, sizeof *s->breaks)))
        *why = "out of memory", ret = -1;
    for (size_t i = 0; ret == 0 && i < n; i++) {
        json_t *b = json_array_get(list, i);
        json_t *t = json_object_get(b, "time"), *d = json_object_get(b, "duration");
        org_break *out = &s->breaks[i];
        if (!json_is_number(t) || !json_is_number(d) || json_number_value(t) < 0 ||
            json_number_value(d) <= 0 || (i > 0 && json_number_value(t) < out[-1].time)) {
            *why = "show.json: a break lacks its time or duration, or is out of order";
            ret = -1;
            break;
        }
        snprintf(out->id, sizeof out->id, "break-%d", (int)i + 1); /* the spec's naming */
        out->time = json_number_value(t);
        out->duration = json_number_value(d);
        s->n_breaks++;
    }
    return ret;
}

/* show.json "dash" (docs/show-json.md): {"path": "manifest.mpd"}, the MPD's path inside the
 * version folder. Absent: the show has no MPD (MPEG-TS). A path that is not a plain relative
 * name ending in .mpd makes the show unreadable (-1 with why): /play would send players to it. */
static int take_dash(org_show *s, const json_t *root, const char **why)
{
    const json_t *dash = json_object_get(root, "dash");
    const char *path = json_string_value(json_object_get(dash, "path"));
    size_t n = path ? strlen(path) : 0;

    if (!dash)
        return 0;
    if (!path || n < 5 || n >= sizeof s->dash_path || strcmp(path + n - 4, ".mpd") != 0 ||
        path[0] == '/' || path[0] == '.' || strstr(path, "/.") || strstr(path, "//") ||
        strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") != n) {
        *why = "show.json: \"dash\" has no usable \"path\" (a relative name ending in .mpd)";
        return -1;
    }
    memcpy(s->dash_path, path, n + 1);
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
    json_t *root = NULL;
    org_show *s = calloc(1, sizeof *s);
    int ret = s ? 0 : ladder_error_set(&err, LADDER_ENOMEM, "out of memory");
    const char *why = NULL;

    snprintf(rel, sizeof rel, "%s/%s/show.json", id, k->version_dir);
    text = s ? read_library_file(si->library_real, rel, &len) : NULL;
    if (ret == 0 && !text)
        ret = ladder_error_set(&err, LADDER_EIO, "show.json cannot be read");
    if (ret == 0)
        ret = lib_show_parse(text, len, &js, &err);
    /* what lib_show does not read ("breaks", "dash"), from the same text */
    if (ret == 0 && !(root = json_loadb(text, len, 0, NULL)))
        ret = ladder_error_set(&err, LADDER_ENOMEM, "out of memory");
    if (ret == 0 && (take_breaks(s, root, &why) != 0 || take_dash(s, root, &why) != 0))
        ret = ladder_error_set(&err, LADDER_EINPUT, "%s", why);
    json_decref(root);
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
        if (take_mp4s(s, &js) != 0 || take_rungs(s, &js) != 0)
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

org_show *org_showinfo_get_version(org_showinfo *si, const char *id, const char *version_dir)
{
    char path[PATH_MAX];
    org_show_key k = {0};
    struct stat st;
    org_show *s = org_showinfo_get(si, id);

    if (s && strcmp(s->key.version_dir, version_dir) == 0)
        return s;
    org_show_release(si, s);
    if (!lib_valid_id(id) || lib_version_of(version_dir, strlen(version_dir)) == 0 ||
        strlen(version_dir) >= sizeof k.version_dir)
        return NULL;
    snprintf(k.version_dir, sizeof k.version_dir, "%s", version_dir);
    snprintf(path, sizeof path, "%s/%s/%s/show.json", si->library_real, id, version_dir);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    k.dev = st.st_dev;
    k.ino = st.st_ino;
    k.mtime = st.st_mtim;
    /* Not cached (the cache holds current versions): ours alone, freed by its last release. */
    if ((s = load_show(si, id, &k)) != NULL)
        s->entry.refs = 1;
    return s;
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

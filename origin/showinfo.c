/* showinfo.c: what a published show is, for /play and the /shows catalog: its current version
 * and, from that version's show.json, title, duration and MP4 fallbacks (with the H.264 profile
 * of each, from its codecs string).
 *
 * Parsed once per version and cached by show id. A version folder never changes once
 * published, so an entry stays good while `current` names the same folder and that folder's
 * show.json is the same file (device, inode, mtime: a show deleted and published again as v1
 * is a new file). Checking costs a readlink and a stat per lookup; parsing happens outside the
 * lock, and entries are reference-counted so a replaced one lives until its last user is done.
 * Only shows that exist get an entry, so the cache is bounded by the library; an entry of a
 * show that was deleted goes on its next lookup. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "origin_internal.h"

#define BUCKETS       256
#define SHOW_JSON_MAX (16u << 20) /* a show.json lists every file: big, but not this big */

struct org_showinfo {
    pthread_mutex_t lock;
    const char *library_real; /* borrowed from the origin */
    org_show *buckets[BUCKETS];
};

int org_valid_id(const char *id)
{
    size_t n = strlen(id);

    /* The ids `ladder ingest` accepts: they go into URLs and JSON unescaped. */
    if (n == 0 || n > ORG_ID_MAX || id[0] == '-')
        return 0;
    return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* "vN", N a positive decimal without leading zeros: a version folder's name. */
static int valid_version_dir(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && n < ORG_VERSION_DIR_MAX && s[0] == 'v' && s[1] >= '1' && s[1] <= '9' &&
           strspn(s + 1, "0123456789") == n - 1;
}

static unsigned bucket_of(const char *id)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 16777619u;
    return h % BUCKETS;
}

int org_showinfo_open(org_showinfo **out, const char *library_real, ladder_error *err)
{
    org_showinfo *si = calloc(1, sizeof *si);

    *out = NULL;
    if (!si)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    pthread_mutex_init(&si->lock, NULL);
    si->library_real = library_real;
    *out = si;
    return 0;
}

static void free_show(org_show *s)
{
    free(s->title);
    free(s->mp4);
    free(s);
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
    if (!valid_version_dir(k->version_dir))
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

/* One MP4 rendition of show.json into *m; 0, or -1 to leave it out. */
static int read_mp4(json_t *r, org_mp4 *m)
{
    const char *name = json_string_value(json_object_get(r, "name"));
    const char *use = json_string_value(json_object_get(r, "use"));

    /* Names become file names and URLs: the ladder's own spelling only. */
    if (!use || strcmp(use, "mp4") != 0 || !name || !name[0] || strlen(name) >= sizeof m->name ||
        strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(name))
        return -1;
    snprintf(m->name, sizeof m->name, "%s", name);
    m->width = (int)json_integer_value(json_object_get(r, "width"));
    m->height = (int)json_integer_value(json_object_get(r, "height"));
    m->profile_idc = codecs_profile(json_string_value(json_object_get(r, "codecs")));
    return m->profile_idc <= 0 || m->height <= 0 ? -1 : 0;
}

static int read_renditions(org_show *s, json_t *renditions)
{
    size_t n = json_array_size(renditions);

    s->mp4 = calloc(n ? n : 1, sizeof *s->mp4);
    if (!s->mp4)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (read_mp4(json_array_get(renditions, i), &s->mp4[s->n_mp4]) == 0)
            s->n_mp4++;
    return 0;
}

/* A new entry from the show.json of the version in k; NULL if it is unreadable. */
static org_show *load_show(const org_showinfo *si, const char *id, const org_show_key *k)
{
    char rel[PATH_MAX];
    size_t len = 0;
    char *text;
    json_t *root = NULL;
    const char *title;
    org_show *s = calloc(1, sizeof *s);

    snprintf(rel, sizeof rel, "%s/%s/show.json", id, k->version_dir);
    text = s ? read_library_file(si->library_real, rel, &len) : NULL;
    if (text)
        root = json_loadb(text, len, 0, NULL);
    free(text);
    if (!json_is_object(root))
        goto fail;
    snprintf(s->id, sizeof s->id, "%s", id);
    s->key = *k;
    s->version = atoi(k->version_dir + 1);
    title = json_string_value(json_object_get(root, "title"));
    s->title = strdup(title ? title : id);
    s->duration = json_number_value(json_object_get(root, "duration"));
    s->poster_width =
        (int)json_integer_value(json_object_get(json_object_get(root, "poster"), "width"));
    s->poster_height =
        (int)json_integer_value(json_object_get(json_object_get(root, "poster"), "height"));
    if (!s->title || read_renditions(s, json_object_get(root, "renditions")) != 0)
        goto fail;
    json_decref(root);
    return s;
fail:
    json_decref(root);
    if (s)
        free_show(s);
    return NULL;
}

/* Takes s out of its bucket; frees it unless someone holds it. Under si->lock. */
static void unlink_show(org_showinfo *si, org_show *s)
{
    org_show **pp = &si->buckets[bucket_of(s->id)];
    while (*pp != s)
        pp = &(*pp)->next;
    *pp = s->next;
    s->linked = 0;
    if (s->refs == 0)
        free_show(s);
}

static org_show *find(org_showinfo *si, const char *id)
{
    org_show *s = si->buckets[bucket_of(id)];
    while (s && strcmp(s->id, id) != 0)
        s = s->next;
    return s;
}

/* The cached entry if it is still current (a new reference), else NULL; drops a stale one. */
static org_show *lookup(org_showinfo *si, const char *id, const org_show_key *k)
{
    org_show *s;

    pthread_mutex_lock(&si->lock);
    s = find(si, id);
    if (s && (!k || !same_key(&s->key, k))) {
        unlink_show(si, s);
        s = NULL;
    }
    if (s)
        s->refs++;
    pthread_mutex_unlock(&si->lock);
    return s;
}

/* Caches made (holding one reference for the caller), unless another worker was first. */
static org_show *insert(org_showinfo *si, org_show *made)
{
    org_show *s;
    unsigned b = bucket_of(made->id);

    pthread_mutex_lock(&si->lock);
    s = find(si, made->id);
    if (s && same_key(&s->key, &made->key)) {
        s->refs++;
        pthread_mutex_unlock(&si->lock);
        free_show(made);
        return s;
    }
    if (s)
        unlink_show(si, s);
    made->refs = 1;
    made->linked = 1;
    made->next = si->buckets[b];
    si->buckets[b] = made;
    pthread_mutex_unlock(&si->lock);
    return made;
}

org_show *org_showinfo_get(org_showinfo *si, const char *id)
{
    org_show_key k;
    org_show *s;
    int published;

    if (!org_valid_id(id))
        return NULL;
    published = current_key(si, id, &k) == 0;
    s = lookup(si, id, published ? &k : NULL);
    if (s || !published)
        return s;
    s = load_show(si, id, &k);
    return s ? insert(si, s) : NULL;
}

void org_show_release(org_showinfo *si, org_show *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&si->lock);
    if (--s->refs == 0 && !s->linked)
        free_show(s);
    pthread_mutex_unlock(&si->lock);
}

void org_showinfo_close(org_showinfo *si)
{
    if (!si)
        return;
    for (int b = 0; b < BUCKETS; b++)
        while (si->buckets[b])
            unlink_show(si, si->buckets[b]);
    pthread_mutex_destroy(&si->lock);
    free(si);
}

/* catalog.c: GET /shows, the catalog: every published show (a folder of the library with a
 * `current` version) as a JSON array sorted by id, each with title, duration, version and the
 * URLs a player page needs: poster and MP4s at their versioned URLs, the HLS master, /play.
 *
 * Made afresh on each request from the library (show.json parsed once per version, by
 * showinfo.c), so a show published a moment ago is in it. Cached like the top-level names a
 * re-ingest moves (public, max-age=60); its ETag is a hash of the body, so a client or CDN
 * revalidates with If-None-Match and gets 304 while nothing changed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "library.h"
#include "origin_internal.h"

#define CATALOG_CACHE_CONTROL "public, max-age=60"

typedef struct id_list {
    char **ids;
    size_t n, cap;
} id_list;

static void free_ids(id_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->ids[i]);
    free(l->ids);
}

static int add_id(id_list *l, const char *id)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **a = realloc(l->ids, cap * sizeof *a);
        if (!a)
            return -1;
        l->ids = a;
        l->cap = cap;
    }
    return (l->ids[l->n] = strdup(id)) ? (l->n++, 0) : -1;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the library that can be show ids (dot-entries and others are not), sorted. */
static int list_ids(const char *library_real, id_list *out)
{
    DIR *d = opendir(library_real);
    struct dirent *e;
    int ret = 0;

    if (!d)
        return -1;
    while (ret == 0 && (e = readdir(d)) != NULL)
        if (lib_valid_id(e->d_name))
            ret = add_id(out, e->d_name);
    closedir(d);
    if (ret == 0 && out->n)
        qsort(out->ids, out->n, sizeof *out->ids, by_id);
    return ret;
}

static json_t *mp4_json(const org_show *s)
{
    json_t *arr = json_array();
    char url[256];

    for (int i = 0; arr && i < s->n_mp4; i++) {
        const org_mp4 *m = &s->mp4[i];
        snprintf(url, sizeof url, "/shows/%s/%s/mp4/%s.mp4", s->id, s->key.version_dir, m->name);
        if (json_array_append_new(arr, json_pack("{s:s,s:i,s:i,s:s}", "name", m->name, "width",
                                                 m->width, "height", m->height, "url", url))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *show_json(const org_show *s)
{
    char poster[160], play[96], hls[112];

    snprintf(poster, sizeof poster, "/shows/%s/%s/poster.jpg", s->id, s->key.version_dir);
    snprintf(play, sizeof play, "/play/%s", s->id);
    snprintf(hls, sizeof hls, "/shows/%s/master.m3u8", s->id);
    /* "o" takes mp4_json's reference, and a NULL fails the whole pack */
    return json_pack("{s:s,s:s,s:f,s:i,s:s,s:s,s:s,s:o}", "id", s->id, "title", s->title,
                     "duration", s->duration, "version", s->version, "poster", poster, "play", play,
                     "hls", hls, "mp4", mp4_json(s));
}

/* The catalog as a malloc'd JSON text; NULL if the library cannot be read or out of memory. */
static char *catalog_text(origin *o)
{
    id_list ids = {0};
    json_t *arr = json_array();
    char *text = NULL;
    int ok = arr && list_ids(o->library_real, &ids) == 0;

    for (size_t i = 0; ok && i < ids.n; i++) {
        org_show *s = org_showinfo_get(o->shows, ids.ids[i]);
        if (s) /* not published (no `current`), or unreadable: not in the catalog */
            ok = json_array_append_new(arr, show_json(s)) == 0;
        org_show_release(o->shows, s);
    }
    if (ok)
        text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    free_ids(&ids);
    return text;
}

enum MHD_Result org_serve_catalog(org_request *rq, const char *rest)
{
    char *text = catalog_text(rq->o);

    (void)rest;
    if (!text)
        return org_send_error(rq, 500);
    return org_send_made(rq, text, strlen(text), "application/json", CATALOG_CACHE_CONTROL);
}

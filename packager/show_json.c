/* show_json.c: show.json, the show's own description: id, title, duration, when it was made,
 * source facts, and per rendition its size, codecs, measured average and peak bitrate and
 * PSNR/SSIM; then every file of the show with its size and SHA-256, so an origin or an
 * operator can verify a copy. */
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <libavutil/mem.h>
#include <openssl/evp.h>

#include "pkg_internal.h"

/* show.json's format version, its first key; the format is declared in docs/show-json.md and
 * docs/show.schema.json. Raise it only for a change old readers would misread (a field removed,
 * renamed, or given a new meaning or unit): readers ignore fields they do not know. */
#define SHOW_JSON_FORMAT 1

typedef struct file_list {
    char **paths; /* relative to the show folder */
    int n, cap;
} file_list;

static int add_path(file_list *l, const char *path)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        char **a = realloc(l->paths, cap * sizeof *a);
        if (!a)
            return -1;
        l->paths = a;
        l->cap = cap;
    }
    l->paths[l->n] = strdup(path);
    return l->paths[l->n] ? (l->n++, 0) : -1;
}

/* Every regular file under root/rel, depth first. */
static int list_files(const char *root, const char *rel, file_list *out)
{
    char dir[PATH_MAX * 2], child[PATH_MAX];
    DIR *d;
    struct dirent *e;
    int ret = 0;

    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    d = opendir(dir);
    if (!d)
        return -1;
    while (ret == 0 && (e = readdir(d)) != NULL) {
        struct stat st;
        char full[PATH_MAX * 3];
        if (e->d_name[0] == '.')
            continue;
        snprintf(child, sizeof child, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, child);
        if (lstat(full, &st) != 0)
            ret = -1;
        else if (S_ISDIR(st.st_mode))
            ret = list_files(root, child, out);
        else if (S_ISREG(st.st_mode) && strcmp(child, "show.json") != 0)
            ret = add_path(out, child);
    }
    closedir(d);
    return ret;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hex SHA-256 of a file; returns the size or -1. OpenSSL's SHA-256 uses the CPU's SHA
 * instructions where there are some: about ten times libavutil's speed, and hashing every
 * published byte was a third of `ladder package`'s time. */
long long pkg_sha256_file(const char *path, char hex[65])
{
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    unsigned char buf[65536], digest[32];
    long long size = 0;
    size_t n;
    FILE *f = fopen(path, "rb");
    int ok = f && sha && EVP_DigestInit_ex(sha, EVP_sha256(), NULL);

    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        ok = EVP_DigestUpdate(sha, buf, n);
        size += n;
    }
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(sha, digest, NULL);
    EVP_MD_CTX_free(sha);
    if (f)
        fclose(f);
    if (!ok)
        return -1;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return size;
}

/* The files to hash; job i hashes file i into hex[i] and size[i] (-1: unreadable). Reading and
 * hashing every file was a fifth of `ladder package`'s time, so they go on every core. */
typedef struct hash_jobs {
    const pkg_packager *p;
    const char *root;
    const file_list *files;
    char (*hex)[65];
    long long *size;
} hash_jobs;

/* The segment the HLS writer w wrote as rel ("hls/NAME/segNNNNN.ts"), if rel is one of its. */
static const hls_segment *written_as(const seg_writer *w, const char *name, const char *rel)
{
    size_t len = strlen(name);
    int index, end = 0;

    if (strncmp(rel, "hls/", 4) != 0 || strncmp(rel + 4, name, len) != 0 ||
        sscanf(rel + 4 + len, "/seg%5d.%*[a-z4]%n", &index, &end) != 1 || rel[4 + len + end] ||
        index < 0 || index >= w->n_segments)
        return NULL;
    return &w->segments[index];
}

/* An HLS segment's SHA-256 as its writer hashed it on the way out, if the file is still the
 * size it wrote: reading every segment again here was most of show.json's time, and after a
 * distributed ingest's last job (docs/distributed.md, "After the last job"). */
static long long known_hash(const pkg_packager *p, const char *rel, const char *path, char *hex)
{
    const hls_segment *s = NULL;
    struct stat st;

    for (int i = 0; !s && i < p->n_hls; i++)
        s = written_as(&p->hls[i].w, p->plan.streams[p->hls[i].stream].name, rel);
    for (int i = 0; !s && i < p->n_audio_tracks; i++)
        if (p->audio_tracks[i].opened)
            s = written_as(&p->audio_tracks[i].w, p->audio_tracks[i].name, rel);
    if (!s || !s->sha256[0] || stat(path, &st) != 0 || st.st_size != s->bytes)
        return -1;
    memcpy(hex, s->sha256, 65);
    return st.st_size;
}

static void hash_file(void *opaque, int i)
{
    hash_jobs *h = opaque;
    char path[PATH_MAX * 2];

    snprintf(path, sizeof path, "%s/%s", h->root, h->files->paths[i]);
    h->size[i] = known_hash(h->p, h->files->paths[i], path, h->hex[i]);
    if (h->size[i] < 0)
        h->size[i] = pkg_sha256_file(path, h->hex[i]);
}

static json_t *files_json(const pkg_packager *p, const char *root)
{
    file_list l = {0};
    json_t *arr = json_array();
    hash_jobs h = {.p = p, .root = root, .files = &l};

    if (!arr || list_files(root, "", &l) != 0) {
        json_decref(arr);
        arr = NULL;
    }
    if (arr) {
        qsort(l.paths, l.n, sizeof *l.paths, by_name);
        h.hex = malloc((l.n ? l.n : 1) * sizeof *h.hex);
        h.size = malloc((l.n ? l.n : 1) * sizeof *h.size);
    }
    if (arr && h.hex && h.size)
        ladder_parallel_for(l.n, hash_file, &h);
    else if (arr) {
        json_decref(arr);
        arr = NULL;
    }
    for (int i = 0; i < l.n; i++) {
        if (arr && h.size[i] >= 0)
            json_array_append_new(arr, json_pack("{s:s,s:I,s:s}", "path", l.paths[i], "size",
                                                 (json_int_t)h.size[i], "sha256", h.hex[i]));
        free(l.paths[i]);
    }
    free(h.hex);
    free(h.size);
    free(l.paths);
    return arr;
}

/* One rendition: HLS figures from the packager; for an MP4, its codecs from the stream and its
 * average bitrate from the file's size. */
static json_t *rendition_json(const pkg_packager *p, const char *root, const ladder_stream *st,
                              const ladder_stream_stats *s, double duration)
{
    int n;
    const pkg_variant_stats *v = pkg_get_variants(p, &n), *found = NULL;
    json_t *o = json_pack("{s:s,s:s,s:i,s:i,s:i}", "name", st->name, "use",
                          st->use == PROF_USE_MP4 ? "mp4" : "hls", "width", st->width, "height",
                          st->height, "target_kbps", st->bitrate_kbps);

    for (int i = 0; i < n; i++)
        if (strcmp(v[i].name, st->name) == 0)
            found = &v[i];
    if (o && found) {
        json_object_set_new(o, "codecs", json_string(found->codecs));
        json_object_set_new(o, "avg_bps", json_integer((json_int_t)found->avg_bps));
        json_object_set_new(o, "peak_bps", json_integer((json_int_t)found->peak_bps));
    } else if (o) {
        char path[PATH_MAX * 2], codecs[64];
        struct stat sb;
        long long size = 0;
        snprintf(path, sizeof path, "%s/mp4/%s.mp4", root, st->name);
        if (stat(path, &sb) == 0)
            size = sb.st_size;
        pkg_avc1_codec(st, codecs, sizeof codecs);
        if (st->audio_stream >= 0)
            snprintf(codecs + strlen(codecs), sizeof codecs - strlen(codecs), ",mp4a.40.2");
        json_object_set_new(o, "codecs", json_string(codecs));
        json_object_set_new(
            o, "avg_bps",
            json_integer(duration > 0 && size > 0 ? (json_int_t)(size * 8 / duration) : 0));
    }
    if (o && s) {
        json_object_set_new(o, "psnr_y", json_real(s->psnr_y));
        json_object_set_new(o, "ssim", json_real(s->ssim));
    }
    return o;
}

/* The caption tracks: where each is, how many cues, and the share of the show they cover. */
static json_t *captions_json(const pkg_packager *p, double duration)
{
    const ladder_captions *subs = pkg_captions(p);
    json_t *arr = json_array();
    char playlist[128], sidecar[128];

    for (int i = 0; arr && i < pkg_n_captions(p); i++) {
        int published = 0; /* cues starting after the video are left out */
        while (published < subs[i].n && subs[i].cues[published].start_ms < duration * 1000)
            published++;
        snprintf(playlist, sizeof playlist, PKG_SUBTITLES_DIR "/%s/index.m3u8", subs[i].language);
        snprintf(sidecar, sizeof sidecar, PKG_SUBTITLES_DIR "/%s.vtt", subs[i].language);
        json_array_append_new(arr,
                              json_pack("{s:s,s:s,s:b,s:s,s:s,s:i,s:f}", "language",
                                        subs[i].language, "name", subs[i].name, "sdh", subs[i].sdh,
                                        "playlist", playlist, "sidecar", sidecar, "cues", published,
                                        "coverage", ladder_captions_coverage(&subs[i], duration)));
    }
    return arr;
}

/* The ad breaks (docs/ads.md): where each starts (its frame's time), how long it is planned to
 * be, and where it came from; a cue's bytes as SCTE35-OUT has them. */
static json_t *breaks_json(const ladder_plan *plan)
{
    json_t *arr = json_array();

    for (int i = 0; arr && i < plan->n_breaks; i++) {
        const ladder_break *b = &plan->breaks[i];
        char id[LADDER_BREAK_ID_MAX], date[40];
        json_t *o;
        ladder_break_id(i, id, sizeof id);
        ladder_break_start_date(b, date, sizeof date);
        o = json_pack("{s:s,s:f,s:I,s:s,s:f,s:s}", "id", id, "time",
                      round((double)b->pts / LADDER_VIDEO_TIMEBASE * 1000) / 1000, "frame",
                      (json_int_t)b->frame, "start_date", date, "duration", b->duration, "source",
                      ladder_break_source_name(b->source));
        if (o && b->scte35_size > 0) {
            char hex[2 * LADDER_SCTE35_MAX + 3] = "0x";
            for (int k = 0; k < b->scte35_size; k++)
                snprintf(hex + 2 + 2 * k, 3, "%02X", b->scte35[k]);
            json_object_set_new(o, "scte35", json_string(hex));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

/* The trick-play thumbnails, one entry per tile width (docs/show-json.md). */
static json_t *thumbnails_json(const pkg_thumbs *t, int n)
{
    json_t *arr = json_array();

    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:i,s:i,s:f,s:i,s:i,s:s,s:s,s:i,s:i}", "width",
                                             t[i].width, "height", t[i].height, "interval",
                                             t[i].interval, "columns", t[i].columns, "rows",
                                             t[i].rows, "vtt", t[i].vtt, "playlist", t[i].playlist,
                                             "sheets", t[i].sheets, "tiles", t[i].tiles));
    return arr;
}

int pkg_write_show_json(pkg_packager *p, const pkg_show_info *info, ladder_error *err)
{
    const char *root = pkg_out_dir(p);
    double duration = pkg_duration(p);
    json_t *root_obj, *renditions = json_array();
    char path[PATH_MAX + 16], created[32], *text;
    time_t now = time(NULL);
    struct tm tm;
    int ret, poster_w, poster_h, n_thumbs;
    const pkg_thumbs *thumbs = pkg_thumbnails(p, &n_thumbs);

    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    for (int i = 0; renditions && i < info->plan->n_streams; i++)
        if (info->plan->streams[i].kind == LADDER_STREAM_VIDEO)
            json_array_append_new(renditions,
                                  rendition_json(p, root, &info->plan->streams[i],
                                                 info->stats ? &info->stats[i] : NULL, duration));
    root_obj = json_pack(
        "{s:i,s:s,s:s,s:f,s:s,s:{s:i,s:i,s:f,s:b},s:o,s:o}", "format", SHOW_JSON_FORMAT, "id",
        info->id, "title", info->title ? info->title : info->id, "duration", duration, "created",
        created, "source", "width", info->plan->src_width, "height", info->plan->src_height, "fps",
        info->plan->src_fps_den ? (double)info->plan->src_fps_num / info->plan->src_fps_den : 0.0,
        "has_audio", info->plan->src_has_audio, "renditions", renditions, "files",
        files_json(p, root));
    if (root_obj && info->version > 0)
        json_object_set_new(root_obj, "version", json_integer(info->version));
    if (root_obj && pkg_n_captions(p) > 0)
        json_object_set_new(root_obj, "captions", captions_json(p, duration));
    if (root_obj && info->plan->n_breaks > 0)
        json_object_set_new(root_obj, "breaks", breaks_json(info->plan));
    if (root_obj)
        json_object_set_new(root_obj, "container", json_string(pkg_fmp4(p) ? "fmp4" : "ts"));
    if (root_obj && pkg_has_dash(p)) /* the origin's /play reads it */
        json_object_set_new(root_obj, "dash", json_pack("{s:s}", "path", PKG_DASH_MANIFEST));
    if (root_obj && n_thumbs > 0)
        json_object_set_new(root_obj, "thumbnails", thumbnails_json(thumbs, n_thumbs));
    if (root_obj && info->per_title)
        json_object_set_new(root_obj, "per_title", json_loads(info->per_title, 0, NULL));
    pkg_poster_size(p, &poster_w, &poster_h);
    if (root_obj && poster_w > 0) /* for share pages: og:image:width and height */
        json_object_set_new(root_obj, "poster",
                            json_pack("{s:s,s:i,s:i}", "path", "poster.jpg", "width", poster_w,
                                      "height", poster_h));
    text = root_obj ? json_dumps(root_obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root_obj);
    if (!text)
        return ladder_error_set(err, LADDER_ENOMEM, "cannot write show.json");
    snprintf(path, sizeof path, "%s/show.json", root);
    ret = ladder_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return ret;
}

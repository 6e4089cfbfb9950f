/* mime.c: what a served file is, by its name: Content-Type, the kind /metrics counts it as,
 * whether it compresses (playlists, caption text, and the demo page's text), and how long
 * caches may keep it (docs/origin.md, "Caching"). A DASH MPD is a playlist in all three: it
 * lists segments that are pruned with its version, as a media playlist does. */
#include <string.h>

#include "library.h"
#include "origin_internal.h"

/* LIB_KEEP_SUPERSEDED_SECONDS as text for a header; the compiler holds the two together. */
#define RETENTION_TEXT "86400"
_Static_assert(LIB_KEEP_SUPERSEDED_SECONDS == 86400, "RETENTION_TEXT must match the library");

typedef struct ext_type {
    const char *ext;
    org_type type;
} ext_type;

static const ext_type types[] = {
    {".m3u8", {"application/vnd.apple.mpegurl", ORG_KIND_PLAYLIST, 1}},
    {".mpd", {"application/dash+xml", ORG_KIND_PLAYLIST, 1}}, /* ISO/IEC 23009-1 Annex C */
    {".ts", {"video/mp2t", ORG_KIND_SEGMENT, 0}},
    {".m4s", {"video/iso.segment", ORG_KIND_SEGMENT, 0}},
    {".mp4", {"video/mp4", ORG_KIND_MP4, 0}},
    {".m4a", {"audio/mp4", ORG_KIND_MP4, 0}},
    {".vtt", {"text/vtt", ORG_KIND_OTHER, 1}}, /* caption text: a sidecar of an hour is ~100 KB */
    {".json", {"application/json", ORG_KIND_OTHER, 0}},
    {".jpg", {"image/jpeg", ORG_KIND_OTHER, 0}},
    /* the demo page (/demo/) */
    {".html", {"text/html; charset=utf-8", ORG_KIND_OTHER, 1}},
    {".js", {"text/javascript; charset=utf-8", ORG_KIND_OTHER, 1}},
    {".mjs", {"text/javascript; charset=utf-8", ORG_KIND_OTHER, 1}},
    {".css", {"text/css; charset=utf-8", ORG_KIND_OTHER, 1}},
    {".svg", {"image/svg+xml", ORG_KIND_OTHER, 1}},
    {".txt", {"text/plain; charset=utf-8", ORG_KIND_OTHER, 1}},
    {".map", {"application/json", ORG_KIND_OTHER, 1}},
    {".png", {"image/png", ORG_KIND_OTHER, 0}},
    {".ico", {"image/x-icon", ORG_KIND_OTHER, 0}},
    {".woff2", {"font/woff2", ORG_KIND_OTHER, 0}},
};

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

org_type org_type_of(const char *rel)
{
    size_t n = strlen(rel);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (!ends_with(rel, n, types[i].ext))
            continue;
        org_type t = types[i].type;
        /* An .mp4 inside an HLS rendition folder is an fMP4 init segment (init.mp4), which
         * players fetch like segments; the progressive fallbacks live in mp4/. */
        if (t.kind == ORG_KIND_MP4 && strstr(rel, "/hls/"))
            t.kind = ORG_KIND_SEGMENT;
        return t;
    }
    return (org_type){"application/octet-stream", ORG_KIND_OTHER, 0};
}

int org_in_version_folder(const char *rel)
{
    /* rel is "ID/rest": the version folder, if any, is the second segment. */
    const char *id_end = strchr(rel, '/');
    const char *v = id_end ? id_end + 1 : NULL;
    const char *v_end = v ? strchr(v, '/') : NULL;

    return v_end && lib_version_of(v, (size_t)(v_end - v)) > 0;
}

const char *org_cache_control(org_root root, const char *rel)
{
    if (root == ORG_ROOT_SITE)
        /* The demo page changes with the repository, not with the library: like the names
         * that move on a re-ingest, a minute. */
        return "public, max-age=60";
    if (!org_in_version_folder(rel))
        /* master.m3u8, show.json, poster.jpg (and anything through `current`) change on a
         * re-ingest; a minute bounds how long a CDN keeps new players on the old version. */
        return "public, max-age=60";
    if (org_type_of(rel).kind == ORG_KIND_PLAYLIST)
        /* Never changes, but its version is pruned a day after being superseded: no cache
         * should hand out a playlist whose segments may be gone. */
        return "public, max-age=" RETENTION_TEXT;
    return "public, max-age=31536000, immutable";
}

const char *org_kind_name(org_kind k)
{
    static const char *names[ORG_KIND_N] = {"playlist", "segment", "mp4", "other"};
    return k < ORG_KIND_N ? names[k] : "other";
}

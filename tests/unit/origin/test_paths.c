/* test_paths.c: the origin's request targets (org_path_decode, paths.c), and types and
 * Cache-Control by path (mime.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "origin_internal.h"

/* ---- org_path_decode ------------------------------------------------------------------------- */

#define ASSERT_PATH(raw, expected)                                                                 \
    do {                                                                                           \
        char out_[256];                                                                            \
        memset(out_, 'x', sizeof out_);                                                            \
        assert_int_equal(org_path_decode(raw, out_, sizeof out_), 0);                              \
        assert_string_equal(out_, (expected));                                                     \
    } while (0)

#define ASSERT_PATH_STATUS(raw, status)                                                            \
    do {                                                                                           \
        char out_[256];                                                                            \
        assert_int_equal(org_path_decode(raw, out_, sizeof out_), (status));                       \
    } while (0)

static void test_path_plain(void **state)
{
    (void)state;
    ASSERT_PATH("/shows/a/master.m3u8", "/shows/a/master.m3u8");
    ASSERT_PATH("/shows/a/v3/hls/720p/seg00001.ts", "/shows/a/v3/hls/720p/seg00001.ts");
    ASSERT_PATH("/healthz", "/healthz");
}

/* The query and the fragment are not part of the path, and are not decoded. */
static void test_path_query_and_fragment_dropped(void **state)
{
    (void)state;
    ASSERT_PATH("/shows/a/master.m3u8?x=1", "/shows/a/master.m3u8");
    ASSERT_PATH("/play/a?format=mp4&x=%zz", "/play/a");
    ASSERT_PATH("/demo/#top", "/demo/");
    ASSERT_PATH("/shows?", "/shows");
}

/* Exactly once: "%252e" becomes the literal "%2e", never "." */
static void test_path_percent_decoded_once(void **state)
{
    (void)state;
    ASSERT_PATH("/shows/a%20b/%41%62.ts", "/shows/a b/Ab.ts");
    ASSERT_PATH("/shows/%7e%7E", "/shows/~~");
    ASSERT_PATH("/shows/%252e%252e/x", "/shows/%2e%2e/x");
    ASSERT_PATH("/shows/caf%C3%A9", "/shows/caf\xc3\xa9"); /* UTF-8 bytes pass through */
    ASSERT_PATH("/shows/a%3fb", "/shows/a?b");             /* an encoded '?' is a name */
}

static void test_path_bad_escapes(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS("/shows/%zz", 400);
    ASSERT_PATH_STATUS("/shows/%g0", 400);
    ASSERT_PATH_STATUS("/shows/%4", 400);
    ASSERT_PATH_STATUS("/shows/%", 400);
    ASSERT_PATH_STATUS("/shows/%%41", 400);
}

/* Dot-led segments name nothing we serve: "..", ".", and hidden names such as .staging. */
static void test_path_dot_segments(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS("/shows/../etc/passwd", 404);
    ASSERT_PATH_STATUS("/shows/a/..", 404);
    ASSERT_PATH_STATUS("/shows/%2e%2e/etc/passwd", 404);
    ASSERT_PATH_STATUS("/shows/%2E%2e/", 404);
    ASSERT_PATH_STATUS("/shows/./a", 404);
    ASSERT_PATH_STATUS("/shows/a/.staging/x", 404);
    ASSERT_PATH_STATUS("/.hidden", 404);
    /* dots inside or at the end of a name are fine */
    ASSERT_PATH("/shows/a..b/c.", "/shows/a..b/c.");
}

/* An empty segment is an absolute path glued on: "/shows//etc/passwd". */
static void test_path_empty_segments(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS("//etc/passwd", 404);
    ASSERT_PATH_STATUS("/shows//etc/passwd", 404);
    ASSERT_PATH_STATUS("/shows/a//", 404);
}

/* Encoded '/' and any '\' are never separators: 404, before any file is looked at. */
static void test_path_separators(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS("/shows/a%2fb", 404);
    ASSERT_PATH_STATUS("/shows/..%2F..%2Fetc", 404);
    ASSERT_PATH_STATUS("/shows/a%5cb", 404);
    ASSERT_PATH_STATUS("/shows/a%5Cb", 404);
    ASSERT_PATH_STATUS("/shows/a\\b", 404);
    ASSERT_PATH_STATUS("/shows/..\\..\\etc", 404);
}

/* NUL would cut the path short; control bytes and raw spaces are never in a valid target. */
static void test_path_nul_and_control_bytes(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS("/shows/a%00.ts", 400);
    ASSERT_PATH_STATUS("/shows/a/master.m3u8%00.jpg", 400);
    ASSERT_PATH_STATUS("/shows/a%0a", 400);
    ASSERT_PATH_STATUS("/shows/a%0D%0AX: y", 400);
    ASSERT_PATH_STATUS("/shows/a%1f", 400);
    ASSERT_PATH_STATUS("/shows/a%7f", 400);
    ASSERT_PATH_STATUS("/shows/a\tb", 400);
    ASSERT_PATH_STATUS("/shows/a\x01", 400);
    ASSERT_PATH_STATUS("/shows/a\x7f", 400);
    ASSERT_PATH_STATUS("/shows/a b", 400);
}

/* Only origin-form ("/..."): no absolute-form, no "*", nothing relative. */
static void test_path_not_origin_form(void **state)
{
    (void)state;
    ASSERT_PATH_STATUS(NULL, 400);
    ASSERT_PATH_STATUS("", 400);
    ASSERT_PATH_STATUS("*", 400);
    ASSERT_PATH_STATUS("http://example.com/shows/a", 400);
    ASSERT_PATH_STATUS("shows/a", 400);
    ASSERT_PATH_STATUS("?x=1", 400);
}

/* Kept, so routes can tell folders from files. */
static void test_path_trailing_slash_kept(void **state)
{
    (void)state;
    ASSERT_PATH("/", "/");
    ASSERT_PATH("/demo/", "/demo/");
    ASSERT_PATH("/shows/a/", "/shows/a/");
    ASSERT_PATH("/shows/a/?x", "/shows/a/");
}

/* A path that does not fit (with its NUL) is 404, and nothing is written past `size`. The
 * limit is on the decoded length, so escapes count once. */
static void test_path_too_long(void **state)
{
    char buf[16];
    (void)state;

    memset(buf, '#', sizeof buf);
    assert_int_equal(org_path_decode("/abcdef", buf, 8), 0); /* 7 bytes + NUL: fits */
    assert_string_equal(buf, "/abcdef");
    for (size_t i = 8; i < sizeof buf; i++)
        assert_int_equal(buf[i], '#');

    memset(buf, '#', sizeof buf);
    assert_int_equal(org_path_decode("/abcdefg", buf, 8), 404);
    for (size_t i = 8; i < sizeof buf; i++)
        assert_int_equal(buf[i], '#');

    memset(buf, '#', sizeof buf);
    assert_int_equal(org_path_decode("/%41%42%43%44%45%46", buf, 8), 0);
    assert_string_equal(buf, "/ABCDEF");
    assert_int_equal(org_path_decode("/%41%42%43%44%45%46%47", buf, 8), 404);
    for (size_t i = 8; i < sizeof buf; i++)
        assert_int_equal(buf[i], '#');

    assert_int_equal(org_path_decode("/", buf, 1), 404); /* not even room for "/" and NUL */
}

/* A long but sane path fits in the buffer server.c uses. */
static void test_path_long_ok(void **state)
{
    char raw[3001], out[4096];
    (void)state;
    raw[0] = '/';
    memset(raw + 1, 'a', sizeof raw - 2);
    raw[sizeof raw - 1] = '\0';
    assert_int_equal(org_path_decode(raw, out, sizeof out), 0);
    assert_string_equal(out, raw);
}

/* ---- org_type_of ----------------------------------------------------------------------------- */

#define ASSERT_TYPE(rel, ctype, k, gz)                                                             \
    do {                                                                                           \
        org_type t_ = org_type_of(rel);                                                            \
        assert_string_equal(t_.content_type, (ctype));                                             \
        assert_int_equal(t_.kind, (k));                                                            \
        assert_int_equal(t_.compressible, (gz));                                                   \
    } while (0)

/* Playlists are the one library type served compressed. */
static void test_type_of_playlists(void **state)
{
    (void)state;
    ASSERT_TYPE("a/master.m3u8", "application/vnd.apple.mpegurl", ORG_KIND_PLAYLIST, 1);
    ASSERT_TYPE("a/v3/hls/720p/index.m3u8", "application/vnd.apple.mpegurl", ORG_KIND_PLAYLIST, 1);
}

/* A DASH MPD is served as a playlist: its type (ISO/IEC 23009-1 Annex C), counted as one,
 * compressed; but only by its whole extension. */
static void test_type_of_mpd(void **state)
{
    (void)state;
    ASSERT_TYPE("a/v3/manifest.mpd", "application/dash+xml", ORG_KIND_PLAYLIST, 1);
    ASSERT_TYPE("a/manifest.mpd", "application/dash+xml", ORG_KIND_PLAYLIST, 1);
    ASSERT_TYPE("a/v3/manifest.mpd.bak", "application/octet-stream", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/v3/mpd", "application/octet-stream", ORG_KIND_OTHER, 0);
}

/* Segments, including fMP4 init segments: an .mp4 (or .m4a) under hls/. */
static void test_type_of_segments(void **state)
{
    (void)state;
    ASSERT_TYPE("a/v3/hls/720p/seg00000.ts", "video/mp2t", ORG_KIND_SEGMENT, 0);
    ASSERT_TYPE("a/v3/hls/720p/seg00000.m4s", "video/iso.segment", ORG_KIND_SEGMENT, 0);
    ASSERT_TYPE("a/v3/hls/720p/init.mp4", "video/mp4", ORG_KIND_SEGMENT, 0);
    ASSERT_TYPE("a/v3/hls/audio/init.m4a", "audio/mp4", ORG_KIND_SEGMENT, 0);
}

/* The progressive fallbacks in mp4/ are MP4s, not segments. */
static void test_type_of_progressive_mp4(void **state)
{
    (void)state;
    ASSERT_TYPE("a/v3/mp4/720p.mp4", "video/mp4", ORG_KIND_MP4, 0);
    ASSERT_TYPE("a/v3/mp4/audio.m4a", "audio/mp4", ORG_KIND_MP4, 0);
    /* a show whose id is "hls" is not an HLS folder */
    ASSERT_TYPE("hls/v3/mp4/720p.mp4", "video/mp4", ORG_KIND_MP4, 0);
}

static void test_type_of_other_library_files(void **state)
{
    (void)state;
    ASSERT_TYPE("a/v3/show.json", "application/json", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/poster.jpg", "image/jpeg", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/v3/subtitles/en.vtt", "text/vtt", ORG_KIND_OTHER, 1);
}

/* The demo page's files: text compresses, images and fonts do not. */
static void test_type_of_demo_files(void **state)
{
    (void)state;
    ASSERT_TYPE("index.html", "text/html; charset=utf-8", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("js/player.js", "text/javascript; charset=utf-8", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("js/hls.mjs", "text/javascript; charset=utf-8", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("style.css", "text/css; charset=utf-8", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("logo.svg", "image/svg+xml", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("js/hls.mjs.map", "application/json", ORG_KIND_OTHER, 1);
    ASSERT_TYPE("logo.png", "image/png", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("font.woff2", "font/woff2", ORG_KIND_OTHER, 0);
}

/* Never fails: anything else is application/octet-stream, by the whole extension. */
static void test_type_of_unknown(void **state)
{
    (void)state;
    ASSERT_TYPE("a/README", "application/octet-stream", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/seg.ts.bak", "application/octet-stream", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/clip.mts", "application/octet-stream", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("a/ts", "application/octet-stream", ORG_KIND_OTHER, 0);
    ASSERT_TYPE("", "application/octet-stream", ORG_KIND_OTHER, 0);
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(org_kind_name(ORG_KIND_PLAYLIST), "playlist");
    assert_string_equal(org_kind_name(ORG_KIND_SEGMENT), "segment");
    assert_string_equal(org_kind_name(ORG_KIND_MP4), "mp4");
    assert_string_equal(org_kind_name(ORG_KIND_OTHER), "other");
    assert_string_equal(org_kind_name(ORG_KIND_N), "other");
}

/* ---- org_in_version_folder, org_cache_control ------------------------------------------------ */

/* Only the second segment, and only "vN" with N a positive decimal, followed by more path. */
static void test_version_folder(void **state)
{
    (void)state;
    assert_int_equal(org_in_version_folder("a/v3/hls/720p/seg00000.ts"), 1);
    assert_int_equal(org_in_version_folder("a/v1/show.json"), 1);
    assert_int_equal(org_in_version_folder("a/v12/master.m3u8"), 1);
    assert_int_equal(org_in_version_folder("a/master.m3u8"), 0);
    assert_int_equal(org_in_version_folder("a/current/master.m3u8"), 0);
    assert_int_equal(org_in_version_folder("a/v0/x.ts"), 0);
    assert_int_equal(org_in_version_folder("a/v/x.ts"), 0);
    assert_int_equal(org_in_version_folder("a/v3x/x.ts"), 0);
    assert_int_equal(org_in_version_folder("a/x3/x.ts"), 0);
    assert_int_equal(org_in_version_folder("v3/master.m3u8"), 0); /* a show named v3 */
    assert_int_equal(org_in_version_folder("a/b/v3/x.ts"), 0);
    assert_int_equal(org_in_version_folder("a/v3"), 0);
    assert_int_equal(org_in_version_folder(""), 0);
}

#define IMMUTABLE "public, max-age=31536000, immutable"
#define ONE_DAY   "public, max-age=86400"
#define ONE_MIN   "public, max-age=60"

/* Inside vN/ nothing changes once published (docs/origin.md, "Caching policy"). */
static void test_cache_version_files_immutable(void **state)
{
    (void)state;
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/hls/720p/seg00001.ts"),
                        IMMUTABLE);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/hls/720p/seg00001.m4s"),
                        IMMUTABLE);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/hls/720p/init.mp4"), IMMUTABLE);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/mp4/720p.mp4"), IMMUTABLE);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/poster.jpg"), IMMUTABLE);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/show.json"), IMMUTABLE);
}

/* Playlists in vN/ never change either, but the version is pruned a day after a swap. */
static void test_cache_version_playlists_one_day(void **state)
{
    (void)state;
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/master.m3u8"), ONE_DAY);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/hls/720p/index.m3u8"), ONE_DAY);
}

/* The MPD is cached exactly as the playlists are: a day in vN/, a minute elsewhere. */
static void test_cache_mpd_as_playlists(void **state)
{
    (void)state;
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/manifest.mpd"),
                        org_cache_control(ORG_ROOT_LIBRARY, "a/v3/master.m3u8"));
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v3/manifest.mpd"), ONE_DAY);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/current/manifest.mpd"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/manifest.mpd"), ONE_MIN);
}

/* Names a re-ingest moves: the show's top level and anything through current/. */
static void test_cache_moving_names_one_minute(void **state)
{
    (void)state;
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/master.m3u8"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/show.json"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/poster.jpg"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/current/hls/720p/seg00001.ts"),
                        ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/current/master.m3u8"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_LIBRARY, "a/v0/hls/720p/seg00001.ts"), ONE_MIN);
}

/* The demo folder changes with the repository: a minute, even for a vN-looking path. */
static void test_cache_site_one_minute(void **state)
{
    (void)state;
    assert_string_equal(org_cache_control(ORG_ROOT_SITE, "index.html"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_SITE, "js/v3/player.js"), ONE_MIN);
    assert_string_equal(org_cache_control(ORG_ROOT_SITE, "a/v3/hls/720p/seg00001.ts"), ONE_MIN);
}

#include "test_paths_tests.h"

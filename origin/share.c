/* share.c: GET /watch/<id>, a show's share link. A person who opens it gets the player page
 * (the demo folder's index.html) on that show; a crawler (Facebook, X, Slack, iMessage), which
 * runs no JavaScript, finds the show's Open Graph and Twitter-card tags in the page's <head>,
 * rendered here from the current version's show.json.
 *
 * The page marks the part of its <head> to replace: everything from SHARE_BEGIN to SHARE_END
 * (its own <title>) becomes the show's title and tags. Titles come from whoever ingested the
 * show, so every value is HTML-escaped: a title holding "<script>" comes out as text.
 *
 * Crawlers want absolute URLs. They are built on --public-url when it is set (the address
 * viewers use, e.g. the CDN's), else on the request's Host header (checked: host characters
 * only) with X-Forwarded-Proto's scheme when a proxy says https. Cached like the other
 * top-level names a re-ingest changes (public, max-age=60), with an ETag of the body. */
#include <string.h>

#include "origin_internal.h"

#define SHARE_BEGIN         "<!--ladder:share-->"
#define SHARE_END           "<!--/ladder:share-->"
#define SHARE_CACHE_CONTROL "public, max-age=60"
#define HOST_MAX            255

/* Appends s with the five characters that matter in HTML text and attributes escaped. */
static void put_escaped(ladder_text *t, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            ladder_text_printf(t, "&amp;");
            break;
        case '<':
            ladder_text_printf(t, "&lt;");
            break;
        case '>':
            ladder_text_printf(t, "&gt;");
            break;
        case '"':
            ladder_text_printf(t, "&quot;");
            break;
        case '\'':
            ladder_text_printf(t, "&#39;");
            break;
        default:
            ladder_text_printf(t, "%c", *s);
        }
    }
}

/* <meta ATTR="name" content="value">, the value escaped. */
static void put_meta(ladder_text *t, const char *attr, const char *name, const char *value)
{
    ladder_text_printf(t, "<meta %s=\"%s\" content=\"", attr, name);
    put_escaped(t, value);
    ladder_text_printf(t, "\">\n");
}

static void put_meta_int(ladder_text *t, const char *attr, const char *name, long long value)
{
    ladder_text_printf(t, "<meta %s=\"%s\" content=\"%lld\">\n", attr, name, value);
}

/* 1 if a Host header value is a plain host[:port]: it is copied into URLs we send out. */
static int valid_host(const char *h)
{
    size_t n = h ? strlen(h) : 0;
    return n > 0 && n <= HOST_MAX &&
           strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

/* The absolute base ("https://example.com") for the page's URLs; "" if there is none to
 * give (no usable Host): the tags then carry root-relative URLs. */
static void base_url(org_request *rq, char *out, size_t size)
{
    const char *host = org_header(rq, MHD_HTTP_HEADER_HOST);
    const char *proto = org_header(rq, "X-Forwarded-Proto");

    if (rq->o->public_url)
        snprintf(out, size, "%s", rq->o->public_url);
    else if (valid_host(host))
        snprintf(out, size, "%s://%s", proto && strcmp(proto, "https") == 0 ? "https" : "http",
                 host);
    else
        out[0] = '\0';
}

/* "1:05:09" or "4:07". */
static void format_duration(double seconds, char *out, size_t size)
{
    long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
    if (s >= 3600)
        snprintf(out, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, size, "%ld:%02ld", s / 60, s % 60);
}

/* The show's <title> and tags. */
static void put_tags(ladder_text *t, const org_show *s, const char *base)
{
    char url[1024], description[512], length[32];
    const org_mp4 *m = org_play_desktop_mp4(s);
    int https = strncmp(base, "https:", 6) == 0;

    format_duration(s->duration, length, sizeof length);
    snprintf(description, sizeof description, "Watch %s (%s).", s->title, length);
    ladder_text_printf(t, "<title>");
    put_escaped(t, s->title);
    ladder_text_printf(t, "</title>\n");
    put_meta(t, "name", "description", description);
    snprintf(url, sizeof url, "%s/watch/%s", base, s->id);
    ladder_text_printf(t, "<link rel=\"canonical\" href=\"");
    put_escaped(t, url);
    ladder_text_printf(t, "\">\n");
    put_meta(t, "property", "og:type", "video.other");
    put_meta(t, "property", "og:site_name", "Ladder");
    put_meta(t, "property", "og:title", s->title);
    put_meta(t, "property", "og:description", description);
    put_meta(t, "property", "og:url", url);
    put_meta_int(t, "property", "video:duration", (long long)(s->duration + 0.5));

    snprintf(url, sizeof url, "%s/shows/%s/%s/poster.jpg", base, s->id, s->key.version_dir);
    put_meta(t, "property", "og:image", url);
    if (https)
        put_meta(t, "property", "og:image:secure_url", url);
    put_meta(t, "property", "og:image:type", "image/jpeg");
    if (s->poster_width > 0 && s->poster_height > 0) {
        put_meta_int(t, "property", "og:image:width", s->poster_width);
        put_meta_int(t, "property", "og:image:height", s->poster_height);
    }
    put_meta(t, "property", "og:image:alt", s->title);
    put_meta(t, "name", "twitter:card", "summary_large_image");
    put_meta(t, "name", "twitter:title", s->title);
    put_meta(t, "name", "twitter:description", description);
    put_meta(t, "name", "twitter:image", url);

    if (m) { /* the progressive MP4 any desktop plays, at its versioned URL */
        snprintf(url, sizeof url, "%s/shows/%s/%s/mp4/%s.mp4", base, s->id, s->key.version_dir,
                 m->name);
        put_meta(t, "property", "og:video", url);
        if (https)
            put_meta(t, "property", "og:video:secure_url", url);
        put_meta(t, "property", "og:video:type", "video/mp4");
        put_meta_int(t, "property", "og:video:width", m->width);
        put_meta_int(t, "property", "og:video:height", m->height);
    }
}

/* The page: the template with its share region replaced by the show's tags. NULL when the
 * template has no share region (then the page is not one we can share) or out of memory. */
static char *render(const char *page, size_t len, const org_show *s, const char *base,
                    size_t *out_len)
{
    ladder_text t = {0};
    const char *begin = memmem(page, len, SHARE_BEGIN, strlen(SHARE_BEGIN));
    const char *end =
        begin ? memmem(begin, len - (size_t)(begin - page), SHARE_END, strlen(SHARE_END)) : NULL;

    if (!end)
        return NULL;
    end += strlen(SHARE_END);
    ladder_text_printf(&t, "%.*s", (int)(begin - page), page);
    put_tags(&t, s, base);
    ladder_text_printf(&t, "%.*s", (int)(len - (size_t)(end - page)), end);
    if (t.failed) {
        ladder_text_free(&t);
        return NULL;
    }
    *out_len = t.len;
    return t.s;
}

enum MHD_Result org_serve_watch(org_request *rq, const char *rest)
{
    origin *o = rq->o;
    char base[HOST_MAX + 16 + ORG_PUBLIC_URL_MAX];
    org_file *template_file;
    org_show *s;
    const char *template_text;
    char *page = NULL;
    size_t len = 0;

    if (!o->demo_files) /* the page is the demo's: no demo folder, nothing to share */
        return org_send_error(rq, 404);
    s = org_showinfo_get(o->shows, rest); /* an id: no '/' (also a 404) */
    if (!s)
        return org_send_error(rq, 404);
    template_file = org_files_get(o->demo_files, "index.html");
    template_text = template_file ? org_file_text(template_file) : NULL;
    base_url(rq, base, sizeof base);
    if (template_text)
        page = render(template_text, template_file->size, s, base, &len);
    org_file_release(o->demo_files, template_file);
    org_show_release(o->shows, s);
    if (!page) {
        ladder_log(&o->params.log.logger, LADDER_LOG_WARN, "origin",
                   "/watch: %s/index.html is missing, too large or has no %s ... %s region",
                   o->demo_real, SHARE_BEGIN, SHARE_END);
        return org_send_error(rq, 500);
    }
    return org_send_made(rq, page, len, "text/html; charset=utf-8", SHARE_CACHE_CONTROL);
}

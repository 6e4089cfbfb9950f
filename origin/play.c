/* play.c: /play/<id>, the one URL whose answer depends on the device asking. It answers 302:
 * to the show's HLS master (/shows/<id>/master.m3u8), or, for a device the rules
 * (devices/devices.xml) send to a progressive MP4, to the best-fitting MP4 fallback of the
 * current version at its versioned URL (/shows/<id>/vN/mp4/<name>.mp4), which never changes
 * under a download in progress when the show is re-ingested.
 *
 * Only this answer depends on request headers, and it is never cached (private, no-store) and
 * carries no Vary: every URL it sends to is the same for every device, so a CDN keeps one copy
 * of each file (docs/origin.md).
 *
 * `?format=hls` or `?format=mp4` overrides the device's format. An MP4 asked for by a device
 * the rules send to HLS gets the MP4 a desktop decodes: up to 1080 lines, Main profile.
 *
 * A client that asks for JSON (Accept: application/json; the player page does) gets the same
 * decision as a 200 body instead of a redirect, {"format", "url", "rule"}, so the page follows
 * the server's choice and names the rule without a second set of rules of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "origin_internal.h"

#define FORCED_MP4_MAX_HEIGHT  1080
#define FORCED_MP4_PROFILE_IDC 77 /* Main */

/* The format the query asks for: 0 none, 1 a valid one in *format, -1 a bad one. */
static int query_format(org_request *rq, dev_format *format)
{
    const char *f = MHD_lookup_connection_value(rq->connection, MHD_GET_ARGUMENT_KIND, "format");

    if (!f)
        return 0;
    if (strcmp(f, "hls") == 0)
        *format = DEV_FORMAT_HLS;
    else if (strcmp(f, "mp4") == 0)
        *format = DEV_FORMAT_MP4;
    else
        return -1;
    return 1;
}

/* The tallest MP4 no taller than max_height in a profile no higher than profile_idc (an MP4
 * whose profile could not be read fits no limit); if none fits, the smallest, which is the
 * likeliest to play anyway. NULL if the show has no MP4. */
static const org_mp4 *best_mp4(const org_show *s, int max_height, int profile_idc)
{
    const org_mp4 *best = NULL, *smallest = NULL;

    for (int i = 0; i < s->n_mp4; i++) {
        const org_mp4 *m = &s->mp4[i];
        if (!smallest || m->height < smallest->height)
            smallest = m;
        if (m->height <= max_height && m->profile_idc && m->profile_idc <= profile_idc &&
            (!best || m->height > best->height))
            best = m;
    }
    return best ? best : smallest;
}

const org_mp4 *org_play_desktop_mp4(const org_show *s)
{
    return best_mp4(s, FORCED_MP4_MAX_HEIGHT, FORCED_MP4_PROFILE_IDC);
}

/* Where the client goes; *rule names the device rule that matched (for X-Ladder-Rule). Returns
 * the format of the answer. */
static dev_format choose(org_request *rq, const org_show *s, int forced, dev_format forced_format,
                         char *location, size_t size, const char **rule)
{
    dev_client client = {org_header(rq, MHD_HTTP_HEADER_USER_AGENT),
                         org_header(rq, "Sec-CH-UA-Mobile"), org_header(rq, "Sec-CH-UA-Platform")};
    dev_route route;
    const org_mp4 *m = NULL;

    dev_route_client(rq->o->device_rules, &client, &route);
    *rule = route.rule;
    if (forced && forced_format == DEV_FORMAT_MP4 && route.format == DEV_FORMAT_HLS) {
        route.max_height = FORCED_MP4_MAX_HEIGHT;
        route.profile_idc = FORCED_MP4_PROFILE_IDC;
    }
    if ((forced ? forced_format : route.format) == DEV_FORMAT_MP4)
        m = best_mp4(s, route.max_height, route.profile_idc);
    if (m) { /* a show without MP4s gets HLS, whatever was asked */
        snprintf(location, size, "/shows/%s/%s/mp4/%s.mp4", s->id, s->key.version_dir, m->name);
        return DEV_FORMAT_MP4;
    }
    snprintf(location, size, "/shows/%s/master.m3u8", s->id);
    return DEV_FORMAT_HLS;
}

/* The decision as JSON, for the player page. */
static enum MHD_Result send_json(org_request *rq, dev_format format, const char *location,
                                 const char *rule)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "format", format == DEV_FORMAT_MP4 ? "mp4" : "hls",
                          "url", location, "rule", rule);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    struct MHD_Response *resp = NULL;
    enum MHD_Result ret;

    json_decref(o);
    if (!text)
        return org_send_error(rq, 500);
    resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    org_add_common_headers(rq->o, resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "private, no-store");
    MHD_add_response_header(resp, "X-Ladder-Rule", rule);
    ret = org_send(rq, 200, resp, strlen(text));
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result org_serve_play(org_request *rq, const char *rest)
{
    char location[256];
    const char *rule;
    dev_format forced_format = DEV_FORMAT_HLS, format;
    int forced = query_format(rq, &forced_format);
    struct MHD_Response *resp;
    enum MHD_Result ret;
    org_show *s;

    if (forced < 0)
        return org_send_error(rq, 400);
    s = org_showinfo_get(rq->o->shows, rest); /* an id: no '/' (also a 404) */
    if (!s)
        return org_send_error(rq, 404);
    format = choose(rq, s, forced, forced_format, location, sizeof location, &rule);
    org_show_release(rq->o->shows, s);
    if (org_http_accepts_type(org_header(rq, MHD_HTTP_HEADER_ACCEPT), "application/json"))
        return send_json(rq, format, location, rule);
    resp = org_redirect_response(rq->o, location, "private, no-store");
    if (resp)
        MHD_add_response_header(resp, "X-Ladder-Rule", rule);
    ret = org_send(rq, 302, resp, 0);
    if (resp)
        MHD_destroy_response(resp);
    return ret;
}

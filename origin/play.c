/* play.c: /play/<id>, the one URL whose answer depends on the device asking. It answers 302:
 * to the show's HLS master (/shows/<id>/master.m3u8), or, for a device the rules
 * (devices/devices.xml) send to a progressive MP4, to the best-fitting MP4 fallback of the
 * current version at its versioned URL (/shows/<id>/vN/mp4/<name>.mp4), which never changes
 * under a download in progress when the show is re-ingested; or, for a device the rules send to
 * DASH, to the current version's MPD (/shows/<id>/vN/manifest.mpd), versioned for the same
 * reason: the MPD names segments that a re-ingest does not touch.
 *
 * DASH needs a show packaged in fMP4 (show.json "dash"). A device whose rule says DASH gets HLS
 * for a show without an MPD, and for a show with ad breaks (the origin stitches ads into HLS
 * only; docs/origin.md, "/play and ads"); the JSON answer says why in "note". An explicit
 * `?format=dash` for a show without an MPD is a 404 that says why in one line; for a show with
 * breaks it gets the MPD, without the ads.
 *
 * Only this answer depends on request headers, and it is never cached (private, no-store) and
 * carries no Vary: every URL it sends to is the same for every device, so a CDN keeps one copy
 * of each file (docs/origin.md).
 *
 * `?format=hls`, `?format=mp4` or `?format=dash` overrides the device's format. An MP4 asked
 * for by a device the rules send to HLS or DASH gets the MP4 a desktop decodes: up to 1080
 * lines, Main profile.
 *
 * A client that asks for JSON (Accept: application/json; the player page does) gets the same
 * decision as a 200 body instead of a redirect, {"format", "url", "rule"} (and "note" when a
 * DASH rule was answered with HLS), so the page follows the server's choice and names the rule
 * without a second set of rules of its own.
 *
 * Ads (docs/origin.md, "Ads"): for a show with breaks, a device whose rule says
 * ads="stitched" (players that ignore HLS Interstitials) is sent to the stitched master,
 * /stitched/<id>/master.m3u8, instead of the show's own; `?ads=stitched|interstitials`
 * overrides the rule. The JSON answer then also says "ads" (stitched, interstitials, or mp4) and
 * lists "breaks", each with its ads' MP4s for this device, for the player page's MP4 path; an
 * MPD asked for with ?format=dash says "ads": "none" and lists no breaks. */
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
    else if (strcmp(f, "dash") == 0)
        *format = DEV_FORMAT_DASH;
    else
        return -1;
    return 1;
}

/* The ads delivery the query asks for: 0 none, 1 a valid one in *ads, -1 a bad one. */
static int query_ads(org_request *rq, dev_ads *ads)
{
    const char *a = MHD_lookup_connection_value(rq->connection, MHD_GET_ARGUMENT_KIND, "ads");

    if (!a)
        return 0;
    if (strcmp(a, "stitched") == 0)
        *ads = DEV_ADS_STITCHED;
    else if (strcmp(a, "interstitials") == 0)
        *ads = DEV_ADS_INTERSTITIALS;
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

/* What the query overrides. */
typedef struct overrides {
    int format_forced, ads_forced;
    dev_format format;
    dev_ads ads;
} overrides;

/* What /play answers. */
typedef struct decision {
    dev_format format; /* of the answer */
    int stitched;      /* HLS: the stitched master */
    int no_ads;        /* DASH for a show with breaks (asked for): the MPD carries no ads */
    const char *note;  /* why a DASH rule got HLS (for the JSON answer), or NULL */
    char location[256];
} decision;

/* The one line of an explicit ?format=dash for a show without an MPD. */
#define NO_MPD_LINE                                                                                \
    "no DASH for this show: it is packaged as MPEG-TS, and DASH needs a profile with "             \
    "container=\"fmp4\" (docs/origin.md, \"/play/<id>\")\n"

/* Where the client goes; *route is the device rule's decision (its limits as applied to MP4s,
 * its name for X-Ladder-Rule). Returns 0, or -1 for an explicit ?format=dash on a show without
 * an MPD (a 404 with NO_MPD_LINE). */
static int choose(org_request *rq, const org_show *s, const overrides *ov, decision *d,
                  dev_route *out)
{
    dev_client client = {org_header(rq, MHD_HTTP_HEADER_USER_AGENT),
                         org_header(rq, "Sec-CH-UA-Mobile"), org_header(rq, "Sec-CH-UA-Platform")};
    dev_route route;
    const org_mp4 *m = NULL;
    dev_format want;

    dev_route_client(rq->o->device_rules, &client, &route);
    /* An MP4 for a device the rules send to HLS or DASH is a desktop's (and so are its ads'). */
    if (route.format != DEV_FORMAT_MP4) {
        route.max_height = FORCED_MP4_MAX_HEIGHT;
        route.profile_idc = FORCED_MP4_PROFILE_IDC;
    }
    *out = route;
    *d = (decision){.format = DEV_FORMAT_HLS};
    want = ov->format_forced ? ov->format : route.format;
    if (want == DEV_FORMAT_MP4)
        m = best_mp4(s, route.max_height, route.profile_idc);
    if (m) { /* a show without MP4s gets HLS, whatever was asked */
        snprintf(d->location, sizeof d->location, "/shows/%s/%s/mp4/%s.mp4", s->id,
                 s->key.version_dir, m->name);
        d->format = DEV_FORMAT_MP4;
        return 0;
    }
    if (want == DEV_FORMAT_DASH && !s->dash_path[0]) {
        if (ov->format_forced)
            return -1;
        d->note = "the show is packaged as MPEG-TS and has no DASH MPD: HLS instead";
    } else if (want == DEV_FORMAT_DASH && s->n_breaks > 0 && !ov->format_forced) {
        /* The ads are stitched into HLS only; the TV rules were sent that before DASH came. */
        d->note = "the show has ad breaks, which the origin delivers in HLS only: HLS instead";
    } else if (want == DEV_FORMAT_DASH) {
        snprintf(d->location, sizeof d->location, "/shows/%s/%s/%s", s->id, s->key.version_dir,
                 s->dash_path);
        d->format = DEV_FORMAT_DASH;
        d->no_ads = s->n_breaks > 0;
        return 0;
    }
    /* Stitched only where there is something to stitch: a show without breaks keeps its own,
     * immutable playlists. */
    d->stitched = s->n_breaks > 0 && (ov->ads_forced ? ov->ads : route.ads) == DEV_ADS_STITCHED;
    snprintf(d->location, sizeof d->location,
             d->stitched ? "/stitched/%s/master.m3u8" : "/shows/%s/master.m3u8", s->id);
    return 0;
}

/* "breaks": each break with its ads (ads.c decides, as for the asset list and the stitched
 * playlists) and the MP4 of each ad that fits the device (NULL if the ad has none). */
static json_t *breaks_json(origin *o, const org_show *s, const dev_route *route)
{
    json_t *list = json_array();
    char url[256];

    for (int b = 0; list && b < s->n_breaks; b++) {
        org_ad_fill fill;
        json_t *ads = json_array();
        org_ads_fill(o->ads, s, b, &fill);
        for (int i = 0; i < fill.n; i++) {
            const org_show *ad = fill.ad[i];
            const org_mp4 *m = best_mp4(ad, route->max_height, route->profile_idc);
            if (m)
                snprintf(url, sizeof url, "/shows/%s/%s/mp4/%s.mp4", ad->id, ad->key.version_dir,
                         m->name);
            json_array_append_new(ads, json_pack("{s:s,s:f,s:s?}", "show", ad->id, "duration",
                                                 ad->duration, "mp4", m ? url : NULL));
        }
        org_ad_fill_release(o->ads, &fill);
        json_array_append_new(list, json_pack("{s:s,s:f,s:f,s:o}", "id", s->breaks[b].id, "time",
                                              s->breaks[b].time, "duration", s->breaks[b].duration,
                                              "ads", ads));
    }
    return list;
}

/* How a show's breaks reach the device under decision d. */
static const char *ads_name(const decision *d)
{
    if (d->format == DEV_FORMAT_MP4)
        return "mp4";
    if (d->no_ads)
        return "none";
    return d->stitched ? "stitched" : "interstitials";
}

/* The decision as JSON, for the player page; with "note" when a DASH rule got HLS, and "ads"
 * and "breaks" for a show with breaks ("ads" alone when the MPD carries none). */
static enum MHD_Result send_json(org_request *rq, const org_show *s, const decision *d,
                                 const dev_route *route)
{
    const char *rule = route->rule;
    json_t *o = json_pack("{s:s,s:s,s:s}", "format", dev_format_name(d->format), "url", d->location,
                          "rule", rule);
    char *text;

    if (o && d->note)
        json_object_set_new(o, "note", json_string(d->note));
    if (o && s->n_breaks > 0) {
        json_object_set_new(o, "ads", json_string(ads_name(d)));
        if (!d->no_ads)
            json_object_set_new(o, "breaks", breaks_json(rq->o, s, route));
    }
    text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9)) : NULL;
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
    overrides ov = {0};
    dev_route route;
    decision d;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    org_show *s;

    ov.format_forced = query_format(rq, &ov.format);
    ov.ads_forced = query_ads(rq, &ov.ads);
    if (ov.format_forced < 0 || ov.ads_forced < 0)
        return org_send_error(rq, 400);
    s = org_showinfo_get(rq->o->shows, rest); /* an id: no '/' (also a 404) */
    if (!s)
        return org_send_error(rq, 404);
    if (choose(rq, s, &ov, &d, &route) < 0) {
        org_show_release(rq->o->shows, s);
        return org_send_error_says(rq, 404, NO_MPD_LINE);
    }
    if (org_http_accepts_type(org_header(rq, MHD_HTTP_HEADER_ACCEPT), "application/json")) {
        ret = send_json(rq, s, &d, &route);
        org_show_release(rq->o->shows, s);
        return ret;
    }
    org_show_release(rq->o->shows, s);
    resp = org_redirect_response(rq->o, d.location, "private, no-store");
    if (resp)
        MHD_add_response_header(resp, "X-Ladder-Rule", route.rule);
    ret = org_send(rq, 302, resp, 0);
    if (resp)
        MHD_destroy_response(resp);
    return ret;
}

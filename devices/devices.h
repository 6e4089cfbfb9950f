/* devices.h: Ladder's device rules, what `/play/<id>` sends a client to: the HLS master
 * playlist, the DASH MPD (a show packaged in fMP4 has one) or one progressive MP4 fallback,
 * chosen from its User-Agent and client hints.
 *
 * Rules are an XML file (devices.xml, checked against the built-in devices.xsd), tried in
 * order; the first whose conditions all hold decides. The default set (devices/devices.xml) is
 * built into the program.
 *
 * Order of use: dev_load (a file), dev_load_memory or dev_load_default, once; then
 * dev_route_client for each request, from any number of threads (a loaded rule set is
 * read-only); dev_free at the end. Depends on core only (and libxml2 inside). */
#ifndef LADDER_DEVICES_H
#define LADDER_DEVICES_H

#include <stddef.h>

#include "ladder.h"

/* DASH is what the rule prefers; a show without an MPD (MPEG-TS) is answered with HLS, under
 * the same rule (docs/origin.md, "/play/<id>"). */
typedef enum { DEV_FORMAT_HLS = 0, DEV_FORMAT_MP4 = 1, DEV_FORMAT_DASH = 2 } dev_format;

/* "hls", "mp4" or "dash": the spelling of devices.xml and of `?format=`. Never NULL. */
const char *dev_format_name(dev_format f);

/* How an HLS device gets a show's ad breaks: HLS Interstitials in the show's own playlists
 * (the player fetches the ads), or the origin's stitched playlists (ads spliced in). */
typedef enum { DEV_ADS_INTERSTITIALS = 0, DEV_ADS_STITCHED = 1 } dev_ads;

/* What a request says about its client: header values, NULL when absent. */
typedef struct dev_client {
    const char *user_agent;
    const char *ch_mobile;   /* Sec-CH-UA-Mobile, e.g. "?1" */
    const char *ch_platform; /* Sec-CH-UA-Platform, e.g. "\"Android\"" */
} dev_client;

/* The decision. For MP4: the tallest MP4 rendition no taller than max_height whose profile is
 * at most profile_idc (66 Baseline, 77 Main, 100 High). */
typedef struct dev_route {
    dev_format format;
    int max_height;
    int profile_idc;
    dev_ads ads;      /* for HLS (and DASH, which falls back to HLS): the rule's ads attribute
                         (default interstitials) */
    const char *rule; /* the deciding rule's name; valid while the rule set is */
} dev_route;

/* A loaded rule set. */
typedef struct dev_rules dev_rules;

/* Load a rule set (errors read "FILE:LINE: problem"); free with dev_free. */
int dev_load(const char *path, dev_rules **out, ladder_error *err);
int dev_load_memory(const char *xml, size_t len, const char *name, dev_rules **out,
                    ladder_error *err);
int dev_load_default(dev_rules **out, ladder_error *err);
void dev_free(dev_rules *d);
/* The rule set's name attribute ("" if none). */
const char *dev_name(const dev_rules *d);

/* The first rule whose conditions all hold decides; none (or d NULL): HLS. Safe from many
 * threads. */
void dev_route_client(const dev_rules *d, const dev_client *c, dev_route *out);

#endif

/* profile.c: reads encoding ladders from XML. A profile is parsed with libxml2, checked against the
 * built-in schema (ladder-profile.xsd), then against the rules a schema cannot express, using
 * x264's own level table and preset names, and per-title's bounds against the step rule
 * (per_title.c); every failure names the file and line at fault. Also writes a ladder back as
 * a profile document that reads back to the same ladder. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlschemastypes.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x264.h>

#include "ladder_xml.h"
#include "profiles.h"

/* Generated from ladder-profile.xsd and pbs16.xml by cmake/embed.cmake. */
extern const char prof_schema_xsd[];
extern const size_t prof_schema_xsd_len;
extern const char prof_default_xml[];
extern const size_t prof_default_xml_len;

#define PROF_DEFAULT_NAME "<built-in pbs16.xml>"

/* Reads a decimal attribute in thousandths, exactly: the schema allows "DD" or "DD.ddd" only
 * (seconds, PSNR, step ratios), and a locale-independent parse avoids strtod's "2,5" in some
 * locales. The value is then ms / 1000.0, the double nearest the decimal, as strtod would give
 * in the C locale. */
static int millis_attr(const xmlNode *node, const char *key, const char *def, long *ms)
{
    char buf[PROF_NAME_MAX];
    const char *p = buf;
    long scale = 1000;
    int rc = ladder_xml_attr_or(node, key, def, buf, sizeof buf);

    if (rc < 0)
        return rc;
    *ms = 0;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    for (; *p >= '0' && *p <= '9'; p++)
        *ms = *ms * 10 + (*p - '0') * 1000;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && scale > 1; p++)
            *ms += (*p - '0') * (scale /= 10);
    return 0;
}

/* Writes a value in thousandths as the shortest decimal the schema accepts: "2", "1.15",
 * "1.001". */
static void milli_text(long ms, char *buf, size_t size)
{
    size_t n;

    if (ms % 1000 == 0) {
        snprintf(buf, size, "%ld", ms / 1000);
        return;
    }
    snprintf(buf, size, "%ld.%03ld", ms / 1000, ms % 1000);
    n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
}

/* The thousandths nearest a non-negative double: exact for anything millis_attr read. */
static long to_millis(double v)
{
    return (long)(v * 1000.0 + 0.5);
}

/* The x264 level entry for level_idc, or NULL if x264 does not know it. */
static const x264_level_t *find_level(int level_idc)
{
    const x264_level_t *l;

    for (l = x264_levels; l->level_idc != 0; l++)
        if (l->level_idc == level_idc)
            return l;
    return NULL;
}

/* 1 if name is one of the linked x264's presets. */
static int known_preset(const char *name)
{
    int i;

    for (i = 0; x264_preset_names[i]; i++)
        if (strcmp(x264_preset_names[i], name) == 0)
            return 1;
    return 0;
}

/* Reads and checks the <ladder> element's per-title attributes into out. Returns 0 or a negative
 * code with the failure recorded in lc. */
static int read_ladder_per_title(ladder_xml_ctx *lc, const xmlNode *node, prof_ladder *out)
{
    char smin[24], smax[24];
    long psnr_ms, min_ms, max_ms;

    if (millis_attr(node, "per-title-psnr-max", "45", &psnr_ms) < 0 ||
        millis_attr(node, "per-title-step-min", "1.15", &min_ms) < 0 ||
        millis_attr(node, "per-title-step-max", "2", &max_ms) < 0)
        return ladder_xml_fail_line(lc, LADDER_ENOMEM, 0, "out of memory");
    out->pt_psnr_max = (double)psnr_ms / 1000.0;
    out->pt_step_min = (double)min_ms / 1000.0;
    out->pt_step_max = (double)max_ms / 1000.0;
    milli_text(min_ms, smin, sizeof smin);
    milli_text(max_ms, smax, sizeof smax);
    if (min_ms < 1050)
        return ladder_xml_fail_at(lc, node,
                                  "per-title-step-min %s is under 1.05: two rungs that close are "
                                  "the same stream",
                                  smin);
    /* Apple TN2224 (docs/hls-rules.md): adjacent variants at most a factor of 2 apart. */
    if (max_ms > 2000)
        return ladder_xml_fail_at(lc, node,
                                  "per-title-step-max %s is over 2: Apple (TN2224, "
                                  "docs/hls-rules.md) wants adjacent variants at most a factor "
                                  "of 2 apart",
                                  smax);
    if (min_ms >= max_ms)
        return ladder_xml_fail_at(
            lc, node, "per-title-step-min %s is not below per-title-step-max %s", smin, smax);
    return 0;
}

/* Reads and checks the <ladder> element's own attributes into out. Returns 0 or a negative code
 * with the failure recorded in lc. */
static int read_ladder_attrs(ladder_xml_ctx *lc, const xmlNode *node, prof_ladder *out)
{
    char container[16], thumbnails[8];
    long gop_ms, seg_ms;

    if (ladder_xml_attr_or(node, "name", "", out->name, sizeof out->name) < 0 ||
        ladder_xml_attr_or(node, "preset", "veryfast", out->preset, sizeof out->preset) < 0 ||
        ladder_xml_attr_or(node, "container", "ts", container, sizeof container) < 0 ||
        ladder_xml_attr_or(node, "thumbnails", "on", thumbnails, sizeof thumbnails) < 0 ||
        ladder_xml_int_attr(node, "audio-channels", 2, &out->audio_channels) < 0 ||
        millis_attr(node, "gop-seconds", "2", &gop_ms) < 0 ||
        millis_attr(node, "segment-seconds", "6", &seg_ms) < 0)
        return ladder_xml_fail_line(lc, LADDER_ENOMEM, 0, "out of memory");
    out->container = strcmp(container, "fmp4") == 0 ? PROF_CONTAINER_FMP4 : PROF_CONTAINER_TS;
    out->thumbnails_off = strcmp(thumbnails, "off") == 0;
    out->gop_seconds = (double)gop_ms / 1000.0;
    out->segment_seconds = (double)seg_ms / 1000.0;
    if (!known_preset(out->preset))
        return ladder_xml_fail_at(lc, node, "unknown x264 preset '%s'", out->preset);
    /* Every segment must start on an IDR frame for the rungs to switch cleanly. */
    if (gop_ms <= 0 || seg_ms % gop_ms != 0)
        return ladder_xml_fail_at(lc, node,
                                  "segment-seconds %g is not a whole multiple of gop-seconds %g",
                                  out->segment_seconds, out->gop_seconds);
    /* A playlist's EXT-X-TARGETDURATION is whole seconds, and the validator holds it to the
     * segment length rounded: under a second there is nothing honest to write. */
    if (seg_ms < 1000)
        return ladder_xml_fail_at(lc, node,
                                  "segment-seconds %g is under 1: HLS target durations are whole "
                                  "seconds",
                                  out->segment_seconds);
    return read_ladder_per_title(lc, node, out);
}

/* Reads one <rung>'s attributes into r (no checks beyond the schema's). Returns 0 or
 * LADDER_ENOMEM. */
static int read_rung_attrs(const xmlNode *node, prof_rung *r)
{
    char use[16], level[16], size[16];

    if (ladder_xml_attr_or(node, "name", "", r->name, sizeof r->name) < 0 ||
        ladder_xml_attr_or(node, "use", "hls", use, sizeof use) < 0 ||
        ladder_xml_attr_or(node, "profile", "", r->h264_profile, sizeof r->h264_profile) < 0 ||
        ladder_xml_attr_or(node, "level", "0.0", level, sizeof level) < 0 ||
        ladder_xml_int_attr(node, "width", 0, &r->width) < 0 ||
        ladder_xml_int_attr(node, "height", 0, &r->height) < 0 ||
        ladder_xml_int_attr(node, "video-kbps", 0, &r->video_kbps) < 0 ||
        ladder_xml_int_attr(node, "maxrate-kbps", 0, &r->maxrate_kbps) < 0 ||
        ladder_xml_int_attr(node, "bufsize-kbps", 0, &r->bufsize_kbps) < 0 ||
        ladder_xml_int_attr(node, "audio-kbps", 0, &r->audio_kbps) < 0 ||
        ladder_xml_int_attr(node, "max-fps", 0, &r->max_fps) < 0 ||
        ladder_xml_int_attr(node, "per-title-min-kbps", 0, &r->pt_min_kbps) < 0 ||
        ladder_xml_int_attr(node, "per-title-max-kbps", 0, &r->pt_max_kbps) < 0 ||
        ladder_xml_attr_or(node, "per-title-size", "free", size, sizeof size) < 0)
        return LADDER_ENOMEM;
    r->use = strcmp(use, "mp4") == 0 ? PROF_USE_MP4 : PROF_USE_HLS;
    /* The schema's kbps type starts at 1, so 0 means absent. */
    if (r->pt_min_kbps == 0)
        r->pt_min_kbps = (r->video_kbps + 4) / 5;
    if (r->pt_max_kbps == 0)
        r->pt_max_kbps = r->video_kbps;
    /* An MP4 rung saying "free" is refused by check_rung_per_title. */
    r->pt_fixed_size = r->use == PROF_USE_MP4 || strcmp(size, "fixed") == 0;
    /* The schema guarantees "D.D". */
    r->level_idc = (level[0] - '0') * 10 + (level[2] - '0');
    return 0;
}

/* Largest s with s * s <= v (v >= 0). */
static int isqrt(int v)
{
    int s = 0;

    while ((s + 1) * (s + 1) <= v)
        s++;
    return s;
}

/* Checks rung r's picture against level l the way x264 does: frame size and side length in
 * macroblocks, and the macroblock rate at max-fps. Returns 0 or LADDER_EINVAL. */
static int check_level_size(ladder_xml_ctx *lc, const xmlNode *node, const prof_rung *r,
                            const x264_level_t *l)
{
    int mbw = (r->width + 15) / 16, mbh = (r->height + 15) / 16;
    int lv = r->level_idc / 10, lm = r->level_idc % 10;

    if (mbw * mbh > l->frame_size || mbw * mbw > 8 * l->frame_size || mbh * mbh > 8 * l->frame_size)
        return ladder_xml_fail_at(
            lc, node,
            "rung '%s': %dx%d is %dx%d macroblocks; level %d.%d allows %d in all and "
            "%d on a side",
            r->name, r->width, r->height, mbw, mbh, lv, lm, (int)l->frame_size,
            isqrt(8 * l->frame_size));
    if ((int64_t)r->max_fps * mbw * mbh > l->mbps)
        return ladder_xml_fail_at(
            lc, node, "rung '%s': max-fps %d needs %d macroblocks/s; level %d.%d allows %d",
            r->name, r->max_fps, r->max_fps * mbw * mbh, lv, lm, (int)l->mbps);
    return 0;
}

/* Checks rung r's VBV rate and buffer against level l the way x264 does: High may use 5/4 of
 * the table's Baseline/Main figures. `note` ends the message ("" for the rung as written).
 * Returns 0 or LADDER_EINVAL. */
static int check_level_rates(ladder_xml_ctx *lc, const xmlNode *node, const prof_rung *r,
                             const x264_level_t *l, const char *note)
{
    int factor = ladder_h264_profile_idc(r->h264_profile) == 100 ? 5 : 4;
    int max_rate = (int)((int64_t)l->bitrate * factor / 4);
    int max_buf = (int)((int64_t)l->cpb * factor / 4);
    int lv = r->level_idc / 10, lm = r->level_idc % 10;

    if (r->maxrate_kbps > max_rate)
        return ladder_xml_fail_at(
            lc, node, "rung '%s': maxrate-kbps %d is over level %d.%d's %d for %s%s", r->name,
            r->maxrate_kbps, lv, lm, max_rate, r->h264_profile, note);
    if (r->bufsize_kbps > max_buf)
        return ladder_xml_fail_at(lc, node,
                                  "rung '%s': bufsize-kbps %d is over level %d.%d's %d for %s%s",
                                  r->name, r->bufsize_kbps, lv, lm, max_buf, r->h264_profile, note);
    return 0;
}

/* Checks rung r against its H.264 level, looked up in x264's own table. Returns 0 or
 * LADDER_EINVAL. */
static int check_level(ladder_xml_ctx *lc, const xmlNode *node, const prof_rung *r)
{
    const x264_level_t *l = find_level(r->level_idc);
    int rc;

    if (!l)
        return ladder_xml_fail_at(lc, node, "rung '%s': x264 does not know H.264 level %d.%d",
                                  r->name, r->level_idc / 10, r->level_idc % 10);
    rc = check_level_size(lc, node, r, l);
    return rc < 0 ? rc : check_level_rates(lc, node, r, l, "");
}

/* kbps * scale to the nearest integer, at least `least`: the chooser's VBV scaling (set_rung in
 * per_title.c), without libm. Held under INT_MAX (any level refuses that much anyway): the
 * schema allows 1 kbps scaled to 1,000,000. */
static int scale_kbps(int kbps, double scale, int least)
{
    double v = kbps * scale + 0.5;

    if (v > INT_MAX)
        return INT_MAX;
    return (int)v > least ? (int)v : least;
}

/* Checks rung r's per-title bounds on their own: an MP4 rung keeps its box, min <= max, and at
 * its per-title ceiling the VBV, scaled in the profile's proportion as the chooser scales it
 * (per_title.c), still fits the level. Runs after check_level, so the level is known. Returns 0
 * or LADDER_EINVAL. */
static int check_rung_per_title(ladder_xml_ctx *lc, const xmlNode *node, const prof_rung *r)
{
    char size[16], note[96];
    int has_min, has_max;
    double scale;
    prof_rung top;

    if (ladder_xml_attr_or(node, "per-title-size", "", size, sizeof size) < 0 ||
        (has_min = ladder_xml_get_attr(node, "per-title-min-kbps", note, sizeof note)) < 0 ||
        (has_max = ladder_xml_get_attr(node, "per-title-max-kbps", note, sizeof note)) < 0)
        return ladder_xml_fail_line(lc, LADDER_ENOMEM, 0, "out of memory");
    if (r->use == PROF_USE_MP4 && strcmp(size, "free") == 0)
        return ladder_xml_fail_at(lc, node,
                                  "rung '%s': per-title-size=\"free\" on an MP4 rung: its "
                                  "picture is fixed, old phones were promised it",
                                  r->name);
    if (r->pt_min_kbps > r->pt_max_kbps)
        return ladder_xml_fail_at(lc, node,
                                  "rung '%s': per-title-min-kbps %d%s is above "
                                  "per-title-max-kbps %d%s",
                                  r->name, r->pt_min_kbps,
                                  has_min ? "" : " (the default, a fifth of video-kbps)",
                                  r->pt_max_kbps, has_max ? "" : " (the default, video-kbps)");
    top = *r;
    scale = (double)r->pt_max_kbps / r->video_kbps;
    top.maxrate_kbps = scale_kbps(r->maxrate_kbps, scale, r->pt_max_kbps);
    top.bufsize_kbps = scale_kbps(r->bufsize_kbps, scale, 1);
    snprintf(note, sizeof note,
             " at per-title-max-kbps %d (the VBV keeps the profile's proportion)", r->pt_max_kbps);
    return check_level_rates(lc, node, &top, find_level(r->level_idc), note);
}

/* Checks rung r on its own (sizes, rates, level, per-title bounds). Returns 0 or LADDER_EINVAL.
 * bufsize-kbps > 0 needs no check here: the schema's kbps type starts at 1. */
static int check_rung(ladder_xml_ctx *lc, const xmlNode *node, const prof_rung *r)
{
    int rc;

    if (r->width % 2 != 0 || r->height % 2 != 0)
        return ladder_xml_fail_at(lc, node, "rung '%s': %dx%d: width and height must be even",
                                  r->name, r->width, r->height);
    if (r->maxrate_kbps < r->video_kbps)
        return ladder_xml_fail_at(lc, node, "rung '%s': maxrate-kbps %d is below video-kbps %d",
                                  r->name, r->maxrate_kbps, r->video_kbps);
    rc = check_level(lc, node, r);
    return rc < 0 ? rc : check_rung_per_title(lc, node, r);
}

/* Reads every <rung> child of the ladder element into out, and its element into nodes[], checking
 * each one and that names are unique. Returns 0 or a negative code with the failure recorded in
 * lc. */
static int read_rungs(ladder_xml_ctx *lc, const xmlNode *ladder, prof_ladder *out,
                      const xmlNode *nodes[PROF_MAX_RUNGS])
{
    const xmlNode *node;
    int i, n = 0, rc;

    for (node = xmlFirstElementChild((xmlNodePtr)ladder); node && n < PROF_MAX_RUNGS;
         node = xmlNextElementSibling((xmlNodePtr)node)) {
        prof_rung *r = &out->rungs[n];

        memset(r, 0, sizeof *r);
        if (read_rung_attrs(node, r) < 0)
            return ladder_xml_fail_line(lc, LADDER_ENOMEM, 0, "out of memory");
        for (i = 0; i < n; i++)
            if (strcmp(out->rungs[i].name, r->name) == 0)
                return ladder_xml_fail_at(lc, node, "rung name '%s' is already used on line %ld",
                                          r->name, xmlGetLineNo(nodes[i]));
        rc = check_rung(lc, node, r);
        if (rc < 0)
            return rc;
        nodes[n++] = node;
    }
    out->n_rungs = n;
    return 0;
}

/* Checks that the rungs' per-title bounds, with the step rule between adjacent HLS rungs, leave
 * every HLS rung a bitrate (prof_per_title_check), so per-title can never be handed a profile
 * it cannot satisfy. Profiles without per-title attributes are checked too, with the defaults.
 * Returns 0 or LADDER_EINVAL at the first rung left without one. */
static int check_per_title_chain(ladder_xml_ctx *lc, const prof_ladder *l,
                                 const xmlNode *const nodes[PROF_MAX_RUNGS])
{
    double lo[PROF_MAX_RUNGS], hi[PROF_MAX_RUNGS];
    char smin[24], smax[24];
    const prof_rung *r;
    int bad = prof_per_title_check(l, lo, hi);

    if (bad < 0 || bad >= l->n_rungs)
        return 0;
    r = &l->rungs[bad];
    milli_text(to_millis(l->pt_step_min), smin, sizeof smin);
    milli_text(to_millis(l->pt_step_max), smax, sizeof smax);
    return ladder_xml_fail_at(lc, nodes[bad],
                              "rung '%s': its per-title bounds (%d-%d kbps) leave no bitrate "
                              "within the step rule (%s-%sx the next HLS rung's total); "
                              "check its neighbours' bounds",
                              r->name, r->pt_min_kbps, r->pt_max_kbps, smin, smax);
}

int prof_load_memory(const char *xml, size_t len, const char *name, prof_ladder *out,
                     ladder_error *err)
{
    static const ladder_xml_schema schema = {"ladder-profile.xsd", prof_schema_xsd, 0};
    ladder_xml_schema xsd = schema;
    ladder_xml_ctx lc = {name, err, 0, 0};
    const xmlNode *nodes[PROF_MAX_RUNGS];
    xmlDocPtr doc = NULL;
    prof_ladder tmp;
    int rc;

    if (!xml || !name || !out)
        return ladder_error_set(err, LADDER_EINVAL, "prof_load_memory: NULL argument");
    xsd.len = prof_schema_xsd_len;
    memset(&tmp, 0, sizeof tmp);
    rc = ladder_xml_load(&lc, xml, len, &xsd, &doc);
    if (rc == 0)
        rc = read_ladder_attrs(&lc, xmlDocGetRootElement(doc), &tmp);
    if (rc == 0)
        rc = read_rungs(&lc, xmlDocGetRootElement(doc), &tmp, nodes);
    if (rc == 0)
        rc = check_per_title_chain(&lc, &tmp, nodes);
    xmlFreeDoc(doc);
    if (rc == 0)
        *out = tmp;
    return rc;
}

int prof_load(const char *path, prof_ladder *out, ladder_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc;

    if (!path || !out)
        return ladder_error_set(err, LADDER_EINVAL, "prof_load: NULL argument");
    rc = ladder_xml_read_file(path, &data, &len, err);
    if (rc == 0)
        rc = prof_load_memory(data, len, path, out, err);
    free(data);
    return rc;
}

int prof_load_default(prof_ladder *out, ladder_error *err)
{
    return prof_load_memory(prof_default_xml, prof_default_xml_len, PROF_DEFAULT_NAME, out, err);
}

const prof_rung *prof_find_rung(const prof_ladder *ladder, const char *name)
{
    int i;

    if (!ladder || !name)
        return NULL;
    for (i = 0; i < ladder->n_rungs && i < PROF_MAX_RUNGS; i++)
        if (strcmp(ladder->rungs[i].name, name) == 0)
            return &ladder->rungs[i];
    return NULL;
}

/* Writes rung r as one <rung> element, every attribute explicit. */
static void format_rung(const prof_rung *r, ladder_text *out)
{
    ladder_text_printf(out,
                       "  <rung name=\"%s\" use=\"%s\" width=\"%d\" height=\"%d\" "
                       "video-kbps=\"%d\" maxrate-kbps=\"%d\" bufsize-kbps=\"%d\" "
                       "profile=\"%s\" level=\"%d.%d\" audio-kbps=\"%d\"",
                       r->name, r->use == PROF_USE_MP4 ? "mp4" : "hls", r->width, r->height,
                       r->video_kbps, r->maxrate_kbps, r->bufsize_kbps, r->h264_profile,
                       r->level_idc / 10, r->level_idc % 10, r->audio_kbps);
    if (r->max_fps > 0)
        ladder_text_printf(out, " max-fps=\"%d\"", r->max_fps);
    ladder_text_printf(out,
                       " per-title-min-kbps=\"%d\" per-title-max-kbps=\"%d\" "
                       "per-title-size=\"%s\"/>\n",
                       r->pt_min_kbps, r->pt_max_kbps,
                       r->pt_fixed_size || r->use == PROF_USE_MP4 ? "fixed" : "free");
}

/* The decimals go out in thousandths, the schema's precision, as millis_attr reads them: a
 * ladder that was loaded (or chosen from one) reads back bit for bit. A double set by hand with
 * more digits comes back rounded to the thousandth. */
void prof_format_xml(const prof_ladder *ladder, ladder_text *out)
{
    char gop[24], seg[24], psnr[24], smin[24], smax[24];
    int i;

    if (!ladder || !out)
        return;
    milli_text(to_millis(ladder->gop_seconds), gop, sizeof gop);
    milli_text(to_millis(ladder->segment_seconds), seg, sizeof seg);
    milli_text(to_millis(ladder->pt_psnr_max), psnr, sizeof psnr);
    milli_text(to_millis(ladder->pt_step_min), smin, sizeof smin);
    milli_text(to_millis(ladder->pt_step_max), smax, sizeof smax);
    ladder_text_printf(out,
                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<ladder xmlns=\"urn:ladder:profile:1\" name=\"%s\" preset=\"%s\" "
                       "gop-seconds=\"%s\" segment-seconds=\"%s\" container=\"%s\" "
                       "thumbnails=\"%s\" audio-channels=\"%d\" per-title-psnr-max=\"%s\" "
                       "per-title-step-min=\"%s\" per-title-step-max=\"%s\">\n",
                       ladder->name, ladder->preset, gop, seg,
                       ladder->container == PROF_CONTAINER_FMP4 ? "fmp4" : "ts",
                       ladder->thumbnails_off ? "off" : "on", ladder->audio_channels, psnr, smin,
                       smax);
    for (i = 0; i < ladder->n_rungs && i < PROF_MAX_RUNGS; i++)
        format_rung(&ladder->rungs[i], out);
    ladder_text_printf(out, "</ladder>\n");
}

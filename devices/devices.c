/* devices.c: device rules (devices.xml): what `/play/<id>` answers a given client with, HLS,
 * DASH or one progressive MP4. The file is checked against the built-in devices.xsd; each rule's
 * user-agent pattern is compiled once, with POSIX regcomp, and matching is read-only, so one
 * loaded rule set serves every server thread. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "devices.h"
#include "ladder_xml.h"

/* Generated from devices.xsd and devices.xml by cmake/embed.cmake. */
extern const char dev_xsd[];
extern const size_t dev_xsd_len;
extern const char dev_default_xml[];
extern const size_t dev_default_xml_len;

#define MAX_RULES 128 /* the schema's maxOccurs */

typedef struct device_rule {
    char name[LADDER_NAME_MAX];
    int has_user_agent;
    regex_t user_agent;
    char ch_mobile[4];    /* "?0", "?1" or "" for any */
    char ch_platform[32]; /* without quotes; "" for any */
    dev_route route;
} device_rule;

struct dev_rules {
    char name[LADDER_NAME_MAX];
    int n_rules;
    device_rule rules[MAX_RULES];
};

/* glibc's regcomp writes a repetition out as copies of what it repeats, so repetitions of
 * repetitions multiply: "a" followed by 22 '+' takes 3 GB, and "(a{1,200}){1,200}" or
 * "a{9}{9}{9}" as much (found by fuzz_devices). User-agent rules need none of that, so a
 * pattern is refused before regcomp if it stacks two repetitions ("a+*"), nests them more
 * than two deep ("((a+)+)+"), bounds something already repeated ("(a+){2}"), has a bound
 * over MAX_BOUND, or bounds adding up to more than MAX_BOUNDS_TOTAL. "Android [0-9]+(\.[0-9]+)*"
 * is fine. Returns NULL if the pattern is tame, else why not. */
#define MAX_BOUND        255
#define MAX_BOUNDS_TOTAL 1024
#define MAX_REPEAT_DEPTH 2
#define MAX_GROUP_DEPTH  32

static const char *pattern_too_costly(const char *p)
{
    int inner[MAX_GROUP_DEPTH + 1] = {0}; /* per open group: its deepest repetition */
    int depth = 0, total = 0;
    int atom = 0;    /* repetition depth of what a quantifier here would repeat */
    int stacked = 0; /* the last token was a quantifier */

    for (; *p; p++) {
        int bounded = 0;
        if (*p == '\\' && p[1]) {
            p++, atom = 0, stacked = 0;
            continue;
        }
        if (*p == '[') { /* a bracket expression; a ']' first is a literal */
            p += p[1] == '^' ? 2 : 1;
            p += *p == ']';
            while (*p && *p != ']')
                p++;
            if (!*p)
                return NULL; /* unterminated: regcomp says so */
            atom = 0, stacked = 0;
            continue;
        }
        if (*p == '(') {
            if (depth == MAX_GROUP_DEPTH)
                return "groups nest too deep";
            inner[++depth] = 0;
            atom = 0, stacked = 0;
            continue;
        }
        if (*p == ')' && depth > 0) {
            atom = inner[depth--];
            inner[depth] = atom > inner[depth] ? atom : inner[depth];
            stacked = 0;
            continue;
        }
        if (*p == '{') {
            char *end;
            long lo = strtol(p + 1, &end, 10), hi = lo;
            if (*end == ',')
                hi = end[1] == '}' ? lo : strtol(end + 1, &end, 10);
            if (lo < 0 || hi < 0 || lo > MAX_BOUND || hi > MAX_BOUND)
                return "a {m,n} bound is over 255";
            total += (int)(hi > lo ? hi : lo);
            if (total > MAX_BOUNDS_TOTAL)
                return "its {m,n} bounds add up to over 1024";
            while (*p && *p != '}')
                p++;
            if (!*p)
                return NULL;
            bounded = 1;
        } else if (*p != '*' && *p != '+' && *p != '?') {
            atom = 0, stacked = 0;
            continue;
        }
        if (stacked)
            return "it repeats a repetition";
        if (bounded && atom > 0)
            return "a {m,n} repeats something already repeated";
        if (++atom > MAX_REPEAT_DEPTH)
            return "its repetitions nest more than two deep";
        inner[depth] = atom > inner[depth] ? atom : inner[depth];
        stacked = 1;
    }
    return NULL;
}

static int read_conditions(ladder_xml_ctx *lc, const xmlNode *node, device_rule *r)
{
    char pattern[1024];
    int rc = ladder_xml_get_attr(node, "user-agent", pattern, sizeof pattern), code;
    const char *costly;

    if (rc > 0 && (costly = pattern_too_costly(pattern)) != NULL)
        return ladder_xml_fail_at(lc, node, "rule '%s': user-agent pattern too costly: %s", r->name,
                                  costly);
    if (rc > 0) {
        code = regcomp(&r->user_agent, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (code != 0) {
            char why[200];
            regerror(code, &r->user_agent, why, sizeof why);
            return ladder_xml_fail_at(lc, node, "rule '%s': bad user-agent pattern: %s", r->name,
                                      why);
        }
        r->has_user_agent = 1;
    }
    if (rc >= 0)
        rc = ladder_xml_attr_or(node, "ch-mobile", "", r->ch_mobile, sizeof r->ch_mobile);
    if (rc >= 0)
        rc = ladder_xml_attr_or(node, "ch-platform", "", r->ch_platform, sizeof r->ch_platform);
    return rc < 0 ? ladder_xml_fail_line(lc, LADDER_ENOMEM, 0, "out of memory") : 0;
}

static int read_decision(ladder_xml_ctx *lc, const xmlNode *node, device_rule *r)
{
    char format[8], profile[16], ads[16];
    int rc = ladder_xml_attr_or(node, "format", "hls", format, sizeof format);

    if (rc >= 0)
        rc = ladder_xml_attr_or(node, "profile", "baseline", profile, sizeof profile);
    if (rc >= 0)
        rc = ladder_xml_attr_or(node, "ads", "interstitials", ads, sizeof ads);
    if (rc >= 0)
        rc = ladder_xml_int_attr(node, "max-height", 1080, &r->route.max_height);
    if (rc < 0)
        return ladder_xml_fail_line(lc, LADDER_ENOMEM, 0, "out of memory");
    /* the schema allows these three only */
    r->route.format = strcmp(format, "mp4") == 0    ? DEV_FORMAT_MP4
                      : strcmp(format, "dash") == 0 ? DEV_FORMAT_DASH
                                                    : DEV_FORMAT_HLS;
    r->route.profile_idc = ladder_h264_profile_idc(profile);
    r->route.ads = strcmp(ads, "stitched") == 0 ? DEV_ADS_STITCHED : DEV_ADS_INTERSTITIALS;
    r->route.rule = r->name;
    return 0;
}

static int read_rules(ladder_xml_ctx *lc, const xmlNode *root, dev_rules *d)
{
    int rc = ladder_xml_attr_or(root, "name", "", d->name, sizeof d->name);

    for (const xmlNode *n = root->children; rc >= 0 && n; n = n->next) {
        device_rule *r;
        if (n->type != XML_ELEMENT_NODE)
            continue;
        r = &d->rules[d->n_rules++]; /* the schema bounds the count */
        rc = ladder_xml_attr_or(n, "name", "", r->name, sizeof r->name);
        if (rc >= 0)
            rc = read_conditions(lc, n, r);
        if (rc >= 0)
            rc = read_decision(lc, n, r);
    }
    return rc < 0 ? rc : 0;
}

int dev_load_memory(const char *xml, size_t len, const char *name, dev_rules **out,
                    ladder_error *err)
{
    ladder_xml_schema xsd = {"devices.xsd", dev_xsd, dev_xsd_len};
    ladder_xml_ctx lc = {name, err, 0, 0};
    xmlDocPtr doc = NULL;
    dev_rules *d = calloc(1, sizeof *d);
    int rc = d ? ladder_xml_load(&lc, xml, len, &xsd, &doc)
               : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    if (rc == 0)
        rc = read_rules(&lc, xmlDocGetRootElement(doc), d);
    xmlFreeDoc(doc);
    if (rc < 0) {
        dev_free(d);
        d = NULL;
    }
    *out = d;
    return rc;
}

int dev_load(const char *path, dev_rules **out, ladder_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = ladder_xml_read_file(path, &data, &len, err);

    *out = NULL;
    if (rc == 0)
        rc = dev_load_memory(data, len, path, out, err);
    free(data);
    return rc;
}

int dev_load_default(dev_rules **out, ladder_error *err)
{
    return dev_load_memory(dev_default_xml, dev_default_xml_len, "<built-in devices.xml>", out,
                           err);
}

void dev_free(dev_rules *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n_rules; i++)
        if (d->rules[i].has_user_agent)
            regfree(&d->rules[i].user_agent);
    free(d);
}

/* Sec-CH-UA-Platform is a quoted string: "Android". */
static int platform_is(const char *header, const char *want)
{
    size_t n;

    if (!header)
        return 0;
    while (*header == ' ')
        header++;
    if (*header == '"')
        header++;
    n = strcspn(header, "\"");
    return n == strlen(want) && strncasecmp(header, want, n) == 0;
}

static int mobile_is(const char *header, const char *want)
{
    if (!header)
        return 0;
    while (*header == ' ')
        header++;
    return strncmp(header, want, 2) == 0;
}

static int rule_matches(const device_rule *r, const dev_client *c)
{
    if (r->has_user_agent &&
        (!c->user_agent || regexec(&r->user_agent, c->user_agent, 0, NULL, 0) != 0))
        return 0;
    if (r->ch_mobile[0] && !mobile_is(c->ch_mobile, r->ch_mobile))
        return 0;
    if (r->ch_platform[0] && !platform_is(c->ch_platform, r->ch_platform))
        return 0;
    return 1;
}

void dev_route_client(const dev_rules *d, const dev_client *c, dev_route *out)
{
    for (int i = 0; d && i < d->n_rules; i++)
        if (rule_matches(&d->rules[i], c)) {
            *out = d->rules[i].route;
            return;
        }
    *out = (dev_route){.format = DEV_FORMAT_HLS,
                       .max_height = 1080,
                       .profile_idc = 66,
                       .ads = DEV_ADS_INTERSTITIALS,
                       .rule = "no-rule"};
}

const char *dev_format_name(dev_format f)
{
    return f == DEV_FORMAT_MP4 ? "mp4" : f == DEV_FORMAT_DASH ? "dash" : "hls";
}

const char *dev_name(const dev_rules *d)
{
    return d->name;
}

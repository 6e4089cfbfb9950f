/* mpd.c: the DASH MPD (ISO/IEC 23009-1) read as a player reads it, with libxml2: the root's
 * attributes, each Period's AdaptationSets and Representations with what a Representation
 * inherits from its AdaptationSet, and their SegmentTemplates and SegmentTimelines. Checks
 * dash-mpd-parses (docs/dash-rules.md); what the document says is judged by rules_dash.c.
 * The parse never touches the network and refuses a DTD, as xml/ does for Ladder's own files. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "val_internal.h"

#define MPD_NS "urn:mpeg:dash:schema:mpd:2011"

int val_parse_xs_duration(const char *s, double *seconds)
{
    static const char date_units[] = "YMD", time_units[] = "HMS";
    static const double date_secs[] = {365 * 86400.0, 30 * 86400.0, 86400.0};
    static const double time_secs[] = {3600.0, 60.0, 1.0};
    double total = 0;
    int parts = 0, in_time = 0, next = 0; /* the next unit allowed, in order */

    if (!s || *s++ != 'P')
        return 0;
    while (*s) {
        if (*s == 'T') {
            if (in_time || !s[1])
                return 0;
            in_time = 1;
            next = 0;
            s++;
            continue;
        }
        char *end;
        if (!isdigit((unsigned char)*s))
            return 0;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s)
            return 0;
        const char *units = in_time ? time_units : date_units;
        const char *u = strchr(units + next, *end);
        if (!*end || !u)
            return 0;
        /* only seconds may have a fraction */
        if (memchr(s, '.', end - s) && !(in_time && *end == 'S'))
            return 0;
        total += v * (in_time ? time_secs : date_secs)[u - units];
        next = (int)(u - units) + 1;
        parts++;
        s = end + 1;
    }
    if (parts == 0)
        return 0;
    *seconds = total;
    return 1;
}

/* Whether node is the MPD namespace's element `name`. */
static int is(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
           strcmp((const char *)node->ns->href, MPD_NS) == 0 &&
           strcmp((const char *)node->name, name) == 0;
}

/* Attribute name (no namespace) into out; 0 when absent (out untouched). */
static int attr(const xmlNode *node, const char *name, char *out, size_t len)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);

    if (!v)
        return 0;
    snprintf(out, len, "%s", (const char *)v);
    xmlFree(v);
    return 1;
}

/* An unsigned integer attribute; 0 when absent, -1 when not a number. */
static int attr_u64(const xmlNode *node, const char *name, uint64_t *out)
{
    char text[64], *end;

    if (!attr(node, name, text, sizeof text))
        return 0;
    errno = 0;
    if (!isdigit((unsigned char)text[0]))
        return -1;
    *out = strtoull(text, &end, 10);
    return errno || *end ? -1 : 1;
}

static void text_of(const xmlNode *node, char *out, size_t len)
{
    xmlChar *v = xmlNodeGetContent(node);

    snprintf(out, len, "%s", v ? (const char *)v : "");
    xmlFree(v);
    /* trim */
    size_t n = strlen(out), i = 0;
    while (n > 0 && isspace((unsigned char)out[n - 1]))
        out[--n] = '\0';
    while (isspace((unsigned char)out[i]))
        i++;
    memmove(out, out + i, n - i + 1);
}

/* A SegmentTemplate element's attributes and timeline over *t (what is written wins). */
static int read_template(const xmlNode *node, val_mpd_template *t)
{
    uint64_t v;
    char text[32];
    int k;

    t->present = 1;
    if (attr(node, "media", t->media, sizeof t->media))
        t->has_media = 1;
    if (attr(node, "initialization", t->init, sizeof t->init))
        t->has_init = 1;
    if ((k = attr_u64(node, "timescale", &v)) != 0) {
        t->has_timescale = 1;
        t->timescale = k > 0 ? v : 0; /* 0: not a number, which dash-structure reports */
    }
    if ((k = attr_u64(node, "duration", &v)) != 0) {
        t->has_duration = 1;
        t->duration = k > 0 ? v : 0;
    }
    if (attr_u64(node, "presentationTimeOffset", &v) > 0)
        t->pto = v;
    if (attr(node, "startNumber", text, sizeof text)) {
        t->has_start = 1;
        t->start_number = strtoll(text, NULL, 10);
    }
    for (const xmlNode *c = node->children; c; c = c->next) {
        if (!is(c, "SegmentTimeline"))
            continue;
        free(t->s);
        t->s = NULL;
        t->n_s = 0;
        int cap = 0;
        for (const xmlNode *e = c->children; e; e = e->next) {
            if (!is(e, "S"))
                continue;
            if (t->n_s == cap) {
                val_mpd_s *p = realloc(t->s, (cap ? 2 * cap : 16) * sizeof *p);
                if (!p)
                    return LADDER_ENOMEM;
                t->s = p;
                cap = cap ? 2 * cap : 16;
            }
            val_mpd_s *s = &t->s[t->n_s++];
            memset(s, 0, sizeof *s);
            s->has_t = attr_u64(e, "t", &s->t) > 0;
            if (attr_u64(e, "d", &s->d) <= 0)
                s->d = 0; /* dash-structure says so */
            if (attr(e, "r", text, sizeof text))
                s->r = strtoll(text, NULL, 10);
        }
    }
    return 0;
}

/* A copy of a template, its timeline array duplicated. */
static int copy_template(val_mpd_template *to, const val_mpd_template *from)
{
    *to = *from;
    to->s = NULL;
    if (from->n_s > 0) {
        to->s = malloc(from->n_s * sizeof *to->s);
        if (!to->s)
            return LADDER_ENOMEM;
        memcpy(to->s, from->s, from->n_s * sizeof *to->s);
    }
    return 0;
}

/* Attributes common to AdaptationSet and Representation (ISO/IEC 23009-1 5.3.7). */
static void read_common(const xmlNode *node, val_mpd_rep *x)
{
    char text[32];

    attr(node, "mimeType", x->mime, sizeof x->mime);
    attr(node, "codecs", x->codecs, sizeof x->codecs);
    attr(node, "frameRate", x->frame_rate, sizeof x->frame_rate);
    attr(node, "sar", x->sar, sizeof x->sar);
    if (attr(node, "width", text, sizeof text))
        x->width = atoi(text);
    if (attr(node, "height", text, sizeof text))
        x->height = atoi(text);
    if (attr(node, "audioSamplingRate", text, sizeof text))
        x->sampling_rate = atol(text);
}

static int read_rep(const xmlNode *node, const val_mpd_rep *inherit, val_mpd_rep *x)
{
    char text[64], *end;
    int ret;

    *x = *inherit;
    x->tpl.s = NULL;
    if ((ret = copy_template(&x->tpl, &inherit->tpl)) < 0)
        return ret;
    x->line = (int)xmlGetLineNo(node);
    x->has_id = attr(node, "id", x->id, sizeof x->id);
    x->bandwidth = -1;
    if (attr(node, "bandwidth", text, sizeof text) && isdigit((unsigned char)text[0])) {
        long long v = strtoll(text, &end, 10);
        x->bandwidth = *end ? -1 : v;
    }
    read_common(node, x);
    for (const xmlNode *c = node->children; c; c = c->next) {
        if (is(c, "SegmentTemplate") && (ret = read_template(c, &x->tpl)) < 0)
            return ret;
        if (is(c, "BaseURL"))
            text_of(c, x->base_url, sizeof x->base_url);
    }
    return 0;
}

static int read_set(val_mpd *m, const xmlNode *node, int period)
{
    val_mpd_set *set;
    val_mpd_rep inherit;
    char text[16];
    int ret = 0;

    if (m->n_sets == VAL_MPD_MAX_SETS) {
        m->too_many = 1;
        return 0;
    }
    set = &m->sets[m->n_sets++];
    memset(set, 0, sizeof *set);
    memset(&inherit, 0, sizeof inherit);
    inherit.tpl.start_number = 1;
    inherit.tpl.n_s = -1;
    set->line = (int)xmlGetLineNo(node);
    set->period = period;
    set->start_with_sap = -1;
    attr(node, "contentType", set->content_type, sizeof set->content_type);
    attr(node, "mimeType", set->mime, sizeof set->mime);
    attr(node, "lang", set->lang, sizeof set->lang);
    if (attr(node, "startWithSAP", text, sizeof text))
        set->start_with_sap = atoi(text);
    read_common(node, &inherit);
    for (const xmlNode *c = node->children; c && ret == 0; c = c->next)
        if (is(c, "SegmentTemplate"))
            ret = read_template(c, &inherit.tpl);
    for (const xmlNode *c = node->children; c && ret == 0; c = c->next) {
        if (!is(c, "Representation"))
            continue;
        if (set->n_reps == VAL_MPD_MAX_REPS) {
            set->too_many = 1;
            break;
        }
        ret = read_rep(c, &inherit, &set->reps[set->n_reps]);
        set->n_reps++; /* freed by val_mpd_free even when read_rep failed half-way */
    }
    free(inherit.tpl.s);
    return ret;
}

void val_mpd_free(val_mpd *m)
{
    for (int i = 0; i < m->n_sets; i++)
        for (int k = 0; k < m->sets[i].n_reps; k++) {
            free(m->sets[i].reps[k].tpl.s);
            m->sets[i].reps[k].tpl.s = NULL;
        }
    m->n_sets = 0;
}

/* The root element's rules (dash-mpd-parses). */
static void check_root(val_report *r, const char *file, const xmlNode *root, val_mpd *m)
{
    char text[64];

    CHECK(r, attr(root, "type", m->type, sizeof m->type) && strcmp(m->type, "static") == 0, file,
          "dash-mpd-parses", "MPD@type is \"%s\", not \"static\"", m->type);
    attr(root, "profiles", m->profiles, sizeof m->profiles);
    CHECK(r,
          strstr(m->profiles, "urn:mpeg:dash:profile:isoff-live:2011") ||
              strstr(m->profiles, "urn:mpeg:dash:profile:isoff-on-demand:2011"),
          file, "dash-mpd-parses",
          "MPD@profiles \"%s\" names neither isoff-live:2011 nor isoff-on-demand:2011",
          m->profiles);
    m->duration = m->min_buffer = -1;
    int has = attr(root, "mediaPresentationDuration", m->duration_text, sizeof m->duration_text);
    CHECK(r, has && val_parse_xs_duration(m->duration_text, &m->duration), file, "dash-mpd-parses",
          "MPD@mediaPresentationDuration \"%s\" is not an xs:duration",
          has ? m->duration_text : "(absent)");
    if (!has || !val_parse_xs_duration(m->duration_text, &m->duration))
        m->duration = -1;
    has = attr(root, "minBufferTime", text, sizeof text);
    CHECK(r, has && val_parse_xs_duration(text, &m->min_buffer), file, "dash-mpd-parses",
          "MPD@minBufferTime \"%s\" is not an xs:duration", has ? text : "(absent)");
}

int val_read_mpd(val_report *r, const char *file, const char *text, size_t len, val_mpd *m)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    xmlDocPtr doc = NULL;
    const xmlNode *root;
    int ret = 0;

    memset(m, 0, sizeof *m);
    m->duration = m->min_buffer = -1;
    if (!ctxt) {
        val_fail(r, file, "dash-mpd-parses", "out of memory");
        return 0;
    }
    if (len < (size_t)1 << 30)
        doc = xmlCtxtReadMemory(ctxt, text, (int)len, file, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        char why[200];
        snprintf(why, sizeof why, "%s", e && e->message ? e->message : "unreadable");
        why[strcspn(why, "\n")] = '\0'; /* libxml2's messages end in a newline */
        val_fail(r, file, "dash-mpd-parses", "not well-formed XML: line %d: %s", e ? e->line : 0,
                 why);
        xmlFreeParserCtxt(ctxt);
        return 0;
    }
    root = xmlDocGetRootElement(doc);
    CHECK(r, doc->intSubset == NULL, file, "dash-mpd-parses", "the MPD has a DTD");
    CHECK(r, root && is(root, "MPD"), file, "dash-mpd-parses",
          "the root element is not MPD in namespace " MPD_NS);
    if (doc->intSubset || !root || !is(root, "MPD")) {
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return 0;
    }
    check_root(r, file, root, m);
    for (const xmlNode *p = root->children; p && ret == 0; p = p->next) {
        if (!is(p, "Period"))
            continue;
        m->n_periods++;
        for (const xmlNode *a = p->children; a && ret == 0; a = a->next)
            if (is(a, "AdaptationSet"))
                ret = read_set(m, a, m->n_periods - 1);
    }
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    if (ret < 0) {
        val_fail(r, file, "dash-mpd-parses", "out of memory");
        return 0;
    }
    return 1;
}

/* ---- SegmentTemplate URLs (ISO/IEC 23009-1 5.3.9.4.4) --------------------------------------- */

int val_mpd_url(const char *tpl, const val_mpd_rep *rep, long long number, uint64_t time, char *out,
                size_t len)
{
    size_t n = 0;

    for (const char *p = tpl; *p;) {
        char piece[320];
        if (*p != '$') {
            if (n + 1 >= len)
                return 0;
            out[n++] = *p++;
            continue;
        }
        const char *end = strchr(p + 1, '$');
        if (!end)
            return 0;
        size_t id_len = strcspn(p + 1, "%$");
        char name[32];
        int width = 0;
        if (id_len >= sizeof name)
            return 0;
        snprintf(name, sizeof name, "%.*s", (int)id_len, p + 1);
        if (p[1 + id_len] == '%') { /* %0Nd */
            const char *f = p + 2 + id_len;
            if (*f != '0' || !isdigit((unsigned char)f[1]))
                return 0;
            width = atoi(f + 1);
            while (isdigit((unsigned char)*f))
                f++;
            if (f + 1 != end || (*f != 'd' && *f != 'i' && *f != 'u') || width > 32)
                return 0;
        }
        if (end == p + 1) {
            snprintf(piece, sizeof piece, "$");
        } else if (strcmp(name, "RepresentationID") == 0 && !width) {
            snprintf(piece, sizeof piece, "%s", rep->id);
        } else if (strcmp(name, "Number") == 0) {
            snprintf(piece, sizeof piece, "%0*lld", width, number);
        } else if (strcmp(name, "Time") == 0) {
            snprintf(piece, sizeof piece, "%0*" PRIu64, width, time);
        } else if (strcmp(name, "Bandwidth") == 0) {
            snprintf(piece, sizeof piece, "%0*lld", width, rep->bandwidth);
        } else {
            return 0;
        }
        size_t k = strlen(piece);
        if (n + k + 1 > len)
            return 0;
        memcpy(out + n, piece, k);
        n += k;
        p = end + 1;
    }
    if (n >= len)
        return 0;
    out[n] = '\0';
    return 1;
}

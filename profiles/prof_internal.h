/* prof_internal.h: what the files of profiles/ share (xml.c). Never included from outside
 * profiles/. */
#ifndef LADDER_PROF_INTERNAL_H
#define LADDER_PROF_INTERNAL_H

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <stddef.h>

#include "profiles.h"

#define PROF_XML_MAX (1 << 20) /* bytes; a real profile or rule file is a few kilobytes */

/* libxml2 2.12 made the error passed to handlers const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_ptr;
#else
typedef xmlError *xml_error_ptr;
#endif

/* One load in progress: the name messages start with, and the first error seen. */
typedef struct load_ctx {
    const char *name;  /* file name, or the caller's name for an in-memory profile */
    ladder_error *err; /* the caller's, may be NULL */
    int failed;        /* an error has been recorded; later ones are dropped */
    int code;          /* the recorded error's code */
} load_ctx;

/* A schema built into the program (cmake/embed.cmake). */
typedef struct prof_schema {
    const char *name; /* for messages about the schema itself */
    const char *text;
    size_t len;
} prof_schema;

/* Records the first failure of a load as "NAME:LINE: problem" ("NAME: problem" when line <= 0)
 * and returns its code; later failures keep the first one's code and message. */
int prof_xml_fail_line(load_ctx *lc, int code, long line, const char *problem);
/* printf-style prof_xml_fail_line at element `node`; always LADDER_EINVAL. */
int prof_xml_fail_at(load_ctx *lc, const xmlNode *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses xml (at most PROF_XML_MAX bytes, no DTD, no network) and validates it against xsd.
 * Returns 0 with *doc set (the caller frees it with xmlFreeDoc), or a negative code. */
int prof_xml_load(load_ctx *lc, const char *xml, size_t len, const prof_schema *xsd,
                  xmlDocPtr *doc);

/* Attribute readers (no namespace). get_attr: 1 present, 0 absent, LADDER_ENOMEM. attr_or and
 * int_attr: 0 or LADDER_ENOMEM, `def` when absent. */
int prof_xml_get_attr(const xmlNode *node, const char *key, char *buf, size_t size);
int prof_xml_attr_or(const xmlNode *node, const char *key, const char *def, char *buf, size_t size);
int prof_xml_int_attr(const xmlNode *node, const char *key, int def, int *out);

/* Reads at most PROF_XML_MAX + 1 bytes of path into a malloc'ed *data. */
int prof_xml_read_file(const char *path, char **data, size_t *len, ladder_error *err);

#endif

/* ladder_xml.h: how Ladder reads its XML files (ladder profiles in profiles/, device rules in
 * devices/): a parse that never touches the network and refuses DTDs, validation against a
 * schema built into the program, attribute readers, and first-error reporting as
 * "FILE:LINE: problem".
 *
 * Order of use: fill a ladder_xml_ctx with the name messages start with and the caller's
 * ladder_error; ladder_xml_read_file (or bytes already in memory); ladder_xml_load, which
 * parses and validates; walk the xmlDoc with the attribute readers, reporting what the schema
 * cannot express with ladder_xml_fail_at; xmlFreeDoc. Safe from many threads, one context
 * per load. Exposes libxml2's tree types: its users link libxml2 too. */
#ifndef LADDER_XML_H
#define LADDER_XML_H

#include <libxml/tree.h>
#include <stddef.h>

#include "ladder.h"

#define LADDER_XML_MAX (1 << 20) /* bytes; a real profile or rule file is a few kilobytes */

/* One load in progress: the name messages start with, and the first error seen. */
typedef struct ladder_xml_ctx {
    const char *name;  /* file name, or the caller's name for an in-memory document */
    ladder_error *err; /* the caller's, may be NULL */
    int failed;        /* an error has been recorded; later ones are dropped */
    int code;          /* the recorded error's code */
} ladder_xml_ctx;

/* A schema built into the program (cmake/embed.cmake). */
typedef struct ladder_xml_schema {
    const char *name; /* for messages about the schema itself */
    const char *text;
    size_t len;
} ladder_xml_schema;

/* Records the first failure of a load as "NAME:LINE: problem" ("NAME: problem" when line <= 0)
 * and returns its code; later failures keep the first one's code and message. */
int ladder_xml_fail_line(ladder_xml_ctx *lc, int code, long line, const char *problem);
/* printf-style ladder_xml_fail_line at element `node`; always LADDER_EINVAL. */
int ladder_xml_fail_at(ladder_xml_ctx *lc, const xmlNode *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses xml (at most LADDER_XML_MAX bytes, no DTD, no network) and validates it against xsd.
 * Returns 0 with *doc set (the caller frees it with xmlFreeDoc), or a negative code. */
int ladder_xml_load(ladder_xml_ctx *lc, const char *xml, size_t len, const ladder_xml_schema *xsd,
                    xmlDocPtr *doc);

/* Attribute readers (no namespace). get_attr: 1 present, 0 absent, LADDER_ENOMEM. attr_or and
 * int_attr: 0 or LADDER_ENOMEM, `def` when absent. */
int ladder_xml_get_attr(const xmlNode *node, const char *key, char *buf, size_t size);
int ladder_xml_attr_or(const xmlNode *node, const char *key, const char *def, char *buf,
                       size_t size);
int ladder_xml_int_attr(const xmlNode *node, const char *key, int def, int *out);

/* Reads at most LADDER_XML_MAX + 1 bytes of path into a malloc'ed *data. */
int ladder_xml_read_file(const char *path, char **data, size_t *len, ladder_error *err);

#endif

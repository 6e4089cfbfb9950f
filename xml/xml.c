/* xml.c: what reading Ladder's XML files (ladder profiles, device rules) shares: a parse
 * that never touches the network and refuses DTDs, validation against a built-in schema, and
 * first-error reporting as "FILE:LINE: problem" (ladder_xml.h). */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemastypes.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder_xml.h"

/* libxml2 2.12 made the error passed to handlers const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_ptr;
#else
typedef xmlError *xml_error_ptr;
#endif

/* Records the first failure of a load as "NAME:LINE: problem" ("NAME: problem" when line <= 0)
 * with `code`, and returns the code of the first failure, so a later, derived failure (a parse
 * that returned no document) neither overwrites nor changes it. */
int ladder_xml_fail_line(ladder_xml_ctx *lc, int code, long line, const char *problem)
{
    if (lc->failed)
        return lc->code;
    lc->failed = 1;
    lc->code = code;
    if (line > 0)
        return ladder_error_set(lc->err, code, "%s:%ld: %s", lc->name, line, problem);
    return ladder_error_set(lc->err, code, "%s: %s", lc->name, problem);
}

/* printf-style fail_line for a problem found at element `node`; always LADDER_EINVAL. */
int ladder_xml_fail_at(ladder_xml_ctx *lc, const xmlNode *node, const char *fmt, ...)
{
    char problem[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    return ladder_xml_fail_line(lc, LADDER_EINVAL, xmlGetLineNo(node), problem);
}

/* Copies a libxml2 message into buf as one line: without Ladder's namespaces, which only
 * make "{urn:ladder:profile:1}rung" harder to read, and without newlines. */
static void clean_message(const char *msg, char *buf, size_t size)
{
    static const char ns[] = "{urn:ladder:";
    size_t n = 0;

    while (msg && *msg && n + 1 < size) {
        const char *close = strncmp(msg, ns, sizeof ns - 1) == 0 ? strchr(msg, '}') : NULL;
        if (close) {
            msg = close + 1;
            continue;
        }
        buf[n++] = (*msg == '\n' || *msg == '\r') ? ' ' : *msg;
        msg++;
    }
    while (n > 0 && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
}

/* Records a libxml2 error or fatal error; warnings (e.g. a relative namespace URI) are ignored. */
static void catch_xml_error(ladder_xml_ctx *lc, xml_error_ptr e)
{
    char problem[400];
    long line = e->line;

    if (e->level < XML_ERR_ERROR)
        return;
    if (line <= 0 && e->node)
        line = xmlGetLineNo(e->node);
    clean_message(e->message, problem, sizeof problem);
    ladder_xml_fail_line(lc, LADDER_EINVAL, line, problem);
}

/* Parser-context error handler: libxml2 passes the parser context, whose _private is ours. */
static void on_parser_error(void *ctxt, xml_error_ptr e)
{
    catch_xml_error(((xmlParserCtxtPtr)ctxt)->_private, e);
}

/* Schema-context error handler: libxml2 passes our ladder_xml_ctx back. */
static void on_schema_error(void *lc, xml_error_ptr e)
{
    catch_xml_error(lc, e);
}

/* SAX handler for <!DOCTYPE ...>: a Ladder XML file has no use for a DTD, and refusing it before
 * its declarations are read means no entity, local or remote, is ever defined or expanded. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id, const xmlChar *sys_id)
{
    xmlParserCtxtPtr ctxt = ctx;

    (void)name, (void)ext_id, (void)sys_id;
    ladder_xml_fail_line(ctxt->_private, LADDER_EINVAL, ctxt->input ? ctxt->input->line : 0,
                         "a DOCTYPE is not allowed here");
    xmlStopParser(ctxt);
}

/* Parses xml into *doc with errors routed to lc, never to stderr and never over the network.
 * Returns 0, or a negative code with *doc NULL. */
static int parse_doc(ladder_xml_ctx *lc, const char *xml, size_t len, xmlDocPtr *doc)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();

    *doc = NULL;
    if (!ctxt)
        return ladder_xml_fail_line(lc, LADDER_ENOMEM, 0, "out of memory");
    ctxt->_private = lc;
    ctxt->sax->serror = on_parser_error;
    ctxt->sax->internalSubset = on_doctype;
    *doc = xmlCtxtReadMemory(ctxt, xml, (int)len, lc->name, NULL, XML_PARSE_NONET);
    xmlFreeParserCtxt(ctxt);
    if (*doc && !lc->failed)
        return 0;
    xmlFreeDoc(*doc);
    *doc = NULL;
    return ladder_xml_fail_line(lc, LADDER_ENOMEM, 0, "cannot parse (out of memory)");
}

/* Validates doc against the built-in schema; the first violation goes to lc. Returns 0 or a
 * negative code. */
static int validate_doc(ladder_xml_ctx *lc, xmlDocPtr doc, const ladder_xml_schema *xsd)
{
    xmlSchemaParserCtxtPtr pctxt;
    xmlSchemaValidCtxtPtr vctxt = NULL;
    xmlSchemaPtr schema = NULL;
    ladder_xml_ctx schema_lc = {xsd->name, NULL, 0, 0};
    int rc = -1;

    pctxt = xmlSchemaNewMemParserCtxt(xsd->text, (int)xsd->len);
    if (pctxt) {
        xmlSchemaSetParserStructuredErrors(pctxt, on_schema_error, &schema_lc);
        schema = xmlSchemaParse(pctxt);
        xmlSchemaFreeParserCtxt(pctxt);
    }
    if (schema)
        vctxt = xmlSchemaNewValidCtxt(schema);
    if (vctxt) {
        xmlSchemaSetValidStructuredErrors(vctxt, on_schema_error, lc);
        rc = xmlSchemaValidateDoc(vctxt, doc);
        xmlSchemaFreeValidCtxt(vctxt);
    }
    xmlSchemaFree(schema);
    if (rc == 0)
        return 0;
    if (rc > 0)
        return ladder_xml_fail_line(lc, LADDER_EINVAL, 0, "does not match its schema");
    return ladder_xml_fail_line(lc, LADDER_ENOMEM, 0, "cannot load the built-in schema");
}

/* Copies attribute `key` (no namespace) of node into buf, truncated to size. Returns 1 if it is
 * there, 0 if absent, LADDER_ENOMEM if it could not be read. The schema has bounded the length
 * of every string attribute, so truncation does not happen; numbers have no such bound (leading
 * zeros and blanks), so ladder_xml_int_attr reads them whole. */
int ladder_xml_get_attr(const xmlNode *node, const char *key, char *buf, size_t size)
{
    xmlAttrPtr attr = xmlHasNsProp(node, BAD_CAST key, NULL);
    xmlChar *value;

    if (!attr)
        return 0;
    value = xmlNodeListGetString(node->doc, attr->children, 1);
    if (!value)
        return LADDER_ENOMEM;
    snprintf(buf, size, "%s", (const char *)value);
    xmlFree(value);
    return 1;
}

/* get_attr for an attribute with a default: copies `def` when the attribute is absent. Returns 0
 * or LADDER_ENOMEM. */
int ladder_xml_attr_or(const xmlNode *node, const char *key, const char *def, char *buf,
                       size_t size)
{
    int rc = ladder_xml_get_attr(node, key, buf, size);

    if (rc == 0)
        snprintf(buf, size, "%s", def);
    return rc < 0 ? rc : 0;
}

/* Reads an integer attribute the schema has already range-checked; `def` if absent. The whole
 * value: "0000...1920" is a valid xs:int of any length, and a truncated copy would read 0. */
int ladder_xml_int_attr(const xmlNode *node, const char *key, int def, int *out)
{
    xmlAttrPtr attr = xmlHasNsProp(node, BAD_CAST key, NULL);
    xmlChar *value;

    if (!attr) {
        *out = def;
        return 0;
    }
    value = xmlNodeListGetString(node->doc, attr->children, 1);
    if (!value)
        return LADDER_ENOMEM;
    *out = (int)strtol((const char *)value, NULL, 10);
    xmlFree(value);
    return 0;
}

/* libxml2 before 2.12 sets up its schema type tables lazily and without a lock; doing it once
 * here keeps concurrent loads safe. */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void init_xml(void)
{
    xmlInitParser();
#if LIBXML_VERSION < 21200
    xmlSchemaInitTypes();
#endif
}

int ladder_xml_load(ladder_xml_ctx *lc, const char *xml, size_t len, const ladder_xml_schema *xsd,
                    xmlDocPtr *doc)
{
    int rc;

    *doc = NULL;
    if (len > LADDER_XML_MAX)
        return ladder_xml_fail_line(lc, LADDER_EINVAL, 0, "larger than 1 MiB");
    pthread_once(&xml_once, init_xml);
    rc = parse_doc(lc, xml, len, doc);
    if (rc == 0)
        rc = validate_doc(lc, *doc, xsd);
    if (rc != 0) {
        xmlFreeDoc(*doc);
        *doc = NULL;
    }
    return rc;
}

/* Reads the whole file at path into a malloc'ed buffer (*data, *len); at most LADDER_XML_MAX + 1
 * bytes, enough for the caller to see that it is too large. Returns 0 or a negative code
 * with err filled. */
int ladder_xml_read_file(const char *path, char **data, size_t *len, ladder_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (!f && errno == ENOENT)
        return ladder_error_set(err, LADDER_ENOTFOUND, "%s: no such file", path);
    if (!f)
        return ladder_error_set(err, LADDER_EIO, "%s: %s", path, strerror(errno));
    buf = malloc(LADDER_XML_MAX + 1);
    if (!buf) {
        fclose(f);
        return ladder_error_set(err, LADDER_ENOMEM, "%s: out of memory", path);
    }
    n = fread(buf, 1, LADDER_XML_MAX + 1, f);
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        free(buf);
        return ladder_error_set(err, LADDER_EIO, "%s: %s", path, strerror(e));
    }
    fclose(f);
    *data = buf;
    *len = n;
    return 0;
}

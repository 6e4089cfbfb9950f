/* show_json.c: the one C reader of show.json (docs/show-json.md), for everything that reads a
 * published show: the origin's catalog, /play and share pages. Readers tolerate fields they do
 * not know; a `format` newer than this reader's is refused, and so is a file missing what every
 * show has. The reason goes back in words, for the origin's log. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "library.h"

static int fail(ladder_error *err, const char *what)
{
    return ladder_error_set(err, LADDER_EINPUT, "show.json: %s", what);
}

/* One entry of "renditions"; 0, or -1 when it lacks its name, use or size. */
static int read_rendition(json_t *r, lib_rendition *out)
{
    const char *name = json_string_value(json_object_get(r, "name"));
    const char *use = json_string_value(json_object_get(r, "use"));
    const char *codecs = json_string_value(json_object_get(r, "codecs"));

    if (!name || !use || strlen(name) >= sizeof out->name || strlen(use) >= sizeof out->use)
        return -1;
    snprintf(out->name, sizeof out->name, "%s", name);
    snprintf(out->use, sizeof out->use, "%s", use);
    snprintf(out->codecs, sizeof out->codecs, "%s", codecs ? codecs : "");
    out->width = (int)json_integer_value(json_object_get(r, "width"));
    out->height = (int)json_integer_value(json_object_get(r, "height"));
    return out->width > 0 && out->height > 0 ? 0 : -1;
}

static int read_renditions(json_t *list, lib_show *s, ladder_error *err)
{
    size_t n = json_array_size(list);

    if (!json_is_array(list))
        return fail(err, "\"renditions\" is missing or not a list");
    s->renditions = calloc(n ? n : 1, sizeof *s->renditions);
    if (!s->renditions)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (read_rendition(json_array_get(list, i), &s->renditions[i]) < 0)
            return ladder_error_set(err, LADDER_EINPUT,
                                    "show.json: rendition %zu lacks its name, use or size", i);
        s->n_renditions++;
    }
    return 0;
}

static int read_root(json_t *root, lib_show *s, ladder_error *err)
{
    json_t *format = json_object_get(root, "format");
    const char *id = json_string_value(json_object_get(root, "id"));
    const char *title = json_string_value(json_object_get(root, "title"));
    json_t *poster = json_object_get(root, "poster");

    /* shows published before the field existed are format 1 */
    s->format = format ? (int)json_integer_value(format) : 1;
    if (format && !json_is_integer(format))
        return fail(err, "\"format\" is not a number");
    if (s->format < 1 || s->format > LIB_SHOW_FORMAT)
        return ladder_error_set(err, LADDER_EINPUT,
                                "show.json: format %d; this reader knows format 1 to %d", s->format,
                                LIB_SHOW_FORMAT);
    if (!id || !lib_valid_id(id))
        return fail(err, "\"id\" is missing or not a valid show id");
    snprintf(s->id, sizeof s->id, "%s", id);
    s->title = strdup(title ? title : id);
    if (!s->title)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (!json_is_number(json_object_get(root, "duration")))
        return fail(err, "\"duration\" is missing or not a number");
    s->duration = json_number_value(json_object_get(root, "duration"));
    s->version = (int)json_integer_value(json_object_get(root, "version"));
    s->poster_width = (int)json_integer_value(json_object_get(poster, "width"));
    s->poster_height = (int)json_integer_value(json_object_get(poster, "height"));
    return read_renditions(json_object_get(root, "renditions"), s, err);
}

int lib_show_parse(const char *text, size_t len, lib_show *s, ladder_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    int ret;

    memset(s, 0, sizeof *s);
    if (!root)
        return ladder_error_set(err, LADDER_EINPUT, "show.json: line %d: %s", jerr.line, jerr.text);
    ret = json_is_object(root) ? read_root(root, s, err) : fail(err, "not a JSON object");
    json_decref(root);
    if (ret < 0)
        lib_show_free(s);
    return ret;
}

void lib_show_free(lib_show *s)
{
    free(s->title);
    free(s->renditions);
    memset(s, 0, sizeof *s);
}

/* captions.c: the --captions option of `ladder ingest`, `ladder package` and `ladder validate`:
 * FILE[:LANG[:NAME[:sdh]]] specs read into caption tracks before any encoding starts, so a bad
 * caption file costs one line, not an hour of work. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "packager.h"

void cli_free_captions(ladder_captions *tracks, int n)
{
    for (int i = 0; tracks && i < n; i++)
        ladder_captions_free(&tracks[i]);
    free(tracks);
}

/* Splits "FILE[:LANG[:NAME[:sdh]]]" into path (a copy in buf) and the track's labels. */
static int parse_spec(const char *spec, char *buf, size_t len, ladder_captions *c,
                      ladder_error *err)
{
    char *field[4] = {buf, NULL, NULL, NULL};
    int n = 1;

    if (strlen(spec) >= len)
        return ladder_error_set(err, LADDER_EINVAL, "--captions '%.40s...': too long", spec);
    strcpy(buf, spec);
    for (char *p = buf; *p && n < 4; p++)
        if (*p == ':') {
            *p = '\0';
            field[n++] = p + 1;
        }
    if (!buf[0] || (field[3] && strcmp(field[3], "sdh") != 0))
        return ladder_error_set(err, LADDER_EINVAL,
                                "--captions '%s': expected FILE[:LANG[:NAME[:sdh]]]", spec);
    snprintf(c->language, sizeof c->language, "%s", field[1] && *field[1] ? field[1] : "und");
    snprintf(c->name, sizeof c->name, "%s", field[2] && *field[2] ? field[2] : c->language);
    c->sdh = field[3] != NULL;
    return 0;
}

int cli_read_captions(const cli_list *specs, ladder_captions **out, ladder_error *err)
{
    ladder_captions *tracks = calloc(specs->n ? specs->n : 1, sizeof *tracks);
    char path[4096];
    int ret = tracks ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    for (int i = 0; ret >= 0 && i < specs->n; i++) {
        ret = parse_spec(specs->items[i], path, sizeof path, &tracks[i], err);
        if (ret >= 0)
            ret = ladder_captions_read(path, &tracks[i], err);
        if (ret >= 0 && tracks[i].n == 0)
            ret = ladder_error_set(err, LADDER_EINPUT, "%s: no captions in the file", path);
    }
    if (ret >= 0)
        ret = pkg_check_captions(tracks, specs->n, err);
    if (ret < 0) {
        cli_free_captions(tracks, specs->n);
        tracks = NULL;
    }
    *out = tracks;
    return ret;
}

int cli_parse_cc(const char *spec, char *lang, char *name, ladder_error *err)
{
    const char *colon = spec ? strchr(spec, ':') : NULL;
    ladder_captions probe = {0};

    snprintf(lang, LADDER_LANGUAGE_MAX, "%.*s", spec ? (int)(colon ? colon - spec : 35) : 2,
             spec ? spec : "en");
    snprintf(name, LADDER_NAME_MAX, "%s", colon && colon[1] ? colon + 1 : "CC1");
    snprintf(probe.language, sizeof probe.language, "%s", lang);
    snprintf(probe.name, sizeof probe.name, "%s", name);
    if (pkg_check_captions(&probe, 1, err) < 0) {
        ladder_error why = *err; /* err is written while its message is read */
        return ladder_error_set(err, LADDER_EINVAL, "--cc '%s': %s", spec, why.msg);
    }
    return 0;
}

/* cmd_validate.c: `ladder validate SHOW_DIR [--profile FILE] [--json]`: checks a published show
 * against the file-level publishing rules, and its rungs against the ladder profile (default:
 * the built-in pbs16), and prints every failure with its file and rule. SHOW_DIR may be a
 * version folder (LIBRARY/ID/vN) or LIBRARY/ID, which means its current version.
 * With --ad AD_DIR (a show used as an ad) the ad's rungs are compared with the show's, and with
 * --stitched FILE a stitched media playlist saved from the origin is checked against the show's
 * and the ads' playlists of its rendition (docs/hls-rules.md#ads). */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "library.h"
#include "validator.h"

static const char usage_text[] =
    "usage: ladder validate SHOW_DIR [--profile FILE] [--captions FILE[:LANG]]... "
    "[--ad AD_DIR]... [--stitched FILE]... [--json]";

/* The whole file as text to free, or NULL. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    long n;

    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 26) &&
        fseek(f, 0, SEEK_SET) == 0 && (s = malloc(n + 1)) != NULL) {
        if (fread(s, 1, n, f) == (size_t)n) {
            s[n] = '\0';
        } else {
            free(s);
            s = NULL;
        }
    }
    if (f)
        fclose(f);
    return s;
}

/* The URI prefix of a version folder LIBRARY/ID/vN on the origin, "/shows/ID/vN/" (origin.md);
 * empty when dir is not a version folder. */
static void origin_base(const char *dir, char *out, size_t len)
{
    const char *v = strrchr(dir, '/'), *id = v;

    out[0] = '\0';
    while (id && id > dir && id[-1] != '/')
        id--;
    if (v && id && id < v && v[1] == 'v' && v[2] && strspn(v + 2, "0123456789") == strlen(v + 2))
        snprintf(out, len, "/shows/%.*s/%s/", (int)(v - id), id, v + 1);
}

/* The rendition folder (e.g. "hls/hls-720p-2000") of the show's that a stitched playlist's
 * URIs name under base; 0 when none does. */
static int stitched_rendition(const char *text, const char *base, char *out, size_t len)
{
    for (const char *p = strstr(text, base); p; p = strstr(p + 1, base)) {
        const char *rel = p + strlen(base), *end = rel + strcspn(rel, "\r\n");
        const char *slash = end;
        while (slash > rel && slash[-1] != '/')
            slash--;
        if (slash > rel + 1) {
            snprintf(out, len, "%.*s", (int)(slash - rel - 1), rel);
            return 1;
        }
    }
    return 0;
}

/* The path of the first video variant's media playlist of the show in dir (empty: none). */
static void first_video_playlist(const char *dir, char *out, size_t len)
{
    char path[PATH_MAX + 16], *master;
    const char *p;

    out[0] = '\0';
    snprintf(path, sizeof path, "%s/master.m3u8", dir);
    if (!(master = read_text(path)))
        return;
    for (p = strstr(master, "#EXT-X-STREAM-INF:"); p; p = strstr(p + 1, "#EXT-X-STREAM-INF:")) {
        const char *eol = p + strcspn(p, "\n"), *uri = *eol ? eol + 1 : eol;
        const char *codecs = strstr(p, "CODECS=\"");
        if (codecs && codecs < eol && strncmp(codecs + 8, "mp4a.40.2\"", 10) != 0) {
            snprintf(out, len, "%s/%.*s", dir, (int)strcspn(uri, "\r\n"), uri);
            break;
        }
    }
    free(master);
}

/* One --stitched FILE: the show's and every ad's media playlist of its rendition. */
static int check_stitched(const char *dir, const char *file, const cli_list *ads,
                          char (*ad_dirs)[PATH_MAX], val_report *r, ladder_error *err)
{
    char base[PATH_MAX], rel[512], path[PATH_MAX + 600];
    char bases[CLI_LIST_MAX][PATH_MAX + 600], *texts[CLI_LIST_MAX] = {0};
    char *stitched = read_text(file), *show = NULL;
    val_stitch_source src[CLI_LIST_MAX];
    int n = 0, ret = 0;

    origin_base(dir, base, sizeof base);
    if (!stitched)
        ret = ladder_error_set(err, LADDER_EIO, "cannot read %s", file);
    else if (!base[0] || !stitched_rendition(stitched, base, rel, sizeof rel))
        ret = ladder_error_set(err, LADDER_EINVAL, "%s names no segment under %s of %s", file,
                               base[0] ? base : "/shows/ID/vN/", dir);
    if (ret == 0) {
        snprintf(path, sizeof path, "%s/%s/index.m3u8", dir, rel);
        if (!(show = read_text(path)))
            ret = ladder_error_set(err, LADDER_EIO, "cannot read %s", path);
    }
    for (int i = 0; ret == 0 && i < ads->n; i++) {
        char ad_base[PATH_MAX];
        /* subtitles: the origin fills the ad's length with empty WebVTT, timed by its video */
        int span = strncmp(rel, "subtitles/", 10) == 0;
        if (span)
            first_video_playlist(ad_dirs[i], path, sizeof path);
        else
            snprintf(path, sizeof path, "%s/%s/index.m3u8", ad_dirs[i], rel);
        if (!(texts[n] = read_text(path)))
            continue; /* an ad without the rendition: ad-rungs-match says so */
        origin_base(ad_dirs[i], ad_base, sizeof ad_base);
        snprintf(bases[n], sizeof bases[n], "%s%s/", ad_base, rel);
        src[n] = (val_stitch_source){ads->items[i], texts[n], ad_base[0] ? bases[n] : NULL, span};
        n++;
    }
    if (ret == 0) {
        snprintf(path, sizeof path, "%s%s/", base, rel);
        ret = val_check_stitched(file, stitched, &(val_stitch_source){dir, show, path}, src, n, r);
        if (ret == LADDER_ENOMEM)
            ladder_error_set(err, ret, "out of memory");
        ret = ret == LADDER_ENOMEM ? ret : 0;
    }
    for (int i = 0; i < n; i++)
        free(texts[i]);
    free(stitched);
    free(show);
    return ret;
}

/* --ad and --stitched, after the show's own rules, into the same report. */
static int check_ads(const char *dir, const cli_list *ads, const cli_list *stitched, val_report *r,
                     ladder_error *err)
{
    char(*ad_dirs)[PATH_MAX] = calloc(CLI_LIST_MAX, sizeof *ad_dirs);
    int ret = ad_dirs ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    for (int i = 0; ret == 0 && i < ads->n; i++) {
        if (lib_version_dir(ads->items[i], ad_dirs[i], sizeof ad_dirs[i]) < 0)
            ret = ladder_error_set(err, LADDER_EINVAL, "path too long: %s", ads->items[i]);
        else if (val_check_ad(dir, ad_dirs[i], ads->items[i], r) == LADDER_ENOMEM)
            ret = ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    }
    for (int i = 0; ret == 0 && i < stitched->n; i++)
        ret = check_stitched(dir, stitched->items[i], ads, ad_dirs, r, err);
    free(ad_dirs);
    return ret;
}

static void print_json(const char *show, const val_report *r)
{
    json_t *failures = json_array(), *notes = json_array(), *root;
    char *text;

    for (int i = 0; failures && i < r->n_failures; i++)
        json_array_append_new(failures,
                              json_pack("{s:s,s:s,s:s}", "file", r->failures[i].file, "rule",
                                        r->failures[i].rule, "message", r->failures[i].message));
    for (int i = 0; notes && i < r->n_notes; i++)
        json_array_append_new(notes, json_string(r->notes[i]));
    root = json_pack("{s:s,s:b,s:i,s:o,s:o}", "show", show, "ok", r->n_failures == 0, "checks",
                     r->checks, "failures", failures, "notes", notes);
    text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(root);
}

int cmd_validate(int argc, char **argv)
{
    int json = 0;
    const char *profile = NULL;
    cli_list caption_specs = {0}, ads = {0}, stitched = {0};
    ladder_captions *captions = NULL;
    const cli_option opts[] = {
        {"profile", CLI_OPT_STRING, &profile,
         "ladder profile XML the show was made with (default: built-in pbs16)"},
        {"captions", CLI_OPT_LIST, &caption_specs,
         "FILE[:LANG]: a source caption track to check the show's cue times against"},
        {"ad", CLI_OPT_LIST, &ads,
         "AD_DIR: a show used as an ad; its rungs must be the show's (ad-rungs-match)"},
        {"stitched", CLI_OPT_LIST, &stitched,
         "FILE: a stitched media playlist of the show, with the --ad shows spliced in"},
        {"json", CLI_OPT_FLAG, &json, "print the result as JSON on stdout"},
        {NULL},
    };
    int npos = 0, ret = cli_parse(argc, argv, opts, usage_text, &npos);
    ladder_error err = {0};
    char dir[PATH_MAX];
    prof_ladder *ladder;
    val_report *r;

    if (ret)
        return ret < 0 ? 0 : ret;
    if (npos != 1) {
        cli_print_usage(stderr, usage_text, opts);
        return CLI_EXIT_USAGE;
    }
    cli_output_init(1); /* FFmpeg's complaints about broken media stay off the report */
    r = malloc(sizeof *r);
    ladder = malloc(sizeof *ladder);
    ret = r && ladder ? 0 : ladder_error_set(&err, LADDER_ENOMEM, "out of memory");
    if (ret == 0)
        ret = cli_read_captions(&caption_specs, &captions, &err);
    if (ret == 0)
        ret = profile ? prof_load(profile, ladder, &err) : prof_load_default(ladder, &err);
    if (ret == 0 && lib_version_dir(argv[1], dir, sizeof dir) < 0)
        ret = ladder_error_set(&err, LADDER_EINVAL, "path too long: %s", argv[1]);
    if (ret < 0) {
        free(r);
        free(ladder);
        cli_free_captions(captions, caption_specs.n);
        return cli_fail("validate", &err);
    }
    ret = val_validate(dir, ladder, captions, caption_specs.n, r);
    cli_free_captions(captions, caption_specs.n);
    if (ret >= 0 || ret == LADDER_EVALIDATE) {
        int more = check_ads(dir, &ads, &stitched, r, &err);
        if (more < 0) {
            free(r);
            free(ladder);
            return cli_fail("validate", &err);
        }
        ret = r->n_failures ? LADDER_EVALIDATE : ret;
    }
    if (json) {
        print_json(dir, r);
    } else {
        for (int i = 0; i < r->n_notes; i++)
            printf("%s: note: %s\n", dir, r->notes[i]);
        for (int i = 0; i < r->n_failures; i++)
            printf("%s: %s: %s\n", r->failures[i].file, r->failures[i].rule,
                   r->failures[i].message);
        printf("%s: %d checks, %d failed\n", dir, r->checks, r->n_failures);
    }
    free(r);
    free(ladder);
    return ret == 0 ? 0 : CLI_EXIT_FAILURE;
}

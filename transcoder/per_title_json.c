/* per_title_json.c: show.json's "per_title" object, the analysis and the ladder it chose with
 * each rung's reason (docs/show-json.md). The player page draws it (player-demo/report.js).
 * Every number is written with three decimals (show.json, through jansson, then prints the nearest
 * double in full), so the same analysis gives the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_internal.h"

/* s as a JSON string's contents: the reasons are Ladder's own words, but a quote in one must
 * not break show.json. */
static void write_string(ladder_text *t, const char *s)
{
    ladder_text_printf(t, "\"");
    for (; *s; s++)
        if (*s == '"' || *s == '\\')
            ladder_text_printf(t, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            ladder_text_printf(t, " ");
        else
            ladder_text_printf(t, "%c", *s);
    ladder_text_printf(t, "\"");
}

static void write_curves(ladder_text *t, const tc_per_title *pt)
{
    const prof_rd_show *s = &pt->show;

    ladder_text_printf(t, "\"curves\": [");
    for (int i = 0; i < s->n_sizes; i++) {
        const prof_rd_curve *c = &s->sizes[i];
        ladder_text_printf(t, "%s{\"box\": [%d, %d], \"width\": %d, \"height\": %d, \"points\": [",
                           i ? ", " : "", c->box_w, c->box_h, c->width, c->height);
        for (int k = 0; k < c->n; k++)
            ladder_text_printf(t,
                               "%s{\"crf\": %d, \"kbps\": %.3f, \"psnr_y\": %.3f, \"ssim\": %.5f, "
                               "\"hull\": %s}",
                               k ? ", " : "", pt->crf[i][k], c->p[k].kbps, c->p[k].psnr_y,
                               c->p[k].ssim, prof_rd_on_hull(s, i, k) ? "true" : "false");
        ladder_text_printf(t, "]}");
    }
    ladder_text_printf(t, "]");
}

static void write_rungs(ladder_text *t, const tc_per_title *pt, const prof_ladder *profile)
{
    ladder_text_printf(t, "\"rungs\": [");
    for (int r = 0; r < pt->ladder.n_rungs; r++) {
        const prof_rung *to = &pt->ladder.rungs[r], *from = &profile->rungs[r];
        const prof_pt_choice *c = &pt->choice[r];
        ladder_text_printf(t,
                           "%s{\"name\": \"%s\", \"use\": \"%s\", \"profile_kbps\": %d, "
                           "\"profile_box\": [%d, %d], \"kbps\": %d, \"maxrate_kbps\": %d, "
                           "\"bufsize_kbps\": %d, \"box\": [%d, %d]",
                           r ? ", " : "", to->name, to->use == PROF_USE_HLS ? "hls" : "mp4",
                           from->video_kbps, from->width, from->height, to->video_kbps,
                           to->maxrate_kbps, to->bufsize_kbps, to->width, to->height);
        if (c->made)
            ladder_text_printf(t,
                               ", \"profile_psnr_y\": %.3f, \"target_psnr_y\": %.3f, "
                               "\"psnr_y\": %.3f",
                               c->profile_psnr_y, c->target_psnr_y, c->psnr_y);
        ladder_text_printf(t, ", \"reason\": ");
        write_string(t, c->made ? c->reason : "the source does not feed it");
        ladder_text_printf(t, "}");
    }
    ladder_text_printf(t, "]");
}

char *tc_per_title_json(const tc_per_title *pt)
{
    ladder_text t = {0};

    if (!pt->chosen) {
        ladder_text_printf(&t, "{\"status\": \"fallback\", \"reason\": ");
        write_string(&t, pt->reason);
        ladder_text_printf(&t, "}");
    } else {
        ladder_text_printf(&t,
                           "{\"status\": \"chosen\", \"display\": {\"width\": %d, \"height\": %d}, "
                           "\"sampled_seconds\": %.3f, \"windows\": [",
                           pt->show.display_w, pt->show.display_h, pt->n_windows * 1.0);
        for (int k = 0; k < pt->n_windows; k++)
            ladder_text_printf(&t, "%s%.3f", k ? ", " : "", (double)pt->windows[k]);
        ladder_text_printf(&t, "], ");
        write_curves(&t, pt);
        ladder_text_printf(&t, ", ");
        write_rungs(&t, pt, &pt->profile);
        ladder_text_printf(&t, "}");
    }
    if (t.failed) {
        ladder_text_free(&t);
        return NULL;
    }
    return t.s;
}

int tc_per_title_save(const tc_per_title *pt, const char *dir, ladder_error *err)
{
    char path[4096], *json = tc_per_title_json(pt);
    ladder_text xml = {0};
    int ret = json ? 0 : ladder_error_set(err, LADDER_ENOMEM, "out of memory");

    prof_format_xml(&pt->ladder, &xml);
    if (ret >= 0 && xml.failed)
        ret = ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (ret >= 0 && snprintf(path, sizeof path, "%s/" TC_PER_TITLE_XML, dir) >= (int)sizeof path)
        ret = ladder_error_set(err, LADDER_EINVAL, "%s: path too long", dir);
    if (ret >= 0)
        ret = ladder_write_file_atomic(path, xml.s, xml.len, err);
    snprintf(path, sizeof path, "%s/" TC_PER_TITLE_JSON, dir);
    if (ret >= 0)
        ret = ladder_write_file_atomic(path, json, strlen(json), err);
    ladder_text_free(&xml);
    free(json);
    return ret;
}

/* The whole of a small file, NUL-terminated, malloc'd. */
static char *read_text(const char *path, ladder_error *err)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long n = -1;

    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 24) &&
        fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1)) &&
        fread(text, 1, (size_t)n, f) == (size_t)n)
        text[n] = '\0';
    else {
        free(text);
        text = NULL;
        ladder_error_set(err, LADDER_EIO, "%s: cannot be read", path);
    }
    if (f)
        fclose(f);
    return text;
}

int tc_per_title_load(const char *dir, prof_ladder *ladder, char **json, ladder_error *err)
{
    char path[4096];
    int ret;

    *json = NULL;
    snprintf(path, sizeof path, "%s/" TC_PER_TITLE_XML, dir);
    if (!ladder_path_exists(path))
        return 0;
    if ((ret = prof_load(path, ladder, err)) < 0)
        return ret;
    snprintf(path, sizeof path, "%s/" TC_PER_TITLE_JSON, dir);
    return (*json = read_text(path, err)) ? 1 : err->code;
}

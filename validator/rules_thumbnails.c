/* rules_thumbnails.c: the trick-play thumbnails (docs/hls-rules.md#thumbnails). show.json's
 * "thumbnails" says what there is; each tile width's WebVTT track, sprite sheets and image
 * media playlist are then read as a player reads them: the cues cover the show, every tile
 * rectangle lies inside its sheet, every sheet is a JPEG of the declared size (from its SOF
 * marker), and the playlists name the sheets. A show whose show.json lists no thumbnails (one
 * made before them, or with thumbnails="off") has nothing to check. Rules:
 * thumbnail-show-json, thumbnail-vtt, thumbnail-timing, thumbnail-tile-inside-sheet,
 * thumbnail-sheet-size, thumbnail-image-playlist, thumbnail-master-entry. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_internal.h"

#define MAX_THUMBS 8
#define MS         5e-4 /* cue times are written to the millisecond */

typedef struct val_thumbs {
    int width, height, columns, rows, sheets, tiles;
    double interval;
    char vtt[256], playlist[256];
} val_thumbs;

/* ---- show.json: its duration and thumbnails (json.c reads the JSON) ----------------------- */

/* A relative path, without ".." (the paths Ladder writes). */
static int read_path(val_json *j, char *out, size_t len)
{
    return val_json_str(j, out, len) && strstr(out, "..") == NULL && out[0] != '/' &&
           strlen(out) + 1 < len;
}

static int read_int(val_json *j, int *out)
{
    double d;

    if (!val_json_num(j, &d) || d != floor(d) || d < 0 || d > 1e7)
        return 0;
    *out = (int)d;
    return 1;
}

/* One entry of "thumbnails": every field there and sane. */
static int read_entry(val_json *j, val_thumbs *e)
{
    char key[32];

    memset(e, 0, sizeof *e);
    e->sheets = e->tiles = -1;
    if (!val_json_eat(j, '{'))
        return 0;
    do {
        if (!val_json_str(j, key, sizeof key) || !val_json_eat(j, ':'))
            return 0;
        int ok = strcmp(key, "width") == 0      ? read_int(j, &e->width)
                 : strcmp(key, "height") == 0   ? read_int(j, &e->height)
                 : strcmp(key, "columns") == 0  ? read_int(j, &e->columns)
                 : strcmp(key, "rows") == 0     ? read_int(j, &e->rows)
                 : strcmp(key, "sheets") == 0   ? read_int(j, &e->sheets)
                 : strcmp(key, "tiles") == 0    ? read_int(j, &e->tiles)
                 : strcmp(key, "interval") == 0 ? val_json_num(j, &e->interval)
                 : strcmp(key, "vtt") == 0      ? read_path(j, e->vtt, sizeof e->vtt)
                 : strcmp(key, "playlist") == 0 ? read_path(j, e->playlist, sizeof e->playlist)
                                                : val_json_skip(j);
        if (!ok)
            return 0;
    } while (val_json_eat(j, ','));
    return val_json_eat(j, '}') && e->width > 0 && e->height > 0 && e->columns > 0 && e->rows > 0 &&
           e->sheets >= 0 && e->tiles >= 0 && e->interval > 0 && e->vtt[0] && e->playlist[0];
}

/* Reads show.json's duration and thumbnails; the count of entries (0: none listed), or -1
 * when the list is there but unreadable (or the text is not a JSON object). */
static int read_thumbs(const char *text, double *duration, val_thumbs *t)
{
    val_json j = {.p = text};
    char key[32];
    int n = 0;

    *duration = NAN;
    if (!val_json_eat(&j, '{'))
        return -1;
    if (val_json_eat(&j, '}'))
        return 0;
    do {
        if (!val_json_str(&j, key, sizeof key) || !val_json_eat(&j, ':'))
            return -1;
        if (strcmp(key, "duration") == 0 && !val_json_num(&j, duration))
            return -1;
        if (strcmp(key, "thumbnails") == 0) {
            if (!val_json_eat(&j, '['))
                return -1;
            if (val_json_eat(&j, ']'))
                continue;
            do
                if (n == MAX_THUMBS || !read_entry(&j, &t[n++]))
                    return -1;
            while (val_json_eat(&j, ','));
            if (!val_json_eat(&j, ']'))
                return -1;
        } else if (strcmp(key, "duration") != 0 && !val_json_skip(&j)) {
            return -1;
        }
    } while (val_json_eat(&j, ','));
    return val_json_eat(&j, '}') ? n : -1;
}

/* ---- JPEG size ----------------------------------------------------------------------------- */

/* The picture size in a JPEG's start-of-frame marker (ITU-T T.81 B.2.2); 0 when the file is
 * not a JPEG or has none. */
static int jpeg_size(const char *path, int *width, int *height)
{
    FILE *f = fopen(path, "rb");
    unsigned char b[8];
    int ok = 0;

    if (!f)
        return 0;
    if (fread(b, 1, 2, f) == 2 && b[0] == 0xFF && b[1] == 0xD8) {
        while (fread(b, 1, 4, f) == 4 && b[0] == 0xFF) {
            int marker = b[1], len = b[2] << 8 | b[3];
            int sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                      marker != 0xCC;
            if (sof) {
                if (fread(b, 1, 5, f) == 5) {
                    *height = b[1] << 8 | b[2];
                    *width = b[3] << 8 | b[4];
                    ok = 1;
                }
                break;
            }
            if (len < 2 || marker == 0xDA || fseek(f, len - 2, SEEK_CUR) != 0)
                break;
        }
    }
    fclose(f);
    return ok;
}

/* ---- the rules ----------------------------------------------------------------------------- */

/* "hh:mm:ss.mmm" or "mm:ss.mmm" (WebVTT timestamps); -1 when it is neither. */
static double vtt_time(const char *s, const char **after)
{
    int a, b, n = 0;
    double c;

    if (sscanf(s, "%d:%d:%lf%n", &a, &b, &c, &n) == 3 && n > 0) {
        *after = s + n;
        return a * 3600.0 + b * 60 + c;
    }
    if (sscanf(s, "%d:%lf%n", &a, &c, &n) == 2 && n > 0) {
        *after = s + n;
        return a * 60.0 + c;
    }
    return -1;
}

/* thumbnail-tile-inside-sheet for one cue's payload `sheet#xywh=x,y,w,h`, relative to dir. */
static void check_tile(val_report *r, const char *file, const char *dir, const char *payload,
                       const val_thumbs *t, char *last_sheet, int *sw, int *sh)
{
    char sheet[256], path[1024];
    int x, y, w, h, n = 0;
    const char *hash = strstr(payload, "#xywh=");

    if (!hash || (size_t)(hash - payload) >= sizeof sheet ||
        sscanf(hash, "#xywh=%d,%d,%d,%d%n", &x, &y, &w, &h, &n) != 4 || hash[n]) {
        val_fail(r, file, "thumbnail-vtt", "cue payload '%.80s' is not SHEET#xywh=X,Y,W,H",
                 payload);
        return;
    }
    memcpy(sheet, payload, (size_t)(hash - payload));
    sheet[hash - payload] = 0;
    if (strcmp(sheet, last_sheet) != 0) {
        val_join(path, sizeof path, dir, sheet);
        snprintf(last_sheet, 256, "%s", sheet);
        if (!jpeg_size(path, sw, sh))
            *sw = *sh = 0;
    }
    CHECK(r,
          *sw > 0 && x >= 0 && y >= 0 && w == t->width && h == t->height && x + w <= *sw &&
              y + h <= *sh,
          file, "thumbnail-tile-inside-sheet", "%s#xywh=%d,%d,%d,%d: %s (tiles are %dx%d)", sheet,
          x, y, w, h, *sw > 0 ? "outside the sheet" : "no such JPEG", t->width, t->height);
}

/* thumbnail-vtt, thumbnail-timing and thumbnail-tile-inside-sheet. */
static void check_vtt(val_report *r, const char *show, const val_thumbs *t, double duration)
{
    char path[1024], dir[1024], last_sheet[256] = "";
    char *text, *save = NULL, *line;
    int cues = 0, sw = 0, sh = 0, gaps = 0;
    double prev_end = 0;

    val_join(path, sizeof path, show, t->vtt);
    val_dir_of(dir, sizeof dir, show, t->vtt);
    text = val_slurp(path, NULL);
    CHECK(r, text && strncmp(text, "WEBVTT", 6) == 0, t->vtt, "thumbnail-vtt", "%s",
          text ? "does not start with WEBVTT" : "cannot read the track");
    if (!text || strncmp(text, "WEBVTT", 6) != 0) {
        free(text);
        return;
    }
    for (line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        const char *p;
        double start, end;
        if (!strstr(line, "-->"))
            continue;
        start = vtt_time(line, &p);
        p = start >= 0 ? strstr(p, "-->") : NULL;
        for (p = p ? p + 3 : NULL; p && *p == ' '; p++)
            ;
        end = p ? vtt_time(p, &p) : -1;
        char *payload = strtok_r(NULL, "\r\n", &save);
        if (start < 0 || end < 0 || !payload) {
            val_fail(r, t->vtt, "thumbnail-vtt", "cue %d: '%.80s' does not parse", cues, line);
            break;
        }
        if (fabs(start - prev_end) > MS && gaps++ == 0)
            val_fail(r, t->vtt, "thumbnail-timing",
                     "cue %d starts at %.3f s, not where the "
                     "one before ended (%.3f s)",
                     cues, start, prev_end);
        if (!(end > start) && gaps++ == 0)
            val_fail(r, t->vtt, "thumbnail-timing",
                     "cue %d ends at %.3f s, not after its "
                     "start",
                     cues, end);
        prev_end = end;
        check_tile(r, t->vtt, dir, payload, t, last_sheet, &sw, &sh);
        cues++;
    }
    if (gaps == 0)
        val_pass(r);
    CHECK(r, cues == t->tiles, t->vtt, "thumbnail-vtt", "%d cues; show.json says %d tiles", cues,
          t->tiles);
    CHECK(r, isnan(duration) || fabs(prev_end - duration) <= 2 * MS, t->vtt, "thumbnail-timing",
          "the cues end at %.3f s; the show lasts %.3f s", prev_end, duration);
    free(text);
}

/* thumbnail-image-playlist and thumbnail-sheet-size. */
static void check_image_playlist(val_report *r, const char *show, const val_thumbs *t,
                                 double duration)
{
    char path[1024], dir[1024], tiles[128];
    char *text, *save = NULL;
    int images_only = 0, n_tiles_tags = 0, bad_tiles = 0, sheets = 0, endlist = 0;
    double total = 0;

    val_join(path, sizeof path, show, t->playlist);
    val_dir_of(dir, sizeof dir, show, t->playlist);
    text = val_slurp(path, NULL);
    CHECK(r, text && strncmp(text, "#EXTM3U", 7) == 0, t->playlist, "thumbnail-image-playlist",
          "%s", text ? "does not start with #EXTM3U" : "cannot read the playlist");
    if (!text) {
        free(text);
        return;
    }
    snprintf(tiles, sizeof tiles, "RESOLUTION=%dx%d,LAYOUT=%dx%d,", t->width, t->height, t->columns,
             t->rows);
    for (char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        double d;
        images_only |= strcmp(line, "#EXT-X-IMAGES-ONLY") == 0;
        endlist |= strcmp(line, "#EXT-X-ENDLIST") == 0;
        if (sscanf(line, "#EXTINF:%lf", &d) == 1)
            total += d;
        if (strncmp(line, "#EXT-X-TILES:", 13) == 0) {
            n_tiles_tags++;
            char *dur = strstr(line, "DURATION=");
            bad_tiles |= strncmp(line + 13, tiles, strlen(tiles)) != 0 || !dur ||
                         fabs(atof(dur + 9) - t->interval) > MS;
        }
        if (line[0] == '#' || !line[0])
            continue;
        char sheet[1024];
        int w = 0, h = 0;
        val_join(sheet, sizeof sheet, dir, line);
        CHECK(r, jpeg_size(sheet, &w, &h) && w == t->columns * t->width && h == t->rows * t->height,
              t->playlist, "thumbnail-sheet-size", "%s: %s %dx%d, declared %dx%d", line,
              w ? "is" : "no such JPEG, or", w, h, t->columns * t->width, t->rows * t->height);
        sheets++;
    }
    CHECK(r, images_only && endlist && n_tiles_tags > 0 && !bad_tiles, t->playlist,
          "thumbnail-image-playlist",
          "needs EXT-X-IMAGES-ONLY, EXT-X-ENDLIST and EXT-X-TILES:%sDURATION=%g", tiles,
          t->interval);
    CHECK(r, sheets == t->sheets && sheets > 0, t->playlist, "thumbnail-image-playlist",
          "%d sheets; show.json says %d", sheets, t->sheets);
    CHECK(r, isnan(duration) || fabs(total - duration) <= 0.01, t->playlist,
          "thumbnail-image-playlist", "EXTINF values add up to %.3f s; the show lasts %.3f s",
          total, duration);
    free(text);
}

/* thumbnail-master-entry: an EXT-X-IMAGE-STREAM-INF names the playlist, with the tile size. */
static void check_master_entry(val_report *r, const char *master, const val_thumbs *t)
{
    char want[300], res[32], uri[256];
    int found = 0;

    snprintf(want, sizeof want, "%s", t->playlist);
    for (const char *p = master; p && !found; p = strchr(p, '\n')) {
        while (*p == '\n')
            p++;
        if (strncmp(p, "#EXT-X-IMAGE-STREAM-INF:", 24) != 0)
            continue;
        const char *nl = strchr(p, '\n');
        char line[1024];
        snprintf(line, sizeof line, "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
        snprintf(res, sizeof res, "%dx%d", t->width, t->height);
        char got[32];
        found = val_attr(line, "URI", uri, sizeof uri) && strcmp(uri, want) == 0 &&
                val_attr(line, "RESOLUTION", got, sizeof got) && strcmp(got, res) == 0;
    }
    CHECK(r, found, "master.m3u8", "thumbnail-master-entry",
          "no EXT-X-IMAGE-STREAM-INF with URI=\"%s\" and RESOLUTION=%dx%d", t->playlist, t->width,
          t->height);
}

void val_check_thumbnails(val_report *r, const char *show)
{
    char path[1024];
    char *json, *master;
    val_thumbs t[MAX_THUMBS];
    double duration;
    int n;

    val_join(path, sizeof path, show, "show.json");
    if (!(json = val_slurp(path, NULL)))
        return; /* a folder that is not a published version lists no thumbnails */
    n = read_thumbs(json, &duration, t);
    free(json);
    CHECK(r, n >= 0, "show.json", "thumbnail-show-json",
          "\"thumbnails\" is not a list of {width, height, interval, columns, rows, vtt, "
          "playlist, sheets, tiles}");
    val_join(path, sizeof path, show, "master.m3u8");
    master = n > 0 ? val_slurp(path, NULL) : NULL;
    for (int i = 0; i < n; i++) {
        check_vtt(r, show, &t[i], duration);
        check_image_playlist(r, show, &t[i], duration);
        if (master)
            check_master_entry(r, master, &t[i]);
    }
    free(master);
}

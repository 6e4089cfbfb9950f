/* playlist.c: the playlist text rules: master (multivariant) playlist, media playlists and I-frame
 * playlists, the EXT-X-VERSION each needs, and CODECS compared with what the media says. The
 * tags of ad breaks (EXT-X-PROGRAM-DATE-TIME, EXT-X-DATERANGE, EXT-X-DISCONTINUITY) are read
 * into the playlist for rules_ads.c, which checks them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val_internal.h"

static void free_ranges(val_playlist *pl)
{
    for (int i = 0; i < pl->n_ranges; i++)
        free(pl->ranges[i]);
    pl->n_ranges = 0;
}

void val_playlist_free(val_playlist *pl)
{
    free_ranges(pl);
    free(pl->ranges);
    free(pl->durations);
    free(pl->uris);
    free(pl->dates);
    free(pl->discontinuity);
    memset(pl, 0, sizeof *pl);
}

/* Room for entry pl->n (and its duration); 0 when out of memory. */
static int grow(val_playlist *pl)
{
    if (pl->n < pl->cap)
        return 1;
    int cap = pl->cap ? 2 * pl->cap : 256;
    double *d = realloc(pl->durations, cap * sizeof *d);
    if (d)
        pl->durations = d;
    char(*u)[64] = realloc(pl->uris, cap * sizeof *u);
    if (u)
        pl->uris = u;
    double *dates = realloc(pl->dates, cap * sizeof *dates);
    if (dates)
        pl->dates = dates;
    unsigned char *disc = realloc(pl->discontinuity, cap);
    if (disc)
        pl->discontinuity = disc;
    if (!d || !u || !dates || !disc)
        return 0;
    for (int i = pl->cap; i < cap; i++) {
        d[i] = 0;
        dates[i] = NAN;
        disc[i] = 0;
    }
    pl->cap = cap;
    return 1;
}

/* Keeps a DATERANGE's attribute list; 0 when out of memory. */
static int add_range(val_playlist *pl, const char *attrs)
{
    if (pl->n_ranges == pl->cap_ranges) {
        int cap = pl->cap_ranges ? 2 * pl->cap_ranges : 16;
        char **p = realloc(pl->ranges, cap * sizeof *p);
        if (!p)
            return 0;
        pl->ranges = p;
        pl->cap_ranges = cap;
    }
    if (!(pl->ranges[pl->n_ranges] = strdup(attrs)))
        return 0;
    pl->n_ranges++;
    return 1;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil). */
static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int val_parse_date(const char *s, double *seconds)
{
    int y, mo, d, h, mi, sec, n = 0, oh, om;
    double frac = 0;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19 ||
        mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    s += n;
    if (*s == '.') {
        double scale = 0.1;
        if (!(s[1] >= '0' && s[1] <= '9'))
            return 0;
        for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
            frac += (*s - '0') * scale;
    }
    *seconds = days_from_civil(y, mo, d) * 86400.0 + h * 3600 + mi * 60 + sec + frac;
    if (*s == 'Z' && !s[1])
        return 1;
    if ((*s == '+' || *s == '-') && sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && n == 5 &&
        !s[6]) {
        *seconds -= (*s == '+' ? 1 : -1) * (oh * 3600.0 + om * 60);
        return 1;
    }
    return 0;
}

/* The protocol version the playlist's features need (RFC 8216 section 7). */
static int version_needed(const char *text)
{
    int need = 1, iframes_only = strstr(text, "\n#EXT-X-I-FRAMES-ONLY") != NULL;

    for (const char *p = strstr(text, "#EXTINF:"); p; p = strstr(p + 1, "#EXTINF:"))
        if (memchr(p + 8, '.', strcspn(p + 8, ",\r\n")))
            need = 3; /* floating-point EXTINF */
    if (iframes_only || strstr(text, "\n#EXT-X-BYTERANGE:"))
        need = 4;
    if (strstr(text, "\n#EXT-X-MAP:"))
        need = iframes_only ? 5 : 6;
    return need;
}

/* version-tag: exactly one EXT-X-VERSION, at least what the features used need. */
static void check_version(val_report *r, const char *file, const char *text)
{
    int count = 0, version = 0, need = version_needed(text);

    for (const char *p = strstr(text, "#EXT-X-VERSION:"); p; p = strstr(p + 1, "#EXT-X-VERSION:")) {
        if (p == text || p[-1] == '\n') {
            count++;
            version = atoi(p + 15);
        }
    }
    if (count != 1)
        val_fail(r, file, "version-tag", "%d EXT-X-VERSION tags, not one", count);
    else
        CHECK(r, version >= need, file, "version-tag",
              "EXT-X-VERSION is %d; the features used need %d", version, need);
}

/* The lines of text (modified in place), with #EXTM3U required first. Lines end with LF or
 * CR LF (RFC 8216 4.1); blank lines are skipped. */
static char *first_line(val_report *r, const char *file, char *text, char **save)
{
    char *line = strtok_r(text, "\r\n", save);
    CHECK(r, line && strcmp(line, "#EXTM3U") == 0, file, "extm3u-first",
          "first line is not #EXTM3U");
    return line;
}

/* EXTINF durations and URIs of a media or I-frame playlist; returns the text's tags seen. */
typedef struct tags_seen {
    int vod, endlist;
} tags_seen;

/* The tags the ad rules read: a PDT dates the next entry, a DISCONTINUITY marks it. */
typedef struct entry_state {
    double date; /* the next entry's, NAN before any PDT */
    int discontinuity;
} entry_state;

static int read_ad_tag(val_playlist *pl, const char *line, entry_state *e)
{
    if (strncmp(line, "#EXT-X-PROGRAM-DATE-TIME:", 25) == 0) {
        pl->n_pdt++;
        if (!val_parse_date(line + 25, &e->date)) {
            pl->bad_pdt++;
            e->date = NAN;
        }
    } else if (strcmp(line, "#EXT-X-DISCONTINUITY") == 0) {
        e->discontinuity = 1;
    } else if (strncmp(line, "#EXT-X-DATERANGE:", 17) == 0) {
        return add_range(pl, line + 17);
    }
    return 1;
}

static tags_seen read_entries(val_report *r, const char *file, char *text, val_playlist *pl)
{
    char *save = NULL;
    tags_seen t = {0};
    entry_state e = {.date = NAN};

    for (char *line = first_line(r, file, text, &save); line;
         line = strtok_r(NULL, "\r\n", &save)) {
        if (strncmp(line, "#EXT-X-TARGETDURATION:", 22) == 0)
            pl->target = atoi(line + 22);
        t.vod |= strcmp(line, "#EXT-X-PLAYLIST-TYPE:VOD") == 0;
        t.endlist |= strcmp(line, "#EXT-X-ENDLIST") == 0;
        if (!read_ad_tag(pl, line, &e)) {
            val_fail(r, file, "playlist-exists", "out of memory at a DATERANGE");
            break;
        }
        if (strncmp(line, "#EXTINF:", 8) == 0) {
            if (!grow(pl)) {
                val_fail(r, file, "playlist-exists", "out of memory at entry %d", pl->n);
                break;
            }
            pl->durations[pl->n] = atof(line + 8);
        } else if (line[0] != '#' && line[0] && grow(pl)) {
            pl->dates[pl->n] = e.date;
            e.date += pl->durations[pl->n];
            pl->discontinuity[pl->n] = (unsigned char)e.discontinuity;
            e.discontinuity = 0;
            snprintf(pl->uris[pl->n++], sizeof pl->uris[0], "%s", line);
        }
    }
    for (int i = 0; i < pl->n; i++)
        pl->total += pl->durations[i];
    return t;
}

/* Empties pl for a new read, keeping its arrays. */
static void reset(val_playlist *pl)
{
    pl->target = pl->n = 0;
    pl->total = 0;
    pl->n_pdt = pl->bad_pdt = 0;
    free_ranges(pl);
    for (int i = 0; i < pl->cap; i++) { /* an entry without an EXTINF inherits nothing */
        pl->durations[i] = 0;
        pl->dates[i] = NAN;
        pl->discontinuity[i] = 0;
    }
}

void val_read_playlist_text(val_report *r, const char *file, const char *text, val_playlist *pl)
{
    char *copy = strdup(text);

    reset(pl);
    if (!copy) {
        val_fail(r, file, "playlist-exists", "out of memory");
        return;
    }
    read_entries(r, file, copy, pl);
    free(copy);
}

/* Reads show/uri into pl; returns 0 when unreadable (reported). */
static int read_playlist(val_report *r, const char *show, const char *uri, val_playlist *pl)
{
    char path[2048], *text;
    tags_seen t;

    reset(pl);
    val_join(path, sizeof path, show, uri);
    text = val_slurp(path, NULL);
    CHECK(r, text != NULL, uri, "playlist-exists", "cannot read the playlist");
    if (!text)
        return 0;
    check_version(r, uri, text);
    t = read_entries(r, uri, text, pl);
    free(text);
    CHECK(r, t.vod, uri, "playlist-type-vod", "no #EXT-X-PLAYLIST-TYPE:VOD");
    CHECK(r, t.endlist, uri, "endlist", "no #EXT-X-ENDLIST");
    return 1;
}

void val_read_media(val_report *r, const char *show, const char *uri, int target_seconds,
                    val_playlist *pl)
{
    if (!read_playlist(r, show, uri, pl))
        return;
    CHECK(r, pl->target == target_seconds, uri, "target-duration",
          "target duration is %d, not the profile's segment length %d", pl->target, target_seconds);
    for (int i = 0; i < pl->n; i++) {
        CHECK(r, (int)lround(pl->durations[i]) <= pl->target, uri, "extinf-within-target",
              "segment %d lasts %.3f s, more than the target duration rounded", i,
              pl->durations[i]);
        CHECK(r, pl->durations[i] <= pl->target + 0.5, uri, "segment-max-target-plus-half",
              "segment %d lasts %.3f s, over target + 0.5 s", i, pl->durations[i]);
    }
}

void val_read_iframes(val_report *r, const char *show, const char *uri, val_playlist *pl)
{
    read_playlist(r, show, uri, pl);
}

/* One STREAM-INF line into x. */
static void read_stream_inf(const char *line, val_variant *x)
{
    char value[256];

    memset(x, 0, sizeof *x);
    x->bandwidth = val_attr(line, "BANDWIDTH", value, sizeof value) ? atoll(value) : -1;
    x->average = val_attr(line, "AVERAGE-BANDWIDTH", value, sizeof value) ? atoll(value) : -1;
    x->has_codecs = val_attr(line, "CODECS", x->codecs, sizeof x->codecs);
    x->audio_only = x->has_codecs && strcmp(x->codecs, "mp4a.40.2") == 0;
    x->has_resolution = val_attr(line, "RESOLUTION", value, sizeof value);
    x->has_frame_rate = val_attr(line, "FRAME-RATE", value, sizeof value);
    val_attr(line, "CLOSED-CAPTIONS", x->closed_captions, sizeof x->closed_captions);
    val_attr(line, "SUBTITLES", x->subtitles, sizeof x->subtitles);
    val_attr(line, "AUDIO", x->audio, sizeof x->audio);
}

static void read_subtitles_tag(const char *line, val_master *m)
{
    val_subtitles *s = &m->subs[m->n_subs++];
    char value[16];

    memset(s, 0, sizeof *s);
    val_attr(line, "GROUP-ID", s->group, sizeof s->group);
    val_attr(line, "LANGUAGE", s->language, sizeof s->language);
    val_attr(line, "NAME", s->name, sizeof s->name);
    val_attr(line, "URI", s->uri, sizeof s->uri);
    s->is_default = val_attr(line, "DEFAULT", value, sizeof value) && strcmp(value, "YES") == 0;
    s->autoselect = val_attr(line, "AUTOSELECT", value, sizeof value) && strcmp(value, "YES") == 0;
}

static void read_media_tag(const char *line, val_master *m)
{
    char type[32];

    if (!val_attr(line, "TYPE", type, sizeof type))
        return;
    if (strcmp(type, "CLOSED-CAPTIONS") == 0 && m->n_cc_groups < VAL_MAX_VARIANTS) {
        char instream[16] = "";
        val_attr(line, "INSTREAM-ID", instream, sizeof instream);
        /* a rendition that names no 608 channel declares nothing a player can find */
        if (strncmp(instream, "CC", 2) == 0 && instream[2] >= '1' && instream[2] <= '4' &&
            !instream[3])
            val_attr(line, "GROUP-ID", m->cc_groups[m->n_cc_groups++], sizeof m->cc_groups[0]);
    }
    if (strcmp(type, "SUBTITLES") == 0 && m->n_subs < VAL_MAX_VARIANTS)
        read_subtitles_tag(line, m);
    if (strcmp(type, "AUDIO") == 0 && m->n_audio < VAL_MAX_VARIANTS) {
        val_audio_group *a = &m->audio[m->n_audio++];
        memset(a, 0, sizeof *a);
        val_attr(line, "GROUP-ID", a->group, sizeof a->group);
        val_attr(line, "NAME", a->name, sizeof a->name);
        val_attr(line, "URI", a->uri, sizeof a->uri);
        val_attr(line, "CHANNELS", a->channels, sizeof a->channels);
    }
}

const val_audio_group *val_audio_group_of(const val_master *m, const char *group)
{
    for (int i = 0; group[0] && i < m->n_audio; i++)
        if (strcmp(m->audio[i].group, group) == 0)
            return &m->audio[i];
    return NULL;
}

/* RFC 8216 4.3.4.1 and 4.3.4.2: an audio rendition has a GROUP-ID, NAME and URI (Ladder's
 * always have one: its fMP4 video carries no sound), and CHANNELS (Apple's authoring rules); a
 * variant's AUDIO names a declared group. Each rendition that is not also a variant is then
 * read as one (val_variant.rendition), so its playlist and segments meet the same rules. */
static void check_audio_groups(val_report *r, val_master *m)
{
    for (int i = 0; i < m->n_audio; i++) {
        const val_audio_group *a = &m->audio[i];
        int listed = 0;
        CHECK(r, a->group[0] && a->name[0] && a->uri[0] && a->channels[0], "master.m3u8",
              "audio-rendition-signalled",
              "an AUDIO rendition lacks GROUP-ID, NAME, URI or CHANNELS (NAME \"%s\")", a->name);
        for (int k = 0; k < m->n; k++)
            listed |= strcmp(m->v[k].uri, a->uri) == 0;
        if (a->uri[0] && !listed && m->n < VAL_MAX_VARIANTS) {
            val_variant *x = &m->v[m->n++];
            memset(x, 0, sizeof *x);
            snprintf(x->uri, sizeof x->uri, "%s", a->uri);
            x->audio_only = x->rendition = 1;
        }
    }
    for (int i = 0; i < m->n; i++)
        if (m->v[i].audio[0])
            CHECK(r, val_audio_group_of(m, m->v[i].audio) != NULL, "master.m3u8",
                  "audio-rendition-signalled",
                  "%s: AUDIO group \"%s\" has no EXT-X-MEDIA TYPE=AUDIO", m->v[i].uri,
                  m->v[i].audio);
}

/* RFC 8216 4.3.4.1 and 4.3.4.2: a subtitle rendition has a GROUP-ID, LANGUAGE, NAME and URI,
 * and AUTOSELECT=YES when DEFAULT=YES; a variant's SUBTITLES names a declared group; and when
 * a show has subtitles every variant offers them, so switching rungs never drops the text. */
static void check_subtitles(val_report *r, const val_master *m)
{
    for (int i = 0; i < m->n_subs; i++) {
        const val_subtitles *s = &m->subs[i];
        CHECK(r, s->group[0] && s->language[0] && s->name[0] && s->uri[0], "master.m3u8",
              "subtitles-signalled",
              "a SUBTITLES rendition lacks GROUP-ID, LANGUAGE, NAME or URI (NAME \"%s\")", s->name);
        CHECK(r, !s->is_default || s->autoselect, "master.m3u8", "subtitles-signalled",
              "SUBTITLES rendition \"%s\" is DEFAULT=YES without AUTOSELECT=YES", s->name);
    }
    for (int i = 0; i < m->n; i++) {
        const char *group = m->v[i].subtitles;
        int declared = 0;
        for (int g = 0; g < m->n_subs; g++)
            declared |= strcmp(m->subs[g].group, group) == 0;
        if (group[0])
            CHECK(r, declared, "master.m3u8", "subtitles-signalled",
                  "%s: SUBTITLES group \"%s\" has no EXT-X-MEDIA TYPE=SUBTITLES", m->v[i].uri,
                  group);
        else if (m->n_subs > 0)
            val_fail(r, "master.m3u8", "subtitles-signalled",
                     "%s: no SUBTITLES attribute, but the show has subtitle renditions",
                     m->v[i].uri);
    }
}

/* RFC 8216 4.3.4.2: CLOSED-CAPTIONS is NONE on every variant or on none, and a group it names
 * is declared by an EXT-X-MEDIA TYPE=CLOSED-CAPTIONS with an INSTREAM-ID of CC1 to CC4. Ladder
 * also wants the attribute on every variant, since Safari offers an empty captions menu for a
 * variant that does not say; only where other variants name a group may one say nothing
 * (NONE would then be on some but not all). */
static void check_closed_captions(val_report *r, const val_master *m)
{
    int none = 0, named = 0, declared;

    for (int i = 0; i < m->n; i++) {
        none += strcmp(m->v[i].closed_captions, "NONE") == 0;
        named += m->v[i].closed_captions[0] && strcmp(m->v[i].closed_captions, "NONE") != 0;
    }
    for (int i = 0; i < m->n; i++) {
        const char *cc = m->v[i].closed_captions;
        CHECK(r, cc[0] != '\0' || named > 0, "master.m3u8", "closed-captions-signalled",
              "%s: no CLOSED-CAPTIONS attribute", m->v[i].uri);
        if (!cc[0])
            continue;
        CHECK(r, none == 0 || none == m->n, "master.m3u8", "closed-captions-signalled",
              "%s: CLOSED-CAPTIONS=%s, but %d variant(s) say NONE: NONE must be on all or none",
              m->v[i].uri, cc, none);
        if (strcmp(cc, "NONE") == 0)
            continue;
        declared = 0;
        for (int g = 0; g < m->n_cc_groups; g++)
            declared |= strcmp(m->cc_groups[g], cc) == 0;
        CHECK(r, declared, "master.m3u8", "closed-captions-signalled",
              "%s: CLOSED-CAPTIONS group \"%s\" has no EXT-X-MEDIA TYPE=CLOSED-CAPTIONS with an "
              "INSTREAM-ID of CC1 to CC4",
              m->v[i].uri, cc);
    }
}

static void read_iframe_stream_inf(const char *line, val_master *m)
{
    val_iframe_stream *s;

    if (m->n_iframes >= VAL_MAX_VARIANTS) {
        m->too_many = 1;
        return;
    }
    m->n_iframes++;
    s = &m->iframes[m->n_iframes - 1];
    memset(s, 0, sizeof *s);
    val_attr(line, "URI", s->uri, sizeof s->uri);
    val_attr(line, "CODECS", s->codecs, sizeof s->codecs);
}

void val_read_master(val_report *r, const char *show, val_master *m)
{
    char path[2048], *text, *save = NULL;
    int independent = 0, expect_uri = 0;

    memset(m, 0, sizeof *m);
    val_join(path, sizeof path, show, "master.m3u8");
    text = val_slurp(path, NULL);
    CHECK(r, text != NULL, "master.m3u8", "playlist-exists", "cannot read the master playlist");
    if (!text)
        return;
    check_version(r, "master.m3u8", text);
    for (char *line = first_line(r, "master.m3u8", text, &save); line;
         line = strtok_r(NULL, "\r\n", &save)) {
        independent |= strcmp(line, "#EXT-X-INDEPENDENT-SEGMENTS") == 0;
        if (strncmp(line, "#EXT-X-I-FRAME-STREAM-INF:", 26) == 0)
            read_iframe_stream_inf(line, m);
        if (strncmp(line, "#EXT-X-MEDIA:", 13) == 0)
            read_media_tag(line, m);
        if (expect_uri && line[0] != '#') {
            snprintf(m->v[m->n - 1].uri, sizeof m->v[0].uri, "%s", line);
            expect_uri = 0;
        }
        if (strncmp(line, "#EXT-X-STREAM-INF:", 18) == 0) {
            if (m->n == VAL_MAX_VARIANTS) {
                m->too_many = 1;
                continue;
            }
            read_stream_inf(line, &m->v[m->n++]);
            expect_uri = 1;
        }
    }
    free(text);
    CHECK(r, !m->too_many, "master.m3u8", "too-many-variants",
          "more than %d variants or I-frame streams; a ladder makes at most %d rungs",
          VAL_MAX_VARIANTS, PROF_MAX_RUNGS);
    CHECK(r, independent, "master.m3u8", "independent-segments", "no EXT-X-INDEPENDENT-SEGMENTS");
    CHECK(r, m->n > 1, "master.m3u8", "more-than-one-variant", "%d variant(s)", m->n);
    check_closed_captions(r, m);
    check_subtitles(r, m);
    check_audio_groups(r, m); /* last: it adds the renditions to the variants */
}

/* breaks.c: ad breaks as the editor writes them (--ad-breaks), rounded to source frames and
 * checked, and the one rule every stage uses to find a break's picture. Conditioning the rungs
 * is the encoder's job (forced IDRs) and the segmenter's (cuts); both ask
 * ladder_break_reached, so they agree on the frame (docs/ads.md). */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media.h"

/* Digits with an optional fraction: "13", "13.37". Returns the count of characters read, 0 if
 * s does not start with one. */
static int read_decimal(const char *s, double *v)
{
    int i = 0, digits = 0;
    double x = 0, scale = 1;

    while (isdigit((unsigned char)s[i]) && digits < 12)
        x = x * 10 + (s[i++] - '0'), digits++;
    if (digits == 0 || isdigit((unsigned char)s[i]))
        return 0;
    if (s[i] == '.') {
        int frac = 0;
        for (i++; isdigit((unsigned char)s[i]) && frac < 9; i++, frac++)
            x += (s[i] - '0') * (scale /= 10);
        if (frac == 0 || isdigit((unsigned char)s[i]))
            return 0;
    }
    *v = x;
    return i;
}

/* SECONDS or [HH:]MM:SS[.mmm] (minutes and seconds below 60 after a colon). */
static int parse_time(const char *s, size_t len, double *out)
{
    double parts[3];
    int n = 0;
    size_t i = 0;

    while (n < 3) {
        int k = read_decimal(s + i, &parts[n]);
        if (k == 0)
            return -1;
        i += (size_t)k;
        n++;
        if (i >= len)
            break;
        if (s[i] != ':' || memchr(s + i - k, '.', (size_t)k))
            return -1; /* only the last part has a fraction */
        i++;
    }
    if (i != len)
        return -1;
    for (int k = 1; k < n; k++)
        if (parts[k] >= 60)
            return -1;
    *out = n == 1   ? parts[0]
           : n == 2 ? parts[0] * 60 + parts[1]
                    : parts[0] * 3600 + parts[1] * 60 + parts[2];
    return 0;
}

static int hex_digit(char c)
{
    return isdigit((unsigned char)c) ? c - '0'
           : c >= 'a' && c <= 'f'    ? c - 'a' + 10
           : c >= 'A' && c <= 'F'    ? c - 'A' + 10
                                     : -1;
}

/* 0xHEX into the break's cue bytes. */
static int parse_hex(const char *s, size_t len, ladder_break *b)
{
    if (len < 4 || len % 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
        (len - 2) / 2 > LADDER_SCTE35_MAX)
        return -1;
    for (size_t i = 2; i < len; i += 2) {
        int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        b->scte35[b->scte35_size++] = (uint8_t)(hi << 4 | lo);
    }
    b->source |= LADDER_BREAK_SCTE35;
    return 0;
}

/* One TIME[/DURATION[/0xHEX]] of len characters. */
static int parse_item(const char *s, size_t len, ladder_break *b, ladder_error *err)
{
    const char *slash = memchr(s, '/', len);
    size_t tlen = slash ? (size_t)(slash - s) : len;

    memset(b, 0, sizeof *b);
    b->duration = LADDER_BREAK_DURATION;
    b->source = LADDER_BREAK_OPTION;
    if (parse_time(s, tlen, &b->time) < 0)
        return ladder_error_set(err, LADDER_EINVAL,
                                "ad break '%.*s': not a time (seconds, or HH:MM:SS.mmm)", (int)len,
                                s);
    if (slash) {
        const char *d = slash + 1, *slash2 = memchr(d, '/', len - tlen - 1);
        size_t dlen = slash2 ? (size_t)(slash2 - d) : len - tlen - 1;
        if (parse_time(d, dlen, &b->duration) < 0 || memchr(d, ':', dlen) || !(b->duration > 0))
            return ladder_error_set(err, LADDER_EINVAL,
                                    "ad break '%.*s': its duration must be seconds above zero",
                                    (int)len, s);
        if (slash2 && parse_hex(slash2 + 1, len - (size_t)(slash2 + 1 - s), b) < 0)
            return ladder_error_set(err, LADDER_EINVAL,
                                    "ad break '%.*s': the cue must be 0x and up to %d bytes of hex",
                                    (int)len, s, LADDER_SCTE35_MAX);
    }
    return 0;
}

int ladder_breaks_parse(const char *list, ladder_break *out, int max, int *n, ladder_error *err)
{
    const char *s = list;

    if (!list || !*list)
        return ladder_error_set(err, LADDER_EINVAL, "--ad-breaks: the list is empty");
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (len == 0)
            return ladder_error_set(err, LADDER_EINVAL, "--ad-breaks: an empty item in '%s'", list);
        if (*n >= max)
            return ladder_error_set(err, LADDER_EINVAL, "--ad-breaks: more than %d breaks", max);
        if (s[0] == '-')
            return ladder_error_set(err, LADDER_EINVAL, "ad break '%.*s': negative", (int)len, s);
        int ret = parse_item(s, len, &out[*n], err);
        if (ret < 0)
            return ret;
        (*n)++;
        if (!comma)
            return 0;
        s = comma + 1;
    }
}

static int by_frame(const void *a, const void *b)
{
    const ladder_break *x = a, *y = b;
    return (x->frame > y->frame) - (x->frame < y->frame);
}

/* b absorbs m, a frame or less away: the option's frame and duration win (the editor's word),
 * a cue's bytes are kept. */
static void merge(ladder_break *b, const ladder_break *m)
{
    if ((m->source & LADDER_BREAK_OPTION) && !(b->source & LADDER_BREAK_OPTION)) {
        b->duration = m->duration;
        b->time = m->time;
        b->frame = m->frame;
        b->pts = m->pts;
    }
    if (m->scte35_size > 0 && b->scte35_size == 0) {
        memcpy(b->scte35, m->scte35, (size_t)m->scte35_size);
        b->scte35_size = m->scte35_size;
    }
    b->source |= m->source;
}

int ladder_breaks_resolve(ladder_break *b, int *n, int fps_num, int fps_den, double duration,
                          ladder_error *err)
{
    int kept = 0;

    if (fps_num <= 0 || fps_den <= 0)
        return ladder_error_set(err, LADDER_EINVAL, "ad breaks need the source's frame rate");
    for (int i = 0; i < *n; i++) {
        if (!(b[i].time >= 0) || (duration > 0 && b[i].time >= duration))
            return ladder_error_set(err, LADDER_EINVAL,
                                    "ad break at %.3f s is past the end of the show (%.3f s)",
                                    b[i].time, duration);
        b[i].frame = llround(b[i].time * fps_num / fps_den);
        b[i].pts = (b[i].frame * LADDER_VIDEO_TIMEBASE * fps_den + fps_num / 2) / fps_num;
    }
    qsort(b, (size_t)*n, sizeof *b, by_frame);
    for (int i = 0; i < *n; i++) {
        if (kept > 0 && b[i].frame - b[kept - 1].frame <= 1) {
            merge(&b[kept - 1], &b[i]);
            continue;
        }
        if (kept > 0 &&
            (double)(b[i].pts - b[kept - 1].pts) / LADDER_VIDEO_TIMEBASE < LADDER_BREAK_MIN_GAP)
            return ladder_error_set(err, LADDER_EINVAL,
                                    "ad breaks at %.3f s and %.3f s are closer than %.0f s",
                                    b[kept - 1].time, b[i].time, LADDER_BREAK_MIN_GAP);
        b[kept++] = b[i];
    }
    *n = kept;
    return 0;
}

void ladder_breaks_format(ladder_text *t, const ladder_break *b, int n)
{
    for (int i = 0; i < n; i++) {
        /* the frame's own time, exact enough to round back to the same frame */
        ladder_text_printf(t, "%s%.6f/%.6f", i ? "," : "", (double)b[i].pts / LADDER_VIDEO_TIMEBASE,
                           b[i].duration);
        if (b[i].scte35_size > 0) {
            ladder_text_printf(t, "/0x");
            for (int k = 0; k < b[i].scte35_size; k++)
                ladder_text_printf(t, "%02X", b[i].scte35[k]);
        }
    }
}

int ladder_break_reached(const ladder_plan *plan, int *next, int64_t pts)
{
    int64_t half;
    int reached = 0;

    if (*next >= plan->n_breaks || plan->src_fps_num <= 0)
        return 0;
    half = (int64_t)LADDER_VIDEO_TIMEBASE * plan->src_fps_den / (2 * plan->src_fps_num);
    while (*next < plan->n_breaks && pts >= plan->breaks[*next].pts - half) {
        reached = 1;
        (*next)++;
    }
    return reached;
}

void ladder_break_id(int i, char *out, size_t size)
{
    snprintf(out, size, "break-%d", i + 1);
}

void ladder_break_start_date(const ladder_break *b, char *out, size_t size)
{
    /* the epoch is midnight, 2000-01-01; a show is far shorter than a month */
    int64_t ms = (b->pts * 1000 + LADDER_VIDEO_TIMEBASE / 2) / LADDER_VIDEO_TIMEBASE;
    int64_t s = ms / 1000;

    snprintf(out, size,
             "2000-01-%02d"
             "T%02d:%02d:%02d.%03dZ",
             (int)(1 + s / 86400), (int)(s / 3600 % 24), (int)(s / 60 % 60), (int)(s % 60),
             (int)(ms % 1000));
}

const char *ladder_break_source_name(int source)
{
    return source == (LADDER_BREAK_OPTION | LADDER_BREAK_SCTE35) ? "option+scte35"
           : source == LADDER_BREAK_SCTE35                       ? "scte35"
                                                                 : "option";
}

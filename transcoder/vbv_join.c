/* vbv_join.c: each HLS rung's VBV played across the chunks of a chunked transcode as they are
 * joined, so that a chunk whose encoder assumed a fuller buffer than the chunks before it
 * leave is found before it is packaged, and encoded again from the buffer it really gets
 * (docs/distributed.md, "Joins that conform").
 *
 * The model is the validator's vbv-conformance (docs/hls-rules.md): the decoder's buffer fills
 * at maxrate up to bufsize, each picture leaves it whole at its decoding time, and the show's
 * first picture finds it 0.9 full (x264's default). Here the pictures' sizes are the chunk's
 * MP4 samples, read from its index without reading the samples, each with the access unit
 * delimiter a TS muxer puts before it. */
#include <limits.h>
#include <math.h>
#include <stdio.h>

#include "tc_internal.h"

#define DEFAULT_INIT 0.9  /* x264's vbv_init, and the validator's start */
#define REDO_MARGIN  0.03 /* of the buffer, below its level, per try */
/* FFmpeg's TS muxer starts each H.264 picture with an access unit delimiter (00 00 00 01 09 F0)
 * that x264 did not write and so did not count: the decoder's buffer loses these bytes more
 * than x264's model of it, and a chunk's model can drift that far below the real one. */
#define AUD_BYTES 6

/* One rung's pictures in this chunk: decoding times (seconds) and sizes (bits). */
typedef struct chunk_pictures {
    double *dts, *bits;
    int n;
} chunk_pictures;

static void free_pictures(chunk_pictures *p)
{
    av_freep(&p->dts);
    av_freep(&p->bits);
    p->n = 0;
}

static int read_pictures(const char *dir, const ladder_stream *st, chunk_pictures *p,
                         ladder_error *err)
{
    char path[PATH_MAX + LADDER_NAME_MAX + 8];
    AVFormatContext *ic = NULL;
    int ret, n;

    snprintf(path, sizeof path, "%s/%s.mp4", dir, st->name);
    /* the moov's sample tables are all that is needed: no stream info, no packet read */
    if ((ret = avformat_open_input(&ic, path, NULL, NULL)) < 0)
        return media_error_from_av(err, ret, path);
    AVStream *s = ic->streams[0];
    n = avformat_index_get_entries_count(s);
    p->dts = av_calloc(n > 0 ? n : 1, sizeof *p->dts);
    p->bits = av_calloc(n > 0 ? n : 1, sizeof *p->bits);
    if (!p->dts || !p->bits) {
        avformat_close_input(&ic);
        free_pictures(p);
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(s, i);
        p->dts[i] = e->timestamp * av_q2d(s->time_base);
        p->bits[i] = 8.0 * (e->size + AUD_BYTES);
    }
    p->n = n;
    avformat_close_input(&ic);
    return 0;
}

/* Plays the pictures through the rung's buffer from *b; returns the level (bits) the buffer
 * had when the chunk's first picture came, and sets *dry if it runs dry anywhere in the chunk.
 * *b is left where the chunk leaves it. */
static double play(tc_vbv_buffer *b, const ladder_stream *st, const chunk_pictures *p, int *dry)
{
    double size = st->bufsize_kbps * 1000.0, rate = st->maxrate_kbps * 1000.0, start = 0;

    *dry = 0;
    for (int i = 0; i < p->n; i++) {
        if (!b->started)
            b->level = DEFAULT_INIT * size;
        else
            b->level = fmin(size, b->level + rate * (p->dts[i] - b->last_dts));
        if (i == 0)
            start = b->level;
        b->level -= p->bits[i];
        b->last_dts = p->dts[i];
        b->started = 1;
        *dry |= b->level < 0;
    }
    return start;
}

/* The fullness to encode a rung from again: under what it gets by the drift the delimiters can
 * make over the chunk's pictures and a margin more for each try, never more than the default,
 * never nothing (x264 needs room for the first picture). */
static double redo_init(double start_fraction, int pictures, double size, int tries)
{
    double drift = 8.0 * AUD_BYTES * pictures / size;
    return fmax(0.01, fmin(start_fraction, DEFAULT_INIT) - drift - REDO_MARGIN * (tries + 1));
}

static int check_rung(tc_vbv_join *v, const char *dir, const ladder_stream *st, int tries,
                      tc_vbv_verdict *out, tc_vbv_buffer *after, ladder_error *err)
{
    chunk_pictures p = {0};
    int dry, ret = read_pictures(dir, st, &p, err);

    if (ret < 0)
        return ret;
    *after = v->buffer[st->index];
    double size = st->bufsize_kbps * 1000.0, start = play(after, st, &p, &dry) / size;
    int pictures = p.n;

    free_pictures(&p);
    out->init[st->rung] = st->vbv_init;
    if (!dry)
        return 0;
    out->init[st->rung] = redo_init(start, pictures, size, tries);
    if (!out->underflows) {
        out->underflows = 1;
        snprintf(out->rung, sizeof out->rung, "%s", st->name);
        out->start = start;
        out->assumed = st->vbv_init > 0 ? st->vbv_init : DEFAULT_INIT;
    }
    return 0;
}

int tc_vbv_join_chunk(tc_vbv_join *v, const char *dir, const ladder_plan *plan, int tries,
                      tc_vbv_verdict *out, ladder_error *err)
{
    tc_vbv_buffer after[LADDER_MAX_STREAMS];

    memset(out, 0, sizeof *out);
    for (int i = 0; i < plan->n_streams; i++) {
        const ladder_stream *st = &plan->streams[i];
        after[i] = v->buffer[i];
        if (st->kind != LADDER_STREAM_VIDEO || st->use != PROF_USE_HLS || st->bufsize_kbps <= 0 ||
            st->rung < 0 || st->rung >= PROF_MAX_RUNGS)
            continue;
        int ret = check_rung(v, dir, st, tries, out, &after[i], err);
        if (ret < 0)
            return ret;
    }
    if (out->underflows)
        return 1;
    memcpy(v->buffer, after, sizeof after);
    return 0;
}

/* summary.c: the JSON summary of a transcode (summary.json), written with jansson, and
 * reading its plan back for tc_disk_replay. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "tc_internal.h"

static json_t *hex_of(const uint8_t *data, int size)
{
    char buf[2 * 512 + 1];
    for (int i = 0; i < size && i < 512; i++)
        snprintf(buf + 2 * i, 3, "%02x", data[i]);
    buf[2 * (size < 512 ? size : 512)] = '\0';
    return json_string(buf);
}

static json_t *stats_json(const ladder_stream_stats *s, int video)
{
    json_t *o = json_pack("{s:I,s:I,s:f,s:f}", "frames", (json_int_t)s->frames, "bytes",
                          (json_int_t)s->bytes, "duration", s->duration, "avg_kbps", s->avg_kbps);
    if (o && video) {
        json_object_set_new(o, "idr_count", json_integer(s->idr_count));
        json_object_set_new(o, "psnr_y", json_real(s->psnr_y));
        json_object_set_new(o, "psnr_avg", json_real(s->psnr_avg));
        json_object_set_new(o, "ssim", json_real(s->ssim));
    }
    return o;
}

static json_t *stream_json(const ladder_stream *st, const ladder_stream_stats *s)
{
    json_t *o = json_pack("{s:i,s:s,s:s,s:i,s:i}", "index", st->index, "kind",
                          st->kind == LADDER_STREAM_VIDEO ? "video" : "audio", "name", st->name,
                          "timebase", st->timebase_den, "bitrate_kbps", st->bitrate_kbps);
    if (!o)
        return NULL;
    if (st->kind == LADDER_STREAM_VIDEO) {
        char fps[32];
        snprintf(fps, sizeof fps, "%d/%d", st->fps_num, st->fps_den);
        json_object_set_new(o, "rung", json_integer(st->rung));
        json_object_set_new(o, "use", json_string(st->use == PROF_USE_MP4 ? "mp4" : "hls"));
        json_object_set_new(o, "width", json_integer(st->width));
        json_object_set_new(o, "height", json_integer(st->height));
        json_object_set_new(o, "fps", json_string(fps));
        json_object_set_new(o, "profile_idc", json_integer(st->profile_idc));
        json_object_set_new(o, "level_idc", json_integer(st->level_idc));
        json_object_set_new(o, "audio_stream", json_integer(st->audio_stream));
        json_object_set_new(o, "cc608", json_boolean(st->cc608));
        json_object_set_new(o, "maxrate_kbps", json_integer(st->maxrate_kbps));
        json_object_set_new(o, "bufsize_kbps", json_integer(st->bufsize_kbps));
        if (st->crf > 0)
            json_object_set_new(o, "crf", json_real(st->crf));
        if (st->vbv_init > 0)
            json_object_set_new(o, "vbv_init", json_real(st->vbv_init));
    } else {
        json_object_set_new(o, "sample_rate", json_integer(st->sample_rate));
        json_object_set_new(o, "channels", json_integer(st->channels));
    }
    json_object_set_new(o, "extradata", hex_of(st->extradata, st->extradata_size));
    if (s)
        json_object_set_new(o, "stats", stats_json(s, st->kind == LADDER_STREAM_VIDEO));
    return o;
}

static json_t *source_json(const ladder_plan *p)
{
    char fps[32];
    snprintf(fps, sizeof fps, "%d/%d", p->src_fps_num, p->src_fps_den);
    return json_pack("{s:i,s:i,s:s,s:f,s:i,s:b,s:b,s:s,s:s}", "width", p->src_width, "height",
                     p->src_height, "fps", fps, "duration", p->src_duration, "rotation",
                     p->src_rotation, "interlaced", p->src_interlaced, "has_audio",
                     p->src_has_audio, "video_codec", p->src_video_codec, "pix_fmt",
                     p->src_pix_fmt);
}

static int unhex(const char *s, uint8_t *out, int max);

/* The plan's ad breaks, already rounded to frames; NULL when it has none. */
static json_t *breaks_json(const ladder_plan *p)
{
    json_t *a = p->n_breaks > 0 ? json_array() : NULL;

    for (int i = 0; a && i < p->n_breaks; i++) {
        const ladder_break *b = &p->breaks[i];
        json_array_append_new(a, json_pack("{s:f,s:f,s:i,s:I,s:I,s:o}", "time", b->time, "duration",
                                           b->duration, "source", b->source, "frame",
                                           (json_int_t)b->frame, "pts", (json_int_t)b->pts,
                                           "scte35", hex_of(b->scte35, b->scte35_size)));
    }
    return a;
}

static int read_breaks(json_t *a, ladder_plan *plan)
{
    size_t i;
    json_t *v;

    if (!a)
        return 0;
    if (!json_is_array(a) || json_array_size(a) > LADDER_MAX_BREAKS)
        return -1;
    json_array_foreach(a, i, v)
    {
        ladder_break *b = &plan->breaks[i];
        json_int_t frame, pts;
        const char *hex;
        if (json_unpack(v, "{s:F,s:F,s:i,s:I,s:I,s:s}", "time", &b->time, "duration", &b->duration,
                        "source", &b->source, "frame", &frame, "pts", &pts, "scte35", &hex) != 0 ||
            strlen(hex) > 2 * LADDER_SCTE35_MAX)
            return -1;
        b->frame = frame;
        b->pts = pts;
        b->scte35_size = unhex(hex, b->scte35, LADDER_SCTE35_MAX);
        if (b->scte35_size < 0)
            return -1;
    }
    plan->n_breaks = (int)json_array_size(a);
    return 0;
}

char *tc_plan_json(const ladder_plan *plan, const ladder_stream_stats *stats, const tc_job *job,
                   const char *ladder, double elapsed)
{
    json_t *root = json_object(), *streams = json_array(), *skipped = json_array();
    char *text = NULL;

    if (root && streams && skipped) {
        for (int i = 0; i < plan->n_streams; i++)
            json_array_append_new(streams,
                                  stream_json(&plan->streams[i], stats ? &stats[i] : NULL));
        for (int i = 0; i < plan->n_skipped; i++)
            json_array_append_new(skipped, json_string(plan->skipped[i]));
        json_object_set_new(root, "ladder", json_string(ladder));
        json_object_set_new(root, "source", source_json(plan));
        json_object_set(root, "streams", streams);
        json_object_set(root, "skipped_rungs", skipped);
        if (plan->n_breaks > 0)
            json_object_set_new(root, "breaks", breaks_json(plan));
        if (job && (job->n_segments > 0 || job->audio_only))
            json_object_set_new(root, "job",
                                json_pack("{s:i,s:i,s:b,s:b}", "first_segment", job->first_segment,
                                          "segments", job->n_segments, "audio_only",
                                          job->audio_only, "reached_end", job->reached_end));
        json_object_set_new(root, "elapsed_seconds", json_real(elapsed));
        text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    }
    json_decref(streams);
    json_decref(skipped);
    json_decref(root);
    return text;
}

static int unhex(const char *s, uint8_t *out, int max)
{
    int n = 0;
    for (; s[0] && s[1] && n < max; s += 2) {
        unsigned v;
        if (sscanf(s, "%2x", &v) != 1)
            return -1;
        out[n++] = (uint8_t)v;
    }
    return n;
}

static int read_stream(json_t *o, ladder_stream *st, ladder_stream_stats *stats)
{
    const char *kind = "", *name = "", *fps = "0/1", *extra = "", *use = "hls";
    json_t *s = NULL;

    memset(st, 0, sizeof *st);
    st->rung = st->audio_stream = -1;
    if (json_unpack(
            o,
            "{s:i,s:s,s:s,s:i,s:i,s?i,s?s,s?i,s?i,s?i,s?i,s?s,s?i,s?i,s?i,s?b,s?F,s?F,s?i,s?i,s?s,"
            "s?o}",
            "index", &st->index, "kind", &kind, "name", &name, "timebase", &st->timebase_den,
            "bitrate_kbps", &st->bitrate_kbps, "rung", &st->rung, "use", &use, "maxrate_kbps",
            &st->maxrate_kbps, "bufsize_kbps", &st->bufsize_kbps, "width", &st->width, "height",
            &st->height, "fps", &fps, "profile_idc", &st->profile_idc, "level_idc", &st->level_idc,
            "audio_stream", &st->audio_stream, "cc608", &st->cc608, "crf", &st->crf, "vbv_init",
            &st->vbv_init, "sample_rate", &st->sample_rate, "channels", &st->channels, "extradata",
            &extra, "stats", &s) != 0)
        return -1;
    st->kind = strcmp(kind, "video") == 0 ? LADDER_STREAM_VIDEO : LADDER_STREAM_AUDIO;
    st->use = strcmp(use, "mp4") == 0 ? PROF_USE_MP4 : PROF_USE_HLS;
    snprintf(st->name, sizeof st->name, "%s", name);
    if (sscanf(fps, "%d/%d", &st->fps_num, &st->fps_den) != 2)
        return -1;
    st->extradata_size = unhex(extra, st->extradata, sizeof st->extradata);
    if (st->extradata_size < 0 || st->timebase_den <= 0)
        return -1;
    if (stats && s) {
        json_int_t frames = 0, bytes = 0, idr = 0;
        json_unpack(s, "{s?I,s?I,s?F,s?F,s?I,s?F,s?F,s?F}", "frames", &frames, "bytes", &bytes,
                    "duration", &stats->duration, "avg_kbps", &stats->avg_kbps, "idr_count", &idr,
                    "psnr_y", &stats->psnr_y, "psnr_avg", &stats->psnr_avg, "ssim", &stats->ssim);
        stats->frames = frames;
        stats->bytes = bytes;
        stats->idr_count = idr;
    }
    return 0;
}

int tc_plan_read(const char *path, ladder_plan *plan, ladder_stream_stats *stats, tc_job *job,
                 ladder_error *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr), *streams, *v;
    size_t i;

    if (!root)
        return ladder_error_set(err, LADDER_EINPUT, "%s:%d: %s", path, jerr.line, jerr.text);
    memset(plan, 0, sizeof *plan);
    streams = json_object_get(root, "streams");
    if (!json_is_array(streams) || json_array_size(streams) > LADDER_MAX_STREAMS) {
        json_decref(root);
        return ladder_error_set(err, LADDER_EINPUT, "%s: no valid \"streams\" list", path);
    }
    json_array_foreach(streams, i, v)
    {
        ladder_stream *st = &plan->streams[i];
        if (read_stream(v, st, stats ? &stats[i] : NULL) < 0 || st->index != (int)i) {
            json_decref(root);
            return ladder_error_set(err, LADDER_EINPUT, "%s: stream %zu is malformed", path, i);
        }
        plan->n_video += st->kind == LADDER_STREAM_VIDEO;
        plan->n_audio += st->kind == LADDER_STREAM_AUDIO;
    }
    plan->n_streams = (int)json_array_size(streams);
    if (job) {
        *job = (tc_job){.reached_end = 1};
        json_unpack(json_object_get(root, "job"), "{s?i,s?i,s?b,s?b}", "first_segment",
                    &job->first_segment, "segments", &job->n_segments, "audio_only",
                    &job->audio_only, "reached_end", &job->reached_end);
    }
    if (read_breaks(json_object_get(root, "breaks"), plan) < 0) {
        json_decref(root);
        return ladder_error_set(err, LADDER_EINPUT, "%s: the \"breaks\" list is malformed", path);
    }
    v = json_object_get(root, "source");
    if (v) {
        const char *fps = "0/1";
        json_unpack(v, "{s?i,s?i,s?s,s?F,s?i,s?b,s?b}", "width", &plan->src_width, "height",
                    &plan->src_height, "fps", &fps, "duration", &plan->src_duration, "rotation",
                    &plan->src_rotation, "interlaced", &plan->src_interlaced, "has_audio",
                    &plan->src_has_audio);
        sscanf(fps, "%d/%d", &plan->src_fps_num, &plan->src_fps_den);
    }
    json_decref(root);
    return 0;
}

char *tc_summary_json(const tc_transcoder *t, double elapsed)
{
    const ladder_plan *plan = tc_get_plan(t);
    ladder_stream_stats stats[LADDER_MAX_STREAMS];

    for (int i = 0; i < plan->n_streams; i++)
        stats[i] = *tc_get_stats(t, i);
    return tc_plan_json(plan, stats, tc_get_job(t), tc_get_ladder_name(t), elapsed);
}

/* ---- a rate probe job's summary (`ladder transcode --probe`) ----------------------------- */

static json_t *numbers(const double *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

char *tc_probe_json(const tc_rate_probe *p, int gop, int n_rungs, const double *bits,
                    const double *seconds)
{
    /* jansson writes reals with 17 digits: the sums the coordinator makes are the local ones */
    json_t *root = json_pack("{s:{s:i,s:i,s:o,s:o}}", "probe", "pass", p->pass, "gop", gop, "bits",
                             numbers(bits, n_rungs), "seconds", numbers(seconds, n_rungs));
    char *s = root ? json_dumps(root, JSON_INDENT(2)) : NULL;

    json_decref(root);
    return s;
}

static int add_numbers(json_t *a, double *sum, int n)
{
    if (!json_is_array(a) || (int)json_array_size(a) != n)
        return -1;
    for (int i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_number(v))
            return -1;
        sum[i] += json_number_value(v);
    }
    return 0;
}

int tc_probe_read(const char *dir, const tc_rate_probe *p, int gop, int n_rungs, double *bits,
                  double *seconds, ladder_error *err)
{
    char path[PATH_MAX];
    json_error_t jerr;
    json_t *root, *bits_a = NULL, *seconds_a = NULL;
    int pass = 0, at = -1, ret = 0;

    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (!(root = json_load_file(path, 0, &jerr)))
        return ladder_error_set(err, LADDER_EINPUT, "%s:%d: %s", path, jerr.line, jerr.text);
    if (json_unpack(root, "{s:{s:i,s:i,s:o,s:o}}", "probe", "pass", &pass, "gop", &at, "bits",
                    &bits_a, "seconds", &seconds_a) != 0 ||
        pass != p->pass || at != gop)
        ret = ladder_error_set(err, LADDER_EINPUT, "%s is not pass %d of the probe of GOP %d", path,
                               p->pass, gop);
    else if (add_numbers(bits_a, bits, n_rungs) < 0 || add_numbers(seconds_a, seconds, n_rungs) < 0)
        ret = ladder_error_set(err, LADDER_EINPUT, "%s: expected %d rungs' bits and seconds", path,
                               n_rungs);
    json_decref(root);
    return ret;
}

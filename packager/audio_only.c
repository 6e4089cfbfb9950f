/* audio_only.c: the audio-only HLS variant (hls/audio), what a player can fall back to when
 * no video rung fits its link. It is the lowest-bitrate AAC cut at the first HLS rung's
 * segment times, so it switches with the video rungs on the same boundaries; it exists only
 * with an HLS rung to cut it.
 *
 * The cuts come on the first rung's video thread and the audio on its own thread; either may
 * complete a segment, so the cuts and the writer are under the variant's lock, taken after
 * the first rung's and before the audio store's. */
#include <math.h>

#include "pkg_internal.h"

void audio_only_begin(pkg_packager *p)
{
    audio_only_variant *ao = &p->audio_only;

    ao->audio = -1;
    for (int i = 0; p->n_hls > 0 && i < p->plan.n_streams; i++)
        if (p->plan.streams[i].kind == LADDER_STREAM_AUDIO &&
            (ao->audio < 0 ||
             p->plan.streams[i].bitrate_kbps < p->plan.streams[ao->audio].bitrate_kbps))
            ao->audio = i;
    ao->audio_reader = add_audio_reader(p, ao->audio);
}

/* Writes segment `i` (its end the next cut, or the show's end for the last). Under ao->lock. */
static int write_audio_only_segment(pkg_packager *p, int i, int last, ladder_error *err)
{
    audio_only_variant *ao = &p->audio_only;
    char dir[1200];
    int ret = 0;

    if (!ao->opened) {
        snprintf(dir, sizeof dir, "%s/hls/audio", p->out_dir);
        ret = seg_writer_open(&ao->w, dir, p->params.container == PROF_CONTAINER_FMP4, NULL,
                              &p->plan.streams[ao->audio], &p->params, "hls/audio/index.m3u8", err);
        ao->opened = ret >= 0;
    }
    if (ret >= 0) {
        double end = last ? INFINITY : ao->cuts[i + 1];
        double duration = (last ? p->duration : ao->cuts[i + 1]) - ao->cuts[i];
        ret = write_variant_segment(p, &ao->w, ao->audio, ao->audio_reader, NULL, 0, ao->cuts[i],
                                    end, duration, err);
    }
    ao->written += ret >= 0;
    return ret;
}

int audio_only_flush(pkg_packager *p, ladder_error *err)
{
    audio_only_variant *ao = &p->audio_only;
    int ret = 0;

    if (ao->audio < 0)
        return 0;
    pthread_mutex_lock(&ao->lock);
    while (ret >= 0 && ao->written + 1 < ao->n_cuts &&
           audio_ready(p, ao->audio, ao->cuts[ao->written + 1]))
        ret = write_audio_only_segment(p, ao->written, 0, err);
    pthread_mutex_unlock(&ao->lock);
    return ret;
}

int audio_only_cut(pkg_packager *p, double t, ladder_error *err)
{
    audio_only_variant *ao = &p->audio_only;
    int ret;

    pthread_mutex_lock(&ao->lock);
    ret = pkg_grow((void **)&ao->cuts, &ao->cap_cuts, ao->n_cuts, sizeof *ao->cuts);
    if (ret >= 0)
        ao->cuts[ao->n_cuts++] = t;
    pthread_mutex_unlock(&ao->lock);
    if (ret < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    return audio_only_flush(p, err);
}

/* Runs alone (the sink's end), after the HLS rungs have set the show's duration. */
int audio_only_finish(pkg_packager *p, ladder_error *err)
{
    audio_only_variant *ao = &p->audio_only;
    int ret = 0;

    if (ao->audio < 0)
        return 0;
    while (ret >= 0 && ao->written < ao->n_cuts)
        ret = write_audio_only_segment(p, ao->written, ao->written + 1 == ao->n_cuts, err);
    if (ret >= 0 && ao->opened)
        ret = seg_writer_close(&ao->w, err);
    return ret;
}

/* e comes zeroed. */
int audio_only_playlist(pkg_packager *p, pkg_master_entry *e, ladder_error *err)
{
    char path[1100];
    int ret;

    snprintf(path, sizeof path, "%s/hls/audio/index.m3u8", p->out_dir);
    ret = write_media_playlist(path, &p->audio_only.w, pkg_target_seconds(p), p->break_tags.s, err);
    snprintf(e->stats.name, sizeof e->stats.name, "audio");
    e->stats.is_audio_only = 1;
    measure_variant(&p->audio_only.w, &e->stats);
    snprintf(e->stats.codecs, sizeof e->stats.codecs, "mp4a.40.2");
    snprintf(e->uri, sizeof e->uri, "hls/audio/index.m3u8");
    return ret;
}

void audio_only_free(audio_only_variant *ao)
{
    seg_writer_free(&ao->w);
    av_free(ao->cuts);
}

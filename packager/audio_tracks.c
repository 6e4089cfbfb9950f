/* audio_tracks.c: the HLS audio that is not muxed with a video rung, cut at the first HLS
 * rung's segment times so it switches with the video on the same boundaries; it exists only
 * with an HLS rung to cut it.
 *
 * - In TS, one track: the audio-only variant (hls/audio), the lowest-bitrate AAC, what a
 *   player falls back to when no video rung fits its link.
 * - In fMP4, every AAC the HLS rungs use, since their video segments carry no audio (CMAF:
 *   one track per file, so DASH can point at the same files, docs/dash.md): hls/audio for the
 *   lowest bitrate (also the audio-only variant), hls/audio-<kbps> for the others. Each is an
 *   EXT-X-MEDIA audio rendition that the video variants name.
 *
 * The cuts come on the first rung's video thread and the audio on its own thread; either may
 * complete a segment, so a track's cuts and writer are under its lock, taken after the first
 * rung's and before the audio store's. */
#include <math.h>

#include "pkg_internal.h"

/* Adds a track for plan stream `audio` unless there is one. */
static void add_track(pkg_packager *p, int audio)
{
    for (int i = 0; i < p->n_audio_tracks; i++)
        if (p->audio_tracks[i].audio == audio)
            return;
    p->audio_tracks[p->n_audio_tracks++].audio = audio;
}

/* Lowest bitrate first: the first track is the audio-only variant, named hls/audio. */
static void sort_and_name_tracks(pkg_packager *p)
{
    for (int i = 1; i < p->n_audio_tracks; i++)
        for (int j = i; j > 0; j--) {
            audio_track *a = &p->audio_tracks[j - 1], *b = &p->audio_tracks[j];
            if (p->plan.streams[a->audio].bitrate_kbps <= p->plan.streams[b->audio].bitrate_kbps)
                break;
            int t = a->audio;
            a->audio = b->audio;
            b->audio = t;
        }
    for (int i = 0; i < p->n_audio_tracks; i++) {
        audio_track *t = &p->audio_tracks[i];
        if (i == 0)
            snprintf(t->name, sizeof t->name, "audio");
        else
            snprintf(t->name, sizeof t->name, "audio-%d", p->plan.streams[t->audio].bitrate_kbps);
    }
}

void audio_tracks_begin(pkg_packager *p)
{
    int fmp4 = p->params.container == PROF_CONTAINER_FMP4, lowest = -1;

    for (int i = 0; p->n_hls > 0 && i < p->plan.n_streams; i++)
        if (p->plan.streams[i].kind == LADDER_STREAM_AUDIO &&
            (lowest < 0 || p->plan.streams[i].bitrate_kbps < p->plan.streams[lowest].bitrate_kbps))
            lowest = i;
    if (lowest >= 0)
        add_track(p, lowest);
    for (int i = 0; fmp4 && i < p->n_hls; i++)
        if (p->hls[i].group_audio >= 0)
            add_track(p, p->hls[i].group_audio);
    sort_and_name_tracks(p);
    for (int i = 0; i < p->n_audio_tracks; i++)
        p->audio_tracks[i].audio_reader = add_audio_reader(p, p->audio_tracks[i].audio);
}

const audio_track *audio_track_of(const pkg_packager *p, int audio)
{
    for (int i = 0; i < p->n_audio_tracks; i++)
        if (p->audio_tracks[i].audio == audio)
            return &p->audio_tracks[i];
    return NULL;
}

/* Writes segment `i` (its end the next cut, or the show's end for the last). Under t->lock. */
static int write_track_segment(pkg_packager *p, audio_track *t, int i, int last, ladder_error *err)
{
    char dir[1200], playlist[64];
    int ret = 0;

    if (!t->opened) {
        snprintf(dir, sizeof dir, "%s/hls/%s", p->out_dir, t->name);
        snprintf(playlist, sizeof playlist, "hls/%s/index.m3u8", t->name);
        ret = seg_writer_open(&t->w, dir, p->params.container == PROF_CONTAINER_FMP4, NULL,
                              &p->plan.streams[t->audio], &p->params, playlist, err);
        t->opened = ret >= 0;
    }
    if (ret >= 0) {
        double end = last ? INFINITY : t->cuts[i + 1];
        double duration = (last ? p->duration : t->cuts[i + 1]) - t->cuts[i];
        ret = write_variant_segment(p, &t->w, t->audio, t->audio_reader, NULL, 0, t->cuts[i], end,
                                    duration, err);
    }
    t->written += ret >= 0;
    return ret;
}

static int flush_track(pkg_packager *p, audio_track *t, ladder_error *err)
{
    int ret = 0;

    pthread_mutex_lock(&t->lock);
    while (ret >= 0 && t->written + 1 < t->n_cuts &&
           audio_ready(p, t->audio, t->cuts[t->written + 1]))
        ret = write_track_segment(p, t, t->written, 0, err);
    pthread_mutex_unlock(&t->lock);
    return ret;
}

int audio_tracks_flush(pkg_packager *p, int audio, ladder_error *err)
{
    int ret = 0;

    for (int i = 0; ret >= 0 && i < p->n_audio_tracks; i++)
        if (p->audio_tracks[i].audio == audio)
            ret = flush_track(p, &p->audio_tracks[i], err);
    return ret;
}

int audio_tracks_cut(pkg_packager *p, double when, ladder_error *err)
{
    int ret = 0;

    for (int i = 0; ret >= 0 && i < p->n_audio_tracks; i++) {
        audio_track *t = &p->audio_tracks[i];
        pthread_mutex_lock(&t->lock);
        ret = pkg_grow((void **)&t->cuts, &t->cap_cuts, t->n_cuts, sizeof *t->cuts);
        if (ret >= 0)
            t->cuts[t->n_cuts++] = when;
        pthread_mutex_unlock(&t->lock);
        if (ret < 0)
            return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
        ret = flush_track(p, t, err);
    }
    return ret;
}

/* Runs alone (the sink's end), after the HLS rungs have set the show's duration. */
int audio_tracks_finish(pkg_packager *p, ladder_error *err)
{
    int ret = 0;

    for (int i = 0; ret >= 0 && i < p->n_audio_tracks; i++) {
        audio_track *t = &p->audio_tracks[i];
        while (ret >= 0 && t->written < t->n_cuts)
            ret = write_track_segment(p, t, t->written, t->written + 1 == t->n_cuts, err);
        if (ret >= 0 && t->opened)
            ret = seg_writer_close(&t->w, err);
    }
    return ret;
}

/* e comes zeroed; the track's index.m3u8, and its entry as the audio-only variant. */
int audio_track_playlist(pkg_packager *p, const audio_track *t, pkg_master_entry *e,
                         ladder_error *err)
{
    char path[1100];
    int ret;

    snprintf(path, sizeof path, "%s/hls/%s/index.m3u8", p->out_dir, t->name);
    ret = write_media_playlist(path, &t->w, pkg_target_seconds(p), p->break_tags.s, err);
    snprintf(e->stats.name, sizeof e->stats.name, "%s", t->name);
    e->stats.is_audio_only = 1;
    measure_variant(&t->w, &e->stats);
    snprintf(e->stats.codecs, sizeof e->stats.codecs, "mp4a.40.2");
    snprintf(e->uri, sizeof e->uri, "hls/%s/index.m3u8", t->name);
    return ret;
}

void audio_track_free(audio_track *t)
{
    seg_writer_free(&t->w);
    av_free(t->cuts);
}

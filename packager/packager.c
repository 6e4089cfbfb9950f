/* packager.c: the packager as a ladder_sink, and its lifecycle (packager.h). It hands each
 * packet to the concerns that mux it: the HLS rungs (hls_segments.c), the MP4 fallbacks
 * (mp4_fallback.c) and the audio tracks (audio_tracks.c), the audio through the audio
 * stores (audio_store.c), and the thumbnails (thumbnails.c); pkg_finish then writes the
 * playlists, the DASH manifest (fMP4), the caption tracks and the poster.
 *
 * The sink's calls for different streams come at once (the transcoder's encoder threads, the
 * replay's reader threads), so every rung muxes on its own thread. What is shared has a lock of
 * its own: an HLS rung (its video thread and the audio thread both flush it), each audio store
 * (appended by one thread, read by the rungs), each audio track, and the first error. A
 * rung's lock is taken before an audio track's, and either before an audio store's,
 * never the other way; no lock is held while waiting for one. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "pkg_internal.h"

/* ---- errors -------------------------------------------------------------------------------- */

/* Keeps the first failure (why, or a plain message when why says nothing); every later sink
 * call fails with it. Returns code. */
static int fail(pkg_packager *p, int code, const ladder_error *why)
{
    pthread_mutex_lock(&p->error_lock);
    if (p->error.code == 0 && code < 0) {
        if (why && why->msg[0])
            p->error = *why;
        else
            ladder_error_set(&p->error, code, "packaging failed: %s", ladder_strerror(code));
        p->error.code = code;
    }
    pthread_mutex_unlock(&p->error_lock);
    return code;
}

/* What a sink callback returns: 0, or the first failure of any stream, its message in err. */
static int sink_result(pkg_packager *p, int code, const ladder_error *why, ladder_error *err)
{
    int first;

    if (code < 0)
        fail(p, code, why);
    pthread_mutex_lock(&p->error_lock);
    first = p->error.code;
    if (first < 0 && err)
        *err = p->error;
    pthread_mutex_unlock(&p->error_lock);
    return first < 0 ? first : 0;
}

/* ---- the sink ------------------------------------------------------------------------------ */

/* Gives every reader of an audio stream its place in the store. */
static void register_audio_readers(pkg_packager *p)
{
    for (int i = 0; i < p->n_hls; i++)
        p->hls[i].audio_reader = add_audio_reader(p, p->hls[i].audio);
    for (int i = 0; i < p->n_mp4; i++)
        p->mp4[i].audio_reader = add_audio_reader(p, p->mp4[i].audio);
    audio_tracks_begin(p);
}

/* Called once, before any packet: nothing runs beside it. */
static int sink_begin(void *opaque, const ladder_plan *plan, ladder_error *err)
{
    pkg_packager *p = opaque;
    ladder_error why = {0};
    int ret = 0;

    p->plan = *plan;
    for (int i = 0; ret >= 0 && i < plan->n_streams; i++) {
        const ladder_stream *st = &plan->streams[i];
        if (st->kind == LADDER_STREAM_AUDIO) {
            p->audio[i].tb = (AVRational){1, st->timebase_den};
            p->audio[i].last_pts = -INFINITY;
        } else if (st->use == PROF_USE_HLS) {
            ret = hls_rung_open(p, st, &why);
        } else {
            ret = mp4_rung_open(p, st, &why);
        }
    }
    register_audio_readers(p);
    if (ret >= 0)
        ret = thumbs_begin(p, &why);
    return sink_result(p, ret, &why, err);
}

/* Stores the packet, then writes the segments of the variants that were waiting for it. */
static int audio_packet(pkg_packager *p, const ladder_packet *pkt, ladder_error *err)
{
    int ret = audio_store_add(&p->audio[pkt->stream], pkt);

    if (ret < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = hls_audio_arrived(p, pkt->stream, err);
    if (ret >= 0)
        ret = audio_tracks_flush(p, pkt->stream, err);
    return ret;
}

static int video_packet(pkg_packager *p, const ladder_packet *pkt, ladder_error *err)
{
    int ret = hls_video_packet(p, pkt, err);

    if (ret >= 0)
        ret = thumbs_video_packet(p, pkt, err);
    return ret >= 0 ? mp4_video_packet(p, pkt, err) : ret;
}

static int sink_packet(void *opaque, const ladder_packet *pkt, ladder_error *err)
{
    pkg_packager *p = opaque;
    ladder_error why = {0};
    int ret = sink_result(p, 0, NULL, err); /* once one stream failed, all stop */

    if (ret >= 0 && p->plan.streams[pkt->stream].kind == LADDER_STREAM_AUDIO)
        ret = audio_packet(p, pkt, &why);
    else if (ret >= 0)
        ret = video_packet(p, pkt, &why);
    return ret < 0 ? sink_result(p, ret, &why, err) : 0;
}

/* Called once, after the last packet of every stream: nothing runs beside it. */
static int sink_end(void *opaque, const ladder_plan *plan, ladder_error *err)
{
    pkg_packager *p = opaque;
    ladder_error why = {0};
    int ret = sink_result(p, 0, NULL, err);

    /* which renditions carry CEA-608 is known only once every picture is through */
    for (int i = 0; i < p->plan.n_streams && i < plan->n_streams; i++)
        p->plan.streams[i].cc608 = plan->streams[i].cc608;
    for (int i = 0; i < p->plan.n_streams; i++)
        p->audio[i].ended = 1;
    if (ret >= 0)
        ret = hls_finish(p, &why);
    if (ret >= 0)
        ret = mp4_finish(p, &why);
    if (ret >= 0) /* after hls_finish: its last segment ends at the show's duration */
        ret = audio_tracks_finish(p, &why);
    return ret < 0 ? sink_result(p, ret, &why, err) : 0;
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

int pkg_open(pkg_packager **out, const pkg_params *params, ladder_error *err)
{
    pkg_packager *p;

    *out = NULL;
    if (params->segment_seconds <= 0)
        return ladder_error_set(err, LADDER_EINVAL, "segment length must be positive");
    if (pkg_check_captions(params->captions, params->n_captions, err) < 0)
        return err->code;
    p = av_mallocz(sizeof *p);
    if (!p)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    p->params = *params;
    for (int i = 0; i < params->n_captions; i++)
        p->captions[p->n_captions++] = params->captions[i];
    snprintf(p->out_dir, sizeof p->out_dir, "%s", params->out_dir);
    p->params.out_dir = p->out_dir;
    if (params->entry_prefix) {
        snprintf(p->entry_prefix, sizeof p->entry_prefix, "%s", params->entry_prefix);
        p->params.entry_prefix = p->entry_prefix;
        snprintf(p->entry_name, sizeof p->entry_name, "%s",
                 params->entry_name ? params->entry_name : "entry.m3u8");
        p->params.entry_name = p->entry_name;
    }
    pthread_mutex_init(&p->error_lock, NULL);
    for (int i = 0; i < LADDER_MAX_STREAMS; i++)
        pthread_mutex_init(&p->audio_tracks[i].lock, NULL);
    for (int i = 0; i < PROF_MAX_RUNGS; i++)
        pthread_mutex_init(&p->hls[i].lock, NULL);
    for (int i = 0; i < LADDER_MAX_STREAMS; i++)
        pthread_mutex_init(&p->audio[i].lock, NULL);
    p->sink =
        (ladder_sink){.opaque = p, .begin = sink_begin, .packet = sink_packet, .end = sink_end};
    *out = p;
    return 0;
}

const ladder_sink *pkg_get_sink(pkg_packager *p)
{
    return &p->sink;
}

void pkg_close(pkg_packager *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_hls; i++)
        hls_rung_free(&p->hls[i]);
    for (int i = 0; i < p->n_mp4; i++)
        mp4_rung_free(&p->mp4[i]);
    for (int i = 0; i < LADDER_MAX_STREAMS; i++)
        pkt_list_clear(&p->audio[i].pkts);
    for (int i = 0; i < p->n_audio_tracks; i++)
        audio_track_free(&p->audio_tracks[i]);
    thumbs_free(p);
    ladder_text_free(&p->break_tags);
    pthread_mutex_destroy(&p->error_lock);
    for (int i = 0; i < LADDER_MAX_STREAMS; i++)
        pthread_mutex_destroy(&p->audio_tracks[i].lock);
    for (int i = 0; i < PROF_MAX_RUNGS; i++)
        pthread_mutex_destroy(&p->hls[i].lock);
    for (int i = 0; i < LADDER_MAX_STREAMS; i++)
        pthread_mutex_destroy(&p->audio[i].lock);
    av_free(p);
}

/* ---- playlists and figures ----------------------------------------------------------------- */

int pkg_target_seconds(const pkg_packager *p)
{
    return (int)lround(p->params.segment_seconds);
}

/* fMP4: every audio track is an AUDIO rendition of its own group. */
static int audio_groups(const pkg_packager *p, pkg_audio_group *g)
{
    int n = 0;

    for (int i = 0; p->params.container == PROF_CONTAINER_FMP4 && i < p->n_audio_tracks; i++) {
        const audio_track *t = &p->audio_tracks[i];
        const ladder_stream *st = &p->plan.streams[t->audio];
        if (t->w.n_segments == 0)
            continue;
        snprintf(g[n].group, sizeof g[n].group, "aac-%d", st->bitrate_kbps);
        snprintf(g[n].name, sizeof g[n].name, "Audio %dk", st->bitrate_kbps);
        snprintf(g[n].uri, sizeof g[n].uri, "hls/%s/index.m3u8", t->name);
        g[n++].channels = st->channels;
    }
    return n;
}

/* The HLS rungs' playlists, then the audio-only variant's: the master playlist's entries. */
static int media_playlists(pkg_packager *p, pkg_master_entry *e, int *n, ladder_error *err)
{
    int ret = 0;

    for (int i = 0; ret >= 0 && i < p->n_hls; i++)
        ret = hls_rung_playlists(p, &p->hls[i], &e[(*n)++], err);
    /* fMP4's other tracks are renditions only, named by the video variants */
    for (int i = 0; ret >= 0 && i < p->n_audio_tracks; i++) {
        pkg_master_entry only = {0};
        if (p->audio_tracks[i].w.n_segments > 0)
            ret = audio_track_playlist(p, &p->audio_tracks[i], &only, err);
        if (i == 0 && p->audio_tracks[i].w.n_segments > 0)
            e[(*n)++] = only;
    }
    return ret;
}

int pkg_finish(pkg_packager *p, ladder_error *err)
{
    pkg_audio_group groups[LADDER_MAX_STREAMS];
    pkg_master_text text = {.subs = p->captions,
                            .n_subs = p->n_captions,
                            .cc_language = p->params.cc_language,
                            .cc_name = p->params.cc_name,
                            .audio = groups,
                            .n_audio = audio_groups(p, groups)};
    pkg_master_entry *e = av_calloc(PROF_MAX_RUNGS + 1, sizeof *e);
    char path[1100];
    int n = 0, ret = 0;

    if (!e)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = pkg_break_tags(p, err);
    if (ret >= 0 && (ret = thumbs_finish(p, err)) >= 0)
        text.thumbs = pkg_thumbnails(p, &text.n_thumbs);
    if (ret >= 0)
        ret = media_playlists(p, e, &n, err);
    if (ret >= 0 && p->n_captions > 0)
        ret = write_caption_tracks(p->out_dir, p->captions, p->n_captions,
                                   p->n_hls > 0 ? p->hls[0].w.segments : NULL,
                                   p->n_hls > 0 ? p->hls[0].w.n_segments : 0, pkg_target_seconds(p),
                                   p->break_tags.s, &p->params.logger, err);
    if (ret >= 0 && n > 0) {
        order_variants(e, n);
        snprintf(path, sizeof path, "%s/master.m3u8", p->out_dir);
        ret = write_master_playlist(path, e, n, &text, "", err);
    }
    if (ret >= 0 && n > 0 && p->params.entry_prefix) {
        snprintf(path, sizeof path, "%s/%s", p->out_dir, p->entry_name);
        ret = write_master_playlist(path, e, n, &text, p->params.entry_prefix, err);
    }
    if (ret >= 0 && pkg_has_dash(p))
        ret = write_dash_manifest(p, err);
    p->n_variants = n;
    for (int i = 0; i < n; i++)
        p->variants[i] = e[i].stats;
    av_free(e);
    if (ret >= 0)
        ret = make_poster(p, err);
    return ret;
}

const pkg_variant_stats *pkg_get_variants(const pkg_packager *p, int *n)
{
    *n = p->n_variants;
    return p->variants;
}

const char *pkg_out_dir(const pkg_packager *p)
{
    return p->out_dir;
}

int pkg_fmp4(const pkg_packager *p)
{
    return p->params.container == PROF_CONTAINER_FMP4;
}

int pkg_has_dash(const pkg_packager *p)
{
    return pkg_fmp4(p) && p->n_hls > 0;
}

void pkg_poster_size(const pkg_packager *p, int *width, int *height)
{
    *width = p->poster_width;
    *height = p->poster_height;
}

double pkg_duration(const pkg_packager *p)
{
    return p->duration;
}

const ladder_captions *pkg_captions(const pkg_packager *p)
{
    return p->captions;
}

int pkg_n_captions(const pkg_packager *p)
{
    return p->n_captions;
}

int pkg_add_captions(pkg_packager *p, const ladder_captions *track, ladder_error *err)
{
    if (p->n_captions == PKG_MAX_CAPTION_TRACKS)
        return ladder_error_set(err, LADDER_EINVAL, "more than %d caption tracks",
                                PKG_MAX_CAPTION_TRACKS);
    p->captions[p->n_captions] = *track;
    if (pkg_check_captions(p->captions, p->n_captions + 1, err) < 0)
        return err->code;
    p->n_captions++;
    return 0;
}

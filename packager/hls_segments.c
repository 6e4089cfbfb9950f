/* hls_segments.c: the HLS rungs. A rung's video packets are gathered per segment, cut at the
 * aligned IDRs every segment_seconds and at every ad break's IDR, and a segment is written once the
 * shared audio for its time has arrived, so its video and audio are muxed together.
 *
 * Both the rung's video thread (a segment closed) and its audio's thread (the audio it waited
 * for came) may flush a rung, so all of a rung is under its lock. The rung's lock is taken
 * before its audio store's and the audio-only variant's, never the other way. */
#include <math.h>
#include <string.h>

#include "pkg_internal.h"

int hls_rung_open(pkg_packager *p, const ladder_stream *v, ladder_error *err)
{
    hls_rung *r = &p->hls[p->n_hls++];
    char dir[1200];

    char playlist[PROF_NAME_MAX + 32];
    int fmp4 = p->params.container == PROF_CONTAINER_FMP4;

    r->stream = v->index;
    r->group_audio = v->audio_stream;
    r->audio = fmp4 ? -1 : v->audio_stream; /* fMP4: video alone, its audio a track of its own */

    snprintf(dir, sizeof dir, "%s/hls/%s", p->out_dir, v->name);
    snprintf(playlist, sizeof playlist, "hls/%s/index.m3u8", v->name);
    return seg_writer_open(&r->w, dir, fmp4, v, r->audio >= 0 ? &p->plan.streams[r->audio] : NULL,
                           &p->params, playlist, err);
}

int write_variant_segment(pkg_packager *p, seg_writer *w, int audio, int reader, AVPacket **video,
                          int n_video, double start, double end, double duration, ladder_error *err)
{
    AVPacket **aud = NULL;
    int n_aud = 0, ret;

    if (audio >= 0 && (n_aud = take_audio(p, audio, reader, end, 0, &aud)) < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = seg_writer_segment(w, start, duration, video, n_video, aud, n_aud, err);
    free_taken(p, audio, aud, n_aud);
    return ret;
}

/* Writes the rung's closed segments whose audio is in. Under r->lock. */
static int flush_waiting(pkg_packager *p, hls_rung *r, ladder_error *err)
{
    while (r->n_waiting > 0 && audio_ready(p, r->audio, r->waiting[0].end)) {
        closed_segment *c = &r->waiting[0];
        int ret =
            write_variant_segment(p, &r->w, r->audio, r->audio_reader, c->video.pkts, c->video.n,
                                  c->start, c->end, fmin(c->end, r->video_end) - c->start, err);
        pkt_list_clear(&c->video);
        if (ret < 0)
            return ret;
        memmove(&r->waiting[0], &r->waiting[1], (r->n_waiting - 1) * sizeof *r->waiting);
        r->n_waiting--;
    }
    return 0;
}

/* Moves the open segment to the waiting list; `end` is INFINITY for the last one. */
static int close_open_segment(hls_rung *r, double end)
{
    if (r->open.n == 0)
        return 0;
    if (pkg_grow((void **)&r->waiting, &r->cap_waiting, r->n_waiting, sizeof *r->waiting) < 0)
        return AVERROR(ENOMEM);
    r->waiting[r->n_waiting++] =
        (closed_segment){.video = r->open, .start = r->open_start, .end = end};
    memset(&r->open, 0, sizeof r->open);
    return 0;
}

/* Where the segment after a cut at pts ends: the next multiple of the segment length. With ad
 * breaks, a segment much shorter than a GOP next to a break would carry a whole IDR in a
 * fraction of the time and blow the peak bitrate (peak-at-most-twice-average), so the cut
 * moves to a GOP boundary instead: at least a GOP after a break, and at least a GOP before
 * the next one when there is room. Every rung asks the same, so their cuts agree; a segment
 * never grows past the segment length (docs/ads.md). */
static int64_t next_cut_after(const pkg_packager *p, const hls_rung *r, int64_t pts)
{
    int64_t seg = (int64_t)llround(p->params.segment_seconds * LADDER_VIDEO_TIMEBASE);
    int64_t gop = (int64_t)llround(p->params.gop_seconds * LADDER_VIDEO_TIMEBASE);
    int64_t n = (pts / seg + 1) * seg;

    if (p->plan.n_breaks == 0 || gop <= 0 || pts < 0)
        return n;
    if (n - pts < gop) /* just after a break */
        n = (pts + gop + gop - 1) / gop * gop;
    if (r->next_break < p->plan.n_breaks) {
        int64_t b = p->plan.breaks[r->next_break].pts, g = (b - gop) / gop * gop;
        if (b > n && b - n < gop)
            n = g > pts ? g : b; /* b: the break's own IDR ends it, within two GOPs */
    }
    return n;
}

/* A keyframe at or after the next cut starts a segment; the first rung's cuts are the
 * audio tracks' too. Under r->lock. */
static int cut_segment(pkg_packager *p, int i, const ladder_packet *pkt, ladder_error *err)
{
    hls_rung *r = &p->hls[i];
    double t = (double)pkt->pts / LADDER_VIDEO_TIMEBASE;
    int ret = close_open_segment(r, t);

    r->open_start = t;
    r->next_cut = next_cut_after(p, r, pkt->pts);
    if (ret < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    return i == 0 ? audio_tracks_cut(p, t, err) : 0;
}

/* Under r->lock. */
static int rung_video_packet(pkg_packager *p, int i, const ladder_packet *pkt, ladder_error *err)
{
    hls_rung *r = &p->hls[i];
    int ret = 0;
    /* asked on every keyframe, so the breaks passed are counted off in order */
    int at_break = pkt->keyframe && ladder_break_reached(&p->plan, &r->next_break, pkt->pts);

    if (pkt->keyframe && (pkt->pts >= r->next_cut || at_break))
        ret = cut_segment(p, i, pkt, err);
    if (ret < 0)
        return ret;
    if (pkt_list_add(&r->open, pkt) < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    /* the nominal frame duration, not the packet's: a replayed MP4 may carry a shorter last
     * sample, and ingest and package must give identical playlists */
    const ladder_stream *v = &p->plan.streams[r->stream];
    int64_t frame = av_rescale(LADDER_VIDEO_TIMEBASE, v->fps_den, v->fps_num);
    r->video_end = fmax(r->video_end, (double)(pkt->pts + frame) / LADDER_VIDEO_TIMEBASE);
    return flush_waiting(p, r, err);
}

int hls_video_packet(pkg_packager *p, const ladder_packet *pkt, ladder_error *err)
{
    int ret = 0;

    for (int i = 0; ret >= 0 && i < p->n_hls; i++) {
        if (p->hls[i].stream != pkt->stream)
            continue;
        pthread_mutex_lock(&p->hls[i].lock);
        ret = rung_video_packet(p, i, pkt, err);
        pthread_mutex_unlock(&p->hls[i].lock);
    }
    return ret;
}

int hls_audio_arrived(pkg_packager *p, int audio, ladder_error *err)
{
    int ret = 0;

    for (int i = 0; ret >= 0 && i < p->n_hls; i++) {
        hls_rung *r = &p->hls[i];
        if (r->audio != audio)
            continue;
        pthread_mutex_lock(&r->lock);
        ret = flush_waiting(p, r, err);
        pthread_mutex_unlock(&r->lock);
    }
    return ret;
}

/* Runs alone (the sink's end), so without the rungs' locks. The show lasts as long as its
 * longest rung's video. */
int hls_finish(pkg_packager *p, ladder_error *err)
{
    int ret = 0;

    for (int i = 0; ret >= 0 && i < p->n_hls; i++) {
        hls_rung *r = &p->hls[i];
        ret = close_open_segment(r, INFINITY) < 0
                  ? ladder_error_set(err, LADDER_ENOMEM, "out of memory")
                  : 0;
        if (ret >= 0)
            ret = flush_waiting(p, r, err);
        if (ret >= 0)
            ret = seg_writer_close(&r->w, err);
        p->duration = fmax(p->duration, r->video_end);
    }
    return ret;
}

int hls_rung_playlists(pkg_packager *p, const hls_rung *r, pkg_master_entry *e, ladder_error *err)
{
    const ladder_stream *v = &p->plan.streams[r->stream];
    char path[1300];
    int ret;

    snprintf(path, sizeof path, "%s/hls/%s/index.m3u8", p->out_dir, v->name);
    ret = write_media_playlist(path, &r->w, pkg_target_seconds(p), p->break_tags.s, err);
    snprintf(path, sizeof path, "%s/hls/%s/iframes.m3u8", p->out_dir, v->name);
    if (ret >= 0)
        ret = write_iframe_playlist(path, &r->w, r->video_end, p->break_tags.s, err);
    memset(e, 0, sizeof *e);
    snprintf(e->stats.name, sizeof e->stats.name, "%s", v->name);
    measure_variant(&r->w, &e->stats);
    pkg_avc1_codec(v, e->video_codec, sizeof e->video_codec);
    snprintf(e->stats.codecs, sizeof e->stats.codecs, "%s%s", e->video_codec,
             r->group_audio >= 0 ? ",mp4a.40.2" : "");
    e->target_kbps = v->bitrate_kbps;
    e->width = v->width;
    e->height = v->height;
    e->fps = (double)v->fps_num / v->fps_den;
    e->cc608 = v->cc608;
    snprintf(e->uri, sizeof e->uri, "hls/%s/index.m3u8", v->name);
    snprintf(e->iframe_uri, sizeof e->iframe_uri, "hls/%s/iframes.m3u8", v->name);
    e->iframe_peak_bps = iframe_peak_bps(&r->w, r->video_end);
    const audio_track *t = r->audio < 0 ? audio_track_of(p, r->group_audio) : NULL;
    if (t) { /* fMP4: what a player fetches is the video and its audio rendition */
        snprintf(e->audio_group, sizeof e->audio_group, "aac-%d",
                 p->plan.streams[t->audio].bitrate_kbps);
        measure_with_audio(&r->w, &t->w, &e->stats);
    }
    return ret;
}

void hls_rung_free(hls_rung *r)
{
    pkt_list_clear(&r->open);
    for (int k = 0; k < r->n_waiting; k++)
        pkt_list_clear(&r->waiting[k].video);
    av_free(r->waiting);
    seg_writer_free(&r->w);
}

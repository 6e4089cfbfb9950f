/* mp4_fallback.c: the MP4 rungs, progressive MP4 files for players without HLS. Each is muxed
 * as its video packets come, with the stored audio up to each packet's time; a rung is touched
 * only by its own video stream's calls, so it needs no lock of its own. */
#include <math.h>
#include <string.h>

#include "pkg_internal.h"

/* Not fragmented, moov moved before mdat when the file is finished. */
static int mp4_open(pkg_packager *p, mp4_rung *m, ladder_error *err)
{
    char dir[1100], path[1200];
    AVDictionary *opts = NULL;
    const ladder_stream *v = &p->plan.streams[m->stream];
    int ret;

    snprintf(dir, sizeof dir, "%s/mp4", p->out_dir);
    snprintf(path, sizeof path, "%s/%s.mp4", dir, v->name);
    ret = ladder_mkdir_p(dir, err);
    if (ret < 0)
        return ret;
    if (avformat_alloc_output_context2(&m->oc, NULL, "mp4", path) < 0 ||
        !ladder_stream_add_to(m->oc, v) ||
        (m->audio >= 0 && !ladder_stream_add_to(m->oc, &p->plan.streams[m->audio])))
        return ladder_error_set(err, LADDER_ENOMEM, "cannot set up %s", path);
    m->oc->flags |= AVFMT_FLAG_BITEXACT;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    ret = avio_open(&m->oc->pb, path, AVIO_FLAG_WRITE);
    if (ret >= 0)
        ret = avformat_write_header(m->oc, &opts);
    av_dict_free(&opts);
    return ret < 0 ? media_error_from_av(err, ret, path) : 0;
}

int mp4_rung_open(pkg_packager *p, const ladder_stream *v, ladder_error *err)
{
    mp4_rung *m = &p->mp4[p->n_mp4++];

    m->stream = v->index;
    m->audio = v->audio_stream;
    return mp4_open(p, m, err);
}

/* Hands pkt (which it frees) to the muxer as stream `stream`, its timestamps in tb. */
static int mp4_write(mp4_rung *m, AVPacket *pkt, int stream, AVRational tb)
{
    int ret;

    pkt->stream_index = stream;
    av_packet_rescale_ts(pkt, tb, m->oc->streams[stream]->time_base);
    ret = av_interleaved_write_frame(m->oc, pkt);
    av_packet_free(&pkt);
    return ret;
}

/* The muxer keeps packets queued to interleave them, and lets go of them later on this thread:
 * it gets a private copy of an audio packet, not a reference to a buffer the store shares. */
static int mp4_write_audio(mp4_rung *m, const AVPacket *shared, AVRational tb)
{
    AVPacket *c = av_packet_clone(shared);

    if (!c || av_packet_make_writable(c) < 0) {
        av_packet_free(&c);
        return AVERROR(ENOMEM);
    }
    return mp4_write(m, c, 1, tb);
}

/* Writes the stored audio up to `until` seconds (all of it with INFINITY). The muxer
 * interleaves by timestamp, so the file does not depend on how far the audio had come. */
static int mp4_catch_up_audio(pkg_packager *p, mp4_rung *m, double until)
{
    AVPacket **aud;
    int n, ret = 0;

    if (m->audio < 0)
        return 0;
    n = take_audio(p, m->audio, m->audio_reader, until, 1, &aud);
    if (n < 0)
        return AVERROR(ENOMEM);
    for (int i = 0; ret >= 0 && i < n; i++)
        ret = mp4_write_audio(m, aud[i], p->audio[m->audio].tb);
    free_taken(p, m->audio, aud, n);
    return ret;
}

static int rung_video_packet(pkg_packager *p, mp4_rung *m, const ladder_packet *pkt,
                             ladder_error *err)
{
    AVPacket *c = pkt_copy(pkt);
    int ret;

    if (!c)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = mp4_catch_up_audio(p, m, (double)pkt->dts / LADDER_VIDEO_TIMEBASE);
    if (ret >= 0)
        ret = mp4_write(m, c, 0, (AVRational){1, LADDER_VIDEO_TIMEBASE}); /* c is private */
    else
        av_packet_free(&c);
    return ret < 0 ? media_error_from_av(err, ret, m->oc->url) : 0;
}

int mp4_video_packet(pkg_packager *p, const ladder_packet *pkt, ladder_error *err)
{
    int ret = 0;

    for (int i = 0; ret >= 0 && i < p->n_mp4; i++)
        if (p->mp4[i].stream == pkt->stream)
            ret = rung_video_packet(p, &p->mp4[i], pkt, err);
    return ret;
}

int mp4_finish(pkg_packager *p, ladder_error *err)
{
    int ret = 0;

    for (int i = 0; ret >= 0 && i < p->n_mp4; i++) {
        mp4_rung *m = &p->mp4[i];
        ret = mp4_catch_up_audio(p, m, INFINITY);
        if (ret >= 0)
            ret = av_write_trailer(m->oc);
        if (ret < 0)
            ret = media_error_from_av(err, ret, m->oc->url);
    }
    return ret;
}

void mp4_rung_free(mp4_rung *m)
{
    if (m->oc) {
        avio_closep(&m->oc->pb);
        avformat_free_context(m->oc);
    }
}

/* disk_sink.c: the on-disk intermediate of `ladder transcode`, and reading it back.
 *
 * One MP4 per output stream (codec copy of the encoder's packets; video in a 1/90000 time
 * base), plus summary.json written by tc_write_summary. MP4 is chosen because every tool
 * reads it (ffprobe, players) and libavformat writes and reads it losslessly for H.264/AAC.
 * tc_disk_replay feeds the packets back to a sink, merged in time order across streams, in
 * the same Annex-B form the live encoder produces. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/bsf.h>
#include <libavutil/channel_layout.h>

#include "tc_internal.h"

typedef struct stream_file {
    AVFormatContext *oc;
    AVPacket *pkt;
    AVRational tb; /* the packets' time base */
} stream_file;

struct tc_disk_sink {
    char dir[PATH_MAX];
    int n;
    ladder_stream streams[LADDER_MAX_STREAMS]; /* the plan's, from begin */
    stream_file files[LADDER_MAX_STREAMS];     /* opened on a stream's first packet */
    ladder_sink sink;
};

static int open_stream_file(tc_disk_sink *ds, const ladder_stream *st, ladder_error *err)
{
    stream_file *f = &ds->files[st->index];
    char path[PATH_MAX + PROF_NAME_MAX + 8];
    int ret;

    snprintf(path, sizeof path, "%s/%s.mp4", ds->dir, st->name);
    ret = avformat_alloc_output_context2(&f->oc, NULL, "mp4", path);
    if (ret < 0 || !ladder_stream_add_to(f->oc, st) || !(f->pkt = av_packet_alloc()))
        return ladder_error_set(err, LADDER_ENOMEM, "%s: cannot set up the MP4 writer", path);
    f->oc->flags |= AVFMT_FLAG_BITEXACT;
    f->tb = (AVRational){1, st->timebase_den};
    ret = avio_open(&f->oc->pb, path, AVIO_FLAG_WRITE);
    if (ret >= 0)
        ret = avformat_write_header(f->oc, NULL);
    return ret < 0 ? media_error_from_av(err, ret, path) : 0;
}

/* A file per stream that has packets: a job of a chunked transcode makes only some. */
static int sink_begin(void *opaque, const ladder_plan *plan, ladder_error *err)
{
    tc_disk_sink *ds = opaque;
    (void)err;

    ds->n = plan->n_streams;
    memcpy(ds->streams, plan->streams, plan->n_streams * sizeof *plan->streams);
    return 0;
}

static int sink_packet(void *opaque, const ladder_packet *p, ladder_error *err)
{
    tc_disk_sink *ds = opaque;
    stream_file *f = &ds->files[p->stream];
    int ret = f->oc ? 0 : open_stream_file(ds, &ds->streams[p->stream], err);

    if (ret < 0)
        return ret;
    /* The packet data is only borrowed, and the muxer may keep a reference: copy it. */
    ret = av_new_packet(f->pkt, p->size);
    if (ret < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    memcpy(f->pkt->data, p->data, p->size);
    f->pkt->pts = p->pts;
    f->pkt->dts = p->dts;
    f->pkt->duration = p->duration;
    f->pkt->flags = p->keyframe ? AV_PKT_FLAG_KEY : 0;
    f->pkt->stream_index = 0;
    av_packet_rescale_ts(f->pkt, f->tb, f->oc->streams[0]->time_base);
    ret = av_write_frame(f->oc, f->pkt);
    av_packet_unref(f->pkt);
    return ret < 0 ? media_error_from_av(err, ret, f->oc->url) : 0;
}

static int sink_end(void *opaque, const ladder_plan *plan, ladder_error *err)
{
    tc_disk_sink *ds = opaque;
    (void)plan;

    for (int i = 0; i < ds->n; i++) {
        if (!ds->files[i].oc)
            continue;
        int ret = av_write_trailer(ds->files[i].oc);
        /* Closed here, where an error still fails the job: a file system may report a failed
         * write only at close (NFS), and a short file must not be renamed into place. */
        if (ret >= 0)
            ret = avio_closep(&ds->files[i].oc->pb);
        if (ret < 0)
            return media_error_from_av(err, ret, ds->files[i].oc->url);
    }
    return 0;
}

int tc_disk_sink_open(tc_disk_sink **out, const char *dir, ladder_error *err)
{
    tc_disk_sink *ds = av_mallocz(sizeof *ds);

    *out = NULL;
    if (!ds)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    snprintf(ds->dir, sizeof ds->dir, "%s", dir);
    ds->sink =
        (ladder_sink){.opaque = ds, .begin = sink_begin, .packet = sink_packet, .end = sink_end};
    *out = ds;
    return 0;
}

const ladder_sink *tc_disk_sink_get(tc_disk_sink *ds)
{
    return &ds->sink;
}

void tc_disk_sink_close(tc_disk_sink *ds)
{
    if (!ds)
        return;
    for (int i = 0; i < ds->n; i++) {
        stream_file *f = &ds->files[i];
        if (f->oc) {
            avio_closep(&f->oc->pb);
            avformat_free_context(f->oc);
        }
        av_packet_free(&f->pkt);
    }
    av_free(ds);
}

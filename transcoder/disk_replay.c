/* disk_replay.c: reads `ladder transcode` output back and feeds it to a sink exactly as the
 * live transcoder would: the same plan, Annex-B video (SPS/PPS before IDRs), packets merged
 * across streams in time order. This is how `ladder package` reuses the packager. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/bsf.h>

#include "tc_internal.h"

typedef struct replay_input {
    AVFormatContext *ic;
    AVBSFContext *bsf; /* mp4 (length-prefixed) -> Annex-B, video only */
    AVPacket *pkt;     /* the next packet, valid while has_pkt */
    int has_pkt, done;
    AVRational tb; /* the plan's time base for this stream */
} replay_input;

static int open_input(replay_input *in, const char *dir, const ladder_stream *st, ladder_error *err)
{
    char path[PATH_MAX + PROF_NAME_MAX + 8];
    int ret;

    snprintf(path, sizeof path, "%s/%s.mp4", dir, st->name);
    in->tb = (AVRational){1, st->timebase_den};
    ret = avformat_open_input(&in->ic, path, NULL, NULL);
    if (ret >= 0)
        ret = avformat_find_stream_info(in->ic, NULL);
    if (ret < 0)
        return ladder_error_from_av(err, ret, path);
    if (in->ic->nb_streams != 1)
        return ladder_error_set(err, LADDER_EINPUT, "%s: expected one stream", path);
    if (!(in->pkt = av_packet_alloc()))
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (st->kind != LADDER_STREAM_VIDEO)
        return 0;
    ret = av_bsf_alloc(av_bsf_get_by_name("h264_mp4toannexb"), &in->bsf);
    if (ret >= 0)
        ret = avcodec_parameters_copy(in->bsf->par_in, in->ic->streams[0]->codecpar);
    if (ret >= 0) {
        in->bsf->time_base_in = in->ic->streams[0]->time_base;
        ret = av_bsf_init(in->bsf);
    }
    return ret < 0 ? ladder_error_from_av(err, ret, path) : 0;
}

/* Makes in->pkt the stream's next packet, in the plan's time base; sets done at the end. */
static int advance(replay_input *in, ladder_error *err)
{
    AVRational file_tb = in->ic->streams[0]->time_base;
    int ret;

    in->has_pkt = 0;
    for (;;) {
        if (in->bsf) {
            ret = av_bsf_receive_packet(in->bsf, in->pkt);
            if (ret >= 0)
                break;
            if (ret == AVERROR_EOF) {
                in->done = 1;
                return 0;
            }
            if (ret != AVERROR(EAGAIN))
                return ladder_error_from_av(err, ret, in->ic->url);
        }
        ret = av_read_frame(in->ic, in->pkt);
        if (ret == AVERROR_EOF) {
            if (!in->bsf) {
                in->done = 1;
                return 0;
            }
            av_bsf_send_packet(in->bsf, NULL);
            continue;
        }
        if (ret < 0)
            return ladder_error_from_av(err, ret, in->ic->url);
        if (!in->bsf)
            break;
        ret = av_bsf_send_packet(in->bsf, in->pkt);
        if (ret < 0)
            return ladder_error_from_av(err, ret, in->ic->url);
    }
    av_packet_rescale_ts(in->pkt, file_tb, in->tb);
    in->has_pkt = 1;
    return 0;
}

/* The input whose pending packet comes first in time, or -1 when all are done. */
static int earliest(replay_input *ins, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (!ins[i].has_pkt)
            continue;
        if (best < 0 ||
            av_compare_ts(ins[i].pkt->dts, ins[i].tb, ins[best].pkt->dts, ins[best].tb) < 0)
            best = i;
    }
    return best;
}

static int feed_all(replay_input *ins, const ladder_plan *plan, const ladder_sink *sink,
                    ladder_error *err)
{
    int i, ret;

    while ((i = earliest(ins, plan->n_streams)) >= 0) {
        AVPacket *p = ins[i].pkt;
        ladder_packet pkt = {
            .stream = i,
            .data = p->data,
            .size = p->size,
            .pts = p->pts,
            .dts = p->dts,
            .duration = p->duration,
            .keyframe = (p->flags & AV_PKT_FLAG_KEY) != 0,
        };
        ret = sink->packet ? sink->packet(sink->opaque, &pkt, err) : 0;
        av_packet_unref(p);
        if (ret < 0)
            return ret;
        ret = advance(&ins[i], err);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int tc_disk_replay(const char *dir, const ladder_sink *sink, ladder_plan *plan_out,
                   ladder_stream_stats stats_out[LADDER_MAX_STREAMS], ladder_error *err)
{
    char path[PATH_MAX];
    replay_input ins[LADDER_MAX_STREAMS];
    int ret;

    memset(ins, 0, sizeof ins);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    ret = tc_plan_read(path, plan_out, stats_out, err);
    for (int i = 0; ret >= 0 && i < plan_out->n_streams; i++) {
        ret = open_input(&ins[i], dir, &plan_out->streams[i], err);
        if (ret >= 0)
            ret = advance(&ins[i], err);
    }
    if (ret >= 0 && sink->begin)
        ret = sink->begin(sink->opaque, plan_out, err);
    if (ret >= 0)
        ret = feed_all(ins, plan_out, sink, err);
    if (ret >= 0 && sink->end)
        ret = sink->end(sink->opaque, plan_out, err);
    for (int i = 0; i < LADDER_MAX_STREAMS; i++) {
        avformat_close_input(&ins[i].ic);
        av_bsf_free(&ins[i].bsf);
        av_packet_free(&ins[i].pkt);
    }
    return ret;
}

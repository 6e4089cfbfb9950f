/* mux.c: a ladder_stream as a libavformat muxer stream (media_av.h). */
#include <string.h>

#include <libavutil/channel_layout.h>

#include "media_av.h"

AVStream *ladder_stream_add_to(AVFormatContext *oc, const ladder_stream *st)
{
    AVStream *os = avformat_new_stream(oc, NULL);
    AVCodecParameters *par;

    if (!os)
        return NULL;
    par = os->codecpar;
    par->codec_type = st->kind == LADDER_STREAM_VIDEO ? AVMEDIA_TYPE_VIDEO : AVMEDIA_TYPE_AUDIO;
    par->codec_id = st->kind == LADDER_STREAM_VIDEO ? AV_CODEC_ID_H264 : AV_CODEC_ID_AAC;
    par->bit_rate = (int64_t)st->bitrate_kbps * 1000;
    if (st->kind == LADDER_STREAM_VIDEO) {
        par->width = st->width;
        par->height = st->height;
        os->avg_frame_rate = (AVRational){st->fps_num, st->fps_den};
    } else {
        par->sample_rate = st->sample_rate;
        par->frame_size = 1024;
        av_channel_layout_default(&par->ch_layout, st->channels);
    }
    par->extradata = av_mallocz(st->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!par->extradata)
        return NULL;
    memcpy(par->extradata, st->extradata, st->extradata_size);
    par->extradata_size = st->extradata_size;
    os->time_base = (AVRational){1, st->timebase_den};
    return os;
}

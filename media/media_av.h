/* media_av.h: the FFmpeg side of the media types: a ladder_stream handed to a libavformat
 * muxer (the transcoder's disk sink, the packager's writers), and one HLS segment opened for
 * reading (the packager's poster, the validator). Kept apart so media.h has no FFmpeg types. */
#ifndef LADDER_MEDIA_AV_H
#define LADDER_MEDIA_AV_H

#include <libavformat/avformat.h>

#include "media.h"

/* Adds st to oc as a stream of the same codec, configuration and time base, so that
 * ladder_packets can be written to it (H.264 as Annex-B, AAC raw). Returns the new stream,
 * owned by oc, or NULL when out of memory. */
AVStream *ladder_stream_add_to(AVFormatContext *oc, const ladder_stream *st);

/* Opens one HLS segment on its own for reading, whichever the container: a TS segment is
 * self-contained; an fMP4 segment (.m4s) is read after its folder's init.mp4. Returns 0 or an
 * AVERROR. */
int ladder_open_segment(AVFormatContext **ic, const char *path);

#endif

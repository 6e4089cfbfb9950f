/* media_av.h: the FFmpeg side of the media types: a ladder_stream handed to a libavformat
 * muxer (the transcoder's disk sink, the packager's writers), one HLS segment opened for
 * reading (the packager's poster, the validator), and FFmpeg's errors and log messages in
 * Ladder's terms (core/ladder.h links nothing from FFmpeg). Kept apart so media.h has no FFmpeg
 * types. */
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

/* Translates an FFmpeg AVERROR into a Ladder code and message prefixed with `what`; returns the
 * code (LADDER_ENOMEM, LADDER_ENOTFOUND, LADDER_EIO, else LADDER_EINPUT). */
int media_error_from_av(ladder_error *err, int averror, const char *what);

/* Sends FFmpeg's av_log messages to lg (tag "ffmpeg"; errors as errors, the rest as warnings).
 * FFmpeg speaks only when lg logs debug messages, and then from warnings up. lg must outlive
 * every FFmpeg call; it is kept in a global, as av_log's callback has no context pointer. Call
 * once at start-up, before any thread uses FFmpeg. */
void media_route_av_log(const ladder_logger *lg);

#endif

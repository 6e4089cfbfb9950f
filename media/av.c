/* av.c: FFmpeg's side of Ladder's core: its AVERRORs as ladder_errors, and its av_log messages
 * through a ladder_logger. Here rather than in core/, so that core links nothing from FFmpeg. */
#include <errno.h>
#include <stdarg.h>

#include <libavutil/error.h>
#include <libavutil/log.h>

#include "media_av.h"

int media_error_from_av(ladder_error *err, int averror, const char *what)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];
    int code = LADDER_EINPUT;

    if (averror == AVERROR(ENOMEM))
        code = LADDER_ENOMEM;
    else if (averror == AVERROR(ENOENT))
        code = LADDER_ENOTFOUND;
    else if (averror == AVERROR(EIO) || averror == AVERROR(ENOSPC) || averror == AVERROR(EACCES))
        code = LADDER_EIO;
    av_strerror(averror, buf, sizeof buf);
    return ladder_error_set(err, code, "%s: %s", what, buf);
}

/* FFmpeg's log callback has no context pointer: the logger media_route_av_log was given. */
static const ladder_logger *av_logger;

static void av_log_to_logger(void *avcl, int level, const char *fmt, va_list ap)
{
    (void)avcl;
    if (level > av_log_get_level())
        return;
    ladder_vlog(av_logger, level <= AV_LOG_ERROR ? LADDER_LOG_ERROR : LADDER_LOG_WARN, "ffmpeg",
                fmt, ap);
}

void media_route_av_log(const ladder_logger *lg)
{
    av_logger = lg;
    /* FFmpeg's own messages only when asked: our errors already say what went wrong. */
    av_log_set_level(lg && lg->max_level >= LADDER_LOG_DEBUG ? AV_LOG_WARNING : AV_LOG_QUIET);
    av_log_set_callback(av_log_to_logger);
}

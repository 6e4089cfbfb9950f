/* error.c: Ladder's one error type, and the translation of FFmpeg errors into it. */
#include "ladder.h"

#include <libavutil/error.h>
#include <errno.h>
#include <stdio.h>

int ladder_error_set(ladder_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *ladder_strerror(int code)
{
    switch (code) {
    case LADDER_OK:
        return "success";
    case LADDER_EINVAL:
        return "invalid argument";
    case LADDER_ENOMEM:
        return "out of memory";
    case LADDER_EIO:
        return "input/output error";
    case LADDER_EINPUT:
        return "unusable input";
    case LADDER_EENCODE:
        return "encoder failure";
    case LADDER_EEXIST:
        return "already exists";
    case LADDER_ENOTFOUND:
        return "not found";
    case LADDER_EBUSY:
        return "busy";
    case LADDER_EVALIDATE:
        return "validation failed";
    default:
        return "unknown error";
    }
}

int ladder_error_from_av(ladder_error *err, int averror, const char *what)
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

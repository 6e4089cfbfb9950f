/* error.c: Ladder's one error type (FFmpeg's errors become it in media/av.c). */
#include "ladder.h"

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

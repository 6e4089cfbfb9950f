/* log.c: the one logging facility. Formats the message and hands it to the caller's callback;
 * the core itself never writes to a terminal. */
#include "ladder.h"

#include <stdio.h>
#include <string.h>

void ladder_vlog(const ladder_logger *lg, ladder_log_level level, const char *component,
                 const char *fmt, va_list ap)
{
    char msg[1024];
    size_t n;

    if (!lg || !lg->fn || level > lg->max_level)
        return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    if (n > 0)
        lg->fn(lg->opaque, level, component, msg);
}

void ladder_log(const ladder_logger *lg, ladder_log_level level, const char *component,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ladder_vlog(lg, level, component, fmt, ap);
    va_end(ap);
}

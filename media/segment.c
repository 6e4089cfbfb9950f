/* segment.c: opens one HLS segment on its own for reading, whichever the container.
 * A TS segment is self-contained; an fMP4 segment (.m4s) is only readable after its
 * folder's init.mp4, so the two are read as one stream through FFmpeg's concat protocol. */
#include <string.h>

#include "media_av.h"

int ladder_open_segment(AVFormatContext **ic, const char *path)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    char url[2 * 1100 + 32];

    *ic = NULL;
    if (n < 4 || strcmp(path + n - 4, ".m4s") != 0)
        return avformat_open_input(ic, path, NULL, NULL);
    if (!slash || n + (size_t)(slash - path) + 32 > sizeof url)
        return AVERROR(EINVAL);
    snprintf(url, sizeof url, "concat:%.*s/init.mp4|%s", (int)(slash - path), path, path);
    return avformat_open_input(ic, url, NULL, NULL);
}

/* gzip.c: one-shot gzip compression of a playlist (or a demo page's text) with zlib. The caller
 * (static.c) does it once per file version and keeps the result, so the level can favour size
 * over speed. */
#include <stdlib.h>
#include <zlib.h>

#include "origin_internal.h"

int org_gzip(const void *data, size_t len, void **out, size_t *out_len)
{
    z_stream z = {0};
    uLong bound;
    unsigned char *buf;

    if (len > 0xffffffffu) /* zlib's avail_in is 32-bit; no playlist comes near */
        return LADDER_EINVAL;
    /* windowBits 15 + 16: a gzip header and trailer rather than a zlib one. */
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return LADDER_ENOMEM;
    bound = deflateBound(&z, (uLong)len);
    buf = malloc(bound);
    if (!buf) {
        deflateEnd(&z);
        return LADDER_ENOMEM;
    }
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)bound;
    /* deflateBound guarantees one Z_FINISH call completes. */
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(buf);
        return LADDER_ENOMEM;
    }
    *out = buf;
    *out_len = z.total_out;
    deflateEnd(&z);
    return 0;
}

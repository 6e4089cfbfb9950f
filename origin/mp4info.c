/* mp4info.c: the H.264 profile of a progressive MP4, for /play's choice of fallback. show.json
 * gives the codecs string of HLS renditions only, so for an MP4 rendition the profile_idc is
 * read from the file itself: the AVCProfileIndication byte of the avcC record in the first
 * avc1/avc3 sample entry, found by walking box headers with pread (moov, trak, mdia, minf,
 * stbl, stsd). Only headers are read, so where moov sits does not matter, and a broken or
 * hostile file costs a bounded number of small reads. */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "origin_internal.h"

#define MAX_BOXES_PER_LEVEL 64
#define MAX_DEPTH           8

/* Bytes of a VisualSampleEntry before its child boxes (ISO/IEC 14496-12 12.1.3). */
#define VISUAL_SAMPLE_ENTRY_FIELDS 78

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Reads the header of the box at pos (before end): its type, where its body starts and where
 * it ends. 0, or -1 if it is cut short or malformed. */
static int box_at(int fd, uint64_t pos, uint64_t end, char type[4], uint64_t *body,
                  uint64_t *box_end)
{
    uint8_t h[16];
    uint64_t size;

    if (end - pos < 8 || pread(fd, h, 8, (off_t)pos) != 8)
        return -1;
    size = be(h, 4);
    memcpy(type, h + 4, 4);
    *body = pos + 8;
    if (size == 1) { /* 64-bit size after the type */
        if (end - pos < 16 || pread(fd, h + 8, 8, (off_t)pos + 8) != 8)
            return -1;
        size = be(h + 8, 8);
        *body = pos + 16;
    } else if (size == 0) { /* to the end of the enclosing box */
        size = end - pos;
    }
    if (size < *body - pos || size > end - pos)
        return -1;
    *box_end = pos + size;
    return 0;
}

static int is_container(const char type[4])
{
    static const char *const containers[] = {"moov", "trak", "mdia", "minf", "stbl"};
    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
        if (memcmp(type, containers[i], 4) == 0)
            return 1;
    return 0;
}

/* The profile byte of the first avcC in [pos, end); 0 if there is none. */
static int find_profile(int fd, uint64_t pos, uint64_t end, int depth)
{
    char type[4];
    uint64_t body, box_end;
    uint8_t b[2];
    int found = 0;

    for (int i = 0; !found && i < MAX_BOXES_PER_LEVEL && pos < end; i++, pos = box_end) {
        if (box_at(fd, pos, end, type, &body, &box_end) != 0)
            return 0;
        if (memcmp(type, "avcC", 4) == 0)
            return box_end - body >= 2 && pread(fd, b, 2, (off_t)body) == 2 ? b[1] : 0;
        if (depth >= MAX_DEPTH)
            continue;
        if (is_container(type))
            found = find_profile(fd, body, box_end, depth + 1);
        else if (memcmp(type, "stsd", 4) == 0 && box_end - body > 8) /* version, flags, count */
            found = find_profile(fd, body + 8, box_end, depth + 1);
        else if ((memcmp(type, "avc1", 4) == 0 || memcmp(type, "avc3", 4) == 0) &&
                 box_end - body > VISUAL_SAMPLE_ENTRY_FIELDS)
            found = find_profile(fd, body + VISUAL_SAMPLE_ENTRY_FIELDS, box_end, depth + 1);
    }
    return found;
}

int org_mp4_profile_idc(int fd, uint64_t size)
{
    return find_profile(fd, 0, size, 0);
}

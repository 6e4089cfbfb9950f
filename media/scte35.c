/* scte35.c: one SCTE-35 splice_info_section read into what Ladder needs of it: is it an
 * out-point (an ad break starting), when, and for how long (docs/ads.md). The field layout is
 * ANSI/SCTE 35's: the section header (9.2), splice_insert (9.3.3), time_signal (9.3.4),
 * splice_time and break_duration (9.4), segmentation_descriptor (10.3.3). Pure: no FFmpeg and
 * no I/O. Every read is checked against the bytes the section holds, so any input is safe. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "media.h"

#define SCTE35_TABLE_ID    0xFC
#define SCTE35_HEADER_SIZE 14                           /* table_id .. splice_command_type */
#define SCTE35_MIN_SIZE    (SCTE35_HEADER_SIZE + 2 + 4) /* + descriptor_loop_length + CRC */
#define SCTE35_PTS_MASK    ((INT64_C(1) << 33) - 1)
#define CMD_SPLICE_NULL    0x00
#define CMD_SPLICE_INSERT  0x05
#define CMD_TIME_SIGNAL    0x06
#define CMD_LENGTH_UNKNOWN 0xFFF /* legacy: the command's length is its syntax's */
#define TAG_SEGMENTATION   0x02
#define CUEI               0x43554549u /* "CUEI": the descriptors' identifier */

/* A bounded reader over [p, end). A read past end marks it short and gives zeros. */
typedef struct reader {
    const uint8_t *p, *end;
    int short_read;
} reader;

static unsigned get8(reader *r)
{
    if (r->p >= r->end) {
        r->short_read = 1;
        return 0;
    }
    return *r->p++;
}

static uint64_t get_bytes(reader *r, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | get8(r);
    return v;
}

static void skip(reader *r, int n)
{
    if (n > r->end - r->p) {
        r->short_read = 1;
        r->p = r->end;
        return;
    }
    r->p += n;
}

/* CRC-32/MPEG-2: polynomial 0x04C11DB7, initial value all ones, no reflection, no final XOR.
 * Over a whole section, CRC_32 included, it is 0 for a good section. */
static uint32_t crc32_mpeg2(const uint8_t *p, int n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (int i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int b = 0; b < 8; b++)
            crc = crc & 0x80000000u ? crc << 1 ^ 0x04C11DB7u : crc << 1;
    }
    return crc;
}

static void not_a_break(ladder_scte35_cue *cue, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void not_a_break(ladder_scte35_cue *cue, const char *fmt, ...)
{
    va_list ap;
    cue->is_out = 0;
    va_start(ap, fmt);
    vsnprintf(cue->why, sizeof cue->why, fmt, ap);
    va_end(ap);
}

/* splice_time(): 1 byte with time_specified_flag clear, 5 with it set (33-bit pts_time). */
static void read_splice_time(reader *r, int *specified, int64_t *pts)
{
    unsigned b = get8(r);
    *specified = (b & 0x80) != 0;
    *pts = 0;
    if (*specified)
        *pts = (int64_t)((uint64_t)(b & 0x01) << 32 | get_bytes(r, 4));
}

/* splice_insert(). Leaves r after the command. */
static void read_splice_insert(reader *r, ladder_scte35_cue *cue)
{
    unsigned flags;
    int program, has_duration, immediate, specified = 0;
    int64_t pts = 0;

    cue->event_id = (uint32_t)get_bytes(r, 4);
    if (get8(r) & 0x80) {
        not_a_break(cue, "splice_insert cancels event %" PRIu32, cue->event_id);
        return;
    }
    flags = get8(r);
    program = (flags & 0x40) != 0;
    has_duration = (flags & 0x20) != 0;
    immediate = (flags & 0x10) != 0;
    if (!program) {
        int count = (int)get8(r);
        for (int i = 0; i < count && !r->short_read; i++) {
            skip(r, 1); /* component_tag */
            if (!immediate)
                read_splice_time(r, &specified, &pts);
        }
    } else if (!immediate) {
        read_splice_time(r, &specified, &pts);
    }
    if (has_duration) {
        unsigned b = get8(r);
        uint64_t d = (uint64_t)(b & 0x01) << 32 | get_bytes(r, 4);
        cue->auto_return = (b & 0x80) != 0;
        cue->has_duration = 1;
        cue->duration = (double)d / LADDER_VIDEO_TIMEBASE;
    }
    skip(r, 4); /* unique_program_id, avail_num, avails_expected */
    if (!program) {
        not_a_break(cue, "splice_insert in component mode (not supported)");
        return;
    }
    if (!(flags & 0x80)) {
        not_a_break(cue, "splice_insert in-point (return to the network)");
        return;
    }
    cue->is_out = 1;
    /* A timed splice_insert always has a time; one without is read as immediate. */
    cue->immediate = immediate || !specified;
    cue->has_pts = !cue->immediate;
    cue->pts90 = pts;
}

static int is_out_type(unsigned type)
{
    return type == 0x30 || type == 0x32 || type == 0x34 || type == 0x36;
}

/* What a descriptor loop says: its first out-point segmentation_descriptor, if any. */
typedef struct segmentation {
    int found;          /* an out-point: the fields below are its */
    int any;            /* some segmentation_descriptor was read: last_type is its type */
    unsigned last_type; /* segmentation_type_id of the last one read */
    uint32_t event_id;
    unsigned type;
    int has_duration;
    uint64_t duration; /* 90 kHz */
} segmentation;

/* One segmentation_descriptor() body after its identifier, in [r->p, r->end); a short one
 * leaves r->short_read set. */
static void read_segmentation(reader *r, segmentation *seg)
{
    uint32_t event_id = (uint32_t)get_bytes(r, 4);
    unsigned flags, type;
    int program, has_duration;
    uint64_t duration = 0;

    if (get8(r) & 0x80)
        return; /* segmentation_event_cancel_indicator: nothing more follows */
    flags = get8(r);
    program = (flags & 0x80) != 0;
    has_duration = (flags & 0x40) != 0;
    if (!program)
        skip(r, (int)get8(r) * 6); /* component_tag, reserved, pts_offset */
    if (has_duration)
        duration = get_bytes(r, 5);
    get8(r);               /* segmentation_upid_type */
    skip(r, (int)get8(r)); /* segmentation_upid */
    type = get8(r);
    skip(r, 2); /* segment_num, segments_expected (sub_segment fields, if any, are left) */
    if (r->short_read)
        return;
    seg->any = 1;
    seg->last_type = type;
    /* Component segmentation has a time per component: not a program's break. */
    if (!is_out_type(type) || !program)
        return;
    seg->found = 1;
    seg->event_id = event_id;
    seg->type = type;
    seg->has_duration = has_duration;
    seg->duration = duration;
}

/* Walks a descriptor loop, every descriptor within it. Returns 0, or -1 for a descriptor that
 * does not fit (why in msg). */
static int read_descriptors(reader *r, segmentation *seg, char *msg, size_t msg_size)
{
    while (r->p < r->end) {
        unsigned tag = get8(r), len = get8(r);
        reader d;
        if (r->short_read || len > (unsigned)(r->end - r->p)) {
            snprintf(msg, msg_size, "splice_descriptor 0x%02X overruns its loop", tag);
            return -1;
        }
        d = (reader){r->p, r->p + len, 0};
        r->p += len;
        if (seg->found || tag != TAG_SEGMENTATION || len < 4 || get_bytes(&d, 4) != CUEI)
            continue;
        read_segmentation(&d, seg);
        if (d.short_read) {
            snprintf(msg, msg_size, "truncated segmentation_descriptor");
            return -1;
        }
    }
    return 0;
}

static int parse_section(const uint8_t *sec, int size, ladder_scte35_cue *cue, ladder_error *err)
{
    int section_size, cmd_len, cmd_type, loop_len, specified = 0;
    int64_t adjustment, pts = 0;
    reader r, cmd, loop;
    segmentation seg = {0};
    char msg[96];

    memset(cue, 0, sizeof *cue);
    cue->segmentation_type = -1;
    if (!sec || size < 3)
        return ladder_error_set(err, LADDER_EINPUT, "SCTE-35: a section of %d bytes", size);
    if (sec[0] != SCTE35_TABLE_ID)
        return ladder_error_set(err, LADDER_EINPUT, "SCTE-35: table_id 0x%02X, not 0xFC", sec[0]);
    section_size = 3 + ((sec[1] & 0x0F) << 8 | sec[2]);
    if (section_size > size)
        return ladder_error_set(err, LADDER_EINPUT, "SCTE-35: truncated section (%d of %d bytes)",
                                size, section_size);
    if (section_size < SCTE35_MIN_SIZE)
        return ladder_error_set(err, LADDER_EINPUT, "SCTE-35: section_length %d is too short",
                                section_size - 3);
    if (crc32_mpeg2(sec, section_size) != 0)
        return ladder_error_set(err, LADDER_EINPUT, "SCTE-35: bad CRC-32 (0x%02X%02X%02X%02X)",
                                sec[section_size - 4], sec[section_size - 3], sec[section_size - 2],
                                sec[section_size - 1]);
    if (sec[3] != 0)
        return ladder_error_set(err, LADDER_EINPUT, "SCTE-35: protocol_version %d, not 0", sec[3]);
    if (sec[4] & 0x80)
        return ladder_error_set(err, LADDER_EINPUT, "SCTE-35: encrypted section (not supported)");
    cue->section_size = section_size;
    adjustment = (int64_t)((uint64_t)(sec[4] & 0x01) << 32 | (uint64_t)sec[5] << 24 |
                           (uint64_t)sec[6] << 16 | (uint64_t)sec[7] << 8 | sec[8]);
    cmd_len = (sec[11] & 0x0F) << 8 | sec[12];
    cmd_type = sec[13];
    cue->command = cmd_type;

    /* The command, then descriptor_loop_length and its loop, then the CRC (any E_CRC_32 of an
     * encrypted section is refused above). */
    r = (reader){sec + SCTE35_HEADER_SIZE, sec + section_size - 4, 0};
    if (cmd_len != CMD_LENGTH_UNKNOWN && cmd_len > r.end - r.p)
        return ladder_error_set(err, LADDER_EINPUT,
                                "SCTE-35: splice_command_length %d overruns the section", cmd_len);
    cmd = (reader){r.p, cmd_len == CMD_LENGTH_UNKNOWN ? r.end : r.p + cmd_len, 0};
    switch (cmd_type) {
    case CMD_SPLICE_NULL:
        not_a_break(cue, "splice_null");
        break;
    case CMD_SPLICE_INSERT:
        read_splice_insert(&cmd, cue);
        break;
    case CMD_TIME_SIGNAL:
        read_splice_time(&cmd, &specified, &pts);
        break;
    default:
        not_a_break(cue, "splice_command_type 0x%02X (not a break)", cmd_type);
        return 0; /* its syntax is not read, so neither is what follows it */
    }
    if (cmd.short_read)
        return ladder_error_set(err, LADDER_EINPUT, "SCTE-35: truncated splice_command 0x%02X",
                                cmd_type);
    r.p = cmd_len == CMD_LENGTH_UNKNOWN ? cmd.p : r.p + cmd_len;
    loop_len = (int)get_bytes(&r, 2);
    if (r.short_read || loop_len > r.end - r.p)
        return ladder_error_set(err, LADDER_EINPUT,
                                "SCTE-35: descriptor_loop_length overruns the section");
    loop = (reader){r.p, r.p + loop_len, 0};

    if (read_descriptors(&loop, &seg, msg, sizeof msg) < 0)
        return ladder_error_set(err, LADDER_EINPUT, "SCTE-35: %s", msg);

    if (cmd_type == CMD_TIME_SIGNAL && seg.found) {
        cue->is_out = 1;
        cue->event_id = seg.event_id;
        cue->segmentation_type = (int)seg.type;
        cue->has_duration = seg.has_duration;
        cue->duration = (double)seg.duration / LADDER_VIDEO_TIMEBASE;
        cue->immediate = !specified;
        cue->has_pts = specified;
        cue->pts90 = pts;
    } else if (cmd_type == CMD_TIME_SIGNAL && seg.any) {
        not_a_break(cue, "time_signal with segmentation_type_id 0x%02X (not an out-point)",
                    seg.last_type);
    } else if (cmd_type == CMD_TIME_SIGNAL) {
        not_a_break(cue, "time_signal without an out-point segmentation_descriptor");
    }
    if (cue->is_out && cue->has_pts)
        cue->pts90 = (cue->pts90 + adjustment) & SCTE35_PTS_MASK;
    if (!cue->is_out) {
        cue->has_pts = cue->immediate = cue->has_duration = cue->auto_return = 0;
        cue->pts90 = 0;
        cue->duration = 0;
    }
    return 0;
}

int ladder_scte35_parse(const uint8_t *sec, int size, ladder_scte35_cue *cue, ladder_error *err)
{
    int ret = parse_section(sec, size, cue, err);
    if (ret < 0) { /* nothing half-read is left for a caller to trust */
        memset(cue, 0, sizeof *cue);
        cue->segmentation_type = -1;
    }
    return ret;
}

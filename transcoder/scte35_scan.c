/* scte35_scan.c: the ad breaks a mezzanine's SCTE-35 cues mark (docs/ads.md). The file is
 * opened on its own with libavformat, which demuxes an MPEG-TS PID of stream_type 0x86 under a
 * "CUEI" registration descriptor as AV_CODEC_ID_SCTE_35 packets, one splice_info_section each,
 * stamped with the PCR they arrived after. Every other stream is discarded, so the scan reads
 * the file without decoding anything. media/scte35.c says what each section means. */
#include <inttypes.h>
#include <string.h>

#include "tc_internal.h"

#define PTS_WRAP      (INT64_C(1) << 33)
#define SCAN_DURATION 30.0 /* seconds planned for a cue without a duration (docs/ads.md) */
#define TC_TAG        "tc"

/* (pts - origin) in the 33-bit 90 kHz clock, as signed ticks: a cue up to 2^32 ticks (13 h)
 * before the origin is negative, not a day later. */
static int64_t ticks_from(int64_t pts, int64_t origin)
{
    int64_t d = ((pts - origin) % PTS_WRAP + PTS_WRAP) % PTS_WRAP;
    return d >= PTS_WRAP / 2 ? d - PTS_WRAP : d;
}

/* Where a packet is, for messages: its time in the show, else its byte offset. */
static void describe(char *out, size_t size, const AVPacket *pkt, int64_t pkt90, int64_t origin90)
{
    if (pkt90 != AV_NOPTS_VALUE)
        snprintf(out, size, "%.3f s", (double)ticks_from(pkt90, origin90) / 90000);
    else
        snprintf(out, size, "byte %" PRId64, pkt->pos);
}

static int already_have(const ladder_break *out, int n, const ladder_break *b)
{
    for (int i = 0; i < n; i++)
        if (out[i].time == b->time && out[i].scte35_size == b->scte35_size &&
            memcmp(out[i].scte35, b->scte35, (size_t)b->scte35_size) == 0)
            return 1;
    return 0;
}

/* One SCTE-35 packet: a break appended to out, or a message and nothing. Fails only when out
 * is full. */
static int take(const AVPacket *pkt, AVRational tb, int64_t origin90, const ladder_logger *lg,
                ladder_break *out, int max, int *n, ladder_error *err)
{
    int64_t pkt90 =
        pkt->pts == AV_NOPTS_VALUE
            ? AV_NOPTS_VALUE
            : (av_rescale_q(pkt->pts, tb, (AVRational){1, 90000}) % PTS_WRAP + PTS_WRAP) % PTS_WRAP;
    ladder_scte35_cue cue;
    ladder_error perr = {0};
    ladder_break b;
    char where[64];

    describe(where, sizeof where, pkt, pkt90, origin90);
    if (ladder_scte35_parse(pkt->data, pkt->size, &cue, &perr) < 0) {
        ladder_log(lg, LADDER_LOG_WARN, TC_TAG, "SCTE-35 cue at %s skipped: %s", where, perr.msg);
        return 0;
    }
    if (!cue.is_out) {
        ladder_log(lg, LADDER_LOG_DEBUG, TC_TAG, "SCTE-35 cue at %s is not a break: %s", where,
                   cue.why);
        return 0;
    }
    if (!cue.has_pts && pkt90 == AV_NOPTS_VALUE) {
        ladder_log(lg, LADDER_LOG_WARN, TC_TAG,
                   "SCTE-35 cue at %s skipped: an immediate splice before any clock reference",
                   where);
        return 0;
    }
    if (cue.section_size > LADDER_SCTE35_MAX) {
        ladder_log(lg, LADDER_LOG_WARN, TC_TAG,
                   "SCTE-35 cue at %s skipped: its section has %d bytes, more than %d", where,
                   cue.section_size, LADDER_SCTE35_MAX);
        return 0;
    }
    memset(&b, 0, sizeof b);
    b.time = (double)ticks_from(cue.has_pts ? cue.pts90 : pkt90, origin90) / 90000;
    b.duration = cue.has_duration && cue.duration > 0 ? cue.duration : SCAN_DURATION;
    b.source = LADDER_BREAK_SCTE35;
    memcpy(b.scte35, pkt->data, (size_t)cue.section_size);
    b.scte35_size = cue.section_size;
    if (b.time < 0) {
        ladder_log(lg, LADDER_LOG_WARN, TC_TAG,
                   "SCTE-35 cue at %s skipped: its splice time is %.3f s, before the first "
                   "picture",
                   where, b.time);
        return 0;
    }
    if (already_have(out, *n, &b)) { /* the same cue sent again, as broadcasters do */
        ladder_log(lg, LADDER_LOG_DEBUG, TC_TAG, "SCTE-35 cue at %s repeats one", where);
        return 0;
    }
    if (*n >= max)
        return ladder_error_set(err, LADDER_EINPUT,
                                "the mezzanine's SCTE-35 cues mark more than %d breaks", max);
    out[(*n)++] = b;
    return 0;
}

int tc_scan_scte35(const char *path, int64_t origin90, const ladder_logger *lg, ladder_break *out,
                   int max, int *n, ladder_error *err)
{
    AVFormatContext *ic = NULL;
    AVPacket *pkt = NULL;
    int ret, found = 0;

    *n = 0;
    origin90 = (origin90 % PTS_WRAP + PTS_WRAP) % PTS_WRAP;
    ret = avformat_open_input(&ic, path, NULL, NULL);
    if (ret < 0)
        return media_error_from_av(err, ret, path);
    for (unsigned i = 0; i < ic->nb_streams; i++) {
        const AVCodecParameters *par = ic->streams[i]->codecpar;
        int cue = par->codec_id == AV_CODEC_ID_SCTE_35;
        ic->streams[i]->discard = cue ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
        found |= cue;
        /* FFmpeg reads a PID's sections as SCTE-35 only under a "CUEI" registration in the
         * program loop; one registered only on its own stream is left unread. */
        if (!cue && par->codec_tag == MKTAG('C', 'U', 'E', 'I'))
            ladder_log(lg, LADDER_LOG_WARN, TC_TAG,
                       "%s: stream 0x%X is registered \"CUEI\" but its program is not, so its "
                       "SCTE-35 cues are not read",
                       path, (unsigned)ic->streams[i]->id);
    }
    if (!found) {
        avformat_close_input(&ic);
        return 0;
    }
    if (!(pkt = av_packet_alloc())) {
        avformat_close_input(&ic);
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    }
    ret = 0;
    for (;;) {
        int r = av_read_frame(ic, pkt);
        if (r == AVERROR_EOF)
            break;
        if (r < 0) { /* the transcode meets the damage too, and says so */
            char buf[AV_ERROR_MAX_STRING_SIZE];
            av_strerror(r, buf, sizeof buf);
            ladder_log(lg, LADDER_LOG_WARN, TC_TAG, "%s: SCTE-35 scan stopped: %s", path, buf);
            break;
        }
        /* A stream the PMT adds later is not discarded: only SCTE-35 packets count. */
        if (ic->streams[pkt->stream_index]->codecpar->codec_id == AV_CODEC_ID_SCTE_35)
            ret = take(pkt, ic->streams[pkt->stream_index]->time_base, origin90, lg, out, max, n,
                       err);
        av_packet_unref(pkt);
        if (ret < 0)
            break;
    }
    av_packet_free(&pkt);
    avformat_close_input(&ic);
    return ret;
}

/* segment_writer.c: one HLS variant as MPEG-TS or fMP4 segments (seg_writer).
 *
 * One libavformat muxer per variant writes through a custom AVIOContext whose target file
 * changes at each segment boundary, so continuity counters and PCR/PTS (TS) or fragment
 * sequence numbers (fMP4) run on across segments as one stream would. In TS, PAT/PMT are
 * repeated at the start of every segment and before every IDR; in fMP4 the header goes to
 * init.mp4 and every IDR is a fragment of its own; so each segment and each I-frame byte range
 * decodes on its own. */
#include <errno.h>
#include <string.h>

#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#include "pkg_internal.h"

static int write_to_segment(void *opaque, uint8_t *buf, int size)
{
    seg_writer *w = opaque;
    if (!w->file)
        return AVERROR(EIO);
    errno = 0;
    if (fwrite(buf, 1, size, w->file) != (size_t)size) /* the system's reason: disk full, ... */
        return AVERROR(errno ? errno : EIO);
    if (w->hashing && !EVP_DigestUpdate(w->sha, buf, size))
        w->hashing = 0; /* show.json hashes the file itself */
    return size;
}

/* fMP4: the init segment is what the muxer writes at its header. */
static int open_init_file(seg_writer *w, ladder_error *err)
{
    char path[1100];

    snprintf(path, sizeof path, "%s/init.mp4", w->dir);
    w->file = fopen(path, "wb");
    return w->file
               ? 0
               : ladder_error_set(err, LADDER_EIO, "cannot write %s: %s", path, strerror(errno));
}

static void set_muxer_options(const seg_writer *w, AVDictionary **opts)
{
    if (w->fmp4) {
        /* fragments only when we flush; moov empty up front; tfdt-relative data offsets.
         * frag_discont without edit lists: a track's first tfdt is its own time, offset
         * included (cmaf's negative composition offsets put the first IDR's presentation on
         * its PTS), where the muxer would start every track at 0 and so move the audio off
         * the video by its priming, and every track off the DASH timeline (docs/dash.md). */
        av_dict_set(opts, "movflags",
                    "frag_custom+empty_moov+default_base_moof+cmaf+skip_trailer+frag_discont", 0);
        av_dict_set(opts, "use_editlist", "0", 0);
        return;
    }
    /* PAT/PMT go out at every segment start and every IDR (resend_headers); repeating them
     * ten times a second as well would cost ~10% of a low rung's bytes. */
    av_dict_set(opts, "pat_period", "3600", 0);
    av_dict_set(opts, "sdt_period", "3600", 0);
}

int seg_writer_open(seg_writer *w, const char *dir, int fmp4, const ladder_stream *video,
                    const ladder_stream *audio, const pkg_params *params, const char *playlist,
                    ladder_error *err)
{
    AVDictionary *opts = NULL;
    unsigned char *buf;
    int ret;

    memset(w, 0, sizeof *w);
    w->video = w->audio = -1;
    w->params = params;
    snprintf(w->playlist, sizeof w->playlist, "%s", playlist);
    if (!(w->sha = EVP_MD_CTX_new()))
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    ret = ladder_mkdir_p(dir, err);
    if (ret < 0)
        return ret;
    w->fmp4 = fmp4;
    if (avformat_alloc_output_context2(&w->oc, NULL, fmp4 ? "mp4" : "mpegts", NULL) < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "cannot set up the segment muxer");
    w->oc->flags |= AVFMT_FLAG_BITEXACT;
    if ((video && !ladder_stream_add_to(w->oc, video)) ||
        (audio && !ladder_stream_add_to(w->oc, audio)))
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    w->video = video ? 0 : -1;
    w->audio = audio ? (video ? 1 : 0) : -1;
    for (unsigned i = 0; i < w->oc->nb_streams; i++) /* before the muxer picks its own */
        w->in_tb[i] = w->oc->streams[i]->time_base;
    buf = av_malloc(65536);
    w->oc->pb = buf ? avio_alloc_context(buf, 65536, 1, w, NULL, write_to_segment, NULL) : NULL;
    if (!w->oc->pb) {
        av_free(buf);
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    }
    /* Our own fixed offset keeps every stream positive; the muxer must not shift again, or
     * rungs with and without B-frames would end up with different timestamps. */
    w->oc->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
    if (fmp4 && (ret = open_init_file(w, err)) < 0)
        return ret;
    set_muxer_options(w, &opts);
    ret = avformat_write_header(w->oc, &opts);
    av_dict_free(&opts);
    if (ret >= 0) /* the muxer has set each stream's time base to its track's timescale */
        w->timescale = w->oc->streams[0]->time_base.den;
    /* the nominal frame, not the packet's duration: a replayed MP4's last sample may say less
     * (hls_segments.c), while the muxer writes it for a whole frame */
    if (ret >= 0 && video && video->fps_num > 0)
        w->frame_ticks = av_rescale_q(1, (AVRational){video->fps_den, video->fps_num},
                                      w->oc->streams[0]->time_base);
    return ret < 0 ? media_error_from_av(err, ret, "segment muxer") : 0;
}

static void segment_name(const seg_writer *w, int i, char *out, size_t size)
{
    snprintf(out, size, "seg%05d.%s", i, w->fmp4 ? "m4s" : "ts");
}

/* The file of the last segment written is complete: its hash is kept and on_segment told. */
static void told_closed(seg_writer *w)
{
    unsigned char digest[32];
    char name[32];

    if (w->n_segments == 0)
        return; /* the file closed was fMP4's init.mp4 */
    if (w->hashing && EVP_DigestFinal_ex(w->sha, digest, NULL))
        for (int i = 0; i < 32; i++)
            snprintf(w->segments[w->n_segments - 1].sha256 + 2 * i, 3, "%02x", digest[i]);
    w->hashing = 0;
    if (!w->params || !w->params->on_segment)
        return;
    segment_name(w, w->n_segments - 1, name, sizeof name);
    w->params->on_segment(w->params->on_segment_opaque, w->playlist, name, w->video < 0);
}

static int start_file(seg_writer *w, ladder_error *err)
{
    char path[1100], name[32];

    avio_flush(w->oc->pb);
    if (w->file) {
        int closed = fclose(w->file) == 0;
        w->file = NULL;
        if (!closed)
            return ladder_error_set(err, LADDER_EIO, "%s: %s", w->dir, strerror(errno));
        told_closed(w);
    }
    segment_name(w, w->n_segments, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    w->file = fopen(path, "wb");
    if (!w->file)
        return ladder_error_set(err, LADDER_EIO, "cannot write %s: %s", path, strerror(errno));
    w->hashing = EVP_DigestInit_ex(w->sha, EVP_sha256(), NULL);
    w->segment_start_pos = avio_tell(w->oc->pb);
    w->seg_t0 = INT64_MAX;
    w->seg_t1 = INT64_MIN;
    return 0;
}

int pkg_grow(void **array, int *cap, int n, size_t size)
{
    if (n < *cap)
        return 0;
    int ncap = *cap ? *cap * 2 : 64;
    void *p = av_realloc_array(*array, ncap, size);
    if (!p)
        return -1;
    *array = p;
    *cap = ncap;
    return 0;
}

static double seconds(const AVPacket *p, AVRational tb)
{
    return p->dts * av_q2d(tb);
}

/* fMP4: ends the fragment being built (a no-op when it is empty). */
static int flush_fragment(seg_writer *w, ladder_error *err)
{
    int ret = av_write_frame(w->oc, NULL);
    return ret < 0 ? media_error_from_av(err, ret, w->dir) : 0;
}

static int add_iframe(seg_writer *w, int64_t start_pos, double start, ladder_error *err)
{
    if (pkg_grow((void **)&w->iframes, &w->cap_iframes, w->n_iframes, sizeof *w->iframes) < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    w->iframes[w->n_iframes++] = (hls_iframe){
        .segment = w->n_segments,
        .offset = start_pos - w->segment_start_pos,
        .size = avio_tell(w->oc->pb) - start_pos,
        .start = start,
    };
    return 0;
}

/* Writes one packet with the fixed offset; records I-frame byte ranges. */
static int write_packet(seg_writer *w, AVPacket *src, int stream, ladder_error *err)
{
    AVStream *st = w->oc->streams[stream];
    int is_idr = stream == w->video && (src->flags & AV_PKT_FLAG_KEY);
    int64_t offset = av_rescale_q(PKG_TS_OFFSET_SECONDS, (AVRational){1, 1}, st->time_base);
    int64_t before;
    AVPacket *p = av_packet_clone(src);
    int ret = 0;

    if (!p)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    if (is_idr && w->fmp4)
        ret = flush_fragment(w, err);
    before = avio_tell(w->oc->pb);
    p->stream_index = stream;
    av_packet_rescale_ts(p, w->in_tb[stream], st->time_base); /* TS: always 1/90000 */
    p->pts += offset;
    p->dts += offset;
    if (stream == 0) {
        w->seg_t0 = FFMIN(w->seg_t0, p->pts);
        w->seg_t1 = FFMAX(w->seg_t1, p->pts + FFMAX(p->duration, w->frame_ticks));
    }
    if (is_idr && !w->fmp4)
        av_opt_set(w->oc->priv_data, "mpegts_flags", "+resend_headers", 0);
    if (ret >= 0 && (ret = av_write_frame(w->oc, p)) < 0)
        ret = media_error_from_av(err, ret, w->dir);
    av_packet_free(&p);
    if (ret >= 0 && is_idr && w->fmp4)
        ret = flush_fragment(w, err); /* the IDR alone in its fragment */
    if (ret >= 0 && is_idr)
        ret = add_iframe(w, before, src->pts * av_q2d(w->in_tb[stream]), err);
    return ret;
}

int seg_writer_segment(seg_writer *w, double start, double duration, AVPacket **video, int n_video,
                       AVPacket **audio, int n_audio, ladder_error *err)
{
    int iv = 0, ia = 0, ret;

    if (pkg_grow((void **)&w->segments, &w->cap_segments, w->n_segments, sizeof *w->segments) < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = start_file(w, err);
    /* every TS segment starts with PAT/PMT, whatever comes first in it */
    if (!w->fmp4)
        av_opt_set(w->oc->priv_data, "mpegts_flags", "+resend_headers", 0);
    while (ret >= 0 && (iv < n_video || ia < n_audio)) {
        int take_video =
            ia >= n_audio || (iv < n_video && seconds(video[iv], w->in_tb[w->video]) <=
                                                  seconds(audio[ia], w->in_tb[w->audio]));
        ret = take_video ? write_packet(w, video[iv++], w->video, err)
                         : write_packet(w, audio[ia++], w->audio, err);
    }
    if (ret < 0)
        return ret;
    /* push the muxer's buffered audio (TS) or last fragment (fMP4) into this segment */
    av_write_frame(w->oc, NULL);
    avio_flush(w->oc->pb);
    w->segments[w->n_segments++] =
        (hls_segment){.start = start,
                      .duration = duration,
                      .bytes = avio_tell(w->oc->pb) - w->segment_start_pos,
                      .t0 = w->seg_t0,
                      .t1 = w->seg_t1};
    return 0;
}

int seg_writer_close(seg_writer *w, ladder_error *err)
{
    int ret = av_write_trailer(w->oc);

    avio_flush(w->oc->pb);
    if (w->n_segments > 0) /* the trailer's bytes belong to the last segment */
        w->segments[w->n_segments - 1].bytes = avio_tell(w->oc->pb) - w->segment_start_pos;
    if (w->file) {
        if (fclose(w->file) != 0 && ret >= 0)
            ret = AVERROR(errno);
        w->file = NULL;
        if (ret >= 0)
            told_closed(w);
    }
    return ret < 0 ? media_error_from_av(err, ret, w->dir) : 0;
}

void seg_writer_free(seg_writer *w)
{
    if (w->file)
        fclose(w->file);
    if (w->oc) {
        if (w->oc->pb)
            av_freep(&w->oc->pb->buffer);
        avio_context_free(&w->oc->pb);
        avformat_free_context(w->oc);
    }
    av_free(w->segments);
    av_free(w->iframes);
    EVP_MD_CTX_free(w->sha);
    memset(w, 0, sizeof *w);
}

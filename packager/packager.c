/* packager.c: the packager as a ladder_sink. Video packets of each HLS rung are gathered per
 * segment (cut at the aligned IDRs every segment_seconds) and written once the shared audio
 * for that time has arrived; MP4 rungs are muxed as packets come.
 *
 * The sink's calls for different streams come at once (the transcoder's encoder threads, the
 * replay's reader threads), so every rung muxes on its own thread. What is shared has a lock of
 * its own: an HLS rung (its video thread and the audio thread both flush it), each audio store
 * (appended by one thread, read by the rungs), and the first error. A rung's lock is taken
 * before an audio store's, never the other way, and no lock is held while waiting for one. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg_internal.h"

/* A segment whose video is complete, waiting for its audio. */
typedef struct closed_segment {
    pkt_list video;
    double start, end;
} closed_segment;

typedef struct hls_rung {
    pthread_mutex_t lock; /* the rung's state and writer */
    int stream, audio;    /* plan indexes; audio -1 when video-only */
    seg_writer w;
    pkt_list open; /* video of the segment being gathered */
    double open_start;
    int64_t next_cut;        /* 1/90000: the first IDR at or after this starts a segment */
    closed_segment *waiting; /* in order; written once their audio is in */
    int n_waiting, cap_waiting;
    int audio_reader; /* its place among the audio store's readers */
    double video_end; /* seconds: end of the last video packet */
} hls_rung;

typedef struct mp4_rung {
    int stream, audio;
    AVFormatContext *oc;
    int audio_reader;
} mp4_rung;

/* Every HLS rung, MP4 rung and the audio-only variant reading one audio stream. */
#define AUDIO_READERS_MAX (2 * PROF_MAX_RUNGS + 1)

/* An audio stream's packets from the oldest one a reader still needs to the newest: a packet
 * every reader has taken is freed, so memory follows the distance between the fastest and the
 * slowest reader, not the show's length. */
typedef struct audio_store {
    pthread_mutex_t lock; /* everything below */
    pkt_list pkts;        /* packets first .. first + pkts.n - 1 of the stream */
    int64_t first;
    int n_readers;
    int64_t next[AUDIO_READERS_MAX]; /* each reader's next packet */
    AVRational tb;
    double last_pts; /* seconds; how far the audio has arrived */
    int ended;
} audio_store;

/* The audio-only variant: the lowest-bitrate AAC cut at the first HLS rung's segment times,
 * written a segment at a time as the cuts and the audio come in. */
typedef struct audio_only_variant {
    pthread_mutex_t lock; /* the writer, and the packager's cuts */
    int audio;            /* plan stream; -1: none */
    int audio_reader;
    seg_writer w;
    int opened, written; /* segments written */
} audio_only_variant;

struct pkg_packager {
    pkg_params params;
    char out_dir[1024];
    char entry_prefix[32], entry_name[64];
    ladder_plan plan;
    hls_rung hls[PROF_MAX_RUNGS];
    int n_hls;
    mp4_rung mp4[PROF_MAX_RUNGS];
    int n_mp4;
    audio_store audio[LADDER_MAX_STREAMS]; /* indexed by plan stream */
    double *cuts;                          /* segment start times, from the first HLS rung */
    int n_cuts, cap_cuts;
    double duration;
    audio_only_variant audio_only;
    ladder_captions captions[PKG_MAX_CAPTION_TRACKS]; /* shallow copies: the cues are borrowed */
    int n_captions;
    pkg_variant_stats variants[PROF_MAX_RUNGS + 1];
    int n_variants;
    int poster_width, poster_height; /* 0 until poster.jpg is written */
    ladder_sink sink;
    pthread_mutex_t error_lock;
    ladder_error error; /* the first failure, sticky */
};

/* ---- packet lists ------------------------------------------------------------------------ */

int pkt_list_add(pkt_list *l, const ladder_packet *p)
{
    AVPacket *c;

    if (pkg_grow((void **)&l->pkts, &l->cap, l->n, sizeof *l->pkts) < 0)
        return AVERROR(ENOMEM);
    c = av_packet_alloc();
    if (!c || av_new_packet(c, p->size) < 0) {
        av_packet_free(&c);
        return AVERROR(ENOMEM);
    }
    memcpy(c->data, p->data, p->size);
    c->pts = p->pts;
    c->dts = p->dts;
    c->duration = p->duration;
    c->flags = p->keyframe ? AV_PKT_FLAG_KEY : 0;
    l->pkts[l->n++] = c;
    return 0;
}

void pkt_list_clear(pkt_list *l)
{
    for (int i = 0; i < l->n; i++)
        av_packet_free(&l->pkts[i]);
    av_freep(&l->pkts);
    l->n = l->cap = 0;
}

static double pkt_seconds(const AVPacket *p, AVRational tb)
{
    return p->pts * av_q2d(tb);
}

/* ---- errors and the audio stores ----------------------------------------------------------- */

/* Keeps the first failure (why, or a plain message when why says nothing); every later sink
 * call fails with it. Returns code. */
static int fail(pkg_packager *p, int code, const ladder_error *why)
{
    pthread_mutex_lock(&p->error_lock);
    if (p->error.code == 0 && code < 0) {
        if (why && why->msg[0])
            p->error = *why;
        else
            ladder_error_set(&p->error, code, "packaging failed: %s", ladder_strerror(code));
        p->error.code = code;
    }
    pthread_mutex_unlock(&p->error_lock);
    return code;
}

/* What a sink callback returns: 0, or the first failure of any stream, its message in err. */
static int sink_result(pkg_packager *p, int code, const ladder_error *why, ladder_error *err)
{
    int first;

    if (code < 0)
        fail(p, code, why);
    pthread_mutex_lock(&p->error_lock);
    first = p->error.code;
    if (first < 0 && err)
        *err = p->error;
    pthread_mutex_unlock(&p->error_lock);
    return first < 0 ? first : 0;
}

/* Whether audio stream `audio` (-1: none) has come up to `end` seconds. */
static int audio_ready(pkg_packager *p, int audio, double end)
{
    audio_store *a = audio >= 0 ? &p->audio[audio] : NULL;
    int ready;

    if (!a)
        return 1;
    pthread_mutex_lock(&a->lock);
    ready = a->ended || a->last_pts >= end;
    pthread_mutex_unlock(&a->lock);
    return ready;
}

/* Frees the packets every reader has taken, once there are enough to be worth the move. Under
 * a->lock. */
static void drop_taken(audio_store *a)
{
    int64_t oldest = a->first + a->pkts.n;
    int n;

    for (int i = 0; i < a->n_readers; i++)
        oldest = a->next[i] < oldest ? a->next[i] : oldest;
    n = (int)(oldest - a->first);
    if (n < 256 && 2 * n < a->pkts.n)
        return;
    for (int i = 0; i < n; i++)
        av_packet_free(&a->pkts.pkts[i]);
    memmove(a->pkts.pkts, a->pkts.pkts + n, (a->pkts.n - n) * sizeof *a->pkts.pkts);
    a->pkts.n -= n;
    a->first += n;
}

/* Reader `reader`'s next packets of an audio stream whose time is before `end` (or at it,
 * with `inclusive`): new references in a new array (*out, NULL when none), for the caller to
 * free with free_taken, so the store may drop its own while the caller muxes them. Returns the
 * count, or -1 when out of memory. */
static int take_audio(pkg_packager *p, int audio, int reader, double end, int inclusive,
                      AVPacket ***out)
{
    audio_store *a = &p->audio[audio];
    int from, to, n = 0;

    *out = NULL;
    pthread_mutex_lock(&a->lock);
    from = to = (int)(a->next[reader] - a->first);
    while (to < a->pkts.n) {
        double t = pkt_seconds(a->pkts.pkts[to], a->tb);
        if (t > end || (t == end && !inclusive))
            break;
        to++;
    }
    if (to > from && (*out = av_malloc_array(to - from, sizeof **out)))
        for (; n < to - from && ((*out)[n] = av_packet_clone(a->pkts.pkts[from + n])); n++)
            ;
    if (n == to - from) {
        a->next[reader] += n;
        drop_taken(a);
    }
    pthread_mutex_unlock(&a->lock);
    if (n < to - from) { /* out of memory: nothing taken */
        while (n > 0)
            av_packet_free(&(*out)[--n]);
        av_freep(out);
        return -1;
    }
    return n;
}

/* Lets go of what take_audio gave, under the store's lock like every other release of these
 * buffers: libavutil counts references with atomics ThreadSanitizer cannot see, and the lock
 * is what shows it (and any reader) that a buffer's last user is done before it is freed. */
static void free_taken(pkg_packager *p, int audio, AVPacket **pkts, int n)
{
    if (n > 0) {
        pthread_mutex_lock(&p->audio[audio].lock);
        for (int i = 0; i < n; i++)
            av_packet_free(&pkts[i]);
        pthread_mutex_unlock(&p->audio[audio].lock);
    }
    av_free(pkts);
}

/* ---- HLS rungs ----------------------------------------------------------------------------- */

/* Writes one segment of a variant: video packets given, audio from the store up to `end`. */
static int write_segment(pkg_packager *p, seg_writer *w, int audio, int reader, AVPacket **video,
                         int n_video, double start, double end, double duration, ladder_error *err)
{
    AVPacket **aud = NULL;
    int n_aud = 0, ret;

    if (audio >= 0 && (n_aud = take_audio(p, audio, reader, end, 0, &aud)) < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    ret = seg_writer_segment(w, start, duration, video, n_video, aud, n_aud, err);
    free_taken(p, audio, aud, n_aud);
    return ret;
}

/* Writes the rung's closed segments whose audio is in. Under r->lock. */
static int flush_waiting(pkg_packager *p, hls_rung *r, ladder_error *err)
{
    while (r->n_waiting > 0 && audio_ready(p, r->audio, r->waiting[0].end)) {
        closed_segment *c = &r->waiting[0];
        int ret = write_segment(p, &r->w, r->audio, r->audio_reader, c->video.pkts, c->video.n,
                                c->start, c->end, fmin(c->end, r->video_end) - c->start, err);
        pkt_list_clear(&c->video);
        if (ret < 0)
            return ret;
        memmove(&r->waiting[0], &r->waiting[1], (r->n_waiting - 1) * sizeof *r->waiting);
        r->n_waiting--;
    }
    return 0;
}

/* Moves the open segment to the waiting list; `end` is INFINITY for the last one. */
static int close_open_segment(hls_rung *r, double end)
{
    if (r->open.n == 0)
        return 0;
    if (pkg_grow((void **)&r->waiting, &r->cap_waiting, r->n_waiting, sizeof *r->waiting) < 0)
        return AVERROR(ENOMEM);
    r->waiting[r->n_waiting++] =
        (closed_segment){.video = r->open, .start = r->open_start, .end = end};
    memset(&r->open, 0, sizeof r->open);
    return 0;
}

/* ---- the audio-only variant ----------------------------------------------------------------- */

/* Writes audio-only segment `i` (its end the next cut, or the show's end for the last). Under
 * ao->lock. */
static int write_audio_only_segment(pkg_packager *p, int i, int last, ladder_error *err)
{
    audio_only_variant *ao = &p->audio_only;
    char dir[1200];
    int ret = 0;

    if (!ao->opened) {
        snprintf(dir, sizeof dir, "%s/hls/audio", p->out_dir);
        ret = seg_writer_open(&ao->w, dir, p->params.container == PROF_CONTAINER_FMP4, NULL,
                              &p->plan.streams[ao->audio], err);
        ao->opened = ret >= 0;
    }
    if (ret >= 0) {
        double end = last ? INFINITY : p->cuts[i + 1];
        double duration = (last ? p->duration : p->cuts[i + 1]) - p->cuts[i];
        ret = write_segment(p, &ao->w, ao->audio, ao->audio_reader, NULL, 0, p->cuts[i], end,
                            duration, err);
    }
    ao->written += ret >= 0;
    return ret;
}

/* Writes the audio-only segments whose end is known and whose audio is in. */
static int flush_audio_only(pkg_packager *p, ladder_error *err)
{
    audio_only_variant *ao = &p->audio_only;
    int ret = 0;

    if (ao->audio < 0)
        return 0;
    pthread_mutex_lock(&ao->lock);
    while (ret >= 0 && ao->written + 1 < p->n_cuts &&
           audio_ready(p, ao->audio, p->cuts[ao->written + 1]))
        ret = write_audio_only_segment(p, ao->written, 0, err);
    pthread_mutex_unlock(&ao->lock);
    return ret;
}

/* A segment start time, from the first HLS rung's thread. */
static int note_cut(pkg_packager *p, double t, ladder_error *err)
{
    audio_only_variant *ao = &p->audio_only;
    int ret;

    pthread_mutex_lock(&ao->lock);
    ret = pkg_grow((void **)&p->cuts, &p->cap_cuts, p->n_cuts, sizeof *p->cuts);
    if (ret >= 0)
        p->cuts[p->n_cuts++] = t;
    pthread_mutex_unlock(&ao->lock);
    if (ret < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    return flush_audio_only(p, err);
}

/* After the last packet: the rest of the audio-only variant. */
static int finish_audio_only(pkg_packager *p, ladder_error *err)
{
    audio_only_variant *ao = &p->audio_only;
    int ret = 0;

    if (ao->audio < 0)
        return 0;
    while (ret >= 0 && ao->written < p->n_cuts)
        ret = write_audio_only_segment(p, ao->written, ao->written + 1 == p->n_cuts, err);
    if (ret >= 0 && ao->opened)
        ret = seg_writer_close(&ao->w, err);
    return ret;
}

/* Under r->lock. */
static int hls_video_packet(pkg_packager *p, int i, const ladder_packet *pkt, ladder_error *err)
{
    hls_rung *r = &p->hls[i];
    int64_t seg_ticks = (int64_t)llround(p->params.segment_seconds * LADDER_VIDEO_TIMEBASE);
    double t = (double)pkt->pts / LADDER_VIDEO_TIMEBASE;
    int ret = 0;

    if (pkt->keyframe && pkt->pts >= r->next_cut) {
        ret = close_open_segment(r, t);
        r->open_start = t;
        r->next_cut = (pkt->pts / seg_ticks + 1) * seg_ticks;
        if (ret < 0)
            return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
        if (i == 0)
            ret = note_cut(p, t, err);
        if (ret < 0)
            return ret;
    }
    if (pkt_list_add(&r->open, pkt) < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    /* the nominal frame duration, not the packet's: a replayed MP4 may carry a shorter last
     * sample, and ingest and package must give identical playlists */
    const ladder_stream *v = &p->plan.streams[r->stream];
    int64_t frame = av_rescale(LADDER_VIDEO_TIMEBASE, v->fps_den, v->fps_num);
    r->video_end = fmax(r->video_end, (double)(pkt->pts + frame) / LADDER_VIDEO_TIMEBASE);
    return flush_waiting(p, r, err);
}

/* ---- MP4 rungs (each touched by its own video stream's calls only) -------------------------- */

/* A progressive MP4: not fragmented, moov moved before mdat when the file is finished. */
static int mp4_open(pkg_packager *p, mp4_rung *m, ladder_error *err)
{
    char dir[1100], path[1200];
    AVDictionary *opts = NULL;
    const ladder_stream *v = &p->plan.streams[m->stream];
    int ret;

    snprintf(dir, sizeof dir, "%s/mp4", p->out_dir);
    snprintf(path, sizeof path, "%s/%s.mp4", dir, v->name);
    ret = ladder_mkdir_p(dir, err);
    if (ret < 0)
        return ret;
    if (avformat_alloc_output_context2(&m->oc, NULL, "mp4", path) < 0 ||
        !ladder_stream_add_to(m->oc, v) ||
        (m->audio >= 0 && !ladder_stream_add_to(m->oc, &p->plan.streams[m->audio])))
        return ladder_error_set(err, LADDER_ENOMEM, "cannot set up %s", path);
    m->oc->flags |= AVFMT_FLAG_BITEXACT;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    ret = avio_open(&m->oc->pb, path, AVIO_FLAG_WRITE);
    if (ret >= 0)
        ret = avformat_write_header(m->oc, &opts);
    av_dict_free(&opts);
    return ret < 0 ? media_error_from_av(err, ret, path) : 0;
}

/* Hands pkt (which it frees) to the muxer as stream `stream`, its timestamps in tb. */
static int mp4_write(mp4_rung *m, AVPacket *pkt, int stream, AVRational tb)
{
    int ret;

    pkt->stream_index = stream;
    av_packet_rescale_ts(pkt, tb, m->oc->streams[stream]->time_base);
    ret = av_interleaved_write_frame(m->oc, pkt);
    av_packet_free(&pkt);
    return ret;
}

/* The muxer keeps packets queued to interleave them, and lets go of them later on this thread:
 * it gets a private copy of an audio packet, not a reference to a buffer the store shares. */
static int mp4_write_audio(mp4_rung *m, const AVPacket *shared, AVRational tb)
{
    AVPacket *c = av_packet_clone(shared);

    if (!c || av_packet_make_writable(c) < 0) {
        av_packet_free(&c);
        return AVERROR(ENOMEM);
    }
    return mp4_write(m, c, 1, tb);
}

/* Writes the stored audio up to `until` seconds (all of it with INFINITY). The muxer
 * interleaves by timestamp, so the file does not depend on how far the audio had come. */
static int mp4_catch_up_audio(pkg_packager *p, mp4_rung *m, double until)
{
    AVPacket **aud;
    int n, ret = 0;

    if (m->audio < 0)
        return 0;
    n = take_audio(p, m->audio, m->audio_reader, until, 1, &aud);
    if (n < 0)
        return AVERROR(ENOMEM);
    for (int i = 0; ret >= 0 && i < n; i++)
        ret = mp4_write_audio(m, aud[i], p->audio[m->audio].tb);
    free_taken(p, m->audio, aud, n);
    return ret;
}

static int mp4_video_packet(pkg_packager *p, mp4_rung *m, const ladder_packet *pkt,
                            ladder_error *err)
{
    AVPacket *c = av_packet_alloc();
    int ret;

    if (!c || av_new_packet(c, pkt->size) < 0) {
        av_packet_free(&c);
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    }
    memcpy(c->data, pkt->data, pkt->size);
    c->pts = pkt->pts;
    c->dts = pkt->dts;
    c->duration = pkt->duration;
    c->flags = pkt->keyframe ? AV_PKT_FLAG_KEY : 0;
    ret = mp4_catch_up_audio(p, m, (double)pkt->dts / LADDER_VIDEO_TIMEBASE);
    if (ret >= 0)
        ret = mp4_write(m, c, 0, (AVRational){1, LADDER_VIDEO_TIMEBASE}); /* c is private */
    else
        av_packet_free(&c);
    return ret < 0 ? media_error_from_av(err, ret, m->oc->url) : 0;
}

static int mp4_finish(pkg_packager *p, mp4_rung *m, ladder_error *err)
{
    int ret = mp4_catch_up_audio(p, m, INFINITY);
    if (ret >= 0)
        ret = av_write_trailer(m->oc);
    return ret < 0 ? media_error_from_av(err, ret, m->oc->url) : 0;
}

/* ---- the sink ------------------------------------------------------------------------------ */

static int open_hls_rung(pkg_packager *p, const ladder_stream *v, ladder_error *err)
{
    hls_rung *r = &p->hls[p->n_hls++];
    char dir[1200];

    r->stream = v->index;
    r->audio = v->audio_stream;
    snprintf(dir, sizeof dir, "%s/hls/%s", p->out_dir, v->name);
    return seg_writer_open(&r->w, dir, p->params.container == PROF_CONTAINER_FMP4, v,
                           r->audio >= 0 ? &p->plan.streams[r->audio] : NULL, err);
}

/* Gives every reader of an audio stream its place in the store. The audio-only variant takes
 * the lowest-bitrate AAC, and exists only with an HLS rung to cut it. */
static int add_reader(pkg_packager *p, int audio)
{
    return audio >= 0 ? p->audio[audio].n_readers++ : -1;
}

static void register_audio_readers(pkg_packager *p)
{
    audio_only_variant *ao = &p->audio_only;

    for (int i = 0; i < p->n_hls; i++)
        p->hls[i].audio_reader = add_reader(p, p->hls[i].audio);
    for (int i = 0; i < p->n_mp4; i++)
        p->mp4[i].audio_reader = add_reader(p, p->mp4[i].audio);
    ao->audio = -1;
    for (int i = 0; p->n_hls > 0 && i < p->plan.n_streams; i++)
        if (p->plan.streams[i].kind == LADDER_STREAM_AUDIO &&
            (ao->audio < 0 ||
             p->plan.streams[i].bitrate_kbps < p->plan.streams[ao->audio].bitrate_kbps))
            ao->audio = i;
    ao->audio_reader = add_reader(p, ao->audio);
}

/* Called once, before any packet: nothing runs beside it. */
static int sink_begin(void *opaque, const ladder_plan *plan, ladder_error *err)
{
    pkg_packager *p = opaque;
    ladder_error why = {0};
    int ret = 0;

    p->plan = *plan;
    for (int i = 0; ret >= 0 && i < plan->n_streams; i++) {
        const ladder_stream *st = &plan->streams[i];
        if (st->kind == LADDER_STREAM_AUDIO) {
            p->audio[i].tb = (AVRational){1, st->timebase_den};
            p->audio[i].last_pts = -INFINITY;
        } else if (st->use == PROF_USE_HLS) {
            ret = open_hls_rung(p, st, &why);
        } else {
            mp4_rung *m = &p->mp4[p->n_mp4++];
            m->stream = st->index;
            m->audio = st->audio_stream;
            ret = mp4_open(p, m, &why);
        }
    }
    register_audio_readers(p);
    return sink_result(p, ret, &why, err);
}

/* Stores the packet, then writes the segments of the rungs that were waiting for it. */
static int audio_packet(pkg_packager *p, const ladder_packet *pkt, ladder_error *err)
{
    audio_store *a = &p->audio[pkt->stream];
    int ret;

    pthread_mutex_lock(&a->lock);
    ret = pkt_list_add(&a->pkts, pkt);
    if (ret >= 0)
        a->last_pts = pkt->pts * av_q2d(a->tb);
    pthread_mutex_unlock(&a->lock);
    if (ret < 0)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    for (int i = 0; ret >= 0 && i < p->n_hls; i++) {
        hls_rung *r = &p->hls[i];
        if (r->audio != pkt->stream)
            continue;
        pthread_mutex_lock(&r->lock);
        ret = flush_waiting(p, r, err);
        pthread_mutex_unlock(&r->lock);
    }
    if (ret >= 0 && pkt->stream == p->audio_only.audio)
        ret = flush_audio_only(p, err);
    return ret;
}

static int video_packet(pkg_packager *p, const ladder_packet *pkt, ladder_error *err)
{
    int ret = 0;

    for (int i = 0; ret >= 0 && i < p->n_hls; i++) {
        if (p->hls[i].stream != pkt->stream)
            continue;
        pthread_mutex_lock(&p->hls[i].lock);
        ret = hls_video_packet(p, i, pkt, err);
        pthread_mutex_unlock(&p->hls[i].lock);
    }
    for (int i = 0; ret >= 0 && i < p->n_mp4; i++)
        if (p->mp4[i].stream == pkt->stream)
            ret = mp4_video_packet(p, &p->mp4[i], pkt, err);
    return ret;
}

static int sink_packet(void *opaque, const ladder_packet *pkt, ladder_error *err)
{
    pkg_packager *p = opaque;
    ladder_error why = {0};
    int ret = sink_result(p, 0, NULL, err); /* once one stream failed, all stop */

    if (ret >= 0 && p->plan.streams[pkt->stream].kind == LADDER_STREAM_AUDIO)
        ret = audio_packet(p, pkt, &why);
    else if (ret >= 0)
        ret = video_packet(p, pkt, &why);
    return ret < 0 ? sink_result(p, ret, &why, err) : 0;
}

/* Called once, after the last packet of every stream: nothing runs beside it. */
static int sink_end(void *opaque, const ladder_plan *plan, ladder_error *err)
{
    pkg_packager *p = opaque;
    ladder_error why = {0};
    int ret = sink_result(p, 0, NULL, err);

    /* which renditions carry CEA-608 is known only once every picture is through */
    for (int i = 0; i < p->plan.n_streams && i < plan->n_streams; i++)
        p->plan.streams[i].cc608 = plan->streams[i].cc608;
    for (int i = 0; i < p->plan.n_streams; i++)
        p->audio[i].ended = 1;
    for (int i = 0; ret >= 0 && i < p->n_hls; i++) {
        hls_rung *r = &p->hls[i];
        ret = close_open_segment(r, INFINITY) < 0
                  ? ladder_error_set(&why, LADDER_ENOMEM, "out of memory")
                  : 0;
        if (ret >= 0)
            ret = flush_waiting(p, r, &why);
        if (ret >= 0)
            ret = seg_writer_close(&r->w, &why);
        p->duration = fmax(p->duration, r->video_end);
    }
    for (int i = 0; ret >= 0 && i < p->n_mp4; i++)
        ret = mp4_finish(p, &p->mp4[i], &why);
    if (ret >= 0)
        ret = finish_audio_only(p, &why);
    return ret < 0 ? sink_result(p, ret, &why, err) : 0;
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

int pkg_open(pkg_packager **out, const pkg_params *params, ladder_error *err)
{
    pkg_packager *p;

    *out = NULL;
    if (params->segment_seconds <= 0)
        return ladder_error_set(err, LADDER_EINVAL, "segment length must be positive");
    if (pkg_check_captions(params->captions, params->n_captions, err) < 0)
        return err->code;
    p = av_mallocz(sizeof *p);
    if (!p)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    p->params = *params;
    for (int i = 0; i < params->n_captions; i++)
        p->captions[p->n_captions++] = params->captions[i];
    snprintf(p->out_dir, sizeof p->out_dir, "%s", params->out_dir);
    p->params.out_dir = p->out_dir;
    if (params->entry_prefix) {
        snprintf(p->entry_prefix, sizeof p->entry_prefix, "%s", params->entry_prefix);
        p->params.entry_prefix = p->entry_prefix;
        snprintf(p->entry_name, sizeof p->entry_name, "%s",
                 params->entry_name ? params->entry_name : "entry.m3u8");
        p->params.entry_name = p->entry_name;
    }
    pthread_mutex_init(&p->error_lock, NULL);
    pthread_mutex_init(&p->audio_only.lock, NULL);
    for (int i = 0; i < PROF_MAX_RUNGS; i++)
        pthread_mutex_init(&p->hls[i].lock, NULL);
    for (int i = 0; i < LADDER_MAX_STREAMS; i++)
        pthread_mutex_init(&p->audio[i].lock, NULL);
    p->sink =
        (ladder_sink){.opaque = p, .begin = sink_begin, .packet = sink_packet, .end = sink_end};
    *out = p;
    return 0;
}

const ladder_sink *pkg_get_sink(pkg_packager *p)
{
    return &p->sink;
}

void pkg_close(pkg_packager *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_hls; i++) {
        hls_rung *r = &p->hls[i];
        pkt_list_clear(&r->open);
        for (int k = 0; k < r->n_waiting; k++)
            pkt_list_clear(&r->waiting[k].video);
        av_free(r->waiting);
        seg_writer_free(&r->w);
    }
    for (int i = 0; i < p->n_mp4; i++) {
        if (p->mp4[i].oc) {
            avio_closep(&p->mp4[i].oc->pb);
            avformat_free_context(p->mp4[i].oc);
        }
    }
    for (int i = 0; i < LADDER_MAX_STREAMS; i++)
        pkt_list_clear(&p->audio[i].pkts);
    seg_writer_free(&p->audio_only.w);
    av_free(p->cuts);
    pthread_mutex_destroy(&p->error_lock);
    pthread_mutex_destroy(&p->audio_only.lock);
    for (int i = 0; i < PROF_MAX_RUNGS; i++)
        pthread_mutex_destroy(&p->hls[i].lock);
    for (int i = 0; i < LADDER_MAX_STREAMS; i++)
        pthread_mutex_destroy(&p->audio[i].lock);
    av_free(p);
}

/* ---- playlists and figures ----------------------------------------------------------------- */

void pkg_avc1_codec(const ladder_stream *st, char *out, size_t len)
{
    const uint8_t *d = st->extradata;
    snprintf(out, len, "avc1.%02x%02x%02x", st->profile_idc, 0, st->level_idc);
    for (int i = 0; i + 7 < st->extradata_size; i++)
        if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && (d[i + 3] & 0x1f) == 7) {
            snprintf(out, len, "avc1.%02x%02x%02x", d[i + 4], d[i + 5], d[i + 6]);
            return;
        }
}

static void measure(const seg_writer *w, pkg_variant_stats *v)
{
    int64_t bytes = 0;
    double dur = 0;

    v->segments = w->n_segments;
    v->peak_bps = 0;
    for (int i = 0; i < w->n_segments; i++) {
        const hls_segment *s = &w->segments[i];
        bytes += s->bytes;
        dur += s->duration;
        if (s->duration > 0 && s->bytes * 8 / s->duration > v->peak_bps)
            v->peak_bps = s->bytes * 8 / s->duration;
    }
    v->duration = dur;
    v->avg_bps = dur > 0 ? bytes * 8 / dur : 0;
}

static int target_seconds(const pkg_packager *p)
{
    return (int)lround(p->params.segment_seconds);
}

static int rung_playlists(pkg_packager *p, hls_rung *r, pkg_master_entry *e, ladder_error *err)
{
    const ladder_stream *v = &p->plan.streams[r->stream];
    char path[1300];
    int ret;

    snprintf(path, sizeof path, "%s/hls/%s/index.m3u8", p->out_dir, v->name);
    ret = write_media_playlist(path, &r->w, target_seconds(p), err);
    snprintf(path, sizeof path, "%s/hls/%s/iframes.m3u8", p->out_dir, v->name);
    if (ret >= 0)
        ret = write_iframe_playlist(path, &r->w, r->video_end, err);
    memset(e, 0, sizeof *e);
    snprintf(e->stats.name, sizeof e->stats.name, "%s", v->name);
    measure(&r->w, &e->stats);
    pkg_avc1_codec(v, e->video_codec, sizeof e->video_codec);
    snprintf(e->stats.codecs, sizeof e->stats.codecs, "%s%s", e->video_codec,
             r->audio >= 0 ? ",mp4a.40.2" : "");
    e->target_kbps = v->bitrate_kbps;
    e->width = v->width;
    e->height = v->height;
    e->fps = (double)v->fps_num / v->fps_den;
    e->cc608 = v->cc608;
    snprintf(e->uri, sizeof e->uri, "hls/%s/index.m3u8", v->name);
    snprintf(e->iframe_uri, sizeof e->iframe_uri, "hls/%s/iframes.m3u8", v->name);
    e->iframe_peak_bps = iframe_peak_bps(&r->w, r->video_end);
    return ret;
}

/* Players start on the first variant listed: the rung whose target is nearest 2 Mbit/s (a
 * mid rung), then the rest by bandwidth, then the audio-only variant. */
static void order_variants(pkg_master_entry *e, int n)
{
    int first = 0;
    for (int i = 1; i < n; i++)
        if (!e[i].stats.is_audio_only &&
            abs(e[i].target_kbps - 2000) < abs(e[first].target_kbps - 2000))
            first = i;
    pkg_master_entry t = e[0];
    e[0] = e[first];
    e[first] = t;
    for (int i = 2; i < n; i++)
        for (int j = i; j > 1 && (e[j - 1].stats.is_audio_only > e[j].stats.is_audio_only ||
                                  (e[j - 1].stats.is_audio_only == e[j].stats.is_audio_only &&
                                   e[j - 1].stats.peak_bps > e[j].stats.peak_bps));
             j--) {
            t = e[j];
            e[j] = e[j - 1];
            e[j - 1] = t;
        }
}

/* The poster comes from the largest HLS rung up to 720p, a third of the way in. */
static int make_poster(pkg_packager *p, ladder_error *err)
{
    const hls_rung *best = NULL;
    int segment;

    for (int i = 0; i < p->n_hls; i++) {
        const ladder_stream *v = &p->plan.streams[p->hls[i].stream];
        if (v->height <= 720 && v->width <= 1280 &&
            (!best || v->width * v->height > p->plan.streams[best->stream].width *
                                                 p->plan.streams[best->stream].height))
            best = &p->hls[i];
    }
    if (!best)
        best = p->n_hls > 0 ? &p->hls[0] : NULL;
    if (!best || best->w.n_segments == 0)
        return 0;
    segment = best->w.n_segments / 3;
    return write_poster(p->out_dir, p->plan.streams[best->stream].name, segment,
                        best->w.fmp4 ? "m4s" : "ts", &p->poster_width, &p->poster_height, err);
}

int pkg_finish(pkg_packager *p, ladder_error *err)
{
    pkg_master_text text = {.subs = p->captions,
                            .n_subs = p->n_captions,
                            .cc_language = p->params.cc_language,
                            .cc_name = p->params.cc_name};
    pkg_master_entry *e = av_calloc(PROF_MAX_RUNGS + 1, sizeof *e);
    char path[1100];
    int n = 0, ret = 0;

    if (!e)
        return ladder_error_set(err, LADDER_ENOMEM, "out of memory");
    for (int i = 0; ret >= 0 && i < p->n_hls; i++)
        ret = rung_playlists(p, &p->hls[i], &e[n++], err);
    if (ret >= 0 && p->audio_only.w.n_segments > 0) {
        snprintf(path, sizeof path, "%s/hls/audio/index.m3u8", p->out_dir);
        ret = write_media_playlist(path, &p->audio_only.w, target_seconds(p), err);
        snprintf(e[n].stats.name, sizeof e[n].stats.name, "audio");
        e[n].stats.is_audio_only = 1;
        measure(&p->audio_only.w, &e[n].stats);
        snprintf(e[n].stats.codecs, sizeof e[n].stats.codecs, "mp4a.40.2");
        snprintf(e[n].uri, sizeof e[n].uri, "hls/audio/index.m3u8");
        n++;
    }
    if (ret >= 0 && p->n_captions > 0)
        ret = write_caption_tracks(
            p->out_dir, p->captions, p->n_captions, p->n_hls > 0 ? p->hls[0].w.segments : NULL,
            p->n_hls > 0 ? p->hls[0].w.n_segments : 0, target_seconds(p), &p->params.logger, err);
    if (ret >= 0 && n > 0) {
        order_variants(e, n);
        snprintf(path, sizeof path, "%s/master.m3u8", p->out_dir);
        ret = write_master_playlist(path, e, n, &text, "", err);
    }
    if (ret >= 0 && n > 0 && p->params.entry_prefix) {
        snprintf(path, sizeof path, "%s/%s", p->out_dir, p->entry_name);
        ret = write_master_playlist(path, e, n, &text, p->params.entry_prefix, err);
    }
    p->n_variants = n;
    for (int i = 0; i < n; i++)
        p->variants[i] = e[i].stats;
    av_free(e);
    if (ret >= 0)
        ret = make_poster(p, err);
    return ret;
}

const pkg_variant_stats *pkg_get_variants(const pkg_packager *p, int *n)
{
    *n = p->n_variants;
    return p->variants;
}

const char *pkg_out_dir(const pkg_packager *p)
{
    return p->out_dir;
}

void pkg_poster_size(const pkg_packager *p, int *width, int *height)
{
    *width = p->poster_width;
    *height = p->poster_height;
}

double pkg_duration(const pkg_packager *p)
{
    return p->duration;
}

const ladder_captions *pkg_captions(const pkg_packager *p)
{
    return p->captions;
}

int pkg_n_captions(const pkg_packager *p)
{
    return p->n_captions;
}

int pkg_add_captions(pkg_packager *p, const ladder_captions *track, ladder_error *err)
{
    if (p->n_captions == PKG_MAX_CAPTION_TRACKS)
        return ladder_error_set(err, LADDER_EINVAL, "more than %d caption tracks",
                                PKG_MAX_CAPTION_TRACKS);
    p->captions[p->n_captions] = *track;
    if (pkg_check_captions(p->captions, p->n_captions + 1, err) < 0)
        return err->code;
    p->n_captions++;
    return 0;
}

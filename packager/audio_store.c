/* audio_store.c: packets kept until they are muxed. A pkt_list holds private copies in arrival
 * order; an audio store holds one audio stream for every variant that muxes it (HLS rungs, MP4
 * fallbacks, the audio-only variant), each reader taking packets at its own pace. The stream's
 * one sink thread appends while the readers' threads take, so all of it is under the store's
 * lock. */
#include <string.h>

#include "pkg_internal.h"

AVPacket *pkt_copy(const ladder_packet *p)
{
    AVPacket *c = av_packet_alloc();

    if (!c || av_new_packet(c, p->size) < 0) {
        av_packet_free(&c);
        return NULL;
    }
    memcpy(c->data, p->data, p->size);
    c->pts = p->pts;
    c->dts = p->dts;
    c->duration = p->duration;
    c->flags = p->keyframe ? AV_PKT_FLAG_KEY : 0;
    return c;
}

int pkt_list_add(pkt_list *l, const ladder_packet *p)
{
    AVPacket *c;

    if (pkg_grow((void **)&l->pkts, &l->cap, l->n, sizeof *l->pkts) < 0)
        return AVERROR(ENOMEM);
    c = pkt_copy(p);
    if (!c)
        return AVERROR(ENOMEM);
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

int audio_store_add(audio_store *a, const ladder_packet *pkt)
{
    int ret;

    pthread_mutex_lock(&a->lock);
    ret = pkt_list_add(&a->pkts, pkt);
    if (ret >= 0)
        a->last_pts = pkt->pts * av_q2d(a->tb);
    pthread_mutex_unlock(&a->lock);
    return ret;
}

/* Readers register in sink_begin, before any packet: no lock needed. */
int add_audio_reader(pkg_packager *p, int audio)
{
    return audio >= 0 ? p->audio[audio].n_readers++ : -1;
}

int audio_ready(pkg_packager *p, int audio, double end)
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

int take_audio(pkg_packager *p, int audio, int reader, double end, int inclusive, AVPacket ***out)
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
void free_taken(pkg_packager *p, int audio, AVPacket **pkts, int n)
{
    if (n > 0) {
        pthread_mutex_lock(&p->audio[audio].lock);
        for (int i = 0; i < n; i++)
            av_packet_free(&pkts[i]);
        pthread_mutex_unlock(&p->audio[audio].lock);
    }
    av_free(pkts);
}

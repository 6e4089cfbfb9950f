/* playlists.c: HLS text. Media playlists, I-frame playlists (byte ranges into the
 * segments) and the multivariant playlist, written whole through ladder_write_file_atomic;
 * and the figures they announce: measured bitrates and the avc1 CODECS string. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pkg_internal.h"

int pkg_save_text(ladder_text *t, const char *path, ladder_error *err)
{
    int ret = t->failed ? ladder_error_set(err, LADDER_ENOMEM, "out of memory")
                        : ladder_write_file_atomic(path, t->s, t->len, err);
    ladder_text_free(t);
    return ret;
}

/* RFC 8216 4.3.3.1: the target duration is at least every EXTINF rounded to the nearest
 * integer. Called once per EXTINF with the running value. */
static int at_least(int target, double duration)
{
    return (int)lround(duration) > target ? (int)lround(duration) : target;
}

static const char *segment_ext(const seg_writer *w)
{
    return w->fmp4 ? "m4s" : "ts";
}

/* The header lines every media and I-frame playlist shares. RFC 8216 7: EXT-X-MAP needs
 * version 6 in a media playlist (5 with I-FRAMES-ONLY); byte ranges need 4; decimal EXTINF 3. */
static void append_header(ladder_text *t, int fmp4, int iframes, int target)
{
    int version = fmp4 ? (iframes ? 5 : 6) : (iframes ? 4 : 3);

    ladder_text_printf(t, "#EXTM3U\n#EXT-X-VERSION:%d\n#EXT-X-TARGETDURATION:%d\n", version,
                       target);
    ladder_text_printf(t, "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    if (iframes)
        ladder_text_printf(t, "#EXT-X-I-FRAMES-ONLY\n");
    ladder_text_printf(t, "#EXT-X-INDEPENDENT-SEGMENTS\n");
    if (fmp4)
        ladder_text_printf(t, "#EXT-X-MAP:URI=\"init.mp4\"\n");
}

int write_segment_playlist(const char *path, const hls_segment *segs, int n, const char *ext,
                           int fmp4, int min_target, const char *tags, ladder_error *err)
{
    ladder_text t = {0};
    int target = min_target > 0 ? min_target : 1;

    for (int i = 0; i < n; i++)
        target = at_least(target, segs[i].duration);
    append_header(&t, fmp4, 0, target);
    if (tags)
        ladder_text_printf(&t, "%s", tags);
    for (int i = 0; i < n; i++)
        ladder_text_printf(&t, "#EXTINF:%.6f,\nseg%05d.%s\n", segs[i].duration, i, ext);
    ladder_text_printf(&t, "#EXT-X-ENDLIST\n");
    return pkg_save_text(&t, path, err);
}

int write_media_playlist(const char *path, const seg_writer *w, int min_target, const char *tags,
                         ladder_error *err)
{
    return write_segment_playlist(path, w->segments, w->n_segments, segment_ext(w), w->fmp4,
                                  min_target, tags, err);
}

/* Each I-frame lasts until the next one (or the end of the media). */
static double iframe_duration(const seg_writer *w, int i, double total)
{
    double next = i + 1 < w->n_iframes ? w->iframes[i + 1].start : total;
    return next - w->iframes[i].start;
}

int write_iframe_playlist(const char *path, const seg_writer *w, double total, const char *tags,
                          ladder_error *err)
{
    ladder_text t = {0};
    int target = 1;

    for (int i = 0; i < w->n_iframes; i++)
        target = at_least(target, iframe_duration(w, i, total));
    append_header(&t, w->fmp4, 1, target);
    if (tags)
        ladder_text_printf(&t, "%s", tags);
    for (int i = 0; i < w->n_iframes; i++) {
        const hls_iframe *f = &w->iframes[i];
        ladder_text_printf(&t, "#EXTINF:%.6f,\n#EXT-X-BYTERANGE:%lld@%lld\nseg%05d.%s\n",
                           iframe_duration(w, i, total), (long long)f->size, (long long)f->offset,
                           f->segment, segment_ext(w));
    }
    ladder_text_printf(&t, "#EXT-X-ENDLIST\n");
    return pkg_save_text(&t, path, err);
}

double iframe_peak_bps(const seg_writer *w, double total)
{
    double peak = 0;
    for (int i = 0; i < w->n_iframes; i++) {
        double d = iframe_duration(w, i, total);
        if (d > 0 && w->iframes[i].size * 8 / d > peak)
            peak = w->iframes[i].size * 8 / d;
    }
    return peak;
}

/* RFC 8216 4.3.4.1 and docs/captions.md: one SUBTITLES rendition per caption track, none
 * chosen by default (a viewer or the system's accessibility setting turns captions on), SDH
 * tracks marked with the accessibility characteristics. */
static void append_subtitles(ladder_text *t, const ladder_captions *subs, int n, const char *prefix)
{
    for (int i = 0; i < n; i++) {
        ladder_text_printf(t,
                           "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"%s\",LANGUAGE=\"%s\","
                           "NAME=\"%s\",DEFAULT=NO,AUTOSELECT=YES",
                           PKG_SUBTITLES_GROUP, subs[i].language, subs[i].name);
        if (subs[i].sdh)
            ladder_text_printf(t, ",CHARACTERISTICS=\"%s\"", PKG_SDH_CHARACTERISTICS);
        ladder_text_printf(t, ",URI=\"%s" PKG_SUBTITLES_DIR "/%s/index.m3u8\"\n", prefix,
                           subs[i].language);
    }
}

/* RFC 8216 4.3.4.2: a variant whose video carries CEA-608 names the CLOSED-CAPTIONS group;
 * when none does, every variant says NONE (else Safari offers an empty captions menu); when
 * some do, the others (the audio-only variant at least) say nothing, since NONE must then be
 * on none (docs/captions.md). */
static void append_closed_captions(ladder_text *t, const pkg_master_entry *e, int any_cc)
{
    if (e->cc608)
        ladder_text_printf(t, ",CLOSED-CAPTIONS=\"%s\"", PKG_CC_GROUP);
    else if (!any_cc)
        ladder_text_printf(t, ",CLOSED-CAPTIONS=NONE");
}

/* RFC 8216 4.3.4.1: each audio track is the one rendition of its group, so the group's
 * DEFAULT is that track; CHANNELS is required of audio renditions by Apple's authoring rules
 * (docs/hls-rules.md). */
static void append_audio_group(ladder_text *t, const pkg_audio_group *g, const char *prefix)
{
    ladder_text_printf(t,
                       "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"%s\",NAME=\"%s\",DEFAULT=YES,"
                       "AUTOSELECT=YES,CHANNELS=\"%d\",URI=\"%s%s\"\n",
                       g->group, g->name, g->channels, prefix, g->uri);
}

int write_master_playlist(const char *path, const pkg_master_entry *v, int n,
                          const pkg_master_text *text, const char *prefix, ladder_error *err)
{
    ladder_text t = {0};
    int any_cc = 0, n_subs = text ? text->n_subs : 0;

    for (int i = 0; i < n; i++)
        any_cc |= v[i].cc608;
    ladder_text_printf(&t, "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    if (n_subs > 0)
        append_subtitles(&t, text->subs, n_subs, prefix);
    for (int i = 0; text && i < text->n_audio; i++)
        append_audio_group(&t, &text->audio[i], prefix);
    if (any_cc)
        ladder_text_printf(&t,
                           "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"%s\",LANGUAGE=\"%s\","
                           "NAME=\"%s\",DEFAULT=NO,AUTOSELECT=YES,INSTREAM-ID=\"CC1\","
                           "CHARACTERISTICS=\"%s\"\n",
                           PKG_CC_GROUP, text && text->cc_language ? text->cc_language : "en",
                           text && text->cc_name ? text->cc_name : "CC1", PKG_SDH_CHARACTERISTICS);
    for (int i = 0; i < n; i++) {
        const pkg_master_entry *e = &v[i];
        ladder_text_printf(
            &t, "#EXT-X-STREAM-INF:BANDWIDTH=%lld,AVERAGE-BANDWIDTH=%lld,CODECS=\"%s\"",
            (long long)ceil(e->stats.peak_bps), (long long)ceil(e->stats.avg_bps), e->stats.codecs);
        if (!e->stats.is_audio_only)
            ladder_text_printf(&t, ",RESOLUTION=%dx%d,FRAME-RATE=%.3f", e->width, e->height,
                               e->fps);
        if (e->audio_group[0])
            ladder_text_printf(&t, ",AUDIO=\"%s\"", e->audio_group);
        if (n_subs > 0)
            ladder_text_printf(&t, ",SUBTITLES=\"%s\"", PKG_SUBTITLES_GROUP);
        append_closed_captions(&t, e, any_cc);
        ladder_text_printf(&t, "\n%s%s\n", prefix, e->uri);
    }
    for (int i = 0; i < n; i++) {
        const pkg_master_entry *e = &v[i];
        if (e->stats.is_audio_only)
            continue;
        ladder_text_printf(
            &t,
            "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=%lld,CODECS=\"%s\",RESOLUTION=%dx%d,"
            "URI=\"%s%s\"\n",
            (long long)ceil(e->iframe_peak_bps), e->video_codec, e->width, e->height, prefix,
            e->iframe_uri);
    }
    thumbs_master_lines(&t, text ? text->thumbs : NULL, text ? text->n_thumbs : 0, prefix);
    return pkg_save_text(&t, path, err);
}

void measure_variant(const seg_writer *w, pkg_variant_stats *v)
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

void measure_with_audio(const seg_writer *video, const seg_writer *audio, pkg_variant_stats *v)
{
    int64_t bytes = 0;

    measure_variant(video, v);
    if (audio->n_segments != video->n_segments) { /* never, as both are cut at the same IDRs */
        pkg_variant_stats a;
        measure_variant(audio, &a);
        v->avg_bps += a.avg_bps;
        v->peak_bps += a.peak_bps;
        return;
    }
    v->peak_bps = 0;
    for (int i = 0; i < video->n_segments; i++) {
        const hls_segment *s = &video->segments[i];
        int64_t both = s->bytes + audio->segments[i].bytes;
        bytes += both;
        if (s->duration > 0 && both * 8 / s->duration > v->peak_bps)
            v->peak_bps = both * 8 / s->duration;
    }
    v->avg_bps = v->duration > 0 ? bytes * 8 / v->duration : 0;
}

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

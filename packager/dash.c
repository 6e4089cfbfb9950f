/* dash.c: manifest.mpd, a static MPEG-DASH presentation (ISO/IEC 23009-1, the isoff-live
 * profile) over the very fMP4 files the HLS playlists name, so a show is stored once for both
 * (docs/dash.md):
 *
 * - one video AdaptationSet, every HLS rung a Representation, with @bandwidth its measured
 *   peak (the video alone, as its audio is an AdaptationSet of its own);
 * - one audio AdaptationSet, each AAC bitrate a Representation: they are the same sound at
 *   two rates, which a player should switch between like the video (DASH-IF IOP 3.2.13);
 * - a text AdaptationSet per caption track, over the sidecar WebVTT file;
 * - an image AdaptationSet per thumbnail size, over the sprite sheets (thumbnails.c).
 *
 * Every Representation has its own SegmentTemplate and SegmentTimeline, made from the times
 * each segment was written with, in its track's timescale: segments are cut at the aligned
 * IDRs, so their lengths vary around ad breaks and at the end, and audio frames never fall
 * exactly on the video's cuts. presentationTimeOffset takes off the fixed offset every
 * packet carries (PKG_TS_OFFSET_SECONDS), so the Period starts at the first picture. */
#include <math.h>

#include "pkg_internal.h"

#define DASH_ROLE     "urn:mpeg:dash:role:2011"
#define DASH_CEA608   "urn:scte:dash:cc:cea-608:2015"
#define DASH_CHANNELS "urn:mpeg:dash:23003:3:audio_channel_configuration:2011"

/* An xs:duration in seconds, to the millisecond. */
static void append_duration(ladder_text *t, const char *attr, double seconds)
{
    ladder_text_printf(t, " %s=\"PT%.3fS\"", attr, seconds);
}

/* Segment i's length: to the next one's start, and for the last, to the end of its samples. */
static int64_t segment_length(const seg_writer *w, int i)
{
    const hls_segment *s = &w->segments[i];
    return (i + 1 < w->n_segments ? w->segments[i + 1].t0 : s->t1) - s->t0;
}

/* The S elements: @t where a segment does not start where the one before ended, @r for runs
 * of equal lengths. */
static void append_timeline(ladder_text *t, const seg_writer *w)
{
    int64_t expected = INT64_MIN;

    ladder_text_printf(t, "<SegmentTimeline>");
    for (int i = 0; i < w->n_segments;) {
        int64_t start = w->segments[i].t0, d = segment_length(w, i);
        int r = 0;
        while (i + r + 1 < w->n_segments && segment_length(w, i + r + 1) == d &&
               w->segments[i + r + 1].t0 == start + d * (r + 1))
            r++;
        ladder_text_printf(t, "<S");
        if (start != expected)
            ladder_text_printf(t, " t=\"%lld\"", (long long)start);
        ladder_text_printf(t, " d=\"%lld\"", (long long)d);
        if (r > 0)
            ladder_text_printf(t, " r=\"%d\"", r);
        ladder_text_printf(t, "/>");
        expected = start + d * (r + 1);
        i += r + 1;
    }
    ladder_text_printf(t, "</SegmentTimeline>");
}

static void append_template(ladder_text *t, const seg_writer *w)
{
    ladder_text_printf(
        t,
        "\n        <SegmentTemplate timescale=\"%d\" presentationTimeOffset=\"%lld\" "
        "startNumber=\"0\" initialization=\"hls/$RepresentationID$/init.mp4\" "
        "media=\"hls/$RepresentationID$/seg$Number%%05d$.m4s\">",
        w->timescale, (long long)PKG_TS_OFFSET_SECONDS * w->timescale);
    append_timeline(t, w);
    ladder_text_printf(t, "</SegmentTemplate>");
}

static long long peak_bandwidth(const seg_writer *w)
{
    pkg_variant_stats v;

    measure_variant(w, &v);
    return (long long)ceil(v.peak_bps);
}

static void append_video(ladder_text *t, const pkg_packager *p)
{
    int any_cc = 0, max_w = 0, max_h = 0;

    for (int i = 0; i < p->n_hls; i++) {
        const ladder_stream *v = &p->plan.streams[p->hls[i].stream];
        any_cc |= v->cc608;
        max_w = v->width > max_w ? v->width : max_w;
        max_h = v->height > max_h ? v->height : max_h;
    }
    ladder_text_printf(t,
                       "    <AdaptationSet id=\"0\" contentType=\"video\" mimeType=\"video/mp4\" "
                       "segmentAlignment=\"true\" startWithSAP=\"1\" maxWidth=\"%d\" "
                       "maxHeight=\"%d\">\n",
                       max_w, max_h);
    if (any_cc) /* SCTE 214-1 6.7.2: the 608 channel and its language */
        ladder_text_printf(
            t, "      <Accessibility schemeIdUri=\"" DASH_CEA608 "\" value=\"CC1=%s\"/>\n",
            p->params.cc_language ? p->params.cc_language : "en");
    ladder_text_printf(t, "      <Role schemeIdUri=\"" DASH_ROLE "\" value=\"main\"/>\n");
    for (int i = 0; i < p->n_hls; i++) {
        const ladder_stream *v = &p->plan.streams[p->hls[i].stream];
        char codec[32];
        pkg_avc1_codec(v, codec, sizeof codec);
        ladder_text_printf(t,
                           "      <Representation id=\"%s\" bandwidth=\"%lld\" codecs=\"%s\" "
                           "width=\"%d\" height=\"%d\" frameRate=\"%d/%d\" sar=\"1:1\">",
                           v->name, peak_bandwidth(&p->hls[i].w), codec, v->width, v->height,
                           v->fps_num, v->fps_den);
        append_template(t, &p->hls[i].w);
        ladder_text_printf(t, "\n      </Representation>\n");
    }
    ladder_text_printf(t, "    </AdaptationSet>\n");
}

static void append_audio(ladder_text *t, const pkg_packager *p)
{
    int channels = p->plan.streams[p->audio_tracks[0].audio].channels;

    /* the source's audio language is not known: "und" (RFC 5646) */
    ladder_text_printf(t,
                       "    <AdaptationSet id=\"1\" contentType=\"audio\" mimeType=\"audio/mp4\" "
                       "lang=\"und\" segmentAlignment=\"true\" startWithSAP=\"1\">\n"
                       "      <Role schemeIdUri=\"" DASH_ROLE "\" value=\"main\"/>\n"
                       "      <AudioChannelConfiguration schemeIdUri=\"" DASH_CHANNELS
                       "\" value=\"%d\"/>\n",
                       channels);
    for (int i = 0; i < p->n_audio_tracks; i++) {
        const audio_track *a = &p->audio_tracks[i];
        if (a->w.n_segments == 0)
            continue;
        ladder_text_printf(
            t,
            "      <Representation id=\"%s\" bandwidth=\"%lld\" codecs=\"mp4a.40.2\" "
            "audioSamplingRate=\"%d\">",
            a->name, peak_bandwidth(&a->w), p->plan.streams[a->audio].sample_rate);
        append_template(t, &a->w);
        ladder_text_printf(t, "\n      </Representation>\n");
    }
    ladder_text_printf(t, "    </AdaptationSet>\n");
}

/* The sidecar file (captions.c) holds the whole track, times from the show's start. */
static void append_text(ladder_text *t, const pkg_packager *p)
{
    for (int i = 0; i < p->n_captions; i++) {
        const ladder_captions *c = &p->captions[i];
        ladder_text_printf(
            t,
            "    <AdaptationSet id=\"%d\" contentType=\"text\" mimeType=\"text/vtt\" "
            "lang=\"%s\">\n"
            "      <Role schemeIdUri=\"" DASH_ROLE "\" value=\"%s\"/>\n"
            "      <Representation id=\"text-%s\" bandwidth=\"256\">"
            "<BaseURL>" PKG_SUBTITLES_DIR "/%s.vtt</BaseURL></Representation>\n"
            "    </AdaptationSet>\n",
            2 + i, c->language, c->sdh ? "caption" : "subtitle", c->language, c->language);
    }
}

/* DASH-IF IOP 6.2.6 thumbnails: a sheet is a segment of interval x tiles seconds, the
 * Representation's size the whole sheet's, its grid in the thumbnail_tile property. */
static void append_thumbnails(ladder_text *t, const pkg_packager *p)
{
    int n;
    const pkg_thumbs *th = pkg_thumbnails(p, &n);

    for (int i = 0; i < n; i++)
        ladder_text_printf(t,
                           "    <AdaptationSet id=\"%d\" contentType=\"image\" "
                           "mimeType=\"image/jpeg\">\n"
                           "      <SegmentTemplate media=\"%s/sheet$Number%%05d$.jpg\" "
                           "timescale=\"1000\" duration=\"%lld\" startNumber=\"0\"/>\n"
                           "      <Representation id=\"thumbnails-%d\" bandwidth=\"%lld\" "
                           "width=\"%d\" height=\"%d\">\n"
                           "        <EssentialProperty schemeIdUri=\"http://dashif.org/"
                           "thumbnail_tile\" value=\"%dx%d\"/>\n"
                           "      </Representation>\n    </AdaptationSet>\n",
                           2 + p->n_captions + i, th[i].dir,
                           llround(th[i].interval * th[i].columns * th[i].rows * 1000), th[i].width,
                           (long long)ceil(th[i].peak_bps), th[i].sheet_width, th[i].sheet_height,
                           th[i].columns, th[i].rows);
}

int write_dash_manifest(pkg_packager *p, ladder_error *err)
{
    ladder_text t = {0};
    char path[1100];

    ladder_text_printf(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" "
                           "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" type=\"static\"");
    append_duration(&t, "mediaPresentationDuration", p->duration);
    append_duration(&t, "minBufferTime", p->params.segment_seconds);
    ladder_text_printf(&t, ">\n  <Period id=\"0\" start=\"PT0S\">\n");
    append_video(&t, p);
    if (p->n_audio_tracks > 0)
        append_audio(&t, p);
    append_text(&t, p);
    append_thumbnails(&t, p);
    ladder_text_printf(&t, "  </Period>\n</MPD>\n");
    snprintf(path, sizeof path, "%s/" PKG_DASH_MANIFEST, p->out_dir);
    return pkg_save_text(&t, path, err);
}

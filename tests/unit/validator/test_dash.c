/* test_dash.c: the DASH rules (validator/rules_dash.c, validator/mpd.c, docs/dash-rules.md) on
 * crafted shows: an MPD written as text, fMP4 init and media segments built box by box
 * (ISO/IEC 14496-12: moov/trak/tkhd, mdhd, hdlr, mvex/trex; moof/traf/tfhd, tfdt, trun; mdat)
 * and HLS playlists to compare with. Each rule fires on a crafted bad case and is silent on
 * the good show. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "val_test.h"

#define UNIT_SETUP    fx_tmp_setup
#define UNIT_TEARDOWN fx_tmp_teardown

/* ---- fMP4 boxes ---------------------------------------------------------------------------- */

typedef struct buf {
    uint8_t d[4096];
    size_t n;
} buf;

static void u32(buf *b, uint32_t v)
{
    assert_true(b->n + 4 <= sizeof b->d);
    b->d[b->n++] = v >> 24;
    b->d[b->n++] = v >> 16;
    b->d[b->n++] = v >> 8;
    b->d[b->n++] = v;
}

/* Starts a box; end it with box_end(b, start). */
static size_t box(buf *b, const char *type)
{
    size_t start = b->n;
    u32(b, 0);
    memcpy(b->d + b->n, type, 4);
    b->n += 4;
    return start;
}

static void box_end(buf *b, size_t start)
{
    uint32_t size = (uint32_t)(b->n - start);
    b->d[start] = size >> 24;
    b->d[start + 1] = size >> 16;
    b->d[start + 2] = size >> 8;
    b->d[start + 3] = size;
}

static void save(const tmp_show *t, const char *name, const buf *b)
{
    FILE *f = fopen(fx_join(t->dir, name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->d, 1, b->n, f), b->n);
    fclose(f);
}

/* init.mp4 of one track: track 1, the timescale, the handler ("vide", "soun"). */
static void write_init(const tmp_show *t, const char *name, uint32_t timescale, const char *handler)
{
    buf b = {.n = 0};
    size_t moov = box(&b, "moov"), trak = box(&b, "trak"), x = box(&b, "tkhd");
    u32(&b, 0), u32(&b, 0), u32(&b, 0), u32(&b, 1), u32(&b, 0), u32(&b, 0);
    box_end(&b, x);
    size_t mdia = box(&b, "mdia");
    x = box(&b, "mdhd");
    u32(&b, 0), u32(&b, 0), u32(&b, 0), u32(&b, timescale), u32(&b, 0), u32(&b, 0);
    box_end(&b, x);
    x = box(&b, "hdlr");
    u32(&b, 0), u32(&b, 0);
    memcpy(b.d + b.n, handler, 4);
    b.n += 4;
    u32(&b, 0), u32(&b, 0), u32(&b, 0), u32(&b, 0);
    box_end(&b, x);
    box_end(&b, mdia);
    box_end(&b, trak);
    size_t mvex = box(&b, "mvex");
    x = box(&b, "trex"); /* defaults: sample duration 0, flags: sync */
    u32(&b, 0), u32(&b, 1), u32(&b, 1), u32(&b, 0), u32(&b, 0), u32(&b, 0);
    box_end(&b, x);
    box_end(&b, mvex);
    box_end(&b, moov);
    save(t, name, &b);
}

#define NON_SYNC 0x00010000u

/* A segment of one fragment: `samples` samples of `dur` ticks from tfdt, the first one's flags
 * first_flags, the first one's composition offset cto0 (the others' 0). */
static void write_segment(const tmp_show *t, const char *name, uint64_t tfdt, int samples,
                          uint32_t dur, uint32_t first_flags, int32_t cto0)
{
    buf b = {.n = 0};
    size_t moof = box(&b, "moof"), traf = box(&b, "traf"), x = box(&b, "tfhd");
    u32(&b, 0x020000 | 0x8), u32(&b, 1), u32(&b, dur); /* default-base-is-moof, duration */
    box_end(&b, x);
    x = box(&b, "tfdt");
    u32(&b, 0x01000000), u32(&b, (uint32_t)(tfdt >> 32)), u32(&b, (uint32_t)tfdt);
    box_end(&b, x);
    x = box(&b, "trun"); /* version 1; data offset, first sample flags, sizes, offsets */
    u32(&b, 0x01000000 | 0x1 | 0x4 | 0x200 | 0x800), u32(&b, samples), u32(&b, 0),
        u32(&b, first_flags);
    for (int i = 0; i < samples; i++)
        u32(&b, 100), u32(&b, i == 0 ? (uint32_t)cto0 : 0);
    box_end(&b, x);
    box_end(&b, traf);
    box_end(&b, moof);
    x = box(&b, "mdat");
    for (int i = 0; i < samples * 25; i++)
        u32(&b, 0);
    box_end(&b, x);
    save(t, name, &b);
}

/* ---- a crafted show: one video rung "v" (90 kHz, 30 fps), one audio "audio" (48 kHz AAC),
 * two segments each: video 6 frames (0.2 s) a segment from 10 s; audio 10 AAC frames
 * (0.21333 s); English WebVTT. ------------------------------------------------------------- */

#define V0 900000u /* 10 s at 90 kHz */
#define A0 480000u /* 10 s at 48 kHz */

static const char good_mpd[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" "
    "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" type=\"static\" "
    "mediaPresentationDuration=\"PT0.4S\" minBufferTime=\"PT2S\">\n"
    " <Period id=\"0\">\n"
    "  <AdaptationSet contentType=\"video\" mimeType=\"video/mp4\" segmentAlignment=\"true\" "
    "startWithSAP=\"1\">\n"
    "   <Representation id=\"v\" bandwidth=\"VBW\" codecs=\"avc1.42c01e\" width=\"640\" "
    "height=\"360\" frameRate=\"30\" sar=\"1:1\">\n"
    "    <SegmentTemplate timescale=\"90000\" presentationTimeOffset=\"900000\" "
    "initialization=\"hls/$RepresentationID$/init.mp4\" "
    "media=\"hls/$RepresentationID$/seg$Number%05d$.m4s\" startNumber=\"0\">\n"
    "     <SegmentTimeline><S t=\"900000\" d=\"18000\" r=\"1\"/></SegmentTimeline>\n"
    "    </SegmentTemplate>\n"
    "   </Representation>\n"
    "  </AdaptationSet>\n"
    "  <AdaptationSet contentType=\"audio\" mimeType=\"audio/mp4\" lang=\"en\">\n"
    "   <Representation id=\"audio\" bandwidth=\"ABW\" codecs=\"mp4a.40.2\" "
    "audioSamplingRate=\"48000\">\n"
    "    <SegmentTemplate timescale=\"48000\" presentationTimeOffset=\"480000\" "
    "initialization=\"hls/$RepresentationID$/init.mp4\" "
    "media=\"hls/$RepresentationID$/seg$Number%05d$.m4s\" startNumber=\"0\">\n"
    "     <SegmentTimeline><S t=\"480000\" d=\"10240\"/><S d=\"10240\"/></SegmentTimeline>\n"
    "    </SegmentTemplate>\n"
    "   </Representation>\n"
    "  </AdaptationSet>\n"
    "  <AdaptationSet contentType=\"text\" mimeType=\"text/vtt\" lang=\"en\">\n"
    "   <Representation id=\"sub-en\" bandwidth=\"256\"><BaseURL>subtitles/en.vtt</BaseURL>"
    "</Representation>\n"
    "  </AdaptationSet>\n"
    " </Period>\n"
    "</MPD>\n";

#define PLAYLIST(d0, d1)                                                                           \
    "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n#EXT-X-PLAYLIST-TYPE:VOD\n"               \
    "#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:" d0 ",\nseg00000.m4s\n#EXTINF:" d1 ",\nseg00001.m4s\n"  \
    "#EXT-X-ENDLIST\n"

/* The peak bit rate of a folder's two segments of `seconds` each. */
static long long peak_of(const tmp_show *t, const char *a, const char *b, double seconds)
{
    struct stat sa, sb;
    assert_int_equal(stat(fx_join(t->dir, a), &sa), 0);
    assert_int_equal(stat(fx_join(t->dir, b), &sb), 0);
    return (long long)ceil((sa.st_size > sb.st_size ? sa.st_size : sb.st_size) * 8 / seconds);
}

/* Replaces the first `from` in text (in place, room for len) by `to`. */
static void replace(char *text, size_t len, const char *from, const char *to)
{
    char *p = strstr(text, from);
    assert_non_null(p);
    size_t a = strlen(from), b = strlen(to), rest = strlen(p + a);
    assert_true(strlen(text) - a + b < len);
    memmove(p + b, p + a, rest + 1);
    memcpy(p, to, b);
}

/* Writes the MPD: good_mpd with the measured @bandwidths, then edit(from -> to) if given. */
static void write_mpd(const tmp_show *t, const char *from, const char *to)
{
    char text[8192], n[32];

    snprintf(text, sizeof text, "%s", good_mpd);
    snprintf(n, sizeof n, "%lld",
             peak_of(t, "hls/v/seg00000.m4s", "hls/v/seg00001.m4s", 18000 / 90000.0));
    replace(text, sizeof text, "VBW", n);
    snprintf(n, sizeof n, "%lld",
             peak_of(t, "hls/audio/seg00000.m4s", "hls/audio/seg00001.m4s", 10240 / 48000.0));
    replace(text, sizeof text, "ABW", n);
    if (from)
        replace(text, sizeof text, from, to);
    put(t, "manifest.mpd", text);
}

static void make_show(const tmp_show *t)
{
    const char *dirs[] = {"hls", "hls/v", "hls/audio", "subtitles"};

    for (int i = 0; i < COUNT(dirs); i++) /* made again by a test that starts over */
        if (mkdir(fx_join(t->dir, dirs[i]), 0755) != 0 && errno != EEXIST)
            fail_msg("cannot make %s", dirs[i]);
    unlink(fx_join(t->dir, "hls/v/seg00002.m4s"));
    put(t, "show.json",
        "{\"format\": 1, \"id\": \"d\", \"container\": \"fmp4\", "
        "\"dash\": {\"path\": \"manifest.mpd\"}, \"files\": []}\n");
    write_init(t, "hls/v/init.mp4", 90000, "vide");
    write_segment(t, "hls/v/seg00000.m4s", V0, 6, 3000, 0x02000000, 0);
    write_segment(t, "hls/v/seg00001.m4s", V0 + 18000, 6, 3000, 0x02000000, 0);
    put(t, "hls/v/index.m3u8", PLAYLIST("0.200000", "0.200000"));
    write_init(t, "hls/audio/init.mp4", 48000, "soun");
    write_segment(t, "hls/audio/seg00000.m4s", A0, 10, 1024, 0x02000000, 0);
    write_segment(t, "hls/audio/seg00001.m4s", A0 + 10240, 10, 1024, 0x02000000, 0);
    put(t, "hls/audio/index.m3u8", PLAYLIST("0.213333", "0.213333"));
    put(t, "subtitles/en.vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello\n");
    write_mpd(t, NULL, NULL);
}

static void print_failures(const val_report *r)
{
    for (int i = 0; i < r->n_failures; i++)
        print_message("  %s: %s: %s\n", r->failures[i].file, r->failures[i].rule,
                      r->failures[i].message);
}

static val_report *check(const tmp_show *t)
{
    val_report *r = new_report();
    val_check_dash(r, t->dir);
    return r;
}

/* rule fails on file, and no rule but rule and also (may be NULL) does. */
static void expect_also(const tmp_show *t, const char *rule, const char *file, const char *also)
{
    val_report *r = check(t);
    int on_file = 0, others = 0;

    for (int i = 0; i < r->n_failures; i++) {
        const val_failure *f = &r->failures[i];
        int mine = strcmp(f->rule, rule) == 0;
        on_file |= mine && strcmp(f->file, file) == 0;
        others += !mine && !(also && strcmp(f->rule, also) == 0);
    }
    if (!on_file || others) {
        print_failures(r);
        free(r);
        fail_msg("expected %s on %s and no other rule", rule, file);
    }
    free(r);
}

static void expect(const tmp_show *t, const char *rule, const char *file)
{
    expect_also(t, rule, file, NULL);
}

static void expect_none(const tmp_show *t)
{
    val_report *r = check(t);
    print_failures(r);
    assert_int_equal(r->n_failures, 0);
    free(r);
}

/* The good show with the MPD edited once: rule must fire. */
static void expect_edit(const tmp_show *t, const char *from, const char *to, const char *rule)
{
    make_show(t);
    write_mpd(t, from, to);
    expect(t, rule, "manifest.mpd");
}

/* ---- the readers --------------------------------------------------------------------------- */

static void test_xs_duration(void **state)
{
    (void)state;
    double s = 0;

    assert_true(val_parse_xs_duration("PT12.5S", &s) && fabs(s - 12.5) < 1e-9);
    assert_true(val_parse_xs_duration("PT1H2M3S", &s) && fabs(s - 3723) < 1e-9);
    assert_true(val_parse_xs_duration("P1DT0.5S", &s) && fabs(s - 86400.5) < 1e-9);
    assert_true(val_parse_xs_duration("PT0S", &s) && s == 0);
    const char *bad[] = {"",       "12",  "P",   "PT",    "PT5", "PT1S2M", "-PT1S",
                         "PT1.5M", "PTS", "P1S", "PT1S ", "T1S", "PT1,5S"};
    for (int i = 0; i < COUNT(bad); i++)
        if (val_parse_xs_duration(bad[i], &s))
            fail_msg("\"%s\" read as an xs:duration", bad[i]);
}

static void test_template_urls(void **state)
{
    (void)state;
    val_mpd_rep x = {.id = "hls-360p-900", .bandwidth = 900000};
    char out[128];

    assert_true(
        val_mpd_url("hls/$RepresentationID$/seg$Number%05d$.m4s", &x, 7, 0, out, sizeof out));
    assert_string_equal(out, "hls/hls-360p-900/seg00007.m4s");
    assert_true(val_mpd_url("$Bandwidth$/$Time$-$Number$$$.m4s", &x, 12, 90000, out, sizeof out));
    assert_string_equal(out, "900000/90000-12$.m4s");
    assert_false(val_mpd_url("seg$Number%5d$.m4s", &x, 1, 0, out, sizeof out));
    assert_false(val_mpd_url("seg$Nummer$.m4s", &x, 1, 0, out, sizeof out));
    assert_false(val_mpd_url("seg$Number.m4s", &x, 1, 0, out, sizeof out));
    assert_false(val_mpd_url("hls/$RepresentationID$/x", &x, 1, 0, out, 8));
}

/* Inheritance: a Representation takes its AdaptationSet's common attributes and template. */
static void test_inheritance(void **state)
{
    (void)state;
    static const char text[] =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
        "profiles=\"urn:mpeg:dash:profile:isoff-on-demand:2011\" "
        "mediaPresentationDuration=\"PT4S\" minBufferTime=\"PT1S\"><Period>"
        "<AdaptationSet mimeType=\"video/mp4\" frameRate=\"30000/1001\" sar=\"1:1\">"
        "<SegmentTemplate timescale=\"1000\" duration=\"2000\" media=\"$Number$.m4s\" "
        "initialization=\"i.mp4\"/>"
        "<Representation id=\"a\" bandwidth=\"1\" width=\"2\" height=\"3\" codecs=\"avc1\">"
        "<SegmentTemplate startNumber=\"5\"/></Representation></AdaptationSet></Period></MPD>";
    val_mpd *m = calloc(1, sizeof *m);
    val_report *r = new_report();

    assert_non_null(m);
    assert_int_equal(val_read_mpd(r, "x.mpd", text, strlen(text), m), 1);
    print_failures(r);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(m->n_sets, 1);
    const val_mpd_rep *x = &m->sets[0].reps[0];
    assert_string_equal(x->mime, "video/mp4");
    assert_string_equal(x->frame_rate, "30000/1001");
    assert_int_equal(x->tpl.timescale, 1000);
    assert_int_equal(x->tpl.duration, 2000);
    assert_int_equal(x->tpl.start_number, 5);
    assert_int_equal(x->tpl.n_s, -1);
    assert_true(fabs(m->duration - 4) < 1e-9);
    val_mpd_free(m);
    free(m);
    free(r);
}

/* ---- the rules ----------------------------------------------------------------------------- */

static void test_good_show(void **state)
{
    make_show(*state);
    val_report *r = check(*state);
    print_failures(r);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(r->n_notes, 0);
    assert_true(r->checks >= 20);
    free(r);
}

static void test_manifest_present(void **state)
{
    tmp_show *t = *state;

    make_show(t);
    unlink(fx_join(t->dir, "manifest.mpd"));
    expect(t, "dash-manifest-present", "manifest.mpd");
    /* without show.json's container, the .m4s segments say it is fMP4 */
    put(t, "show.json", "{\"format\": 1, \"files\": []}\n");
    expect(t, "dash-manifest-present", "manifest.mpd");
    /* a TS show: no failure, a note */
    put(t, "show.json", "{\"format\": 1, \"container\": \"ts\", \"files\": []}\n");
    val_report *r = check(t);
    assert_int_equal(r->n_failures, 0);
    assert_int_equal(r->n_notes, 1);
    assert_non_null(strstr(r->notes[0], "MPEG-TS"));
    free(r);
}

static void test_mpd_parses(void **state)
{
    tmp_show *t = *state;

    expect_edit(t, "</Period>", "</Perio>", "dash-mpd-parses");
    expect_edit(t, "urn:mpeg:dash:schema:mpd:2011", "urn:mpeg:dash:schema:mpd:2010",
                "dash-mpd-parses");
    expect_edit(t, "type=\"static\"", "type=\"dynamic\"", "dash-mpd-parses");
    expect_edit(t, "isoff-live:2011", "isoff-main:2011", "dash-mpd-parses");
    expect_edit(t, "mediaPresentationDuration=\"PT0.4S\"", "mediaPresentationDuration=\"0.4\"",
                "dash-mpd-parses");
    expect_edit(t, "minBufferTime=\"PT2S\"", "minBufferTime=\"PT2\"", "dash-mpd-parses");
    expect_edit(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                "<?xml version=\"1.0\"?>\n<!DOCTYPE MPD [<!ENTITY x \"y\">]>\n", "dash-mpd-parses");
}

static void test_structure(void **state)
{
    tmp_show *t = *state;

    expect_edit(t, "id=\"sub-en\"", "id=\"v\"", "dash-structure"); /* twice the same id */
    expect_edit(t, "id=\"sub-en\"", "id=\"sub en\"", "dash-structure");
    expect_edit(t, "id=\"sub-en\" bandwidth=\"256\"", "id=\"sub-en\" bandwidth=\"0\"",
                "dash-structure");
    expect_edit(t, " sar=\"1:1\"", "", "dash-structure");
    expect_edit(t, " frameRate=\"30\"", " frameRate=\"fast\"", "dash-structure");
    expect_edit(t, " codecs=\"avc1.42c01e\"", "", "dash-structure");
    expect_edit(t, "<AdaptationSet contentType=\"text\" mimeType=\"text/vtt\"", "<AdaptationSet",
                "dash-structure");
    expect_edit(t, "<S t=\"900000\" d=\"18000\" r=\"1\"/>", "", "dash-structure");
    expect_edit(t, "timescale=\"48000\" ", "", "dash-structure");
    expect_edit(t, "<BaseURL>subtitles/en.vtt</BaseURL>", "", "dash-structure");
    /* no Period */
    make_show(t);
    put(t, "manifest.mpd",
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
        "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" mediaPresentationDuration=\"PT1S\" "
        "minBufferTime=\"PT1S\"/>");
    expect(t, "dash-structure", "manifest.mpd");
}

static void test_segments(void **state)
{
    tmp_show *t = *state;

    make_show(t); /* a segment missing: reported on it, and the folder count is off */
    unlink(fx_join(t->dir, "hls/v/seg00001.m4s"));
    expect(t, "dash-segments", "hls/v/seg00001.m4s");
    make_show(t); /* a segment left over */
    write_segment(t, "hls/v/seg00002.m4s", V0 + 36000, 6, 3000, 0x02000000, 0);
    expect(t, "dash-segments", "manifest.mpd");
    make_show(t); /* the init segment missing */
    unlink(fx_join(t->dir, "hls/audio/init.mp4"));
    expect(t, "dash-segments", "hls/audio/init.mp4");
    /* S@d one tick off: still within a tick; two ticks off: not (video) */
    make_show(t);
    write_mpd(t, "d=\"18000\"", "d=\"18001\"");
    expect_none(t);
    write_mpd(t, "<S t=\"900000\" d=\"18000\" r=\"1\"/>",
              "<S t=\"900000\" d=\"18002\"/><S t=\"918000\" d=\"18000\"/>");
    expect(t, "dash-segments", "hls/v/seg00000.m4s");
    make_show(t); /* S@t off by a frame */
    write_mpd(t, "<S t=\"900000\" d=\"18000\" r=\"1\"/>",
              "<S t=\"897000\" d=\"18000\"/><S t=\"918000\" d=\"18000\"/>");
    expect(t, "dash-segments", "hls/v/seg00000.m4s");
    /* audio: within one AAC frame passes; two frames off fails */
    make_show(t);
    write_mpd(t, "<S t=\"480000\" d=\"10240\"/><S d=\"10240\"/>",
              "<S t=\"480100\" d=\"10140\"/><S d=\"10240\"/>");
    expect_none(t);
    write_mpd(t, "<S t=\"480000\" d=\"10240\"/><S d=\"10240\"/>",
              "<S t=\"480000\" d=\"8192\"/><S t=\"490240\" d=\"10240\"/>");
    /* the shorter segment's bit rate is over @bandwidth too */
    expect_also(t, "dash-segments", "hls/audio/seg00000.m4s", "dash-bandwidth");
    /* the first sample not a sync sample; or presented after the one that follows it */
    make_show(t);
    write_segment(t, "hls/v/seg00001.m4s", V0 + 18000, 6, 3000, NON_SYNC, 0);
    expect(t, "dash-segments", "hls/v/seg00001.m4s");
    make_show(t);
    write_segment(t, "hls/v/seg00001.m4s", V0 + 18000 - 6000, 6, 3000, 0x02000000, 6000);
    expect(t, "dash-segments", "hls/v/seg00001.m4s");
    /* not a fragment at all */
    make_show(t);
    put(t, "hls/v/seg00000.m4s", "not an mp4 segment, though of a length");
    expect(t, "dash-segments", "hls/v/seg00000.m4s");
}

static void test_bandwidth(void **state)
{
    tmp_show *t = *state;
    char text[8192];
    const char *mpd;

    make_show(t);
    mpd = fx_text(t, "manifest.mpd");
    snprintf(text, sizeof text, "%s", mpd);
    char *p = strstr(text, "id=\"v\" bandwidth=\"") + 18;
    long long bw = atoll(p);
    char lower[32];
    snprintf(lower, sizeof lower, "%lld\"", bw / 2);
    memmove(p + strlen(lower), strchr(p, '"') + 1, strlen(strchr(p, '"') + 1) + 1);
    memcpy(p, lower, strlen(lower));
    put(t, "manifest.mpd", text);
    expect(t, "dash-bandwidth", "manifest.mpd");
    snprintf(lower, sizeof lower, "%lld\"", bw * 2);
    make_show(t);
    snprintf(text, sizeof text, "%s", fx_text(t, "manifest.mpd"));
    p = strstr(text, "id=\"v\" bandwidth=\"") + 18;
    memmove(p + strlen(lower), strchr(p, '"') + 1, strlen(strchr(p, '"') + 1) + 1);
    memcpy(p, lower, strlen(lower));
    put(t, "manifest.mpd", text);
    expect(t, "dash-bandwidth", "manifest.mpd");
}

static void test_duration(void **state)
{
    tmp_show *t = *state;

    make_show(t); /* the HLS playlist a frame and a half longer */
    put(t, "hls/v/index.m3u8", PLAYLIST("0.200000", "0.250000"));
    expect(t, "dash-duration", "manifest.mpd");
    make_show(t); /* audio: 2 AAC frames and a video frame allowed, not more */
    put(t, "hls/audio/index.m3u8", PLAYLIST("0.213333", "0.280000"));
    expect_none(t);
    put(t, "hls/audio/index.m3u8", PLAYLIST("0.213333", "0.300000"));
    expect(t, "dash-duration", "manifest.mpd");
    make_show(t); /* no HLS playlist to compare with */
    unlink(fx_join(t->dir, "hls/audio/index.m3u8"));
    expect(t, "dash-duration", "manifest.mpd");
    expect_edit(t, "mediaPresentationDuration=\"PT0.4S\"", "mediaPresentationDuration=\"PT0.5S\"",
                "dash-duration");
}

static void test_text(void **state)
{
    tmp_show *t = *state;

    make_show(t);
    put(t, "subtitles/en.vtt", "1\n00:00:00,000 --> 00:00:01,000\nHello\n");
    expect(t, "dash-text", "subtitles/en.vtt");
    put(t, "subtitles/en.vtt", "\xef\xbb\xbfWEBVTT\n");
    expect_none(t);
    unlink(fx_join(t->dir, "subtitles/en.vtt"));
    expect(t, "dash-text", "subtitles/en.vtt");
}

#include "test_dash_tests.h"

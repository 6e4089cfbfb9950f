/* test_captions.c: the caption reader (media/captions.c) on files the test writes, one folder
 * per test: SubRip with markup, WebVTT with a header block, SCC's CEA-608 pairs through cc_dec,
 * cue order, coverage, and the files it must refuse with one line naming the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "media.h"

#define UNIT_SETUP    fx_tmp_setup
#define UNIT_TEARDOWN fx_tmp_teardown

typedef fx_tmp tmp_file;

/* Writes text to dir/name and returns its path. */
static const char *file_with(tmp_file *t, const char *name, const char *text)
{
    return fx_file(t, name, text);
}

static void assert_cue(const ladder_cue *c, int64_t start, int64_t end, const char *text)
{
    assert_int_equal(c->start_ms, start);
    assert_int_equal(c->end_ms, end);
    assert_string_equal(c->text, text);
}

/* Markup survives as WebVTT markup, a second line stays, and the cues come out by start
 * whatever the file's order. */
static void test_srt_read(void **state)
{
    ladder_captions c = {0};
    ladder_error err = {0};
    const char *path = file_with(*state, "a.srt",
                                 "1\n00:00:05,500 --> 00:00:07,250\nTwo\nlines\n\n"
                                 "2\n00:00:01,000 --> 00:00:03,500\nHello <i>world</i>\n\n");

    assert_int_equal(ladder_captions_read(path, &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_cue(&c.cues[0], 1000, 3500, "Hello <i>world</i>");
    assert_cue(&c.cues[1], 5500, 7250, "Two\nlines");
    ladder_captions_free(&c);
    assert_int_equal(c.n, 0);
    assert_null(c.cues);
}

/* The header block (a timestamp map, as Ladder's own segments have) is not a cue. */
static void test_vtt_read(void **state)
{
    ladder_captions c = {0};
    ladder_error err = {0};
    const char *path = file_with(*state, "a.vtt",
                                 "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n"
                                 "00:00:02.000 --> 00:00:04.000\nHola\n\n"
                                 "01:00:11.000 --> 01:00:13.000\nAdi\xc3\xb3s\n");

    assert_int_equal(ladder_captions_read(path, &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_cue(&c.cues[0], 2000, 4000, "Hola");
    assert_cue(&c.cues[1], 3611000, 3613000, "Adi\xc3\xb3s");
    ladder_captions_free(&c);
}

/* SCC: pop-on captions (RCL, ENM, a preamble, the characters with odd parity, EOC), each
 * shown from its line's time code until the next erase (EDM). */
static void test_scc_read(void **state)
{
    ladder_captions c = {0};
    ladder_error err = {0};
    const char *path =
        file_with(*state, "a.scc",
                  "Scenarist_SCC V1.0\n\n"
                  "00:00:01:00\t94ae 94ae 9420 9420 9452 9452 c8e5 ecec ef80 942f 942f\n\n"
                  "00:00:03:00\t942c 942c\n\n"
                  "00:00:05:00\t94ae 94ae 9420 9420 9452 9452 57ef f2ec 6480 942f 942f\n\n"
                  "00:00:07:00\t942c 942c\n");

    assert_int_equal(ladder_captions_read(path, &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_cue(&c.cues[0], 1000, 3000, "Hello");
    assert_cue(&c.cues[1], 5000, 7000, "World");
    ladder_captions_free(&c);
}

/* A cue payload may hold no "-->" and no blank line (W3C WebVTT): the '>' is escaped, also
 * where removing one arrow would make another (found by fuzz_captions). */
static void test_payload_tidied(void **state)
{
    ladder_captions c = {0};
    ladder_error err = {0};
    const char *path =
        file_with(*state, "a.srt", "1\n00:00:01,000 --> 00:00:02,000\na --> b\nc ----> d\n\n");

    assert_int_equal(ladder_captions_read(path, &c, &err), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.cues[0].text, "a --&gt; b\nc ----&gt; d");
    ladder_captions_free(&c);
}

static void test_coverage(void **state)
{
    ladder_captions c = {0};
    ladder_error err = {0};
    /* 1-3 and 2-4 overlap (3 s covered), 9-12 runs past a 10 s show (1 s) */
    const char *path = file_with(*state, "a.srt",
                                 "1\n00:00:01,000 --> 00:00:03,000\na\n\n"
                                 "2\n00:00:02,000 --> 00:00:04,000\nb\n\n"
                                 "3\n00:00:09,000 --> 00:00:12,000\nc\n\n");

    assert_int_equal(ladder_captions_read(path, &c, &err), 0);
    assert_true(ladder_captions_coverage(&c, 10.0) > 0.3999);
    assert_true(ladder_captions_coverage(&c, 10.0) < 0.4001);
    assert_true(ladder_captions_coverage(&c, 0) == 0);
    ladder_captions_free(&c);
}

/* Each refusal is one line naming the file, and leaves no cues behind. */
static void refused(tmp_file *t, const char *name, const char *text, const char *words)
{
    ladder_captions c = {0};
    ladder_error err = {0};
    const char *path = text ? file_with(t, name, text) : name;

    assert_true(ladder_captions_read(path, &c, &err) < 0);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, words));
    assert_null(strchr(err.msg, '\n'));
    assert_int_equal(c.n, 0);
}

static void test_bad_files(void **state)
{
    refused(*state, "/nonexistent/a.srt", NULL, "no such caption file");
    refused(*state, "junk.srt", "this is not\na caption file at all\n", "not a caption file");
    refused(*state, "a.json", "{\"cues\": []}\n", "not a caption file");
    /* a subtitle format FFmpeg reads but Ladder does not take */
    refused(*state, "a.ass",
            "[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, "
            "Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,Hi\n",
            "an ass file, not captions");
    refused(*state, "backwards.srt", "1\n00:00:05,000 --> 00:00:04,000\nno\n\n", "before it");
}

#include "test_captions_tests.h"

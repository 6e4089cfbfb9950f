/* test_show_json.c: show.json, its one C reader (docs/show-json.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_test.h"

#define UNIT_SETUP    lib_setup
#define UNIT_TEARDOWN fx_tmp_teardown

/* ---- show.json: the one C reader (docs/show-json.md) ---------------------------------------- */

#define SHOW_OK                                                                                    \
    "{\"format\":1,\"id\":\"news\",\"title\":\"News\",\"duration\":12.5,\"version\":3,"            \
    "\"poster\":{\"path\":\"poster.jpg\",\"width\":640,\"height\":360},\"future\":[1],"            \
    "\"renditions\":[{\"name\":\"mp4-360p-600\",\"use\":\"mp4\",\"width\":640,\"height\":360,"     \
    "\"codecs\":\"avc1.42c01e,mp4a.40.2\"}]}"

/* Every field a reader needs comes through; an unknown field ("future") is ignored. */
static void test_show_json_reads_fields(void **state)
{
    lib_show s;
    ladder_error err = {0};
    (void)state;

    assert_int_equal(lib_show_parse(SHOW_OK, strlen(SHOW_OK), &s, &err), 0);
    assert_int_equal(s.format, 1);
    assert_string_equal(s.id, "news");
    assert_string_equal(s.title, "News");
    assert_true(s.duration == 12.5);
    assert_int_equal(s.version, 3);
    assert_int_equal(s.poster_width, 640);
    assert_int_equal(s.n_renditions, 1);
    assert_string_equal(s.renditions[0].use, "mp4");
    assert_string_equal(s.renditions[0].codecs, "avc1.42c01e,mp4a.40.2");
    lib_show_free(&s);
}

/* A format newer than the reader is refused in words; so are broken JSON and a missing id. */
static void test_show_json_refusals(void **state)
{
    static const char *const bad[][2] = {
        {"{\"format\":2,\"id\":\"a\",\"duration\":1,\"renditions\":[]}", "format 2"},
        {"{\"format\":1,\"id\":\"a\",", "line 1"},
        {"{\"format\":1,\"duration\":1,\"renditions\":[]}", "\"id\""},
        {"{\"format\":1,\"id\":\"A B\",\"duration\":1,\"renditions\":[]}", "\"id\""},
        {"{\"format\":1,\"id\":\"a\",\"renditions\":[]}", "\"duration\""},
        {"{\"format\":1,\"id\":\"a\",\"duration\":1}", "\"renditions\""},
        {"[1,2]", "not a JSON object"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lib_show s;
        ladder_error err = {0};
        assert_int_equal(lib_show_parse(bad[i][0], strlen(bad[i][0]), &s, &err), LADDER_EINPUT);
        assert_non_null(strstr(err.msg, bad[i][1]));
        assert_null(s.title);
        lib_show_free(&s);
    }
}

/* Shows published before the `format` field existed read as format 1. */
static void test_show_json_without_format(void **state)
{
    const char *text = "{\"id\":\"old\",\"duration\":2,\"renditions\":[]}";
    lib_show s;
    (void)state;

    assert_int_equal(lib_show_parse(text, strlen(text), &s, NULL), 0);
    assert_int_equal(s.format, 1);
    assert_string_equal(s.title, "old");
    lib_show_free(&s);
}

#include "test_show_json_tests.h"

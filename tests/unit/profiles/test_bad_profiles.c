/* test_bad_profiles.c: every kind of bad profile (profiles/), in memory and in files, each of
 * which must fail with LADDER_EINVAL, name the file and the right line, and leave the caller's
 * ladder untouched; one test per entry of bad_cases, made at run time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prof_test.h"

/* A bad profile: fails with LADDER_EINVAL at `line`, and the message contains `needle`. */
typedef struct bad_case {
    const char *label;
    const char *xml;
    long line;
    const char *needle;
} bad_case;

static const bad_case bad_cases[] = {
    {"bad: malformed XML (unquoted value)", L1 L2 L3 "  <rung name=\"b\" width=1280/>\n" L5, 4,
     "AttValue"},
    {"bad: malformed XML (unclosed tag)", L1 L2 L3 "  <rung name=\"b\"\n" L5, 5, "attribute"},
    {"bad: empty document", "", 1, "empty"},
    {"bad: DOCTYPE", L1 "<!DOCTYPE ladder [<!ENTITY x \"1280\">]>\n" L2 L3 L5, 2, "DOCTYPE"},
    {"bad: wrong namespace", L1 "<ladder xmlns=\"urn:other\" name=\"t\">\n" L3 L5, 2,
     "global declaration"},
    {"bad: no rungs", L1 L2 L5, 2, "Missing child element"},
    {"bad: missing height",
     L1 L2 L3 "  <rung name=\"b\" use=\"hls\" width=\"1280\" video-kbps=\"3000\" "
              "maxrate-kbps=\"4500\" bufsize-kbps=\"6000\" profile=\"high\" level=\"3.1\" "
              "audio-kbps=\"64\"/>\n" L5,
     4, "'height' is required"},
    {"bad: unknown attribute",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high",
                                   "3.1") " colour=\"red\"") L5,
     4, "'colour' is not allowed"},
    {"bad: profile enum",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "6000", "extended", "3.1")) L5, 4,
     "'extended'"},
    {"bad: container enum",
     L1 "<ladder xmlns=\"urn:ladder:profile:1\" name=\"t\" container=\"mkv\">\n" L3 L5, 2, "'mkv'"},
    {"bad: level pattern",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high", "3.3")) L5, 4,
     "'3.3'"},
    {"bad: rung name pattern",
     L1 L2 L3 RUNG("Big_One", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high", "3.1")) L5,
     4, "'Big_One'"},
    {"bad: width below 16",
     L1 L2 L3 RUNG("b", SIZE_RATES("8", "720", "3000", "4500", "6000", "high", "3.1")) L5, 4,
     "'width'"},
    {"bad: bufsize 0",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "0", "high", "3.1")) L5, 4,
     "'bufsize-kbps'"},
    {"bad: duplicate name",
     L1 L2 L3 RUNG("a", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high", "3.1")) L5, 4,
     "rung name 'a' is already used on line 3"},
    {"bad: odd width",
     L1 L2 L3 RUNG("b", SIZE_RATES("1281", "720", "3000", "4500", "6000", "high", "3.1")) L5, 4,
     "rung 'b': 1281x720: width and height must be even"},
    {"bad: odd height",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "721", "3000", "4500", "6000", "high", "3.1")) L5, 4,
     "rung 'b': 1280x721: width and height must be even"},
    {"bad: maxrate below bitrate",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "2999", "6000", "high", "3.1")) L5, 4,
     "maxrate-kbps 2999 is below video-kbps 3000"},
    {"bad: 1080p at level 3.0",
     L1 L2 L3 RUNG("b", SIZE_RATES("1920", "1080", "3000", "4500", "6000", "high", "3.0")) L5, 4,
     "1920x1080 is 120x68 macroblocks; level 3.0 allows 1620"},
    {"bad: one macroblock column over level 4.0",
     L1 L2 L3 RUNG("b", SIZE_RATES("1936", "1080", "3000", "4500", "6000", "high", "4.0")) L5, 4,
     "level 4.0 allows 8192"},
    {"bad: too wide for level 3.0",
     L1 L2 L3 RUNG("b", SIZE_RATES("1824", "64", "600", "900", "1200", "main", "3.0")) L5, 4,
     "113 on a side"},
    {"bad: main maxrate over level 3.0",
     L1 L2 L3 RUNG("b", SIZE_RATES("640", "360", "600", "10001", "1200", "main", "3.0")) L5, 4,
     "maxrate-kbps 10001 is over level 3.0's 10000 for main"},
    {"bad: high maxrate over level 3.0",
     L1 L2 L3 RUNG("b", SIZE_RATES("640", "360", "600", "12501", "1200", "high", "3.0")) L5, 4,
     "maxrate-kbps 12501 is over level 3.0's 12500 for high"},
    {"bad: bufsize over level 3.0",
     L1 L2 L3 RUNG("b", SIZE_RATES("640", "360", "600", "900", "10001", "baseline", "3.0")) L5, 4,
     "bufsize-kbps 10001 is over level 3.0's 10000 for baseline"},
    {"bad: max-fps over the level's macroblock rate",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high",
                                   "3.1") " max-fps=\"31\"") L5,
     4, "max-fps 31 needs 111600 macroblocks/s; level 3.1 allows 108000"},
    {"bad: unknown preset", L1 L2_ATTRS(" preset=\"turbo\"") L3 L5, 2,
     "unknown x264 preset 'turbo'"},
    {"bad: segment not a multiple of gop",
     L1 "<ladder xmlns=\"urn:ladder:profile:1\" name=\"t\" gop-seconds=\"2\" "
        "segment-seconds=\"5\">\n" L3 L5,
     2, "segment-seconds 5 is not a whole multiple of gop-seconds 2"},
    {"bad: segment shorter than gop",
     L1 "<ladder xmlns=\"urn:ladder:profile:1\" name=\"t\" gop-seconds=\"4\" "
        "segment-seconds=\"2\">\n" L3 L5,
     2, "not a whole multiple"},
    /* the packager writes TARGETDURATION 1 and the validator would want 0: refused up front */
    {"bad: segment under a second",
     L1 "<ladder xmlns=\"urn:ladder:profile:1\" name=\"t\" gop-seconds=\"0.2\" "
        "segment-seconds=\"0.4\">\n" L3 L5,
     2, "segment-seconds 0.4 is under 1: HLS target durations are whole seconds"},

    /* per-title bounds (docs/per-title.md): the schema's part */
    {"bad: per-title-size enum",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high",
                                   "3.1") " per-title-size=\"any\"") L5,
     4, "'any'"},
    {"bad: per-title-min-kbps 0",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high",
                                   "3.1") " per-title-min-kbps=\"0\"") L5,
     4, "'per-title-min-kbps'"},
    {"bad: per-title-psnr-max under 20", L1 L2_ATTRS(" per-title-psnr-max=\"19.999\"") L3 L5, 2,
     "'per-title-psnr-max'"},
    {"bad: per-title-psnr-max over 70", L1 L2_ATTRS(" per-title-psnr-max=\"70.001\"") L3 L5, 2,
     "'per-title-psnr-max'"},
    {"bad: per-title-step-min with 4 decimals", L1 L2_ATTRS(" per-title-step-min=\"1.1500\"") L3 L5,
     2, "'per-title-step-min'"},
    {"bad: per-title-step-min with a comma", L1 L2_ATTRS(" per-title-step-min=\"1,15\"") L3 L5, 2,
     "'per-title-step-min'"},
    /* per-title bounds: profile.c's part */
    {"bad: per-title step-min under 1.05", L1 L2_ATTRS(" per-title-step-min=\"1.049\"") L3 L4 L5, 2,
     "per-title-step-min 1.049 is under 1.05: two rungs that close are the same stream"},
    {"bad: per-title step-max over 2", L1 L2_ATTRS(" per-title-step-max=\"2.001\"") L3 L4 L5, 2,
     "per-title-step-max 2.001 is over 2: Apple (TN2224, docs/hls-rules.md)"},
    {"bad: per-title step-min equal to step-max",
     L1 L2_ATTRS(" per-title-step-min=\"1.5\" per-title-step-max=\"1.5\"") L3 L4 L5, 2,
     "per-title-step-min 1.5 is not below per-title-step-max 1.5"},
    {"bad: per-title step-min above step-max",
     L1 L2_ATTRS(" per-title-step-min=\"1.9\" per-title-step-max=\"1.2\"") L3 L4 L5, 2,
     "per-title-step-min 1.9 is not below per-title-step-max 1.2"},
    {"bad: per-title min above max",
     L1 L2 L3 RUNG("b",
                   SIZE_RATES("1280", "720", "3000", "4500", "6000", "high",
                              "3.1") " per-title-min-kbps=\"2001\" per-title-max-kbps=\"2000\"") L5,
     4, "rung 'b': per-title-min-kbps 2001 is above per-title-max-kbps 2000"},
    {"bad: per-title default min above max",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high",
                                   "3.1") " per-title-max-kbps=\"599\"") L5,
     4,
     "per-title-min-kbps 600 (the default, a fifth of video-kbps) is above per-title-max-kbps 599"},
    {"bad: per-title min above default max",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high",
                                   "3.1") " per-title-min-kbps=\"3001\"") L5,
     4, "per-title-min-kbps 3001 is above per-title-max-kbps 3000 (the default, video-kbps)"},
    {"bad: per-title-size free on an MP4 rung",
     L1 L2 L3 MP4_RUNG("m", SIZE_RATES("640", "360", "500", "750", "1000", "baseline",
                                       "3.0") " per-title-size=\"free\"") L5,
     4, "rung 'm': per-title-size=\"free\" on an MP4 rung"},
    /* 600 kbps with maxrate 1200: at 5001 kbps maxrate scales to 10002, over Main 3.0's 10000 */
    {"bad: per-title ceiling's maxrate over the level",
     L1 L2 RATE_RUNG("a", "600", "1200", "600", " per-title-max-kbps=\"5001\"") L5, 3,
     "rung 'a': maxrate-kbps 10002 is over level 3.0's 10000 for main at per-title-max-kbps 5001"},
    /* 3000 kbps with bufsize 6000: at 8751 kbps bufsize scales to 17502, over High 3.1's 17500 */
    {"bad: per-title ceiling's bufsize over the level",
     L1 L2 L3 RUNG("b", SIZE_RATES("1280", "720", "3000", "4500", "6000", "high",
                                   "3.1") " per-title-max-kbps=\"8751\"") L5,
     4,
     "rung 'b': bufsize-kbps 17502 is over level 3.1's 17500 for high at per-title-max-kbps 8751"},
    /* c's ceiling (1000) allows b at most (1000 + 64) / 1.15 - 64 = 861.2 kbps, under b's floor:
     * b is the first rung by bitrate left without one (at 861 it passes: test_profiles.c) */
    {"bad: per-title chain: a floor above what the next rung's ceiling allows",
     L1 L2 L3 RATE_RUNG("b", "1000", "1500", "2000", " per-title-min-kbps=\"862\"")
         RATE_RUNG("c", "2000", "3000", "4000", " per-title-max-kbps=\"1000\"") L5,
     4,
     "rung 'b': its per-title bounds (862-1000 kbps) leave no bitrate within the step rule "
     "(1.15-2x the next HLS rung's total); check its neighbours' bounds"},
    /* the same with the rungs out of bitrate order in the file: still b's line */
    {"bad: per-title chain, rungs out of order",
     L1 L2 RATE_RUNG("c", "2000", "3000", "4000", " per-title-max-kbps=\"1000\"")
         RATE_RUNG("b", "1000", "1500", "2000", " per-title-min-kbps=\"862\"") L3 L5,
     4, "rung 'b': its per-title bounds (862-1000 kbps)"},
    /* defaults: 100 kbps then 3000 kbps, a gap no per-title bitrates can bridge within 2x (b's
     * floor, 600, needs a at (600 + 64) / 2 - 64 = 268 or more; a may not exceed its own 100) */
    {"bad: per-title chain with default bounds: a gap over 2x",
     L1 L2 RATE_RUNG("a", "100", "150", "200", "") L4 L5, 3,
     "rung 'a': its per-title bounds (20-100 kbps) leave no bitrate within the step rule"},
    /* a narrower step rule of the profile's own: 400 and 4000 kbps pass at 2x (a at 368+, b at
     * 864-), not at 1.5x (b's floor, 800, needs a at (800 + 64) / 1.5 - 64 = 512 or more) */
    {"bad: per-title chain under the profile's step-max",
     L1 L2_ATTRS(" per-title-step-max=\"1.5\"") RATE_RUNG("a", "400", "600", "800", "")
         RATE_RUNG("b", "4000", "6000", "8000", "") L5,
     3, "(1.15-1.5x the next HLS rung's total)"},
};

#define N_BAD (sizeof bad_cases / sizeof bad_cases[0])

/* One entry of bad_cases, given as the state (run_bad_cases). */
static void check_bad_case(void **state)
{
    const bad_case *c = *state;

    expect_bad(c->xml, c->line, c->needle);
}

static void test_gop_zero_is_schema_error(void **state)
{
    static const char xml[] =
        L1 "<ladder xmlns=\"urn:ladder:profile:1\" name=\"t\" gop-seconds=\"0\">\n" L3 L5;

    (void)state;
    expect_bad(xml, 2, "'gop-seconds'");
}

/* The names of pbs16's rungs, in order. */
/* A real file with a bad rung: the message names the path and the line. */
static void test_bad_file(void **state)
{
    static const char xml[] =
        L1 L2 L3 RUNG("b", SIZE_RATES("1281", "720", "3000", "4500", "6000", "high", "3.1")) L5;
    char dir[] = "/tmp/test_profiles.XXXXXX";
    char path[sizeof dir + 16];
    prof_ladder out;
    ladder_error err = {0};
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/bad.xml", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(xml, 1, strlen(xml), f), strlen(xml));
    assert_int_equal(fclose(f), 0);

    poison(&out);
    assert_int_equal(prof_load(path, &out, &err), LADDER_EINVAL);
    assert_message(&err, path, 4, "rung 'b': 1281x720: width and height must be even");
    assert_true(is_poisoned(&out));

    /* A folder is not a profile. */
    assert_int_equal(prof_load(dir, &out, &err), LADDER_EIO);
    assert_true(is_poisoned(&out));

    unlink(path);
    rmdir(dir);
}

static void test_missing_file(void **state)
{
    const char *path = "/nonexistent/ladder/none.xml";
    char expect[128];
    prof_ladder out;
    ladder_error err = {0};

    (void)state;
    poison(&out);
    assert_int_equal(prof_load(path, &out, &err), LADDER_ENOTFOUND);
    assert_int_equal(err.code, LADDER_ENOTFOUND);
    snprintf(expect, sizeof expect, "%s: no such file", path);
    assert_string_equal(err.msg, expect);
    assert_true(is_poisoned(&out));
}

static void test_bad_arguments(void **state)
{
    prof_ladder out;
    ladder_error err = {0};
    char *big;

    (void)state;
    poison(&out);
    assert_int_equal(prof_load(NULL, &out, &err), LADDER_EINVAL);
    assert_int_equal(prof_load(PBS16_PATH, NULL, &err), LADDER_EINVAL);
    assert_int_equal(prof_load_memory(NULL, 0, "x", &out, &err), LADDER_EINVAL);
    assert_int_equal(prof_load_memory(good_xml, strlen(good_xml), NULL, &out, &err), LADDER_EINVAL);
    assert_int_equal(prof_load_default(NULL, &err), LADDER_EINVAL);

    /* Over the 1 MiB cap: refused before parsing. */
    big = calloc(1, (2u << 20) + 1);
    assert_non_null(big);
    memset(big, ' ', 2u << 20);
    assert_int_equal(prof_load_memory(big, 2u << 20, "big.xml", &out, &err), LADDER_EINVAL);
    assert_non_null(strstr(err.msg, "big.xml"));
    free(big);
    assert_true(is_poisoned(&out));
}

/* One test per bad_cases entry, named by its label, made at run time (UNIT_MORE_TESTS). */
static int run_bad_cases(void)
{
    struct CMUnitTest tests[N_BAD];

    for (size_t i = 0; i < N_BAD; i++)
        tests[i] = (struct CMUnitTest){bad_cases[i].label, check_bad_case, NULL, NULL,
                                       (void *)&bad_cases[i]};
    return cmocka_run_group_tests_name("bad_cases", tests, NULL, NULL);
}

#define UNIT_MORE_TESTS run_bad_cases

#include "test_bad_profiles_tests.h"

/* fuzz_devices.c: the device-rules loader (profiles/devices.c) on any bytes, through
 * prof_devices_load_memory, the path prof_devices_load takes after reading the file given to
 * `ladder serve`. A rule set that loads is then asked to route a few clients, which runs its
 * compiled user-agent patterns and header conditions. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "profiles.h"

static const prof_client clients[] = {
    {NULL, NULL, NULL},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15", NULL, NULL},
    {"Mozilla/5.0 (Linux; Android 4.1.2; GT-I9100) AppleWebKit/534.30 Mobile Safari/534.30", "?1",
     "\"Android\""},
    {"Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto", "?0",
     "\"Windows\""},
    {"", "", ""},
};

/* glibc's regcomp copies a subexpression once more for each '+' or {n,m} applied to it, so
 * stacked repetitions ("a+++...", "((a+)+)+", "a{9}{9}{9}") grow its tree exponentially: a
 * 100-byte pattern takes gigabytes. Known and not fixed (fuzz/README.md), so inputs whose
 * repetitions could multiply past 2^12 are skipped and the fuzzer looks elsewhere. The estimate
 * multiplies every repetition in the input, nested or not, and counts a character reference
 * ('&') as a '+': it can only overestimate. */
static int regcomp_may_explode(const uint8_t *d, size_t n)
{
    double product = 1;

    for (size_t i = 0; i < n && product <= 4096; i++) {
        if (d[i] == '+' || d[i] == '&') {
            product *= 2;
        } else if (d[i] == '{') {
            double bound = 0, max = 0;
            for (i++; i < n && d[i] != '}'; i++) {
                if (d[i] >= '0' && d[i] <= '9')
                    bound = bound * 10 + (d[i] - '0');
                else if (d[i] == ',')
                    bound = 0;
                else if (d[i] == '&')
                    bound = 1e9;
                max = bound > max ? bound : max;
            }
            product *= max + 1;
        }
    }
    return product > 4096;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prof_devices *d = NULL;
    ladder_error err = {0};
    prof_route route;

    if (regcomp_may_explode(data, size))
        return 0;
    if (prof_devices_load_memory((const char *)data, size, "fuzz.xml", &d, &err) != 0) {
        if (d || err.code >= 0)
            abort();
        return 0;
    }
    prof_devices_name(d);
    for (size_t i = 0; i < sizeof clients / sizeof clients[0]; i++) {
        prof_devices_route(d, &clients[i], &route);
        if (route.format != PROF_FORMAT_HLS && route.format != PROF_FORMAT_MP4)
            abort();
    }
    prof_devices_free(d);
    return 0;
}

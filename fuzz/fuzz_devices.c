/* fuzz_devices.c: the device-rules loader (devices/devices.c) on any bytes, through
 * dev_load_memory, the path dev_load takes after reading the file given to
 * `ladder serve`. A rule set that loads is then asked to route a few clients, which runs its
 * compiled user-agent patterns and header conditions. Patterns whose repetitions would make
 * regcomp take gigabytes are refused by the loader itself, so every input is tried. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "devices.h"

static const dev_client clients[] = {
    {NULL, NULL, NULL},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15", NULL, NULL},
    {"Mozilla/5.0 (Linux; Android 4.1.2; GT-I9100) AppleWebKit/534.30 Mobile Safari/534.30", "?1",
     "\"Android\""},
    {"Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto", "?0",
     "\"Windows\""},
    {"", "", ""},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dev_rules *d = NULL;
    ladder_error err = {0};
    dev_route route;

    if (dev_load_memory((const char *)data, size, "fuzz.xml", &d, &err) != 0) {
        if (d || err.code >= 0)
            abort();
        return 0;
    }
    dev_name(d);
    for (size_t i = 0; i < sizeof clients / sizeof clients[0]; i++) {
        dev_route_client(d, &clients[i], &route);
        if (route.format != DEV_FORMAT_HLS && route.format != DEV_FORMAT_MP4 &&
            route.format != DEV_FORMAT_DASH)
            abort();
    }
    dev_free(d);
    return 0;
}

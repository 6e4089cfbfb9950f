/* fuzz_http.c: the origin's request parsing (origin/http.c, paths.c, mime.c), which sees every
 * byte a client sends before any file is touched. The first input byte picks the function; the
 * rest is its NUL-terminated argument, split at the first '\n' where it takes two strings. The
 * documented promises are checked too: a decoded path has no way out of the library, and a
 * satisfiable range lies inside the body. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "origin_internal.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

/* What a library-relative path goes through once decoded (files.c, static.c). */
static void classify(const char *rel)
{
    org_type t = org_type_of(rel);

    CHECK(t.content_type && t.kind >= 0 && t.kind < ORG_KIND_N);
    CHECK(org_cache_control(ORG_ROOT_LIBRARY, rel) && org_cache_control(ORG_ROOT_SITE, rel));
    org_in_version_folder(rel);
    CHECK(org_kind_name(t.kind));
}

/* org_path_decode into a buffer of `size` bytes on the heap (so ASan sees its end). */
static int decode(const char *raw, size_t size)
{
    char *out = malloc(size);
    int status;

    CHECK(out);
    status = org_path_decode(raw, out, size);
    CHECK(status == 0 || status == 400 || status == 404);
    if (status == 0) {
        size_t n = strlen(out);
        CHECK(n < size && out[0] == '/');
        for (size_t i = 0; i < n; i++)
            CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f && out[i] != '\\');
        CHECK(!strstr(out, "//") && !strstr(out, "/."));
        classify(out + 1);
        if (strncmp(out, "/shows/", 7) == 0)
            classify(out + 7);
    }
    free(out);
    return status;
}

static void range(const uint8_t *data, size_t size)
{
    uint64_t body = 0, first = 0, len = 0;
    char *header;

    if (size < 8)
        return;
    for (int i = 0; i < 8; i++)
        body |= (uint64_t)data[i] << (8 * i);
    header = fuzz_strndup(data + 8, size - 8);
    if (org_http_range(header, body, &first, &len) == ORG_RANGE_OK)
        CHECK(len > 0 && first < body && len <= body - first);
    free(header);
}

static void date(const char *s)
{
    char back[ORG_HTTP_DATE_LEN];
    time_t t = 0, t2 = 0;

    if (org_http_parse_date(s, &t) != 0)
        return;
    CHECK(t >= 0);
    /* What we parse, we print; and what we print, we parse back to the same second. */
    if (t < (time_t)253402300800) { /* year 10000 */
        org_http_date(t, back);
        CHECK(org_http_parse_date(back, &t2) == 0 && t2 == t);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *arg, *second;

    if (size < 1)
        return 0;
    if (data[0] % 6 == 1) {
        range(data + 1, size - 1);
        return 0;
    }
    arg = fuzz_strndup(data + 1, size - 1);
    second = strchr(arg, '\n');
    if (second)
        *second++ = '\0';
    switch (data[0] % 6) {
    case 0: {
        int status = decode(arg, 4096); /* what server.c passes */
        int small = decode(arg, strlen(arg) / 2 + 1);
        CHECK(small == status || small == 404);
        break;
    }
    case 2:
        org_http_none_match(arg, second ? second : "\"abc\"");
        break;
    case 3:
        date(arg);
        break;
    case 4:
        org_http_accepts_gzip(arg);
        break;
    case 5:
        org_http_accepts_type(arg, second ? second : "application/json");
        break;
    }
    free(arg);
    return 0;
}

/* fuzz_show_json.c: the show.json reader (library/show_json.c) on any bytes. The origin parses
 * every published show's show.json for /play, /watch and the /shows catalog, and a library
 * folder may hold files written by other tools or by hand. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "library.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lib_show s;
    ladder_error err = {0};

    if (lib_show_parse((const char *)data, size, &s, &err) == 0) {
        /* what the origin then trusts: a valid id, a title, named renditions */
        if (!lib_valid_id(s.id) || !s.title || s.n_renditions < 0 ||
            (s.n_renditions > 0 && !s.renditions))
            abort();
        for (int i = 0; i < s.n_renditions; i++)
            if (!memchr(s.renditions[i].name, '\0', sizeof s.renditions[i].name) ||
                s.renditions[i].width <= 0 || s.renditions[i].height <= 0)
                abort();
    }
    lib_show_free(&s);
    return 0;
}

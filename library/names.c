/* names.c: the names in a show library: show ids and version folders. The CLI checks an id
 * with these before publishing; the origin checks every URL against the same rules. */
#include <stdio.h>
#include <string.h>

#include "library.h"

int lib_valid_id(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > LIB_ID_MAX || id[0] == '-')
        return 0;
    return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

int lib_version_of(const char *name, size_t len)
{
    long long n = 0;

    /* at most 9 digits: every N fits an int, and "v0", "v01", "v+1" are nobody's version */
    if (len < 2 || len > 10 || name[0] != 'v' || name[1] < '1' || name[1] > '9')
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return 0;
        n = n * 10 + (name[i] - '0');
    }
    return (int)n;
}

void lib_version_name(int version, char *out, size_t len)
{
    snprintf(out, len, "v%d", version);
}

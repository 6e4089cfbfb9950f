/* clock.c: the one monotonic clock every Ladder component measures time with (elapsed time,
 * deadlines, timeouts), as seconds in a double: CLOCK_MONOTONIC never jumps when the wall clock
 * is set, and a double keeps nanoseconds for about a hundred days of uptime. */
#include <time.h>

#include "ladder.h"

double ladder_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

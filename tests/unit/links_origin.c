/* links_origin.c: a program that links the origin and only what the origin's link interface
 * brings (ladder_origin, then CMake's transitive closure), for unit.links (test_links.py),
 * which reads its link line and its NEEDED libraries: no FFmpeg, no x264. It is never run. */
#include <stdio.h>

#include "origin.h"

int main(void)
{
    /* Referencing origin_open pulls in the objects of the whole server, /play included. */
    int (*volatile open_fn)(origin **, const origin_params *, ladder_error *) = origin_open;

    printf("%s\n", open_fn ? "origin linked" : "no origin");
    return 0;
}

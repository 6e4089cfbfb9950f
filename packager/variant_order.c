/* variant_order.c: the order of the multivariant playlist's entries, which decides where
 * players start, as they start on the first variant listed: the rung whose target is nearest
 * 2 Mbit/s (a mid rung), then the rest by measured peak bandwidth, then the audio-only variant. */
#include <stdlib.h>

#include "pkg_internal.h"

/* Whether a belongs after b among the entries after the first. */
static int listed_after(const pkg_master_entry *a, const pkg_master_entry *b)
{
    return a->stats.is_audio_only > b->stats.is_audio_only ||
           (a->stats.is_audio_only == b->stats.is_audio_only &&
            a->stats.peak_bps > b->stats.peak_bps);
}

static void swap_entries(pkg_master_entry *a, pkg_master_entry *b)
{
    pkg_master_entry t = *a;
    *a = *b;
    *b = t;
}

void order_variants(pkg_master_entry *e, int n)
{
    int first = 0;

    for (int i = 1; i < n; i++)
        if (!e[i].stats.is_audio_only &&
            abs(e[i].target_kbps - 2000) < abs(e[first].target_kbps - 2000))
            first = i;
    swap_entries(&e[0], &e[first]);
    /* an insertion sort: stable, so rungs of equal peak keep the ladder's order */
    for (int i = 2; i < n; i++)
        for (int j = i; j > 1 && listed_after(&e[j - 1], &e[j]); j--)
            swap_entries(&e[j - 1], &e[j]);
}

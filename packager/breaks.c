/* breaks.c: how a show's ad breaks are signalled in its media playlists (docs/ads.md): one
 * EXT-X-PROGRAM-DATE-TIME on a fixed epoch, so the bytes are the same on every run, and an
 * HLS Interstitial EXT-X-DATERANGE per break, identical in every media playlist. The cuts
 * themselves are hls_segments.c's. */
#include <stdio.h>

#include "pkg_internal.h"

/* One break's DATERANGE (RFC 8216bis 4.4.5.1 and its Interstitials appendix). X-RESUME-OFFSET=0:
 * the ad takes no time from the show; X-RESTRICT: the viewer can neither skip nor seek past
 * it; the asset list is the origin's, fetched when the break comes near. */
static void append_daterange(ladder_text *t, const ladder_break *b, int i, const char *show_id)
{
    char id[LADDER_BREAK_ID_MAX], date[40];

    ladder_break_id(i, id, sizeof id);
    ladder_break_start_date(b, date, sizeof date);
    ladder_text_printf(t,
                       "#EXT-X-DATERANGE:ID=\"%s\",CLASS=\"com.apple.hls.interstitial\","
                       "START-DATE=\"%s\",PLANNED-DURATION=%.3f,"
                       "X-ASSET-LIST=\"/ads/%s/%s.json\",X-RESUME-OFFSET=0,"
                       "X-RESTRICT=\"SKIP,JUMP\",X-TIMELINE-OCCUPIES=\"POINT\"",
                       id, date, b->duration, show_id, id);
    if (b->pts == 0)
        ladder_text_printf(t, ",CUE=\"PRE\"");
    if (b->scte35_size > 0) {
        ladder_text_printf(t, ",SCTE35-OUT=0x");
        for (int k = 0; k < b->scte35_size; k++)
            ladder_text_printf(t, "%02X", b->scte35[k]);
    }
    ladder_text_printf(t, "\n");
}

int pkg_break_tags(pkg_packager *p, ladder_error *err)
{
    ladder_text *t = &p->break_tags;

    ladder_text_free(t);
    if (p->plan.n_breaks == 0)
        return 0;
    if (!p->params.show_id)
        return ladder_error_set(err, LADDER_EINVAL, "ad breaks need the show's id");
    ladder_text_printf(t, "#EXT-X-PROGRAM-DATE-TIME:" LADDER_BREAK_EPOCH_TEXT "\n");
    for (int i = 0; i < p->plan.n_breaks; i++)
        append_daterange(t, &p->plan.breaks[i], i, p->params.show_id);
    return t->failed ? ladder_error_set(err, LADDER_ENOMEM, "out of memory") : 0;
}

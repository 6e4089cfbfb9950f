/* captions.c: which caption tracks a show is published with. The sidecar files given come
 * first. The source's CEA-608, decoded to cues while it was transcoded, becomes a WebVTT track
 * too, so that players that never read 608 (hls.js, the MP4 fallbacks) get its text; unless a
 * sidecar in its language was given, which then stands for it (docs/captions.md). */
#include <stdio.h>
#include <strings.h>

#include "publish.h"

static int has_language(const ladder_captions *tracks, int n, const char *language)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(tracks[i].language, language) == 0)
            return 1;
    return 0;
}

int publish_caption_tracks(const publish_params *params, const ladder_captions *cc608,
                           ladder_captions *tracks, int max_tracks, int *n, ladder_error *err)
{
    ladder_captions *track;

    if (params->n_captions > max_tracks)
        return ladder_error_set(err, LADDER_EINVAL, "more than %d caption tracks", max_tracks);
    for (int i = 0; i < params->n_captions; i++)
        tracks[i] = params->captions[i];
    *n = params->n_captions;
    if (!cc608 || cc608->n == 0)
        return 0;
    if (has_language(tracks, *n, params->cc_language)) {
        ladder_log(&params->logger, LADDER_LOG_WARN, "ingest",
                   "the source's CEA-608 captions are not published as WebVTT: the "
                   "--captions track in '%s' stands for them",
                   params->cc_language);
        return 0;
    }
    if (*n == max_tracks)
        return ladder_error_set(err, LADDER_EINVAL, "too many caption tracks");
    track = &tracks[(*n)++];
    *track = *cc608;
    snprintf(track->language, sizeof track->language, "%s", params->cc_language);
    snprintf(track->name, sizeof track->name, "%s", params->cc_name);
    track->sdh = 1; /* 608 describes sounds as well as speech */
    return 1;
}

/* read_ahead.c: a show's segments validated as the packager writes them.
 *
 * The packager tells of each HLS segment once its file is complete (pkg_params.on_segment);
 * its variant's val_reader reads it then, on the thread that wrote it. The validator at the end
 * takes each variant's results from its reader instead of reading every segment again: in a
 * distributed ingest that reading was most of what came after the last job
 * (docs/distributed.md, "After the last job"), and now it runs while the jobs are still coming
 * in. A reader that cannot be opened is no error: that variant is read at the end as before. */
#include <pthread.h>
#include <string.h>

#include "publish_internal.h"

void publish_read_ahead_init(publish_read_ahead *ra, const char *show_dir)
{
    memset(ra, 0, sizeof *ra);
    pthread_mutex_init(&ra->lock, NULL);
    ra->show_dir = show_dir;
}

/* The variant's reader, opened on its first segment; NULL if it cannot be. */
static val_reader *reader_of(publish_read_ahead *ra, const char *playlist, int audio_only)
{
    val_reader *rd = NULL;

    pthread_mutex_lock(&ra->lock);
    for (int i = 0; i < ra->n && !rd; i++)
        if (strcmp(ra->playlists[i], playlist) == 0)
            rd = ra->readers[i];
    if (!rd && ra->n < PUBLISH_READ_AHEAD_MAX && strlen(playlist) < sizeof ra->playlists[0] &&
        val_reader_open(&rd, ra->show_dir, playlist, audio_only) >= 0) {
        strcpy(ra->playlists[ra->n], playlist);
        ra->readers[ra->n++] = rd;
    }
    pthread_mutex_unlock(&ra->lock);
    return rd;
}

void publish_read_ahead_segment(void *opaque, const char *playlist, const char *segment,
                                int audio_only)
{
    val_reader *rd = reader_of(opaque, playlist, audio_only);

    if (rd)
        val_reader_add(rd, segment);
}

void publish_read_ahead_free(publish_read_ahead *ra)
{
    for (int i = 0; i < ra->n; i++)
        val_reader_free(ra->readers[i]);
    pthread_mutex_destroy(&ra->lock);
    memset(ra, 0, sizeof *ra);
}

/* library.h: the show library on disk, and its one owner. Everything that publishes a show
 * (publish/publish.h, for `ladder ingest`, `ladder package` and a distributed coordinator) or
 * reads one (the origin, `ladder validate`) goes through here for the layout:
 *
 *   LIBRARY/ID/vN/          one published version, immutable once in place
 *   LIBRARY/ID/current      symlink -> vN, swapped by rename(2): the one atomic step
 *   LIBRARY/ID/master.m3u8  symlink -> current/entry.m3u8 (the master playlist, URIs "vN/...")
 *   LIBRARY/ID/show.json    symlink -> current/show.json (docs/show-json.md)
 *   LIBRARY/ID/poster.jpg   symlink -> current/poster.jpg
 *   LIBRARY/.staging/       versions being made, ID.PID.HOST each; swept on HOST once the process is gone
 *   LIBRARY/.locks/ID.lock  one publisher per id at a time (flock, dies with its process)
 *
 * A superseded version stays LIB_KEEP_SUPERSEDED_SECONDS for the players still on it, then the
 * next publish of its id prunes it. */
#ifndef LADDER_LIBRARY_H
#define LADDER_LIBRARY_H

#include <stddef.h>
#include <time.h>

#include "ladder.h"

#define LIB_ID_MAX                  64
#define LIB_KEEP_SUPERSEDED_SECONDS (24 * 3600)
/* The file a version folder holds for the top-level master.m3u8 link: the master playlist as
 * seen from the show's folder, every URI prefixed with "vN/". */
#define LIB_ENTRY_PLAYLIST "entry.m3u8"

/* ---- names (names.c) ------------------------------------------------------------------------- */

/* 1 when id is a show id: 1-64 of a-z, 0-9, '-' and '_', not starting with '-'. Ids go into
 * URLs, paths and JSON unescaped, so nothing else is allowed. */
int lib_valid_id(const char *id);
/* The N of a version folder's name "vN" (N >= 1, no leading zeros, no sign), else 0. The first
 * len bytes of name are read (a path segment); pass strlen(name) for a whole string. */
int lib_version_of(const char *name, size_t len);
/* "vN" into out (at least 16 bytes). */
void lib_version_name(int version, char *out, size_t len);

/* ---- versions of one show (versions.c). Callers hold the id's lock. ---------------------------
 */

/* The N that `current` points at, 0 when there is none. */
int lib_current_version(const char *show_dir);
/* One more than the highest vN folder present (1 for a new show). */
int lib_next_version(const char *show_dir);
/* In a new show folder holding vN: the current link and the top-level links through it. */
int lib_make_links(const char *show_dir, int version, ladder_error *err);
/* Points current at vN (already in place) and marks the previous version superseded. */
int lib_swap(const char *show_dir, int version, ladder_error *err);
/* Removes versions superseded more than keep_seconds before now, and never-published ones.
 * Returns how many went. */
int lib_prune(const char *show_dir, time_t now, int keep_seconds);
/* out = the folder of the current version (show_dir itself for an unversioned show folder).
 * Returns the version (0 unversioned) or -1 when out is too small. */
int lib_version_dir(const char *show_dir, char *out, size_t len);

/* ---- publishing (publish.c) ------------------------------------------------------------------ */

/* A version being made: the id's lock, and an empty staging folder to fill. Order of use:
 *
 *   lib_stage_open -> write the version into lib_stage_dir -> lib_stage_commit -> lib_stage_close
 *
 * lib_stage_open takes the id's lock (LADDER_EBUSY when another process holds it), sweeps dead
 * staging folders and makes LIBRARY/.staging/ID.PID.HOST/vN. lib_stage_commit puts vN in place with
 * one rename and prunes old versions. lib_stage_close removes what was not committed and
 * releases the id; a show whose stage was closed uncommitted stays as it was. */
typedef struct lib_stage lib_stage;

int lib_stage_open(lib_stage **out, const char *library, const char *id, ladder_error *err);
const char *lib_stage_dir(const lib_stage *s); /* the empty folder to fill */
int lib_stage_version(const lib_stage *s);     /* the N of vN */
int lib_stage_commit(lib_stage *s, ladder_error *err);
void lib_stage_close(lib_stage *s); /* NULL is a no-op */

/* ---- show.json (show_json.c; the format is docs/show-json.md) -------------------------------- */

#define LIB_SHOW_FORMAT 1 /* the newest show.json format this build writes and reads */

typedef struct lib_rendition {
    char name[LADDER_NAME_MAX];
    char use[8]; /* "hls" or "mp4" */
    int width, height;
    char codecs[64];
} lib_rendition;

/* What a reader of a published show needs from its show.json. */
typedef struct lib_show {
    int format, version;
    char id[LIB_ID_MAX + 1];
    char *title;
    double duration;                 /* seconds */
    int poster_width, poster_height; /* 0 when there is no poster */
    int n_renditions;
    lib_rendition *renditions; /* in show.json's order */
} lib_show;

/* Parses show.json text into s. 0, or LADDER_EINPUT with the reason in err (not JSON, a newer
 * format, a missing field), or LADDER_ENOMEM. Free s with lib_show_free either way. */
int lib_show_parse(const char *text, size_t len, lib_show *s, ladder_error *err);
void lib_show_free(lib_show *s);

#endif

/* ladder.h: the shared core of every Ladder component.
 *
 * One error type (negative LADDER_E* codes plus an optional message struct) and one
 * logging facility (a callback the caller installs). Libraries return errors and log
 * through the logger they were given; they never print and never exit(). */
#ifndef LADDER_H
#define LADDER_H

#include <stdarg.h>
#include <stddef.h>

#define LADDER_VERSION "0.1.0"

/* Limits every component shares: rungs in a ladder, and the length of a rung or stream name. */
#define LADDER_MAX_RUNGS 32
#define LADDER_NAME_MAX  64

/* An H.264 profile as ladder profiles and device rules name it ("baseline", "main", "high") to
 * its profile_idc (66, 77, 100); 0 if unknown or NULL. */
int ladder_h264_profile_idc(const char *name);

/* Status codes: 0 is success, failures are negative. */
enum {
    LADDER_OK = 0,
    LADDER_EINVAL = -1,    /* a bad argument, option or profile */
    LADDER_ENOMEM = -2,    /* out of memory */
    LADDER_EIO = -3,       /* a file could not be read or written */
    LADDER_EINPUT = -4,    /* the input media is unreadable or unusable */
    LADDER_EENCODE = -5,   /* an encoder failed */
    LADDER_EEXIST = -6,    /* the destination already exists */
    LADDER_ENOTFOUND = -7, /* a file or item does not exist */
    LADDER_EBUSY = -8,     /* someone else holds the resource (a lock) */
    LADDER_EVALIDATE = -9, /* output failed validation */
};

/* Where a failed call explains itself. Callers may pass NULL when they only want the code. */
typedef struct ladder_error {
    int code;
    char msg[512];
} ladder_error;

/* Fills err (if not NULL) with code and a printf-style message; returns code so callers can
 * write `return ladder_error_set(err, LADDER_EINVAL, "...")`. */
int ladder_error_set(ladder_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A short constant name for a code ("invalid argument", ...). Never NULL. */
const char *ladder_strerror(int code);

typedef enum {
    LADDER_LOG_ERROR = 0,
    LADDER_LOG_WARN = 1,
    LADDER_LOG_INFO = 2,
    LADDER_LOG_DEBUG = 3,
} ladder_log_level;

/* The logging callback. `component` is a short tag ("tc", "x264", "prof", ...); `msg` has no
 * trailing newline and is valid only during the call. May be called from several threads at
 * once; the callback must be thread-safe. */
typedef void (*ladder_log_fn)(void *opaque, ladder_log_level level, const char *component,
                              const char *msg);

typedef struct ladder_logger {
    ladder_log_fn fn;           /* NULL: logging is off */
    void *opaque;               /* passed to fn */
    ladder_log_level max_level; /* messages above this level are dropped */
} ladder_logger;

/* Logs through lg; lg may be NULL (dropped). */
void ladder_log(const ladder_logger *lg, ladder_log_level level, const char *component,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ladder_vlog(const ladder_logger *lg, ladder_log_level level, const char *component,
                 const char *fmt, va_list ap);

/* Files and folders. All return 0 or a negative code with err filled. */
int ladder_mkdir_p(const char *path, ladder_error *err);
int ladder_rm_rf(const char *path, ladder_error *err); /* a missing path is not an error */
int ladder_path_exists(const char *path);              /* 1 if anything exists there */
int ladder_dir_is_empty(const char *path);             /* 1 if a folder with no entries */
/* Writes `len` bytes to path through path.tmp + fsync + rename, so readers see all or nothing. */
int ladder_write_file_atomic(const char *path, const void *data, size_t len, ladder_error *err);

/* Total bytes of the regular files under path (recursively); -1 if it cannot be read. */
long long ladder_tree_size(const char *path);

/* Seconds on CLOCK_MONOTONIC (clock.c): for elapsed times and deadlines, never for dates. */
double ladder_now(void);

/* Number of online CPU cores, at least 1. */
int ladder_cpu_count(void);

/* Calls fn(opaque, i) for every i in 0..n-1, on up to one thread per core (this one included),
 * and returns when all are done. The calls must not depend on each other (parallel.c). */
void ladder_parallel_for(int n, void (*fn)(void *opaque, int i), void *opaque);

/* A growing text buffer (text.c). Start from {0}; on allocation failure `failed` is set and
 * later appends are dropped, so a writer checks once at the end. s is NUL-terminated once
 * anything was appended. */
typedef struct ladder_text {
    char *s;
    size_t len, cap;
    int failed;
} ladder_text;
void ladder_text_printf(ladder_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ladder_text_free(ladder_text *t);

#endif

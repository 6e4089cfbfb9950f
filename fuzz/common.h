/* common.h: what the fuzz targets share: libFuzzer's entry points, and writing an input where a
 * reader that only takes a path can find it (a private temporary folder, or a memfd). */
#ifndef LADDER_FUZZ_COMMON_H
#define LADDER_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A new empty folder under $TMPDIR (else /tmp), removed at exit; aborts on failure. */
const char *fuzz_tempdir(void);
/* Replaces the file at path with the bytes; aborts on failure. */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);
/* A memfd named name, its "/proc/self/fd/N" path in path (at least 32 bytes); aborts on
 * failure. fuzz_memfd_set replaces its contents. */
int fuzz_memfd(const char *name, char *path, size_t len);
void fuzz_memfd_set(int fd, const uint8_t *data, size_t size);
/* A NUL-terminated copy of the bytes (malloc'd, the caller frees); aborts when out of memory. */
char *fuzz_strndup(const uint8_t *data, size_t size);

#endif

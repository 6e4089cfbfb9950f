/* common.c: helpers for the fuzz targets (common.h), and UBSan options that make undefined
 * behaviour a crash libFuzzer records, however a target is started. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "ladder.h"

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

static char tempdir[4096];

static void remove_tempdir(void)
{
    ladder_rm_rf(tempdir, NULL);
}

const char *fuzz_tempdir(void)
{
    const char *tmp = getenv("TMPDIR");

    if (tempdir[0])
        return tempdir;
    snprintf(tempdir, sizeof tempdir, "%s/ladder-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tempdir)) {
        perror(tempdir);
        abort();
    }
    atexit(remove_tempdir);
    return tempdir;
}

static void write_all(int fd, const uint8_t *data, size_t size, const char *what)
{
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) {
            perror(what);
            abort();
        }
        done += (size_t)n;
    }
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0) {
        perror(path);
        abort();
    }
    write_all(fd, data, size, path);
    close(fd);
}

int fuzz_memfd(const char *name, char *path, size_t len)
{
    int fd = memfd_create(name, MFD_CLOEXEC);

    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

void fuzz_memfd_set(int fd, const uint8_t *data, size_t size)
{
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        perror("memfd");
        abort();
    }
    write_all(fd, data, size, "memfd");
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

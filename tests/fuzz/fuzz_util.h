/*
 * fuzz_util.h -- the little the fuzz targets share: a NUL-terminated copy
 * of the input, a file descriptor holding given bytes, and temp folders.
 * Static inline so that each target stays one .c file (plus this header).
 * Every helper aborts on a failure of the environment (out of memory, no
 * /tmp): that is no finding, and must not pass for one either.
 */
#ifndef LADLE_FUZZ_UTIL_H
#define LADLE_FUZZ_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUZZ_DIE(what)                                                                             \
    do {                                                                                           \
        perror(what);                                                                              \
        abort();                                                                                   \
    } while (0)

/* data as a C string (malloc'd; the caller frees). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        FUZZ_DIE("malloc");
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A memfd holding exactly these bytes, at offset 0. */
static inline int fuzz_memfd(const void *data, size_t size)
{
    int fd = memfd_create("fuzz", MFD_CLOEXEC);
    if (fd < 0)
        FUZZ_DIE("memfd_create");
    if (size && write(fd, data, size) != (ssize_t)size)
        FUZZ_DIE("write");
    if (lseek(fd, 0, SEEK_SET) != 0)
        FUZZ_DIE("lseek");
    return fd;
}

/* Writes size bytes to path (created or truncated). */
static inline void fuzz_write_file(const char *path, const void *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        FUZZ_DIE(path);
    if (size && write(fd, data, size) != (ssize_t)size)
        FUZZ_DIE("write");
    close(fd);
}

/* A fresh folder under $TMPDIR (or /tmp), malloc'd path. */
static inline char *fuzz_mkdtemp(void)
{
    const char *t = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/ladle-fuzz-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(path))
        FUZZ_DIE("mkdtemp");
    char *p = strdup(path);
    if (!p)
        FUZZ_DIE("strdup");
    return p;
}

static inline int fuzz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

/* rm -rf path (never follows symbolic links). */
static inline void fuzz_rm_rf(const char *path)
{
    nftw(path, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif

/*
 * test_source.c -- the read engines (src/io/source*.c) on a file that
 * changes under them.
 *
 * A regular file is read up to the size it had when opened. When it
 * shrinks while being read (truncated, rewritten in place), the read that
 * finds the bytes gone must fail with LADLE_SOURCE_SHRANK, and
 * ladle_source_fail must say "NAME: file shrank while being read (from N
 * to M bytes)" with status LADLE_E_INPUT -- not end the input early with a
 * cut last record and rc 0, as it once did. A file that grows is read as
 * it was (the snapshot) without error.
 *
 * Deterministic: the file is truncated between one read's completion and
 * the next read's submission, never while a read is in flight. Both
 * engines: pread, and io_uring where the kernel allows it (else that half
 * is skipped with a note). Truncation points: mid-block, on a block edge
 * (the next read finds nothing at all), and to zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "io/source.h"
#include "test_util.h"

#define BLOCK ((size_t)64 << 10)
#define BLOCKS 3
#define NAME "shrinking.log"

static char *make_file(void)
{
    static char data[BLOCK * BLOCKS];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (i % 80 == 79) ? '\n' : (char)('a' + i % 26);
    return t_write_file(NAME, data, sizeof data);
}

static struct ladle_source *open_source(const char *path, ladle_io_mode mode, int *skipped)
{
    struct ladle_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.engine.io_mode = mode;
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_source *s = NULL;
    if (ladle_source_open(&s, path, NAME, &cfg, &err) != LADLE_OK) {
        if (mode == LADLE_IO_URING && strstr(err.msg, "io_uring unavailable")) {
            *skipped = 1;
            return NULL;
        }
        CHECKF(0, "open: %s", err.msg);
        return NULL;
    }
    CHECK(ladle_source_is_uring(s) == (mode == LADLE_IO_URING));
    return s;
}

/* Reads the first `keep_blocks` blocks, truncates the file to new_size,
 * then reads on: blocks still inside the file come back whole, and the
 * first that reaches past new_size reports the shrink. */
static void shrink_case(ladle_io_mode mode, size_t keep_blocks, uint64_t new_size)
{
    const char *mname = mode == LADLE_IO_URING ? "io_uring" : "pread";
    char *path = make_file();
    int skipped = 0;
    struct ladle_source *s = open_source(path, mode, &skipped);
    if (!s) {
        if (skipped)
            fprintf(stderr, "note: io_uring refused here: io_uring case skipped\n");
        free(path);
        return;
    }
    static char buf[BLOCKS][BLOCK];
    for (size_t b = 0; b < keep_blocks; b++) {
        CHECK(s->ops->submit(s, buf[b], BLOCK) == 0);
        ssize_t n = s->ops->wait(s);
        CHECKF(n == (ssize_t)BLOCK, "%s: block %zu read %zd bytes", mname, b, n);
    }
    CHECK(truncate(path, (off_t)new_size) == 0);
    /* Every remaining block is submitted at once (io_uring keeps them in
     * flight together); the first to come back finds the file short. */
    for (size_t b = keep_blocks; b < BLOCKS; b++)
        CHECK(s->ops->submit(s, buf[b], BLOCK) == 0);
    ssize_t n = 0;
    for (size_t b = keep_blocks; b < BLOCKS; b++) {
        n = s->ops->wait(s);
        if ((b + 1) * BLOCK <= new_size) {
            CHECKF(n == (ssize_t)BLOCK, "%s: block %zu, still in the file, read %zd bytes", mname,
                   b, n);
            continue;
        }
        CHECKF(n == LADLE_SOURCE_SHRANK,
               "%s: block %zu after truncating to %llu: got %zd, want LADLE_SOURCE_SHRANK", mname,
               b, (unsigned long long)new_size, n);
        break;
    }
    struct ladle_error err;
    ladle_error_init(&err);
    CHECK(ladle_source_fail(s, n, s->bytes_read, &err) == LADLE_E_INPUT);
    char want[160];
    snprintf(want, sizeof want, NAME ": file shrank while being read (from %zu to %llu bytes)",
             BLOCK * BLOCKS, (unsigned long long)new_size);
    CHECKF(strcmp(err.msg, want) == 0, "%s: message '%s', want '%s'", mname, err.msg, want);
    ladle_source_close(s); /* reaps the reads still in flight */
    unlink(path);
    free(path);
}

/* No change, and a file that grows: the snapshot is read, no error. */
static void stable_case(ladle_io_mode mode, int grow)
{
    const char *mname = mode == LADLE_IO_URING ? "io_uring" : "pread";
    char *path = make_file();
    int skipped = 0;
    struct ladle_source *s = open_source(path, mode, &skipped);
    if (!s) {
        free(path);
        return;
    }
    if (grow) {
        int fd = open(path, O_WRONLY | O_APPEND);
        CHECK(fd >= 0 && write(fd, "more\n", 5) == 5);
        close(fd);
    }
    static char buf[BLOCK];
    size_t total = 0;
    for (;;) {
        int rc = s->ops->submit(s, buf, BLOCK);
        if (rc == 1)
            break;
        CHECK(rc == 0);
        ssize_t n = s->ops->wait(s);
        CHECKF(n == (ssize_t)BLOCK, "%s%s: read %zd bytes", mname, grow ? " (grown)" : "", n);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    CHECKF(total == BLOCK * BLOCKS, "%s: read %zu bytes, want the %zu of the snapshot", mname,
           total, BLOCK * BLOCKS);
    ladle_source_close(s);
    unlink(path);
    free(path);
}

int main(void)
{
    static const ladle_io_mode modes[] = {LADLE_IO_PREAD, LADLE_IO_URING};
    for (size_t m = 0; m < 2; m++) {
        shrink_case(modes[m], 1, BLOCK + 1000);   /* mid-block */
        shrink_case(modes[m], 1, 2 * BLOCK);      /* on an edge: the third block finds nothing */
        shrink_case(modes[m], 2, 2 * BLOCK + 17); /* only the last block short */
        shrink_case(modes[m], 1, 0);              /* emptied */
        shrink_case(modes[m], 0, BLOCK * BLOCKS - 1); /* one byte gone, before any read */
        stable_case(modes[m], 0);
        stable_case(modes[m], 1);
    }
    return t_done("test_source");
}

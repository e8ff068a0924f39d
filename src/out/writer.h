/*
 * writer.h -- buffered output to a file descriptor.
 *
 * A reader that goes away (`ladle ... | head`) is not an error: the writer
 * notes it (closed = 1) and the run stops quietly.
 */
#ifndef LADLE_WRITER_H
#define LADLE_WRITER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct ladle_writer {
    int fd;
    char *buf;       /* owns */
    size_t len, cap;
    int closed;      /* the reader went away (EPIPE) */
    uint64_t records;
    struct ladle_error *err; /* borrowed */
    const atomic_int *cancel; /* borrowed, may be NULL: a write interrupted
                                 (EINTR) once it is set gives up */
};

/* fd < 0: a writer that discards (passes that only gather state). */
ladle_status ladle_writer_init(struct ladle_writer *w, int fd, struct ladle_error *err);
/* Appends len bytes. Returns LADLE_OK also once closed (bytes are dropped). */
ladle_status ladle_writer_write(struct ladle_writer *w, const void *data, size_t len);
ladle_status ladle_writer_flush(struct ladle_writer *w);
void ladle_writer_destroy(struct ladle_writer *w);

#endif

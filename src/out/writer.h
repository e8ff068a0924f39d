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

struct ladle_record_sink;

struct ladle_writer {
    int fd;
    char *buf; /* owns */
    size_t len, cap;
    int closed; /* the reader went away (EPIPE) */
    uint64_t records;
    struct ladle_error *err;  /* borrowed */
    const atomic_int *cancel; /* borrowed, may be NULL: a write interrupted
                                 (EINTR) once it is set gives up */
    /* When set (split runs), whole records written with ladle_writer_record
     * go here instead, with the key and input they came from. */
    ladle_status (*record_hook)(void *arg, const char *rec, size_t len, uint64_t key,
                                uint32_t input);
    void *hook_arg;
    /* When set (ladle_job_run_sink), records go to the host's function
     * instead of fd, unbuffered. Borrowed. */
    struct ladle_record_sink *sink;
};

/* fd < 0: a writer that discards (passes that only gather state). */
ladle_status ladle_writer_init(struct ladle_writer *w, int fd, struct ladle_error *err);
/* Appends len bytes. Returns LADLE_OK also once closed (bytes are dropped). */
ladle_status ladle_writer_write(struct ladle_writer *w, const void *data, size_t len);
/* The --header line: written like ladle_writer_write; a sink is told it is
 * the header. */
ladle_status ladle_writer_header(struct ladle_writer *w, const void *data, size_t len);
ladle_status ladle_writer_flush(struct ladle_writer *w);
/* One whole record (ending in '\n') with its key and input: to the record
 * hook if there is one, else written like ladle_writer_write. Counts it. */
ladle_status ladle_writer_record(struct ladle_writer *w, const char *rec, size_t len, uint64_t key,
                                 uint32_t input);
void ladle_writer_destroy(struct ladle_writer *w);

#endif

/*
 * source.h -- where compressed or plain bytes come from.
 *
 * A source is a FIFO of reads: the caller submits buffers, each to receive
 * the next bytes of the file, and waits for them in submission order. The
 * io_uring engine keeps several of those reads in flight; the sync engine
 * (pread on files, read on pipes and stdin) performs each one in wait().
 * Callers never know which engine they run, as with fio's ioengine_ops.
 */
#ifndef LADLE_SOURCE_H
#define LADLE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/config.h"
#include "common/error.h"

#define LADLE_SOURCE_MAX_INFLIGHT 8

/* wait()'s result when a regular file shrank under the reader: not an
 * errno (no errno means that), so that it cannot be mistaken for one. */
#define LADLE_SOURCE_SHRANK ((ssize_t)-1000000)

struct ladle_source;

struct ladle_source_ops {
    const char *name;
    /* Queues a read of up to len bytes (the next ones after every earlier
     * submission) into buf. 0: queued; 1: nothing left to read (EOF known
     * ahead, for regular files); -errno on failure. */
    int (*submit)(struct ladle_source *s, void *buf, size_t len);
    /* Completes the oldest queued read: its byte count (short only at the
     * end of a pipe), 0 at end of input, -errno on failure, or
     * LADLE_SOURCE_SHRANK when a regular file ends before the size it had
     * when opened. Report failures with ladle_source_fail. */
    ssize_t (*wait)(struct ladle_source *s);
    void (*close)(struct ladle_source *s);
};

struct ladle_read {
    void *buf;
    size_t len;
    uint64_t off;
    ssize_t res;
    bool done;
};

struct ladle_source {
    const struct ladle_source_ops *ops;
    const char *name; /* borrowed: display name ("<stdin>" for "-") */
    const char *path; /* borrowed: as opened ("-": stdin) */
    int fd;
    bool regular; /* a regular file: pread/io_uring at offsets */
    bool drop_cache;
    uint64_t size;       /* regular files: size when opened (the snapshot read) */
    uint64_t shrank_to;  /* after LADLE_SOURCE_SHRANK: the size found then */
    uint64_t next_off;   /* offset of the next submission */
    uint64_t bytes_read; /* bytes delivered by wait() so far */
    uint64_t dropped_to; /* page cache released below this offset */
    /* Pipes: bytes read ahead (a peek, a probe of the first record) and
     * served again first. pushback[pb_pos..pb_len) is still to serve;
     * while `keep` is set every byte read is also appended here, so that
     * ladle_source_rewind can serve the pipe again from byte 0. */
    unsigned char *pushback; /* owns */
    size_t pb_len, pb_pos, pb_cap;
    bool keep;
    bool hold; /* the probe is done: reads of a pipe give nothing until the rewind */
    struct ladle_read q[LADLE_SOURCE_MAX_INFLIGHT];
    unsigned q_head, q_count;
    bool at_eof;  /* a pipe returned end of file */
    int stop_fd;  /* borrowed, -1 if none: readable once the run stops (a pipe
                     read then gives up) */
    void *engine; /* owns: engine state (the io_uring ring) */
    /* May be NULL: asked when a wait for a pipe is interrupted by a
     * signal before there is a stop_fd (the probe, before the engine). */
    bool (*stopping)(void *arg);
    void *stopping_arg;
};

/* Opens path ("-" is stdin) with the engine the config asks for. On
 * failure records "NAME: what" in err and returns its status. With
 * LADLE_IO_AUTO, a refused io_uring falls back to sync and calls notify. */
ladle_status ladle_source_open(struct ladle_source **out, const char *path, const char *name,
                               const struct ladle_config *cfg, struct ladle_error *err);
void ladle_source_close(struct ladle_source *s);

/* Reads up to n leading bytes for format detection without
 * consuming them. Returns the count read or -errno. */
ssize_t ladle_source_peek(struct ladle_source *s, unsigned char *buf, size_t n);

/* Records why a read failed (rc from submit or wait) in err, in the form
 * "NAME: what (where)", at is the input byte the read started at; returns
 * LADLE_E_INPUT. A file that shrank while being read is an input error
 * (else its last record would be silently cut). */
ladle_status ladle_source_fail(const struct ladle_source *s, ssize_t rc, uint64_t at,
                               struct ladle_error *err);

/* Pipes: appends n bytes to serve after those already pushed back; 0, or
 * -ENOMEM. */
int ladle_source_pushback_add(struct ladle_source *s, const void *p, size_t n);
/* Pipes: from now on keep every byte read, for ladle_source_rewind. */
void ladle_source_keep(struct ladle_source *s);
/* Pipes: the next reads start again at byte 0, served from the bytes kept
 * since ladle_source_keep, then from the pipe. No read may be in flight.
 * Regular files are reopened instead. */
void ladle_source_rewind(struct ladle_source *s);

/* A signal came while a pipe read waited, before the engine's stop fd. */
static inline bool ladle_source_interrupted(const struct ladle_source *s)
{
    return s->stopping && s->stopping(s->stopping_arg);
}

/* Nonzero if the source runs on io_uring. */
int ladle_source_is_uring(const struct ladle_source *s);

/* Shared by engines: FIFO bookkeeping and page-cache release. */
struct ladle_read *ladle_source_push(struct ladle_source *s, void *buf, size_t len);
/* Retires the oldest read with result res and returns wait()'s result: res,
 * or LADLE_SOURCE_SHRANK for a short read of a regular file (reads are
 * clipped to the size at open, so short means the file lost bytes). */
ssize_t ladle_source_pop(struct ladle_source *s, ssize_t res);
void ladle_source_after_read(struct ladle_source *s, uint64_t end_off);
/* Pipes: waits until s->fd is readable; 0 if the run is stopping first. */
int ladle_source_wait_readable(struct ladle_source *s);
/* pread until len bytes or end of file (the io_uring engine finishes short reads so). */
ssize_t ladle_source_pread_full(struct ladle_source *s, char *buf, size_t len, uint64_t off);

/* The engines. */
int ladle_source_uring_init(struct ladle_source *s, unsigned depth);
int ladle_source_sync_init(struct ladle_source *s);

#endif

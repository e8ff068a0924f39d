/*
 * writer.c -- buffered, EPIPE-aware output (see writer.h). Large writes
 * bypass the buffer.
 */
#include "out/writer.h"

#include "out/record_sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WRITER_BUF ((size_t)1 << 20)

ladle_status ladle_writer_init(struct ladle_writer *w, int fd, struct ladle_error *err)
{
    memset(w, 0, sizeof *w);
    w->fd = fd;
    w->err = err;
    w->cap = WRITER_BUF;
    w->buf = malloc(w->cap);
    if (!w->buf)
        return ladle_error_set(err, LADLE_E_INTERNAL, "output: out of memory");
    return LADLE_OK;
}

static ladle_status write_all(struct ladle_writer *w, const char *p, size_t n)
{
    if (w->fd < 0)
        return LADLE_OK; /* a pass that only gathers: nothing to write */
    while (n && !w->closed) {
        /* A signal ends a write to a stalled reader early: EINTR, or a
         * short count when some bytes went through first. */
        if (w->cancel && atomic_load(w->cancel))
            return ladle_error_set(w->err, LADLE_E_INTERRUPTED, "interrupted");
        ssize_t r = write(w->fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EPIPE) {
            w->closed = 1;
            break;
        }
        if (r < 0)
            return ladle_error_set(w->err, LADLE_E_OUTPUT, "<stdout>: write failed: %s",
                                   strerror(errno));
        p += r;
        n -= (size_t)r;
    }
    return LADLE_OK;
}

ladle_status ladle_writer_flush(struct ladle_writer *w)
{
    if (w->sink)
        return ladle_record_sink_finish(w->sink, w->err);
    ladle_status st = write_all(w, w->buf, w->len);
    w->len = 0;
    return st;
}

ladle_status ladle_writer_write(struct ladle_writer *w, const void *data, size_t len)
{
    if (w->closed || len == 0)
        return LADLE_OK;
    if (w->sink) {
        ladle_status st = ladle_record_sink_feed(w->sink, data, len, w->err);
        if (w->sink->stopped)
            w->closed = 1; /* the host asked to stop: as if the reader left */
        return st;
    }
    if (w->len + len > w->cap) {
        ladle_status st = ladle_writer_flush(w);
        if (st != LADLE_OK)
            return st;
        if (len >= w->cap)
            return write_all(w, data, len);
    }
    memcpy(w->buf + w->len, data, len);
    w->len += len;
    return LADLE_OK;
}

ladle_status ladle_writer_header(struct ladle_writer *w, const void *data, size_t len)
{
    if (w->sink)
        w->sink->header = 1;
    ladle_status st = ladle_writer_write(w, data, len);
    if (w->sink)
        w->sink->header = 0;
    return st;
}

void ladle_writer_destroy(struct ladle_writer *w)
{
    free(w->buf);
    w->buf = NULL;
}

ladle_status ladle_writer_record(struct ladle_writer *w, const char *rec, size_t len, uint64_t key,
                                 uint32_t input)
{
    ladle_status st = w->record_hook ? w->record_hook(w->hook_arg, rec, len, key, input)
                                     : ladle_writer_write(w, rec, len);
    w->records++;
    return st;
}

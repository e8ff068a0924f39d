/*
 * codec_plain.c -- uncompressed input: the source reads straight into
 * chunk memory (no copy), with up to PLAIN_DEPTH chunk-sized reads in
 * flight on io_uring.
 */
#include "codec/codec.h"

#include <stdlib.h>
#include <string.h>

#define PLAIN_DEPTH 4

struct plain_state {
    struct ladle_chunk *fifo[PLAIN_DEPTH];
    unsigned head, count, depth;
    int eof_submitted;
};

static ladle_status plain_open(struct ladle_decoder *d)
{
    struct plain_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_error_set(d->err, LADLE_E_INTERNAL, "%s: out of memory", d->name);
    st->depth = ladle_source_is_uring(d->src) ? PLAIN_DEPTH : 1;
    d->state = st;
    return LADLE_OK;
}

static ladle_status plain_next(struct ladle_decoder *d, struct ladle_chunk **out)
{
    struct plain_state *st = d->state;
    *out = NULL;
    while (st->count < st->depth && !st->eof_submitted) {
        struct ladle_chunk *ck =
            st->count == 0 ? d->chunks->get(d->chunks->arg) : d->chunks->try_get(d->chunks->arg);
        if (!ck)
            break;
        int rc = d->src->ops->submit(d->src, ck->data, d->chunks->chunk_size);
        if (rc != 0) {
            ladle_chunk_put(ck);
            if (rc < 0)
                return ladle_error_set(d->err, LADLE_E_INPUT, "%s: read failed: %s", d->name,
                                       strerror(-rc));
            st->eof_submitted = 1;
            break;
        }
        st->fifo[(st->head + st->count) % PLAIN_DEPTH] = ck;
        st->count++;
    }
    if (st->count == 0)
        return LADLE_OK;
    uint64_t at = d->src->bytes_read;
    ssize_t n = d->src->ops->wait(d->src);
    struct ladle_chunk *ck = st->fifo[st->head];
    st->head = (st->head + 1) % PLAIN_DEPTH;
    st->count--;
    if (n <= 0) {
        ladle_chunk_put(ck);
        if (n < 0)
            return ladle_source_fail(d->src, n, at, d->err);
        st->eof_submitted = 1; /* a pipe ended */
        return LADLE_OK;
    }
    ck->len = (size_t)n;
    *out = ck;
    return LADLE_OK;
}

static void plain_close(struct ladle_decoder *d)
{
    struct plain_state *st = d->state;
    if (!st)
        return;
    /* Reap reads still in flight before their chunks go back to the pool. */
    while (st->count) {
        (void)d->src->ops->wait(d->src);
        ladle_chunk_put(st->fifo[st->head]);
        st->head = (st->head + 1) % PLAIN_DEPTH;
        st->count--;
    }
    free(st);
    d->state = NULL;
}

const struct ladle_codec_ops ladle_codec_plain = {
    .name = "plain",
    .open = plain_open,
    .next = plain_next,
    .close = plain_close,
};

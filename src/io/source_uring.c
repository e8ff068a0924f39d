/*
 * source_uring.c -- the io_uring engine: up to LADLE_SOURCE_MAX_INFLIGHT
 * reads of one file in flight, so the disk (or the page-cache copy) works
 * while the decoder and workers chew on earlier bytes.
 *
 * Completions may arrive out of order; each carries its queue slot in
 * user_data and wait() returns them in submission order. A short read
 * before the snapshot size (a signal, a network filesystem) is finished
 * with pread rather than re-queued, which keeps the FIFO simple; one still
 * short after that means the file shrank (ladle_source_pop).
 */
#include "io/source.h"

#include <errno.h>
#include <liburing.h>
#include <stdlib.h>

struct uring_engine {
    struct io_uring ring;
};

static int uring_submit(struct ladle_source *s, void *buf, size_t len)
{
    struct uring_engine *u = s->engine;
    if (s->next_off >= s->size)
        return 1;
    if (len > s->size - s->next_off)
        len = (size_t)(s->size - s->next_off);
    struct ladle_read *r = ladle_source_push(s, buf, len);
    if (!r)
        return -EAGAIN;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
    if (!sqe) {
        s->q_count--; /* undo the push */
        return -EAGAIN;
    }
    io_uring_prep_read(sqe, s->fd, buf, (unsigned)len, s->next_off);
    io_uring_sqe_set_data64(sqe, (uint64_t)(r - s->q));
    s->next_off += len;
    int rc = io_uring_submit(&u->ring);
    return rc < 0 ? rc : 0;
}

static ssize_t uring_wait(struct ladle_source *s)
{
    struct uring_engine *u = s->engine;
    if (s->q_count == 0)
        return 0;
    struct ladle_read *r = &s->q[s->q_head];
    while (!r->done) {
        struct io_uring_cqe *cqe;
        int rc = io_uring_wait_cqe(&u->ring, &cqe);
        if (rc == -EINTR)
            continue;
        if (rc < 0)
            return rc;
        struct ladle_read *done = &s->q[io_uring_cqe_get_data64(cqe)];
        done->res = cqe->res;
        done->done = true;
        io_uring_cqe_seen(&u->ring, cqe);
    }
    ssize_t res = r->res;
    if (res == -EINTR || res == -EAGAIN)
        res = 0; /* retried below as a short read */
    if (res >= 0 && (size_t)res < r->len) {
        ssize_t more = ladle_source_pread_full(s, (char *)r->buf + res, r->len - (size_t)res,
                                               r->off + (uint64_t)res);
        res = more < 0 ? more : res + more;
    }
    return ladle_source_pop(s, res);
}

static void uring_close(struct ladle_source *s)
{
    struct uring_engine *u = s->engine;
    if (!u)
        return;
    /* Reap reads still in flight before their buffers go away. */
    while (s->q_count) {
        struct ladle_read *r = &s->q[s->q_head];
        while (!r->done) {
            struct io_uring_cqe *cqe;
            if (io_uring_wait_cqe(&u->ring, &cqe) < 0)
                break;
            s->q[io_uring_cqe_get_data64(cqe)].done = true;
            io_uring_cqe_seen(&u->ring, cqe);
        }
        s->q_head = (s->q_head + 1) % LADLE_SOURCE_MAX_INFLIGHT;
        s->q_count--;
    }
    io_uring_queue_exit(&u->ring);
    free(u);
    s->engine = NULL;
}

static const struct ladle_source_ops uring_ops = {
    .name = "io_uring",
    .submit = uring_submit,
    .wait = uring_wait,
    .close = uring_close,
};

int ladle_source_uring_init(struct ladle_source *s, unsigned depth)
{
    struct uring_engine *u = calloc(1, sizeof *u);
    if (!u)
        return -ENOMEM;
    int rc = io_uring_queue_init(depth, &u->ring, 0);
    if (rc < 0) {
        free(u);
        return rc;
    }
    s->engine = u;
    s->ops = &uring_ops;
    return 0;
}

/*
 * source_sync.c -- the fallback engine: pread(2) on regular files, read(2)
 * on pipes and stdin. Each read happens in wait(), so there is nothing in
 * flight; the kernel's sequential read-ahead still overlaps disk and work.
 */
#include "io/source.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

static int sync_submit(struct ladle_source *s, void *buf, size_t len)
{
    if (s->regular) {
        if (s->next_off >= s->size)
            return 1;
        if (len > s->size - s->next_off)
            len = (size_t)(s->size - s->next_off);
    } else if (s->at_eof && s->pb_pos == s->pb_len) {
        return 1;
    }
    if (!ladle_source_push(s, buf, len))
        return -EAGAIN;
    s->next_off += len;
    return 0;
}

int ladle_source_wait_readable(struct ladle_source *s)
{
    /* Wait on the stop fd too, so an interrupted run is not held hostage
     * by a silent writer (`sleep 1d | ladle ...`, then ^C). */
    for (;;) {
        if (ladle_source_interrupted(s))
            return 0; /* a signal came before the wait: it stays set */
        struct pollfd pfd[2] = {{.fd = s->fd, .events = POLLIN},
                                {.fd = s->stop_fd, .events = POLLIN}};
        int ready = poll(pfd, s->stop_fd >= 0 ? 2 : 1, -1);
        if (ready > 0 && s->stop_fd >= 0 && pfd[1].revents)
            return 0;
        if (ready > 0 || (ready < 0 && errno != EINTR))
            return 1; /* readable, hung up, or an error read() will report */
    }
}

static ssize_t fill_from_pipe(struct ladle_source *s, char *buf, size_t len)
{
    size_t got = 0;
    if (s->hold)
        return 0;
    if (s->pb_pos < s->pb_len) {
        size_t n = s->pb_len - s->pb_pos < len ? s->pb_len - s->pb_pos : len;
        memcpy(buf, s->pushback + s->pb_pos, n);
        s->pb_pos += n;
        got = n;
        if (s->pb_pos == s->pb_len && !s->keep)
            s->pb_pos = s->pb_len = 0; /* served: the buffer is free again */
    }
    while (got < len && !s->at_eof) {
        if (!ladle_source_wait_readable(s))
            return (ssize_t)got; /* stopping: the caller sees the flag */
        ssize_t r = read(s->fd, buf + got, len - got);
        if (r < 0 && errno == EINTR && ladle_source_interrupted(s))
            return (ssize_t)got;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            s->at_eof = true;
        got += (size_t)r;
        /* Probing: what is read now is read again after the rewind, and a
         * first record needs no full chunk (its writer may pause there). */
        if (s->keep && r > 0) {
            if (ladle_source_pushback_add(s, buf + got - (size_t)r, (size_t)r) != 0)
                return -ENOMEM;
            s->pb_pos = s->pb_len;
            break;
        }
    }
    return (ssize_t)got;
}

static ssize_t fill_at_offset(struct ladle_source *s, char *buf, size_t len, uint64_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(s->fd, buf + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            break; /* the file shrank while we read it: see ladle_source_pop */
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static ssize_t sync_wait(struct ladle_source *s)
{
    if (s->q_count == 0)
        return 0;
    struct ladle_read *r = &s->q[s->q_head];
    ssize_t res =
        s->regular ? fill_at_offset(s, r->buf, r->len, r->off) : fill_from_pipe(s, r->buf, r->len);
    return ladle_source_pop(s, res);
}

static const struct ladle_source_ops sync_ops = {
    .name = "sync",
    .submit = sync_submit,
    .wait = sync_wait,
    .close = NULL,
};

int ladle_source_sync_init(struct ladle_source *s)
{
    s->ops = &sync_ops;
    return 0;
}

ssize_t ladle_source_pread_full(struct ladle_source *s, char *buf, size_t len, uint64_t off)
{
    return fill_at_offset(s, buf, len, off);
}

/*
 * source.c -- opening inputs and choosing the read engine.
 *
 * Regular files are read at explicit offsets up to the size they had when
 * opened (a snapshot: a log still being appended to is read as it was),
 * with sequential read-ahead requested from the kernel. A file that
 * shrinks under the reader fails the run rather than end it early with a
 * cut last record. Pipes and stdin
 * are read in order with read(2).
 */
#include "io/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Release cached pages in steps of this size, not per read. */
#define DROP_CACHE_STEP ((uint64_t)8 << 20)

ladle_status ladle_source_open(struct ladle_source **out, const char *path, const char *name,
                               const struct ladle_config *cfg, struct ladle_error *err)
{
    *out = NULL;
    struct ladle_source *s = calloc(1, sizeof *s);
    if (!s)
        return ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", name);
    s->stop_fd = -1;
    s->name = name;
    s->path = path;
    if (strcmp(path, "-") == 0) {
        s->fd = STDIN_FILENO;
    } else {
        /* O_NONBLOCK: opening a FIFO no writer has opened yet must not
         * block (a signal could not end the run); reads then wait in
         * ladle_source_wait_readable, which watches the stop fd. */
        s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (s->fd < 0) {
            int e = errno;
            free(s);
            return ladle_error_set(err, LADLE_E_INPUT, "%s: cannot open: %s", name, strerror(e));
        }
        int fl = fcntl(s->fd, F_GETFL);
        if (fl >= 0)
            (void)fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK);
    }
    struct stat st;
    if (fstat(s->fd, &st) != 0) {
        int e = errno;
        ladle_source_close(s);
        return ladle_error_set(err, LADLE_E_INPUT, "%s: cannot stat: %s", name, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        ladle_source_close(s);
        return ladle_error_set(err, LADLE_E_INPUT, "%s: is a directory", name);
    }
    s->regular = S_ISREG(st.st_mode);
    s->size = s->regular ? (uint64_t)st.st_size : UINT64_MAX;
    s->drop_cache = cfg->engine.drop_cache && s->regular;
    if (s->regular)
        (void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);

    int rc = -ENOSYS;
    if (s->regular && cfg->engine.io_mode != LADLE_IO_PREAD) {
        rc = ladle_source_uring_init(s, LADLE_SOURCE_MAX_INFLIGHT);
        if (rc < 0 && cfg->engine.io_mode == LADLE_IO_URING) {
            ladle_source_close(s);
            return ladle_error_set(err, LADLE_E_INPUT, "%s: io_uring unavailable: %s", name,
                                   strerror(-rc));
        }
        if (rc < 0 && cfg->engine.notify) {
            char line[256];
            snprintf(line, sizeof line, "%s: io_uring unavailable (%s), reading with pread", name,
                     strerror(-rc));
            cfg->engine.notify(cfg->engine.notify_arg, line);
        }
    }
    if (rc < 0)
        ladle_source_sync_init(s);
    *out = s;
    return LADLE_OK;
}

void ladle_source_close(struct ladle_source *s)
{
    if (!s)
        return;
    if (s->ops && s->ops->close)
        s->ops->close(s);
    if (s->fd > STDIN_FILENO)
        close(s->fd);
    free(s->pushback);
    free(s);
}

/* Appends n bytes to the pushback buffer; -ENOMEM if it cannot grow. */
int ladle_source_pushback_add(struct ladle_source *s, const void *p, size_t n)
{
    if (s->pb_len + n > s->pb_cap) {
        size_t cap = s->pb_cap ? s->pb_cap : 4096;
        while (cap < s->pb_len + n)
            cap *= 2;
        unsigned char *b = realloc(s->pushback, cap);
        if (!b)
            return -ENOMEM;
        s->pushback = b;
        s->pb_cap = cap;
    }
    memcpy(s->pushback + s->pb_len, p, n);
    s->pb_len += n;
    return 0;
}

ssize_t ladle_source_peek(struct ladle_source *s, unsigned char *buf, size_t n)
{
    if (s->regular) {
        ssize_t r;
        do
            r = pread(s->fd, buf, n, 0);
        while (r < 0 && errno == EINTR);
        return r < 0 ? -errno : r;
    }
    /* A pipe cannot seek back: keep what we read and serve it first. */
    while (s->pb_len - s->pb_pos < n && !s->at_eof) {
        if (!ladle_source_wait_readable(s))
            break; /* stopping: the caller sees the flag */
        unsigned char tmp[64];
        size_t want = n - (s->pb_len - s->pb_pos);
        ssize_t r = read(s->fd, tmp, want < sizeof tmp ? want : sizeof tmp);
        if (r < 0 && errno == EINTR && ladle_source_interrupted(s))
            break;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0) {
            s->at_eof = true;
            break;
        }
        if (ladle_source_pushback_add(s, tmp, (size_t)r) != 0)
            return -ENOMEM;
    }
    size_t have = s->pb_len - s->pb_pos < n ? s->pb_len - s->pb_pos : n;
    if (have) /* an empty pushback has no buffer */
        memcpy(buf, s->pushback + s->pb_pos, have);
    return (ssize_t)have;
}

void ladle_source_keep(struct ladle_source *s)
{
    if (!s->regular)
        s->keep = true;
}

void ladle_source_rewind(struct ladle_source *s)
{
    s->keep = false;
    s->hold = false;
    s->pb_pos = 0;
    s->next_off = 0;
    s->bytes_read = 0;
    s->q_head = s->q_count = 0;
}

int ladle_source_is_uring(const struct ladle_source *s)
{
    return s->ops && strcmp(s->ops->name, "io_uring") == 0;
}

struct ladle_read *ladle_source_push(struct ladle_source *s, void *buf, size_t len)
{
    if (s->q_count == LADLE_SOURCE_MAX_INFLIGHT)
        return NULL;
    unsigned slot = (s->q_head + s->q_count) % LADLE_SOURCE_MAX_INFLIGHT;
    struct ladle_read *r = &s->q[slot];
    r->buf = buf;
    r->len = len;
    r->off = s->next_off;
    r->res = 0;
    r->done = false;
    s->q_count++;
    return r;
}

ssize_t ladle_source_pop(struct ladle_source *s, ssize_t res)
{
    struct ladle_read *r = &s->q[s->q_head];
    s->q_head = (s->q_head + 1) % LADLE_SOURCE_MAX_INFLIGHT;
    s->q_count--;
    if (res > 0) {
        s->bytes_read += (uint64_t)res;
        ladle_source_after_read(s, r->off + (uint64_t)res);
    }
    if (s->regular && res >= 0 && (size_t)res < r->len) {
        /* The engines finish short reads up to end of file: the file is
         * shorter now than when it was opened (truncated, or rewritten in
         * place). Name the size found, or where the bytes ran out if it
         * has grown back since. */
        uint64_t end = r->off + (uint64_t)res;
        struct stat st;
        s->shrank_to =
            fstat(s->fd, &st) == 0 && (uint64_t)st.st_size < end ? (uint64_t)st.st_size : end;
        return LADLE_SOURCE_SHRANK;
    }
    return res;
}

ladle_status ladle_source_fail(const struct ladle_source *s, ssize_t rc, uint64_t at,
                               struct ladle_error *err)
{
    if (rc == LADLE_SOURCE_SHRANK)
        return ladle_error_set(
            err, LADLE_E_INPUT, "%s: file shrank while being read (from %llu to %llu bytes)",
            s->name, (unsigned long long)s->size, (unsigned long long)s->shrank_to);
    return ladle_error_set(err, LADLE_E_INPUT, "%s: read failed: %s (at byte %llu)", s->name,
                           strerror((int)-rc), (unsigned long long)at);
}

void ladle_source_after_read(struct ladle_source *s, uint64_t end_off)
{
    if (!s->drop_cache || end_off < s->dropped_to + DROP_CACHE_STEP)
        return;
    /* The bytes are in our buffer now: the kernel's copy only evicts pages
     * a data server's other jobs need. */
    (void)posix_fadvise(s->fd, (off_t)s->dropped_to, (off_t)(end_off - s->dropped_to),
                        POSIX_FADV_DONTNEED);
    s->dropped_to = end_off;
}

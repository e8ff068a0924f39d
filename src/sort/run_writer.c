/*
 * run_writer.c -- sorted runs to an unnamed temporary file (see
 * run_writer.h).
 */
#include "sort/run_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "engine/tasks.h"

#define FRAME ((size_t)512 << 10) /* uncompressed bytes per frame (more: one long record) */
#define WINDOW_LOG 17             /* the window each run's reader holds: 128 KiB */
#define EXTRA_FRAMES 2            /* frames in flight beyond one per thread */

struct frame {
    struct ladle_task task; /* first: the task's arg is the frame */
    struct ladle_run_writer *w;
    char *raw, *comp; /* owns */
    size_t len, cap, clen, ccap;
    size_t zerr; /* a zstd error code, or 0 */
    int nomem;   /* no context or output buffer */
};

struct ladle_run_writer {
    char *dir; /* owns */
    int fd;
    unsigned helpers;
    const atomic_int *cancel;
    struct ladle_error *err;
    struct ladle_tasks *tasks; /* owns */
    ZSTD_CCtx **cctx;          /* owns: one per slot, made on first use */
    struct frame *frames;      /* owns: a ring; head is the oldest in flight */
    unsigned nframes, head, inflight;
    uint64_t file_end, run_start;
};

static ladle_status nomem(struct ladle_run_writer *w)
{
    return ladle_error_set(w->err, LADLE_E_INTERNAL, "shuffle: out of memory");
}

/* O_TMPFILE where the file system has it, else a name unlinked at once. */
static int open_tmp(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
    size_t n = strlen(dir) + sizeof "/ladle-shuffle-XXXXXX";
    char *path = malloc(n);
    if (!path)
        return -1;
    snprintf(path, n, "%s/ladle-shuffle-XXXXXX", dir);
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    free(path);
    return fd;
}

struct ladle_run_writer *ladle_run_writer_new(const char *dir, unsigned helpers,
                                              const atomic_int *cancel, struct ladle_error *err)
{
    struct ladle_run_writer *w = calloc(1, sizeof *w);
    if (!w) {
        ladle_error_set(err, LADLE_E_INTERNAL, "shuffle: out of memory");
        return NULL;
    }
    w->err = err;
    w->cancel = cancel;
    w->helpers = helpers;
    w->nframes = helpers + 1 + EXTRA_FRAMES;
    w->fd = open_tmp(dir);
    if (w->fd < 0) {
        ladle_error_set(err, LADLE_E_OUTPUT,
                        "%s: cannot create a temporary file: %s (shuffle runs; --tmpdir picks "
                        "another folder)",
                        dir, strerror(errno));
        free(w);
        return NULL;
    }
    w->dir = strdup(dir);
    w->tasks = ladle_tasks_new();
    w->cctx = calloc(helpers + 1, sizeof *w->cctx);
    w->frames = calloc(w->nframes, sizeof *w->frames);
    if (!w->dir || !w->tasks || !w->cctx || !w->frames) {
        nomem(w);
        ladle_run_writer_free(w);
        return NULL;
    }
    for (unsigned k = 0; k < w->nframes; k++)
        w->frames[k].w = w;
    return w;
}

void ladle_run_writer_set_wake(struct ladle_run_writer *w, void (*wake)(void *arg), void *arg)
{
    ladle_tasks_set_wake(w->tasks, wake, arg);
}

void ladle_run_writer_help(struct ladle_run_writer *w, unsigned slot)
{
    if (!(w->cancel && atomic_load(w->cancel)))
        ladle_tasks_run_one(w->tasks, slot);
}

/* A task: compresses one frame with the slot's context (one thread per
 * slot at a time). */
static void compress_frame(void *arg, unsigned slot)
{
    struct frame *f = arg;
    struct ladle_run_writer *w = f->w;
    ZSTD_CCtx *z = w->cctx[slot];
    if (!z && (z = w->cctx[slot] = ZSTD_createCCtx())) {
        ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 1);
        ZSTD_CCtx_setParameter(z, ZSTD_c_windowLog, WINDOW_LOG);
    }
    size_t bound = ZSTD_compressBound(f->len);
    if (z && f->ccap < bound) {
        char *p = realloc(f->comp, bound);
        if (p) {
            f->comp = p;
            f->ccap = bound;
        }
    }
    f->nomem = !z || f->ccap < bound;
    if (f->nomem)
        return;
    size_t r = ZSTD_compress2(z, f->comp, f->ccap, f->raw, f->len);
    f->zerr = ZSTD_isError(r) ? r : 0;
    f->clen = ZSTD_isError(r) ? 0 : r;
}

static ladle_status write_all(struct ladle_run_writer *w, const char *p, size_t n)
{
    while (n) {
        ssize_t got = write(w->fd, p, n);
        if (got < 0 && errno == EINTR) {
            if (w->cancel && atomic_load(w->cancel))
                return ladle_error_set(w->err, LADLE_E_INTERRUPTED, "interrupted");
            continue;
        }
        if (got <= 0) {
            int e = got < 0 ? errno : ENOSPC;
            return ladle_error_set(w->err, LADLE_E_OUTPUT,
                                   "%s: %s (writing a shuffle run; --tmpdir picks another folder)",
                                   w->dir, e == ENOSPC ? "no space left on device" : strerror(e));
        }
        p += got;
        n -= (size_t)got;
        w->file_end += (uint64_t)got;
    }
    return LADLE_OK;
}

/* Waits for the oldest frame in flight (compressing waiting ones
 * meanwhile) and writes it. */
static ladle_status retire_oldest(struct ladle_run_writer *w)
{
    struct frame *f = &w->frames[w->head];
    ladle_task_wait(w->tasks, &f->task, w->helpers);
    w->head = (w->head + 1) % w->nframes;
    w->inflight--;
    f->len = 0;
    if (f->nomem)
        return nomem(w);
    if (f->zerr)
        return ladle_error_set(w->err, LADLE_E_INTERNAL, "shuffle: zstd: %s",
                               ZSTD_getErrorName(f->zerr));
    return write_all(w, f->comp, f->clen);
}

static struct frame *filling(struct ladle_run_writer *w)
{
    return &w->frames[(w->head + w->inflight) % w->nframes];
}

/* Queues the frame being filled; a free one is next. */
static ladle_status submit(struct ladle_run_writer *w)
{
    struct frame *f = filling(w);
    f->task.fn = compress_frame;
    f->task.arg = f;
    w->inflight++;
    ladle_tasks_submit(w->tasks, &f->task);
    return w->inflight == w->nframes ? retire_oldest(w) : LADLE_OK;
}

ladle_status ladle_run_writer_add(struct ladle_run_writer *w, const void *p, size_t n)
{
    struct frame *f = filling(w);
    if (f->len && f->len + n > FRAME) {
        ladle_status st = submit(w);
        if (st != LADLE_OK)
            return st;
        f = filling(w);
    }
    if (f->len + n > f->cap) {
        size_t cap = f->len + n > FRAME ? f->len + n : FRAME;
        char *raw = realloc(f->raw, cap);
        if (!raw)
            return nomem(w);
        f->raw = raw;
        f->cap = cap;
    }
    memcpy(f->raw + f->len, p, n);
    f->len += n;
    return LADLE_OK;
}

ladle_status ladle_run_writer_end_run(struct ladle_run_writer *w, uint64_t *start, uint64_t *end)
{
    ladle_status st = filling(w)->len ? submit(w) : LADLE_OK;
    while (w->inflight) {
        ladle_status st2 = retire_oldest(w); /* every task waited for, error or not */
        if (st == LADLE_OK)
            st = st2;
    }
    *start = w->run_start;
    *end = w->run_start = w->file_end;
    return st;
}

void ladle_run_writer_release(struct ladle_run_writer *w, uint64_t start, uint64_t end)
{
    if (end > start) /* a file system without holes keeps them: no harm */
        (void)fallocate(w->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)start,
                        (off_t)(end - start));
}

int ladle_run_writer_fd(const struct ladle_run_writer *w)
{
    return w->fd;
}

const char *ladle_run_writer_dir(const struct ladle_run_writer *w)
{
    return w->dir;
}

uint64_t ladle_run_writer_bytes(const struct ladle_run_writer *w)
{
    return w->file_end;
}

void ladle_run_writer_done(struct ladle_run_writer *w)
{
    for (; w->inflight; w->inflight--) { /* an error left some: they use the buffers */
        ladle_task_wait(w->tasks, &w->frames[w->head].task, w->helpers);
        w->head = (w->head + 1) % w->nframes;
    }
    for (unsigned k = 0; w->cctx && k <= w->helpers; k++) {
        ZSTD_freeCCtx(w->cctx[k]);
        w->cctx[k] = NULL;
    }
    for (unsigned k = 0; w->frames && k < w->nframes; k++) {
        free(w->frames[k].raw);
        free(w->frames[k].comp);
        w->frames[k].raw = w->frames[k].comp = NULL;
        w->frames[k].len = w->frames[k].cap = w->frames[k].ccap = 0;
    }
}

void ladle_run_writer_free(struct ladle_run_writer *w)
{
    if (!w)
        return;
    ladle_run_writer_done(w);
    if (w->fd >= 0)
        close(w->fd); /* unnamed: the kernel frees its blocks */
    ladle_tasks_free(w->tasks);
    free(w->cctx);
    free(w->frames);
    free(w->dir);
    free(w);
}

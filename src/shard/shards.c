/*
 * shards.c -- frames, compression on any thread, ordered shard files (see shards.h).
 */
#include "shard/shards.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_c_stableInBuffer / ZSTD_c_stableOutBuffer */
#include <zstd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "field/field.h"
#include "common/sha256.h"
#include "engine/cancel.h"
#include "engine/tasks.h"
#include "shard/seekable.h"

struct frame {
    struct ladle_task task; /* compresses it: queued by the output thread, run by any */
    struct ladle_shards *s; /* borrowed: the owner */
    unsigned split;
    bool first, last; /* the first / last frame of its shard */
    char *raw;        /* owns: whole records */
    size_t len, cap;
    uint64_t records;
    char *comp; /* owns: the zstd frame */
    size_t clen, ccap;
    size_t zerr; /* a ZSTD error code, 0 if none */
};

struct split_out {
    struct frame *filling; /* NULL between shards */
    uint32_t shard;        /* index of the open shard (or the next one) */
    bool open;
    uint64_t shard_bytes, shard_records;
    int fd; /* the shard being written, -1 if none */
    int dirfd;
    struct ladle_seek_table table;
    XXH3_state_t *hash;       /* owns */
    struct ladle_sha256 *sha; /* owns: the same bytes for Hub and Croissant readers */
    struct ladle_shard_info cur;
    struct ladle_shard_info *done; /* owns: closed shards */
    size_t ndone, done_cap;
};

struct ladle_shards {
    struct ladle_shards_config c;
    char *header; /* owns, may be NULL */
    size_t header_len;
    struct split_out *splits; /* owns, nsplits */
    struct frame *frames;     /* owns, nframes */
    unsigned nframes;
    struct frame **free_list; /* output thread only */
    unsigned nfree;
    struct frame **fifo; /* queued frames in order (output thread only) */
    unsigned fifo_cap, fifo_head, fifo_count;
    struct ladle_tasks *tasks; /* owns: frames waiting for a compressor */
    ZSTD_CCtx **cctx;          /* owns: one per helper, plus the output thread's */
};

void ladle_shard_file_name(char *buf, size_t size, uint32_t i, const char *ext)
{
    snprintf(buf, size, "part-%05u.%s.zst", i, ext);
}

static ladle_status nomem(struct ladle_error *err)
{
    return ladle_error_set(err, LADLE_E_INTERNAL, "shards: out of memory");
}

static ZSTD_CCtx *cctx_new(int level)
{
    ZSTD_CCtx *z = ZSTD_createCCtx();
    if (!z)
        return NULL;
    /* The content checksum doubles as the seek table's (both are XXH64's low 32 bits). */
    if (ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_contentSizeFlag, 1)) ||
        /* compress_frame streams a frame in slices from and to buffers that
         * stay put: without these, libzstd copies every input byte into its
         * own window buffer first (a memmove of all the data). */
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_stableInBuffer, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_stableOutBuffer, 1))) {
        ZSTD_freeCCtx(z);
        return NULL;
    }
    return z;
}

ladle_status ladle_shards_create(struct ladle_shards **out, const struct ladle_shards_config *c,
                                 struct ladle_error *err)
{
    struct ladle_shards *s = calloc(1, sizeof *s);
    if (!s)
        return nomem(err);
    *out = s;
    s->c = *c;
    s->splits = calloc(c->nsplits, sizeof *s->splits);
    /* One filling frame per split, and enough queued ones to keep every
     * compressor busy while the output thread writes. */
    s->nframes = c->nsplits + 2 * (c->helpers + 1) + 2;
    s->frames = calloc(s->nframes, sizeof *s->frames);
    s->free_list = calloc(s->nframes, sizeof *s->free_list);
    s->fifo_cap = s->nframes;
    s->fifo = calloc(s->fifo_cap, sizeof *s->fifo);
    s->cctx = calloc(c->helpers + 1, sizeof *s->cctx);
    if (!s->splits || !s->frames || !s->free_list || !s->fifo || !s->cctx ||
        !(s->tasks = ladle_tasks_new()))
        return nomem(err);
    ladle_tasks_set_wake(s->tasks, c->wake, c->wake_arg);
    for (unsigned k = 0; k < c->nsplits; k++) {
        struct split_out *sp = &s->splits[k];
        sp->fd = -1;
        sp->shard = c->first ? c->first[k] : 0;
        sp->dirfd = openat(c->dirfd, c->names[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sp->dirfd < 0)
            return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot open: %s", c->dir_name,
                                   c->names[k], strerror(errno));
        if (!(sp->hash = XXH3_createState()) || !(sp->sha = ladle_sha256_new()))
            return nomem(err);
    }
    for (unsigned i = 0; i < s->nframes; i++) {
        s->frames[i].s = s;
        s->free_list[s->nfree++] = &s->frames[i];
    }
    for (unsigned i = 0; i <= c->helpers; i++)
        if (!(s->cctx[i] = cctx_new(c->level)))
            return nomem(err);
    return LADLE_OK;
}

/* ---- compression: any thread ---- */

/* f->zerr when an interrupted run stopped the frame half-way. */
#define FRAME_INTERRUPTED ((size_t)-2)

/* Streamed in slices, so that an interrupted run stops within a slice's
 * time, not a whole frame's (seconds at level 19). The pledged size makes
 * the frame the one-shot call would make, whatever the slicing. */
static void compress_frame(void *arg, unsigned slot)
{
    struct frame *f = arg;
    ZSTD_CCtx *z = f->s->cctx[slot];
    const atomic_int *cancel = f->s->c.cancel;
    enum { SLICE = 256 << 10 };
    size_t bound = ZSTD_compressBound(f->len);
    f->zerr = 0;
    if (f->ccap < bound) {
        char *p = realloc(f->comp, bound);
        if (!p) {
            f->zerr = (size_t)-1;
            return;
        }
        f->comp = p;
        f->ccap = bound;
    }
    ZSTD_CCtx_reset(z, ZSTD_reset_session_only);
    size_t r = ZSTD_CCtx_setPledgedSrcSize(z, f->len);
    if (ZSTD_isError(r)) {
        f->zerr = r;
        return;
    }
    ZSTD_outBuffer out = {f->comp, f->ccap, 0};
    ZSTD_inBuffer in = {f->raw, 0, 0};
    do {
        if (ladle_cancelled(cancel)) {
            f->zerr = FRAME_INTERRUPTED;
            return;
        }
        in.size = f->len - in.pos > SLICE ? in.pos + SLICE : f->len;
        ZSTD_EndDirective end = in.size == f->len ? ZSTD_e_end : ZSTD_e_continue;
        r = ZSTD_compressStream2(z, &out, &in, end);
        if (ZSTD_isError(r)) {
            f->zerr = r;
            return;
        }
        /* Output room is the bound: ZSTD_e_end finishes in one call. */
    } while (in.pos < f->len || r != 0);
    f->clen = out.pos;
}

void ladle_shards_help(struct ladle_shards *s, unsigned slot)
{
    /* Interrupted: the frames are dropped (retire_oldest), so a worker
     * takes no new one, and the run ends within one frame's compression. */
    if (ladle_cancelled(s->c.cancel))
        return;
    ladle_tasks_run_one(s->tasks, slot);
}

/* ---- writing: the output thread ---- */

static ladle_status write_all(struct ladle_shards *s, struct split_out *sp, unsigned k,
                              const void *data, size_t len, struct ladle_error *err)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(sp->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            char name[64];
            ladle_shard_file_name(name, sizeof name, sp->shard, s->c.ext);
            return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s/%s: cannot write: %s (at byte %llu)",
                                   s->c.dir_name, s->c.names[k], name,
                                   n < 0 ? strerror(errno) : "no progress",
                                   (unsigned long long)sp->cur.compressed);
        }
        XXH3_128bits_update(sp->hash, p, (size_t)n);
        ladle_sha256_update(sp->sha, p, (size_t)n);
        sp->cur.compressed += (uint64_t)n;
        p += n;
        len -= (size_t)n;
    }
    return LADLE_OK;
}

static ladle_status close_shard(struct ladle_shards *s, struct split_out *sp, unsigned k,
                                struct ladle_error *err)
{
    size_t n = ladle_seek_table_size(&sp->table);
    unsigned char *t = malloc(n);
    if (!t)
        return nomem(err);
    ladle_seek_table_write(&sp->table, t);
    ladle_status st = write_all(s, sp, k, t, n, err);
    free(t);
    if (st != LADLE_OK)
        return st;
    /* The manifest will vouch for this file: it must be on disk before the
     * commit. Writeback was started frame by frame, so this wait is short. */
    if (fdatasync(sp->fd) != 0) {
        int e = errno;
        close(sp->fd);
        sp->fd = -1;
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot sync a shard: %s", s->c.dir_name,
                               s->c.names[k], strerror(e));
    }
    if (close(sp->fd) != 0) {
        sp->fd = -1;
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot close a shard: %s",
                               s->c.dir_name, s->c.names[k], strerror(errno));
    }
    sp->fd = -1;
    XXH128_canonical_t canon;
    XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(sp->hash));
    memcpy(sp->cur.xxh3_128, canon.digest, sizeof canon.digest);
    if (ladle_sha256_hex(sp->sha, sp->cur.sha256) != 0)
        return ladle_error_set(err, LADLE_E_INTERNAL, "%s/%s: libcrypto: SHA-256 failed",
                               s->c.dir_name, s->c.names[k]);
    if (sp->ndone == sp->done_cap) {
        size_t cap = sp->done_cap ? 2 * sp->done_cap : 8;
        struct ladle_shard_info *d = realloc(sp->done, cap * sizeof *d);
        if (!d)
            return nomem(err);
        sp->done = d;
        sp->done_cap = cap;
    }
    sp->done[sp->ndone++] = sp->cur;
    sp->table.count = 0;
    return LADLE_OK;
}

/* Writes the oldest queued frame, compressing queued frames meanwhile if
 * it is not ready: the output thread never waits on the workers alone. */
static ladle_status retire_oldest(struct ladle_shards *s, struct ladle_error *err)
{
    /* Interrupted: nothing more is worth compressing (the run will be undone). */
    if (ladle_cancelled(s->c.cancel))
        return ladle_error_set(err, LADLE_E_INTERRUPTED, "interrupted");
    struct frame *f = s->fifo[s->fifo_head];
    ladle_task_wait(s->tasks, &f->task, s->c.helpers);
    s->fifo_head = (s->fifo_head + 1) % s->fifo_cap;
    s->fifo_count--;
    unsigned k = f->split;
    struct split_out *sp = &s->splits[k];
    ladle_status st = LADLE_OK;
    if (f->zerr == FRAME_INTERRUPTED) {
        st = ladle_error_set(err, LADLE_E_INTERRUPTED, "interrupted");
        goto out;
    }
    if (f->zerr) {
        st = ladle_error_set(err, LADLE_E_INTERNAL, "%s/%s: zstd: %s", s->c.dir_name, s->c.names[k],
                             f->zerr == (size_t)-1 ? "out of memory" : ZSTD_getErrorName(f->zerr));
        goto out;
    }
    if (f->first) {
        char name[64];
        ladle_shard_file_name(name, sizeof name, sp->shard, s->c.ext);
        /* O_EXCL and O_NOFOLLOW: never through a link, never over a file. */
        sp->fd =
            openat(sp->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (sp->fd < 0) {
            st = ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s/%s: cannot create: %s", s->c.dir_name,
                                 s->c.names[k], name, strerror(errno));
            goto out;
        }
        memset(&sp->cur, 0, sizeof sp->cur);
        XXH3_128bits_reset(sp->hash);
        if (ladle_sha256_reset(sp->sha) != 0) {
            st = ladle_error_set(err, LADLE_E_INTERNAL, "%s/%s: libcrypto: SHA-256 failed",
                                 s->c.dir_name, s->c.names[k]);
            goto out;
        }
    }
    uint64_t at = sp->cur.compressed;
    if ((st = write_all(s, sp, k, f->comp, f->clen, err)) != LADLE_OK)
        goto out;
    /* Start writeback now, without waiting for it (as fio and RocksDB do),
     * so the sync at the shard's end finds little left to write. */
    sync_file_range(sp->fd, (off_t)at, (off_t)f->clen, SYNC_FILE_RANGE_WRITE);
    /* The frame's content checksum (its last 4 bytes) is the seek table's. */
    const unsigned char *c4 = (const unsigned char *)f->comp + f->clen - 4;
    uint32_t sum =
        (uint32_t)c4[0] | (uint32_t)c4[1] << 8 | (uint32_t)c4[2] << 16 | (uint32_t)c4[3] << 24;
    if (ladle_seek_table_add(&sp->table, (uint32_t)f->clen, (uint32_t)f->len, sum) != 0) {
        st = nomem(err);
        goto out;
    }
    sp->cur.frames++;
    sp->cur.records += f->records;
    sp->cur.bytes += f->len;
    if (f->last) {
        st = close_shard(s, sp, k, err);
        sp->shard++;
    }
out:
    f->len = 0;
    f->records = 0;
    f->first = f->last = false;
    s->free_list[s->nfree++] = f;
    return st;
}

static ladle_status get_frame(struct ladle_shards *s, struct frame **out, struct ladle_error *err)
{
    while (s->nfree == 0) {
        ladle_status st = retire_oldest(s, err);
        if (st != LADLE_OK)
            return st;
    }
    struct frame *f = s->free_list[--s->nfree];
    if (!f->raw) {
        if (!(f->raw = malloc(s->c.frame_size)))
            return nomem(err);
        f->cap = s->c.frame_size;
    }
    *out = f;
    return LADLE_OK;
}

static void queue_frame(struct ladle_shards *s, struct frame *f)
{
    s->fifo[(s->fifo_head + s->fifo_count) % s->fifo_cap] = f;
    s->fifo_count++;
    f->task.fn = compress_frame;
    f->task.arg = f;
    ladle_tasks_submit(s->tasks, &f->task); /* wakes a worker, if a run is on */
}

static int append(struct frame *f, const char *p, size_t len)
{
    if (f->len + len > f->cap) {
        size_t cap = f->cap;
        while (cap < f->len + len)
            cap *= 2;
        char *q = realloc(f->raw, cap);
        if (!q)
            return -1;
        f->raw = q;
        f->cap = cap;
    }
    memcpy(f->raw + f->len, p, len);
    f->len += len;
    return 0;
}

static void end_shard(struct ladle_shards *s, struct split_out *sp)
{
    sp->filling->last = true;
    queue_frame(s, sp->filling);
    sp->filling = NULL;
    sp->open = false;
}

void ladle_shards_set_wake(struct ladle_shards *s, void (*wake)(void *arg), void *arg)
{
    s->c.wake = wake;
    s->c.wake_arg = arg;
    ladle_tasks_set_wake(s->tasks, wake, arg);
}

ladle_status ladle_shards_set_header(struct ladle_shards *s, const char *h, size_t len,
                                     struct ladle_error *err)
{
    if (s->header)
        return LADLE_OK;
    if (!(s->header = malloc(len ? len : 1)))
        return nomem(err);
    memcpy(s->header, h, len);
    s->header_len = len;
    return LADLE_OK;
}

const char *ladle_shards_ext(const struct ladle_shards *s)
{
    return s->c.ext ? s->c.ext : "txt";
}

ladle_status ladle_shards_add(struct ladle_shards *s, unsigned k, const char *rec, size_t len,
                              struct ladle_error *err)
{
    if (!s->c.ext)
        s->c.ext = ladle_format_detect(rec, len) == LADLE_FORMAT_JSON ? "jsonl" : "txt";
    struct split_out *sp = &s->splits[k];
    ladle_status st;
    if (sp->open &&
        ((s->c.shard_records && sp->shard_records >= s->c.shard_records) ||
         (s->c.shard_size && sp->shard_records > 0 && sp->shard_bytes + len > s->c.shard_size)))
        end_shard(s, sp);
    if (!sp->open) {
        if ((st = get_frame(s, &sp->filling, err)) != LADLE_OK)
            return st;
        sp->filling->split = k;
        sp->filling->first = true;
        sp->open = true;
        sp->shard_bytes = sp->shard_records = 0;
        if (s->header_len) {
            if (append(sp->filling, s->header, s->header_len) != 0)
                return nomem(err);
            sp->shard_bytes += s->header_len;
        }
    } else if (sp->filling->len + len > s->c.frame_size && sp->filling->records > 0) {
        queue_frame(s, sp->filling);
        if ((st = get_frame(s, &sp->filling, err)) != LADLE_OK)
            return st;
        sp->filling->split = k;
    }
    if (append(sp->filling, rec, len) != 0)
        return nomem(err);
    sp->filling->records++;
    sp->shard_records++;
    sp->shard_bytes += len;
    return LADLE_OK;
}

ladle_status ladle_shards_finish(struct ladle_shards *s, struct ladle_error *err)
{
    for (unsigned k = 0; k < s->c.nsplits; k++)
        if (s->splits[k].open)
            end_shard(s, &s->splits[k]);
    while (s->fifo_count) {
        ladle_status st = retire_oldest(s, err);
        if (st != LADLE_OK)
            return st;
    }
    /* The shards' names too must reach the disk before the commit. */
    for (unsigned k = 0; k < s->c.nsplits; k++)
        if (fsync(s->splits[k].dirfd) != 0)
            return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot sync the folder: %s",
                                   s->c.dir_name, s->c.names[k], strerror(errno));
    return LADLE_OK;
}

const struct ladle_shard_info *ladle_shards_of(const struct ladle_shards *s, unsigned k,
                                               size_t *count)
{
    *count = s->splits[k].ndone;
    return s->splits[k].done;
}

void ladle_shards_destroy(struct ladle_shards *s)
{
    if (!s)
        return;
    /* Frames a worker may still hold were joined before this (pipeline.c). */
    for (unsigned k = 0; s->splits && k < s->c.nsplits; k++) {
        struct split_out *sp = &s->splits[k];
        if (sp->fd >= 0)
            close(sp->fd);
        if (sp->dirfd > 0)
            close(sp->dirfd);
        ladle_seek_table_free(&sp->table);
        if (sp->hash)
            XXH3_freeState(sp->hash);
        ladle_sha256_free(sp->sha);
        free(sp->done);
    }
    for (unsigned i = 0; s->frames && i < s->nframes; i++) {
        free(s->frames[i].raw);
        free(s->frames[i].comp);
    }
    for (unsigned i = 0; s->cctx && i <= s->c.helpers; i++)
        ZSTD_freeCCtx(s->cctx[i]);
    ladle_tasks_free(s->tasks);
    free(s->header);
    free(s->cctx);
    free(s->splits);
    free(s->frames);
    free(s->free_list);
    free(s->fifo);
    free(s);
}

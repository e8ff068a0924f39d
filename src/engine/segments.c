/*
 * segments.c -- one input read by every worker (codec/range.h).
 *
 * A regular file that can be entered in the middle (plain bytes, zstd
 * frames, a gzip file with an index) is cut into segments. Its decoder
 * thread only plans: it queues one pool chunk per segment, empty, naming
 * the segment; the worker that takes it reads the segment into it and
 * then processes it as any chunk. Reading and decompressing so run on
 * every core, while the pool still bounds what is in flight, results
 * still reach the job in (input, seq) order (seq is the segment), and
 * the backpressure of decode.c is unchanged.
 *
 * The edge rule. Segment k begins at decompressed offset D(k) and its
 * reader may go on past D(k + 1). A record belongs to the segment its
 * first byte follows: segment k (k > 0) keeps the records that begin
 * after the first line end at or after D(k), up to and including the
 * record that holds the first line end at or after D(k + 1). Neighbours
 * agree on the edge from the bytes after it alone (no byte before D(k) is
 * needed, which a zstd frame could not give), every record is kept once,
 * and the offsets are the serial path's: outputs are byte-identical.
 * A segment inside one long record keeps nothing, and only the segment
 * where a record begins reads it whole: the work stays linear.
 *
 * Not split (the serial path reads them): pipes, --format csv (a quoted
 * line end cannot be told from the middle), --state and --part (they
 * start and end inside inputs), --drop-cache and --io uring, and a single
 * worker.
 */
#include "engine/run.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "codec/gzip_index.h"
#include "codec/range.h"
#include "codec/zstd_frames.h"
#include "io/source.h"
#include "record/framer.h"

/* Reads past the segment's end, to finish its last record: a page first
 * (records are short; what is read past the end is read twice), then
 * doubling up to TAIL_STEP. */
#define TAIL_FIRST ((size_t)4 << 10)
#define TAIL_STEP ((size_t)64 << 10)

/* A mapped plain file's segments (segment_map.c): MAP_SCALE chunks each
 * (8 MiB by default: 1 MiB segments took 30 % more CPU in mapping and
 * unmapping), at most MAP_SEGMENT_MAX (or one chunk, when larger). */
#define MAP_SCALE 8
#define MAP_SEGMENT_MAX ((size_t)64 << 20)

static bool plan_stopping(void *arg)
{
    return ladle_run_stopping(arg);
}

/* Whether input i is read in segments, and its plan if so. */
static bool plan_input(struct ladle_engine *r, uint32_t i, struct ladle_source *src,
                       const struct ladle_codec_ops *codec, struct ladle_range_plan *p)
{
    const struct ladle_config *cfg = r->cfg;
    const struct ladle_input_start *at = r->io->starts ? &r->io->starts[i] : NULL;
    if (r->nworkers < 2 || !src->regular || cfg->engine.csv_delim || r->io->ends ||
        r->io->hold_tail || src->drop_cache || cfg->engine.io_mode == LADLE_IO_URING ||
        (at && (at->part || at->start)) || (r->io->opened && r->io->opened[i]))
        return false;
    size_t seg = ladle_framer_chunk_limit(cfg->engine.chunk_size, cfg->engine.max_record);
    memset(p, 0, sizeof *p);
    if (codec == &ladle_codec_plain) {
        /* Mapped (segment_map.c) unless --io pread: larger segments, as a
         * view costs a mapping and an unmapping (and its TLB shootdown)
         * but no memory of the pool. */
        const bool mapped = cfg->engine.io_mode == LADLE_IO_AUTO;
        if (mapped)
            seg = seg * MAP_SCALE < MAP_SEGMENT_MAX
                      ? seg * MAP_SCALE
                      : (seg > MAP_SEGMENT_MAX ? seg : MAP_SEGMENT_MAX);
        size_t n = (size_t)((src->size + seg - 1) / seg);
        if (n < 2 || ladle_range_plan_init(p, n, true) != 0) {
            ladle_range_plan_free(p);
            return false;
        }
        for (size_t k = 0; k <= n; k++)
            p->comp[k] = p->dec[k] = k < n ? (uint64_t)k * seg : src->size;
        p->ops = &ladle_range_plain;
        p->mapped = mapped;
    } else if (codec == &ladle_codec_zstd) {
        if (ladle_zstd_plan(src->fd, src->size, seg, p) != 0)
            return false;
        p->ops = &ladle_range_zstd;
    } else if (codec == &ladle_codec_gzip) {
        /* With a valid index beside it (ladle index, --index); without
         * one, the serial path (which builds it under --index). */
        char note[LADLE_ERROR_MAX] = "";
        struct ladle_gzip_index *ix = ladle_gzip_index_load(r->io->paths[i], r->io->names[i],
                                                            src->fd, src->size, note, sizeof note);
        if (note[0] && cfg->engine.notify) { /* said without -v: the index is not used */
            char line[LADLE_ERROR_MAX + 8];
            snprintf(line, sizeof line, "note: %s", note);
            cfg->engine.notify(cfg->engine.notify_arg, line);
        }
        if (!ix || ladle_range_plan_gzip(p, ix, seg) != 0) {
            ladle_gzip_index_free(ix);
            ladle_range_plan_free(p);
            return false;
        }
        p->gz_own = ix;
    } else {
        return false;
    }
    /* Its own fd: the decoder closes the source once it has queued every
     * segment, and workers read on. */
    p->fd = fcntl(src->fd, F_DUPFD_CLOEXEC, 0);
    if (p->fd < 0) {
        ladle_range_plan_free(p);
        return false;
    }
    p->size = src->size;
    p->name = r->io->names[i];
    p->cfg = cfg;
    p->stopping = plan_stopping;
    p->stopping_arg = r;
    return true;
}

/* The reader of kind p->ops on this worker (slot: a worker, or the
 * decoder's own for the header line). */
static void *reader_for(struct seg_readers *rd, const struct ladle_range_plan *p)
{
    unsigned k = 0;
    while (k < LADLE_RANGE_KINDS && rd->ops[k] && rd->ops[k] != p->ops)
        k++;
    if (k == LADLE_RANGE_KINDS)
        return NULL;
    if (!rd->ops[k]) {
        if (!(rd->st[k] = p->ops->new_state()))
            return NULL;
        rd->ops[k] = p->ops;
    }
    return rd->st[k];
}

void ladle_run_readers_free(struct seg_readers *rd)
{
    for (unsigned k = 0; k < LADLE_RANGE_KINDS; k++)
        if (rd->ops[k])
            rd->ops[k]->free_state(rd->st[k]);
    memset(rd, 0, sizeof *rd);
}

static ladle_status too_long(const struct ladle_range_plan *p, uint64_t at, struct ladle_error *err)
{
    return ladle_error_set(err, LADLE_E_INPUT,
                           "%s: record longer than %zu bytes (at offset %llu; see --max-record)",
                           p->name, p->cfg->engine.max_record, (unsigned long long)at);
}

/* --header: the input's first record, read by its decoder thread before
 * any segment is queued; *first is where segment 0's records begin. */
static ladle_status read_header(struct ladle_engine *r, uint32_t i, struct ladle_range_plan *p,
                                uint64_t *first)
{
    struct seg_readers own = {0};
    struct ladle_outbuf *h = &r->headers[i];
    void *st = reader_for(&own, p);
    ladle_status s = st ? p->ops->seek(st, p, 0, r->err)
                        : ladle_error_set(r->err, LADLE_E_INTERNAL, "%s: out of memory", p->name);
    char buf[16384];
    const size_t max = r->cfg->engine.max_record;
    while (s == LADLE_OK) {
        size_t n = 0;
        if ((s = p->ops->read(st, buf, sizeof buf, &n, NULL, NULL, r->err)) != LADLE_OK || !n)
            break; /* the file is one line without its end */
        const char *nl = memchr(buf, '\n', n);
        size_t take = nl ? (size_t)(nl - buf) + 1 : n;
        if (h->len + take - (nl != NULL) > max)
            s = too_long(p, 0, r->err);
        else if (ladle_outbuf_append(h, buf, take) != 0)
            s = ladle_error_set(r->err, LADLE_E_INTERNAL, "%s: out of memory", p->name);
        if (nl)
            break;
    }
    *first = h->len;
    if (s == LADLE_OK && h->len && h->data[h->len - 1] != '\n' &&
        ladle_outbuf_append(h, "\n", 1) != 0)
        s = ladle_error_set(r->err, LADLE_E_INTERNAL, "%s: out of memory", p->name);
    ladle_run_readers_free(&own);
    return s;
}

bool ladle_run_decode_segments(struct ladle_engine *r, unsigned k, uint32_t i,
                               struct ladle_source *src, const struct ladle_codec_ops *codec,
                               uint64_t source, ladle_status *status)
{
    struct ladle_range_plan *p = &r->plans[i];
    if (!plan_input(r, i, src, codec, p))
        return false;
    atomic_store_explicit(&r->plan_ready[i], 1, memory_order_release);
    struct ladle_chunk_pool *pool = &r->pools[k];
    atomic_ullong *read_bytes = &r->read_bytes[k].v;
    const uint64_t read_before = atomic_load_explicit(read_bytes, memory_order_relaxed);
    const struct ladle_field_binding *binding = NULL;
    ladle_status st = LADLE_OK;
    if (r->cfg->engine.header)
        st = read_header(r, i, p, &p->first);
    const struct ladle_outbuf *h = &r->headers[i];
    if (st == LADLE_OK)
        st = r->ops->bind_input(r->ops->arg, i, r->cfg->engine.header ? h->data : NULL,
                                r->cfg->engine.header ? h->len : 0, &binding);
    for (size_t s = 0; st == LADLE_OK && s < p->n && !ladle_run_stopping(r); s++) {
        ladle_run_wait_for_output(r, i);
        /* Queuing a segment is cheap: wake for half a pool at a time. */
        struct ladle_chunk *ck = ladle_chunk_try_get(pool);
        if (!ck)
            ck = ladle_chunk_get_when(pool, pool->count / 2);
        if (!ck)
            break; /* stopping */
        ck->input = i;
        ck->source = source;
        ck->seq = s;
        ck->last = s + 1 == p->n;
        ck->binding = binding;
        ck->csv_delim = 0;
        ck->plan = p;
        ck->segment = s;
        atomic_store_explicit(read_bytes, read_before + p->comp[s], memory_order_relaxed);
        ladle_run_enqueue_work(r, ck);
    }
    atomic_store_explicit(read_bytes, read_before + src->size, memory_order_relaxed);
    atomic_fetch_add(&r->bytes_compressed, src->size);
    *status = st;
    return true;
}

/* ---- a worker reads its segment ---- */

/* The bytes read so far: buf[0] is at decompressed offset base of the
 * segment (relative to D(k)); the pool chunk's memory until it is
 * outgrown, then a heap buffer. */
struct fill {
    const struct ladle_range_plan *p;
    size_t k;
    char *buf, *heap;
    size_t cap, len; /* cap: usable bytes (one spare byte follows) */
    uint64_t base;
    size_t start;     /* where the kept records begin, SIZE_MAX: not found yet */
    size_t scanned;   /* no line end at or past the segment's end before here */
    uint64_t own;     /* D(k + 1) - D(k), once own_set */
    size_t tail_step; /* the next read past the end */
    bool own_set;
};

static int grow(struct fill *f, size_t want)
{
    size_t keep = f->start == SIZE_MAX ? 0 : f->start;
    size_t cap = f->cap * 2 > want ? f->cap * 2 : want;
    char *b;
    if (f->heap) {
        memmove(f->heap, f->heap + keep, f->len - keep);
        b = realloc(f->heap, cap + 1);
    } else {
        b = malloc(cap + 1);
        if (b)
            memcpy(b, f->buf + keep, f->len - keep);
    }
    if (!b)
        return -1;
    f->heap = f->buf = b;
    f->cap = cap;
    f->base += keep;
    f->len -= keep;
    f->scanned = f->scanned > keep ? f->scanned - keep : 0;
    if (f->start != SIZE_MAX)
        f->start = 0;
    return 0;
}

/* One past the last kept byte, once at the end of input. */
static size_t end_at_eof(const struct fill *f)
{
    return f->len > f->start ? f->len : 0;
}

/* One past the last byte the segment keeps: 0 when it keeps nothing,
 * SIZE_MAX while more bytes are needed to tell. */
static size_t find_end(struct fill *f, bool eof)
{
    if (f->start == SIZE_MAX) {
        if (f->k == 0) { /* the records begin at `first`, after a header line */
            if (f->own_set && f->own < f->p->first)
                return 0; /* the header's line end is the first at or after D(1) */
            if (f->base + f->len >= f->p->first)
                f->start = (size_t)(f->p->first - f->base);
        } else {
            const char *nl = memchr(f->buf, '\n', f->len);
            if (nl)
                f->start = (size_t)(nl - f->buf) + 1;
        }
        if (f->start == SIZE_MAX) {
            if (eof || (f->own_set && f->base + f->len >= f->own))
                return 0;      /* no record begins here */
            f->base += f->len; /* nothing kept yet: drop what was read */
            f->len = 0;
            return SIZE_MAX;
        }
    }
    if (!f->own_set)
        return eof ? end_at_eof(f) : SIZE_MAX;
    /* The first line end at or after D(k + 1) ends the last record kept
     * (and when it comes before `start`, nothing is kept). */
    uint64_t own_at = f->own > f->base ? f->own - f->base : 0;
    size_t from = own_at > f->scanned ? (size_t)(own_at < f->len ? own_at : f->len) : f->scanned;
    const char *nl = from < f->len ? memchr(f->buf + from, '\n', f->len - from) : NULL;
    if (nl) {
        size_t e = (size_t)(nl - f->buf) + 1;
        return e > f->start ? e : 0;
    }
    if (own_at <= f->len)
        f->scanned = f->len;
    return eof ? end_at_eof(f) : SIZE_MAX;
}

/* The first record in buf[start, end) over --max-record (an unfinished
 * last one counts: it can only grow), SIZE_MAX if none. Only possible
 * when they span more than the limit: a zstd frame larger than it, or a
 * last record read far past the segment's end. */
static size_t first_too_long(const struct fill *f, size_t end)
{
    const size_t max = f->p->cfg->engine.max_record;
    if (end - f->start <= max)
        return SIZE_MAX;
    for (size_t at = f->start; at < end;) {
        const char *nl = memchr(f->buf + at, '\n', end - at);
        size_t len = nl ? (size_t)(nl - (f->buf + at)) : end - at;
        if (len > max)
            return at;
        at += len + 1;
    }
    return SIZE_MAX;
}

/* Reads until the kept records are known: *end as find_end says, or
 * *too_long (a relative offset) when the last record outgrows the limit. */
static ladle_status read_segment(struct fill *f, void *st, size_t *end, bool *stopped,
                                 uint64_t *too_long_at, struct ladle_error *err)
{
    const struct ladle_range_plan *p = f->p;
    for (;;) {
        bool tail = f->own_set && f->base + f->len >= f->own;
        if (f->len == f->cap || (tail && f->cap - f->len < TAIL_STEP)) {
            /* Before the buffer grows (geometrically: the scans stay
             * linear), a record already over the limit ends the read. */
            size_t at = f->start == SIZE_MAX ? SIZE_MAX : first_too_long(f, f->len);
            if (at != SIZE_MAX) {
                *too_long_at = f->base + at;
                return LADLE_E_INPUT;
            }
            if (grow(f, f->len + TAIL_STEP) != 0)
                return ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", p->name);
        }
        size_t want = f->cap - f->len;
        if (tail && want > f->tail_step)
            want = f->tail_step;
        else if (!tail && f->own_set && f->k + 1 < p->n &&
                 f->own - (f->base + f->len) < want - TAIL_FIRST)
            want = (size_t)(f->own - (f->base + f->len)) + TAIL_FIRST; /* the rest, and a page */
        if (tail && f->tail_step < TAIL_STEP)
            f->tail_step *= 2;
        size_t n = 0;
        uint64_t own = 0;
        bool own_now = false;
        ladle_status s = p->ops->read(st, f->buf + f->len, want, &n, &own, &own_now, err);
        if (s != LADLE_OK)
            return s;
        if (own_now && !f->own_set) {
            f->own = own;
            f->own_set = true;
        }
        if (!n && p->stopping(p->stopping_arg)) {
            *stopped = true;
            return LADLE_OK;
        }
        f->len += n;
        if ((*end = find_end(f, n == 0)) != SIZE_MAX)
            return LADLE_OK;
        if (!n)
            return ladle_error_set(err, LADLE_E_INPUT,
                                   "%s: its frames end before the frame at compressed byte %llu "
                                   "that their headers announce (damaged)",
                                   p->name, (unsigned long long)p->comp[f->k + 1]);
    }
}

/* The fast way in (range.h own_bound, own_decode): segment k's own bytes
 * at once into the buffer, then, if its last record goes on, the rest from
 * the next segment's start through read_segment. false: not taken, f is
 * as it was and the segment is read from its start (which also finds and
 * words any error). */
static bool read_own(struct fill *f, void *st, size_t bound, size_t *end, bool *stopped,
                     uint64_t *too_long_at, ladle_status *s, struct ladle_error *err)
{
    const struct ladle_range_plan *p = f->p;
    const bool last = f->k + 1 == p->n;
    size_t n = 0;
    if (!bound || (bound + TAIL_STEP > f->cap && grow(f, bound + TAIL_STEP) != 0) ||
        !p->ops->own_decode(st, f->buf, f->cap, &n))
        return false;
    f->len = n;
    if (!last) {
        f->own = n;
        f->own_set = true;
    }
    if ((*end = find_end(f, last)) != SIZE_MAX) {
        *s = LADLE_OK;
        return true;
    }
    *s = p->ops->seek(st, p, f->k + 1, err);
    if (*s == LADLE_OK)
        *s = read_segment(f, st, end, stopped, too_long_at, err);
    return true;
}

/* A failed segment: its error waits in the results, in order, so that the
 * run reports the first failure in the input as the serial path would,
 * whichever worker failed first. */
struct failed_read {
    struct ladle_engine_item item;
    ladle_status status;
    char msg[LADLE_ERROR_MAX];
};

struct ladle_engine_item *ladle_run_failure(const struct ladle_error *err)
{
    struct failed_read *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->item.failed_read = true;
    f->status = ladle_error_status(err);
    snprintf(f->msg, sizeof f->msg, "%s", err->msg);
    return &f->item;
}

void ladle_run_report_failed_read(struct ladle_engine *r, struct ladle_engine_item *it)
{
    const struct failed_read *f = (const struct failed_read *)it;
    ladle_error_set(r->err, f->status, "%s", f->msg);
}

/* The chunk the job gets: the pool chunk, or the heap buffer in its place. */
static struct ladle_chunk *result_chunk(struct fill *f, struct ladle_chunk *ck)
{
    if (!f->heap)
        return ck;
    struct ladle_chunk *big = ladle_chunk_adopt_oversized(f->heap, f->cap + 1);
    if (!big)
        return NULL;
    f->heap = NULL;
    big->input = ck->input;
    big->source = ck->source;
    big->seq = ck->seq;
    big->last = ck->last;
    big->binding = ck->binding;
    big->csv_delim = ck->csv_delim;
    big->backing = ck; /* still counts against the pool */
    return big;
}

/* Fills *ckp, a chunk naming a segment, with the records the segment
 * keeps. LADLE_OK with *ckp NULL: the run is stopping (the chunk is back
 * in its pool). Another status: *failed is the error to hand over in
 * order (or NULL when even that could not be allocated). */
ladle_status ladle_run_fill_segment(struct ladle_engine *r, unsigned worker,
                                    struct ladle_chunk **ckp, struct ladle_engine_item **failed)
{
    struct ladle_chunk *ck = *ckp;
    struct ladle_range_plan *p = ck->plan;
    const size_t k = ck->segment;
    struct ladle_error err;
    ladle_error_init(&err);
    *failed = NULL;
    if (p->mapped && ladle_run_map_segment(r, ck))
        return LADLE_OK;
    struct fill f = {.p = p,
                     .k = k,
                     .buf = ck->mem,
                     .cap = ck->cap - 1,
                     .start = SIZE_MAX,
                     .tail_step = TAIL_FIRST};
    if (k + 1 == p->n) { /* the last segment reads to the end */
        f.own = UINT64_MAX;
        f.own_set = true;
    } else if (p->dec_known) {
        f.own = p->dec[k + 1] - p->dec[k];
        f.own_set = true;
    }
    void *st = reader_for(&r->readers[worker], p);
    ladle_status s = LADLE_OK;
    size_t end = 0;
    bool stopped = false;
    uint64_t too_long_at = UINT64_MAX, dec = 0;
    const size_t bound = st && p->ops->own_bound ? p->ops->own_bound(st, p, k) : 0;
    if (!st || !read_own(&f, st, bound, &end, &stopped, &too_long_at, &s, &err)) {
        uint64_t guess = f.own_set && k + 1 < p->n ? f.own : atomic_load(&p->own_hint);
        if (!st || (guess + TAIL_STEP > f.cap && grow(&f, (size_t)guess + TAIL_STEP) != 0))
            s = ladle_error_set(&err, LADLE_E_INTERNAL, "%s: out of memory", p->name);
        if (s == LADLE_OK)
            s = p->ops->seek(st, p, k, &err);
        if (s == LADLE_OK)
            s = read_segment(&f, st, &end, &stopped, &too_long_at, &err);
    }
    if (st && p->ops->finish)
        p->ops->finish(st);
    ladle_range_plan_read(p);
    if (stopped || (s == LADLE_OK && !ladle_range_plan_dec(p, k, &dec))) {
        free(f.heap);
        ladle_chunk_put(ck);
        *ckp = NULL;
        return LADLE_OK;
    }
    uint64_t own = k + 1 < p->n ? f.own : f.base + f.len;
    if (s == LADLE_OK) {
        ladle_range_plan_publish(p, k + 1, dec + own);
        if (own > atomic_load(&p->own_hint))
            atomic_store(&p->own_hint, own); /* a hint: a lost race costs nothing */
        atomic_fetch_add(&r->bytes_in, own);
    } else if (too_long_at != UINT64_MAX && ladle_range_plan_dec(p, k, &dec)) {
        s = too_long(p, dec + too_long_at, &err);
    }
    size_t bad = s == LADLE_OK && end ? first_too_long(&f, end) : SIZE_MAX;
    if (bad != SIZE_MAX)
        s = too_long(p, dec + f.base + bad, &err);
    if (s == LADLE_OK && end && f.buf[end - 1] != '\n')
        f.buf[end++] = '\n'; /* the spare byte: a last record gains its line end */
    struct ladle_chunk *out = s == LADLE_OK ? result_chunk(&f, ck) : NULL;
    if (s == LADLE_OK && !out)
        s = ladle_error_set(&err, LADLE_E_INTERNAL, "%s: out of memory", p->name);
    if (s != LADLE_OK) {
        free(f.heap);
        ladle_chunk_put(ck);
        *ckp = NULL;
        *failed = ladle_run_failure(&err);
        return s;
    }
    out->data = f.buf + (end ? f.start : 0);
    out->len = end ? end - f.start : 0;
    /* An empty one ends where its reading did: for the last, the input's end. */
    out->offset = dec + f.base + (end ? f.start : f.len);
    out->plan = NULL;
    *ckp = out;
    return LADLE_OK;
}

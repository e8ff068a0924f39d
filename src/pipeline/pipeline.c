/*
 * pipeline.c -- decoder threads, worker threads and the ordered output
 * (see pipeline.h for the shape).
 *
 * Memory stays bounded by construction:
 * - each decoder thread owns a fixed pool of chunks and stops when all are
 *   in flight (a chunk returns to its pool when a worker is done with it);
 * - records kept by streaming designs wait in the reorder stage until
 *   earlier chunks are written; decoders pause while those bytes exceed
 *   PENDING_BUDGET. The decoder of the input being written waits only on
 *   its own bytes, so later inputs can never starve it (no deadlock).
 *
 * Determinism: no decision depends on which thread handles a chunk. Keys
 * are functions of (seed, input, offset); streaming output is reordered
 * into input order; retained samples merge into the same set whatever the
 * partition.
 */
#include "pipeline/pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec/codec.h"
#include "io/source.h"
#include "field/field.h"
#include "out/weight_column.h"
#include "out/writer.h"
#include "pipeline/chunk.h"
#include "record/framer.h"
#include "record/records.h"
#include "sample/kept.h"
#include "sample/sampler.h"

#define CHUNKS_PER_DECODER 8
/* Kept records of later inputs waiting for earlier ones: these bytes are
 * part of the sample itself; the cap keeps a --rate 1 pass over many big
 * files from holding whole inputs in memory. */
#define PENDING_BUDGET ((long long)32 << 20)
#define RESULT_OVERHEAD 64 /* malloc bookkeeping per result */
#define DONE_RING_SIZE 4096

/* What a worker hands to the output stage for one chunk. */
struct result {
    uint32_t input;
    uint64_t seq;
    bool last;
    struct ladle_outbuf out; /* owns */
    /* Ordered designs only: the chunk itself, kept until its turn to be
     * selected from, and where its records start. */
    struct ladle_chunk *chunk; /* owns */
    uint32_t *starts;          /* owns */
    size_t nstarts;
};

/* Per-input reorder slots, indexed by chunk seq. */
struct reorder {
    struct result **slot; /* owns the results */
    size_t cap;
};

struct run {
    const struct ladle_config *cfg;
    const struct ladle_pipeline_io *io;
    struct ladle_error *err;
    const struct ladle_sampler_ops *design;

    atomic_int stop;            /* set once: error, cancel, output closed, head reached */
    atomic_uint next_input;     /* next input a decoder claims */
    atomic_uint decoders_alive;

    struct ladle_ring work_ring;
    sem_t work_sem;
    struct ladle_ring done_ring;
    sem_t done_sem;

    atomic_uint head_input;     /* the input being written */
    atomic_llong pending_total; /* bytes waiting in the reorder stage */
    atomic_llong *pending;      /* the same, per input */
    pthread_mutex_t bp_lock;
    pthread_cond_t bp_cond;

    unsigned ndecoders, nworkers;
    struct ladle_chunk_pool *pools;     /* one per decoder */
    struct ladle_sampler *partials;     /* one per worker, then the output stage's */

    atomic_ullong bytes_in, bytes_compressed;
    atomic_int uring_used;

    /* --header: each input's first record, taken out by its decoder before
     * any of its chunks is queued (so workers and the output stage may read
     * it once they hold a chunk of that input). */
    struct ladle_outbuf *headers; /* owns, one per input */
    /* Where the design's fields are in each input (bound from its header):
     * [2i] the key field, [2i+1] snowball's TO field. */
    struct ladle_field_binding *bindings; /* owns, two per input */
};

/* The poison pill that ends a worker. */
static struct ladle_chunk poison;

static void wake_all(struct run *r)
{
    for (unsigned i = 0; i < r->ndecoders; i++)
        ladle_chunk_pool_wake(&r->pools[i]);
    pthread_mutex_lock(&r->bp_lock);
    pthread_cond_broadcast(&r->bp_cond);
    pthread_mutex_unlock(&r->bp_lock);
    sem_post(&r->done_sem);
}

static void request_stop(struct run *r)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&r->stop, &expected, 1))
        wake_all(r);
}

static bool stopping(struct run *r)
{
    return atomic_load_explicit(&r->stop, memory_order_acquire) != 0;
}

static void timed_wait_ms(pthread_cond_t *c, pthread_mutex_t *m, long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(c, m, &ts);
}

/* Backpressure: see the file comment. */
static void wait_for_output(struct run *r, uint32_t input)
{
    for (;;) {
        if (stopping(r))
            return;
        bool head = atomic_load(&r->head_input) == input;
        long long p = head ? atomic_load(&r->pending[input]) : atomic_load(&r->pending_total);
        if (p <= PENDING_BUDGET)
            return;
        pthread_mutex_lock(&r->bp_lock);
        timed_wait_ms(&r->bp_cond, &r->bp_lock, 20);
        pthread_mutex_unlock(&r->bp_lock);
    }
}

static void enqueue_work(struct run *r, struct ladle_chunk *ck)
{
    /* Sized for every chunk that can exist plus the pills: never full. */
    while (!ladle_ring_push(&r->work_ring, ck))
        sched_yield();
    sem_post(&r->work_sem);
}

/* Moves the first record of input i out of its first chunk. */
static ladle_status take_header(struct run *r, uint32_t i, struct ladle_chunk *ck)
{
    const char *nl = memchr(ck->data, '\n', ck->len);
    size_t len = (size_t)(nl - ck->data) + 1; /* framed: a '\n' is there */
    if (ladle_outbuf_append(&r->headers[i], ck->data, len) != 0)
        return ladle_error_set(r->err, LADLE_E_INTERNAL, "%s: out of memory", r->io->names[i]);
    ck->data += len;
    ck->len -= len;
    ck->offset += len;
    return LADLE_OK;
}

/* Resolves the design's fields for input i, from its header when it has one. */
static ladle_status bind_fields(struct run *r, uint32_t i)
{
    const struct ladle_outbuf *h = &r->headers[i];
    const struct ladle_field *fields[2] = {r->cfg->field, r->cfg->field_to};
    for (int k = 0; k < 2; k++) {
        if (!fields[k])
            continue;
        ladle_status st = ladle_field_bind(fields[k], r->cfg->header ? h->data : NULL,
                                           r->cfg->header ? h->len : 0, r->io->names[i],
                                           &r->bindings[2 * i + (unsigned)k], r->err);
        if (st != LADLE_OK)
            return st;
    }
    return LADLE_OK;
}

/* Decodes one input into framed chunks on the work queue. */
static void decode_input(struct run *r, struct ladle_chunk_pool *pool, uint32_t i)
{
    const char *name = r->io->names[i];
    struct ladle_source *src = NULL;
    if (ladle_source_open(&src, r->io->paths[i], name, r->cfg, r->err) != LADLE_OK) {
        request_stop(r);
        return;
    }
    src->stop = &r->stop;
    if (ladle_source_is_uring(src))
        atomic_store(&r->uring_used, 1);

    unsigned char magic[4];
    ssize_t nmagic = ladle_source_peek(src, magic, sizeof magic);
    if (nmagic < 0) {
        ladle_error_set(r->err, LADLE_E_INPUT, "%s: read failed: %s (at byte 0)", name,
                        strerror((int)-nmagic));
        ladle_source_close(src);
        request_stop(r);
        return;
    }
    struct ladle_decoder d = {
        .ops = ladle_codec_detect(magic, (size_t)nmagic),
        .src = src,
        .pool = pool,
        .cfg = r->cfg,
        .err = r->err,
        .stop = &r->stop,
        .name = name,
    };
    struct ladle_framer fr;
    ladle_framer_init(&fr, r->cfg->max_record, name);
    ladle_status st = d.ops->open(&d);
    uint64_t seq = 0;
    bool header_done = false;
    while (st == LADLE_OK && !stopping(r)) {
        wait_for_output(r, i);
        struct ladle_chunk *ck = NULL;
        st = d.ops->next(&d, &ck);
        if (st != LADLE_OK || stopping(r)) {
            if (ck)
                ladle_chunk_put(ck);
            break;
        }
        bool eof = ck == NULL;
        if (eof && !(ck = ladle_chunk_get(pool, &r->stop)))
            break; /* stopping */
        ck->input = i;
        st = ladle_framer_push(&fr, &ck, eof, r->err);
        if (st != LADLE_OK) {
            ladle_chunk_put(ck);
            break;
        }
        if (!header_done && (ck->len > 0 || eof)) {
            /* Before this input's first chunk is queued: its header, and
             * where the design's field is in it. */
            header_done = true;
            if ((r->cfg->header && ck->len > 0 && take_header(r, i, ck) != LADLE_OK) ||
                (st = bind_fields(r, i)) != LADLE_OK) {
                ladle_chunk_put(ck);
                st = ladle_error_any(r->err) ? r->err->status : LADLE_E_INTERNAL;
                break;
            }
        }
        ck->binding = &r->bindings[2 * i];
        if (ck->len == 0 && !eof) {
            ladle_chunk_put(ck);
            continue;
        }
        ck->seq = seq++;
        ck->last = eof;
        enqueue_work(r, ck);
        if (eof)
            break;
    }
    d.ops->close(&d);
    atomic_fetch_add(&r->bytes_in, fr.next_off);
    atomic_fetch_add(&r->bytes_compressed, src->bytes_read);
    ladle_framer_destroy(&fr);
    ladle_source_close(src);
    if (st != LADLE_OK)
        request_stop(r);
}

struct decoder_arg {
    struct run *r;
    unsigned index;
};

static void *decoder_main(void *p)
{
    struct decoder_arg *a = p;
    struct run *r = a->r;
    for (;;) {
        unsigned i = atomic_fetch_add(&r->next_input, 1);
        if (i >= r->io->count || stopping(r))
            break;
        decode_input(r, &r->pools[a->index], i);
    }
    if (atomic_fetch_sub(&r->decoders_alive, 1) == 1)
        for (unsigned w = 0; w < r->nworkers; w++)
            enqueue_work(r, &poison);
    return NULL;
}

static void free_result(struct result *res)
{
    if (res->chunk)
        ladle_chunk_put(res->chunk);
    free(res->starts);
    ladle_outbuf_free(&res->out);
    free(res);
}

/* Memory a waiting result holds: what backpressure counts. */
static long long result_charge(const struct result *res)
{
    return (long long)(sizeof *res + res->out.cap + res->out.keys_cap * sizeof(uint64_t) +
                       res->nstarts * sizeof(uint32_t) + RESULT_OVERHEAD);
}

static void hand_to_output(struct run *r, struct result *res)
{
    /* Results of later inputs may wait a while: hold only the bytes kept. */
    if (res->out.cap > 2 * res->out.len + 4096) {
        char *p = realloc(res->out.data, res->out.len ? res->out.len : 1);
        if (p) {
            res->out.data = p;
            res->out.cap = res->out.len ? res->out.len : 1;
        }
    }
    long long charge = result_charge(res);
    atomic_fetch_add(&r->pending[res->input], charge);
    atomic_fetch_add(&r->pending_total, charge);
    while (!ladle_ring_push(&r->done_ring, res)) {
        if (stopping(r)) {
            atomic_fetch_sub(&r->pending[res->input], charge);
            atomic_fetch_sub(&r->pending_total, charge);
            free_result(res);
            return;
        }
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    sem_post(&r->done_sem);
}

struct worker_arg {
    struct run *r;
    unsigned index;
};

/* Ordered designs: where each record of the chunk starts (the design picks
 * by global index later, in the output stage). */
static ladle_status index_records(struct run *r, struct ladle_sampler *partial,
                                  const struct ladle_chunk *ck, struct result *res)
{
    size_t cap = 0;
    struct ladle_record_iter it;
    struct ladle_record rec;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &rec)) {
        partial->records_seen++;
        if (res->nstarts == cap) {
            cap = cap ? cap * 2 : 1024;
            uint32_t *p = realloc(res->starts, cap * sizeof *p);
            if (!p)
                return ladle_error_set(r->err, LADLE_E_INTERNAL, "pipeline: out of memory");
            res->starts = p;
        }
        res->starts[res->nstarts++] = (uint32_t)(rec.data - ck->data);
    }
    return LADLE_OK;
}

static void *worker_main(void *p)
{
    struct worker_arg *a = p;
    struct run *r = a->r;
    struct ladle_sampler *partial = &r->partials[a->index];
    for (;;) {
        while (sem_wait(&r->work_sem) != 0)
            ;
        struct ladle_chunk *ck = NULL;
        while (!ladle_ring_pop(&r->work_ring, &ck))
            sched_yield();
        if (ck == &poison)
            break;
        if (stopping(r)) {
            ladle_chunk_put(ck);
            continue;
        }
        struct result *res = calloc(1, sizeof *res);
        if (!res) {
            ladle_chunk_put(ck);
            ladle_error_set(r->err, LADLE_E_INTERNAL, "pipeline: out of memory");
            request_stop(r);
            continue;
        }
        res->input = ck->input;
        res->seq = ck->seq;
        res->last = ck->last;
        ladle_status st;
        if (r->design->ordered) {
            st = index_records(r, partial, ck, res);
            res->chunk = ck;
        } else {
            st = r->design->offer(partial, ck, &res->out, r->io->names[ck->input], r->err);
            ladle_chunk_put(ck);
        }
        if (st != LADLE_OK) {
            free_result(res);
            request_stop(r);
            continue;
        }
        hand_to_output(r, res);
    }
    return NULL;
}

/* ---- the ordered output stage (calling thread) ---- */

struct output {
    struct ladle_writer w;
    struct reorder *order;     /* one per input */
    uint32_t cur;              /* input being written */
    uint64_t next_seq;
    uint64_t limit;            /* records still allowed (head), UINT64_MAX otherwise */
    int collect;               /* shuffle a streaming design: gather, sort by key at the end */
    uint64_t global_index;     /* records before the current chunk, all inputs */
    bool header_written;
    uint32_t header_from;      /* the input whose header was written */
    struct ladle_sampler *selector; /* borrowed: ordered designs' own state */
    struct ladle_kept_set kept;
};

static int place(struct reorder *o, struct result *res)
{
    if (res->seq >= o->cap) {
        size_t cap = o->cap ? o->cap : 64;
        while (cap <= res->seq)
            cap *= 2;
        struct result **s = realloc(o->slot, cap * sizeof *s);
        if (!s)
            return -1;
        memset(s + o->cap, 0, (cap - o->cap) * sizeof *s);
        o->slot = s;
        o->cap = cap;
    }
    o->slot[res->seq] = res;
    return 0;
}

/* Writes (or collects) the records of one result, honouring the limit. */
static ladle_status emit_result(struct run *r, struct output *o, struct result *res)
{
    struct ladle_outbuf *b = &res->out;
    const struct ladle_outbuf *h = &r->headers[res->input];
    if (!o->header_written && h->len) {
        /* The first header seen in input order heads the output, once. */
        o->header_written = true;
        o->header_from = res->input;
        ladle_status st;
        if (r->cfg->extra_column) {
            struct ladle_outbuf hw;
            memset(&hw, 0, sizeof hw);
            if (ladle_append_column_header(&hw, h->data, h->len, r->cfg->extra_column,
                                           ladle_weight_delim(r->cfg->format, r->cfg->delim)) != 0)
                st = ladle_error_set(r->err, LADLE_E_INTERNAL, "output: out of memory");
            else
                st = ladle_writer_write(&o->w, hw.data, hw.len);
            ladle_outbuf_free(&hw);
        } else {
            st = ladle_writer_write(&o->w, h->data, h->len);
        }
        if (st != LADLE_OK)
            return st;
    } else if (res->seq == 0 && h->len && r->cfg->notify) {
        const struct ladle_outbuf *first = &r->headers[o->header_from];
        if (first->len != h->len || memcmp(first->data, h->data, h->len) != 0) {
            char line[512];
            snprintf(line, sizeof line, "%s: header differs from %s's; the output keeps the first",
                     r->io->names[res->input], r->io->names[o->header_from]);
            r->cfg->notify(r->cfg->notify_arg, line);
        }
    }
    if (res->chunk) {
        ladle_status st = r->design->select(o->selector, o->global_index, res->chunk, res->starts,
                                            res->nstarts, b, r->err);
        o->global_index += res->nstarts;
        ladle_chunk_put(res->chunk); /* its bytes are in b now */
        res->chunk = NULL;
        if (st != LADLE_OK)
            return st;
    }
    if (!o->collect && b->records <= o->limit) {
        o->limit -= b->records;
        ladle_status st = ladle_writer_write(&o->w, b->data, b->len);
        if (!o->w.closed)
            o->w.records += b->records; /* the reader may have left: count what it took */
        return st;
    }
    const char *p = b->data, *end = b->data + b->len;
    for (size_t k = 0; p < end && o->limit > 0; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)(nl - p) + 1;
        if (o->collect) {
            /* The arrival rank stands in for the offset: it follows input
             * order, which is all a tie between equal keys needs. */
            if (ladle_kept_set_add(&o->kept, b->keys[k], res->input, (uint64_t)o->kept.count, p,
                                   len) != 0)
                return ladle_error_set(r->err, LADLE_E_INTERNAL, "output: out of memory");
        } else {
            ladle_status st = ladle_writer_write(&o->w, p, len);
            if (st != LADLE_OK)
                return st;
            o->w.records++;
        }
        o->limit--;
        p += len;
    }
    return LADLE_OK;
}

static void release_result(struct run *r, struct result *res)
{
    long long charge = result_charge(res);
    atomic_fetch_sub(&r->pending[res->input], charge);
    atomic_fetch_sub(&r->pending_total, charge);
    free_result(res);
}

static void drain_done(struct run *r, struct output *o)
{
    struct result *res;
    while (ladle_ring_pop(&r->done_ring, &res)) {
        if (place(&o->order[res->input], res) != 0) {
            ladle_error_set(r->err, LADLE_E_INTERNAL, "output: out of memory");
            release_result(r, res);
            request_stop(r);
        }
    }
}

static void output_loop(struct run *r, struct output *o)
{
    const uint32_t n = r->io->count;
    while (o->cur < n) {
        if (atomic_load_explicit(r->io->cancel, memory_order_relaxed)) {
            ladle_error_set(r->err, LADLE_E_INTERRUPTED, "interrupted");
            request_stop(r);
            return;
        }
        if (stopping(r))
            return;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        if (sem_timedwait(&r->done_sem, &ts) != 0 && errno != ETIMEDOUT && errno != EINTR)
            return;
        drain_done(r, o);
        struct reorder *ord;
        while (o->cur < n && (ord = &o->order[o->cur], o->next_seq < ord->cap) &&
               ord->slot[o->next_seq]) {
            struct result *res = ord->slot[o->next_seq];
            ord->slot[o->next_seq] = NULL;
            o->next_seq++;
            ladle_status st = emit_result(r, o, res);
            bool last = res->last;
            release_result(r, res);
            if (st != LADLE_OK) {
                request_stop(r);
                return;
            }
            if (last) {
                o->cur++;
                o->next_seq = 0;
                atomic_store(&r->head_input, o->cur);
            }
            pthread_mutex_lock(&r->bp_lock);
            pthread_cond_broadcast(&r->bp_cond);
            pthread_mutex_unlock(&r->bp_lock);
            if (o->w.closed || o->limit == 0) {
                request_stop(r); /* not an error: the reader left, or head is complete */
                return;
            }
        }
    }
}

/* ---- setup and teardown ---- */

static unsigned ring_size_for(unsigned n)
{
    unsigned s = 4;
    while (s < n + 1)
        s <<= 1;
    return s;
}

ladle_status ladle_pipeline_run(const struct ladle_config *cfg,
                                const struct ladle_sampler_ops *design,
                                const struct ladle_pipeline_io *io, struct ladle_error *err,
                                ladle_report *report, int *output_closed)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.io = io;
    r.err = err;
    r.design = design;
    r.nworkers = cfg->threads;
    r.ndecoders = cfg->threads < io->count ? cfg->threads : io->count;
    if (r.ndecoders == 0)
        r.ndecoders = 1;
    atomic_init(&r.stop, 0);
    atomic_init(&r.next_input, 0);
    atomic_init(&r.decoders_alive, r.ndecoders);
    atomic_init(&r.head_input, 0);
    atomic_init(&r.pending_total, 0);
    atomic_init(&r.bytes_in, 0);
    atomic_init(&r.bytes_compressed, 0);
    atomic_init(&r.uring_used, 0);

    ladle_status status = LADLE_OK;
    struct output o;
    memset(&o, 0, sizeof o);
    unsigned work_size = ring_size_for(r.ndecoders * CHUNKS_PER_DECODER + r.nworkers);
    r.pending = calloc(io->count ? io->count : 1, sizeof *r.pending);
    r.headers = calloc(io->count ? io->count : 1, sizeof *r.headers);
    r.bindings = calloc(io->count ? 2 * (size_t)io->count : 2, sizeof *r.bindings);
    r.pools = calloc(r.ndecoders, sizeof *r.pools);
    r.partials = calloc(r.nworkers + 1, sizeof *r.partials);
    o.order = calloc(io->count ? io->count : 1, sizeof *o.order);
    pthread_t *threads = calloc(r.ndecoders + r.nworkers, sizeof *threads);
    struct decoder_arg *dargs = calloc(r.ndecoders, sizeof *dargs);
    struct worker_arg *wargs = calloc(r.nworkers, sizeof *wargs);
    unsigned pools_ready = 0, partials_ready = 0, started_dec = 0, started_work = 0;
    if (!r.headers || !r.bindings || ladle_ring_init(&r.work_ring, work_size) != 0 ||
        ladle_ring_init(&r.done_ring, DONE_RING_SIZE) != 0 || !r.pending || !r.pools || !r.partials || !o.order ||
        !threads || !dargs || !wargs) {
        status = ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: out of memory");
        goto out;
    }
    sem_init(&r.work_sem, 0, 0);
    sem_init(&r.done_sem, 0, 0);
    pthread_mutex_init(&r.bp_lock, NULL);
    pthread_cond_init(&r.bp_cond, NULL);
    for (uint32_t i = 0; i < io->count; i++)
        atomic_init(&r.pending[i], 0);
    for (; pools_ready < r.ndecoders; pools_ready++)
        if (ladle_chunk_pool_init(&r.pools[pools_ready], CHUNKS_PER_DECODER,
                                  ladle_framer_chunk_limit(cfg->chunk_size, cfg->max_record),
                                  LADLE_CHUNK_HEADROOM) != 0) {
            status = ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: out of memory");
            goto out_sync;
        }
    for (; partials_ready < r.nworkers + 1; partials_ready++)
        if ((status = ladle_sampler_init(&r.partials[partials_ready], r.design, cfg, err)) !=
            LADLE_OK)
            goto out_sync;
    if ((status = ladle_writer_init(&o.w, io->out_fd, err)) != LADLE_OK)
        goto out_sync;
    o.limit = cfg->design == LADLE_DESIGN_HEAD ? cfg->n : UINT64_MAX;
    o.collect = r.design->streaming && cfg->shuffle;
    o.selector = &r.partials[r.nworkers];

    for (; started_work < r.nworkers; started_work++) {
        wargs[started_work] = (struct worker_arg){&r, started_work};
        if (pthread_create(&threads[r.ndecoders + started_work], NULL, worker_main,
                           &wargs[started_work]) != 0)
            break;
    }
    if (started_work == r.nworkers)
        for (; started_dec < r.ndecoders; started_dec++) {
            dargs[started_dec] = (struct decoder_arg){&r, started_dec};
            if (pthread_create(&threads[started_dec], NULL, decoder_main, &dargs[started_dec]) != 0)
                break;
        }
    if (started_work < r.nworkers || started_dec < r.ndecoders) {
        ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: cannot start threads");
        request_stop(&r);
        /* Decoders that never started must still count down and release workers. */
        for (unsigned k = started_dec; k < r.ndecoders; k++)
            if (atomic_fetch_sub(&r.decoders_alive, 1) == 1)
                for (unsigned w = 0; w < started_work; w++)
                    enqueue_work(&r, &poison);
    } else {
        output_loop(&r, &o);
    }

    for (unsigned k = 0; k < started_dec; k++)
        pthread_join(threads[k], NULL);
    for (unsigned k = 0; k < started_work; k++)
        pthread_join(threads[r.ndecoders + k], NULL);
    drain_done(&r, &o);

    status = ladle_error_any(err) ? err->status : LADLE_OK;
    if (status == LADLE_OK && !o.w.closed) {
        if (o.collect)
            status = ladle_kept_emit(o.kept.v, o.kept.count, 1, &o.w);
        /* Partial states merge whatever the design: streaming ones may
         * still gather something (the next snowball frontier). */
        for (unsigned k = 1; k < r.nworkers && status == LADLE_OK && r.design->merge; k++)
            status = r.design->merge(&r.partials[0], &r.partials[k], err);
        if (status == LADLE_OK && r.design->finish)
            status = r.design->finish(&r.partials[0], &o.w, err);
    }
    if (status == LADLE_OK)
        status = ladle_writer_flush(&o.w);

    if (report) {
        memset(report, 0, sizeof *report);
        for (unsigned k = 0; k < partials_ready; k++)
            report->records_in += r.partials[k].records_seen;
        for (unsigned k = 0; k < partials_ready; k++)
            report->records_missing += r.partials[k].records_missing;
        report->records_out = o.w.records;
        report->bytes_in = atomic_load(&r.bytes_in);
        report->bytes_compressed = atomic_load(&r.bytes_compressed);
        report->threads = r.nworkers;
        report->io_uring_used = atomic_load(&r.uring_used);
    }
    if (output_closed)
        *output_closed = o.w.closed;
    ladle_writer_destroy(&o.w);

out_sync:
    for (uint32_t i = 0; i < io->count; i++) {
        for (size_t s = 0; s < o.order[i].cap; s++)
            if (o.order[i].slot[s])
                release_result(&r, o.order[i].slot[s]);
        free(o.order[i].slot);
    }
    ladle_kept_set_free(&o.kept);
    for (unsigned k = 0; k < partials_ready; k++)
        ladle_sampler_destroy(&r.partials[k]);
    for (unsigned k = 0; k < pools_ready; k++)
        ladle_chunk_pool_destroy(&r.pools[k]);
    pthread_cond_destroy(&r.bp_cond);
    pthread_mutex_destroy(&r.bp_lock);
    sem_destroy(&r.work_sem);
    sem_destroy(&r.done_sem);
out:
    free(o.order);
    free(threads);
    free(dargs);
    free(wargs);
    ladle_ring_destroy(&r.work_ring);
    ladle_ring_destroy(&r.done_ring);
    free(r.pending);
    if (r.headers)
        for (uint32_t i = 0; i < io->count; i++)
            ladle_outbuf_free(&r.headers[i]);
    free(r.headers);
    free(r.bindings);
    free(r.pools);
    free(r.partials);
    return status;
}

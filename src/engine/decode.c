/*
 * decode.c -- the decoder threads: each claims inputs in argument order,
 * opens the source, picks the codec by magic bytes, frames whole records
 * into chunks from its own pool and queues them for the workers. The
 * decoder of the input being written waits only on its own pending
 * output, so later inputs never starve it (see engine.h).
 */
#include "engine/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "io/source.h"
#include "record/framer.h"
#include "record/records.h"

/* Over budget: the input being taken counts its own results only, so
 * later inputs never starve it. */
static bool over_budget(struct ladle_engine *r, uint32_t input)
{
    return (atomic_load(&r->head_input) == input
                ? atomic_load(&r->pending[input])
                : atomic_load(&r->pending_total)) > LADLE_ENGINE_PENDING_BUDGET;
}

/* Backpressure: see engine.h and run.h. bp_waiters is raised before the
 * condition is read, under bp_lock, which a release takes before its
 * broadcast whenever it sees a waiter: no wake-up is lost. */
static void wait_for_output(struct ladle_engine *r, uint32_t input)
{
    if (!over_budget(r, input))
        return;
    pthread_mutex_lock(&r->bp_lock);
    atomic_fetch_add(&r->bp_waiters, 1);
    while (!ladle_run_stopping(r) && over_budget(r, input))
        pthread_cond_wait(&r->bp_cond, &r->bp_lock);
    atomic_fetch_sub(&r->bp_waiters, 1);
    pthread_mutex_unlock(&r->bp_lock);
}

static ladle_status take_header(struct ladle_engine *r, uint32_t i, struct ladle_chunk *ck)
{
    size_t len = ladle_record_len(ck->data, ck->len, ck->csv_delim);
    if (ladle_outbuf_append(&r->headers[i], ck->data, len) != 0)
        return ladle_error_set(r->err, LADLE_E_INTERNAL, "%s: out of memory", r->io->names[i]);
    ck->data += len;
    ck->len -= len;
    ck->offset += len;
    return LADLE_OK;
}

/* Decodes one input into framed chunks on the work queue. */
static void decode_input(struct ladle_engine *r, unsigned k, uint32_t i)
{
    struct ladle_chunk_pool *pool = &r->pools[k];
    /* Progress: bytes of earlier inputs, plus this one's so far. */
    atomic_ullong *read_bytes = &r->read_bytes[k].v;
    const uint64_t read_before = atomic_load_explicit(read_bytes, memory_order_relaxed);
    const char *name = r->io->names[i];
    /* A pipe the probe read from is open already, rewound, and stays the job's. */
    struct ladle_source *src = r->io->opened ? r->io->opened[i] : NULL;
    const bool probed = src != NULL;
    const uint64_t source = r->io->source_ids ? r->io->source_ids[i] : i;
    if (!probed && ladle_source_open(&src, r->io->paths[i], name, r->cfg, r->err) != LADLE_OK) {
        ladle_run_request_stop(r);
        return;
    }
    src->stop_fd = r->stop_fd;
    if (ladle_source_is_uring(src))
        atomic_store(&r->uring_used, 1);

    unsigned char magic[4];
    ssize_t nmagic = ladle_source_peek(src, magic, sizeof magic);
    if (nmagic < 0) {
        ladle_error_set(r->err, LADLE_E_INPUT, "%s: read failed: %s (at byte 0)", name,
                        strerror((int)-nmagic));
        if (!probed)
            ladle_source_close(src);
        ladle_run_request_stop(r);
        return;
    }
    struct ladle_decoder d = {
        .ops = ladle_codec_detect(magic, (size_t)nmagic),
        .src = src,
        .chunks = ladle_chunk_pool_supply(pool),
        .cfg = r->cfg,
        .err = r->err,
        .name = name,
    };
    struct ladle_framer fr;
    ladle_framer_init(&fr, r->cfg->engine.max_record, name);
    if (r->cfg->engine.csv_delim)
        ladle_framer_set_csv(&fr, r->cfg->engine.csv_delim);
    ladle_status st = d.ops->open(&d);
    uint64_t seq = 0;
    bool header_done = false;
    const struct ladle_field_binding *binding = NULL;
    while (st == LADLE_OK && !ladle_run_stopping(r)) {
        wait_for_output(r, i);
        struct ladle_chunk *ck = NULL;
        st = d.ops->next(&d, &ck);
        atomic_store_explicit(read_bytes, read_before + src->bytes_read, memory_order_relaxed);
        if (st != LADLE_OK || ladle_run_stopping(r)) {
            if (ck)
                ladle_chunk_put(ck);
            break;
        }
        bool eof = ck == NULL;
        if (eof && !(ck = ladle_chunk_get(pool)))
            break; /* stopping */
        ck->input = i;
        ck->source = source;
        st = ladle_framer_push(&fr, &ck, eof, r->err);
        if (st != LADLE_OK) {
            ladle_chunk_put(ck);
            break;
        }
        if (!header_done && (ck->len > 0 || eof)) {
            /* Before this input's first chunk is queued: its header, and
             * where the design's field is in it. */
            header_done = true;
            const struct ladle_outbuf *h = &r->headers[i];
            if ((r->cfg->engine.header && ck->len > 0 && take_header(r, i, ck) != LADLE_OK) ||
                (st = r->ops->bind_input(r->ops->arg, i, r->cfg->engine.header ? h->data : NULL,
                                         r->cfg->engine.header ? h->len : 0, &binding)) !=
                    LADLE_OK) {
                ladle_chunk_put(ck);
                st = ladle_error_any(r->err) ? ladle_error_status(r->err) : LADLE_E_INTERNAL;
                break;
            }
        }
        ck->binding = binding;
        if (ck->len == 0 && !eof) {
            ladle_chunk_put(ck);
            continue;
        }
        ck->seq = seq++;
        ck->last = eof;
        ladle_run_enqueue_work(r, ck);
        if (eof)
            break;
    }
    d.ops->close(&d);
    atomic_fetch_add(&r->bytes_in, fr.next_off);
    atomic_fetch_add(&r->bytes_compressed, src->bytes_read);
    ladle_framer_destroy(&fr);
    if (probed)
        src->stop_fd = -1;
    else
        ladle_source_close(src);
    if (st != LADLE_OK)
        ladle_run_request_stop(r);
}

void *ladle_run_decoder_main(void *p)
{
    struct ladle_run_thread *a = p;
    struct ladle_engine *r = a->r;
    for (;;) {
        unsigned i = atomic_fetch_add(&r->next_input, 1);
        if (i >= r->io->count || ladle_run_stopping(r))
            break;
        decode_input(r, a->index, i);
    }
    if (atomic_fetch_sub(&r->decoders_alive, 1) == 1)
        ladle_run_close_work(r);
    return NULL;
}

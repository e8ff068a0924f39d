/*
 * output.c -- the ordered output stage, on the calling thread: results
 * arrive in any order from the workers and are written in (input, chunk)
 * order, with the --header line first and the --head limit applied; with
 * --shuffle, streaming designs' records are gathered to be sorted by key.
 */
#include "engine/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out/weight_column.h"
#include "shard/shards.h"
#include "split/assign.h"

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
    if (!o->header_written && h->len && !r->design->report && !r->io->skip_header) {
        /* The first header seen in input order heads the output, once
         * (or, in a split, every shard). */
        o->header_written = true;
        o->header_from = res->input;
        ladle_status st;
        int split = r->cfg->params.split && o->w.record_hook;
        struct ladle_shards *shards = split ? r->cfg->state->split_state->shards : NULL;
        if (split && r->cfg->state->split_state->counting) {
            st = LADLE_OK;
        } else if (r->cfg->params.extra_column) {
            struct ladle_outbuf hw;
            memset(&hw, 0, sizeof hw);
            if (ladle_append_column_header(
                    &hw, h->data, h->len, r->cfg->params.extra_column,
                    ladle_weight_delim(r->cfg->params.format, r->cfg->params.delim)) != 0)
                st = ladle_error_set(r->err, LADLE_E_INTERNAL, "output: out of memory");
            else
                st = shards ? ladle_shards_set_header(shards, hw.data, hw.len, r->err)
                            : ladle_writer_header(&o->w, hw.data, hw.len);
            ladle_outbuf_free(&hw);
        } else {
            st = shards ? ladle_shards_set_header(shards, h->data, h->len, r->err)
                        : ladle_writer_header(&o->w, h->data, h->len);
        }
        if (st != LADLE_OK)
            return st;
    } else if (res->seq == 0 && h->len && r->cfg->engine.notify) {
        const struct ladle_outbuf *first = &r->headers[o->header_from];
        if (first->len != h->len || memcmp(first->data, h->data, h->len) != 0) {
            char line[512];
            snprintf(line, sizeof line, "%s: header differs from %s's; the output keeps the first",
                     r->io->names[res->input], r->io->names[o->header_from]);
            r->cfg->engine.notify(r->cfg->engine.notify_arg, line);
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
    if (r->cfg->params.split && o->w.record_hook) {
        ladle_run_split_count_input(r, res);
        if (!o->collect)
            return ladle_run_split_result(r, o, res);
    }
    if (!o->collect && b->records <= o->limit) {
        o->limit -= b->records;
        ladle_status st = ladle_writer_write(&o->w, b->data, b->len);
        if (!o->w.closed)
            o->w.records += b->records; /* the reader may have left: count what it took */
        return st;
    }
    if (!b->len)
        return LADLE_OK; /* (b->data may be NULL: no pointer sums on it) */
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

void ladle_run_release_result(struct run *r, struct result *res)
{
    long long charge = ladle_run_result_charge(res);
    atomic_fetch_sub(&r->pending[res->input], charge);
    atomic_fetch_sub(&r->pending_total, charge);
    ladle_run_free_result(res);
}

void ladle_run_drain_done(struct run *r, struct output *o)
{
    struct result *res;
    while (ladle_ring_pop(&r->done_ring, &res)) {
        if (place(&o->order[res->input], res) != 0) {
            ladle_error_set(r->err, LADLE_E_INTERNAL, "output: out of memory");
            ladle_run_release_result(r, res);
            ladle_run_request_stop(r);
        }
    }
}

void ladle_run_output_loop(struct run *r, struct output *o)
{
    const uint32_t n = r->io->count;
    while (o->cur < n) {
        if (atomic_load_explicit(r->io->cancel, memory_order_relaxed)) {
            ladle_error_set(r->err, LADLE_E_INTERRUPTED, "interrupted");
            ladle_run_request_stop(r);
            return;
        }
        if (ladle_run_stopping(r))
            return;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        if (sem_timedwait(&r->done_sem, &ts) != 0 && errno != ETIMEDOUT && errno != EINTR)
            return;
        ladle_run_drain_done(r, o);
        struct reorder *ord;
        while (o->cur < n && (ord = &o->order[o->cur], o->next_seq < ord->cap) &&
               ord->slot[o->next_seq]) {
            struct result *res = ord->slot[o->next_seq];
            ord->slot[o->next_seq] = NULL;
            o->next_seq++;
            ladle_status st = emit_result(r, o, res);
            bool last = res->last;
            ladle_run_release_result(r, res);
            if (st != LADLE_OK) {
                ladle_run_request_stop(r);
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
                ladle_run_request_stop(r); /* not an error: the reader left, or head is complete */
                return;
            }
        }
    }
}

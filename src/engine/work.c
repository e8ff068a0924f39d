/*
 * work.c -- the worker threads: each takes framed chunks from the work
 * queue, offers their records to its own partial sampler state (or, for
 * ordered designs, indexes where records start), returns the chunk to its
 * pool and hands what it kept to the output stage.
 */
#include "engine/run.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/records.h"
#include "shard/shards.h"
#include "split/assign.h"

void ladle_run_free_result(struct result *res)
{
    if (res->chunk)
        ladle_chunk_put(res->chunk);
    free(res->starts);
    free(res->routes);
    ladle_outbuf_free(&res->out);
    free(res);
}

/* Memory a waiting result holds: what backpressure counts. */
long long ladle_run_result_charge(const struct result *res)
{
    return (long long)(sizeof *res + res->out.cap + res->out.keys_cap * sizeof(uint64_t) +
                       res->nstarts * sizeof(uint32_t) +
                       res->routes_cap * sizeof(struct ladle_route) + RESULT_OVERHEAD);
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
    long long charge = ladle_run_result_charge(res);
    atomic_fetch_add(&r->pending[res->input], charge);
    atomic_fetch_add(&r->pending_total, charge);
    while (!ladle_ring_push(&r->done_ring, res)) {
        if (ladle_run_stopping(r)) {
            atomic_fetch_sub(&r->pending[res->input], charge);
            atomic_fetch_sub(&r->pending_total, charge);
            ladle_run_free_result(res);
            return;
        }
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    sem_post(&r->done_sem);
}

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

void *ladle_run_worker_main(void *p)
{
    struct ladle_run_thread *a = p;
    struct run *r = a->r;
    struct ladle_sampler *partial = &r->partials[a->index];
    for (;;) {
        while (sem_wait(&r->work_sem) != 0)
            ;
        struct ladle_chunk *ck = NULL;
        while (!ladle_ring_pop(&r->work_ring, &ck))
            sched_yield();
        if (ck == &ladle_run_poison)
            break;
        if (ck == &ladle_run_compress_token) {
            ladle_shards_help(r->cfg->state->split_state->shards, a->index);
            continue;
        }
        if (ladle_run_stopping(r)) {
            ladle_chunk_put(ck);
            continue;
        }
        struct result *res = calloc(1, sizeof *res);
        if (!res) {
            ladle_chunk_put(ck);
            ladle_error_set(r->err, LADLE_E_INTERNAL, "pipeline: out of memory");
            ladle_run_request_stop(r);
            continue;
        }
        res->input = ck->input;
        res->seq = ck->seq;
        res->last = ck->last;
        res->end_offset = ck->offset + ck->len;
        uint64_t seen0 = partial->records_seen, missing0 = partial->records_missing;
        ladle_status st;
        if (r->design == &ladle_sampler_all) { /* a split without a design */
            st = ladle_run_route_chunk(r, partial, ck, res);
            ladle_chunk_put(ck);
        } else if (r->design->ordered) {
            st = index_records(r, partial, ck, res);
            res->chunk = ck;
        } else {
            st = r->design->offer(partial, ck, &res->out, r->io->names[ck->input], r->err);
            if (st == LADLE_OK && r->cfg->params.split) {
                uint64_t dropped = 0;
                st = ladle_run_route_kept(r, partial->scratch, ck->input, res, &dropped);
                partial->records_missing += dropped;
            }
            ladle_chunk_put(ck);
        }
        res->records_seen = partial->records_seen - seen0;
        res->records_missing = partial->records_missing - missing0;
        if (st != LADLE_OK) {
            ladle_run_free_result(res);
            ladle_run_request_stop(r);
            continue;
        }
        hand_to_output(r, res);
    }
    return NULL;
}

/*
 * run_split.c -- a split run's part of a pass (see run_sample.h): workers
 * route the records (split/route.h), and the calling thread hands them in
 * input order to the split's sequential decisions (split/assign.h) and its
 * shards, instead of the output fd.
 */
#include "job/run_sample.h"

#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "record/key.h"
#include "record/records.h"
#include "shard/shards.h"
#include "split/assign.h"
#include "split/split.h"

/* The split's fields in input i: --by (or --time-field), the label, then
 * --time-field's second and third. */
static const struct ladle_field_binding *split_bindings(const struct job_run *j, uint32_t i)
{
    return &j->bindings[LADLE_BINDINGS_PER_INPUT * i + 2];
}

/* A slot for one more route. */
static struct ladle_route *next_route(struct job_result *res)
{
    if (res->nroutes == res->routes_cap) {
        size_t cap = res->routes_cap ? 2 * res->routes_cap : 1024;
        struct ladle_route *p = realloc(res->routes, cap * sizeof *p);
        if (!p)
            return NULL;
        res->routes = p;
        res->routes_cap = cap;
    }
    return &res->routes[res->nroutes++];
}

ladle_status ladle_job_route_chunk(struct job_run *j, struct ladle_sampler *partial,
                                   const struct ladle_chunk *ck, struct job_result *res)
{
    const struct ladle_config *cfg = j->cfg;
    const char *name = j->io->names[ck->input];
    struct ladle_record_iter it;
    struct ladle_record rec;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &rec)) {
        partial->records_seen++;
        struct ladle_route *rt = next_route(res);
        if (!rt)
            return ladle_error_set(j->err, LADLE_E_INTERNAL, "pipeline: out of memory");
        uint64_t key = ladle_record_key_d(partial->record_seed, ck->source, rec.offset);
        uint64_t bad0 = *ladle_field_scratch_malformed(partial->scratch);
        int got = ladle_split_route(cfg, partial->scratch, split_bindings(j, ck->input), rec.data,
                                    rec.len, key, name, rec.offset, rt, j->err);
        if (got < 0)
            return ladle_error_status(j->err);
        if (got == 0) {
            res->nroutes--;
            if (*ladle_field_scratch_malformed(partial->scratch) != bad0)
                partial->records_malformed++;
            else
                partial->records_missing++;
            continue;
        }
        /* --shuffle gathers the records at the output to sort them by key
         * (output.c): each needs its key, as a design's kept records have. */
        if (ladle_outbuf_append(&res->out, rec.data, rec.len) != 0 ||
            (cfg->params.shuffle && ladle_outbuf_append_key(&res->out, key) != 0))
            return ladle_error_set(j->err, LADLE_E_INTERNAL, "pipeline: out of memory");
        res->out.records++;
    }
    return LADLE_OK;
}

ladle_status ladle_job_route_kept(struct job_run *j, struct ladle_field_scratch *scratch,
                                  uint32_t input, struct job_result *res, uint64_t *dropped)
{
    struct ladle_outbuf *b = &res->out;
    const char *name = j->io->names[input];
    size_t at = 0, w = 0, kept = 0;
    for (size_t i = 0; i < b->records; i++) {
        const char *p = b->data + at;
        size_t len = ladle_record_len(p, b->len - at, j->cfg->engine.csv_delim);
        struct ladle_route *rt = next_route(res);
        if (!rt)
            return ladle_error_set(j->err, LADLE_E_INTERNAL, "pipeline: out of memory");
        int got = ladle_split_route(j->cfg, scratch, split_bindings(j, input), p, len, b->keys[i],
                                    name, UINT64_MAX, rt, j->err);
        if (got < 0)
            return ladle_error_status(j->err);
        if (got == 0) {
            res->nroutes--;
            (*dropped)++;
        } else {
            /* Keep it: slide it down over the records dropped before it. */
            if (w != at)
                memmove(b->data + w, p, len);
            w += len;
            b->keys[kept++] = b->keys[i];
        }
        at += len;
    }
    b->len = w;
    b->records = res->nroutes;
    b->nkeys = kept;
    return LADLE_OK;
}

static ladle_status take(struct job_run *j, const struct ladle_route *rt, const char *rec,
                         uint32_t input)
{
    struct ladle_split_state *ss = j->cfg->state->split_state;
    struct ladle_split_class *cls = NULL;
    const struct ladle_field *label = j->cfg->params.split->label;
    /* --head: the limit counts records as they reach the output, unless they
     * were gathered for --shuffle (the limit was applied then). */
    if (j->limit == 0 && !j->collect)
        return LADLE_OK;
    if (label) {
        const char *v = "";
        size_t vlen = 0;
        if (!ladle_split_class_known(ss, rt->label) &&
            ladle_field_get(label, &j->bindings[LADLE_BINDINGS_PER_INPUT * input + 3], rec, rt->len,
                            j->scratch, &v, &vlen) != LADLE_FIELD_OK) {
            v = ""; /* --missing keep: the empty label */
            vlen = 0;
        }
        if (!(cls = ladle_split_class_get(ss, rt->label, v, vlen)))
            return ladle_error_set(j->err, LADLE_E_INTERNAL, "split: out of memory");
    }
    if (!j->collect)
        j->limit--;
    return ladle_split_state_take(ss, rt, cls, rec, j->err);
}

/* One record emitted at the end (retaining designs, --shuffle): routed here. */
static ladle_status route_and_take(struct job_run *j, const char *rec, size_t len, uint64_t key,
                                   uint32_t input)
{
    struct ladle_route rt;
    int got = ladle_split_route(j->cfg, j->scratch, split_bindings(j, input), rec, len, key,
                                j->io->names[input], UINT64_MAX, &rt, j->err);
    if (got < 0)
        return ladle_error_status(j->err);
    if (got == 0) {
        j->cfg->state->split_state->inputs[input].missing++;
        return LADLE_OK;
    }
    return take(j, &rt, rec, input);
}

ladle_status ladle_job_split_record_hook(void *arg, const char *rec, size_t len, uint64_t key,
                                         uint32_t input)
{
    struct job_run *j = arg;
    return route_and_take(j, rec, len, key, input);
}

void ladle_job_split_count_input(struct job_run *j, const struct job_result *res)
{
    struct ladle_input_count *in = &j->cfg->state->split_state->inputs[res->item.input];
    in->records += res->records_seen;
    in->missing += res->records_missing;
    in->malformed += res->records_malformed;
    in->decompressed = res->end_offset;
}

ladle_status ladle_job_split_result(struct job_run *j, struct job_result *res)
{
    ladle_status st = LADLE_OK;
    if (res->nstarts) {
        /* Ordered designs chose their records just now, here: route them as
         * a worker routes a design's records. */
        uint64_t dropped = 0;
        st = ladle_job_route_kept(j, j->scratch, res->item.input, res, &dropped);
        j->cfg->state->split_state->inputs[res->item.input].missing += dropped;
        if (st != LADLE_OK)
            return st;
    }
    const char *p = res->out.data;
    for (size_t i = 0; i < res->nroutes && st == LADLE_OK; i++) {
        st = take(j, &res->routes[i], p, res->item.input);
        p += res->routes[i].len;
    }
    return st;
}

static void help_compress(void *arg, unsigned worker)
{
    struct job_run *j = arg;
    if (j->sorter) /* split --shuffle: the runs' frames too */
        ladle_spill_sort_help(j->sorter, worker);
    ladle_shards_help(j->cfg->state->split_state->shards, worker);
}

ladle_status ladle_job_split_begin(struct job_run *j, struct ladle_engine_ops *ops)
{
    struct ladle_split_state *ss = j->cfg->state->split_state;
    for (uint32_t i = 0; i < ss->ninputs; i++) {
        ss->inputs[i].records = ss->inputs[i].missing = 0; /* each pass counts again */
        ss->inputs[i].decompressed = 0;
    }
    if (!(j->scratch = ladle_field_scratch_new()))
        return ladle_error_set(j->err, LADLE_E_INTERNAL, "pipeline: out of memory");
    j->w.record_hook = ladle_job_split_record_hook;
    j->w.hook_arg = j;
    if (ss->shards) {
        ops->help = help_compress;
        ladle_shards_set_wake(ss->shards, ladle_engine_wake_helper, j->engine);
    }
    return LADLE_OK;
}

void ladle_job_split_end(struct job_run *j)
{
    struct ladle_split_state *ss = j->cfg->state->split_state;
    if (ss->shards)
        ladle_shards_set_wake(ss->shards, NULL, NULL);
}

/*
 * split_out.c -- the output stage of a split run: records reach the
 * split's sequential decisions (split/assign.h) and its shards in input
 * order, instead of the output fd.
 */
#include "pipeline/run.h"

#include <string.h>

#include "field/field.h"
#include "shard/shards.h"
#include "split/assign.h"
#include "split/split.h"

static ladle_status take(struct run *r, struct output *o, const struct ladle_route *rt,
                         const char *rec, uint32_t input)
{
    struct ladle_split_state *ss = r->cfg->split_state;
    struct ladle_split_class *cls = NULL;
    const struct ladle_field *label = r->cfg->split->label;
    /* --head: the limit counts records as they reach the output, unless they
     * were gathered for --shuffle (the limit was applied then). */
    if (o->limit == 0 && !o->collect)
        return LADLE_OK;
    if (label) {
        const char *v = "";
        size_t vlen = 0;
        if (!ladle_split_class_known(ss, rt->label) &&
            ladle_field_get(label, &r->bindings[LADLE_BINDINGS_PER_INPUT * input + 3], rec,
                            rt->len, o->scratch, &v, &vlen) != LADLE_FIELD_OK) {
            v = ""; /* --missing keep: the empty label */
            vlen = 0;
        }
        if (!(cls = ladle_split_class_get(ss, rt->label, v, vlen)))
            return ladle_error_set(r->err, LADLE_E_INTERNAL, "split: out of memory");
    }
    if (!o->collect)
        o->limit--;
    return ladle_split_state_take(ss, rt, cls, rec, r->err);
}

/* Routes the records of b here, serially (ordered designs, and records
 * emitted at the end), then takes each. */
static ladle_status route_and_take(struct run *r, struct output *o, const char *rec, size_t len,
                                   uint64_t key, uint32_t input)
{
    struct ladle_route rt;
    int got = ladle_split_route(r->cfg, o->scratch,
                                &r->bindings[LADLE_BINDINGS_PER_INPUT * input + 2], rec, len, key,
                                r->io->names[input], UINT64_MAX, &rt, r->err);
    if (got < 0)
        return ladle_error_status(r->err);
    if (got == 0) {
        r->cfg->split_state->inputs[input].missing++;
        return LADLE_OK;
    }
    return take(r, o, &rt, rec, input);
}

ladle_status ladle_run_split_record_hook(void *arg, const char *rec, size_t len, uint64_t key,
                                         uint32_t input)
{
    struct output *o = arg;
    return route_and_take(o->run, o, rec, len, key, input);
}

void ladle_run_split_count_input(struct run *r, const struct result *res)
{
    struct ladle_input_count *in = &r->cfg->split_state->inputs[res->input];
    in->records += res->records_seen;
    in->missing += res->records_missing;
    in->decompressed = res->end_offset;
}

ladle_status ladle_run_split_result(struct run *r, struct output *o, struct result *res)
{
    const struct ladle_outbuf *b = &res->out;
    const char *p = b->data;
    ladle_status st = LADLE_OK;
    if (!res->routes) {
        /* Ordered designs chose their records just now: route them here. */
        for (uint64_t i = 0; i < b->records && st == LADLE_OK; i++) {
            size_t len = (size_t)((const char *)memchr(p, '\n', (size_t)(b->data + b->len - p)) - p) + 1;
            st = route_and_take(r, o, p, len, b->keys[i], res->input);
            p += len;
        }
        return st;
    }
    for (size_t i = 0; i < res->nroutes && st == LADLE_OK; i++) {
        st = take(r, o, &res->routes[i], p, res->input);
        p += res->routes[i].len;
    }
    return st;
}

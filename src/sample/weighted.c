/*
 * weighted.c -- `--weight FIELD -n N`: N records without replacement, with
 * probability growing with the weight.
 *
 * Default: Efraimidis-Spirakis. Each record gets the key -ln(u)/w (u its
 * uniform from the record key) and the N smallest keys win: the
 * successive-sampling semantics of tsv-sample -w and numpy's
 * choice(replace=False, p=w/sum(w)): draw one record with probability
 * proportional to weight, remove it, repeat.
 *
 * --emit-weight: priority sampling (Duffield, Lund, Thorup) instead: the N
 * records with the largest priority w/u win, tau is the (N+1)-th largest
 * priority, and each kept record carries max(w, tau). Summing that column
 * estimates the population's total weight without bias, which ES keys do
 * not give. Both keep N+1 candidates at most; both merge like bottom-k,
 * and serialize like it too (kept_state.h), so runs and processes combine.
 *
 * A weight of 0 is never drawn; a weight that is not a finite non-negative
 * number goes to --missing (keep: weight 0).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "out/weight_column.h"
#include "record/records.h"
#include "sample/kept_state.h"
#include "sample/kheap.h"
#include "sample/sampler.h"

struct weighted_state {
    struct ladle_kheap heap;
};

static ladle_status weighted_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct weighted_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_sampler_nomem(err);
    uint64_t n = s->cfg->params.n;
    /* Priority sampling needs the (N+1)-th priority: tau. */
    ladle_kheap_init(&st->heap, s->cfg->params.emit_weight && n < UINT64_MAX ? n + 1 : n);
    s->state = st;
    return LADLE_OK;
}

static ladle_status weighted_take(struct ladle_sampler *s, const struct ladle_valued *r,
                                  struct ladle_outbuf *out, struct ladle_error *err)
{
    (void)out;
    struct weighted_state *st = s->state;
    double w = 0.0;
    if (ladle_field_parse_weight(r->value, r->vlen, &w) != 0) {
        int got = ladle_sampler_bad_value(s, r->name, r->offset,
                                          "not a finite non-negative weight in", err);
        if (got <= 0)
            return got < 0 ? ladle_error_status(err) : LADLE_OK;
        w = 0.0;
    }
    if (!(w > 0.0))
        return LADLE_OK; /* weight 0: never drawn */
    double u = ladle_key_unit(ladle_record_key_d(s->record_seed, r->ck->source, r->offset));
    if (st->heap.count == st->heap.cap && st->heap.cap) {
        /* Reject most records before the log: -ln(u) >= 1 - u, so when
         * 1 - u >= kmax * w the key -ln(u)/w cannot beat the heap's top. For
         * priority keys u/w the test is exact. */
        double bound = ladle_bits_double(ladle_kheap_top(&st->heap)->key) * w * (1.0 + 1e-12);
        if (s->cfg->params.emit_weight ? u > bound : 1.0 - u > bound)
            return LADLE_OK; /* the margin leaves rounding no say: exact either way */
    }
    double k = s->cfg->params.emit_weight ? u / w : -log(u) / w;
    struct ladle_kept c = {ladle_double_bits(k), r->offset, r->ck->input, r->len, NULL, w};
    if (!ladle_kheap_admits(&st->heap, &c))
        return LADLE_OK;
    if (!(c.data = malloc(r->len)))
        return ladle_sampler_nomem(err);
    memcpy(c.data, r->data, r->len);
    return ladle_kheap_insert(&st->heap, &c) != 0 ? ladle_sampler_nomem(err) : LADLE_OK;
}

static ladle_status weighted_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                   struct ladle_outbuf *out, const char *name,
                                   struct ladle_error *err)
{
    return ladle_sampler_each_value(s, ck, out, name, err, weighted_take);
}

static ladle_status weighted_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                   struct ladle_error *err)
{
    struct weighted_state *a = into->state, *b = from->state;
    ladle_sampler_merge_counts(into, from);
    if (ladle_kheap_merge(&a->heap, &b->heap) != 0)
        return ladle_sampler_nomem(err);
    return LADLE_OK;
}

/* The source id of an input (a kept record holds its ordinal). */
static uint64_t source_of(const struct ladle_config *cfg, uint32_t input)
{
    return cfg->state && cfg->state->source_ids ? cfg->state->source_ids[input] : input;
}

static ladle_status weighted_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                    struct ladle_error *err)
{
    struct weighted_state *st = s->state;
    const struct ladle_config *cfg = s->cfg;
    struct ladle_kheap *h = &st->heap;
    double tau = 0.0;
    if (cfg->params.emit_weight && h->count > cfg->params.n) {
        /* The heap top is the (N+1)-th priority: it sets tau and is not emitted. */
        tau = 1.0 / ladle_bits_double(ladle_kheap_top(h)->key);
        free(h->v[0].data);
        h->v[0] = h->v[--h->count];
    }
    if (cfg->params.shuffle) /* random order: by record key, not by the weighted key */
        for (size_t i = 0; i < h->count; i++)
            h->v[i].key =
                ladle_record_key(cfg->params.seed, source_of(cfg, h->v[i].input), h->v[i].offset);
    for (size_t i = 0; i < h->count; i++)
        if (h->v[i].weight < tau)
            h->v[i].weight = tau; /* priority sampling's estimator weight */
    return ladle_kept_emit_column(
        h->v, h->count, cfg->params.shuffle, cfg->params.emit_weight ? "_weight" : NULL,
        ladle_weight_delim(cfg->params.format, cfg->params.delim), w, err);
}

/* Serialized state: kept_state.h's layout, "LDWS" version 1, with the
 * parameters -n, --seed and --emit-weight (which decides both the keys and
 * the heap's N + 1). Each record carries its weight, which priority
 * sampling's finish needs. */
#define WS_NPARAMS 3

static struct ladle_state_format ws_format(const struct ladle_config *cfg,
                                           struct ladle_state_param p[WS_NPARAMS])
{
    p[0] = (struct ladle_state_param){"-n", cfg->params.n, 0};
    p[1] = (struct ladle_state_param){"--seed", cfg->params.seed, 0};
    p[2] = (struct ladle_state_param){"--emit-weight", cfg->params.emit_weight ? 1 : 0, 1};
    return (struct ladle_state_format){{'L', 'D', 'W', 'S'}, 1,           "weighted", p,
                                       WS_NPARAMS,           {0, 0, NULL}};
}

static ladle_status weighted_serialize(const struct ladle_sampler *s, struct ladle_outbuf *o,
                                       struct ladle_error *err)
{
    const struct weighted_state *st = s->state;
    struct ladle_state_param p[WS_NPARAMS];
    const struct ladle_state_format f = ws_format(s->cfg, p);
    return ladle_kept_state_write(&f, s->records_seen, &st->heap, o, err);
}

static ladle_status weighted_deserialize(struct ladle_sampler *s, const void *data, size_t len,
                                         struct ladle_error *err)
{
    struct weighted_state *st = s->state;
    struct ladle_state_param p[WS_NPARAMS];
    struct ladle_state_format f = ws_format(s->cfg, p);
    f.remap = s->input_remap;
    return ladle_kept_state_read(&f, data, len, &st->heap, &s->records_seen, err);
}

static void weighted_destroy(struct ladle_sampler *s)
{
    struct weighted_state *st = s->state;
    if (!st)
        return;
    ladle_kheap_free(&st->heap);
    free(st);
}

const struct ladle_sampler_ops ladle_sampler_weighted = {
    .name = "weighted",
    .streaming = 0,
    .create = weighted_create,
    .offer = weighted_offer,
    .merge = weighted_merge,
    .finish = weighted_finish,
    .serialize = weighted_serialize,
    .deserialize = weighted_deserialize,
    .destroy = weighted_destroy,
    .deserialize_joins = 1, /* ladle_kept_state_read inserts into the heap */
};

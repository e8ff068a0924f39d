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
 * not give. Both keep N+1 candidates at most; both merge like bottom-k.
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
#include "sample/kheap.h"
#include "sample/sampler.h"

struct weighted_state {
    struct ladle_kheap heap;
};

static ladle_status weighted_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct weighted_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    uint64_t n = s->cfg->n;
    /* Priority sampling needs the (N+1)-th priority: tau. */
    ladle_kheap_init(&st->heap, s->cfg->emit_weight && n < UINT64_MAX ? n + 1 : n);
    s->state = st;
    return LADLE_OK;
}

/* Non-negative doubles order like their bit patterns read as integers. */
static uint64_t order_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double from_bits(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static ladle_status weighted_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                   struct ladle_outbuf *out, const char *name,
                                   struct ladle_error *err)
{
    (void)out;
    struct weighted_state *st = s->state;
    const uint64_t seed = s->cfg->seed;
    const int priority = s->cfg->emit_weight;
    struct ladle_record_iter it;
    struct ladle_record r;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &r)) {
        s->records_seen++;
        const char *v;
        size_t vlen;
        int got = ladle_sampler_field(s, ck, r.data, r.len, r.offset, name, &v, &vlen, err);
        if (got < 0)
            return err->status;
        if (got == 0)
            continue;
        double w = 0.0;
        if (vlen && ladle_field_parse_weight(v, vlen, &w) != 0) {
            got = ladle_sampler_bad_value(s, name, r.offset, "not a finite non-negative weight in",
                                          err);
            if (got < 0)
                return err->status;
            if (got == 0)
                continue;
            w = 0.0;
        }
        if (!(w > 0.0))
            continue; /* weight 0: never drawn */
        double u = ladle_key_unit(ladle_record_key(seed, ck->input, r.offset));
        double k = priority ? u / w : -log(u) / w;
        struct ladle_kept c = {order_bits(k), r.offset, ck->input, r.len, NULL, w};
        if (!ladle_kheap_admits(&st->heap, &c))
            continue;
        c.data = malloc(r.len);
        if (!c.data || (memcpy(c.data, r.data, r.len), ladle_kheap_insert(&st->heap, &c) != 0))
            return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    }
    return LADLE_OK;
}

static ladle_status weighted_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                   struct ladle_error *err)
{
    struct weighted_state *a = into->state, *b = from->state;
    into->records_seen += from->records_seen;
    into->records_missing += from->records_missing;
    from->records_seen = from->records_missing = 0;
    if (ladle_kheap_merge(&a->heap, &b->heap) != 0)
        return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    return LADLE_OK;
}

static int cmp_identity(const void *x, const void *y)
{
    const struct ladle_kept *a = x, *b = y;
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static int cmp_key(const void *x, const void *y)
{
    const struct ladle_kept *a = x, *b = y;
    return ladle_kept_key_less(a, b) ? -1 : ladle_kept_key_less(b, a);
}

static ladle_status weighted_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                    struct ladle_error *err)
{
    struct weighted_state *st = s->state;
    const struct ladle_config *cfg = s->cfg;
    struct ladle_kheap *h = &st->heap;
    double tau = 0.0;
    if (cfg->emit_weight && h->count > cfg->n) {
        /* The heap top is the (N+1)-th priority: it sets tau and is not emitted. */
        tau = 1.0 / from_bits(ladle_kheap_top(h)->key);
        free(h->v[0].data);
        h->v[0] = h->v[--h->count];
    }
    if (cfg->shuffle) /* random order: by record key, not by the weighted key */
        for (size_t i = 0; i < h->count; i++)
            h->v[i].key = ladle_record_key(cfg->seed, h->v[i].input, h->v[i].offset);
    qsort(h->v, h->count, sizeof *h->v, cfg->shuffle ? cmp_key : cmp_identity);
    if (!cfg->emit_weight)
        return ladle_kept_emit(h->v, h->count, cfg->shuffle, w);
    struct ladle_outbuf line;
    memset(&line, 0, sizeof line);
    ladle_status status = LADLE_OK;
    char delim = ladle_weight_delim(cfg->format, cfg->delim);
    for (size_t i = 0; i < h->count && status == LADLE_OK && !w->closed; i++) {
        const struct ladle_kept *k = &h->v[i];
        line.len = 0;
        if (ladle_append_weighted(&line, k->data, k->len, k->weight > tau ? k->weight : tau,
                                  delim) != 0) {
            status = ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
            break;
        }
        status = ladle_writer_write(w, line.data, line.len);
        w->records++;
    }
    ladle_outbuf_free(&line);
    return status;
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
    .destroy = weighted_destroy,
};

/*
 * bernoulli.c -- `--rate P`: each record kept with probability P, decided
 * by comparing its 64-bit key with floor(P * 2^64). Streaming: kept records
 * go straight to the ordered output; nothing to merge.
 */
#include <stdlib.h>

#include "record/records.h"
#include "sample/sampler.h"

struct bernoulli_state {
    uint64_t threshold;
    int keep_all;
    double inverse_p; /* the Horvitz-Thompson weight of a kept record */
};

static ladle_status bernoulli_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct bernoulli_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    st->keep_all = s->cfg->params.rate >= 1.0;
    st->threshold = ladle_rate_threshold(s->cfg->params.rate);
    st->inverse_p = s->cfg->params.rate > 0 ? 1.0 / s->cfg->params.rate : 0.0;
    s->state = st;
    return LADLE_OK;
}

static ladle_status bernoulli_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                    struct ladle_outbuf *out, const char *name,
                                    struct ladle_error *err)
{
    (void)name; /* records are length-checked by the framer */
    const struct bernoulli_state *st = s->state;
    const struct ladle_seed d = s->record_seed; /* a copy the loop keeps in registers */
    struct ladle_record_iter it;
    struct ladle_record r;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &r)) {
        s->records_seen++;
        uint64_t key = ladle_record_key_d(d, ck->source, r.offset);
        if (!st->keep_all && key >= st->threshold)
            continue;
        if (ladle_sampler_emit(s, out, r.data, r.len, key, st->inverse_p) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    }
    return LADLE_OK;
}

static void bernoulli_destroy(struct ladle_sampler *s)
{
    free(s->state);
}

const struct ladle_sampler_ops ladle_sampler_bernoulli = {
    .name = "bernoulli",
    .streaming = 1,
    .create = bernoulli_create,
    .offer = bernoulli_offer,
    .destroy = bernoulli_destroy,
};

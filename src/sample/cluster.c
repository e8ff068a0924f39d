/*
 * cluster.c -- `--cluster FIELD --rate P [--within-rate Q]`: whole clusters.
 *
 * A cluster (all records sharing the field's value: a user, a session, a
 * host) is kept when the key of its value is below floor(P * 2^64). The key
 * depends on the seed and the value only, so a user is all-in or all-out in
 * every file, on every machine, and in tomorrow's run. With --within-rate
 * a second stage keeps each record of a kept cluster with probability Q,
 * by its own record key (independent of the cluster decision).
 * --emit-weight gives the inverse inclusion probability 1/(P*Q).
 */
#include <stdlib.h>

#include "record/records.h"
#include "sample/sampler.h"

struct cluster_state {
    uint64_t threshold, within_threshold;
    int all, within_all;
    double weight;
};

static ladle_status cluster_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct cluster_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    const struct ladle_config *c = s->cfg;
    st->all = c->rate >= 1.0;
    st->threshold = ladle_rate_threshold(c->rate);
    st->within_all = c->within_rate >= 1.0;
    st->within_threshold = ladle_rate_threshold(c->within_rate);
    double p = c->rate * c->within_rate;
    st->weight = p > 0 ? 1.0 / p : 0.0;
    s->state = st;
    return LADLE_OK;
}

static ladle_status cluster_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                  struct ladle_outbuf *out, const char *name,
                                  struct ladle_error *err)
{
    const struct cluster_state *st = s->state;
    const uint64_t seed = s->cfg->seed;
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
        if (!st->all && ladle_value_key(seed, v, vlen) >= st->threshold)
            continue;
        uint64_t key = ladle_record_key(seed, ck->input, r.offset);
        if (!st->within_all && key >= st->within_threshold)
            continue;
        if (ladle_sampler_emit(s, out, r.data, r.len, key, st->weight) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    }
    return LADLE_OK;
}

static void cluster_destroy(struct ladle_sampler *s)
{
    free(s->state);
}

const struct ladle_sampler_ops ladle_sampler_cluster = {
    .name = "cluster",
    .streaming = 1,
    .create = cluster_create,
    .offer = cluster_offer,
    .destroy = cluster_destroy,
};

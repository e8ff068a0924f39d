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
 * --clusters M keeps the M clusters of smallest key (bottom-M); its weight
 * is 2^64 / tau, tau the (M+1)-th smallest key: see pass 1 below.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "out/weight_column.h"
#include "record/records.h"
#include "sample/groups.h"
#include "sample/groups_state.h"
#include "sample/kept_set_state.h"
#include "sample/kheap.h"
#include "sample/plan.h"
#include "sample/sampler.h"

struct cluster_state {
    uint64_t threshold, within_threshold;
    int all, within_all;
    double p_cluster; /* a cluster's inclusion probability */
    double weight;
    struct ladle_groups groups; /* --within-size: a bottom-K per kept cluster */
};

static ladle_status cluster_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct cluster_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_sampler_nomem(err);
    const struct ladle_config *c = s->cfg;
    double p_cluster = c->params.rate;
    if (c->params.clusters) {
        /* --clusters M, pass 2: the threshold pass 1 found (key <= T). */
        const struct ladle_plan *plan = c->state->plan;
        st->all = plan->cluster_threshold == UINT64_MAX;
        st->threshold = plan->cluster_threshold + (st->all ? 0 : 1);
        p_cluster = plan->cluster_p;
    } else {
        st->all = c->params.rate >= 1.0;
        st->threshold = ladle_rate_threshold(c->params.rate);
    }
    st->within_all = c->params.within_rate >= 1.0;
    st->within_threshold = ladle_rate_threshold(c->params.within_rate);
    st->p_cluster = p_cluster;
    double p = p_cluster * c->params.within_rate;
    st->weight = p > 0 ? 1.0 / p : 0.0;
    ladle_groups_init(&st->groups);
    s->state = st;
    return LADLE_OK;
}

static ladle_status cluster_take(struct ladle_sampler *s, const struct ladle_valued *r,
                                 struct ladle_outbuf *out, struct ladle_error *err)
{
    const struct cluster_state *st = s->state;
    if (!st->all && ladle_seeded_hash(s->value_seed, r->value, r->vlen) >= st->threshold)
        return LADLE_OK;
    uint64_t key = ladle_record_key_d(s->record_seed, r->ck->source, r->offset);
    if (!st->within_all && key >= st->within_threshold)
        return LADLE_OK;
    if (ladle_sampler_emit(s, out, r->data, r->len, key, st->weight) != 0)
        return ladle_sampler_nomem(err);
    return LADLE_OK;
}

static ladle_status cluster_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                  struct ladle_outbuf *out, const char *name,
                                  struct ladle_error *err)
{
    return ladle_sampler_each_value(s, ck, out, name, err, cluster_take);
}

static void cluster_destroy(struct ladle_sampler *s)
{
    struct cluster_state *st = s->state;
    if (!st)
        return;
    ladle_groups_free(&st->groups);
    free(st);
}

const struct ladle_sampler_ops ladle_sampler_cluster = {
    .name = "cluster",
    .streaming = 1,
    .create = cluster_create,
    .offer = cluster_offer,
    .destroy = cluster_destroy,
    .serialize = ladle_carried_serialize,
    .deserialize = ladle_carried_deserialize,
    .merge = ladle_carried_merge,
};

/* --within-size K: the second stage keeps K records per kept cluster (its
 * smallest record keys), so it retains them until every record is seen. */
static ladle_status groups_take(struct ladle_sampler *s, const struct ladle_valued *r,
                                struct ladle_outbuf *out, struct ladle_error *err)
{
    (void)out;
    struct cluster_state *st = s->state;
    if (!st->all && ladle_seeded_hash(s->value_seed, r->value, r->vlen) >= st->threshold)
        return LADLE_OK;
    struct ladle_group *grp =
        ladle_groups_get(&st->groups, r->value, r->vlen, s->cfg->params.within_size);
    if (!grp || ladle_group_offer(grp, ladle_record_key_d(s->record_seed, r->ck->source, r->offset),
                                  r->ck->input, r->offset, r->data, r->len) != 0)
        return ladle_sampler_nomem(err);
    return LADLE_OK;
}

static ladle_status groups_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                 struct ladle_outbuf *out, const char *name,
                                 struct ladle_error *err)
{
    return ladle_sampler_each_value(s, ck, out, name, err, groups_take);
}

static ladle_status groups_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                 struct ladle_error *err)
{
    struct cluster_state *a = into->state, *b = from->state;
    ladle_sampler_merge_counts(into, from);
    if (ladle_groups_merge(&a->groups, &b->groups) != 0)
        return ladle_sampler_nomem(err);
    return LADLE_OK;
}

static ladle_status groups_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                  struct ladle_error *err)
{
    struct cluster_state *st = s->state;
    const struct ladle_config *c = s->cfg;
    return ladle_groups_emit(&st->groups, c->params.shuffle, c->params.emit_weight,
                             st->p_cluster > 0 ? 1.0 / st->p_cluster : 0.0,
                             ladle_weight_delim(c->params.format, c->params.delim), w, err);
}

/* --state and ladle merge: the kept clusters' K smallest records each
 * (groups_state.h, "LDCW"); the cluster draw is a value key, so merging
 * the groups of disjoint sources is exact. */
static ladle_status groups_serialize(const struct ladle_sampler *s, struct ladle_outbuf *out,
                                     struct ladle_error *err)
{
    const struct cluster_state *st = s->state;
    return ladle_groups_state_write("LDCW", s->records_seen, NULL, 0, &st->groups, NULL, NULL, out,
                                    err);
}

static ladle_status groups_deserialize(struct ladle_sampler *s, const void *data, size_t len,
                                       struct ladle_error *err)
{
    struct cluster_state *st = s->state;
    return ladle_groups_state_read("LDCW", "--cluster --within-size", data, len, &s->input_remap,
                                   s->cfg->params.within_size, &st->groups, &s->records_seen, NULL,
                                   NULL, err);
}

const struct ladle_sampler_ops ladle_sampler_cluster_groups = {
    .name = "cluster, K per cluster",
    .streaming = 0,
    .create = cluster_create,
    .offer = groups_offer,
    .merge = groups_merge,
    .finish = groups_finish,
    .serialize = groups_serialize,
    .deserialize = groups_deserialize,
    .destroy = cluster_destroy,
};

/*
 * --clusters M, pass 1: the M+1 smallest distinct cluster keys (a KMV
 * sketch). A cluster's records all carry the same key, so a key already
 * in the heap must not enter twice: a set remembers the keys that entered.
 * Keys evicted since stay in the set harmlessly: the heap's largest key only
 * shrinks, so an evicted key never passes the admission test again.
 *
 * The M-th smallest key T is the pass-2 threshold. The weight is the
 * bottom-k (priority sampling) one: tau, the (M+1)-th smallest key, is the
 * threshold a kept cluster had to beat given every other cluster's key, so
 * given the others it was kept with probability exactly tau / 2^64, and
 * sum over kept clusters of y / (tau / 2^64) is unbiased for the total of y
 * for every M >= 1 (M 2^64 / tau estimates the number of clusters, also
 * unbiased). Contract 1 used (M-1) 2^64 / T, which is 0 at M = 1. At M = 1
 * the estimator is unbiased but its variance is infinite (1/tau with tau
 * the second smallest of uniforms); the man page says so.
 */
struct keys_state {
    struct ladle_kheap heap;   /* records carry no bytes: key only */
    struct ladle_vmap entered; /* 8-byte keys that entered the heap */
};

static ladle_status keys_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct keys_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_sampler_nomem(err);
    ladle_kheap_init(&st->heap, s->cfg->params.clusters + 1); /* M <= INT64_MAX (job.c) */
    ladle_vmap_init(&st->entered, 1);
    s->state = st;
    return LADLE_OK;
}

static int offer_key(struct keys_state *st, uint64_t key)
{
    struct ladle_kept c = {key, 0, 0, 0, NULL, 0.0};
    if (!ladle_kheap_admits(&st->heap, &c))
        return 0;
    int created = 0;
    if (!ladle_vmap_put(&st->entered, (const char *)&key, sizeof key, &created))
        return -1;
    return created ? ladle_kheap_insert(&st->heap, &c) : 0;
}

static ladle_status keys_take(struct ladle_sampler *s, const struct ladle_valued *r,
                              struct ladle_outbuf *out, struct ladle_error *err)
{
    (void)out;
    if (offer_key(s->state, ladle_seeded_hash(s->value_seed, r->value, r->vlen)) != 0)
        return ladle_sampler_nomem(err);
    return LADLE_OK;
}

static ladle_status keys_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                               struct ladle_outbuf *out, const char *name, struct ladle_error *err)
{
    return ladle_sampler_each_value(s, ck, out, name, err, keys_take);
}

static ladle_status keys_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                               struct ladle_error *err)
{
    struct keys_state *a = into->state, *b = from->state;
    ladle_sampler_merge_counts(into, from);
    for (size_t i = 0; i < b->heap.count; i++)
        if (offer_key(a, b->heap.v[i].key) != 0)
            return ladle_sampler_nomem(err);
    b->heap.count = 0;
    return LADLE_OK;
}

static ladle_status keys_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                struct ladle_error *err)
{
    (void)w;
    (void)err;
    struct keys_state *st = s->state;
    struct ladle_plan *plan = s->cfg->state->plan;
    if (st->heap.count < st->heap.cap || st->heap.count == 0) {
        plan->cluster_threshold = UINT64_MAX; /* M or fewer clusters: all of them */
        plan->cluster_p = 1.0;
        return LADLE_OK;
    }
    /* A max-heap of M+1 >= 2 keys: tau on top, T the larger of its children. */
    const struct ladle_kept *v = st->heap.v;
    uint64_t tau = v[0].key, t = v[1].key;
    if (st->heap.count > 2 && v[2].key > t)
        t = v[2].key;
    plan->cluster_threshold = t;
    plan->cluster_p = (double)tau / 18446744073709551616.0; /* P(key < tau) */
    return LADLE_OK;
}

static void keys_destroy(struct ladle_sampler *s)
{
    struct keys_state *st = s->state;
    if (!st)
        return;
    ladle_kheap_free(&st->heap);
    ladle_vmap_free(&st->entered);
    free(st);
}

const struct ladle_sampler_ops ladle_sampler_cluster_keys = {
    .name = "cluster (pass 1: M smallest keys)",
    .streaming = 0,
    .create = keys_create,
    .offer = keys_offer,
    .merge = keys_merge,
    .finish = keys_finish,
    .destroy = keys_destroy,
};

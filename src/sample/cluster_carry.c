/*
 * cluster_carry.c -- `--cluster F --clusters M` under --state: one pass
 * whose state merges exactly (doc/design-issue10.md, section 4).
 *
 * Without --state, pass 1 finds the M+1 smallest cluster keys and pass 2
 * keeps the records of clusters whose key is at most T, the M-th smallest
 * (cluster.c). Here one pass keeps the M+1 smallest distinct cluster keys
 * and the records of those clusters (a cluster's records all share its
 * key, so a cluster enters whole or not at all), dropping a cluster's
 * records once its key leaves. At the end the clusters below tau (the
 * (M+1)-th key) are the sample: the same records, weights and order as
 * the two passes. Merging is exact: a cluster among the union's M+1
 * smallest is among the M+1 smallest of every part that holds it, so each
 * part kept all its records.
 */
#include <stdlib.h>
#include <string.h>

#include "out/weight_column.h"
#include "record/records.h"
#include "sample/groups.h"
#include "sample/groups_state.h"
#include "sample/kheap.h"
#include "sample/sampler.h"

struct carry_state {
    struct ladle_kheap heap;    /* the M+1 smallest cluster keys (no bytes) */
    struct ladle_vmap entered;  /* 8-byte keys that entered the heap */
    struct ladle_groups groups; /* cluster value -> its records (--within-size: K of them) */
    uint64_t within_threshold;
    int within_all;
};

static ladle_status carry_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct carry_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_sampler_nomem(err);
    const struct ladle_config *c = s->cfg;
    ladle_kheap_init(&st->heap, c->params.clusters + 1); /* M <= INT64_MAX (job.c) */
    ladle_vmap_init(&st->entered, 1);
    ladle_groups_init(&st->groups);
    st->within_all = c->params.within_rate >= 1.0;
    st->within_threshold = ladle_rate_threshold(c->params.within_rate);
    s->state = st;
    return LADLE_OK;
}

/* Keys that entered and were evicted are larger than every key kept since
 * (the heap's largest only shrinks), so "entered and at most the top" is
 * "in the heap". */
static int holds(const struct carry_state *st, uint64_t key)
{
    if (!ladle_vmap_get(&st->entered, (const char *)&key, sizeof key))
        return 0;
    return st->heap.count < st->heap.cap || key <= ladle_kheap_top(&st->heap)->key;
}

static int offer_key(struct carry_state *st, uint64_t key)
{
    struct ladle_kept c = {key, 0, 0, 0, NULL, 0.0};
    if (!ladle_kheap_admits(&st->heap, &c))
        return 0;
    int created = 0;
    if (!ladle_vmap_put(&st->entered, (const char *)&key, sizeof key, &created))
        return -1;
    return created ? ladle_kheap_insert(&st->heap, &c) : 0;
}

struct prune_ctx {
    const struct ladle_sampler *s;
    struct ladle_groups kept;
    int failed;
};

static int keep_group(void *arg, const char *v, size_t len)
{
    const struct ladle_sampler *s = arg;
    return holds(s->state, ladle_seeded_hash(s->value_seed, v, len));
}

static void move_group(void *arg, const char *v, size_t len, void *payload)
{
    struct prune_ctx *p = arg;
    struct ladle_group *grp = payload;
    if (!keep_group((void *)p->s, v, len)) {
        ladle_kheap_free(&grp->heap);
        return;
    }
    struct ladle_group *to = p->failed ? NULL : ladle_vmap_put(&p->kept.map, v, len, NULL);
    if (!to) {
        p->failed = 1;
        ladle_kheap_free(&grp->heap);
        return;
    }
    *to = *grp;
}

/* Lets go of the records of clusters whose key left the heap. */
static ladle_status prune(struct ladle_sampler *s, struct ladle_error *err)
{
    struct carry_state *st = s->state;
    struct prune_ctx p;
    memset(&p, 0, sizeof p);
    p.s = s;
    ladle_groups_init(&p.kept);
    ladle_vmap_each(&st->groups.map, move_group, &p);
    ladle_vmap_free(&st->groups.map); /* the heaps moved or were freed */
    st->groups = p.kept;
    return p.failed ? ladle_sampler_nomem(err) : LADLE_OK;
}

static ladle_status carry_take(struct ladle_sampler *s, const struct ladle_valued *r,
                               struct ladle_outbuf *out, struct ladle_error *err)
{
    (void)out;
    struct carry_state *st = s->state;
    uint64_t vkey = ladle_seeded_hash(s->value_seed, r->value, r->vlen);
    if (offer_key(st, vkey) != 0)
        return ladle_sampler_nomem(err);
    if (!holds(st, vkey))
        return LADLE_OK;
    uint64_t key = ladle_record_key_d(s->record_seed, r->ck->source, r->offset);
    if (!st->within_all && key >= st->within_threshold)
        return LADLE_OK;
    uint64_t cap = s->cfg->params.within_size ? s->cfg->params.within_size : UINT64_MAX;
    struct ladle_group *grp = ladle_groups_get(&st->groups, r->value, r->vlen, cap);
    if (!grp || ladle_group_offer(grp, key, r->ck->input, r->offset, r->data, r->len) != 0)
        return ladle_sampler_nomem(err);
    /* Clusters come and go: once they outnumber the heap twice, prune. */
    if (st->groups.map.count > 2 * st->heap.cap + 16)
        return prune(s, err);
    return LADLE_OK;
}

static ladle_status carry_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                struct ladle_outbuf *out, const char *name, struct ladle_error *err)
{
    return ladle_sampler_each_value(s, ck, out, name, err, carry_take);
}

static ladle_status carry_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                struct ladle_error *err)
{
    struct carry_state *a = into->state, *b = from->state;
    ladle_sampler_merge_counts(into, from);
    for (size_t i = 0; i < b->heap.count; i++)
        if (offer_key(a, b->heap.v[i].key) != 0)
            return ladle_sampler_nomem(err);
    b->heap.count = 0;
    if (ladle_groups_merge(&a->groups, &b->groups) != 0)
        return ladle_sampler_nomem(err);
    return prune(into, err);
}

struct gather_ctx {
    const struct ladle_sampler *s;
    uint64_t tau; /* clusters with a smaller key are the sample */
    int all;
    double weight, outer; /* --within-size: outer * size / kept */
    struct ladle_kept *v;
    size_t count, cap;
    int failed;
};

static void gather(void *arg, const char *val, size_t len, void *payload)
{
    struct gather_ctx *g = arg;
    struct ladle_group *grp = payload;
    if (g->failed || (!g->all && ladle_seeded_hash(g->s->value_seed, val, len) >= g->tau))
        return;
    /* the same expressions as cluster.c and groups.c, so the same bytes */
    double weight = g->s->cfg->params.within_size && grp->heap.count
                        ? g->outer * (double)grp->seen / (double)grp->heap.count
                        : g->weight;
    if (g->count + grp->heap.count > g->cap) {
        size_t cap = g->cap ? g->cap : 64;
        while (cap < g->count + grp->heap.count)
            cap *= 2;
        struct ladle_kept *v = realloc(g->v, cap * sizeof *v);
        if (!v) {
            g->failed = 1;
            return;
        }
        g->v = v;
        g->cap = cap;
    }
    for (size_t i = 0; i < grp->heap.count; i++) {
        g->v[g->count] = grp->heap.v[i];
        g->v[g->count++].weight = weight;
    }
    grp->heap.count = 0; /* the records belong to the array now */
}

static ladle_status carry_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                 struct ladle_error *err)
{
    struct carry_state *st = s->state;
    const struct ladle_config *c = s->cfg;
    struct gather_ctx g = {s, 0, 1, 0.0, 1.0, NULL, 0, 0, 0};
    double p_cluster = 1.0;
    if (st->heap.count == st->heap.cap && st->heap.count) { /* more than M clusters */
        g.all = 0;
        g.tau = ladle_kheap_top(&st->heap)->key;
        p_cluster = (double)g.tau / 18446744073709551616.0; /* P(key < tau) */
    }
    double p = p_cluster * c->params.within_rate;
    g.weight = p > 0 ? 1.0 / p : 0.0;
    g.outer = p_cluster > 0 ? 1.0 / p_cluster : 0.0;
    ladle_vmap_each(&st->groups.map, gather, &g);
    ladle_status r =
        g.failed
            ? ladle_sampler_nomem(err)
            : ladle_kept_emit_column(g.v, g.count, c->params.shuffle,
                                     c->params.emit_weight ? "_weight" : NULL,
                                     ladle_weight_delim(c->params.format, c->params.delim), w, err);
    for (size_t i = 0; i < g.count; i++)
        free(g.v[i].data);
    free(g.v);
    return r;
}

static ladle_status carry_serialize(const struct ladle_sampler *s, struct ladle_outbuf *out,
                                    struct ladle_error *err)
{
    const struct carry_state *st = s->state;
    uint64_t *keys = malloc((st->heap.count ? st->heap.count : 1) * sizeof *keys);
    if (!keys)
        return ladle_sampler_nomem(err);
    for (size_t i = 0; i < st->heap.count; i++)
        keys[i] = st->heap.v[i].key;
    ladle_status r = ladle_groups_state_write("LDCM", s->records_seen, keys, st->heap.count,
                                              &st->groups, keep_group, (void *)s, out, err);
    free(keys);
    return r;
}

static ladle_status carry_deserialize(struct ladle_sampler *s, const void *data, size_t len,
                                      struct ladle_error *err)
{
    struct carry_state *st = s->state;
    uint64_t *keys = NULL;
    size_t nkeys = 0;
    uint64_t cap = s->cfg->params.within_size ? s->cfg->params.within_size : UINT64_MAX;
    ladle_status r = ladle_groups_state_read("LDCM", "--clusters", data, len, &s->input_remap, cap,
                                             &st->groups, &s->records_seen, &keys, &nkeys, err);
    for (size_t i = 0; r == LADLE_OK && i < nkeys; i++)
        if (offer_key(st, keys[i]) != 0)
            r = ladle_sampler_nomem(err);
    free(keys);
    return r == LADLE_OK ? prune(s, err) : r; /* a cluster the keys do not hold goes */
}

static void carry_destroy(struct ladle_sampler *s)
{
    struct carry_state *st = s->state;
    if (!st)
        return;
    ladle_kheap_free(&st->heap);
    ladle_vmap_free(&st->entered);
    ladle_groups_free(&st->groups);
    free(st);
}

const struct ladle_sampler_ops ladle_sampler_cluster_carry = {
    .name = "cluster, M smallest (--state)",
    .streaming = 0,
    .create = carry_create,
    .offer = carry_offer,
    .merge = carry_merge,
    .finish = carry_finish,
    .serialize = carry_serialize,
    .deserialize = carry_deserialize,
    .destroy = carry_destroy,
};

/*
 * stratified.c -- `--strata FIELD --fractions 'A=1,B=0.2,*=0.01'`: a
 * Bernoulli sample with its own rate in each stratum (Spark's sampleBy),
 * decided by the record's key like --rate. Strata not named take the `*`
 * rate, or are left out when there is none. --emit-weight gives each kept
 * record 1/rate of its stratum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/weight_column.h"
#include "record/records.h"
#include "sample/fractions.h"
#include "sample/groups.h"
#include "sample/groups_state.h"
#include "sample/kept_set_state.h"
#include "sample/plan.h"
#include "sample/sampler.h"

static ladle_status fractions_take(struct ladle_sampler *s, const struct ladle_valued *r,
                                   struct ladle_outbuf *out, struct ladle_error *err)
{
    const struct ladle_fraction *f =
        ladle_fractions_lookup(s->cfg->params.fractions, r->value, r->vlen);
    uint64_t key = ladle_record_key_d(s->record_seed, r->ck->source, r->offset);
    if (!f->keep_all && key >= f->threshold)
        return LADLE_OK;
    if (ladle_sampler_emit(s, out, r->data, r->len, key, 1.0 / f->rate) != 0)
        return ladle_sampler_nomem(err);
    return LADLE_OK;
}

static ladle_status fractions_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                    struct ladle_outbuf *out, const char *name,
                                    struct ladle_error *err)
{
    return ladle_sampler_each_value(s, ck, out, name, err, fractions_take);
}

const struct ladle_sampler_ops ladle_sampler_fractions = {
    .name = "stratified fractions",
    .streaming = 1,
    .offer = fractions_offer,
    .serialize = ladle_carried_serialize,
    .deserialize = ladle_carried_deserialize,
    .merge = ladle_carried_merge,
};

/*
 * `--strata FIELD -n N` (proportional allocation) and `--per-stratum N`.
 *
 * -n N needs each stratum's size before it can split N among them. Pass 1
 * counts records per stratum and allocates by largest remainder
 * (Hamilton): floor(N * N_h / total) each, the leftover seats to the
 * largest remainders, ties to the smaller value bytes -- exactly N in
 * total, never more than a stratum has. --min-per-stratum K (default 1)
 * first gives min(K, N_h) to every stratum whose share is below K, and
 * splits the other seats so among the rest, again until no share of the
 * rest falls below K: a stratum with no seat has no weight to carry its
 * records, and an estimated total would miss them. When N cannot give
 * every stratum its minimum, the allocation is the plain one and a warning
 * names the strata left without a record. Each stratum's sample is its n_h
 * smallest record keys. No stratum gets more than N, so while there are few
 * strata pass 1 also keeps each one's N smallest and the sample is done in
 * one pass; when that would hold more than STRATA_RETAIN_BYTES it lets
 * them go, and pass 2 draws exactly n_h per stratum: memory O(N + number
 * of strata). Both ways give the same records.
 * --per-stratum N draws min(N, N_h) from every stratum in one pass.
 * --emit-weight gives each record N_h / n_h, its stratum's inverse fraction.
 */

#ifndef LADLE_STRATA_RETAIN_BYTES /* a build may lower it to test the two-pass path */
#define LADLE_STRATA_RETAIN_BYTES ((size_t)32 << 20)
#endif
#define STRATA_RETAIN_BYTES LADLE_STRATA_RETAIN_BYTES

struct count_state {
    struct ladle_vmap counts;   /* value -> uint64_t */
    struct ladle_groups groups; /* value -> its N smallest, while affordable */
    size_t retained;            /* bytes the groups hold */
    int overflowed;             /* gave them up: pass 2 draws */
};

static void drop_groups(struct count_state *st)
{
    ladle_groups_free(&st->groups);
    ladle_groups_init(&st->groups);
    st->retained = 0;
    st->overflowed = 1;
}

static ladle_status count_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct count_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_sampler_nomem(err);
    ladle_vmap_init(&st->counts, sizeof(uint64_t));
    ladle_groups_init(&st->groups);
    s->state = st;
    return LADLE_OK;
}

static ladle_status count_take(struct ladle_sampler *s, const struct ladle_valued *r,
                               struct ladle_outbuf *out, struct ladle_error *err)
{
    (void)out;
    struct count_state *st = s->state;
    uint64_t *n = ladle_vmap_put(&st->counts, r->value, r->vlen, NULL);
    if (!n)
        return ladle_sampler_nomem(err);
    ++*n;
    if (st->overflowed)
        return LADLE_OK;
    struct ladle_group *grp = ladle_groups_get(&st->groups, r->value, r->vlen, s->cfg->params.n);
    if (!grp)
        return ladle_sampler_nomem(err);
    size_t before = grp->heap.count;
    if (ladle_group_offer(grp, ladle_record_key_d(s->record_seed, r->ck->source, r->offset),
                          r->ck->input, r->offset, r->data, r->len) != 0)
        return ladle_sampler_nomem(err);
    if (grp->heap.count > before) /* a record entered (an eviction keeps the count) */
        st->retained += r->len + sizeof(struct ladle_kept);
    if (st->retained > STRATA_RETAIN_BYTES && !s->cfg->state->carrying)
        drop_groups(st); /* (--state keeps them: its state must hold the sample) */
    return LADLE_OK;
}

static ladle_status count_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                struct ladle_outbuf *out, const char *name, struct ladle_error *err)
{
    return ladle_sampler_each_value(s, ck, out, name, err, count_take);
}

struct add_ctx {
    struct ladle_vmap *into;
    int failed;
};

static void add_count(void *arg, const char *v, size_t len, void *payload)
{
    struct add_ctx *a = arg;
    uint64_t *n = ladle_vmap_put(a->into, v, len, NULL);
    if (!n)
        a->failed = 1;
    else
        *n += *(uint64_t *)payload;
}

static ladle_status count_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                struct ladle_error *err)
{
    struct count_state *a = into->state, *b = from->state;
    ladle_sampler_merge_counts(into, from);
    struct add_ctx ctx = {&a->counts, 0};
    ladle_vmap_each(&b->counts, add_count, &ctx);
    if (ctx.failed)
        return ladle_sampler_nomem(err);
    if (b->overflowed && !a->overflowed)
        drop_groups(a);
    if (!a->overflowed) {
        if (ladle_groups_merge(&a->groups, &b->groups) != 0)
            return ladle_sampler_nomem(err);
        a->retained += b->retained;
        if (a->retained > 2 * STRATA_RETAIN_BYTES && !into->cfg->state->carrying)
            drop_groups(a);
    }
    return LADLE_OK;
}

struct seat {
    const char *value;
    size_t len;
    uint64_t size, floor;
    unsigned __int128 remainder;
    int fixed; /* given its minimum, out of the proportional split */
};

struct seats_ctx {
    struct seat *v;
    size_t count;
    uint64_t total;
};

static void collect_seat(void *arg, const char *v, size_t len, void *payload)
{
    struct seats_ctx *c = arg;
    c->v[c->count++] = (struct seat){v, len, *(uint64_t *)payload, 0, 0, 0};
    c->total += *(uint64_t *)payload;
}

static int cmp_remainder(const void *x, const void *y)
{
    const struct seat *a = x, *b = y;
    if (a->fixed != b->fixed)
        return a->fixed - b->fixed; /* the fixed strata take no leftover seat */
    if (a->remainder != b->remainder)
        return a->remainder > b->remainder ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->value, b->value, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* The seats of n over v[]: floor and remainder of each free stratum's
 * share, the minimum of each fixed one (see the top of this part).
 * Returns the seats given by floors and minimums; the caller hands the
 * rest to the largest remainders. Returns with no stratum fixed when the
 * minimums do not fit in n (or k is 0). */
static uint64_t allocate(struct seat *v, size_t count, uint64_t total, uint64_t n, uint64_t k)
{
    unsigned __int128 need = 0;
    for (size_t i = 0; i < count; i++)
        need += min_u64(k, v[i].size);
    int changed = k > 0 && need <= n;
    uint64_t rest = n, rest_size = total;
    while (changed) { /* at most count rounds: each fixes a stratum or ends */
        changed = 0;
        for (size_t i = 0; i < count; i++)
            if (!v[i].fixed &&
                (unsigned __int128)rest * v[i].size < (unsigned __int128)k * rest_size) {
                v[i].fixed = 1;
                rest -= min_u64(k, v[i].size); /* fits: need <= n */
                rest_size -= v[i].size;
                changed = 1;
            }
    }
    /* rest <= rest_size (a fixed stratum takes at least its share), so no
     * free stratum's share exceeds its size. */
    uint64_t given = 0;
    for (size_t i = 0; i < count; i++) {
        if (v[i].fixed) {
            v[i].floor = min_u64(k, v[i].size);
            v[i].remainder = 0;
        } else if (rest_size) {
            unsigned __int128 q = (unsigned __int128)rest * v[i].size;
            v[i].floor = (uint64_t)(q / rest_size);
            v[i].remainder = q % rest_size;
        }
        given += v[i].floor;
    }
    return given;
}

/* Names (up to 10) the strata -n N leaves without a record, through the
 * job's notify as a warning: their records weigh nothing in a total. */
static void warn_empty_strata(const struct ladle_config *cfg, const struct seat *v, size_t count,
                              const uint64_t *alloc, uint64_t n)
{
    size_t empty = 0;
    for (size_t i = 0; i < count; i++)
        empty += alloc[i] == 0 && v[i].size > 0;
    if (!empty || !cfg->engine.notify)
        return;
    char line[1024];
    int len = snprintf(line, sizeof line,
                       "warning: -n %llu gives %zu of %zu strata no record (totals weighted "
                       "with --emit-weight miss them; see --min-per-stratum):",
                       (unsigned long long)n, empty, count);
    size_t named = 0;
    for (size_t i = 0; i < count && named < 10 && len > 0 && (size_t)len < sizeof line; i++)
        if (alloc[i] == 0 && v[i].size > 0) {
            int vl = v[i].len > 40 ? 40 : (int)v[i].len;
            len += snprintf(line + len, sizeof line - (size_t)len, "%s '%.*s'", named ? "," : "",
                            vl, v[i].value);
            named++;
        }
    if (empty > named && len > 0 && (size_t)len < sizeof line)
        snprintf(line + len, sizeof line - (size_t)len, " and %zu more", empty - named);
    cfg->engine.notify(cfg->engine.notify_arg, line);
}

/* Pass 1's end: the allocation, into the plan. */
static ladle_status count_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                 struct ladle_error *err)
{
    struct count_state *st = s->state;
    struct ladle_plan *plan = s->cfg->state->plan;
    struct seats_ctx c = {calloc(st->counts.count ? st->counts.count : 1, sizeof *c.v), 0, 0};
    uint64_t *alloc = calloc(st->counts.count ? st->counts.count : 1, sizeof *alloc);
    if (!c.v || !alloc) {
        free(c.v);
        free(alloc);
        return ladle_sampler_nomem(err);
    }
    ladle_vmap_each(&st->counts, collect_seat, &c);
    uint64_t n = s->cfg->params.n < c.total ? s->cfg->params.n : c.total;
    uint64_t given = allocate(c.v, c.count, c.total, n, s->cfg->params.min_per_stratum);
    qsort(c.v, c.count, sizeof *c.v, cmp_remainder);
    ladle_status status = LADLE_OK;
    for (size_t i = 0; i < c.count; i++) {
        struct ladle_stratum_plan *p =
            ladle_vmap_put(&plan->strata, c.v[i].value, c.v[i].len, NULL);
        if (!p) {
            status = ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
            break;
        }
        p->size = c.v[i].size;
        p->alloc = alloc[i] = c.v[i].floor + (i < n - given ? 1 : 0);
        if (!st->overflowed) {
            /* One pass was enough: each stratum keeps its n_h smallest. */
            struct ladle_group *grp = ladle_vmap_find(&st->groups.map, c.v[i].value, c.v[i].len);
            if (grp) {
                ladle_kheap_truncate(&grp->heap, (size_t)p->alloc);
                grp->total = p->size;
            }
        }
    }
    if (status == LADLE_OK)
        warn_empty_strata(s->cfg, c.v, c.count, alloc, s->cfg->params.n);
    free(alloc);
    free(c.v);
    if (status != LADLE_OK)
        return status;
    plan->strata_second_pass = st->overflowed;
    if (st->overflowed)
        return LADLE_OK;
    const struct ladle_config *cf = s->cfg;
    return ladle_groups_emit(&st->groups, cf->params.shuffle, cf->params.emit_weight, 1.0,
                             ladle_weight_delim(cf->params.format, cf->params.delim), w, err);
}

/* --state: each stratum's N smallest and its size (the group's seen:
 * under --state every record with a value is offered, so seen is N_h). */
static ladle_status count_serialize(const struct ladle_sampler *s, struct ladle_outbuf *out,
                                    struct ladle_error *err)
{
    const struct count_state *st = s->state;
    if (st->overflowed)
        return ladle_error_set(err, LADLE_E_INTERNAL, "state: the strata were let go");
    return ladle_groups_state_write("LDSN", s->records_seen, NULL, 0, &st->groups, NULL, NULL, out,
                                    err);
}

static void add_seen(void *arg, const char *v, size_t len, void *payload)
{
    struct add_ctx *a = arg;
    uint64_t *n = ladle_vmap_put(a->into, v, len, NULL);
    if (!n)
        a->failed = 1;
    else
        *n += ((const struct ladle_group *)payload)->seen;
}

static ladle_status count_deserialize(struct ladle_sampler *s, const void *data, size_t len,
                                      struct ladle_error *err)
{
    struct count_state *st = s->state;
    struct ladle_groups g;
    ladle_groups_init(&g);
    ladle_status r =
        ladle_groups_state_read("LDSN", "stratified -n", data, len, &s->input_remap,
                                s->cfg->params.n, &g, &s->records_seen, NULL, NULL, err);
    struct add_ctx ctx = {&st->counts, 0};
    if (r == LADLE_OK)
        ladle_vmap_each(&g.map, add_seen, &ctx);
    if (r == LADLE_OK && !ctx.failed && ladle_groups_merge(&st->groups, &g) != 0)
        ctx.failed = 1;
    ladle_groups_free(&g);
    return r == LADLE_OK && ctx.failed ? ladle_sampler_nomem(err) : r;
}

static void count_destroy(struct ladle_sampler *s)
{
    struct count_state *st = s->state;
    if (!st)
        return;
    ladle_vmap_free(&st->counts);
    ladle_groups_free(&st->groups);
    free(st);
}

const struct ladle_sampler_ops ladle_sampler_strata_count = {
    .name = "stratified (pass 1: sizes)",
    .streaming = 0,
    .create = count_create,
    .offer = count_offer,
    .merge = count_merge,
    .finish = count_finish,
    .serialize = count_serialize,
    .deserialize = count_deserialize,
    .destroy = count_destroy,
};

struct strata_state {
    struct ladle_groups groups;
};

static ladle_status strata_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct strata_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_sampler_nomem(err);
    ladle_groups_init(&st->groups);
    s->state = st;
    return LADLE_OK;
}

static ladle_status strata_take(struct ladle_sampler *s, const struct ladle_valued *r,
                                struct ladle_outbuf *out, struct ladle_error *err)
{
    (void)out;
    struct strata_state *st = s->state;
    struct ladle_group *grp = ladle_vmap_find(&st->groups.map, r->value, r->vlen);
    if (!grp) {
        uint64_t cap = s->cfg->params.per_stratum, total = 0;
        if (!cap) { /* -n N: what pass 1 allocated */
            const struct ladle_stratum_plan *p =
                ladle_vmap_get(&s->cfg->state->plan->strata, r->value, r->vlen);
            cap = p ? p->alloc : 0; /* a stratum pass 1 never saw: the input changed */
            total = p ? p->size : 0;
        }
        if (!(grp = ladle_groups_get(&st->groups, r->value, r->vlen, cap)))
            return ladle_sampler_nomem(err);
        grp->total = total;
    }
    if (ladle_group_offer(grp, ladle_record_key_d(s->record_seed, r->ck->source, r->offset),
                          r->ck->input, r->offset, r->data, r->len) != 0)
        return ladle_sampler_nomem(err);
    return LADLE_OK;
}

static ladle_status strata_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                 struct ladle_outbuf *out, const char *name,
                                 struct ladle_error *err)
{
    return ladle_sampler_each_value(s, ck, out, name, err, strata_take);
}

static ladle_status strata_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                 struct ladle_error *err)
{
    struct strata_state *a = into->state, *b = from->state;
    ladle_sampler_merge_counts(into, from);
    if (ladle_groups_merge(&a->groups, &b->groups) != 0)
        return ladle_sampler_nomem(err);
    return LADLE_OK;
}

static ladle_status strata_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                  struct ladle_error *err)
{
    struct strata_state *st = s->state;
    const struct ladle_config *c = s->cfg;
    return ladle_groups_emit(&st->groups, c->params.shuffle, c->params.emit_weight, 1.0,
                             ladle_weight_delim(c->params.format, c->params.delim), w, err);
}

/* --per-stratum N under --state: each stratum's N smallest and its size. */
static ladle_status strata_serialize(const struct ladle_sampler *s, struct ladle_outbuf *out,
                                     struct ladle_error *err)
{
    const struct strata_state *st = s->state;
    return ladle_groups_state_write("LDSP", s->records_seen, NULL, 0, &st->groups, NULL, NULL, out,
                                    err);
}

static ladle_status strata_deserialize(struct ladle_sampler *s, const void *data, size_t len,
                                       struct ladle_error *err)
{
    struct strata_state *st = s->state;
    return ladle_groups_state_read("LDSP", "stratified --per-stratum", data, len, &s->input_remap,
                                   s->cfg->params.per_stratum, &st->groups, &s->records_seen, NULL,
                                   NULL, err);
}

static void strata_destroy(struct ladle_sampler *s)
{
    struct strata_state *st = s->state;
    if (!st)
        return;
    ladle_groups_free(&st->groups);
    free(st);
}

const struct ladle_sampler_ops ladle_sampler_strata = {
    .name = "stratified",
    .streaming = 0,
    .create = strata_create,
    .offer = strata_offer,
    .merge = strata_merge,
    .finish = strata_finish,
    .serialize = strata_serialize,
    .deserialize = strata_deserialize,
    .destroy = strata_destroy,
};

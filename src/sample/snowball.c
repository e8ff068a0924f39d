/*
 * snowball.c -- `--snowball --seeds FILE --link FROM:TO [--waves W]
 * [--max-nodes M]`: link-tracing over records that are edges FROM->TO.
 *
 * One pass per wave. Wave 0 is every record whose FROM is a seed key; the
 * TO keys of wave w's records, less every node already visited, are wave
 * w+1's frontier. Output: the records of waves 0..W, wave after wave, each
 * wave in input order (--emit-wave adds its number). The run stops early
 * when a frontier is empty. Each FROM node is in one frontier at most, so
 * each record belongs to one wave at most.
 *
 * The next frontier is a set union, merged from the workers' partial sets,
 * so it does not depend on threads. --max-nodes bounds the visited nodes,
 * the seeds included: when the seeds or a frontier would overflow it, the
 * nodes with the smallest value keys are taken (a uniform choice among
 * them, and again independent of threads).
 */
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "record/records.h"
#include "sample/plan.h"
#include "sample/sampler.h"

struct snowball_state {
    struct ladle_vmap next;                 /* TO nodes seen in this wave */
    struct ladle_field_scratch *to_scratch; /* owns: FROM and TO are read together */
};

static ladle_status snowball_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct snowball_state *st = calloc(1, sizeof *st);
    if (!st || !(st->to_scratch = ladle_field_scratch_new())) {
        free(st);
        return ladle_sampler_nomem(err);
    }
    ladle_vmap_init(&st->next, 1);
    s->state = st;
    return LADLE_OK;
}

static ladle_status snowball_take(struct ladle_sampler *s, const struct ladle_valued *r,
                                  struct ladle_outbuf *out, struct ladle_error *err)
{
    struct snowball_state *st = s->state;
    const struct ladle_plan *plan = s->cfg->state->plan;
    if (!ladle_vmap_get(&plan->frontier, r->value, r->vlen))
        return LADLE_OK;
    const char *to;
    size_t to_len;
    enum ladle_field_result fr = ladle_field_get(s->cfg->params.field_to, r->ck->binding + 1,
                                                 r->data, r->len, st->to_scratch, &to, &to_len);
    if (fr == LADLE_FIELD_NOMEM)
        return ladle_sampler_nomem(err);
    if (fr != LADLE_FIELD_OK) {
        int got = ladle_sampler_bad_value(s, r->name, r->offset, "no link target", err);
        if (got <= 0)
            return got < 0 ? ladle_error_status(err) : LADLE_OK;
        to = "";
        to_len = 0;
    }
    if (!ladle_vmap_get(&plan->visited, to, to_len) && !ladle_vmap_put(&st->next, to, to_len, NULL))
        return ladle_sampler_nomem(err);
    uint64_t key = ladle_record_key_d(s->record_seed, r->ck->source, r->offset);
    if (ladle_sampler_emit(s, out, r->data, r->len, key, (double)plan->wave) != 0)
        return ladle_sampler_nomem(err);
    return LADLE_OK;
}

static ladle_status snowball_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                   struct ladle_outbuf *out, const char *name,
                                   struct ladle_error *err)
{
    if (s->cfg->state->plan->wave == 0)
        return ladle_sampler_each_value(s, ck, out, name, err, snowball_take);
    /* Later waves: a record without FROM was dealt with (and counted) in
     * wave 0 already, so it is only passed over here. */
    struct ladle_record_iter it;
    struct ladle_record rec;
    struct ladle_valued v = {.ck = ck, .name = name};
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &rec)) {
        s->records_seen++;
        enum ladle_field_result fr = ladle_field_get(s->cfg->params.field, ck->binding, rec.data,
                                                     rec.len, s->scratch, &v.value, &v.vlen);
        if (fr == LADLE_FIELD_NOMEM)
            return ladle_sampler_nomem(err);
        if (fr != LADLE_FIELD_OK)
            continue;
        v.data = rec.data;
        v.len = rec.len;
        v.offset = rec.offset;
        ladle_status st = snowball_take(s, &v, out, err);
        if (st != LADLE_OK)
            return st;
    }
    return LADLE_OK;
}

struct union_ctx {
    struct ladle_vmap *into;
    int failed;
};

static void add_node(void *arg, const char *v, size_t len, void *payload)
{
    (void)payload;
    struct union_ctx *u = arg;
    if (!ladle_vmap_put(u->into, v, len, NULL))
        u->failed = 1;
}

static ladle_status snowball_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                   struct ladle_error *err)
{
    struct snowball_state *a = into->state, *b = from->state;
    ladle_sampler_merge_counts(into, from);
    struct union_ctx u = {&a->next, 0};
    ladle_vmap_each(&b->next, add_node, &u);
    return u.failed ? ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory") : LADLE_OK;
}

struct node {
    const char *v;
    size_t len;
    uint64_t key;
};

struct nodes_ctx {
    struct node *v;
    size_t count;
    uint64_t seed;
    const struct ladle_vmap *visited; /* nodes to leave out */
};

static void list_node(void *arg, const char *v, size_t len, void *payload)
{
    (void)payload;
    struct nodes_ctx *c = arg;
    if (!ladle_vmap_get(c->visited, v, len))
        c->v[c->count++] = (struct node){v, len, ladle_value_key(c->seed, v, len)};
}

static int cmp_node(const void *x, const void *y)
{
    const struct node *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->v, b->v, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Fills `into` with the nodes of `from` that are not in `exclude`: all of
 * them, or the `limit` ones with the smallest value keys when there are
 * more (limit UINT64_MAX: no limit). */
static ladle_status take_smallest(struct ladle_vmap *into, const struct ladle_vmap *from,
                                  const struct ladle_vmap *exclude, uint64_t limit, uint64_t seed,
                                  struct ladle_error *err)
{
    struct nodes_ctx c = {calloc(from->count ? from->count : 1, sizeof *c.v), 0, seed, exclude};
    if (!c.v)
        return ladle_sampler_nomem(err);
    ladle_vmap_each(from, list_node, &c);
    size_t take = c.count;
    if (limit < take) {
        qsort(c.v, c.count, sizeof *c.v, cmp_node);
        take = (size_t)limit;
    }
    ladle_status status = LADLE_OK;
    for (size_t i = 0; i < take; i++)
        if (!ladle_vmap_put(into, c.v[i].v, c.v[i].len, NULL)) {
            status = ladle_sampler_nomem(err);
            break;
        }
    free(c.v);
    return status;
}

/* The wave's end: visited += frontier, frontier = next (capped by --max-nodes). */
static ladle_status snowball_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                    struct ladle_error *err)
{
    (void)w;
    struct snowball_state *st = s->state;
    struct ladle_plan *plan = s->cfg->state->plan;
    struct union_ctx u = {&plan->visited, 0};
    ladle_vmap_each(&plan->frontier, add_node, &u);
    if (u.failed)
        return ladle_sampler_nomem(err);
    /* New nodes only (a TO inside this wave's frontier is already visited),
     * and --max-nodes cuts among those. */
    uint64_t room = UINT64_MAX;
    if (s->cfg->params.max_nodes)
        room = s->cfg->params.max_nodes > plan->visited.count
                   ? s->cfg->params.max_nodes - plan->visited.count
                   : 0;
    ladle_vmap_free(&plan->frontier);
    ladle_vmap_init(&plan->frontier, 1);
    ladle_status status =
        take_smallest(&plan->frontier, &st->next, &plan->visited, room, s->cfg->params.seed, err);
    plan->wave++;
    return status;
}

ladle_status ladle_snowball_cap_seeds(struct ladle_plan *plan, const struct ladle_config *cfg,
                                      struct ladle_error *err)
{
    if (!cfg->params.max_nodes || plan->frontier.count <= cfg->params.max_nodes)
        return LADLE_OK;
    struct ladle_vmap none, seeds = plan->frontier;
    ladle_vmap_init(&none, 1);
    ladle_vmap_init(&plan->frontier, 1);
    ladle_status st =
        take_smallest(&plan->frontier, &seeds, &none, cfg->params.max_nodes, cfg->params.seed, err);
    ladle_vmap_free(&seeds);
    ladle_vmap_free(&none);
    return st;
}

static void snowball_destroy(struct ladle_sampler *s)
{
    struct snowball_state *st = s->state;
    if (!st)
        return;
    ladle_vmap_free(&st->next);
    ladle_field_scratch_free(st->to_scratch);
    free(st);
}

const struct ladle_sampler_ops ladle_sampler_snowball = {
    .name = "snowball",
    .streaming = 1,
    .create = snowball_create,
    .offer = snowball_offer,
    .merge = snowball_merge,
    .finish = snowball_finish,
    .destroy = snowball_destroy,
};

/*
 * bottomk.c -- `-n N`: exactly N records (all, if fewer exist), uniform
 * without replacement: the N records with the smallest keys.
 *
 * Each partial state is a max-heap of at most N candidates, so a record is
 * rejected with one comparison against the heap top once the heap is full;
 * after the first N records that is nearly every record. Merging two
 * states is inserting one's candidates into the other: the bottom N of a
 * union is the bottom N of the parts' bottom Ns, which is what lets
 * threads, ranks and yesterday's run combine.
 */
#include <stdlib.h>
#include <string.h>

#include "record/records.h"
#include "sample/bootstrap.h"
#include "sample/kept.h"
#include "sample/kept_state.h"
#include "sample/kheap.h"
#include "sample/sampler.h"

struct bottomk_state {
    struct ladle_kheap heap;
};

static ladle_status bottomk_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct bottomk_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    ladle_kheap_init(&st->heap, s->cfg->params.n);
    s->state = st;
    return LADLE_OK;
}

static ladle_status bottomk_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                  struct ladle_outbuf *out, const char *name,
                                  struct ladle_error *err)
{
    (void)name; /* records are length-checked by the framer */
    (void)out;
    struct bottomk_state *st = s->state;
    const struct ladle_seed d = s->record_seed; /* a copy the loop keeps in registers */
    struct ladle_record_iter it;
    struct ladle_record r;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &r)) {
        s->records_seen++;
        struct ladle_kept c = {
            ladle_record_key_d(d, ck->source, r.offset), r.offset, ck->input, r.len, NULL, 0.0};
        if (!ladle_kheap_admits(&st->heap, &c))
            continue;
        c.data = malloc(r.len);
        if (!c.data || (memcpy(c.data, r.data, r.len), ladle_kheap_insert(&st->heap, &c) != 0))
            return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    }
    return LADLE_OK;
}

static ladle_status bottomk_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                  struct ladle_error *err)
{
    struct bottomk_state *a = into->state, *b = from->state;
    ladle_sampler_merge_counts(into, from);
    if (ladle_kheap_merge(&a->heap, &b->heap) != 0)
        return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    return LADLE_OK;
}

static ladle_status bottomk_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                   struct ladle_error *err)
{
    (void)err;
    struct bottomk_state *st = s->state;
    if (s->cfg->params.bootstrap) /* the keys are record keys */
        return ladle_boot_emit_kept(s->cfg, st->heap.v, st->heap.count, w, err);
    return ladle_kept_emit(st->heap.v, st->heap.count, s->cfg->params.shuffle, w);
}

/* Serialized state: kept_state.h's layout, "LDBK" version 2 (version 1
 * lacked the records' weight field; bottom-k writes 0 there), with the
 * parameters -n and --seed. */
#define BK_NPARAMS 2

static struct ladle_state_format bk_format(const struct ladle_config *cfg,
                                           struct ladle_state_param p[BK_NPARAMS])
{
    p[0] = (struct ladle_state_param){"-n", cfg->params.n, 0};
    p[1] = (struct ladle_state_param){"--seed", cfg->params.seed, 0};
    return (struct ladle_state_format){{'L', 'D', 'B', 'K'}, 2,           "bottom-k", p,
                                       BK_NPARAMS,           {0, 0, NULL}};
}

static ladle_status bottomk_serialize(const struct ladle_sampler *s, struct ladle_outbuf *o,
                                      struct ladle_error *err)
{
    const struct bottomk_state *st = s->state;
    struct ladle_state_param p[BK_NPARAMS];
    const struct ladle_state_format f = bk_format(s->cfg, p);
    return ladle_kept_state_write(&f, s->records_seen, &st->heap, o, err);
}

static ladle_status bottomk_deserialize(struct ladle_sampler *s, const void *data, size_t len,
                                        struct ladle_error *err)
{
    struct bottomk_state *st = s->state;
    struct ladle_state_param p[BK_NPARAMS];
    struct ladle_state_format f = bk_format(s->cfg, p);
    f.remap = s->input_remap;
    return ladle_kept_state_read(&f, data, len, &st->heap, &s->records_seen, err);
}

static void bottomk_destroy(struct ladle_sampler *s)
{
    struct bottomk_state *st = s->state;
    if (!st)
        return;
    ladle_kheap_free(&st->heap);
    free(st);
}

const struct ladle_sampler_ops ladle_sampler_bottomk = {
    .name = "bottom-k",
    .streaming = 0,
    .create = bottomk_create,
    .offer = bottomk_offer,
    .merge = bottomk_merge,
    .finish = bottomk_finish,
    .serialize = bottomk_serialize,
    .deserialize = bottomk_deserialize,
    .destroy = bottomk_destroy,
    .deserialize_joins = 1, /* ladle_kept_state_read inserts into the heap */
};

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
#include "sample/kept.h"
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
    ladle_kheap_init(&st->heap, s->cfg->n);
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
    const uint64_t seed = s->cfg->seed;
    struct ladle_record_iter it;
    struct ladle_record r;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &r)) {
        s->records_seen++;
        struct ladle_kept c = {ladle_record_key(seed, ck->input, r.offset), r.offset, ck->input,
                               r.len, NULL, 0.0};
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
    return ladle_kept_emit(st->heap.v, st->heap.count, s->cfg->shuffle, w);
}

/* Serialized state: "LDBK" v1, then little-endian u64 fields:
 * n, seed, records_seen, count, and per record key, input, offset, len, bytes. */
static const char BK_MAGIC[8] = {'L', 'D', 'B', 'K', 0, 0, 0, 1};

static int put_u64(struct ladle_outbuf *o, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    return ladle_outbuf_append(o, b, 8);
}

static int get_u64(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    if (end - *p < 8)
        return -1;
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)(*p)[i] << (8 * i);
    *p += 8;
    *v = x;
    return 0;
}

static ladle_status bottomk_serialize(const struct ladle_sampler *s, struct ladle_outbuf *o,
                                      struct ladle_error *err)
{
    const struct bottomk_state *st = s->state;
    int bad = ladle_outbuf_append(o, BK_MAGIC, sizeof BK_MAGIC) | put_u64(o, s->cfg->n) |
              put_u64(o, s->cfg->seed) | put_u64(o, s->records_seen) | put_u64(o, st->heap.count);
    for (size_t i = 0; i < st->heap.count && !bad; i++) {
        const struct ladle_kept *k = &st->heap.v[i];
        bad = put_u64(o, k->key) | put_u64(o, k->input) | put_u64(o, k->offset) |
              put_u64(o, k->len) | ladle_outbuf_append(o, k->data, k->len);
    }
    return bad ? ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory") : LADLE_OK;
}

static ladle_status bottomk_deserialize(struct ladle_sampler *s, const void *data, size_t len,
                                        struct ladle_error *err)
{
    struct bottomk_state *st = s->state;
    const unsigned char *p = data, *end = p + len;
    uint64_t n, seed, seen, count;
    if (len < sizeof BK_MAGIC || memcmp(p, BK_MAGIC, sizeof BK_MAGIC) != 0)
        return ladle_error_set(err, LADLE_E_INPUT, "state: not a bottom-k sample state");
    p += sizeof BK_MAGIC;
    if (get_u64(&p, end, &n) || get_u64(&p, end, &seed) || get_u64(&p, end, &seen) ||
        get_u64(&p, end, &count))
        return ladle_error_set(err, LADLE_E_INPUT, "state: truncated");
    if (n != s->cfg->n || seed != s->cfg->seed)
        return ladle_error_set(err, LADLE_E_INPUT,
                               "state: drawn with -n %llu --seed %llu, not this sample's",
                               (unsigned long long)n, (unsigned long long)seed);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t key, input, offset, rlen;
        if (get_u64(&p, end, &key) || get_u64(&p, end, &input) || get_u64(&p, end, &offset) ||
            get_u64(&p, end, &rlen) || (uint64_t)(end - p) < rlen || input > UINT32_MAX)
            return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");
        struct ladle_kept c = {key, offset, (uint32_t)input, (size_t)rlen, malloc(rlen ? rlen : 1),
                               0.0};
        if (!c.data)
            return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
        memcpy(c.data, p, rlen);
        p += rlen;
        if (ladle_kheap_insert(&st->heap, &c) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    }
    s->records_seen += seen;
    return LADLE_OK;
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
};

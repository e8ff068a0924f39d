/*
 * assign.c -- classes, exact stratification and class balance on the
 * output stage (see assign.h).
 */
#include "split/assign.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "record/key.h"
#include "sample/draws.h"
#include "shard/shards.h"

#define PER_SPLIT_ARRAYS 6

ladle_status ladle_split_state_init(struct ladle_split_state *s,
                                    const struct ladle_split_spec *spec, uint64_t seed,
                                    uint32_t ninputs, struct ladle_error *err)
{
    memset(s, 0, sizeof *s);
    s->spec = spec;
    s->seed = seed;
    s->records = calloc(spec->count, sizeof *s->records);
    s->inputs = calloc(ninputs ? ninputs : 1, sizeof *s->inputs);
    s->ninputs = ninputs;
    if (!s->records || !s->inputs)
        return ladle_error_set(err, LADLE_E_INTERNAL, "split: out of memory");
    for (uint32_t i = 0; i < ninputs; i++)
        s->inputs[i].size = -1;
    return LADLE_OK;
}

void ladle_split_state_free(struct ladle_split_state *s)
{
    for (size_t i = 0; i < s->nclasses; i++) {
        free(s->classes[i].label);
        free(s->classes[i].n); /* one block holds every per-split array */
    }
    free(s->classes);
    free(s->index);
    free(s->records);
    free(s->inputs);
    memset(s, 0, sizeof *s);
}

static size_t slot_of(const struct ladle_split_state *s, uint64_t hash)
{
    size_t mask = s->index_cap - 1, i = (size_t)(hash ^ (hash >> 29)) & mask;
    while (s->index[i] && s->classes[s->index[i] - 1].hash != hash)
        i = (i + 1) & mask;
    return i;
}

int ladle_split_class_known(const struct ladle_split_state *s, uint64_t hash)
{
    return s->index_cap && s->index[slot_of(s, hash)] != 0;
}

static int grow_index(struct ladle_split_state *s)
{
    size_t cap = s->index_cap ? 2 * s->index_cap : 64;
    uint32_t *old = s->index;
    size_t old_cap = s->index_cap;
    s->index = calloc(cap, sizeof *s->index);
    if (!s->index) {
        s->index = old;
        return -1;
    }
    s->index_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            s->index[slot_of(s, s->classes[old[i] - 1].hash)] = old[i];
    free(old);
    return 0;
}

struct ladle_split_class *ladle_split_class_get(struct ladle_split_state *s, uint64_t hash,
                                                const char *label, size_t len)
{
    if (s->index_cap && s->index[slot_of(s, hash)])
        return &s->classes[s->index[slot_of(s, hash)] - 1];
    if ((s->nclasses + 1) * 2 > s->index_cap && grow_index(s) != 0)
        return NULL;
    if (s->nclasses == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        struct ladle_split_class *c = realloc(s->classes, cap * sizeof *c);
        if (!c)
            return NULL;
        s->classes = c;
        s->cap = cap;
    }
    struct ladle_split_class *c = &s->classes[s->nclasses];
    memset(c, 0, sizeof *c);
    unsigned k = s->spec->count;
    uint64_t *block = calloc((size_t)PER_SPLIT_ARRAYS * k, sizeof *block);
    c->label = malloc(len + 1);
    if (!block || !c->label) {
        free(block);
        free(c->label);
        return NULL;
    }
    memcpy(c->label, label, len);
    c->label[len] = '\0';
    c->label_len = len;
    c->hash = hash;
    c->n = block;
    c->target = block + k;
    c->seen = block + 2 * k;
    c->placed = block + 3 * k;
    c->after = block + 4 * k;
    c->quota = block + 5 * k;
    s->nclasses++;
    s->index[slot_of(s, hash)] = (uint32_t)s->nclasses;
    return c;
}

/* Largest remainder: exactly total records spread by ratio (ties: the earlier split). */
static void stratify_alloc(const struct ladle_split_spec *sp, struct ladle_split_class *c)
{
    uint64_t given = 0;
    double frac[LADLE_SPLIT_MAX];
    for (unsigned k = 0; k < sp->count; k++) {
        double exact = (double)c->total * sp->ratio[k];
        c->quota[k] = (uint64_t)floor(exact);
        if (c->quota[k] > c->total)
            c->quota[k] = c->total;
        frac[k] = exact - (double)c->quota[k];
        given += c->quota[k];
    }
    while (given < c->total) {
        unsigned best = 0;
        for (unsigned k = 1; k < sp->count; k++)
            if (frac[k] > frac[best])
                best = k;
        c->quota[best]++;
        frac[best] = -1;
        given++;
    }
    for (unsigned k = 0; k < sp->count; k++)
        c->n[k] = c->quota[k];
    c->left = c->total;
}

void ladle_split_state_plan(struct ladle_split_state *s)
{
    const struct ladle_split_spec *sp = s->spec;
    for (size_t i = 0; i < s->nclasses; i++) {
        struct ladle_split_class *c = &s->classes[i];
        if (sp->stratify)
            stratify_alloc(sp, c);
        memcpy(c->target, c->n, sp->count * sizeof *c->n);
        memset(c->seen, 0, sp->count * sizeof *c->seen);
        memset(c->placed, 0, sp->count * sizeof *c->placed);
        memset(c->after, 0, sp->count * sizeof *c->after);
    }
    if (sp->balance == LADLE_BALANCE_NONE)
        return;
    for (unsigned k = 0; k < sp->count; k++) {
        if (!(sp->balance_mask >> k & 1))
            continue;
        uint64_t lo = UINT64_MAX, hi = 0;
        for (size_t i = 0; i < s->nclasses; i++) {
            uint64_t n = s->classes[i].n[k];
            if (n == 0)
                continue;
            lo = n < lo ? n : lo;
            hi = n > hi ? n : hi;
        }
        for (size_t i = 0; i < s->nclasses; i++) {
            struct ladle_split_class *c = &s->classes[i];
            uint64_t n = c->n[k], t = n;
            if (n == 0)
                continue;
            switch (sp->balance) {
            case LADLE_BALANCE_UNDER: t = lo; break;
            case LADLE_BALANCE_CAP: t = n < sp->balance_cap ? n : sp->balance_cap; break;
            case LADLE_BALANCE_RATIO: {
                double m = floor(sp->balance_ratio * (double)lo);
                t = (double)n < m ? n : (uint64_t)m;
                break;
            }
            case LADLE_BALANCE_OVER: t = hi; break;
            default: break;
            }
            c->target[k] = t;
        }
    }
}

ladle_status ladle_split_state_take(struct ladle_split_state *s, const struct ladle_route *rt,
                                    struct ladle_split_class *cls, const char *rec,
                                    struct ladle_error *err)
{
    const struct ladle_split_spec *sp = s->spec;
    unsigned k = rt->split;
    if (s->counting) {
        if (cls) {
            cls->total++;
            if (k < sp->count)
                cls->n[k]++;
        }
        return LADLE_OK;
    }
    if (k == LADLE_ROUTE_PENDING) {
        /* --stratify: this record takes one of the class's remaining places. */
        if (cls && cls->left) {
            uint64_t u =
                ladle_below(ladle_draw(s->seed, LADLE_DOMAIN_STRATIFY, rt->key), cls->left);
            for (k = 0; k + 1 < sp->count && u >= cls->quota[k]; k++)
                u -= cls->quota[k];
            if (cls->quota[k])
                cls->quota[k]--;
            cls->left--;
        } else {
            /* The input changed between the passes: fall back to the ratios. */
            k = ladle_split_of_hash(sp, ladle_draw(s->seed, LADLE_DOMAIN_SPLIT, rt->key));
        }
    }
    uint64_t copies = 1;
    if (cls && sp->balance != LADLE_BALANCE_NONE && (sp->balance_mask >> k & 1)) {
        uint64_t n = cls->n[k], seen = cls->seen[k]++;
        uint64_t m = n > seen ? n - seen
                              : 1; /* records of (class, split) still to come, this one included */
        uint64_t u = ladle_draw(s->seed, LADLE_DOMAIN_BALANCE, rt->key);
        if (sp->balance == LADLE_BALANCE_OVER) {
            uint64_t extra_all = cls->target[k] > n ? cls->target[k] - n : 0;
            uint64_t e = extra_all > cls->placed[k] ? extra_all - cls->placed[k] : 0;
            uint64_t x = m <= 1 ? e : ladle_binomial(e, m, &u);
            cls->placed[k] += x;
            copies = 1 + x;
        } else {
            uint64_t need = cls->target[k] > cls->placed[k] ? cls->target[k] - cls->placed[k] : 0;
            copies = ladle_below(u, m) < need ? 1 : 0;
            cls->placed[k] += copies;
        }
    }
    for (uint64_t c = 0; c < copies; c++) {
        ladle_status st = ladle_shards_add(s->shards, k, rec, rt->len, err);
        if (st != LADLE_OK)
            return st;
    }
    if (cls)
        cls->after[k] += copies;
    s->records[k] += copies;
    return LADLE_OK;
}

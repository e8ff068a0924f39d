/*
 * kll.c -- the KLL quantile sketch (see kll.h).
 */
#include "sample/kll.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ladle_kll_init(struct ladle_kll *s, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->rng = seed ^ 0x6b6c6c2d636f696eULL; /* "kll-coin": seed 0 still mixes */
    s->levels = 1;
}

void ladle_kll_free(struct ladle_kll *s)
{
    for (unsigned h = 0; h < LADLE_KLL_MAX_LEVELS; h++)
        free(s->level[h].v);
    memset(s, 0, sizeof *s);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Level h's capacity: k (2/3)^depth below the top level, at least MIN_CAP. */
static size_t capacity(unsigned levels, unsigned h)
{
    size_t c = LADLE_KLL_K;
    for (unsigned d = levels - 1 - h; d > 0 && c > LADLE_KLL_MIN_CAP; d--)
        c = c * 2 / 3;
    return c < LADLE_KLL_MIN_CAP ? LADLE_KLL_MIN_CAP : c;
}

static size_t total_capacity(unsigned levels)
{
    size_t t = 0;
    for (unsigned h = 0; h < levels; h++)
        t += capacity(levels, h);
    return t;
}

static int push(struct ladle_kll_level *l, double v)
{
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        double *p = realloc(l->v, cap * sizeof *p);
        if (!p)
            return -1;
        l->v = p;
        l->cap = cap;
    }
    l->v[l->len++] = v;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Halves level h into level h + 1: sorted, every other item from a random
 * offset moves up with twice the weight; an odd item out (the smallest)
 * stays, so the total weight is unchanged. */
static int compact(struct ladle_kll *s, unsigned h)
{
    if (h + 1 == s->levels) {
        if (s->levels == LADLE_KLL_MAX_LEVELS)
            return -1; /* 2^56 values: not reachable in practice */
        s->levels++;
    }
    struct ladle_kll_level *l = &s->level[h], *up = &s->level[h + 1];
    qsort(l->v, l->len, sizeof *l->v, cmp_double);
    size_t start = l->len & 1, coin = (size_t)(splitmix64(&s->rng) >> 63);
    for (size_t i = start + coin; i < l->len; i += 2)
        if (push(up, l->v[i]) != 0)
            return -1;
    s->size -= (l->len - start) / 2;
    l->len = start;
    s->compacted = 1;
    return 0;
}

/* Compacts the lowest full level until the sketch fits its capacity. */
static int compress(struct ladle_kll *s)
{
    while (s->size >= total_capacity(s->levels)) {
        unsigned h = 0;
        while (h < s->levels && s->level[h].len < capacity(s->levels, h))
            h++;
        if (h == s->levels || compact(s, h) != 0)
            return -1;
    }
    return 0;
}

int ladle_kll_add(struct ladle_kll *s, double v)
{
    if (push(&s->level[0], v) != 0)
        return -1;
    s->n++;
    s->size++;
    return s->size >= total_capacity(s->levels) ? compress(s) : 0;
}

int ladle_kll_merge(struct ladle_kll *into, struct ladle_kll *from)
{
    for (unsigned h = 0; h < from->levels; h++) {
        if (h >= into->levels)
            into->levels = h + 1;
        const struct ladle_kll_level *l = &from->level[h];
        for (size_t i = 0; i < l->len; i++)
            if (push(&into->level[h], l->v[i]) != 0)
                return -1;
        into->size += l->len;
    }
    into->n += from->n;
    into->compacted |= from->compacted;
    uint64_t seed = into->rng;
    ladle_kll_free(from);
    ladle_kll_init(from, seed);
    return compress(into);
}

struct weighted {
    double v;
    uint64_t w;
};

static int cmp_weighted(const void *a, const void *b)
{
    return cmp_double(&((const struct weighted *)a)->v, &((const struct weighted *)b)->v);
}

int ladle_kll_quantiles(const struct ladle_kll *s, const double *qs, size_t nq, double *out)
{
    if (s->n == 0 || s->size == 0)
        return -1;
    struct weighted *all = malloc(s->size * sizeof *all);
    if (!all)
        return -1;
    size_t m = 0;
    for (unsigned h = 0; h < s->levels; h++)
        for (size_t i = 0; i < s->level[h].len; i++)
            all[m++] = (struct weighted){s->level[h].v[i], (uint64_t)1 << h};
    qsort(all, m, sizeof *all, cmp_weighted);
    for (size_t j = 0; j < nq; j++) {
        double t = ceil(qs[j] * (double)s->n);
        uint64_t target = t < 1 ? 1 : (uint64_t)t, cum = 0;
        size_t i = 0;
        for (; i + 1 < m && (cum += all[i].w) < target; i++)
            ;
        out[j] = all[i].v;
    }
    free(all);
    return 0;
}

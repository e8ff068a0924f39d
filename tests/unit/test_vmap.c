/*
 * test_vmap.c -- the value map (src/sample/vmap.c) against a plain array:
 * every value put once is found again with its own payload, across growth
 * (64 slots doubling at 3/4 load) and with the last-hit cache in play;
 * values that differ only in length, in a NUL byte or in case are told
 * apart; absent values are NULL; ladle_vmap_each visits each entry exactly
 * once; a merge through each + put gives the union with summed counts.
 */
#include <stdlib.h>
#include <string.h>

#include "sample/vmap.h"
#include "test_stat.h"
#include "test_util.h"

#define NVAL 20000

struct payload {
    uint64_t id;    /* 1 + the value's index in vals */
    uint64_t count; /* merges: occurrences */
    uint64_t seen;  /* visits by ladle_vmap_each */
};

struct val {
    char b[24];
    size_t len;
};

static struct val vals[NVAL];
static uint64_t rng_state = 0x7A3;

/* NVAL distinct values: "" and "\0" and "\0\0", "k<i>" and its case and NUL
 * variants, random binary bytes; no two equal (checked). */
static void make_values(void)
{
    size_t n = 0;
    vals[n++] = (struct val){"", 0};
    vals[n++] = (struct val){{0}, 1};
    vals[n++] = (struct val){{0, 0}, 2};
    for (size_t i = 0; n < NVAL; i++) {
        struct val *v = &vals[n++];
        switch (i % 4) {
        case 0: v->len = (size_t)snprintf(v->b, sizeof v->b, "k%zu", i); break;
        case 1: v->len = (size_t)snprintf(v->b, sizeof v->b, "K%zu", i - 1); break;
        case 2: /* "k<i-2>" with a NUL byte after it: same text, one byte longer */
            v->len = (size_t)snprintf(v->b, sizeof v->b, "k%zu", i - 2) + 1;
            break;
        default:
            v->len = 8 + t_below(&rng_state, 12);
            for (size_t k = 0; k < v->len; k++)
                v->b[k] = (char)t_below(&rng_state, 256);
            v->b[0] = 'x'; /* never equal to the text values */
            v->b[1] = (char)(n & 0xff);
            v->b[2] = (char)(n >> 8);
            break;
        }
    }
}

static void *put(struct ladle_vmap *m, size_t i, int *created)
{
    return ladle_vmap_put(m, vals[i].b, vals[i].len, created);
}

static void test_put_find(void)
{
    struct ladle_vmap m;
    ladle_vmap_init(&m, sizeof(struct payload));
    CHECK(ladle_vmap_get(&m, "a", 1) == NULL); /* empty map: no table yet */
    CHECK(ladle_vmap_find(&m, "a", 1) == NULL);
    size_t bad_created = 0, bad_zero = 0;
    for (size_t i = 0; i < NVAL; i++) {
        int created = -1;
        struct payload *p = put(&m, i, &created);
        CHECK(p != NULL);
        if (!p)
            break;
        bad_created += created != 1;
        bad_zero += p->id != 0 || p->count != 0;
        p->id = i + 1;
    }
    CHECKF(bad_created == 0, "%zu values not reported as created", bad_created);
    CHECKF(bad_zero == 0, "%zu new payloads not zeroed", bad_zero);
    CHECKF(m.count == NVAL, "count %zu, want %d", m.count, NVAL);
    CHECK(m.cap >= 64 && (m.cap & (m.cap - 1)) == 0 && m.count * 4 <= m.cap * 3);

    /* Every value again, in a scrambled order, through all three lookups. */
    size_t wrong = 0;
    for (size_t k = 0; k < NVAL; k++) {
        size_t i = (k * 7919) % NVAL;
        const struct payload *g = ladle_vmap_get(&m, vals[i].b, vals[i].len);
        const struct payload *f = ladle_vmap_find(&m, vals[i].b, vals[i].len);
        int created = -1;
        const struct payload *p = put(&m, i, &created);
        if (!g || g->id != i + 1 || f != g || p != g || created != 0)
            wrong++;
    }
    CHECKF(wrong == 0, "%zu of %d values not found with their own payload", wrong, NVAL);
    CHECK(m.count == NVAL); /* puts of present values add nothing */

    /* The last-hit cache must not answer for another value. */
    CHECK(ladle_vmap_find(&m, "k0", 2) != NULL);
    const struct payload *k0 = ladle_vmap_get(&m, "k0", 2);
    CHECK(k0 && k0->id == 4);                                    /* vals[3] is "k0" */
    const struct payload *k0nul = ladle_vmap_get(&m, "k0\0", 3); /* longer by a NUL */
    CHECK(k0nul && k0nul->id == 6);                              /* vals[5] */
    const struct payload *K0 = ladle_vmap_get(&m, "K0", 2);      /* case */
    CHECK(K0 && K0->id == 5);
    CHECK(ladle_vmap_get(&m, "k", 1) == NULL);             /* a prefix */
    CHECK(ladle_vmap_find(&m, "k00", 3) == NULL);          /* absent, after a hit */
    CHECK(ladle_vmap_get(&m, "never put", 9) == NULL);     /* absent */
    const struct payload *e = ladle_vmap_get(&m, "", 0);   /* the empty value */
    const struct payload *z = ladle_vmap_get(&m, "\0", 1); /* one NUL byte */
    CHECK(e && e->id == 1 && z && z->id == 2);
    ladle_vmap_free(&m);
    CHECK(m.slots == NULL && m.count == 0);
}

static void visit(void *arg, const char *v, size_t len, void *payload)
{
    size_t *calls = arg;
    struct payload *p = payload;
    (*calls)++;
    p->seen++;
    /* The value handed over is the one stored for this payload. */
    if (p->id == 0 || p->id > NVAL || vals[p->id - 1].len != len ||
        memcmp(vals[p->id - 1].b, v, len) != 0)
        p->seen += 1000;
}

static void test_each(void)
{
    struct ladle_vmap m;
    ladle_vmap_init(&m, sizeof(struct payload));
    size_t calls = 0;
    ladle_vmap_each(&m, visit, &calls); /* empty: no call */
    CHECK(calls == 0);
    for (size_t i = 0; i < NVAL; i += 3)
        ((struct payload *)put(&m, i, NULL))->id = i + 1;
    ladle_vmap_each(&m, visit, &calls);
    CHECKF(calls == m.count, "each called %zu times for %zu entries", calls, m.count);
    size_t off = 0;
    for (size_t i = 0; i < NVAL; i += 3) {
        const struct payload *p = ladle_vmap_get(&m, vals[i].b, vals[i].len);
        off += !p || p->seen != 1;
    }
    CHECKF(off == 0, "%zu entries not visited exactly once with their value", off);
    ladle_vmap_free(&m);
}

struct merge {
    struct ladle_vmap *into;
    int failed;
};

static void merge_one(void *arg, const char *v, size_t len, void *payload)
{
    struct merge *mg = arg;
    const struct payload *from = payload;
    struct payload *p = ladle_vmap_put(mg->into, v, len, NULL);
    if (!p) {
        mg->failed = 1;
        return;
    }
    p->id = from->id;
    p->count += from->count;
}

/* Two workers' maps (values 0..2N/3 and N/3..N, each value counted c times
 * in each), merged: the union, counts summed; a payload of size 0 works. */
static void test_merge(void)
{
    struct ladle_vmap a, b;
    ladle_vmap_init(&a, sizeof(struct payload));
    ladle_vmap_init(&b, sizeof(struct payload));
    for (size_t i = 0; i < 2 * NVAL / 3; i++) {
        struct payload *p = put(&a, i, NULL);
        p->id = i + 1;
        p->count += 1 + i % 3;
    }
    for (size_t i = NVAL / 3; i < NVAL; i++) {
        struct payload *p = put(&b, i, NULL);
        p->id = i + 1;
        p->count += 2;
    }
    struct merge mg = {&a, 0};
    ladle_vmap_each(&b, merge_one, &mg);
    CHECK(!mg.failed);
    CHECKF(a.count == NVAL, "union has %zu values, want %d", a.count, NVAL);
    size_t wrong = 0;
    for (size_t i = 0; i < NVAL; i++) {
        uint64_t want = (i < 2 * NVAL / 3 ? 1 + i % 3 : 0) + (i >= NVAL / 3 ? 2 : 0);
        const struct payload *p = ladle_vmap_get(&a, vals[i].b, vals[i].len);
        wrong += !p || p->count != want || p->id != i + 1;
    }
    CHECKF(wrong == 0, "%zu merged counts wrong", wrong);
    ladle_vmap_free(&a);
    ladle_vmap_free(&b);

    struct ladle_vmap s; /* a set: payload_size 0 */
    ladle_vmap_init(&s, 0);
    int created = 0;
    CHECK(ladle_vmap_put(&s, "x", 1, &created) != NULL && created == 1);
    CHECK(ladle_vmap_put(&s, "x", 1, &created) != NULL && created == 0);
    CHECK(ladle_vmap_get(&s, "x", 1) != NULL && ladle_vmap_get(&s, "y", 1) == NULL);
    ladle_vmap_free(&s);
}

int main(void)
{
    make_values();
    /* The values are distinct (else the counts above prove nothing). */
    size_t dup = 0;
    for (size_t i = 0; i + 1 < NVAL && i < 400; i++)
        for (size_t j = i + 1; j < NVAL; j++)
            dup += vals[i].len == vals[j].len && memcmp(vals[i].b, vals[j].b, vals[i].len) == 0;
    CHECKF(dup == 0, "%zu duplicate test values", dup);
    test_put_find();
    test_each();
    test_merge();
    return t_done("test_vmap");
}

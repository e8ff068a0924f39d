/*
 * test_kheap.c -- the N smallest kept records (src/sample/kheap.c) against
 * a sort: for N from 0 to past the population, with keys drawn from a small
 * range so ties are broken by (input, offset), the heap keeps exactly the
 * bottom N by (key, input, offset), each with its own bytes; its top is
 * the largest kept; admits says yes exactly below the top; merging heaps
 * of random parts gives the bottom N of the whole; truncate keeps the
 * smallest, sorted. Records that do not enter are freed (ASan checks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample/kheap.h"
#include "test_stat.h"
#include "test_util.h"

#define NPOP 3000

static struct ladle_kept pop[NPOP]; /* data NULL: copies are made per insert */
static uint64_t rng_state = 0x4EA9;

static void make_pop(uint64_t key_range)
{
    for (size_t i = 0; i < NPOP; i++)
        pop[i] = (struct ladle_kept){.key = t_below(&rng_state, (size_t)key_range),
                                     .input = (uint32_t)t_below(&rng_state, 3),
                                     .offset = i * 10 + 5,
                                     .weight = (double)i};
}

static int cmp_ref(const void *x, const void *y)
{
    const struct ladle_kept *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* A copy of pop[i] owning the bytes "rec<i>\n". */
static struct ladle_kept copy_of(size_t i)
{
    struct ladle_kept c = pop[i];
    char buf[32];
    c.len = (size_t)snprintf(buf, sizeof buf, "rec%zu\n", i);
    c.data = malloc(c.len);
    if (!c.data)
        abort();
    memcpy(c.data, buf, c.len);
    return c;
}

/* The heap holds exactly ref[0..n) (in any order), each with its bytes. */
static int same_set(struct ladle_kheap *h, const struct ladle_kept *ref, size_t n)
{
    if (h->count != n)
        return 0;
    struct ladle_kept *v = malloc((n + 1) * sizeof *v);
    if (n)
        memcpy(v, h->v, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_ref);
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        char want[32];
        size_t idx = (size_t)ref[i].weight,
               wl = (size_t)snprintf(want, sizeof want, "rec%zu\n", idx);
        ok = cmp_ref(&v[i], &ref[i]) == 0 && v[i].len == wl && memcmp(v[i].data, want, wl) == 0;
    }
    free(v);
    return ok;
}

/* The max-heap's top is its largest record. */
static int top_is_max(const struct ladle_kheap *h)
{
    for (size_t i = 1; i < h->count; i++)
        if (cmp_ref(&h->v[i], ladle_kheap_top(h)) > 0)
            return 0;
    return 1;
}

static void test_bottom_n(const struct ladle_kept *ref)
{
    static const size_t ns[] = {0, 1, 2, 7, 63, 64, 65, 500, NPOP - 1, NPOP, NPOP + 5, 1000000};
    for (size_t t = 0; t < sizeof ns / sizeof *ns; t++) {
        size_t n = ns[t], want = n < NPOP ? n : NPOP;
        struct ladle_kheap h;
        ladle_kheap_init(&h, n);
        int rc = 0;
        for (size_t i = 0; i < NPOP; i++) {
            struct ladle_kept c = copy_of(i);
            rc |= ladle_kheap_insert(&h, &c);
        }
        CHECK(rc == 0);
        CHECKF(same_set(&h, ref, want), "N=%zu: not the bottom %zu by (key, input, offset)", n,
               want);
        CHECKF(h.count == 0 || top_is_max(&h), "N=%zu: top is not the largest kept", n);
        CHECK(h.alloc <= (n < NPOP ? n : 2 * NPOP)); /* grows on demand, never past N */
        if (want == n && n > 0) {                    /* full: admits only below the top */
            struct ladle_kept below = ref[n - 1], above = ref[n - 1];
            below.offset--; /* just under the top in (key, input, offset) */
            above.offset++;
            CHECKF(ladle_kheap_admits(&h, &below), "N=%zu: admits refuses a smaller key", n);
            CHECKF(!ladle_kheap_admits(&h, &above), "N=%zu: admits takes a larger key", n);
            CHECKF(!ladle_kheap_admits(&h, &ref[n - 1]), "N=%zu: admits the top again", n);
        } else if (n > 0) {
            CHECK(ladle_kheap_admits(&h, &ref[NPOP - 1])); /* not full: admits anything */
        } else {
            CHECK(!ladle_kheap_admits(&h, &ref[0]));
        }
        ladle_kheap_free(&h);
    }
}

/* Random parts into their own heaps, merged in turn: the bottom N of all. */
static void test_merge(const struct ladle_kept *ref)
{
    static const size_t ns[] = {1, 50, 700, NPOP + 1};
    for (size_t t = 0; t < sizeof ns / sizeof *ns; t++) {
        size_t n = ns[t], want = n < NPOP ? n : NPOP;
        struct ladle_kheap part[4];
        for (int k = 0; k < 4; k++)
            ladle_kheap_init(&part[k], n);
        for (size_t i = 0; i < NPOP; i++) {
            struct ladle_kept c = copy_of(i);
            CHECK(ladle_kheap_insert(&part[t_below(&rng_state, 4)], &c) == 0);
        }
        for (int k = 1; k < 4; k++) {
            CHECK(ladle_kheap_merge(&part[0], &part[k]) == 0);
            CHECK(part[k].count == 0);
        }
        CHECKF(same_set(&part[0], ref, want), "merge, N=%zu: not the bottom %zu", n, want);
        CHECK(top_is_max(&part[0]));
        for (int k = 0; k < 4; k++)
            ladle_kheap_free(&part[k]);
    }
}

static void test_truncate(const struct ladle_kept *ref)
{
    struct ladle_kheap h;
    ladle_kheap_init(&h, 400);
    for (size_t i = 0; i < NPOP; i++) {
        struct ladle_kept c = copy_of(i);
        ladle_kheap_insert(&h, &c);
    }
    ladle_kheap_truncate(&h, 500); /* more than it holds: nothing changes */
    CHECK(h.count == 400);
    ladle_kheap_truncate(&h, 123);
    CHECK(h.count == 123);
    int sorted = 1;
    for (size_t i = 0; i < h.count; i++)
        sorted &= cmp_ref(&h.v[i], &ref[i]) == 0;
    CHECKF(sorted, "truncate: not the 123 smallest in key order");
    ladle_kheap_truncate(&h, 0);
    CHECK(h.count == 0);
    ladle_kheap_free(&h);
}

int main(void)
{
    static const uint64_t ranges[] = {20, UINT32_MAX}; /* many ties; nearly none */
    static struct ladle_kept ref[NPOP];
    for (size_t r = 0; r < 2; r++) {
        make_pop(ranges[r]);
        memcpy(ref, pop, sizeof ref);
        qsort(ref, NPOP, sizeof *ref, cmp_ref);
        test_bottom_n(ref);
        test_merge(ref);
        test_truncate(ref);
    }
    return t_done("test_kheap");
}

/*
 * test_quantile.c -- the KLL sketch behind `ladle stats` numeric
 * summaries (src/sample/kll.c): for uniform, lognormal, zipf, sorted,
 * reverse-sorted, constant and duplicated inputs, each estimated quantile
 * has a true rank within LADLE_KLL_RANK_ERROR * n of the nearest-rank
 * target (exactly right below k values); a sketch merged from parts (two,
 * and eight as threads would) keeps the same bound on the union; the same
 * seed and order give the same sketch. Teeth: the bound rejects the
 * quantile one bound further along.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sample/kll.h"
#include "test_util.h"

static uint64_t rng_state;

static double uniform01(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

enum dist { UNIFORM, LOGNORMAL, ZIPF, SORTED, REVERSE, CONSTANT, DUPLICATED, NDIST };
static const char *const dist_name[] = {"uniform", "lognormal", "zipf",      "sorted",
                                        "reverse", "constant",  "duplicated"};

static void fill(double *v, size_t n, enum dist d)
{
    for (size_t i = 0; i < n; i++) {
        double u = uniform01();
        switch (d) {
        case UNIFORM: v[i] = u * 1000.0; break;
        case LOGNORMAL: /* Box-Muller */
            v[i] = exp(sqrt(-2.0 * log(1.0 - u)) * cos(2 * M_PI * uniform01()));
            break;
        case ZIPF: v[i] = floor(pow(1.0 - u, -1.0 / 1.1)); break; /* heavy tail, many ties */
        case SORTED: v[i] = (double)i; break;
        case REVERSE: v[i] = (double)(n - i); break;
        case CONSTANT: v[i] = 42.0; break;
        default: v[i] = (double)(i % 7); break;
        }
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const double qs[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0};
#define NQ (sizeof qs / sizeof *qs)

/* How far x's true rank range [lo+1, hi] in sorted is from the target rank. */
static double rank_miss(const double *sorted, size_t n, double q, double x)
{
    size_t lo = 0, hi = n;
    while (lo < n && sorted[lo] < x)
        lo++;
    hi = lo;
    while (hi < n && sorted[hi] <= x)
        hi++;
    double t = ceil(q * (double)n);
    t = t < 1 ? 1 : t;
    return t <= (double)lo ? (double)lo - t + 1 : t > (double)hi ? t - (double)hi : 0;
}

/* Checks s's quantiles against the sorted values; the largest miss / n. */
static double check_sketch(const struct ladle_kll *s, const double *sorted, size_t n,
                           const char *what)
{
    double est[NQ], worst = 0;
    CHECK(ladle_kll_quantiles(s, qs, NQ, est) == 0);
    double tol = n < LADLE_KLL_K ? 0 : LADLE_KLL_RANK_ERROR * (double)n;
    for (size_t j = 0; j < NQ; j++) {
        double miss = rank_miss(sorted, n, qs[j], est[j]);
        worst = miss / (double)n > worst ? miss / (double)n : worst;
        CHECKF(miss <= tol, "%s n=%zu q=%g: estimate %g misses rank by %.0f (bound %.0f)", what, n,
               qs[j], est[j], miss, tol);
    }
    /* Teeth: the value one bound further along is rejected (unless the
     * data has no spread there). */
    size_t far = (size_t)(0.5 * (double)n + 3 * tol + 1);
    if (n >= LADLE_KLL_K && far < n && sorted[far] != sorted[n / 2])
        CHECKF(rank_miss(sorted, n, 0.5, sorted[far]) > tol, "%s: bound too loose to fail", what);
    return worst;
}

static void one(enum dist d, size_t n, uint64_t seed)
{
    double *v = malloc(n * sizeof *v), *sorted = malloc(n * sizeof *v);
    rng_state = seed;
    fill(v, n, d);
    memcpy(sorted, v, n * sizeof *v);
    qsort(sorted, n, sizeof *sorted, cmp);
    char what[64];
    snprintf(what, sizeof what, "%s seed %llu", dist_name[d], (unsigned long long)seed);

    struct ladle_kll whole, again, part[8];
    ladle_kll_init(&whole, seed);
    ladle_kll_init(&again, seed);
    for (size_t i = 0; i < n; i++) {
        CHECK(ladle_kll_add(&whole, v[i]) == 0);
        CHECK(ladle_kll_add(&again, v[i]) == 0);
    }
    CHECK(whole.n == n);
    CHECK(n >= LADLE_KLL_K || !whole.compacted);
    double worst = check_sketch(&whole, sorted, n, what);
    double e1[NQ], e2[NQ];
    CHECK(ladle_kll_quantiles(&whole, qs, NQ, e1) == 0 &&
          ladle_kll_quantiles(&again, qs, NQ, e2) == 0 && memcmp(e1, e2, sizeof e1) == 0);

    /* Two parts and eight (interleaved chunks, as threads take them). */
    for (size_t parts = 2; parts <= 8; parts *= 4) {
        for (size_t p = 0; p < parts; p++)
            ladle_kll_init(&part[p], seed + p);
        size_t chunk = n / 37 + 1;
        for (size_t i = 0; i < n; i++)
            CHECK(ladle_kll_add(&part[(i / chunk) % parts], v[i]) == 0);
        for (size_t p = 1; p < parts; p++) {
            CHECK(ladle_kll_merge(&part[0], &part[p]) == 0);
            CHECK(part[p].n == 0 && part[p].size == 0);
            ladle_kll_free(&part[p]);
        }
        CHECK(part[0].n == n);
        char mwhat[80];
        snprintf(mwhat, sizeof mwhat, "%s merged from %zu", what, parts);
        check_sketch(&part[0], sorted, n, mwhat);
        ladle_kll_free(&part[0]);
    }
    if (seed == 1)
        fprintf(stderr, "  %-10s n=%-7zu worst rank error %.5f (bound %.5f)\n", dist_name[d], n,
                worst, LADLE_KLL_RANK_ERROR);
    ladle_kll_free(&whole);
    ladle_kll_free(&again);
    free(v);
    free(sorted);
}

int main(void)
{
    const size_t sizes[] = {1, 100, 8000, 300000};
    for (int d = 0; d < NDIST; d++)
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
            for (uint64_t seed = 1; seed <= 3; seed++)
                one((enum dist)d, sizes[k], seed);
    struct ladle_kll empty;
    ladle_kll_init(&empty, 1);
    double x;
    CHECK(ladle_kll_quantiles(&empty, qs, 1, &x) == -1);
    ladle_kll_free(&empty);
    return t_failures ? 1 : 0;
}

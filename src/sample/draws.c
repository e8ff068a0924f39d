/*
 * draws.c -- counts from a 64-bit hash (see draws.h).
 */
#include "sample/draws.h"

#include <math.h>

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Inversion, in pieces whose mean is at most ~200 so (1-p)^piece never
 * underflows; the pieces' sum is the same law. */
uint64_t ladle_binomial(uint64_t e, uint64_t m, uint64_t *rng)
{
    if (m <= 1) /* p = 1: every trial succeeds (the inversion would divide by 0) */
        return e;
    double p = 1.0 / (double)m, odds = p / (1.0 - p);
    uint64_t piece = (uint64_t)(200.0 * (double)m), x = 0;
    while (e) {
        uint64_t c = e < piece ? e : piece;
        double u = ladle_key_unit(splitmix(rng));
        double pmf = exp((double)c * log1p(-p)), cdf = pmf;
        uint64_t j = 0;
        while (u > cdf && j < c) {
            pmf *= (double)(c - j) / (double)(j + 1) * odds;
            j++;
            cdf += pmf;
            /* Rounding can leave the summed CDF a hair under u: past the
             * mean, once the terms vanish, stop instead of walking to c. */
            if (pmf == 0.0 && (double)j > (double)c * p)
                break;
        }
        x += j;
        e -= c;
    }
    return x;
}

/* floor(F(k) * 2^64), F the Poisson(1) CDF, k = 0..19 (computed with 80
 * exact digits; F(20) rounds to 2^64). */
static const uint64_t poisson1_cdf[] = {
    0x5e2d58d8b3bcdf1aULL, 0xbc5ab1b16779be35ULL, 0xeb715e1dc1582dc2ULL, 0xfb23979734a252f1ULL,
    0xff1025f59174dc3dULL, 0xffd90f3ba4055e19ULL, 0xfffa8b71fc72c913ULL, 0xffff540c0914b3c9ULL,
    0xffffed1f4aa8f120ULL, 0xfffffe216e641462ULL, 0xffffffd4d85d3183ULL, 0xfffffffc6da262b4ULL,
    0xffffffffba12d178ULL, 0xfffffffffb07c64cULL, 0xffffffffffab8ea5ULL, 0xfffffffffffabe22ULL,
    0xffffffffffffb11aULL, 0xfffffffffffffba1ULL, 0xffffffffffffffc5ULL, 0xfffffffffffffffdULL,
};

unsigned ladle_poisson1(uint64_t u)
{
    unsigned k = 0;
    while (k < sizeof poisson1_cdf / sizeof poisson1_cdf[0] && u >= poisson1_cdf[k])
        k++;
    return k;
}

/*
 * test_hll.c -- the HyperLogLog behind `ladle stats`: estimates within
 * 4 standard errors (1.04/sqrt(2^14) = 0.81% each) of the true distinct
 * count for 1e3..1e6 values over several seeds, merging equals the sketch
 * of the union (register for register), and the test has teeth: twice the
 * true count is rejected by the same bound.
 */
#include <math.h>
#include <string.h>

#include "sample/hll.h"
#include "test_util.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

static uint64_t value_hash(uint64_t seed, uint64_t i)
{
    return XXH3_64bits_withSeed(&i, sizeof i, seed);
}

int main(void)
{
    static struct ladle_hll a, b, u;
    const double se = 1.04 / sqrt((double)LADLE_HLL_M);
    const uint64_t sizes[] = {1000, 100000, 1000000};
    for (uint64_t seed = 1; seed <= 3; seed++)
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            memset(&a, 0, sizeof a);
            for (uint64_t i = 0; i < sizes[k]; i++) {
                ladle_hll_add(&a, value_hash(seed, i));
                ladle_hll_add(&a, value_hash(seed, i)); /* duplicates change nothing */
            }
            double n = (double)sizes[k], e = ladle_hll_estimate(&a);
            CHECKF(fabs(e - n) <= 4 * se * n, "n=%.0f seed=%llu: estimate %.0f", n,
                   (unsigned long long)seed, e);
            CHECKF(fabs(e - 2 * n) > 4 * se * 2 * n, "n=%.0f: bound too loose to fail", n);
        }
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&u, 0, sizeof u);
    for (uint64_t i = 0; i < 300000; i++) {
        uint64_t h = value_hash(9, i);
        ladle_hll_add(i % 3 ? &a : &b, h);
        ladle_hll_add(&u, h);
    }
    ladle_hll_merge(&a, &b);
    CHECK(memcmp(&a, &u, sizeof a) == 0);
    memset(&a, 0, sizeof a);
    CHECK(ladle_hll_estimate(&a) == 0.0);
    return t_done("test_hll");
}

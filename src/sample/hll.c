/*
 * hll.c -- HyperLogLog (see hll.h), with linear counting below 2.5m as in
 * the paper's small-range correction. 64-bit hashes make the large-range
 * correction unnecessary.
 */
#include "sample/hll.h"

#include <math.h>

void ladle_hll_add(struct ladle_hll *h, uint64_t hash)
{
    uint32_t idx = (uint32_t)(hash >> (64 - LADLE_HLL_P));
    /* Rank of the first 1 bit in the remaining 50 bits (a sentinel bit
     * bounds it at 51). */
    uint64_t rest = (hash << LADLE_HLL_P) | ((uint64_t)1 << (LADLE_HLL_P - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);
    if (rank > h->reg[idx])
        h->reg[idx] = rank;
}

void ladle_hll_merge(struct ladle_hll *into, const struct ladle_hll *from)
{
    for (uint32_t i = 0; i < LADLE_HLL_M; i++)
        if (from->reg[i] > into->reg[i])
            into->reg[i] = from->reg[i];
}

double ladle_hll_estimate(const struct ladle_hll *h)
{
    const double m = LADLE_HLL_M;
    double sum = 0.0;
    unsigned zeros = 0;
    for (uint32_t i = 0; i < LADLE_HLL_M; i++) {
        sum += ldexp(1.0, -h->reg[i]);
        zeros += h->reg[i] == 0;
    }
    double alpha = 0.7213 / (1.0 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros)
        e = m * log(m / zeros);
    return e;
}

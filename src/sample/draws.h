/*
 * draws.h -- counts drawn from a 64-bit hash: a uniform integer below m,
 * Binomial(e, 1/m) (split --balance-mode over, sample -n N --replace) and
 * Poisson(1) (--bootstrap). Pure functions of their inputs, so a record's
 * draw is the same in every thread, chunk and part.
 */
#ifndef LADLE_DRAWS_H
#define LADLE_DRAWS_H

#include <stdint.h>

#include "record/key.h"

/* A uniform integer in [0, m) from a 64-bit draw (multiply-shift, no modulo bias worth naming). */
static inline uint64_t ladle_below(uint64_t u, uint64_t m)
{
    return (uint64_t)(((unsigned __int128)u * m) >> 64);
}

/* Binomial(e, 1/m) by inversion from the splitmix64 stream seeded by *rng
 * (advanced: one step per piece of at most ~200 m trials); e when m <= 1. */
uint64_t ladle_binomial(uint64_t e, uint64_t m, uint64_t *rng);

/* Poisson(1) by inversion of u against the integer table floor(F(k) 2^64)
 * of its CDF F: P(k) is exact to 2^-64 for every k < 20, and 20 stands for
 * the tail beyond (probability < 2^-64). */
unsigned ladle_poisson1(uint64_t u);

/* A second draw keyed by a record key and a counter (a copy number, a
 * replicate), in a domain of the seed: the hash of both words. */
static inline uint64_t ladle_draw_pair(struct ladle_seed d, uint64_t key, uint64_t i)
{
    uint64_t id[2] = {htole64(key), htole64(i)};
    return ladle_seeded_hash(d, id, sizeof id);
}

#endif

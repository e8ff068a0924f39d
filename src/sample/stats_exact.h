/*
 * stats_exact.h -- the numeric summary `ladle stats --state` keeps, made
 * of parts that merge exactly, so that chained runs and merges print what
 * one run prints, byte for byte:
 *
 * - sums in a fixed-point superaccumulator spanning every double and
 *   every square of one (x = m 2^e with m a 53-bit integer, so x and
 *   m^2 2^2e are added as integers): addition is exact, hence associative;
 * - quantiles from a log-bucket histogram (DDSketch-like): bucket i holds
 *   the values with gamma^(i-1) < |x| <= gamma^i, gamma = 1.01/0.99, and is
 *   reported as 2 gamma^i / (gamma + 1), within 1 % of every value in it.
 *   Counts add, so merges are exact (KLL's compactions are not).
 */
#ifndef LADLE_STATS_EXACT_H
#define LADLE_STATS_EXACT_H

#include <stddef.h>
#include <stdint.h>

#include "sample/vmap.h"

#define LADLE_SUPERACC_LIMBS 140       /* 32 bits each: 2^-2272 .. 2^2208 */
#define LADLE_SUPERACC_MIN_EXP (-2272) /* below 2^-2252, the least square bit */
#define LADLE_LOGHIST_ALPHA 0.01       /* the relative error of a quantile */

struct ladle_superacc {
    int64_t limb[LADLE_SUPERACC_LIMBS]; /* value: sum limb[i] 2^(32 i + MIN_EXP) */
    uint32_t pending;                   /* adds since the last carry pass */
};

struct ladle_stats_exact {
    struct ladle_superacc sum, sumsq;
    struct ladle_vmap buckets; /* 5 bytes: sign (0 +, 1 -), int32 index LE -> uint64_t */
    uint64_t zeros;
};

void ladle_stats_exact_init(struct ladle_stats_exact *x);
void ladle_stats_exact_free(struct ladle_stats_exact *x);
/* Adds a finite value. 0, or -1 when out of memory. */
int ladle_stats_exact_add(struct ladle_stats_exact *x, double v);
/* Adds from into into. 0 or -1. */
int ladle_stats_exact_merge(struct ladle_stats_exact *into, const struct ladle_stats_exact *from);

void ladle_superacc_add(struct ladle_superacc *a, const struct ladle_superacc *b);
/* Carries: every limb but the last in [0, 2^32), one form per value. */
void ladle_superacc_normalize(struct ladle_superacc *a);
/* The value, rounded to the nearest double (normalizes a). */
double ladle_superacc_round(struct ladle_superacc *a);

/* Mean and sample variance from the exact sums of n values. */
double ladle_stats_exact_mean(const struct ladle_stats_exact *x, uint64_t n);
double ladle_stats_exact_var(const struct ladle_stats_exact *x, uint64_t n);
/* The nq quantiles qs[] of n values, clamped to [min, max]. 0, or -1
 * when out of memory. */
int ladle_stats_exact_quantiles(const struct ladle_stats_exact *x, uint64_t n, double min,
                                double max, const double *qs, size_t nq, double *out);

#endif

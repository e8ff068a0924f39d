/*
 * kll.h -- a KLL quantile sketch (Karnin, Lang, Liberty 2016, with the
 * lazy lowest-level compaction of Apache DataSketches): the quantiles of a
 * stream of doubles in O(k) memory, mergeable, so each worker thread keeps
 * its own and the partial sketches fold into one.
 *
 * Each level h holds items of weight 2^h; a full level is sorted and every
 * other item (from an offset chosen by a coin flip) moves up a level with
 * twice the weight. The coins come from a splitmix64 state seeded by the
 * caller (the run's seed): a given sequence of adds and merges gives the
 * same sketch every time. ladle stats adds every value on one thread in
 * input order (stats.c), so its quantiles do not depend on --threads or
 * --chunk-size.
 *
 * Bound: with k = LADLE_KLL_K, a quantile's rank is off by at most
 * LADLE_KLL_RANK_ERROR * n with 99 % confidence (DataSketches' measured
 * bound 2.296 / k^0.9723 for one quantile). Until the first compaction
 * (fewer than k values) the quantiles are exact.
 */
#ifndef LADLE_KLL_H
#define LADLE_KLL_H

#include <stddef.h>
#include <stdint.h>

/* 8192: the p99.9 of 200,000 latencies moved by 25 % between runs with
 * k = 2048 (rank within 0.14 %); 8192 costs no measurable time and at most
 * about 200 KiB per field and thread. */
#define LADLE_KLL_K 8192
#define LADLE_KLL_MIN_CAP 8
#define LADLE_KLL_MAX_LEVELS 56
/* 2.296 / 8192^0.9723 = 0.0003597..., rounded up. */
#define LADLE_KLL_RANK_ERROR 0.00036

struct ladle_kll_level {
    double *v; /* owns */
    size_t len, cap;
};

struct ladle_kll {
    uint64_t n;      /* values added, all merges together (the total weight) */
    uint64_t rng;    /* splitmix64 state: the compaction coins */
    unsigned levels; /* levels in use */
    int compacted;   /* 0 while every value is held as itself: exact quantiles */
    size_t size;     /* items held, all levels */
    struct ladle_kll_level level[LADLE_KLL_MAX_LEVELS];
};

void ladle_kll_init(struct ladle_kll *s, uint64_t seed);
void ladle_kll_free(struct ladle_kll *s);
/* Adds one value (not NaN). 0, or -1 when out of memory. */
int ladle_kll_add(struct ladle_kll *s, double v);
/* Folds from into into; from is left empty (and can be freed). 0 or -1. */
int ladle_kll_merge(struct ladle_kll *into, struct ladle_kll *from);
/* The q-quantiles (0 < q <= 1) of the values, nearest rank: the smallest
 * value whose rank (values <= it, estimated) reaches ceil(q * n). out[i]
 * for qs[i], in any order of qs. 0, or -1 when empty or out of memory. */
int ladle_kll_quantiles(const struct ladle_kll *s, const double *qs, size_t nq, double *out);

#endif

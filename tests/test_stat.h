/*
 * test_stat.h -- what the statistical tests share: a seeded PRNG
 * (splitmix64) and the chi-square distribution (regularized incomplete
 * gamma), so every tolerance is computed rather than typed in.
 */
#ifndef LADLE_TEST_STAT_H
#define LADLE_TEST_STAT_H

#include <stddef.h>
#include <stdint.h>

/* The next splitmix64 value of *state. */
uint64_t t_splitmix(uint64_t *state);
/* A value below n (n > 0) from *state's next splitmix64 value. */
size_t t_below(uint64_t *state, size_t n);
/* Regularized lower incomplete gamma P(a, x). */
double t_gamma_p(double a, double x);
/* P(chi2_k > x). */
double t_chi2_sf(double x, int k);
/* x with P(chi2_k <= x) = cdf (bisection). */
double t_chi2_quantile(double cdf, int k);

#endif

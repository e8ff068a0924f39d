/*
 * test_stat.c -- see test_stat.h.
 */
#include "test_stat.h"

#include <math.h>

uint64_t t_splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

size_t t_below(uint64_t *state, size_t n)
{
    return (size_t)(t_splitmix(state) % n);
}

/* Series below a + 1, continued fraction above (Numerical Recipes' split). */
double t_gamma_p(double a, double x)
{
    if (x <= 0)
        return 0;
    double lg = -x + a * log(x) - lgamma(a);
    if (x < a + 1) {
        double ap = a, sum = 1.0 / a, del = sum;
        for (int i = 0; i < 10000; i++) {
            ap += 1;
            del *= x / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * 1e-16)
                break;
        }
        return sum * exp(lg);
    }
    double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
    for (int i = 1; i < 10000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < 1e-300)
            d = 1e-300;
        c = b + an / c;
        if (fabs(c) < 1e-300)
            c = 1e-300;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return 1 - exp(lg) * h;
}

double t_chi2_sf(double x, int k)
{
    return 1 - t_gamma_p(k / 2.0, x / 2.0);
}

double t_chi2_quantile(double cdf, int k)
{
    double lo = 0, hi = 10.0 * k + 100;
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (t_gamma_p(k / 2.0, mid / 2.0) < cdf)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/*
 * stats_exact.c -- exact sums and a log-bucket histogram (see stats_exact.h).
 */
#include "sample/stats_exact.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LIMBS LADLE_SUPERACC_LIMBS
#define MIN_EXP LADLE_SUPERACC_MIN_EXP
/* Each add moves a limb by less than 2^34, so 2^28 adds fit an int64. */
#define CARRY_EVERY (1u << 28)

void ladle_superacc_normalize(struct ladle_superacc *a)
{
    for (int i = 0; i < LIMBS - 1; i++) {
        int64_t c = a->limb[i] >> 32; /* floor: the limb keeps [0, 2^32) */
        a->limb[i] -= (int64_t)((uint64_t)c << 32);
        a->limb[i + 1] += c;
    }
    a->pending = 0;
}

/* Adds (neg ? -1 : 1) v 2^e, for v < 2^107 and e >= MIN_EXP. */
static void add_scaled(struct ladle_superacc *a, unsigned __int128 v, int e, int neg)
{
    if (++a->pending >= CARRY_EVERY)
        ladle_superacc_normalize(a);
    int b = e - MIN_EXP, i = b / 32, s = b % 32;
    for (int k = 0; k < 4 && v; k++, v >>= 32) {
        uint64_t piece = (uint64_t)(v & 0xffffffffu) << s; /* < 2^63 */
        int64_t lo = (int64_t)(piece & 0xffffffffu), hi = (int64_t)(piece >> 32);
        if (i + k + 1 >= LIMBS)
            return; /* cannot happen: the range covers every square */
        a->limb[i + k] += neg ? -lo : lo;
        a->limb[i + k + 1] += neg ? -hi : hi;
    }
}

/* x = m 2^e, m a non-negative integer below 2^53. */
static void split(double x, uint64_t *m, int *e)
{
    int ex;
    double f = frexp(fabs(x), &ex);
    *m = (uint64_t)ldexp(f, 53);
    *e = ex - 53;
}

void ladle_superacc_add(struct ladle_superacc *a, const struct ladle_superacc *b)
{
    struct ladle_superacc t = *b;
    ladle_superacc_normalize(&t);
    ladle_superacc_normalize(a);
    for (int i = 0; i < LIMBS; i++)
        a->limb[i] += t.limb[i];
    ladle_superacc_normalize(a);
}

double ladle_superacc_round(struct ladle_superacc *a)
{
    ladle_superacc_normalize(a);
    struct ladle_superacc m = *a;
    int neg = m.limb[LIMBS - 1] < 0;
    if (neg) {
        for (int i = 0; i < LIMBS; i++)
            m.limb[i] = -m.limb[i];
        ladle_superacc_normalize(&m);
    }
    int t = LIMBS - 1;
    while (t >= 0 && m.limb[t] == 0)
        t--;
    if (t < 0)
        return 0.0;
    /* The top 96 bits, and below them a sticky bit: one correct rounding. */
    unsigned __int128 v = 0;
    for (int k = t; k > t - 3; k--)
        v = (v << 32) | (unsigned __int128)(uint64_t)(k >= 0 ? m.limb[k] : 0);
    int sticky = 0;
    for (int k = t - 3; k >= 0 && !sticky; k--)
        sticky = m.limb[k] != 0;
    if (sticky)
        v |= 1;
    double d = ldexp((double)v, MIN_EXP + 32 * (t - 2));
    return neg ? -d : d;
}

void ladle_stats_exact_init(struct ladle_stats_exact *x)
{
    memset(x, 0, sizeof *x);
    ladle_vmap_init(&x->buckets, sizeof(uint64_t));
}

void ladle_stats_exact_free(struct ladle_stats_exact *x)
{
    ladle_vmap_free(&x->buckets);
}

static double log_gamma(void)
{
    return log((1.0 + LADLE_LOGHIST_ALPHA) / (1.0 - LADLE_LOGHIST_ALPHA));
}

int ladle_stats_exact_add(struct ladle_stats_exact *x, double v)
{
    if (v == 0.0) {
        x->zeros++;
        return 0;
    }
    uint64_t m;
    int e;
    split(v, &m, &e);
    add_scaled(&x->sum, m, e, v < 0);
    add_scaled(&x->sumsq, (unsigned __int128)m * m, 2 * e, 0);
    int32_t idx = (int32_t)ceil(log(fabs(v)) / log_gamma());
    unsigned char key[5] = {v < 0, (unsigned char)idx, (unsigned char)((uint32_t)idx >> 8),
                            (unsigned char)((uint32_t)idx >> 16),
                            (unsigned char)((uint32_t)idx >> 24)};
    uint64_t *n = ladle_vmap_put(&x->buckets, (const char *)key, sizeof key, NULL);
    if (!n)
        return -1;
    ++*n;
    return 0;
}

struct add_ctx {
    struct ladle_vmap *into;
    int failed;
};

static void add_bucket(void *arg, const char *v, size_t len, void *payload)
{
    struct add_ctx *c = arg;
    uint64_t *n = ladle_vmap_put(c->into, v, len, NULL);
    if (!n)
        c->failed = 1;
    else
        *n += *(const uint64_t *)payload;
}

int ladle_stats_exact_merge(struct ladle_stats_exact *into, const struct ladle_stats_exact *from)
{
    ladle_superacc_add(&into->sum, &from->sum);
    ladle_superacc_add(&into->sumsq, &from->sumsq);
    into->zeros += from->zeros;
    struct add_ctx c = {&into->buckets, 0};
    ladle_vmap_each(&from->buckets, add_bucket, &c);
    return c.failed ? -1 : 0;
}

double ladle_stats_exact_mean(const struct ladle_stats_exact *x, uint64_t n)
{
    struct ladle_superacc s = x->sum;
    return n ? ladle_superacc_round(&s) / (double)n : 0.0;
}

/* (Q - S^2/n) / (n - 1), with Q and S each as a double and the rounding
 * error of that double (a double-double): the difference cancels when the
 * mean is large next to the spread. */
double ladle_stats_exact_var(const struct ladle_stats_exact *x, uint64_t n)
{
    if (n < 2)
        return 0.0;
    struct ladle_superacc s = x->sum, q = x->sumsq, r;
    double sh = ladle_superacc_round(&s), qh = ladle_superacc_round(&q);
    if (!isfinite(sh) || !isfinite(qh))
        return HUGE_VAL; /* the sums pass the largest double */
    r = s;
    struct ladle_superacc neg;
    memset(&neg, 0, sizeof neg);
    uint64_t m;
    int e;
    if (sh != 0.0) {
        split(sh, &m, &e);
        add_scaled(&neg, m, e, sh > 0);
        ladle_superacc_add(&r, &neg);
    }
    double sl = ladle_superacc_round(&r);
    r = q;
    memset(&neg, 0, sizeof neg);
    if (qh != 0.0) {
        split(qh, &m, &e);
        add_scaled(&neg, m, e, 1);
        ladle_superacc_add(&r, &neg);
    }
    double ql = ladle_superacc_round(&r), dn = (double)n;
    double p = sh * sh, pe = fma(sh, sh, -p) + 2.0 * sh * sl; /* S^2 */
    double q1 = p / dn, q2 = (fma(-q1, dn, p) + pe) / dn;     /* S^2 / n */
    double d = (qh - q1) + (ql - q2);
    return d > 0 ? d / (dn - 1.0) : 0.0;
}

struct bucket {
    double at; /* the bucket's value */
    uint64_t n;
};

struct list_ctx {
    struct bucket *v;
    size_t count;
};

static void list_bucket(void *arg, const char *v, size_t len, void *payload)
{
    (void)len;
    struct list_ctx *c = arg;
    const unsigned char *k = (const unsigned char *)v;
    int32_t idx = (int32_t)((uint32_t)k[1] | (uint32_t)k[2] << 8 | (uint32_t)k[3] << 16 |
                            (uint32_t)k[4] << 24);
    double g = (1.0 + LADLE_LOGHIST_ALPHA) / (1.0 - LADLE_LOGHIST_ALPHA);
    double at = 2.0 * exp((double)idx * log_gamma()) / (g + 1.0);
    c->v[c->count++] = (struct bucket){k[0] ? -at : at, *(const uint64_t *)payload};
}

static int cmp_bucket(const void *x, const void *y)
{
    const struct bucket *a = x, *b = y;
    return (a->at > b->at) - (a->at < b->at);
}

int ladle_stats_exact_quantiles(const struct ladle_stats_exact *x, uint64_t n, double min,
                                double max, const double *qs, size_t nq, double *out)
{
    struct list_ctx c = {malloc((x->buckets.count + 1) * sizeof *c.v), 0};
    if (!c.v)
        return -1;
    ladle_vmap_each(&x->buckets, list_bucket, &c);
    if (x->zeros)
        c.v[c.count++] = (struct bucket){0.0, x->zeros};
    qsort(c.v, c.count, sizeof *c.v, cmp_bucket);
    for (size_t i = 0; i < nq; i++) {
        /* nearest rank: the value of rank ceil(q n) (1-based), as its bucket gives it */
        double r = ceil(qs[i] * (double)n);
        uint64_t rank = r >= 1.0 ? (uint64_t)r - 1 : 0, below = 0;
        double at = max;
        for (size_t k = 0; k < c.count; k++) {
            below += c.v[k].n;
            if (below > rank) {
                at = c.v[k].at;
                break;
            }
        }
        out[i] = at < min ? min : at > max ? max : at;
    }
    free(c.v);
    return 0;
}

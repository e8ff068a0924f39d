/*
 * test_bootstrap.c -- `--bootstrap B` (LADLE_P_BOOTSTRAP), the Poisson
 * bootstrap's replicate columns, through the public API.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * The population: T = 3000 text records "R<i>"; each written record gains
 * B tab-separated counts.
 * 1. The law: with --rate 1 and B = 20, over 3 seeds, the 180,000 counts
 *    against Poisson(1) in classes 0, 1, 2, 3, >= 4: X2 (4 dof) below the
 *    p = 1e-4 point. Mean within 5 sd of 1 (sd 1/sqrt(n)) and the sample
 *    variance within 5 sd of 1 (Var((X-1)^2) = mu4 - 1 = 3 for Poisson(1)).
 * 2. Independence: the Pearson correlation of adjacent replicates (column
 *    b with b+1 of one record) and of adjacent records (record r with r+1,
 *    one column) is within 4.5/sqrt(pairs) of 0 (about p = 7e-6 each); the
 *    2x2 table of (count > 0) for adjacent replicates passes a chi-square
 *    test of independence (1 dof, p = 1e-4).
 * 3. Independence from inclusion: with --rate 0.3 the counts of the kept
 *    records still pass test 1's chi-square (a count tied to the key
 *    would shift among records whose key is small).
 * 4. Power: the chi-square rejects Poisson(1.2) counts (simulated, as many);
 *    the correlation and the 2x2 test reject a perfectly correlated pair
 *    (column b+1 a copy of column b).
 * 5. A pure function of the record: --rate 1, --every 1 and -n T (input
 *    order), threads 1 and 4, chunk sizes 7 and 4096, give byte-identical
 *    outputs; another seed gives other counts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_stat.h"
#include "test_util.h"

#define T_RECS 3000
#define B 20

static char *path;

enum { RATE, EVERY, BOTTOMK };

static void run(struct t_output *out, int design, double rate, uint64_t seed, unsigned threads,
                int64_t chunk)
{
    ladle_job *j = ladle_job_new();
    CHECK(j != NULL);
    if (design == RATE) {
        CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI) == LADLE_OK);
        CHECK(ladle_job_set_rate(j, rate) == LADLE_OK);
    } else if (design == EVERY) {
        CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_SYSTEMATIC) == LADLE_OK);
        CHECK(ladle_job_set(j, LADLE_P_EVERY, 1) == LADLE_OK);
    } else {
        CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BOTTOMK) == LADLE_OK);
        CHECK(ladle_job_set(j, LADLE_P_N, T_RECS) == LADLE_OK);
    }
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_BOOTSTRAP, B) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, threads) == LADLE_OK);
    if (chunk)
        CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, chunk) == LADLE_OK);
    CHECK(ladle_job_add_input(j, path) == LADLE_OK);
    t_run_job(j, out);
    CHECKF(out->status == LADLE_OK, "%s", out->error);
    ladle_job_free(j);
}

/* Reads "R<i>\tc1\t...\tcB" lines: counts[row * B + b]; the rows. */
static size_t parse(const struct t_output *out, unsigned char *counts, size_t max_rows)
{
    size_t rows = 0;
    for (const char *p = out->data, *end = out->data + out->len; p < end && rows < max_rows;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        CHECK(nl && *p == 'R');
        if (!nl)
            break;
        const char *q = p;
        for (int b = 0; b < B; b++) {
            q = memchr(q, '\t', (size_t)(nl - q));
            CHECK(q != NULL);
            if (!q)
                return rows;
            counts[rows * B + (size_t)b] = (unsigned char)strtoul(++q, NULL, 10);
        }
        CHECK(memchr(q, '\t', (size_t)(nl - q)) == NULL);
        rows++;
        p = nl + 1;
    }
    return rows;
}

static const double pois1[4] = {0.36787944117144233, 0.36787944117144233, 0.18393972058572117,
                                0.061313240195240391};

/* X2 (4 dof) of counts v[0..n) against Poisson(1) in classes 0, 1, 2, 3, >= 4. */
static double poisson_x2(const unsigned char *v, size_t n)
{
    double obs[5] = {0}, x2 = 0, rest = 1;
    for (size_t i = 0; i < n; i++)
        obs[v[i] < 4 ? v[i] : 4]++;
    for (int k = 0; k < 5; k++) {
        double p = k < 4 ? pois1[k] : rest;
        if (k < 4)
            rest -= p;
        double e = (double)n * p;
        x2 += (obs[k] - e) * (obs[k] - e) / e;
    }
    return x2;
}

/* Pearson correlation of the pairs (a[i*sa], b[i*sb]), i < n. */
static double corr(const unsigned char *a, const unsigned char *b, size_t stride, size_t n)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double x = a[i * stride], y = b[i * stride];
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    double dn = (double)n, cov = sxy / dn - sx / dn * sy / dn;
    return cov / sqrt((sxx / dn - sx / dn * sx / dn) * (syy / dn - sy / dn * sy / dn));
}

/* Chi-square (1 dof) of the 2x2 table of (a > 0, b > 0). */
static double table_x2(const unsigned char *a, const unsigned char *b, size_t stride, size_t n)
{
    double c[2][2] = {{0}};
    for (size_t i = 0; i < n; i++)
        c[a[i * stride] > 0][b[i * stride] > 0]++;
    double r0 = c[0][0] + c[0][1], r1 = c[1][0] + c[1][1];
    double k0 = c[0][0] + c[1][0], k1 = c[0][1] + c[1][1], x2 = 0, dn = (double)n;
    double e[2][2] = {{r0 * k0 / dn, r0 * k1 / dn}, {r1 * k0 / dn, r1 * k1 / dn}};
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 2; k++)
            x2 += (c[i][k] - e[i][k]) * (c[i][k] - e[i][k]) / e[i][k];
    return x2;
}

static void independence(const unsigned char *v, size_t rows, const char *what)
{
    double lim1 = t_chi2_quantile(1 - 1e-4, 1);
    for (int b = 0; b + 1 < B; b += 6) { /* adjacent replicates */
        double r = corr(v + b, v + b + 1, B, rows), x2 = table_x2(v + b, v + b + 1, B, rows);
        CHECKF(fabs(r) < 4.5 / sqrt((double)rows), "%s: corr(rep%d, rep%d) = %.4f", what, b + 1,
               b + 2, r);
        CHECKF(x2 < lim1, "%s: 2x2 (rep%d, rep%d) X2 %.2f", what, b + 1, b + 2, x2);
    }
    for (int b = 0; b < B; b += 7) { /* adjacent records */
        double r = corr(v + b, v + B + b, B, rows - 1);
        CHECKF(fabs(r) < 4.5 / sqrt((double)rows - 1), "%s: corr(record r, r+1) rep%d = %.4f", what,
               b + 1, r);
    }
}

static void law(void)
{
    size_t cap = 3 * T_RECS;
    unsigned char *v = malloc(cap * B);
    size_t rows = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct t_output out;
        run(&out, RATE, 1.0, seed, 2, 0);
        size_t got = parse(&out, v + rows * B, cap - rows);
        CHECK(got == T_RECS);
        independence(v + rows * B, got, "rate 1");
        rows += got;
        t_output_free(&out);
    }
    size_t n = rows * B;
    double x2 = poisson_x2(v, n), lim = t_chi2_quantile(1 - 1e-4, 4), sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    double var = ss / (double)(n - 1);
    CHECKF(x2 < lim, "Poisson(1) X2 %.2f >= %.2f", x2, lim);
    CHECKF(fabs(mean - 1) < 5 / sqrt((double)n), "mean %.5f", mean);
    CHECKF(fabs(var - 1) < 5 * sqrt(3.0 / (double)n), "variance %.5f", var);
    printf("%zu counts: X2 %.2f (limit %.2f), mean %.5f, variance %.5f\n", n, x2, lim, mean, var);

    /* Power: Poisson(1.2) counts, as many; a perfectly correlated pair. */
    uint64_t rng = 0xB007;
    unsigned char *w = malloc(n);
    for (size_t i = 0; i < n; i++) {
        double u = (double)(t_splitmix(&rng) >> 11) * 0x1p-53, p = exp(-1.2), c = p;
        unsigned k = 0;
        while (u > c && k < 30) {
            p *= 1.2 / ++k;
            c += p;
        }
        w[i] = (unsigned char)k;
    }
    double w2 = poisson_x2(w, n);
    CHECKF(w2 >= lim, "Poisson(1.2) not rejected: X2 %.2f", w2);
    for (size_t r = 0; r < rows; r++)
        v[r * B + 1] = v[r * B];
    double rc = corr(v, v + 1, B, rows), tc = table_x2(v, v + 1, B, rows);
    CHECKF(fabs(rc) >= 4.5 / sqrt((double)rows), "a copied column not rejected: r %.3f", rc);
    CHECKF(tc >= t_chi2_quantile(1 - 1e-4, 1), "a copied column not rejected: 2x2 %.1f", tc);
    printf("power: Poisson(1.2) X2 %.1f, copied column r %.3f and 2x2 X2 %.1f\n", w2, rc, tc);
    free(w);
    free(v);
}

static void inclusion(void)
{
    unsigned char *v = malloc((size_t)T_RECS * B);
    struct t_output out;
    run(&out, RATE, 0.3, 11, 2, 0);
    size_t rows = parse(&out, v, T_RECS);
    CHECK(rows > 700 && rows < 1100);
    double x2 = poisson_x2(v, rows * B), lim = t_chi2_quantile(1 - 1e-4, 4);
    CHECKF(x2 < lim, "kept records at rate 0.3: X2 %.2f >= %.2f", x2, lim);
    independence(v, rows, "rate 0.3");
    t_output_free(&out);
    free(v);
}

static void pure(void)
{
    struct t_output ref, other;
    run(&ref, RATE, 1.0, 5, 1, 0);
    run(&other, RATE, 1.0, 6, 1, 0);
    CHECK(ref.len && (other.len != ref.len || memcmp(other.data, ref.data, ref.len) != 0));
    t_output_free(&other);
    static const int designs[] = {RATE, EVERY, BOTTOMK};
    for (int d = 0; d < 3; d++)
        for (unsigned th = 1; th <= 4; th += 3)
            for (int64_t chunk = 7; chunk <= 4096; chunk += 4089) {
                struct t_output o;
                run(&o, designs[d], 1.0, 5, th, chunk);
                CHECKF(o.len == ref.len && memcmp(o.data, ref.data, o.len) == 0,
                       "design %d, threads %u, chunk %lld differ", d, th, (long long)chunk);
                t_output_free(&o);
            }
    t_output_free(&ref);
}

int main(void)
{
    char *buf = malloc((size_t)T_RECS * 8);
    size_t len = 0;
    for (int i = 0; i < T_RECS; i++)
        len += (size_t)sprintf(buf + len, "R%d\n", i);
    path = t_write_file("recs.txt", buf, len);
    free(buf);
    law();
    inclusion();
    pure();
    free(path);
    return t_done("test_bootstrap");
}

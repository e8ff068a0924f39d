/*
 * test_replace.c -- `-n N --replace` (LADLE_P_REPLACE with BOTTOMK, which
 * becomes LADLE_DESIGN_REPLACE) through the public API.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * The population: T = 50 distinct records over two inputs (30 + 20), so
 * the global index crosses a file boundary. For N draws the multiplicities
 * (x_1..x_T) must be Multinomial(N; 1/T, ..., 1/T).
 * 1. Size: every run writes exactly N records (N = 100 > T and N = 25 < T,
 *    200 seeds each), only records of the input.
 * 2. Per-record totals: summed over S independent seeds the totals are
 *    Multinomial(S N; 1/T, ...) exactly, so X2 = sum (c_r - SN/T)^2/(SN/T)
 *    is chi-square with T - 1 dof (expected 400 and 100 per cell); it must
 *    lie below the p = 1e-4 point.
 * 3. The law of one multiplicity: the histogram of x over every (seed,
 *    record) pair against Binomial(N, 1/T), classes 0, 1, ... with the tail
 *    pooled so that every class expects at least 5; X2 below the p = 1e-4
 *    point. (Counts of one seed are multinomial, slightly negatively
 *    dependent: the statistic is then a little conservative.)
 *    Power: the same statistic rejects counts drawn from Binomial(N, 1.3/T)
 *    (simulated, same number of cells) and the multiplicities of a sample
 *    without replacement (-n 25 without --replace: every x is 0 or 1).
 * 4. Determinism: byte-identical output for threads 1..4 and chunk sizes
 *    {1, 7, 4096}, with and without --shuffle; --shuffle writes the same
 *    multiset as input order.
 * 5. No records (an empty input) with N > 0: an empty output, status OK.
 * Under LADLE_TEST_SCALE=smoke (sanitizer builds): 3 seeds in 1.-3., threads
 * {1, 4} in 4.; the size checks run, the chi-square checks and their power
 * are skipped.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_stat.h"
#include "test_util.h"

#define T_RECS 50
#define SEEDS 200

static char *paths[2];

static void make_inputs(void)
{
    char buf[2048];
    size_t len = 0;
    for (int i = 0; i < 30; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "R%d\n", i);
    paths[0] = t_write_file("a.txt", buf, len);
    len = 0;
    for (int i = 30; i < T_RECS; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "R%d\n", i);
    paths[1] = t_write_file("b.txt", buf, len);
}

static void run(struct t_output *out, uint64_t n, uint64_t seed, int replace, unsigned threads,
                int64_t chunk, int shuffle, char *const *in, int nin)
{
    ladle_job *j = ladle_job_new();
    CHECK(j != NULL);
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BOTTOMK) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_N, (int64_t)n) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_REPLACE, replace) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, threads) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SHUFFLE, shuffle) == LADLE_OK);
    if (chunk)
        CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, chunk) == LADLE_OK);
    for (int i = 0; i < nin; i++)
        CHECK(ladle_job_add_input(j, in[i]) == LADLE_OK);
    t_run_job(j, out);
    ladle_job_free(j);
}

/* Multiplicities of "R<i>" lines into x[0..T); -1 on a stray line, else the lines. */
static long tally(const struct t_output *out, unsigned *x)
{
    memset(x, 0, T_RECS * sizeof *x);
    long lines = 0;
    for (const char *p = out->data, *end = out->data + out->len; p < end; lines++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || *p != 'R')
            return -1;
        long i = strtol(p + 1, NULL, 10);
        if (i < 0 || i >= T_RECS)
            return -1;
        x[i]++;
        p = nl + 1;
    }
    return lines;
}

/* X2 of a histogram (hist[k]: cells with x = k, k < kmax; hist[kmax]: x >=
 * kmax) against Binomial(n, p) over `cells` cells, the tail pooled so each
 * class expects >= 5; *dof set. */
static double binomial_x2(const double *hist, unsigned kmax, uint64_t n, double p, double cells,
                          int *dof)
{
    double x2 = 0, pmf = pow(1 - p, (double)n), cdf = 0, obs_tail = 0;
    for (unsigned k = 0; k <= kmax; k++)
        obs_tail += hist[k];
    *dof = 0;
    for (unsigned k = 0; k < kmax; k++) {
        double e = cells * pmf;
        if (e < 5 || cells * (1 - cdf - pmf) < 5)
            break;
        x2 += (hist[k] - e) * (hist[k] - e) / e;
        obs_tail -= hist[k];
        cdf += pmf;
        pmf *= (double)(n - k) / (double)(k + 1) * p / (1 - p);
        (*dof)++;
    }
    double e = cells * (1 - cdf);
    x2 += (obs_tail - e) * (obs_tail - e) / e;
    return x2; /* (dof classes tested + the tail) - 1 = dof */
}

#define KMAX 40

static void law(uint64_t n)
{
    static unsigned x[T_RECS];
    double hist[KMAX + 1] = {0}, totals[T_RECS] = {0};
    const uint64_t seeds = t_reps(SEEDS, 3);
    for (uint64_t s = 0; s < seeds; s++) {
        struct t_output out;
        run(&out, n, 1000 + s, 1, 2, 0, 0, paths, 2);
        long lines = tally(&out, x);
        CHECKF(out.status == LADLE_OK && lines == (long)n, "seed %llu: %ld lines, status %d",
               (unsigned long long)s, lines, (int)out.status);
        t_output_free(&out);
        for (int r = 0; r < T_RECS; r++) {
            hist[x[r] < KMAX ? x[r] : KMAX]++;
            totals[r] += x[r];
        }
    }
    double e = (double)seeds * (double)n / T_RECS, x2 = 0;
    for (int r = 0; r < T_RECS; r++)
        x2 += (totals[r] - e) * (totals[r] - e) / e;
    double lim = t_chi2_quantile(1 - 1e-4, T_RECS - 1);
    CHECK_STAT(x2 < lim, "N=%llu: per-record totals X2 %.1f >= %.1f", (unsigned long long)n, x2,
               lim);
    int dof;
    double h2 = binomial_x2(hist, KMAX, n, 1.0 / T_RECS, (double)(seeds * T_RECS), &dof);
    double hlim = t_chi2_quantile(1 - 1e-4, dof);
    CHECK_STAT(dof >= 2 && h2 < hlim, "N=%llu: multiplicity histogram X2 %.1f >= %.1f (%d dof)",
               (unsigned long long)n, h2, hlim, dof);
    printf("N=%llu: totals X2 %.1f (limit %.1f), histogram X2 %.1f (limit %.1f, %d dof)\n",
           (unsigned long long)n, x2, lim, h2, hlim, dof);

    /* Power 1: Binomial(N, 1.3/T) counts, as many cells. */
    uint64_t rng = 0xB1A5 + n;
    double wrong[KMAX + 1] = {0};
    for (uint64_t c = 0; c < seeds * T_RECS; c++) {
        unsigned k = 0;
        for (uint64_t t = 0; t < n; t++)
            k += (double)(t_splitmix(&rng) >> 11) * 0x1p-53 < 1.3 / T_RECS;
        wrong[k < KMAX ? k : KMAX]++;
    }
    double w2 = binomial_x2(wrong, KMAX, n, 1.0 / T_RECS, (double)(seeds * T_RECS), &dof);
    CHECK_STAT(w2 >= t_chi2_quantile(1 - 1e-4, dof),
               "N=%llu: Binomial(N, 1.3/T) not rejected: %.1f", (unsigned long long)n, w2);
    printf("N=%llu: power: Binomial(N, 1.3/T) X2 %.1f\n", (unsigned long long)n, w2);
}

/* Power 2: a sample without replacement fails the same histogram test. */
static void without_replacement(uint64_t n)
{
    static unsigned x[T_RECS];
    double hist[KMAX + 1] = {0};
    const uint64_t seeds = t_reps(SEEDS, 3);
    for (uint64_t s = 0; s < seeds; s++) {
        struct t_output out;
        run(&out, n, 1000 + s, 0, 2, 0, 0, paths, 2);
        CHECK(tally(&out, x) == (long)n);
        t_output_free(&out);
        for (int r = 0; r < T_RECS; r++)
            hist[x[r] < KMAX ? x[r] : KMAX]++;
    }
    int dof;
    double h2 = binomial_x2(hist, KMAX, n, 1.0 / T_RECS, (double)(seeds * T_RECS), &dof);
    CHECK_STAT(h2 >= t_chi2_quantile(1 - 1e-4, dof), "without replacement not rejected: X2 %.1f",
               h2);
    printf("N=%llu: power: without replacement X2 %.1f\n", (unsigned long long)n, h2);
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of out, sorted, joined: the multiset. */
static char *multiset(const struct t_output *out)
{
    char *copy = malloc(out->len + 1), **v = malloc((out->len + 1) * sizeof *v);
    size_t n = 0;
    memcpy(copy, out->data, out->len);
    copy[out->len] = '\0';
    for (char *p = strtok(copy, "\n"); p; p = strtok(NULL, "\n"))
        v[n++] = p;
    qsort(v, n, sizeof *v, cmp_line);
    char *joined = malloc(out->len + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(v[i]);
        memcpy(joined + len, v[i], l);
        joined[len + l] = '\n';
        len += l + 1;
    }
    joined[len] = '\0';
    free(v);
    free(copy);
    return joined;
}

static void determinism(void)
{
    for (int shuffle = 0; shuffle <= 1; shuffle++) {
        struct t_output ref;
        run(&ref, 300, 7, 1, 1, 0, shuffle, paths, 2);
        CHECK(ref.status == LADLE_OK && t_count_lines(&ref) == 300);
        static const int64_t chunks[] = {1, 7, 4096};
        /* Smoke: threads 1 and 4. */
        for (unsigned th = 1; th <= 4; th += t_threads_step(4))
            for (int c = 0; c < 3; c++) {
                struct t_output o;
                run(&o, 300, 7, 1, th, chunks[c], shuffle, paths, 2);
                CHECKF(o.len == ref.len && memcmp(o.data, ref.data, o.len) == 0,
                       "shuffle %d, threads %u, chunk %lld differ", shuffle, th,
                       (long long)chunks[c]);
                t_output_free(&o);
            }
        if (shuffle) {
            struct t_output plain;
            run(&plain, 300, 7, 1, 1, 0, 0, paths, 2);
            char *a = multiset(&plain), *b = multiset(&ref);
            CHECK(strcmp(a, b) == 0);
            CHECK(plain.len != ref.len || memcmp(plain.data, ref.data, ref.len) != 0);
            free(a);
            free(b);
            t_output_free(&plain);
        }
        t_output_free(&ref);
    }
}

static void empty(void)
{
    char *e = t_write_file("empty.txt", "", 0);
    struct t_output out;
    run(&out, 10, 1, 1, 2, 0, 0, &e, 1);
    CHECK(out.status == LADLE_OK && out.len == 0);
    t_output_free(&out);
    free(e);
}

int main(void)
{
    make_inputs();
    law(100);
    law(25);
    without_replacement(25);
    determinism();
    empty();
    free(paths[0]);
    free(paths[1]);
    return t_done("test_replace");
}

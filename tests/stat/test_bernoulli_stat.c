/*
 * test_bernoulli_stat.c -- `--rate P` (LADLE_DESIGN_BERNOULLI) through the
 * public API.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * 1. Exactness: the kept records are exactly those with
 *    ladle_record_key(seed, source id, offset) < floor(P * 2^64), written in
 *    input order: a subsequence of the input.
 * 2. Counts: over N = 200,000 records, for P in {0.001, 0.01, 0.3} and 5
 *    seeds, the kept count k satisfies |k - NP| <= 5 sqrt(NP(1-P)). By the
 *    normal approximation (and for NP = 200, by the Chernoff bound, which
 *    gives P(|k - NP| > 5 sd) < 2 exp(-25/(2 + 2*5/(3 sd))) < 1e-4), a
 *    correct sampler fails one of these 15 checks with probability < 2e-3
 *    for random seeds; the seeds are fixed, so the test is deterministic.
 *    Power: the same bound must reject the count if the rate were 2P
 *    (checked: k is then > 7 sd away).
 * 3. Uniformity over positions: a file of 50 records, P = 0.2, 200 seeds.
 *    Each position's inclusion count is Binomial(200, 0.2) and must lie in
 *    the exact two-sided binomial acceptance interval at level 1e-4 (so all
 *    50 pass with probability >= 0.995), and the 50 counts together must
 *    pass a chi-square test (50 dof: the positions are independent),
 *    two-sided at p = 1e-4 per tail (21.01 < X2 < 95.97, computed below
 *    from the regularized gamma function and checked against the table
 *    values). Power: the interval rejects a position that is never kept or
 *    kept at rate 0.35; the chi-square rejects a selector keeping the first
 *    10 positions always, and one keeping every position exactly 40 times
 *    (X2 = 0: what a low-discrepancy, non-random key would give).
 * 4. Determinism: byte-identical output for threads 1..4 and chunk sizes
 *    {1, 7, 4096, 1 MiB}, two inputs (plain and zstd), with and without
 *    shuffle; shuffled output is the kept records in key order.
 * Under LADLE_TEST_SCALE=smoke (sanitizer builds): 1 seed per rate in 2, 3
 * seeds in 3, threads {1, 4} x chunks {7, 4096, 1 MiB} in 4; the count,
 * interval and chi-square checks on the runs are skipped; the exact ones run
 * (and the intervals' and critical values' arithmetic).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "record/key.h"
#include "test_stat.h"
#include "test_util.h"

static uint64_t rng_state = 555;

static uint64_t rnd(void)
{
    return t_splitmix(&rng_state);
}

/* ---- statistics helpers ---- */

/* P(Binomial(n, p) = k), in logs for stability. */
static double binom_pmf(int n, double p, int k)
{
    return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(p) +
               (n - k) * log1p(-p));
}

/* Exact two-sided acceptance interval [lo, hi] for Binomial(n, p) at level
 * alpha: P(X < lo) <= alpha/2 and P(X > hi) <= alpha/2. */
static void binom_interval(int n, double p, double alpha, int *lo, int *hi)
{
    double tail = 0;
    int k = 0;
    while (k <= n && tail + binom_pmf(n, p, k) <= alpha / 2)
        tail += binom_pmf(n, p, k++);
    *lo = k;
    tail = 0;
    k = n;
    while (k >= 0 && tail + binom_pmf(n, p, k) <= alpha / 2)
        tail += binom_pmf(n, p, k--);
    *hi = k;
}

/* ---- inputs ---- */

/* Unique records of varied length; "R<index> ..." so lines can be told apart. */
static void make_text(struct t_text *t, size_t n, int messy)
{
    memset(t, 0, sizeof *t);
    char line[128];
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(line, sizeof line, "R%zu ", i);
        size_t pad = (size_t)(rnd() % 40);
        for (size_t k = 0; k < pad; k++)
            line[len++] = (char)('a' + (i + k) % 26);
        if (messy && i % 7 == 3)
            line[len++] = '\r';
        line[len++] = '\n';
        if (messy && i == n - 1)
            len--; /* last line without newline */
        t_text_add(t, line, (size_t)len);
        if (messy && i % 11 == 5)
            t_text_add(t, "\n", 1); /* an empty record */
    }
    t_text_index(t);
}

/* The exact expected sample: records with key < threshold, in input order
 * (shuffle: in key order). */
static char *expected_sample(const struct t_text *const *ins, char *const *paths, size_t nin,
                             uint64_t seed, double rate, int shuffle, size_t *len, uint64_t *count)
{
    uint64_t thr = ladle_rate_threshold(rate);
    int all = rate >= 1.0;
    size_t cap = 0;
    for (size_t i = 0; i < nin; i++)
        cap += ins[i]->nrecs;
    struct pick {
        uint64_t key;
        uint32_t input;
        size_t rec;
    } *v = malloc((cap + 1) * sizeof *v);
    size_t n = 0, bytes = 0;
    for (uint32_t i = 0; i < nin; i++)
        for (size_t r = 0; r < ins[i]->nrecs; r++) {
            uint64_t src = t_text_source_id(ins[i], paths[i]);
            uint64_t key = ladle_record_key(seed, src, ins[i]->offs[r]);
            if (all || key < thr) {
                v[n++] = (struct pick){key, i, r};
                bytes += t_text_rec_len(ins[i], r) + 1;
            }
        }
    if (shuffle) /* insertion sort by (key, input, rec): samples here are small */
        for (size_t a = 1; a < n; a++)
            for (size_t b = a; b > 0; b--) {
                struct pick *x = &v[b - 1], *y = &v[b];
                if (x->key < y->key || (x->key == y->key && x->input < y->input))
                    break;
                struct pick t = *x;
                *x = *y;
                *y = t;
            }
    char *out = malloc(bytes + 1);
    size_t pos = 0;
    for (size_t k = 0; k < n; k++) {
        const struct t_text *t = ins[v[k].input];
        size_t l = t_text_rec_len(t, v[k].rec);
        memcpy(out + pos, t->p + t->offs[v[k].rec], l);
        pos += l;
        if (out[pos - 1] != '\n')
            out[pos++] = '\n';
    }
    free(v);
    *len = pos;
    *count = n;
    return out;
}

/* ---- jobs ---- */

static void run_rate(char *const *paths, size_t npaths, double rate, uint64_t seed,
                     unsigned threads, int64_t chunk, int shuffle, struct t_output *out)
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI) == LADLE_OK);
    CHECK(ladle_job_set_rate(j, rate) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, threads) == LADLE_OK);
    if (chunk)
        CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, chunk) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SHUFFLE, shuffle) == LADLE_OK);
    for (size_t i = 0; i < npaths; i++)
        CHECK(ladle_job_add_input(j, paths[i]) == LADLE_OK);
    t_run_job(j, out);
    ladle_job_free(j);
    CHECKF(out->status == LADLE_OK, "job: %s", out->error);
}

/* Record indices of the output lines ("R<index> ..."), checked increasing. */
static int output_is_subsequence(const struct t_output *out)
{
    long prev = -1;
    const char *p = out->data, *end = out->data + out->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return 0;
        if (*p == 'R') {
            long idx = strtol(p + 1, NULL, 10);
            if (idx <= prev)
                return 0;
            prev = idx;
        }
        p = nl + 1;
    }
    return 1;
}

/* ---- the tests ---- */

static void test_counts(void)
{
    const size_t N = 200000;
    struct t_text t;
    make_text(&t, N, 0);
    char *path = t_write_file("big.log", t.p, t.len);
    const struct t_text *ins[] = {&t};
    static const double rates[] = {0.001, 0.01, 0.3};
    for (size_t r = 0; r < 3; r++)
        for (uint64_t seed = 1; seed <= t_reps(5, 1); seed++) {
            double p = rates[r];
            struct t_output out;
            run_rate(&path, 1, p, seed, 2, 0, 0, &out);
            double k = (double)out.report.records_out;
            double mean = (double)N * p, sd = sqrt((double)N * p * (1 - p));
            CHECK_STAT(fabs(k - mean) <= 5 * sd, "rate %g seed %llu: kept %.0f, want %.0f +- %.1f",
                       p, (unsigned long long)seed, k, mean, 5 * sd);
            /* Power: the bound rejects the count under a wrong rate. */
            double p2 = 2 * p, mean2 = (double)N * p2, sd2 = sqrt((double)N * p2 * (1 - p2));
            CHECK_STAT(fabs(k - mean2) > 5 * sd2, "rate %g: the bound cannot tell %g from %g", p, p,
                       p2);
            CHECK(t_count_lines(&out) == out.report.records_out);
            CHECK(out.report.records_in == N);
            /* Exactly the records below the threshold, in input order. */
            size_t wlen;
            uint64_t wcount;
            char *want = expected_sample(ins, &path, 1, seed, p, 0, &wlen, &wcount);
            CHECKF(out.len == wlen && memcmp(out.data, want, wlen) == 0,
                   "rate %g seed %llu: not the records with key < floor(P * 2^64)", p,
                   (unsigned long long)seed);
            CHECK(output_is_subsequence(&out));
            free(want);
            t_output_free(&out);
        }
    /* The two extremes. */
    struct t_output out;
    run_rate(&path, 1, 0.0, 9, 2, 0, 0, &out);
    CHECK(out.len == 0 && out.report.records_out == 0 && out.report.records_in == N);
    t_output_free(&out);
    run_rate(&path, 1, 1.0, 9, 2, 0, 0, &out);
    CHECK(out.len == t.len && memcmp(out.data, t.p, t.len) == 0);
    t_output_free(&out);
    free(path);
    free(t.p);
    free(t.offs);
}

static void test_positions(void)
{
    enum { NREC = 50, SEEDS = 200 };
    const double p = 0.2, alpha = 1e-4;
    struct t_text t;
    make_text(&t, NREC, 0);
    char *path = t_write_file("small.log", t.p, t.len);
    int counts[NREC] = {0};
    long total = 0;
    /* The runs; SEEDS stays the design the intervals are computed for. */
    const int runs = (int)t_reps(SEEDS, 3);
    for (uint64_t seed = 0; seed < (uint64_t)runs; seed++) {
        struct t_output out;
        run_rate(&path, 1, p, 1000 + seed, 2, 0, 0, &out);
        CHECK(output_is_subsequence(&out));
        const char *q = out.data, *end = out.data + out.len;
        while (q < end) {
            long idx = strtol(q + 1, NULL, 10);
            if (idx >= 0 && idx < NREC)
                counts[idx]++;
            total++;
            q = memchr(q, '\n', (size_t)(end - q)) + 1;
        }
        t_output_free(&out);
    }
    int lo, hi;
    binom_interval(SEEDS, p, alpha, &lo, &hi);
    CHECKF(lo > 10 && hi < 70 && lo < SEEDS * p && hi > SEEDS * p, "interval [%d, %d]", lo, hi);
    /* Power of the per-position interval. */
    CHECK(0 < lo);            /* a position never kept is rejected */
    CHECK(SEEDS * 0.35 > hi); /* a position kept at 0.35 is rejected */
    double chi = 0, var = SEEDS * p * (1 - p), rvar = runs * p * (1 - p);
    for (int i = 0; i < NREC; i++) {
        CHECK_STAT(counts[i] >= lo && counts[i] <= hi,
                   "position %d kept %d times of %d, want [%d, %d]", i, counts[i], runs, lo, hi);
        chi += (counts[i] - runs * p) * (counts[i] - runs * p) / rvar;
    }
    /* chi2(50): upper 1e-4 point 95.97, lower 1e-4 point 21.01 (tables);
     * check our computation agrees. Both tails: counts too even (a
     * low-discrepancy key instead of a random one) fail as well. */
    const double crit = 95.97, crit_lo = 21.01;
    double tail = t_chi2_sf(crit, NREC), tail_lo = t_gamma_p(NREC / 2.0, crit_lo / 2.0);
    CHECKF(tail > 0.99e-4 && tail < 1.01e-4, "t_chi2_sf(95.97, 50) = %g", tail);
    CHECKF(tail_lo > 0.99e-4 && tail_lo < 1.01e-4, "chi2_cdf(21.01, 50) = %g", tail_lo);
    fprintf(stderr,
            "positions: counts in [%d, %d] accepted; chi-square %.2f (accepted %.2f..%.2f)\n", lo,
            hi, chi, crit_lo, crit);
    CHECK_STAT(
        chi < crit && chi > crit_lo,
        "inclusion counts: chi-square %.2f outside (%.2f, %.2f) (50 dof, p = 1e-4 each tail)", chi,
        crit_lo, crit);
    /* Power: a selector keeping positions 0..9 every time. */
    double chi_bad = 0;
    for (int i = 0; i < NREC; i++) {
        double c = i < 10 ? SEEDS : 0;
        chi_bad += (c - SEEDS * p) * (c - SEEDS * p) / var;
    }
    CHECK(chi_bad > crit);
    /* ... and one keeping every position exactly 40 times (too even): X2 = 0. */
    double chi_even = 0;
    for (int i = 0; i < NREC; i++)
        chi_even += (40 - SEEDS * p) * (40 - SEEDS * p) / var;
    CHECK(chi_even < crit_lo);
    /* The total: Binomial(10000, 0.2). */
    double tm = (double)NREC * runs * p, tsd = sqrt((double)NREC * runs * p * (1 - p));
    CHECK_STAT(fabs((double)total - tm) <= 5 * tsd, "kept %ld records in all, want %.0f +- %.0f",
               total, tm, 5 * tsd);
    free(path);
    free(t.p);
    free(t.offs);
}

static void test_determinism(void)
{
    struct t_text a, b;
    make_text(&a, 1500, 1);
    make_text(&b, 700, 1);
    char *pa = t_write_file("det-a.log", a.p, a.len);
    /* The second input is zstd: records continue in input 1 at offset 0. */
    size_t cap = ZSTD_compressBound(b.len);
    char *zb = malloc(cap);
    size_t zlen = ZSTD_compress(zb, cap, b.p, b.len, 1);
    CHECK(!ZSTD_isError(zlen));
    char *pb = t_write_file("det-b.log", zb, zlen);
    free(zb);
    char *paths[] = {pa, pb};
    const struct t_text *ins[] = {&a, &b};
    static const int64_t chunks[] = {1, 7, 4096, 1 << 20};
    for (int shuffle = 0; shuffle <= 1; shuffle++) {
        size_t wlen;
        uint64_t wcount;
        char *want = expected_sample(ins, paths, 2, 4242, 0.3, shuffle, &wlen, &wcount);
        CHECK(wcount > 400 && wcount < 900);
        /* Smoke: threads 1 and 4, chunks from 7 (chunk 1 with 4 threads
         * takes seconds a run under TSan). */
        for (unsigned th = 1; th <= 4; th += t_threads_step(4))
            for (size_t c = t_reps(0, 1); c < 4; c++) {
                struct t_output out;
                run_rate(paths, 2, 0.3, 4242, th, chunks[c], shuffle, &out);
                CHECKF(out.len == wlen && memcmp(out.data, want, wlen) == 0,
                       "threads %u chunk %lld shuffle %d: output differs (%zu bytes, want %zu)", th,
                       (long long)chunks[c], shuffle, out.len, wlen);
                CHECK(out.report.records_out == wcount);
                CHECK(out.report.records_in == a.nrecs + b.nrecs);
                t_output_free(&out);
            }
        free(want);
    }
    free(pa);
    free(pb);
    free(a.p), free(a.offs), free(b.p), free(b.offs);
}

int main(void)
{
    test_counts();
    test_positions();
    test_determinism();
    return t_done("test_bernoulli_stat");
}

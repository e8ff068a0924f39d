/*
 * test_bottomk_stat.c -- `-n N` (LADLE_DESIGN_BOTTOMK) through the public
 * API.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * 1. Exact size and exact content: min(N, population) records, namely the
 *    N smallest (key, input, offset) with key = ladle_record_key(seed,
 *    input, offset), in input order; N below, at and above the population.
 *    N = 0 and N far above the population run in a child process so that
 *    a crash shows as a failed check.
 * 2. Uniformity: population 40, k = 10, 2000 seeds. With p = k/40, each
 *    position's inclusion count c_i has mean E = 2000 p and, since exactly
 *    k of 40 are drawn each time, covariance 2000 p(1-p) (40/39)(I - J/40).
 *    So X2 = sum (c_i - E)^2 / (2000 p (1-p) 40/39) is asymptotically
 *    chi-square with 39 dof (E = 500 per cell: the approximation is
 *    excellent). It must lie between the p = 1e-4 points of each tail,
 *    14.29 and 80.65 (computed here from the regularized gamma function
 *    and checked; the often quoted 80.1 is the p = 1.16e-4 point). Power:
 *    the same statistic for a selector that always takes the first k, and
 *    for one that favours one position (its key halved) -- computed with
 *    the same keys -- exceeds 80.65; a round-robin selector, as even as a
 *    low-discrepancy key would be, falls below 14.29. Every run is also checked exactly
 *    against the brute force, so the statistics test the keys (XXH3) as a
 *    random source, not the sampler's arithmetic.
 * 3. Determinism: byte-identical output for threads 1..4 and chunk sizes
 *    {1, 7, 4096, 1 MiB}, two inputs (the second gzip), with and without
 *    shuffle; the shuffled output is a permutation of the unshuffled one,
 *    in key order.
 * Under LADLE_TEST_SCALE=smoke (sanitizer builds): 1 seed per N in 1, 3 of
 * the 2000 seeds in 2 (the chi-square of the runs and the favoured
 * selector's power skipped), threads {1, 4} x chunks {7, 4096, 1 MiB} in 3;
 * the exact checks run.
 */
#include <isa-l/igzip_lib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/key.h"
#include "test_stat.h"
#include "test_util.h"

static uint64_t rng_state = 777;

static uint64_t rnd(void)
{
    return t_splitmix(&rng_state);
}

/* ---- inputs ---- */

/* Unique records "R<index> ..." of varied length; messy adds CRLF, empty
 * records and a last line without '\n'. */
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
            len--;
        t_text_add(t, line, (size_t)len);
        if (messy && i % 11 == 5)
            t_text_add(t, "\n", 1);
    }
    t_text_index(t);
}

struct pick {
    uint64_t key;
    uint32_t input;
    size_t rec;
    uint64_t off;
};

static int pick_key_cmp(const void *x, const void *y)
{
    const struct pick *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    return a->off < b->off ? -1 : a->off > b->off;
}

static int pick_id_cmp(const void *x, const void *y)
{
    const struct pick *a = x, *b = y;
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    return a->off < b->off ? -1 : a->off > b->off;
}

/* The brute force: the n smallest (key, input, offset), in input order or
 * key order. */
static char *expected_sample(const struct t_text *const *ins, char *const *paths, size_t nin,
                             uint64_t seed, uint64_t n, int shuffle, size_t *len, uint64_t *count)
{
    size_t total = 0;
    for (size_t i = 0; i < nin; i++)
        total += ins[i]->nrecs;
    struct pick *v = malloc((total + 1) * sizeof *v);
    size_t m = 0;
    for (uint32_t i = 0; i < nin; i++)
        for (size_t r = 0; r < ins[i]->nrecs; r++)
            v[m++] = (struct pick){
                ladle_record_key(seed, t_text_source_id(ins[i], paths[i]), ins[i]->offs[r]), i, r,
                ins[i]->offs[r]};
    qsort(v, m, sizeof *v, pick_key_cmp);
    size_t take = n < m ? (size_t)n : m;
    if (!shuffle)
        qsort(v, take, sizeof *v, pick_id_cmp);
    size_t bytes = 0;
    for (size_t k = 0; k < take; k++)
        bytes += t_text_rec_len(ins[v[k].input], v[k].rec) + 1;
    char *out = malloc(bytes + 1);
    size_t pos = 0;
    for (size_t k = 0; k < take; k++) {
        const struct t_text *t = ins[v[k].input];
        size_t l = t_text_rec_len(t, v[k].rec);
        memcpy(out + pos, t->p + t->offs[v[k].rec], l);
        pos += l;
        if (out[pos - 1] != '\n')
            out[pos++] = '\n';
    }
    free(v);
    *len = pos;
    *count = take;
    return out;
}

/* ---- jobs ---- */

static void run_n(char *const *paths, size_t npaths, int64_t n, uint64_t seed, unsigned threads,
                  int64_t chunk, int shuffle, struct t_output *out)
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BOTTOMK) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_N, n) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, threads) == LADLE_OK);
    if (chunk)
        CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, chunk) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SHUFFLE, shuffle) == LADLE_OK);
    for (size_t i = 0; i < npaths; i++)
        CHECK(ladle_job_add_input(j, paths[i]) == LADLE_OK);
    t_run_job(j, out);
    ladle_job_free(j);
}

static int same(const struct t_output *out, const char *want, size_t wlen)
{
    return out->status == LADLE_OK && out->len == wlen && memcmp(out->data, want, wlen) == 0;
}

/* ---- 1. exact size ---- */

static struct t_text pop;
static char *pop_path;

static void check_n(int64_t n, uint64_t seed)
{
    const struct t_text *ins[] = {&pop};
    size_t wlen;
    uint64_t wcount;
    char *want = expected_sample(ins, &pop_path, 1, seed, (uint64_t)n, 0, &wlen, &wcount);
    struct t_output out;
    run_n(&pop_path, 1, n, seed, 2, 0, 0, &out);
    CHECKF(out.status == LADLE_OK, "-n %lld: status %d: %s", (long long)n, out.status, out.error);
    CHECKF(out.report.records_out == wcount && t_count_lines(&out) == wcount,
           "-n %lld over %zu records: %llu written, want %llu", (long long)n, pop.nrecs,
           (unsigned long long)out.report.records_out, (unsigned long long)wcount);
    CHECKF(same(&out, want, wlen), "-n %lld seed %llu: not the n smallest keys in input order",
           (long long)n, (unsigned long long)seed);
    t_output_free(&out);
    free(want);
}

/* Runs check_n in a child: a crash or an abort there is a failed check. */
static void check_n_isolated(int64_t n)
{
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        t_failures = 0;
        check_n(n, 3);
        _exit(t_failures ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "-n %lld: child %s %d", (long long)n,
           WIFEXITED(status) ? "exited with" : "killed by signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static void test_exact_size(void)
{
    make_text(&pop, 1000, 1);
    pop_path = t_write_file("pop.log", pop.p, pop.len);
    const int64_t np = (int64_t)pop.nrecs; /* 1000 lines and some empty ones */
    const int64_t ns[] = {1, 2, 10, 500, np - 1, np, np + 1, 5000};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (uint64_t seed = 0; seed < t_reps(3, 1); seed++)
            check_n(ns[i], seed);
    /* Edge values of N, each in a child process. */
    check_n_isolated(0);
    check_n_isolated((int64_t)1 << 31); /* "everything": -n 2147483648 */
    check_n_isolated((int64_t)1 << 62);
}

/* ---- 2. uniformity ---- */

enum { NPOP = 40, K = 10, SEEDS = 2000 };

/* X2 of inclusion counts over runs draws of "exactly K of NPOP each time". */
static double chi2_stat(const long *counts, long runs)
{
    double p = (double)K / NPOP, e = (double)runs * p;
    double var = (double)runs * p * (1 - p) * NPOP / (NPOP - 1.0);
    double x = 0;
    for (int i = 0; i < NPOP; i++)
        x += ((double)counts[i] - e) * ((double)counts[i] - e) / var;
    return x;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static void test_uniform(void)
{
    const double crit = 80.65;    /* chi2(39) upper 1e-4 point */
    const double crit_lo = 14.29; /* chi2(39) lower 1e-4 point */
    double tail = t_chi2_sf(crit, NPOP - 1), tail_lo = t_gamma_p((NPOP - 1) / 2.0, crit_lo / 2.0);
    CHECKF(tail > 0.99e-4 && tail < 1.01e-4, "t_chi2_sf(80.65, 39) = %g", tail);
    CHECKF(tail_lo > 0.99e-4 && tail_lo < 1.01e-4, "chi2_cdf(14.29, 39) = %g", tail_lo);
    CHECK(t_chi2_sf(80.1, NPOP - 1) > 1.1e-4); /* 80.1 would be a p = 1.16e-4 test */

    struct t_text t;
    make_text(&t, NPOP, 0);
    char *path = t_write_file("forty.log", t.p, t.len);
    const struct t_text *ins[] = {&t};
    long counts[NPOP] = {0}, favoured[NPOP] = {0};
    int mismatches = 0;
    const long runs = (long)t_reps(SEEDS, 3);
    for (uint64_t s = 0; s < (uint64_t)runs; s++) {
        uint64_t seed = 0x5EED0000ULL + s;
        struct t_output out;
        run_n(&path, 1, K, seed, 1, 4096, 0, &out);
        size_t wlen;
        uint64_t wcount;
        char *want = expected_sample(ins, &path, 1, seed, K, 0, &wlen, &wcount);
        if (!same(&out, want, wlen) && mismatches++ < 3)
            CHECKF(0, "seed %llu: not the brute-force sample (%s)", (unsigned long long)seed,
                   out.error);
        free(want);
        CHECK(out.report.records_out == K);
        const char *q = out.data, *end = out.data + out.len;
        while (q < end) {
            long idx = strtol(q + 1, NULL, 10);
            if (idx >= 0 && idx < NPOP)
                counts[idx]++;
            q = memchr(q, '\n', (size_t)(end - q)) + 1;
        }
        t_output_free(&out);

        /* A biased selector with the same keys: position 0's key halved. */
        uint64_t keys[NPOP], sorted[NPOP], src = t_text_source_id(&t, path);
        for (int i = 0; i < NPOP; i++)
            keys[i] = sorted[i] = ladle_record_key(seed, src, t.offs[i]) >> (i == 0);
        qsort(sorted, NPOP, sizeof sorted[0], cmp_u64);
        for (int i = 0; i < NPOP; i++)
            favoured[i] += keys[i] <= sorted[K - 1];
    }
    long total = 0;
    for (int i = 0; i < NPOP; i++)
        total += counts[i];
    CHECK(total == (long)K * runs);
    double x = chi2_stat(counts, runs);
    fprintf(stderr, "uniformity: chi-square %.2f (39 dof, accepted %.2f..%.2f)\n", x, crit_lo,
            crit);
    CHECK_STAT(x < crit && x > crit_lo, "inclusion counts: chi-square %.2f outside (%.2f, %.2f)", x,
               crit_lo, crit);

    /* Power. */
    long first_k[NPOP] = {0};
    for (int i = 0; i < K; i++)
        first_k[i] = SEEDS;
    double x_first = chi2_stat(first_k, SEEDS), x_fav = chi2_stat(favoured, runs);
    fprintf(stderr, "power: first-k selector %.1f, favoured-position selector %.1f\n", x_first,
            x_fav);
    CHECK(x_first > crit);
    CHECK_STAT(x_fav > crit, "the favoured-position selector is not rejected");
    /* A round-robin selector (seed s takes positions 10s..10s+9 mod 40)
     * covers every position exactly 500 times: too even, X2 = 0. */
    long even[NPOP] = {0};
    for (int s = 0; s < SEEDS; s++)
        for (int i = 0; i < K; i++)
            even[(s * K + i) % NPOP]++;
    CHECK(chi2_stat(even, SEEDS) < crit_lo);
    free(path);
    free(t.p);
    free(t.offs);
}

/* ---- 3. determinism ---- */

static char *gzip_bytes(const char *src, size_t len, size_t *outlen)
{
    struct isal_zstream z;
    isal_deflate_init(&z);
    z.gzip_flag = IGZIP_GZIP;
    z.end_of_stream = 1;
    size_t cap = len + len / 2 + 4096;
    char *out = malloc(cap);
    z.next_in = (uint8_t *)(uintptr_t)src;
    z.avail_in = (uint32_t)len;
    z.next_out = (uint8_t *)out;
    z.avail_out = (uint32_t)cap;
    if (isal_deflate(&z) != COMP_OK || z.internal_state.state != ZSTATE_END)
        abort();
    *outlen = z.total_out;
    return out;
}

static int cmp_line(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Lines of out, sorted (for permutation checks); the buffer is modified. */
static char **sorted_lines(struct t_output *out, size_t *n)
{
    size_t count = t_count_lines(out), k = 0;
    char **v = malloc((count + 1) * sizeof *v);
    char *p = out->data, *end = out->data + out->len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        *nl = '\0';
        v[k++] = p;
        p = nl + 1;
    }
    qsort(v, k, sizeof *v, cmp_line);
    *n = k;
    return v;
}

static void test_determinism(void)
{
    struct t_text a, b;
    make_text(&a, 1500, 1);
    make_text(&b, 700, 1);
    char *pa = t_write_file("det-a.log", a.p, a.len);
    size_t glen;
    char *gz = gzip_bytes(b.p, b.len, &glen);
    char *pb = t_write_file("det-b.log", gz, glen);
    free(gz);
    char *paths[] = {pa, pb};
    const struct t_text *ins[] = {&a, &b};
    static const int64_t chunks[] = {1, 7, 4096, 1 << 20};
    const int64_t n = 300;
    struct t_output plain_ref, shuf_ref;
    memset(&plain_ref, 0, sizeof plain_ref);
    memset(&shuf_ref, 0, sizeof shuf_ref);
    for (int shuffle = 0; shuffle <= 1; shuffle++) {
        size_t wlen;
        uint64_t wcount;
        char *want = expected_sample(ins, paths, 2, 99, (uint64_t)n, shuffle, &wlen, &wcount);
        CHECK(wcount == (uint64_t)n);
        /* Smoke: threads 1 and 4, chunks from 7 (chunk 1 with 4 threads
         * takes seconds a run under TSan). */
        for (unsigned th = 1; th <= 4; th += t_threads_step(4))
            for (size_t c = t_reps(0, 1); c < 4; c++) {
                struct t_output out;
                run_n(paths, 2, n, 99, th, chunks[c], shuffle, &out);
                CHECKF(same(&out, want, wlen),
                       "threads %u chunk %lld shuffle %d: output differs (%zu bytes, want %zu): %s",
                       th, (long long)chunks[c], shuffle, out.len, wlen, out.error);
                CHECK(out.report.records_in == a.nrecs + b.nrecs);
                if (th == 1 && c == 2) /* a run of both scales */
                    *(shuffle ? &shuf_ref : &plain_ref) = out;
                else
                    t_output_free(&out);
            }
        free(want);
    }
    /* Shuffled: the same records, in another (key) order. */
    CHECK(plain_ref.len == shuf_ref.len);
    CHECK(plain_ref.len == 0 || memcmp(plain_ref.data, shuf_ref.data, plain_ref.len) != 0);
    size_t n1, n2;
    char **l1 = sorted_lines(&plain_ref, &n1), **l2 = sorted_lines(&shuf_ref, &n2);
    int perm = n1 == n2 && n1 == (size_t)n;
    for (size_t i = 0; perm && i < n1; i++)
        perm = strcmp(l1[i], l2[i]) == 0;
    CHECKF(perm, "shuffled output is not a permutation of the sample");
    free(l1);
    free(l2);
    t_output_free(&plain_ref);
    t_output_free(&shuf_ref);
    free(pa);
    free(pb);
    free(a.p), free(a.offs), free(b.p), free(b.offs);
}

int main(void)
{
    test_exact_size();
    test_uniform();
    test_determinism();
    free(pop.p);
    free(pop.offs);
    free(pop_path);
    return t_done("test_bottomk_stat");
}

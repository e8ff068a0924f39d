/*
 * test_systematic.c -- `--every K [--start S]` (LADLE_DESIGN_SYSTEMATIC)
 * through the public API.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * 1. Exactness: with --start S the sample is exactly the records whose
 *    global 0-based index g (counted across all inputs in argument order,
 *    indices continuing from one file to the next) has g >= S and
 *    (g - S) % K == 0, in input order. Checked byte for byte against an
 *    independent indexer on three inputs (CRLF lines, empty records, a
 *    last record without its '\n', and a variant with an empty middle
 *    input), for K in {1, 2, 3, 7, 10, 64, 1000} and every S (a spread of
 *    S for the large K); K above the population gives at most one record.
 *    --start >= --every and --every 0 are usage errors.
 * 2. The drawn start: without --start, S is a pure function of the seed,
 *    and it must be uniform on 0..K-1. K = 10 and 2000 seeds: the counts
 *    c_s of each start are multinomial(2000, 1/10), so
 *    X2 = sum (c_s - 200)^2 / 200 is chi-square with 9 dof (expected 200
 *    per cell: the approximation is excellent). It must lie between the
 *    p = 1e-4 points of each tail (computed here from the regularized
 *    gamma function by bisection and checked against the table value
 *    33.72 for the upper one); a correct sampler fails with probability
 *    2e-4, and the seeds are fixed, so the test is deterministic. Each
 *    run is also checked exactly (1. with the S it revealed).
 *    Power: the same statistic rejects a constant start, a biased
 *    reduction of a hash ((h >> 60) % 10: starts 0..5 twice as likely),
 *    and, through the lower tail, a round-robin start (seed % 10, too even
 *    to be random).
 * 2b. Power to see a 5 % bias. Each run above also checks that the start
 *    is ladle_draw_below(seed, LADLE_DOMAIN_START, K), the draw the man
 *    page documents, so its law can be tested without a job per seed: for
 *    K in {2, 3, 5, 10} and 400,000 seeds, X2 (K-1 dof) must be below the
 *    p = 1e-4 point. A start with a 5 % bias (one start with probability
 *    1.05/K, the others sharing the rest: a mixture with weight
 *    0.05/(K-1) on that start) has noncentrality 400000 * 0.0025/(K-1) >=
 *    111, so the same test rejects it with power > 0.999 for every K here;
 *    the test checks that it does, from the same seeds. Large K: for K =
 *    3 * 2^62, a start reduced by plain modulo falls below 2^62 half of the
 *    time instead of a third; over 40,000 seeds the observed share of the
 *    rejection draw must be within 5 sd of 1/3 (and modulo's is not).
 * 3. Determinism: byte-identical output for threads 1..4 and chunk sizes
 *    {1, 7, 4096}, with and without --start; with shuffle, the same
 *    records in record-key order.
 * 4. --header: each input's first line is a header: it is not counted in
 *    the index (indices continue over the records only) and the first
 *    input's header is written once, first.
 * Under LADLE_TEST_SCALE=smoke (sanitizer builds): every 9th S for K = 64
 * in 1., 3 seeds in 2., 1,000 (large K: 2,000) in 2b., threads {1, 4} in
 * 3.; the exact checks run, the chi-square, share and power checks are
 * skipped.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/key.h"
#include "test_stat.h"
#include "test_util.h"

static uint64_t rng_state = 0x5157E3A7;

static uint64_t rnd(void)
{
    return t_splitmix(&rng_state);
}

/* ---- statistics ---- */

/* ---- inputs ---- */

/* n records "R<first+i> pad"; messy: CRLF, empty records, and (if no_nl) a
 * last record without '\n'; header: a first line "H<tag>\tcol". */
static void make_text(struct t_text *t, size_t first, size_t n, int messy, int no_nl,
                      const char *header)
{
    memset(t, 0, sizeof *t);
    if (header) {
        t_text_add(t, header, strlen(header));
        t->hdr = t->len;
    }
    char line[128];
    size_t idx = first;
    for (size_t i = 0; i < n; i++) {
        int len;
        if (messy && i % 9 == 4) {
            len = 0; /* an empty record: it has an index too */
        } else {
            len = snprintf(line, sizeof line, "R%zu ", idx);
            size_t pad = (size_t)(rnd() % 30);
            for (size_t k = 0; k < pad; k++)
                line[len++] = (char)('a' + (i + k) % 26);
            if (messy && i % 7 == 3)
                line[len++] = '\r';
        }
        idx++;
        line[len++] = '\n';
        if (no_nl && i == n - 1)
            len--;
        t_text_add(t, line, (size_t)len);
    }
    t_text_index(t);
}

/* ---- expected output ---- */

struct rec_ref {
    const struct t_text *t;
    uint32_t input;
    size_t rec;
    uint64_t key;
};

static int cmp_key(const void *x, const void *y)
{
    const struct rec_ref *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    return a->rec < b->rec ? -1 : a->rec > b->rec;
}

/* Records start, start+every, ... by global index; the first header once
 * when header; key order when shuffle. */
static char *expected(const struct t_text *const *ins, char *const *paths, size_t nin,
                      uint64_t every, uint64_t start, uint64_t seed, int shuffle, int header,
                      size_t *len, size_t *count)
{
    size_t total = 0, bytes = 0;
    for (size_t i = 0; i < nin; i++)
        total += ins[i]->nrecs, bytes += ins[i]->len + ins[i]->nrecs;
    struct rec_ref *v = malloc((total + 1) * sizeof *v);
    size_t m = 0;
    uint64_t g = 0;
    for (uint32_t i = 0; i < nin; i++)
        for (size_t r = 0; r < ins[i]->nrecs; r++, g++)
            if (g >= start && (g - start) % every == 0)
                v[m++] = (struct rec_ref){
                    ins[i], i, r,
                    ladle_record_key(seed, t_text_source_id(ins[i], paths[i]), ins[i]->offs[r])};
    if (shuffle)
        qsort(v, m, sizeof *v, cmp_key);
    char *out = malloc(bytes + 1);
    size_t pos = 0;
    if (header)
        for (size_t i = 0; i < nin; i++)
            if (ins[i]->hdr) {
                memcpy(out, ins[i]->p, ins[i]->hdr);
                pos = ins[i]->hdr;
                break;
            }
    for (size_t k = 0; k < m; k++) {
        size_t l = t_text_rec_len(v[k].t, v[k].rec);
        memcpy(out + pos, v[k].t->p + v[k].t->offs[v[k].rec], l);
        pos += l;
        if (l == 0 || out[pos - 1] != '\n')
            out[pos++] = '\n';
    }
    free(v);
    *len = pos;
    *count = m;
    return out;
}

/* ---- jobs ---- */

struct opts {
    uint64_t every;
    int64_t start; /* -1: not set */
    uint64_t seed;
    unsigned threads;
    int64_t chunk;
    int shuffle, header;
};

static void run_sys(char *const *paths, size_t npaths, const struct opts *o, struct t_output *out)
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_SYSTEMATIC) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_EVERY, (int64_t)o->every) == LADLE_OK);
    if (o->start >= 0)
        CHECK(ladle_job_set(j, LADLE_P_START, o->start) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)o->seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, o->threads ? o->threads : 2) == LADLE_OK);
    if (o->chunk)
        CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, o->chunk) == LADLE_OK);
    if (o->shuffle)
        CHECK(ladle_job_set(j, LADLE_P_SHUFFLE, 1) == LADLE_OK);
    if (o->header)
        CHECK(ladle_job_set(j, LADLE_P_HEADER, 1) == LADLE_OK);
    for (size_t i = 0; i < npaths; i++)
        CHECK(ladle_job_add_input(j, paths[i]) == LADLE_OK);
    t_run_job(j, out);
    ladle_job_free(j);
}

static int same(const struct t_output *out, const char *want, size_t wlen)
{
    return out->status == LADLE_OK && out->len == wlen && memcmp(out->data, want, wlen) == 0;
}

/* Shows where two outputs part, for messages. */
/* ---- 1. exactness ---- */

static struct t_text in_a, in_b, in_c, in_empty;
static char *path_a, *path_b, *path_c, *path_empty;

static int check_exact(char *const *paths, const struct t_text *const *ins, size_t nin,
                       const struct opts *o)
{
    size_t wlen, wcount;
    char *want = expected(ins, paths, nin, o->every, (uint64_t)o->start, o->seed, o->shuffle,
                          o->header, &wlen, &wcount);
    struct t_output out;
    run_sys(paths, nin, o, &out);
    int ok = same(&out, want, wlen) && out.report.records_out == wcount;
    CHECKF(ok,
           "--every %llu --start %lld (%zu inputs, threads %u, chunk %lld, shuffle %d, header "
           "%d): %llu records/%zu bytes, want %zu/%zu (status %d %s)",
           (unsigned long long)o->every, (long long)o->start, nin, o->threads, (long long)o->chunk,
           o->shuffle, o->header, (unsigned long long)out.report.records_out, out.len, wcount, wlen,
           out.status, out.error);
    if (!ok)
        t_show_first_diff(&out, want, wlen);
    t_output_free(&out);
    free(want);
    return ok;
}

static void test_exact(void)
{
    make_text(&in_a, 0, 53, 1, 0, NULL);
    make_text(&in_b, 53, 1, 0, 0, NULL);
    make_text(&in_c, 54, 40, 1, 1, NULL);
    make_text(&in_empty, 0, 0, 0, 0, NULL);
    path_a = t_write_file("a.log", in_a.p, in_a.len);
    path_b = t_write_file("b.log", in_b.p, in_b.len);
    path_c = t_write_file("c.log", in_c.p, in_c.len);
    path_empty = t_write_file("empty.log", "", 0);
    char *paths[] = {path_a, path_b, path_c};
    const struct t_text *ins[] = {&in_a, &in_b, &in_c};
    const size_t pop = in_a.nrecs + in_b.nrecs + in_c.nrecs;
    CHECK(pop == 94);

    static const uint64_t ks[] = {1, 2, 3, 7, 10, 64, 1000};
    int failures = 0;
    for (size_t i = 0; i < sizeof ks / sizeof ks[0] && failures < 5; i++) {
        uint64_t k = ks[i];
        /* Every S, a spread for K = 1000; smoke: every 9th S for K = 64. */
        const uint64_t step = k > 70 ? 97 : k > 10 ? t_reps(1, 9) : 1;
        for (uint64_t s = 0; s < k && failures < 5; s += step) {
            struct opts o = {k, (int64_t)s, 1, 2, 0, 0, 0};
            failures += !check_exact(paths, ins, 3, &o);
        }
        struct opts last = {k, (int64_t)(k - 1), 1, 2, 0, 0, 0};
        failures += !check_exact(paths, ins, 3, &last);
    }
    /* An empty input between two others: indices simply continue. */
    char *paths_e[] = {path_a, path_empty, path_c};
    const struct t_text *ins_e[] = {&in_a, &in_empty, &in_c};
    for (uint64_t s = 0; s < 5; s++) {
        struct opts o = {5, (int64_t)s, 1, 2, 7, 0, 0};
        check_exact(paths_e, ins_e, 3, &o);
    }
    /* The record count in the report is every record of every input. */
    struct opts o = {4, 1, 1, 2, 0, 0, 0};
    struct t_output out;
    run_sys(paths, 3, &o, &out);
    CHECKF(out.report.records_in == pop, "records_in %llu, want %zu",
           (unsigned long long)out.report.records_in, pop);
    t_output_free(&out);

    /* Usage errors. */
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_EVERY, 0) == LADLE_E_USAGE);
    CHECK(ladle_job_set(j, LADLE_P_START, -2) == LADLE_E_USAGE);
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_SYSTEMATIC) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_EVERY, 5) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_START, 5) == LADLE_OK);
    CHECK(ladle_job_add_input(j, path_a) == LADLE_OK);
    t_run_job(j, &out);
    CHECKF(out.status == LADLE_E_USAGE && out.len == 0 && strstr(out.error, "--start"),
           "--every 5 --start 5: status %d, %zu bytes, error '%s'", out.status, out.len, out.error);
    t_output_free(&out);
    ladle_job_free(j);
}

/* ---- 2. the drawn start is uniform ---- */

enum { KU = 10, SEEDS = 2000 };

static double chi2_uniform(const long *c, int seeds)
{
    double e = (double)seeds / KU, x = 0;
    for (int s = 0; s < KU; s++)
        x += ((double)c[s] - e) * ((double)c[s] - e) / e;
    return x;
}

static void test_start_uniform(void)
{
    const double hi = t_chi2_quantile(1 - 1e-4, KU - 1), lo = t_chi2_quantile(1e-4, KU - 1);
    CHECKF(fabs(hi - 33.72) < 0.01, "chi2(9) upper 1e-4 point %.3f, table 33.72", hi);
    CHECKF(lo > 0.5 && lo < 1.5, "chi2(9) lower 1e-4 point %.3f", lo);

    struct t_text t;
    make_text(&t, 0, 25, 0, 0, NULL);
    char *path = t_write_file("twentyfive.log", t.p, t.len);
    const struct t_text *ins[] = {&t};
    long counts[KU] = {0}, biased[KU] = {0}, robin[KU] = {0}, constant[KU] = {0};
    int bad_runs = 0;
    const int seeds = (int)t_reps(SEEDS, 3);
    for (uint64_t i = 0; i < (uint64_t)seeds; i++) {
        uint64_t seed = 0xC0FFEE00ULL + i * 7919;
        struct opts o = {KU, -1, seed, 1, 4096, 0, 0};
        struct t_output out;
        run_sys(&path, 1, &o, &out);
        long s = -1;
        if (out.status == LADLE_OK && out.len > 1 && out.data[0] == 'R')
            s = strtol(out.data + 1, NULL, 10);
        if (s >= 0 && s < KU) {
            counts[s]++;
            /* The start is the documented draw (key.h, ladle(1) --every). */
            CHECK((uint64_t)s == ladle_draw_below(seed, LADLE_DOMAIN_START, KU));
            size_t wlen, wcount;
            char *want = expected(ins, &path, 1, KU, (uint64_t)s, seed, 0, 0, &wlen, &wcount);
            if (!same(&out, want, wlen) && bad_runs++ < 3)
                CHECKF(0, "seed %llu: start %ld but not records %ld, %ld+10, ...",
                       (unsigned long long)seed, s, s, s);
            free(want);
            /* The same seed gives the same start again. */
            if (i < 20) {
                struct t_output again;
                struct opts o2 = {KU, -1, seed, 3, 7, 0, 0};
                run_sys(&path, 1, &o2, &again);
                CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
                t_output_free(&again);
            }
        } else if (bad_runs++ < 3) {
            CHECKF(0, "seed %llu: no start in 0..9 (status %d, output '%.30s')",
                   (unsigned long long)seed, out.status, out.data);
        }
        t_output_free(&out);
        uint64_t h = XXH3_64bits_withSeed(&seed, sizeof seed, 12345);
        biased[(h >> 60) % KU]++;
        robin[seed % KU]++;
        constant[0]++;
    }
    double x = chi2_uniform(counts, seeds);
    fprintf(stderr, "drawn start: chi-square %.2f (9 dof, accepted %.2f..%.2f)\n", x, lo, hi);
    CHECK_STAT(x > lo && x < hi, "starts drawn from the seed: chi-square %.2f outside (%.2f, %.2f)",
               x, lo, hi);
    double xb = chi2_uniform(biased, seeds), xr = chi2_uniform(robin, seeds),
           xc = chi2_uniform(constant, seeds);
    fprintf(stderr, "power: biased %.1f, round-robin %.2f, constant %.1f\n", xb, xr, xc);
    CHECK_STAT(xb > hi, "power: biased start not rejected (%.1f)", xb);
    CHECK_STAT(xr < lo, "power: round-robin start not rejected (%.2f)", xr);
    CHECK_STAT(xc > hi, "power: constant start not rejected (%.1f)", xc);
    free(path);
    t_text_free(&t);
}

/* ---- 2b. power against a 5 % bias ---- */

static void test_start_power(void)
{
    const uint64_t nseeds = t_reps(400000, 1000);
    static const uint64_t ks[] = {2, 3, 5, 10};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        const uint64_t k = ks[i];
        const double hi = t_chi2_quantile(1 - 1e-4, (int)k - 1);
        /* The biased start: 0 with probability eps, else the uniform draw. */
        const uint64_t eps = ladle_rate_threshold(0.05 / (double)(k - 1));
        long c[10] = {0}, b[10] = {0};
        for (uint64_t seed = 0; seed < nseeds; seed++) {
            uint64_t s = ladle_draw_below(seed, LADLE_DOMAIN_START, k);
            c[s]++;
            b[ladle_draw(seed, LADLE_DOMAIN_BALANCE, 0) < eps ? 0 : s]++;
        }
        double e = (double)nseeds / (double)k, x = 0, xb = 0;
        for (uint64_t s = 0; s < k; s++) {
            x += ((double)c[s] - e) * ((double)c[s] - e) / e;
            xb += ((double)b[s] - e) * ((double)b[s] - e) / e;
        }
        fprintf(stderr, "start, K = %llu: chi-square %.2f, 5 %% biased %.1f (reject above %.2f)\n",
                (unsigned long long)k, x, xb, hi);
        CHECK_STAT(x < hi, "K = %llu: start not uniform, chi-square %.2f", (unsigned long long)k,
                   x);
        CHECK_STAT(xb > hi, "K = %llu: a 5 %% bias goes unseen (%.2f)", (unsigned long long)k, xb);
    }
    /* Large K: no modulo bias. */
    const uint64_t nl = t_reps(40000, 2000);
    const uint64_t k = (uint64_t)3 << 62, third = (uint64_t)1 << 62;
    long low = 0, low_mod = 0;
    for (uint64_t seed = 0; seed < nl; seed++) {
        low += ladle_draw_below(seed, LADLE_DOMAIN_START, k) < third;
        low_mod += ladle_draw(seed, LADLE_DOMAIN_START, 0) % k < third;
    }
    double sd = sqrt((double)nl * (1.0 / 3) * (2.0 / 3));
    fprintf(stderr, "start, K = 3*2^62: %ld of %llu below 2^62 (modulo: %ld), expected %.0f\n", low,
            (unsigned long long)nl, low_mod, (double)nl / 3.0);
    CHECK_STAT(fabs((double)low - (double)nl / 3.0) < 5 * sd, "K = 3*2^62: %ld below 2^62", low);
    CHECK_STAT(fabs((double)low_mod - (double)nl / 3.0) > 5 * sd,
               "power: modulo's %ld below 2^62 not rejected", low_mod);
}

/* ---- 3. determinism ---- */

static void test_determinism(void)
{
    char *paths[] = {path_a, path_b, path_c};
    const struct t_text *ins[] = {&in_a, &in_b, &in_c};
    static const int64_t chunks[] = {1, 7, 4096};
    /* The drawn start for seed 77 and K 6, from a reference run. */
    struct t_output ref;
    struct opts r = {6, -1, 77, 1, 0, 0, 0};
    run_sys(paths, 3, &r, &ref);
    int64_t drawn = -1;
    for (int64_t s = 0; s < 6; s++) {
        size_t wlen, wcount;
        char *want = expected(ins, paths, 3, 6, (uint64_t)s, 77, 0, 0, &wlen, &wcount);
        if (same(&ref, want, wlen))
            drawn = s;
        free(want);
    }
    CHECKF(drawn >= 0, "seed 77, --every 6: output is no systematic sample");
    t_output_free(&ref);
    if (drawn < 0)
        return;
    /* Smoke: threads 1 and 4. */
    for (unsigned th = 1; th <= 4; th += t_threads_step(4))
        for (size_t c = 0; c < 3; c++)
            for (int shuffle = 0; shuffle <= 1; shuffle++) {
                struct opts given = {6, 2, 77, th, chunks[c], shuffle, 0};
                check_exact(paths, ins, 3, &given);
                /* Without --start: the same start as the reference. */
                struct opts o = {6, -1, 77, th, chunks[c], shuffle, 0};
                size_t wlen, wcount;
                char *want =
                    expected(ins, paths, 3, 6, (uint64_t)drawn, 77, shuffle, 0, &wlen, &wcount);
                struct t_output out;
                run_sys(paths, 3, &o, &out);
                CHECKF(same(&out, want, wlen),
                       "drawn start: threads %u chunk %lld shuffle %d: output differs", th,
                       (long long)chunks[c], shuffle);
                t_output_free(&out);
                free(want);
            }
}

/* ---- 4. --header ---- */

static void test_header(void)
{
    struct t_text h1, h2, h3;
    make_text(&h1, 0, 20, 1, 1, "H1\tcol\n");
    make_text(&h2, 20, 13, 0, 0, "H2\tcol\n");
    make_text(&h3, 33, 8, 1, 0, "H1\tcol\n");
    char *paths[] = {t_write_file("h1.tsv", h1.p, h1.len), t_write_file("h2.tsv", h2.p, h2.len),
                     t_write_file("h3.tsv", h3.p, h3.len)};
    const struct t_text *ins[] = {&h1, &h2, &h3};
    CHECK(h1.nrecs == 20 && h2.nrecs == 13 && h3.nrecs == 8);
    static const int64_t chunks[] = {1, 7, 4096};
    for (uint64_t k = 1; k <= 5; k += 2)
        for (uint64_t s = 0; s < k; s++)
            for (size_t c = 0; c < 3; c++) {
                struct opts o = {k, (int64_t)s, 5, (unsigned)(1 + c), chunks[c], 0, 1};
                check_exact(paths, ins, 3, &o);
            }
    /* --every 1 --start 0: every record once, the header once. */
    struct opts all = {1, 0, 5, 2, 0, 0, 1};
    struct t_output out;
    run_sys(paths, 3, &all, &out);
    CHECKF(out.status == LADLE_OK && t_count_lines(&out) == 1 + 41 &&
               out.report.records_out == 41 && strncmp(out.data, "H1\tcol\n", 7) == 0,
           "--header --every 1: %zu lines (want 42), %llu records (want 41), starts '%.8s'",
           t_count_lines(&out), (unsigned long long)out.report.records_out, out.data);
    t_output_free(&out);
    for (int i = 0; i < 3; i++)
        free(paths[i]);
    t_text_free(&h1);
    t_text_free(&h2);
    t_text_free(&h3);
}

int main(void)
{
    test_exact();
    test_start_uniform();
    test_start_power();
    test_determinism();
    test_header();
    t_text_free(&in_a);
    t_text_free(&in_b);
    t_text_free(&in_c);
    t_text_free(&in_empty);
    free(path_a);
    free(path_b);
    free(path_c);
    free(path_empty);
    return t_done("test_systematic");
}

/*
 * test_weighted.c -- `--weight F -n k` (LADLE_DESIGN_WEIGHTED) through the
 * public API: Efraimidis-Spirakis sampling, and priority sampling with
 * --emit-weight.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * 1. Inclusion probabilities: 6 records of weights 1, 2, 3, 4, 5, 10 and one
 *    of weight 0, k = 2, S = 6000 seeds. The design promises successive
 *    sampling (draw one record with probability proportional to weight,
 *    remove it, draw again): its inclusion probabilities pi_i are computed
 *    here exactly by enumerating the ordered draws (i, j):
 *    P(i, j) = w_i/W * w_j/(W - w_i). Across seeds the runs are independent,
 *    so record i's inclusion count is Binomial(S, pi_i): it must lie within
 *    5 sd of S pi_i (normal tail 5.7e-7 per record; the smallest S pi_i is
 *    559, so the normal approximation is excellent). The weight-0 record is
 *    never drawn and every run draws exactly 2. Each run is also checked
 *    exactly against the design's keys (the k smallest -ln(u)/w, u the
 *    record's uniform from its key), so the frequencies test the keys as a
 *    random source. Power: the same per-record bounds reject the inclusion
 *    counts of two plausible wrong selectors evaluated on the same keys:
 *    the k largest w/u (priority sampling: record 10 is about 20 sd off at
 *    this S) and the k largest w u. (S is bounded by the run time: each
 *    seed is a whole pipeline run, and the test must stay well under a
 *    minute under ASan; 6000 already gives the power above.)
 * 2. Bad weights follow --missing: "abc", "-1", "nan", "inf", "1e999",
 *    " 1" and a record without the field are left out and counted with
 *    skip; stop the run with LADLE_E_INPUT (message naming the file) with
 *    error; are weight 0 (never drawn, no error) with keep. An empty value
 *    (TSV "a\t\tb", JSON "w":"") is not a number either (field.h: "Rejected:
 *    empty") and is checked separately, so its result reads on its own.
 * 3. Priority sampling (--emit-weight): 40 records with skewed weights,
 *    k = 5, 1500 seeds. The sum of the _weight column, max(w, tau), is an
 *    unbiased estimator of the population total (Duffield, Lund, Thorup):
 *    its mean over the seeds must be within 4 standard errors (estimated
 *    from the same runs) of the total. Power: the naive estimator,
 *    (n/k) * sum of the raw weights of the sample, computed from the same
 *    runs, must be rejected by the same 4-SE rule. Each run's sample and
 *    weights are also checked against the keys (the k largest w/u, tau the
 *    (k+1)-th). With k >= the population, the weights are the weights.
 * 4. Determinism: byte-identical output for threads 1..4 and chunk sizes
 *    {1, 7, 4096}, with and without --emit-weight and --shuffle.
 * Under LADLE_TEST_SCALE=smoke (sanitizer builds): 3 seeds in 1 and 3,
 * threads {1, 4} x chunks {7, 4096} in 4; the statistical checks
 * (frequencies, power, unbiasedness) are skipped; the exact ones run.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/key.h"
#include "test_stat.h"
#include "test_util.h"

static uint64_t rng_state = 0x3E16;

static uint64_t rnd(void)
{
    return t_splitmix(&rng_state);
}

/* The record's uniform in (0, 1): the top 53 bits of its key, centred. */
static double unit(uint64_t key)
{
    return ((double)(key >> 11) + 0.5) / 9007199254740992.0;
}

/* ---- populations: JSON lines {"id":i,"w":...} in one or two files ---- */

enum { MAXR = 2048 };

struct pop {
    size_t n;
    uint32_t input[MAXR];
    uint64_t off[MAXR];
    size_t len[MAXR];
    double w[MAXR]; /* the weight the design should see (0 for bad ones) */
    char *data[2];
    size_t dlen[2], cap[2];
    char *paths[2];
    size_t nfiles;
};

static void pop_add(struct pop *p, uint32_t f, const char *line)
{
    size_t n = strlen(line);
    p->input[p->n] = f;
    p->off[p->n] = p->dlen[f];
    p->len[p->n] = n;
    t_append(&p->data[f], &p->dlen[f], &p->cap[f], line, n);
    p->n++;
}

/* Records with weight text wt[i] (NULL: no "w" key); w[i] what it means. */
static void make_pop(struct pop *p, size_t n, const char *const *wt, const double *w, size_t nfiles,
                     const char *tag)
{
    memset(p, 0, sizeof *p);
    p->nfiles = nfiles;
    for (size_t i = 0; i < n; i++) {
        char line[160];
        uint32_t f = nfiles > 1 ? (uint32_t)(rnd() % nfiles) : 0;
        if (wt[i])
            snprintf(line, sizeof line, "{\"id\":%zu,\"w\":%s,\"pad\":\"%.*s\"}\n", i, wt[i],
                     (int)(rnd() % 20), "abcdefghijklmnopqrstuvwxyz");
        else
            snprintf(line, sizeof line, "{\"id\":%zu,\"pad\":\"x\"}\n", i);
        pop_add(p, f, line);
        p->w[p->n - 1] = w[i];
    }
    for (size_t f = 0; f < nfiles; f++) {
        char name[64];
        snprintf(name, sizeof name, "%s-%zu.json", tag, f);
        p->paths[f] = t_write_file(name, p->data[f] ? p->data[f] : "", p->dlen[f]);
    }
}

static void pop_free(struct pop *p)
{
    for (size_t f = 0; f < p->nfiles; f++) {
        free(p->data[f]);
        free(p->paths[f]);
    }
}

static uint64_t rkey(const struct pop *p, uint64_t seed, size_t i)
{
    uint32_t f = p->input[i];
    return ladle_record_key(seed, t_source_id(p->paths[f], p->data[f], p->dlen[f], 0), p->off[i]);
}

/* ---- jobs ---- */

struct opts {
    uint64_t n, seed;
    int emit_weight;
    ladle_missing missing;
    unsigned threads;
    int64_t chunk;
    int shuffle;
};

static void run_w(char *const *paths, size_t npaths, const char *format, const char *field,
                  const struct opts *o, struct t_output *out)
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_WEIGHTED) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_N, (int64_t)o->n) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FORMAT, format) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FIELD, field) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)o->seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_EMIT_WEIGHT, o->emit_weight) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_MISSING, o->missing) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, o->threads ? o->threads : 1) == LADLE_OK);
    if (o->chunk)
        CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, o->chunk) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SHUFFLE, o->shuffle) == LADLE_OK);
    for (size_t i = 0; i < npaths; i++)
        CHECK(ladle_job_add_input(j, paths[i]) == LADLE_OK);
    t_run_job(j, out);
    ladle_job_free(j);
}

static void run_pop(const struct pop *p, const struct opts *o, struct t_output *out)
{
    run_w(p->paths, p->nfiles, "json", "w", o, out);
}

/* Each output line's "id" (and "_weight" when weights != NULL). Returns
 * the number of lines, -1 if one is unreadable. */
static long parse_out(const struct t_output *out, long *ids, double *weights, size_t cap)
{
    const char *q = out->data, *end = out->data + out->len;
    long n = 0;
    while (q < end) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        if (!nl || (size_t)n >= cap || strncmp(q, "{\"id\":", 6) != 0)
            return -1;
        ids[n] = strtol(q + 6, NULL, 10);
        if (weights) {
            const char *w = NULL;
            for (const char *s = nl - 1; s > q; s--)
                if (*s == '"' && strncmp(s, "\"_weight\":", 10) == 0) {
                    w = s + 10;
                    break;
                }
            if (!w)
                return -1;
            weights[n] = strtod(w, NULL);
        }
        n++;
        q = nl + 1;
    }
    return n;
}

/* ---- the designs' expected samples, from the keys ---- */

struct scored {
    double s;
    size_t i;
};

static int cmp_scored(const void *x, const void *y)
{
    const struct scored *a = x, *b = y;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* sel[i] = 1 for the k records of smallest score (records of weight 0
 * excluded); kind 0: ES -ln(u)/w; 1: priority u/w (the k largest w/u);
 * 2: -(w u) (the k largest w u). Returns tau for kind 1 (the (k+1)-th
 * largest priority, 0 if none). */
static double pick(const struct pop *p, uint64_t seed, size_t k, int kind, char *sel)
{
    struct scored v[MAXR];
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++) {
        sel[i] = 0;
        if (!(p->w[i] > 0))
            continue;
        double u = unit(rkey(p, seed, i));
        double s = kind == 0 ? -log(u) / p->w[i] : kind == 1 ? u / p->w[i] : -(p->w[i] * u);
        v[m++] = (struct scored){s, i};
    }
    qsort(v, m, sizeof v[0], cmp_scored);
    for (size_t j = 0; j < m && j < k; j++)
        sel[v[j].i] = 1;
    return kind == 1 && m > k ? 1.0 / v[k].s : 0.0;
}

/* ---- 1. inclusion probabilities ---- */

enum { NP = 7, K1 = 2, SEEDS1 = 6000 };

static void exact_pi(const double *w, size_t n, double *pi)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i], pi[i] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j && w[i] > 0) {
                double pr = w[i] / total * w[j] / (total - w[i]);
                pi[i] += pr;
                pi[j] += pr;
            }
}

/* The number of records whose count is outside S pi +- 5 sd. */
static int outside(const long *counts, const double *pi, size_t n, long s, int verbose,
                   const char *what)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double e = (double)s * pi[i], sd = sqrt((double)s * pi[i] * (1 - pi[i]));
        int out = pi[i] > 0 ? fabs((double)counts[i] - e) > 5 * sd : counts[i] != 0;
        if (verbose)
            fprintf(stderr, "  %s record %zu: %ld, expected %.1f +- 5*%.1f (%.1f sd)\n", what, i,
                    counts[i], e, sd, sd > 0 ? ((double)counts[i] - e) / sd : 0.0);
        bad += out;
    }
    return bad;
}

static void test_inclusion(void)
{
    static const char *const wt[NP] = {"1", "2", "3", "4", "5", "10", "0"};
    static const double w[NP] = {1, 2, 3, 4, 5, 10, 0};
    struct pop p;
    make_pop(&p, NP, wt, w, 1, "six");
    double pi[NP];
    exact_pi(w, NP, pi);
    double sum = 0;
    for (size_t i = 0; i < NP; i++)
        sum += pi[i];
    CHECKF(fabs(sum - K1) < 1e-12, "inclusion probabilities sum to %.15f, not 2", sum);
    CHECK(fabs(pi[5] - 0.682186) < 1e-5); /* hand check of the enumeration */
    long counts[NP] = {0}, prio[NP] = {0}, wu[NP] = {0};
    int mismatches = 0, wrong_size = 0;
    char sel[NP];
    const long runs = (long)t_reps(SEEDS1, 3);
    for (long s = 0; s < runs; s++) {
        uint64_t seed = 0x77000000ULL + (uint64_t)s * 2654435761ULL;
        struct opts o = {K1, seed, 0, LADLE_MISSING_SKIP, 1, 0, 0};
        struct t_output out;
        run_pop(&p, &o, &out);
        long ids[NP + 1];
        long n = out.status == LADLE_OK ? parse_out(&out, ids, NULL, NP + 1) : -1;
        if (n != K1 && wrong_size++ < 3)
            CHECKF(0, "seed %llu: %ld records drawn, want 2 (status %d %s)",
                   (unsigned long long)seed, n, out.status, out.error);
        char got[NP] = {0};
        for (long k = 0; k < n; k++)
            if (ids[k] >= 0 && ids[k] < NP)
                counts[ids[k]]++, got[ids[k]] = 1;
        pick(&p, seed, K1, 0, sel);
        if (memcmp(got, sel, NP) != 0 && mismatches++ < 3)
            CHECKF(0, "seed %llu: not the 2 smallest -ln(u)/w", (unsigned long long)seed);
        t_output_free(&out);
        pick(&p, seed, K1, 1, sel);
        for (size_t i = 0; i < NP; i++)
            prio[i] += sel[i];
        pick(&p, seed, K1, 2, sel);
        for (size_t i = 0; i < NP; i++)
            wu[i] += sel[i];
    }
    int bad = outside(counts, pi, NP, runs, 1, "ES");
    CHECK_STAT(bad == 0, "%d records' inclusion frequencies are off successive sampling", bad);
    CHECKF(counts[6] == 0, "the weight-0 record was drawn %ld times", counts[6]);
    int bad_prio = outside(prio, pi, NP, runs, 0, "priority");
    int bad_wu = outside(wu, pi, NP, runs, 0, "w*u");
    fprintf(stderr, "power: priority selector off at %d records, w*u selector at %d\n", bad_prio,
            bad_wu);
    CHECK_STAT(bad_prio > 0, "the priority selector is not rejected");
    CHECK_STAT(bad_wu > 0, "the w*u selector is not rejected");
    pop_free(&p);
}

/* ---- 2. bad weights and --missing ---- */

static int mentions(const char *msg, char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(msg, paths[i]))
            return 1;
    return 0;
}

static void test_missing(void)
{
    /* Good weights 1..6; bad ones in between (NULL: no "w" key). */
    static const char *const wt[] = {"1",       "\"abc\"", "2",     "-1", "3",      "\"nan\"", "4",
                                     "\"inf\"", "5",       "1e999", "6",  "\" 1\"", NULL,      "0"};
    static const double w[] = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 0, 0};
    enum { NB = sizeof w / sizeof w[0], NBAD = 7 };
    struct pop p;
    make_pop(&p, NB, wt, w, 1, "bad");
    for (int m = 0; m <= 2; m++) {
        struct opts o = {100, 3, 0, (ladle_missing)m, 2, 0, 0};
        struct t_output out;
        run_pop(&p, &o, &out);
        if (m == LADLE_MISSING_ERROR) {
            CHECKF(out.status == LADLE_E_INPUT && mentions(out.error, p.paths, 1),
                   "--missing error with bad weights: status %d, error '%s'", out.status,
                   out.error);
        } else {
            long ids[NB];
            long n = out.status == LADLE_OK ? parse_out(&out, ids, NULL, NB) : -1;
            int only_good = n == 6;
            for (long k = 0; k < n; k++)
                only_good &= ids[k] >= 0 && ids[k] < NB && w[ids[k]] > 0;
            CHECKF(only_good, "--missing %s: %ld records out, want the 6 of positive weight (%s)",
                   m ? "keep" : "skip", n, out.error);
            if (m == LADLE_MISSING_SKIP)
                CHECKF(out.report.records_missing == NBAD,
                       "--missing skip: records_missing %llu, want %d",
                       (unsigned long long)out.report.records_missing, NBAD);
        }
        t_output_free(&out);
    }
    /* Each bad weight alone stops an error run. */
    for (size_t i = 0; i < NB; i++) {
        if (w[i] > 0 || (wt[i] && strcmp(wt[i], "0") == 0))
            continue;
        char line[96], name[32];
        int len =
            wt[i] ? snprintf(line, sizeof line, "{\"id\":0,\"w\":2}\n{\"id\":1,\"w\":%s}\n", wt[i])
                  : snprintf(line, sizeof line, "{\"id\":0,\"w\":2}\n{\"id\":1}\n");
        snprintf(name, sizeof name, "bad%zu.json", i);
        char *path = t_write_file(name, line, (size_t)len);
        struct opts o = {5, 3, 0, LADLE_MISSING_ERROR, 1, 0, 0};
        struct t_output out;
        run_w(&path, 1, "json", "w", &o, &out);
        CHECKF(out.status == LADLE_E_INPUT && strstr(out.error, path),
               "--missing error, weight %s: status %d, error '%s'", wt[i] ? wt[i] : "(none)",
               out.status, out.error);
        t_output_free(&out);
        free(path);
    }
    pop_free(&p);

    /* An empty value is not a weight: TSV "a\t\t1" (column 2) and JSON "". */
    static const char tsv[] = "a\t3\tx\nb\t\ty\nc\t2\tz\n";
    static const char json[] = "{\"id\":0,\"w\":3}\n{\"id\":1,\"w\":\"\"}\n{\"id\":2,\"w\":2}\n";
    char *pt = t_write_file("empty.tsv", tsv, sizeof tsv - 1);
    char *pj = t_write_file("empty.json", json, sizeof json - 1);
    for (int k = 0; k < 2; k++) {
        char *path = k ? pj : pt;
        const char *fmt = k ? "json" : "tsv", *field = k ? "w" : "2";
        struct opts skip = {5, 3, 0, LADLE_MISSING_SKIP, 1, 0, 0};
        struct t_output out;
        run_w(&path, 1, fmt, field, &skip, &out);
        CHECKF(out.status == LADLE_OK && t_count_lines(&out) == 2 &&
                   out.report.records_missing == 1,
               "%s record with an empty weight, --missing skip: %zu lines (want 2), "
               "records_missing %llu (want 1)",
               fmt, t_count_lines(&out), (unsigned long long)out.report.records_missing);
        t_output_free(&out);
        struct opts err = skip;
        err.missing = LADLE_MISSING_ERROR;
        run_w(&path, 1, fmt, field, &err, &out);
        CHECKF(out.status == LADLE_E_INPUT && strstr(out.error, path),
               "%s record with an empty weight, --missing error: status %d (want %d), error "
               "'%s'",
               fmt, out.status, LADLE_E_INPUT, out.error);
        t_output_free(&out);
    }
    free(pt);
    free(pj);
}

/* ---- 3. priority sampling ---- */

enum { NPS = 40, KPS = 5, SEEDS3 = 1500 };

static void test_priority(void)
{
    const char *wt[NPS];
    char wbuf[NPS][32];
    double w[NPS], total = 0;
    for (size_t i = 0; i < NPS; i++) {
        /* Skewed: a few heavy records, many light ones. */
        double x = 1 + (double)(rnd() % 1000) / 10.0;
        w[i] = i % 8 == 0 ? x * 20 : x;
        snprintf(wbuf[i], sizeof wbuf[i], "%.1f", w[i]);
        w[i] = strtod(wbuf[i], NULL);
        wt[i] = wbuf[i];
        total += w[i];
    }
    struct pop p;
    make_pop(&p, NPS, wt, w, 2, "prio");
    double sum = 0, sum2 = 0, nsum = 0, nsum2 = 0;
    int mismatches = 0;
    char sel[NPS];
    const long runs = (long)t_reps(SEEDS3, 3); /* >= 2: the SE divides by runs - 1 */
    for (long s = 0; s < runs; s++) {
        uint64_t seed = 0x9100 + (uint64_t)s * 7;
        struct opts o = {KPS, seed, 1, LADLE_MISSING_SKIP, 1, 0, 0};
        struct t_output out;
        run_pop(&p, &o, &out);
        long ids[NPS];
        double ws[NPS];
        long n = out.status == LADLE_OK ? parse_out(&out, ids, ws, NPS) : -1;
        double tau = pick(&p, seed, KPS, 1, sel);
        int ok = n == KPS;
        double est = 0, naive = 0;
        for (long k = 0; ok && k < n; k++) {
            ok = ids[k] >= 0 && ids[k] < NPS && sel[ids[k]];
            double want = w[ids[k]] > tau ? w[ids[k]] : tau;
            ok = ok && fabs(ws[k] - want) <= 1e-9 * want;
            est += ws[k];
            naive += w[ids[k]] * NPS / KPS;
        }
        if (!ok && mismatches++ < 3)
            CHECKF(0, "seed %llu: not the %d largest w/u with weights max(w, tau) (%ld lines, %s)",
                   (unsigned long long)seed, KPS, n, out.error);
        t_output_free(&out);
        sum += est, sum2 += est * est;
        nsum += naive, nsum2 += naive * naive;
    }
    const double r = (double)runs;
    double mean = sum / r, se = sqrt((sum2 / r - mean * mean) / (r - 1));
    double nmean = nsum / r, nse = sqrt((nsum2 / r - nmean * nmean) / (r - 1));
    fprintf(stderr,
            "priority sampling: total %.1f, mean estimate %.1f (SE %.1f, %.2f SE off); naive "
            "%.1f (SE %.1f, %.1f SE off)\n",
            total, mean, se, (mean - total) / se, nmean, nse, (nmean - total) / nse);
    CHECK_STAT(fabs(mean - total) <= 4 * se, "sum of _weight: mean %.2f, total %.2f, SE %.2f", mean,
               total, se);
    CHECK_STAT(fabs(nmean - total) > 4 * nse, "the naive estimator is not rejected");

    /* k >= population: every record, weight = its weight, sum = total. */
    struct opts all = {NPS, 5, 1, LADLE_MISSING_SKIP, 2, 0, 0};
    struct t_output out;
    run_pop(&p, &all, &out);
    long ids[NPS];
    double ws[NPS];
    long n = parse_out(&out, ids, ws, NPS);
    double s = 0;
    int exact = n == NPS;
    for (long k = 0; exact && k < n; k++) {
        exact = ids[k] >= 0 && ids[k] < NPS && ws[k] == w[ids[k]];
        s += ws[k];
    }
    CHECKF(exact && fabs(s - total) < 1e-9 * total,
           "-n %d --emit-weight over %d records: %ld lines, sum %.6f, total %.6f", NPS, NPS, n, s,
           total);
    t_output_free(&out);
    pop_free(&p);
}

/* ---- 4. determinism ---- */

static void test_determinism(void)
{
    enum { ND = 1500 };
    const char **wt = malloc(ND * sizeof *wt);
    char(*wbuf)[16] = malloc(ND * sizeof *wbuf);
    double *w = malloc(ND * sizeof *w);
    for (size_t i = 0; i < ND; i++) {
        w[i] = (double)(rnd() % 100);
        snprintf(wbuf[i], sizeof wbuf[i], "%.0f", w[i]);
        wt[i] = wbuf[i];
    }
    struct pop *p = malloc(sizeof *p);
    make_pop(p, ND, wt, w, 2, "det");
    static const int64_t chunks[] = {1, 7, 4096};
    char *sel = malloc(ND);
    for (int ew = 0; ew <= 1; ew++)
        for (int shuffle = 0; shuffle <= 1; shuffle++) {
            struct opts r = {60, 31, ew, LADLE_MISSING_SKIP, 1, 0, shuffle};
            struct t_output ref;
            run_pop(p, &r, &ref);
            /* The reference is the design's sample. */
            long ids[ND];
            long n = ref.status == LADLE_OK ? parse_out(&ref, ids, NULL, ND) : -1;
            pick(p, 31, 60, ew, sel);
            int ok = n == 60;
            for (long k = 0; ok && k < n; k++)
                ok = ids[k] >= 0 && ids[k] < ND && sel[ids[k]];
            CHECKF(ok, "-n 60 emit-weight %d shuffle %d: not the design's sample (%ld lines)", ew,
                   shuffle, n);
            /* Smoke: threads 1 and 4, chunks 7 and 4096 (chunk 1 with 4
             * threads takes seconds a run under TSan). */
            for (unsigned th = 1; th <= 4; th += t_threads_step(4))
                for (size_t c = t_reps(0, 1); c < 3; c++) {
                    struct opts o = r;
                    o.threads = th;
                    o.chunk = chunks[c];
                    struct t_output out;
                    run_pop(p, &o, &out);
                    CHECKF(out.status == LADLE_OK && out.len == ref.len &&
                               memcmp(out.data, ref.data, ref.len) == 0,
                           "emit-weight %d shuffle %d threads %u chunk %lld: output differs", ew,
                           shuffle, th, (long long)chunks[c]);
                    t_output_free(&out);
                }
            t_output_free(&ref);
        }
    free(sel);
    pop_free(p);
    free(p);
    free(w);
    free(wbuf);
    free(wt);
}

int main(void)
{
    test_inclusion();
    test_missing();
    test_priority();
    test_determinism();
    return t_done("test_weighted");
}

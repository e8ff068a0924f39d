/*
 * test_stratified.c -- `--strata F` designs through the public API:
 * -n N (LADLE_DESIGN_STRATIFIED, proportional allocation, two passes),
 * --per-stratum N (the same design, one pass) and --fractions
 * (LADLE_DESIGN_FRACTIONS, a Bernoulli rate per stratum).
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * 1. Allocation: 11 strata over two TSV files (sizes 400 to 1, four of
 *    them tied at 7, with values "y", "z", "zz", "\xc3\xa9" so the byte
 *    order of the tie break matters), N in 0..60 and a spread up to and
 *    beyond the population. The allocation is computed here independently:
 *    floor(N N_h / total) each, the leftover N - sum of floors to the
 *    largest remainders N N_h mod total, ties to the smaller value bytes
 *    (memcmp, a prefix first); N >= total gives everything. The output must
 *    be exactly N' = min(N, total) records, and byte for byte, in input
 *    order, the alloc_h records of smallest record key of each stratum
 *    ("uniformly: the smallest record keys", stratified.c). The test also
 *    asserts that some N split the four-way tie, so the tie rule is
 *    exercised, not just stated.
 *    The same for --min-per-stratum K in 0..3 (0: the plain allocation
 *    above; the default is 1): while a stratum's share of the seats left is
 *    below K, it gets min(K, N_h) and leaves the split, the others split
 *    the rest as above; when the minimums do not fit in N, the plain
 *    allocation. The minimum must hold whenever it fits, and change the
 *    allocation for many N.
 * 1b. Unbiased totals with the minimum: strata of 50, 30, 15, 4, 1 records,
 *    N = 10, y = 1 + the line number. With --min-per-stratum 1 every
 *    stratum has a seat, so sum of weights is exactly 100 in every run,
 *    and the Horvitz-Thompson total of y, averaged over 2000 seeds, is
 *    within 5 standard errors (observed) of the true total. Power: with
 *    --min-per-stratum 0 the strata of 4 and 1 get no seat, the weights sum
 *    to 95 and the mean total misses by ~5 %, which the same bound rejects.
 *    The warning naming strata without a seat: tests/e2e/test_contract.sh.
 * 2. Uniformity within strata: three strata of 20, 30, 10 records, N = 12
 *    (allocation 4, 6, 2: no remainders), 1500 seeds. In each stratum,
 *    exactly k of n are drawn each time, so the inclusion counts c_i have
 *    mean S k/n and covariance S p(1-p) n/(n-1) (I - J/n); the usual
 *    statistic sum (c_i - E)^2 / (S p (1-p) n/(n-1)) is chi-square with
 *    n - 1 dof, and the three strata are independent, so the sum is
 *    chi-square with 19 + 29 + 9 = 57 dof (E >= 300 per cell). It must lie
 *    between the p = 1e-4 points of both tails (computed here by bisection
 *    on the regularized gamma function; the upper one is checked against
 *    the bottomk test's table value for 39 dof). Each run is also checked
 *    exactly against the brute force (1.), so the statistic tests the
 *    record keys as a random source. Power: the statistic rejects a
 *    selector taking the first k records of each stratum, one favouring a
 *    record (its key halved, same keys), and, through the lower tail, a
 *    round-robin selector (X2 = 0).
 * 3. --per-stratum N: exactly min(N, N_h) from every stratum, the smallest
 *    keys; --emit-weight gives N_h / n_h for -n and --per-stratum.
 * 4. --fractions: strata of 4000, 3000, 2000, 1000, 500 records; with
 *    "A=1,B=0.1,C=0,*=0.3": A all, C none, B, D, E binomial; without '*'
 *    the unnamed strata are left out. Kept records are exactly those with
 *    record key < floor(rate 2^64). Per-stratum counts must be within
 *    5 sd of the binomial mean (normal tail 5.7e-7 per check; 3 seeds x 5
 *    strata); power: the same bounds reject a selector that applies the
 *    '*' rate to every stratum (B: 900 expected against 300 +- 82).
 *    --emit-weight gives 1/rate.
 * 5. --missing (JSON, 40 of 200 records without the field): skip leaves
 *    them out and counts them in records_missing, the N drawn from the
 *    others; error stops with LADLE_E_INPUT and a message naming the file;
 *    keep makes them a stratum "" of their own, allocated like the others.
 * 6. Determinism: byte-identical output for threads 1..4 and chunk sizes
 *    {1, 7, 4096} (-n, --per-stratum, --fractions, --emit-weight), and the
 *    shuffled output in record-key order; --header with a named column.
 * Under LADLE_TEST_SCALE=smoke (sanitizer builds): ladle runs for every
 * 10th N and the last four in 1. (the allocation is still computed for
 * all), 3 seeds in 1b. and 2., 1 seed in 4., threads {1, 4} in 6. (chunk 1
 * with 1 thread only); the exact checks run, the mean, binomial and
 * chi-square checks and their power are skipped.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/key.h"
#include "test_stat.h"
#include "test_util.h"

static uint64_t rng_state = 0x57A7A;

static uint64_t rnd(void)
{
    return t_splitmix(&rng_state);
}

/* ---- a population of records over files ---- */

#define MAXS 16
#define NFILES 2

struct rec {
    uint32_t input;
    uint64_t off;
    size_t len;
    int stratum; /* index into pop.names; -1: the record has no field */
};

struct pop {
    int json;
    const char *names[MAXS];
    size_t nstrata;
    struct rec *r;
    size_t n;
    char *data[NFILES];
    size_t len[NFILES], cap[NFILES];
    size_t hdr[NFILES];
    char *paths[NFILES];
};

/* sizes[h] records of stratum h (plus `missing` records without the
 * field), shuffled over NFILES files. TSV: "value\tR<i>\tpad"; JSON:
 * {"i":i,"s":"value","p":"pad"}. header: a TSV header line per file. */
static void make_pop(struct pop *p, const char *const *names, const size_t *sizes, size_t ns,
                     size_t missing, int json, int header, const char *tag)
{
    memset(p, 0, sizeof *p);
    p->json = json;
    p->nstrata = ns;
    size_t total = missing;
    for (size_t h = 0; h < ns; h++) {
        p->names[h] = names[h];
        total += sizes[h];
    }
    int *labels = malloc((total + 1) * sizeof *labels);
    size_t k = 0;
    for (size_t h = 0; h < ns; h++)
        for (size_t i = 0; i < sizes[h]; i++)
            labels[k++] = (int)h;
    for (size_t i = 0; i < missing; i++)
        labels[k++] = -1;
    for (size_t i = total; i > 1; i--) {
        size_t j = (size_t)(rnd() % i);
        int t = labels[i - 1];
        labels[i - 1] = labels[j];
        labels[j] = t;
    }
    if (header)
        for (uint32_t f = 0; f < NFILES; f++) {
            t_append(&p->data[f], &p->len[f], &p->cap[f], "lvl\tid\tpad\n", 11);
            p->hdr[f] = p->len[f];
        }
    p->r = malloc((total + 1) * sizeof *p->r);
    char line[256], pad[64];
    for (size_t i = 0; i < total; i++) {
        uint32_t f = (uint32_t)(rnd() % NFILES);
        size_t padlen = (size_t)(rnd() % 24);
        for (size_t q = 0; q < padlen; q++)
            pad[q] = (char)('a' + (i + q) % 26);
        pad[padlen] = '\0';
        int len;
        const char *v = labels[i] >= 0 ? names[labels[i]] : NULL;
        if (json)
            len = v ? snprintf(line, sizeof line, "{\"i\":%zu,\"s\":\"%s\",\"p\":\"%s\"}\n", i, v,
                               pad)
                    : snprintf(line, sizeof line, "{\"i\":%zu,\"p\":\"%s\"}\n", i, pad);
        else
            len = snprintf(line, sizeof line, "%s\tR%zu\t%s\n", v ? v : "", i, pad);
        p->r[p->n++] = (struct rec){f, p->len[f], (size_t)len, labels[i]};
        t_append(&p->data[f], &p->len[f], &p->cap[f], line, (size_t)len);
    }
    free(labels);
    for (uint32_t f = 0; f < NFILES; f++) {
        char name[64];
        snprintf(name, sizeof name, "%s-%u.%s", tag, f, json ? "json" : "tsv");
        p->paths[f] = t_write_file(name, p->data[f], p->len[f]);
    }
}

static void pop_free(struct pop *p)
{
    for (int f = 0; f < NFILES; f++) {
        free(p->data[f]);
        free(p->paths[f]);
    }
    free(p->r);
}

static const char *rec_data(const struct pop *p, size_t i)
{
    return p->data[p->r[i].input] + p->r[i].off;
}

/* ---- the allocation, independently ---- */

struct seat {
    size_t h;
    const char *v;
    uint64_t floor, rem;
    int fixed;
};

static int cmp_bytes(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;
    int c = memcmp(a, b, n);
    return c ? c : (la > lb) - (la < lb);
}

static int cmp_seat(const void *x, const void *y)
{
    const struct seat *a = x, *b = y;
    if (a->fixed != b->fixed)
        return a->fixed ? 1 : -1;
    if (a->rem != b->rem)
        return a->rem > b->rem ? -1 : 1;
    return cmp_bytes(a->v, b->v);
}

/* Largest remainder (Hamilton) with --min-per-stratum k: while some
 * stratum's share of the seats left, n_rest N_h / N_rest, is below k, all
 * such strata get min(k, N_h) and leave the split (in rounds: every
 * stratum below k in a round at once); the rest split n_rest by largest
 * remainder. If the minimums sum past n (or k = 0), plain Hamilton.
 * Returns 1 if the leftover split a tie. */
static int allocation(const char *const *names, const uint64_t *sizes, size_t ns, uint64_t n,
                      uint64_t k, uint64_t *alloc)
{
    uint64_t total = 0, given = 0, need = 0;
    for (size_t h = 0; h < ns; h++) {
        total += sizes[h];
        need += sizes[h] < k ? sizes[h] : k;
    }
    if (n > total)
        n = total;
    int fixed[MAXS + 1] = {0};
    uint64_t rest = n, rest_size = total;
    for (int round = 1; k && need <= n && round;) {
        round = 0;
        int below[MAXS + 1] = {0};
        for (size_t h = 0; h < ns; h++)
            below[h] = !fixed[h] && rest * sizes[h] < k * rest_size;
        for (size_t h = 0; h < ns; h++)
            if (below[h]) {
                fixed[h] = round = 1;
                rest -= sizes[h] < k ? sizes[h] : k;
                rest_size -= sizes[h];
            }
    }
    struct seat s[MAXS + 1];
    for (size_t h = 0; h < ns; h++) {
        if (fixed[h])
            s[h] = (struct seat){h, names[h], sizes[h] < k ? sizes[h] : k, 0, 1};
        else
            s[h] = (struct seat){h, names[h], rest_size ? rest * sizes[h] / rest_size : 0,
                                 rest_size ? rest * sizes[h] % rest_size : 0, 0};
        given += s[h].floor;
    }
    qsort(s, ns, sizeof s[0], cmp_seat);
    uint64_t left = n - given;
    for (size_t i = 0; i < ns; i++)
        alloc[s[i].h] = s[i].floor + (i < left);
    return left > 0 && left < ns && s[left - 1].rem == s[left].rem && !s[left].fixed;
}

/* The default allocation (--min-per-stratum 1). */
static int hamilton(const char *const *names, const uint64_t *sizes, size_t ns, uint64_t n,
                    uint64_t *alloc)
{
    return allocation(names, sizes, ns, n, 1, alloc);
}

/* ---- expected samples ---- */

struct keyed {
    uint64_t key;
    size_t i;
};

static int cmp_keyed(const void *x, const void *y)
{
    const struct keyed *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Record keys as the design uses them. */
static uint64_t rkey(const struct pop *p, uint64_t seed, size_t i)
{
    uint32_t f = p->r[i].input;
    uint64_t src = t_source_id(p->paths[f], p->data[f], p->len[f], p->hdr[f]);
    return ladle_record_key(seed, src, p->r[i].off);
}

/* sel[i] = 1 for the take[h] records of smallest key in each stratum h
 * (stratum index ns stands for the records without the field). */
static void bottom_per_stratum(const struct pop *p, uint64_t seed, const uint64_t *take,
                               size_t nslots, char *sel)
{
    struct keyed *v = malloc((p->n + 1) * sizeof *v);
    memset(sel, 0, p->n);
    for (size_t h = 0; h < nslots; h++) {
        size_t m = 0;
        for (size_t i = 0; i < p->n; i++) {
            int s = p->r[i].stratum < 0 ? (int)p->nstrata : p->r[i].stratum;
            if ((size_t)s == h)
                v[m++] = (struct keyed){rkey(p, seed, i), i};
        }
        qsort(v, m, sizeof *v, cmp_keyed);
        for (size_t k = 0; k < m && k < take[h]; k++)
            sel[v[k].i] = 1;
    }
    free(v);
}

/* The file order of records: input, then offset. */
static int cmp_file_order(const struct pop *p, size_t a, size_t b)
{
    if (p->r[a].input != p->r[b].input)
        return p->r[a].input < p->r[b].input ? -1 : 1;
    return p->r[a].off < p->r[b].off ? -1 : p->r[a].off > p->r[b].off;
}

static const struct pop *sort_pop;
static uint64_t sort_seed;

static int cmp_idx_file(const void *x, const void *y)
{
    return cmp_file_order(sort_pop, *(const size_t *)x, *(const size_t *)y);
}

static int cmp_idx_key(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    uint64_t ka = rkey(sort_pop, sort_seed, a), kb = rkey(sort_pop, sort_seed, b);
    if (ka != kb)
        return ka < kb ? -1 : 1;
    return cmp_file_order(sort_pop, a, b);
}

/* The selected records, in input order (or key order), as output bytes,
 * the header first when header; order[] gets their indices. */
static char *render(const struct pop *p, const char *sel, uint64_t seed, int shuffle, int header,
                    size_t *len, size_t *count, size_t *order)
{
    size_t m = 0, bytes = p->hdr[0];
    for (size_t i = 0; i < p->n; i++)
        if (sel[i]) {
            order[m++] = i;
            bytes += p->r[i].len;
        }
    sort_pop = p;
    sort_seed = seed;
    qsort(order, m, sizeof *order, shuffle ? cmp_idx_key : cmp_idx_file);
    char *out = malloc(bytes + 1);
    size_t pos = 0;
    if (header) {
        memcpy(out, p->data[0], p->hdr[0]);
        pos = p->hdr[0];
    }
    for (size_t k = 0; k < m; k++) {
        memcpy(out + pos, rec_data(p, order[k]), p->r[order[k]].len);
        pos += p->r[order[k]].len;
    }
    *len = pos;
    *count = m;
    return out;
}

/* Takes the weight column off each line of out (TSV: the last column; JSON:
 * the "_weight" key before the closing brace) into w[]; out->len shrinks.
 * Returns the number of lines, or -1 if a line has no weight. */
static long strip_weights(struct t_output *out, int json, double *w, size_t wcap)
{
    char *src = out->data, *end = out->data + out->len, *dst = out->data;
    long lines = 0;
    while (src < end) {
        char *nl = memchr(src, '\n', (size_t)(end - src));
        if (!nl)
            return -1;
        size_t len = (size_t)(nl - src);
        char *cut = NULL, *num = NULL;
        if (json) {
            for (char *q = nl - 1; q > src; q--)
                if (*q == ',' && strncmp(q, ",\"_weight\":", 11) == 0) {
                    cut = q;
                    num = q + 11;
                    break;
                }
        } else {
            for (char *q = nl - 1; q >= src; q--)
                if (*q == '\t') {
                    cut = q;
                    num = q + 1;
                    break;
                }
        }
        if (!cut || (size_t)lines >= wcap)
            return -1;
        w[lines++] = strtod(num, NULL);
        /* keep [src, cut) and, for JSON, the closing brace; then '\n' */
        size_t keep = (size_t)(cut - src);
        memmove(dst, src, keep);
        dst += keep;
        if (json) {
            *dst++ = '}';
        }
        *dst++ = '\n';
        (void)len;
        src = nl + 1;
    }
    out->len = (size_t)(dst - out->data);
    return lines;
}

/* ---- jobs ---- */

struct opts {
    ladle_design design;
    uint64_t n, per_stratum;
    const char *fractions;
    const char *field;
    uint64_t seed;
    unsigned threads;
    int64_t chunk;
    int shuffle, emit_weight, header;
    ladle_missing missing;
    int min_given; /* 0: --min-per-stratum's default (1) */
    uint64_t min_per_stratum;
};

static void run_strata(const struct pop *p, const struct opts *o, struct t_output *out)
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, o->design) == LADLE_OK);
    if (o->design == LADLE_DESIGN_STRATIFIED && o->per_stratum)
        CHECK(ladle_job_set(j, LADLE_P_PER_STRATUM, (int64_t)o->per_stratum) == LADLE_OK);
    else if (o->design == LADLE_DESIGN_STRATIFIED)
        CHECK(ladle_job_set(j, LADLE_P_N, (int64_t)o->n) == LADLE_OK);
    if (o->fractions)
        CHECK(ladle_job_set_string(j, LADLE_S_FRACTIONS, o->fractions) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FORMAT, p->json ? "json" : "tsv") == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FIELD,
                               o->field  ? o->field
                               : p->json ? "s"
                                         : "1") == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)o->seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, o->threads ? o->threads : 2) == LADLE_OK);
    if (o->chunk)
        CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, o->chunk) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SHUFFLE, o->shuffle) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_EMIT_WEIGHT, o->emit_weight) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_HEADER, o->header) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_MISSING, o->missing) == LADLE_OK);
    if (o->min_given)
        CHECK(ladle_job_set(j, LADLE_P_MIN_PER_STRATUM, (int64_t)o->min_per_stratum) == LADLE_OK);
    for (int f = 0; f < NFILES; f++)
        CHECK(ladle_job_add_input(j, p->paths[f]) == LADLE_OK);
    t_run_job(j, out);
    ladle_job_free(j);
}

/* Stratum sizes (slot ns: records without the field). */
static void stratum_sizes(const struct pop *p, uint64_t *sizes)
{
    memset(sizes, 0, (MAXS + 1) * sizeof *sizes);
    for (size_t i = 0; i < p->n; i++)
        sizes[p->r[i].stratum < 0 ? p->nstrata : (size_t)p->r[i].stratum]++;
}

/* Runs o on p and compares with the sample `take` (per stratum slot)
 * describes; weights (if o->emit_weight) must be wgt[slot]. Returns 1 if
 * all matched. */
static int check_sample(const struct pop *p, const struct opts *o, const uint64_t *take,
                        size_t nslots, const double *wgt, const char *what)
{
    char *sel = malloc(p->n + 1);
    size_t *order = malloc((p->n + 1) * sizeof *order);
    bottom_per_stratum(p, o->seed, take, nslots, sel);
    size_t wlen, wcount;
    char *want = render(p, sel, o->seed, o->shuffle, o->header, &wlen, &wcount, order);
    struct t_output out;
    run_strata(p, o, &out);
    int ok = out.status == LADLE_OK && out.report.records_out == wcount;
    double *w = malloc((p->n + 2) * sizeof *w);
    if (ok && o->emit_weight) {
        /* The header line gains the column name: check it, then take the
         * weights off the records and compare the rest byte for byte. */
        size_t skip = 0;
        if (o->header) {
            const char *nl = memchr(out.data, '\n', out.len);
            size_t h = p->hdr[0] - 1; /* the header without its '\n' */
            ok = nl && (size_t)(nl - out.data) == h + 8 && memcmp(out.data, p->data[0], h) == 0 &&
                 memcmp(out.data + h, "\t_weight", 8) == 0;
            CHECKF(ok, "%s: header line is not the input's plus \\t_weight", what);
            if (ok) { /* drop the column name: the header then matches `want` */
                memmove(out.data + h, out.data + h + 8, out.len - h - 8);
                out.len -= 8;
                skip = h + 1;
            }
        }
        struct t_output body = out;
        body.data = out.data + skip;
        body.len = out.len - skip;
        long lines = ok ? strip_weights(&body, p->json, w, p->n + 1) : -1;
        if (ok && lines != (long)wcount) {
            CHECKF(0, "%s: %ld weighted lines, want %zu", what, lines, wcount);
            ok = 0;
        }
        for (size_t k = 0; ok && k < wcount; k++) {
            const struct rec *r = &p->r[order[k]];
            double want_w = wgt[r->stratum < 0 ? p->nstrata : (size_t)r->stratum];
            if (!(fabs(w[k] - want_w) <= 1e-12 * want_w)) {
                CHECKF(0, "%s: record %zu: weight %.17g, want %.17g", what, k, w[k], want_w);
                ok = 0;
            }
        }
        out.len = skip + body.len;
    }
    int same = ok && out.len == wlen && memcmp(out.data, want, wlen) == 0;
    CHECKF(same, "%s: %llu records/%zu bytes, want %zu/%zu (status %d %s)", what,
           (unsigned long long)out.report.records_out, out.len, wcount, wlen, out.status,
           out.error);
    if (!same && ok)
        t_show_first_diff(&out, want, wlen);
    free(w);
    free(sel);
    free(order);
    free(want);
    t_output_free(&out);
    return same;
}

/* ---- 1. allocation ---- */

static const char *const names1[] = {"a", "bb", "c", "d",  "e", "f",
                                     "g", "h",  "y", "zz", "z", "\xc3\xa9"};
static const size_t sizes1[] = {400, 230, 123, 77, 50, 11, 5, 1, 7, 7, 7, 7};
enum { NS1 = 12 };
static struct pop pop1;

static void test_allocation(void)
{
    make_pop(&pop1, names1, sizes1, NS1, 0, 0, 0, "alloc");
    uint64_t sizes[MAXS + 1], alloc[MAXS + 1];
    stratum_sizes(&pop1, sizes);
    const uint64_t total = pop1.n;
    CHECK(total == 925);
    int ties_split = 0, failures = 0;
    uint64_t ns[80];
    size_t cnt = 0;
    for (uint64_t n = 0; n <= 60; n++)
        ns[cnt++] = n;
    static const uint64_t more[] = {77, 100, 250, 333, 500, 924, 925, 926, 5000};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        ns[cnt++] = more[i];
    int minimum_used = 0;
    /* Smoke: ladle runs for every 10th N and the last four (924..5000). */
    const size_t every = t_reps(1, 10);
    for (uint64_t k = 0; k <= 3; k++)
        for (size_t i = 0; i < cnt && failures < 5; i++) {
            uint64_t n = ns[i], plain[MAXS + 1];
            ties_split += allocation(names1, sizes, NS1, n, k, alloc);
            allocation(names1, sizes, NS1, n, 0, plain);
            uint64_t sum = 0, need = 0;
            int differs = 0;
            for (size_t h = 0; h < NS1; h++) {
                sum += alloc[h];
                need += sizes[h] < k ? sizes[h] : k;
                differs |= alloc[h] != plain[h];
                CHECK(alloc[h] <= sizes[h]);
            }
            for (size_t h = 0; h < NS1 && need <= n; h++) /* the minimum holds when it fits */
                CHECK(alloc[h] >= (sizes[h] < k ? sizes[h] : k));
            minimum_used += differs;
            CHECK(sum == (n < total ? n : total));
            char what[64];
            snprintf(what, sizeof what, "--strata 1 -n %llu --min-per-stratum %llu",
                     (unsigned long long)n, (unsigned long long)k);
            struct opts o = {LADLE_DESIGN_STRATIFIED, n, 0, NULL, NULL, 3, 2, 0, 0, 0, 0, 0, 1, k};
            if (i % every == 0 || i + 4 >= cnt)
                failures += !check_sample(&pop1, &o, alloc, NS1, NULL, what);
        }
    /* The minimum changes the allocation for many N (else the loop over k
     * tests nothing new). */
    fprintf(stderr, "allocation: the minimum changed %d allocations\n", minimum_used);
    CHECK(minimum_used > 50);
    fprintf(stderr, "allocation: %d values of N split a tie among equal remainders\n", ties_split);
    CHECK(ties_split >= 3);
    /* N >= population: the whole input, in input order. */
    struct opts all = {LADLE_DESIGN_STRATIFIED, 1000000, 0, NULL, NULL, 3, 2, 0, 0, 0, 0, 0, 0, 0};
    struct t_output out;
    run_strata(&pop1, &all, &out);
    CHECK(out.status == LADLE_OK && out.len == pop1.len[0] + pop1.len[1] &&
          memcmp(out.data, pop1.data[0], pop1.len[0]) == 0 &&
          memcmp(out.data + pop1.len[0], pop1.data[1], pop1.len[1]) == 0);
    CHECK(out.report.records_in == total);
    t_output_free(&out);
}

/* ---- 1b. unbiased totals with --min-per-stratum ---- */

/* Sum of weights and HT total of y = 1 + i over the output of one run
 * ("value\tR<i>\tpad\t<weight>"). Returns 0, or -1 on a bad run. */
static int ht_totals(const struct pop *p, const struct opts *o, double *wsum, double *ysum)
{
    struct t_output out;
    run_strata(p, o, &out);
    int rc = out.status == LADLE_OK ? 0 : -1;
    *wsum = *ysum = 0;
    for (char *q = out.data, *end = out.data + out.len; rc == 0 && q < end;) {
        char *nl = memchr(q, '\n', (size_t)(end - q)), *r = memchr(q, '\t', (size_t)(end - q));
        char *wt = nl ? nl : end;
        while (wt > q && *wt != '\t')
            wt--;
        if (!nl || !r || r[1] != 'R' || wt <= r) {
            rc = -1;
            break;
        }
        double w = strtod(wt + 1, NULL), y = 1.0 + strtod(r + 2, NULL);
        *wsum += w;
        *ysum += w * y;
        q = nl + 1;
    }
    t_output_free(&out);
    return rc;
}

static void test_min_unbiased(void)
{
    static const char *const names[] = {"A", "B", "C", "D", "E"};
    static const size_t sizes[] = {50, 30, 15, 4, 1};
    struct pop p;
    make_pop(&p, names, sizes, 5, 0, 0, 0, "minps");
    double truth = 0;
    for (size_t i = 0; i < p.n; i++)
        truth += 1.0 + (double)i;
    enum { S = 2000 };
    const uint64_t runs = t_reps(S, 3);
    for (uint64_t k = 0; k <= 1; k++) {
        double sum = 0, sum2 = 0, wmin = 1e300, wmax = 0;
        int bad = 0;
        for (uint64_t seed = 0; seed < runs; seed++) {
            struct opts o = {
                LADLE_DESIGN_STRATIFIED, 10, 0, NULL, NULL, 500 + seed, 1, 0, 0, 1, 0, 0, 1, k};
            double ws, ys;
            if (ht_totals(&p, &o, &ws, &ys) != 0) {
                bad++;
                continue;
            }
            sum += ys;
            sum2 += ys * ys;
            wmin = ws < wmin ? ws : wmin;
            wmax = ws > wmax ? ws : wmax;
        }
        CHECK(bad == 0);
        const double rs = (double)runs;
        double mean = sum / rs, se = sqrt((sum2 - rs * mean * mean) / (rs - 1) / rs);
        fprintf(stderr,
                "--min-per-stratum %llu: weights sum to %.4g..%.4g; mean HT total %.1f (true "
                "%.0f, se %.1f)\n",
                (unsigned long long)k, wmin, wmax, mean, truth, se);
        if (k == 1) {
            CHECK(fabs(wmin - 100) < 1e-9 && fabs(wmax - 100) < 1e-9);
            CHECK_STAT(fabs(mean - truth) < 5 * se, "mean total %.1f, true %.0f, se %.1f", mean,
                       truth, se);
        } else { /* power: the plain allocation drops D and E */
            CHECK(fabs(wmax - 95) < 1e-9);
            CHECK_STAT(fabs(mean - truth) >= 5 * se, "power: mean total %.1f not rejected", mean);
        }
    }
    pop_free(&p);
}

/* ---- 2. uniformity within strata ---- */

enum { SEEDS = 1500, NU = 60 };

/* X2 over the three strata (57 dof). counts[i]: inclusion count of record i. */
static double chi2_strata(const struct pop *p, const long *counts, const uint64_t *sizes,
                          const uint64_t *alloc, size_t seeds)
{
    double x = 0;
    for (size_t h = 0; h < p->nstrata; h++) {
        double n = (double)sizes[h], q = (double)alloc[h] / n, e = (double)seeds * q;
        double var = (double)seeds * q * (1 - q) * n / (n - 1);
        for (size_t i = 0; i < p->n; i++)
            if ((size_t)p->r[i].stratum == h)
                x += ((double)counts[i] - e) * ((double)counts[i] - e) / var;
    }
    return x;
}

static void test_uniform(void)
{
    const int dof = 57;
    const double hi = t_chi2_quantile(1 - 1e-4, dof), lo = t_chi2_quantile(1e-4, dof);
    const double hi39 = t_chi2_quantile(1 - 1e-4, 39);
    CHECKF(fabs(hi39 - 80.65) < 0.02, "chi2(39) upper 1e-4 point %.3f, table 80.65", hi39);
    static const char *const names[] = {"p", "q", "r"};
    static const size_t sz[] = {20, 30, 10};
    struct pop p;
    make_pop(&p, names, sz, 3, 0, 0, 0, "uni");
    uint64_t sizes[MAXS + 1], alloc[MAXS + 1];
    stratum_sizes(&p, sizes);
    hamilton(names, sizes, 3, 12, alloc);
    CHECK(alloc[0] == 4 && alloc[1] == 6 && alloc[2] == 2);
    long counts[NU] = {0}, favoured[NU] = {0}, first[NU] = {0}, robin[NU] = {0};
    char *sel = malloc(p.n);
    int mismatches = 0;
    /* positions of each record within its stratum, in input order */
    size_t rank[NU], seen[3] = {0};
    size_t byfile[NU];
    for (size_t i = 0; i < p.n; i++)
        byfile[i] = i;
    sort_pop = &p;
    qsort(byfile, p.n, sizeof *byfile, cmp_idx_file);
    size_t fav_rec = SIZE_MAX;
    for (size_t k = 0; k < p.n; k++) {
        size_t i = byfile[k];
        rank[i] = seen[p.r[i].stratum]++;
        if (p.r[i].stratum == 0 && rank[i] == 0)
            fav_rec = i;
    }
    const size_t seeds = t_reps(SEEDS, 3);
    for (size_t s = 0; s < seeds; s++) {
        uint64_t seed = 0xABC000 + s * 31;
        struct opts o = {
            LADLE_DESIGN_STRATIFIED, 12, 0, NULL, NULL, seed, 1, 4096, 0, 0, 0, 0, 0, 0};
        bottom_per_stratum(&p, seed, alloc, 3, sel);
        struct t_output out;
        run_strata(&p, &o, &out);
        /* Which records came out: each line's "R<i>". */
        char *q = out.data, *end = out.data + out.len;
        char got[NU] = {0};
        while (q < end) {
            char *tab = memchr(q, '\t', (size_t)(end - q));
            char *nl = memchr(q, '\n', (size_t)(end - q));
            if (!tab || !nl)
                break;
            long i = strtol(tab + 2, NULL, 10);
            if (i >= 0 && i < NU)
                got[i] = 1, counts[i]++;
            q = nl + 1;
        }
        if ((out.status != LADLE_OK || memcmp(got, sel, p.n) != 0) && mismatches++ < 3)
            CHECKF(0, "seed %llu: not the smallest keys of each stratum (%s)",
                   (unsigned long long)seed, out.error);
        t_output_free(&out);
        /* The wrong selectors, with the same keys. */
        struct keyed v[NU];
        for (size_t h = 0; h < 3; h++) {
            size_t m = 0;
            for (size_t i = 0; i < p.n; i++)
                if ((size_t)p.r[i].stratum == h)
                    v[m++] = (struct keyed){rkey(&p, seed, i) >> (i == fav_rec), i};
            qsort(v, m, sizeof v[0], cmp_keyed);
            for (size_t k = 0; k < alloc[h]; k++)
                favoured[v[k].i]++;
        }
        for (size_t i = 0; i < p.n; i++) {
            size_t h = (size_t)p.r[i].stratum;
            first[i] += rank[i] < alloc[h];
            robin[i] += (rank[i] + sizes[h] - (s * alloc[h]) % sizes[h]) % sizes[h] < alloc[h];
        }
    }
    double x = chi2_strata(&p, counts, sizes, alloc, seeds);
    fprintf(stderr, "uniformity within strata: chi-square %.2f (%d dof, accepted %.2f..%.2f)\n", x,
            dof, lo, hi);
    CHECK_STAT(x > lo && x < hi, "inclusion counts: chi-square %.2f outside (%.2f, %.2f)", x, lo,
               hi);
    double xf = chi2_strata(&p, favoured, sizes, alloc, seeds),
           x1 = chi2_strata(&p, first, sizes, alloc, seeds),
           xr = chi2_strata(&p, robin, sizes, alloc, seeds);
    fprintf(stderr, "power: favoured record %.1f, first-k %.1f, round-robin %.2f\n", xf, x1, xr);
    CHECK_STAT(xf > hi, "power: favoured record %.1f not rejected", xf);
    CHECK_STAT(x1 > hi, "power: first-k %.1f not rejected", x1);
    CHECK_STAT(xr < lo, "power: round-robin %.2f not rejected", xr);
    free(sel);
    pop_free(&p);
}

/* ---- 3. --per-stratum and weights ---- */

static void test_per_stratum(void)
{
    uint64_t sizes[MAXS + 1], take[MAXS + 1], alloc[MAXS + 1];
    double w[MAXS + 1];
    stratum_sizes(&pop1, sizes);
    static const uint64_t ns[] = {1, 3, 7, 8, 100, 1000};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (int ew = 0; ew <= 1; ew++) {
            for (size_t h = 0; h < NS1; h++) {
                take[h] = ns[i] < sizes[h] ? ns[i] : sizes[h];
                w[h] = (double)sizes[h] / (double)take[h];
            }
            char what[64];
            snprintf(what, sizeof what, "--per-stratum %llu%s", (unsigned long long)ns[i],
                     ew ? " --emit-weight" : "");
            struct opts o = {
                LADLE_DESIGN_STRATIFIED, 0, ns[i], NULL, NULL, 11, 2, 0, 0, ew, 0, 0, 0, 0};
            check_sample(&pop1, &o, take, NS1, w, what);
        }
    /* -n N --emit-weight: N_h / n_h (strata given nothing have no record). */
    static const uint64_t nn[] = {10, 37, 500};
    for (size_t i = 0; i < 3; i++) {
        hamilton(names1, sizes, NS1, nn[i], alloc);
        for (size_t h = 0; h < NS1; h++)
            w[h] = alloc[h] ? (double)sizes[h] / (double)alloc[h] : 0;
        char what[64];
        snprintf(what, sizeof what, "-n %llu --emit-weight", (unsigned long long)nn[i]);
        struct opts o = {LADLE_DESIGN_STRATIFIED, nn[i], 0, NULL, NULL, 12, 2, 0, 0, 1, 0, 0, 0, 0};
        check_sample(&pop1, &o, alloc, NS1, w, what);
    }
}

/* ---- 4. --fractions ---- */

static uint64_t rate_threshold(double p)
{
    return p >= 1.0 ? UINT64_MAX : (uint64_t)(p * 18446744073709551616.0);
}

static void test_fractions(void)
{
    static const char *const names[] = {"A", "B", "C", "D", "E"};
    static const size_t sz[] = {4000, 3000, 2000, 1000, 500};
    struct pop p;
    make_pop(&p, names, sz, 5, 0, 0, 0, "frac");
    struct spec {
        const char *text;
        double rate[5];
    } specs[] = {
        {"A=1,B=0.1,C=0,*=0.3", {1, 0.1, 0, 0.3, 0.3}},
        {"A=0.5,B=0.1", {0.5, 0.1, 0, 0, 0}},
    };
    char *sel = malloc(p.n);
    size_t *order = malloc(p.n * sizeof *order);
    int power_ok = 1;
    for (size_t sp = 0; sp < 2; sp++)
        for (uint64_t seed = 100; seed < 100 + t_reps(3, 1); seed++) {
            const double *rate = specs[sp].rate;
            long kept[5] = {0}, wrong[5] = {0};
            for (size_t i = 0; i < p.n; i++) {
                size_t h = (size_t)p.r[i].stratum;
                uint64_t k = rkey(&p, seed, i);
                sel[i] = rate[h] >= 1.0 || k < rate_threshold(rate[h]);
                kept[h] += sel[i];
                wrong[h] += k < rate_threshold(0.3); /* '*' rate everywhere */
            }
            for (int ew = 0; ew <= 1; ew++) {
                size_t wlen, wcount;
                char *want = render(&p, sel, seed, 0, 0, &wlen, &wcount, order);
                struct opts o = {LADLE_DESIGN_FRACTIONS,
                                 0,
                                 0,
                                 specs[sp].text,
                                 NULL,
                                 seed,
                                 2,
                                 0,
                                 0,
                                 ew,
                                 0,
                                 0,
                                 0,
                                 0};
                struct t_output out;
                run_strata(&p, &o, &out);
                double *w = malloc((p.n + 1) * sizeof *w);
                int ok = out.status == LADLE_OK;
                if (ok && ew) {
                    long lines = strip_weights(&out, 0, w, p.n);
                    ok = lines == (long)wcount;
                    for (size_t k = 0; ok && k < wcount; k++) {
                        double r = rate[p.r[order[k]].stratum];
                        ok = fabs(w[k] - 1.0 / r) <= 1e-12 / r;
                        CHECKF(ok, "--fractions %s --emit-weight: weight %.17g, want 1/%g",
                               specs[sp].text, w[k], r);
                    }
                }
                CHECKF(ok && out.len == wlen && memcmp(out.data, want, wlen) == 0,
                       "--fractions %s seed %llu emit-weight %d: not the records with key < "
                       "rate 2^64 (%zu bytes, want %zu; status %d %s)",
                       specs[sp].text, (unsigned long long)seed, ew, out.len, wlen, out.status,
                       out.error);
                free(w);
                free(want);
                t_output_free(&out);
            }
            for (size_t h = 0; h < 5; h++) {
                double n = (double)sz[h], r = rate[h], mean = n * r, sd = sqrt(n * r * (1 - r));
                CHECK_STAT(fabs((double)kept[h] - mean) <= 5 * sd,
                           "--fractions %s seed %llu: stratum %s kept %ld, binomial %.0f +- 5*%.1f",
                           specs[sp].text, (unsigned long long)seed, names[h], kept[h], mean, sd);
                if (r == 0 || r == 1)
                    CHECK(kept[h] == (long)mean);
            }
            /* Power: '*' everywhere is rejected in stratum B. */
            double mb = (double)sz[1] * rate[1], sdb = sqrt(mb * (1 - rate[1]));
            power_ok &= fabs((double)wrong[1] - mb) > 5 * sdb;
        }
    CHECK_STAT(power_ok, "the binomial bounds do not reject the '*'-everywhere selector");
    free(sel);
    free(order);
    pop_free(&p);
}

/* ---- 5. --missing ---- */

static void test_missing(void)
{
    static const char *const names[] = {"a", "b"};
    static const size_t sz[] = {100, 60};
    struct pop p;
    make_pop(&p, names, sz, 2, 40, 1, 0, "miss");
    uint64_t sizes[MAXS + 1], alloc[MAXS + 1];
    stratum_sizes(&p, sizes);
    CHECK(sizes[2] == 40);
    /* skip: N among the 160 with the field; the 40 counted. */
    hamilton(names, sizes, 2, 25, alloc);
    alloc[2] = 0;
    struct opts skip = {LADLE_DESIGN_STRATIFIED, 25, 0, NULL, NULL, 8, 2, 0, 0, 0, 0,
                        LADLE_MISSING_SKIP,      0,  0};
    check_sample(&p, &skip, alloc, 3, NULL, "--missing skip -n 25");
    struct t_output out;
    run_strata(&p, &skip, &out);
    CHECKF(out.report.records_missing == 40, "--missing skip: records_missing %llu, want 40",
           (unsigned long long)out.report.records_missing);
    t_output_free(&out);
    /* --per-stratum and --fractions skip them too. */
    struct opts ps = {LADLE_DESIGN_STRATIFIED, 0, 1000, NULL, NULL, 8, 2, 0, 0, 0, 0,
                      LADLE_MISSING_SKIP,      0, 0};
    uint64_t everything[3] = {100, 60, 0};
    check_sample(&p, &ps, everything, 3, NULL, "--missing skip --per-stratum 1000");
    run_strata(&p, &ps, &out);
    CHECK(out.report.records_missing == 40);
    t_output_free(&out);

    /* error: an input error naming the file. */
    struct opts err = skip;
    err.missing = LADLE_MISSING_ERROR;
    for (int d = 0; d < 3; d++) {
        struct opts e = err;
        if (d == 1)
            e.per_stratum = 5;
        if (d == 2)
            e.design = LADLE_DESIGN_FRACTIONS, e.fractions = "*=0.5";
        run_strata(&p, &e, &out);
        CHECKF(out.status == LADLE_E_INPUT &&
                   (strstr(out.error, p.paths[0]) || strstr(out.error, p.paths[1])),
               "--missing error (variant %d): status %d, error '%s'", d, out.status, out.error);
        t_output_free(&out);
    }

    /* keep: the 40 form the stratum "" (whose bytes sort first). */
    static const char *const names_keep[] = {"a", "b", ""};
    hamilton(names_keep, sizes, 3, 25, alloc);
    CHECK(alloc[0] + alloc[1] + alloc[2] == 25);
    struct opts keep = skip;
    keep.missing = LADLE_MISSING_KEEP;
    check_sample(&p, &keep, alloc, 3, NULL, "--missing keep -n 25");
    /* Small N, where the seats of "" depend on the remainders and ties. */
    for (uint64_t n = 1; n <= 12; n++) {
        hamilton(names_keep, sizes, 3, n, alloc);
        keep.n = n;
        char what[64];
        snprintf(what, sizeof what, "--missing keep -n %llu", (unsigned long long)n);
        check_sample(&p, &keep, alloc, 3, NULL, what);
    }
    run_strata(&p, &keep, &out);
    CHECK(out.status == LADLE_OK && out.report.records_missing == 0);
    t_output_free(&out);
    pop_free(&p);
}

/* ---- 6. determinism ---- */

static void test_determinism(void)
{
    uint64_t sizes[MAXS + 1], alloc[MAXS + 1], take[MAXS + 1];
    double w[MAXS + 1];
    stratum_sizes(&pop1, sizes);
    hamilton(names1, sizes, NS1, 120, alloc);
    for (size_t h = 0; h < NS1; h++) {
        take[h] = sizes[h] < 4 ? sizes[h] : 4;
        w[h] = alloc[h] ? (double)sizes[h] / (double)alloc[h] : 0;
    }
    static const int64_t chunks[] = {1, 7, 4096};
    /* Smoke: threads 1 and 4, chunk 1 with 1 thread only (with 4 it takes
     * over a second a run under TSan). */
    const unsigned th_step = t_threads_step(4);
    for (unsigned th = 1; th <= 4; th += th_step)
        for (size_t c = 0; c < 3; c++) {
            if (t_smoke() && th > 1 && chunks[c] == 1)
                continue;
            char what[96];
            snprintf(what, sizeof what, "-n 120 threads %u chunk %lld", th, (long long)chunks[c]);
            struct opts o = {
                LADLE_DESIGN_STRATIFIED, 120, 0, NULL, NULL, 21, th, chunks[c], 0, 1, 0, 0, 0, 0};
            check_sample(&pop1, &o, alloc, NS1, w, what);
            snprintf(what, sizeof what, "-n 120 --shuffle threads %u chunk %lld", th,
                     (long long)chunks[c]);
            o.shuffle = 1;
            o.emit_weight = 0;
            check_sample(&pop1, &o, alloc, NS1, NULL, what);
            snprintf(what, sizeof what, "--per-stratum 4 threads %u chunk %lld", th,
                     (long long)chunks[c]);
            struct opts ps = {
                LADLE_DESIGN_STRATIFIED, 0, 4, NULL, NULL, 21, th, chunks[c], 0, 0, 0, 0, 0, 0};
            check_sample(&pop1, &ps, take, NS1, NULL, what);
        }
    /* --fractions across threads/chunks: identical bytes. */
    struct t_output ref;
    struct opts fo = {
        LADLE_DESIGN_FRACTIONS, 0, 0, "a=0.5,c=1,*=0.25", NULL, 21, 1, 0, 0, 1, 0, 0, 0, 0};
    run_strata(&pop1, &fo, &ref);
    CHECK(ref.status == LADLE_OK && ref.len > 0);
    for (unsigned th = 1; th <= 4; th += th_step)
        for (size_t c = 0; c < 3; c++) {
            if (t_smoke() && th > 1 && chunks[c] == 1)
                continue;
            struct opts o = fo;
            o.threads = th;
            o.chunk = chunks[c];
            struct t_output out;
            run_strata(&pop1, &o, &out);
            CHECKF(out.len == ref.len && memcmp(out.data, ref.data, ref.len) == 0,
                   "--fractions threads %u chunk %lld: output differs", th, (long long)chunks[c]);
            t_output_free(&out);
        }
    t_output_free(&ref);

    /* --header with the stratum named by its header column. */
    static const char *const names[] = {"INFO", "WARN", "ERROR"};
    static const size_t sz[] = {300, 50, 9};
    struct pop hp;
    make_pop(&hp, names, sz, 3, 0, 0, 1, "hdr");
    stratum_sizes(&hp, sizes);
    hamilton(names, sizes, 3, 40, alloc);
    for (size_t h = 0; h < 3; h++)
        w[h] = (double)sizes[h] / (double)alloc[h];
    for (size_t c = 0; c < 3; c++) {
        struct opts o = {LADLE_DESIGN_STRATIFIED,
                         40,
                         0,
                         NULL,
                         "lvl",
                         4,
                         (unsigned)(c + 1),
                         chunks[c],
                         0,
                         0,
                         1,
                         0,
                         0,
                         0};
        check_sample(&hp, &o, alloc, 3, NULL, "--header --strata lvl -n 40");
        o.emit_weight = 1;
        check_sample(&hp, &o, alloc, 3, w, "--header --strata lvl -n 40 --emit-weight");
    }
    pop_free(&hp);
}

int main(void)
{
    test_allocation();
    test_min_unbiased();
    test_uniform();
    test_per_stratum();
    test_fractions();
    test_missing();
    test_determinism();
    pop_free(&pop1);
    return t_done("test_stratified");
}

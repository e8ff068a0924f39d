/*
 * test_split.c -- datasets through the job API: LADLE_S_OUTPUT_DIR with
 * LADLE_S_RATIOS, --by, --stratify, --balance (under, cap:N, ratio:R,
 * over), with and without a sampling design.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * Every run writes a fresh DIR (missing, or made empty first: both must be
 * accepted), and every run is read back independently of ladle: DIR holds
 * exactly manifest.json, README.md, croissant.json and one folder per split; each folder holds
 * part-00000.<ext>.zst, part-00001... (decompressed here with libzstd's
 * streaming API, which skips the seek table); every line is, byte for
 * byte, one of the input records, found by its id "R<i>". With jansson the
 * manifest is checked against what the shards hold (6.): each split's
 * records, each shard's file name and records, --shard-records (every
 * shard but the last full), each input's path, size, records and bytes
 * read (once, though a label makes two passes; --head may stop early),
 * and per class "after" = lines of that class in the split, "weight" =
 * n / (K n_c) on the after counts (K = classes with records in the split;
 * 1e-9 relative: the manifest prints 12 digits), "before" per test;
 * report.records_out = all lines; nothing is written to out_fd.
 *
 * Tolerances: every statistic is compared with bounds computed from its
 * law (test_stat.c's chi-square quantiles at p = 1e-4 per tail, or 5 sd
 * of a binomial: normal tail 5.7e-7), with fixed seeds, so a pass is
 * reproducible and a correct ladle would fail with probability about
 * 2e-3 over the whole file (eight two-tailed chi-square checks at 2e-4,
 * three at 1e-4, the rest at 5 sd). Each statistic also comes with a "power" check: the same
 * bound rejects a plausible wrong implementation (computed here from the
 * same data), so no check is one that cannot fail.
 *
 * 1. Hash split (no --by): 20000 records, train/val/test = .8/.1/.1, one
 *    seed: every record in exactly one split; the three counts pass a
 *    chi-square test (2 dof, p > 1e-4) against the ratios, and reject
 *    .75/.15/.1. 200 records over 60 seeds: each record's number of
 *    "train" seeds is Binomial(60, .8), independently across records
 *    (distinct keys), so sum (c_i - 48)^2 / 9.6 is chi-square with 200 dof:
 *    within the 1e-4 points of both tails. It rejects a seed-independent
 *    split (c_i in {0, 60}) and an even spread (c_i = 48: X2 = 0). Record by
 *    record, the exact binomial two-sided p-value of each c_i must exceed
 *    1e-4 / 200 (Bonferroni; c_i = 30 would fail). Byte-identical datasets
 *    (manifest text and shards) for threads 1..3 x chunk sizes {default,
 *    7, 4096}.
 * 2. Grouped split (--by user, JSON; and --by 2, TSV): all records of a key
 *    in one split. Over 8 seeds the keys per split are multinomial(8 K,
 *    ratios) (each key's split is an independent hash per seed): chi-square
 *    2 dof p > 1e-4 (rejecting .6/.3/.1), and per seed each count within 5
 *    sd of Binomial(K, r_k). Different seeds move keys: between consecutive
 *    seeds the number of keys changing split is Binomial(K, 1 - sum r_k^2),
 *    within 5 sd (a seed-independent split, 0 moved, is 22 sd off). The
 *    same seed: identical datasets for threads 1..3 x chunk sizes, and
 *    every key in the same split with the files in the other order (a
 *    key's split does not depend on where its records are).
 * 3. Independence from the design: --rate 0.5 with train=.5,test=.5, and
 *    --rate 0.2 with train=.2,test=.8, 3 seeds each: the kept records are
 *    exactly those `ladle sample` keeps with that seed, and the train count
 *    among K kept is Binomial(K, r) within 5 sd. A split hash correlated
 *    with the sampling key (the same key against a threshold) sends every
 *    kept record to train: > 50 sd. The same for --cluster 2 --rate 0.3
 *    with --by 2 (both hash the same value): the kept keys in train are
 *    Binomial(kept keys, .3) within 5 sd, and no key is split. And for
 *    --head, -n (bottom-k), --every, each with and without --shuffle
 *    (which may be refused as a usage error but must not change the set):
 *    the records of `ladle sample`, train share Binomial(K, .5) within 5 sd.
 * 4. --stratify: classes of 537, 203, 61, 7, 2 and 1 records, three ratio
 *    sets, threads 1..3, shards of 100 records: for every class c and split
 *    k, |n_ck - N_c r_k| <= 1 and sum_k n_ck = N_c; manifest before = after
 *    = n_ck. With --rate 0.5 and with -n 300 (bottom-k): the same records
 *    as the design alone, stratified exactly over the kept counts. With
 *    --balance on the same label: stratified (val and test byte-identical
 *    to the run without --balance), then train under-sampled to its
 *    smallest class. Uniformity: classes of 20, 30, 10 records (.8/.1/.1
 *    gives 16/2/2, 24/3/3, 8/1/1, the same for every seed), 200 seeds: the
 *    per-record counts c_i of "train" (and separately of "val") give, per
 *    class, sum (c_i - S p)^2 / (S p (1-p) n/(n-1)), chi-square with n-1
 *    dof (exactly a of n drawn per seed: covariance S p(1-p) n/(n-1)
 *    (I - J/n)); classes are independent: 57 dof in all, within the 1e-4
 *    points. Power: "the first a records of each class" (X2 huge) and an
 *    even spread (X2 = 0) are rejected.
 * 5. --balance, train=.7,test=.3 over classes of 400, 150, 60, 25, 2 seeds
 *    (also after --rate 0.5, and with --by 2): the run without --balance
 *    and the same seed gives the natural counts n_c of each split.
 *    Balanced split: under min_c n_c; cap:40 min(n_c, 40); ratio:R
 *    min(n_c, floor(R min)); over max_c n_c for every class; the records
 *    come from that split's own (under/cap/ratio: a subset, each once;
 *    over: every record at least once); the other split is byte-identical
 *    to the unbalanced one; manifest before = n_c, after = target.
 *    --balance-splits train,test balances both, --balance-splits test only
 *    test. --stratify + --balance over on train,val: every class of both
 *    at the largest count, identical for threads 1 and 3 (chunk 7).
 *    Uniformity, one split "all=1", classes of 40, 25, 10: under (10 each),
 *    cap:15 (15, 15, 10), ratio:2 (20, 20, 10), 150 seeds each: exact counts
 *    every seed, inclusion counts chi-square as in 4. (63 dof per mode; the
 *    class of 10 is kept whole); over (40 each): the pooled extra copies
 *    of a class are multinomial(S e, uniform) over its records (e = 40 -
 *    n_c extras drawn with replacement), Pearson chi-square with 24 + 9
 *    dof; and the spread of a record's extras is Binomial(e, 1/n_c)'s: the
 *    per-seed mean square deviation v_s (around e/n_c) is iid over seeds
 *    with mean e p (1 - p) exactly, checked within 5 standard errors (sd
 *    estimated from the v_s, 150 of them). It rejects an even spread of
 *    the extras (variance 0) and draws without replacement (0.24 against
 *    0.576 for the class of 25).
 * 6. Manifest: see above (every run).
 * Also: a non-empty DIR is refused (LADLE_E_OUTPUT) and left as it was; a
 * split that gets no record still has its folder and manifest entry.
 * Under LADLE_TEST_SCALE=smoke (sanitizer builds): 3 seeds for the frequency
 * and uniformity tests (1., 4., 5.), 2 in 2., 1 per design in 3. and 5.,
 * threads {1, 3} (chunk 7: threads 1 only) in the determinism and
 * --stratify loops; the exact checks (splits, counts, records, manifest,
 * identical datasets) run, the binomial, chi-square and variance checks on
 * the repeated runs and their power are skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#ifdef LADLE_HAVE_JANSSON
#include <jansson.h>
#endif

#include "test_stat.h"
#include "test_util.h"

static uint64_t rng_state = 0x5B117;

static uint64_t rnd(void)
{
    return t_splitmix(&rng_state);
}

/* The two-tailed acceptance region of a chi-square statistic with dof
 * degrees of freedom: P = 1e-4 in each tail. */
static void chi2_bounds(int dof, double *lo, double *hi)
{
    *lo = t_chi2_quantile(1e-4, dof);
    *hi = t_chi2_quantile(1 - 1e-4, dof);
}

/* Within 5 sd of Binomial(n, p)'s mean (normal tail 5.7e-7). */
static int binom_ok(double x, double n, double p)
{
    return fabs(x - n * p) <= 5 * sqrt(n * p * (1 - p));
}

/* Exact two-sided p-value of x under Binomial(n, p): twice the smaller tail. */
static double binom_two_sided(int x, int n, double p)
{
    double lo = 0, hi = 0;
    for (int k = 0; k <= n; k++) {
        double pmf = exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(p) +
                         (n - k) * log1p(-p));
        if (k <= x)
            lo += pmf;
        if (k >= x)
            hi += pmf;
    }
    double t = 2 * (lo < hi ? lo : hi);
    return t < 1 ? t : 1;
}

/* ---- a population over two files ---- */

enum { NF = 2, MAXK = 4, MAXC = 8, MAXSH = 64 };

static const char *const label_names[MAXC] = {"cat", "dog", "eel",  "fox",
                                              "gnu", "hen", "ibis", "jay"};

struct rec {
    uint32_t input;
    size_t off, len;
    int label; /* index into label_names */
    int key;   /* the --by value is "u<key>" */
};

struct pop {
    int json;
    size_t n, nlabels, nkeys;
    struct rec *r;
    char *data[NF];
    size_t len[NF], cap[NF];
    char *paths[NF];
};

/* sizes[c] records of class c in random order over NF files, record i
 * (its id) with key "u<rnd % nkeys>". TSV: "R<i>\tu<key>\t<label>\t<pad>";
 * JSON: {"id":"R<i>","user":"u<key>","label":"<label>","p":"<pad>"}. */
static void make_pop(struct pop *p, const size_t *sizes, size_t nlabels, size_t nkeys, int json,
                     const char *tag)
{
    memset(p, 0, sizeof *p);
    p->json = json;
    p->nlabels = nlabels;
    p->nkeys = nkeys;
    size_t total = 0;
    for (size_t c = 0; c < nlabels; c++)
        total += sizes[c];
    p->r = calloc(total + 1, sizeof *p->r);
    size_t k = 0;
    for (size_t c = 0; c < nlabels; c++)
        for (size_t i = 0; i < sizes[c]; i++)
            p->r[k++].label = (int)c;
    for (size_t i = total; i > 1; i--) {
        size_t j = (size_t)(rnd() % i);
        int t = p->r[i - 1].label;
        p->r[i - 1].label = p->r[j].label;
        p->r[j].label = t;
    }
    p->n = total;
    char line[256], pad[32];
    for (size_t i = 0; i < total; i++) {
        struct rec *r = &p->r[i];
        r->input = (uint32_t)(rnd() % NF);
        r->key = (int)(rnd() % nkeys);
        size_t padlen = (size_t)(rnd() % 16);
        for (size_t q = 0; q < padlen; q++)
            pad[q] = (char)('a' + (i + q) % 26);
        pad[padlen] = '\0';
        int len =
            json ? snprintf(line, sizeof line,
                            "{\"id\":\"R%zu\",\"user\":\"u%d\",\"label\":\"%s\",\"p\":\"%s\"}\n", i,
                            r->key, label_names[r->label], pad)
                 : snprintf(line, sizeof line, "R%zu\tu%d\t%s\t%s\n", i, r->key,
                            label_names[r->label], pad);
        r->off = p->len[r->input];
        r->len = (size_t)len;
        t_append(&p->data[r->input], &p->len[r->input], &p->cap[r->input], line, (size_t)len);
    }
    for (uint32_t f = 0; f < NF; f++) {
        char name[64];
        snprintf(name, sizeof name, "%s-%u.%s", tag, f, json ? "json" : "tsv");
        p->paths[f] = t_write_file(name, p->data[f] ? p->data[f] : "", p->len[f]);
    }
}

static void pop_free(struct pop *p)
{
    for (int f = 0; f < NF; f++) {
        free(p->data[f]);
        free(p->paths[f]);
    }
    free(p->r);
}

static size_t class_size(const struct pop *p, int c)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += p->r[i].label == c;
    return n;
}

/* ---- running a split job and reading the dataset back ---- */

struct sopts {
    const char *ratios;
    const char *by, *stratify, *balance, *mode, *bsplits;
    ladle_design design; /* NONE: every record */
    double rate;         /* BERNOULLI, CLUSTER */
    const char *field;   /* CLUSTER */
    uint64_t every;      /* SYSTEMATIC */
    int shuffle;         /* LADLE_P_SHUFFLE */
    uint64_t n;          /* BOTTOMK */
    uint64_t seed;
    unsigned threads;      /* 0: 2 */
    int64_t chunk;         /* 0: the default */
    int64_t shard_records; /* 0: by size (default) */
    int reverse;           /* the inputs in the other order */
    int allow_empty;       /* LADLE_P_ALLOW_EMPTY */
};

struct mclass {
    int label; /* index into label_names, -1 if unknown */
    int64_t before, after;
    double weight;
};

struct sres {
    ladle_status status;
    char error[512];
    ladle_report report;
    unsigned ns;
    char names[MAXK][32];
    uint64_t records[MAXK];        /* lines in the split's shards */
    uint32_t *copies[MAXK];        /* per record id: lines in the split */
    uint64_t by_label[MAXK][MAXC]; /* lines per class */
    char *content[MAXK];           /* the split's decompressed shards, in order */
    size_t clen[MAXK];
    char *manifest;
    struct mclass cls[MAXK][MAXC];
    size_t ncls[MAXK];
    int have_classes; /* the manifest was read and lists classes */
};

static void sres_free(struct sres *r)
{
    for (unsigned k = 0; k < MAXK; k++) {
        free(r->copies[k]);
        free(r->content[k]);
    }
    free(r->manifest);
    memset(r, 0, sizeof *r);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static ZSTD_DStream *zds;

/* The decompressed bytes of a zstd file (all its frames; skippable ones
 * are skipped), or NULL after a failed CHECK. */
static char *unzstd(const char *path, size_t *out_len)
{
    size_t n;
    char *z = read_whole(path, &n);
    CHECKF(z != NULL, "%s: %s", path, strerror(errno));
    if (!z)
        return NULL;
    if (!zds)
        zds = ZSTD_createDStream();
    ZSTD_DCtx_reset(zds, ZSTD_reset_session_only);
    size_t cap = 1 << 16, len = 0, rc = 0;
    char *out = malloc(cap + 1);
    ZSTD_inBuffer in = {z, n, 0};
    for (;;) {
        if (cap - len < ZSTD_DStreamOutSize()) {
            cap = 2 * cap + ZSTD_DStreamOutSize();
            out = realloc(out, cap + 1);
        }
        ZSTD_outBuffer ob = {out + len, cap - len, 0};
        rc = ZSTD_decompressStream(zds, &ob, &in);
        if (ZSTD_isError(rc))
            break;
        len += ob.pos;
        if (in.pos == in.size && ob.pos < ob.size)
            break;
    }
    free(z);
    CHECKF(!ZSTD_isError(rc) && rc == 0, "%s: not whole zstd frames (%s)", path,
           ZSTD_isError(rc) ? ZSTD_getErrorName(rc) : "truncated");
    if (ZSTD_isError(rc) || rc != 0) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    *out_len = len;
    return out;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of a folder's entries, sorted (but "." and ".."). */
static size_t list_dir(const char *path, char **names, size_t max)
{
    DIR *d = opendir(path);
    size_t n = 0;
    CHECKF(d != NULL, "%s: %s", path, strerror(errno));
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n < max)
            names[n] = strdup(e->d_name);
        n++;
    }
    closedir(d);
    if (n > max) {
        CHECKF(0, "%s: %zu entries, more than %zu", path, n, max);
        n = max;
    }
    qsort(names, n, sizeof *names, cmp_str);
    return n;
}

/* The id of a line: its first run of digits ("R<i>" comes first). */
static long line_id(const char *s, const char *end)
{
    while (s < end && (*s < '0' || *s > '9'))
        s++;
    if (s == end)
        return -1;
    long v = 0;
    while (s < end && *s >= '0' && *s <= '9' && v < 100000000)
        v = 10 * v + (*s++ - '0');
    return v;
}

static const char *ext_of(const struct pop *p)
{
    return p->json ? "jsonl" : "tsv";
}

#ifdef LADLE_HAVE_JANSSON
static int label_index(const char *s)
{
    for (int c = 0; c < MAXC; c++)
        if (strcmp(label_names[c], s) == 0)
            return c;
    return -1;
}

/* 6.: the manifest against the shards read back. */
static void check_manifest(const struct pop *p, const struct sopts *o, struct sres *r,
                           uint64_t shard_lines[MAXK][MAXSH], const size_t *nshards,
                           const char *what)
{
    json_error_t jerr;
    json_t *root = json_loads(r->manifest, 0, &jerr);
    CHECKF(root != NULL, "%s: manifest.json does not parse: %s (line %d)", what, jerr.text,
           jerr.line);
    if (!root)
        return;
    /* What was read from each input: every record once, whatever the
     * number of passes (a label takes a counting pass first). */
    json_t *inputs = json_object_get(root, "inputs");
    CHECKF(json_is_array(inputs) && json_array_size(inputs) == NF,
           "%s: manifest lists %zu inputs, want %d", what, json_array_size(inputs), NF);
    for (size_t f = 0; f < NF && f < json_array_size(inputs); f++) {
        size_t idx = o->reverse ? NF - 1 - f : f;
        uint64_t want = 0;
        for (size_t i = 0; i < p->n; i++)
            want += p->r[i].input == idx;
        json_t *in = json_array_get(inputs, f);
        const char *path = json_string_value(json_object_get(in, "path"));
        json_int_t recs = json_integer_value(json_object_get(in, "records"));
        json_int_t dec = json_integer_value(json_object_get(in, "decompressed_bytes"));
        json_int_t size = json_integer_value(json_object_get(in, "size"));
        json_int_t miss =
            json_integer_value(json_object_get(json_object_get(in, "skipped"), "missing"));
        CHECKF(path && strcmp(path, p->paths[idx]) == 0, "%s: input %zu is '%s', want '%s'", what,
               f, path ? path : "(none)", p->paths[idx]);
        /* --head stops reading once it has its records: what it read. */
        int head = o->design == LADLE_DESIGN_HEAD;
        int ok = head ? (uint64_t)recs <= want && (uint64_t)dec <= p->len[idx]
                      : (uint64_t)recs == want && (uint64_t)dec == p->len[idx];
        CHECKF(ok && (uint64_t)size == p->len[idx] && miss == 0,
               "%s: input %zu: manifest records %lld decompressed_bytes %lld size %lld missing "
               "%lld, want %llu records, %zu bytes, 0 missing",
               what, f, (long long)recs, (long long)dec, (long long)size, (long long)miss,
               (unsigned long long)want, p->len[idx]);
    }
    json_t *splits = json_object_get(root, "splits");
    CHECKF(json_is_array(splits) && json_array_size(splits) == r->ns,
           "%s: manifest has %zu splits, want %u", what, json_array_size(splits), r->ns);
    int label = o->stratify || o->balance;
    for (unsigned k = 0; k < r->ns && k < json_array_size(splits); k++) {
        json_t *s = json_array_get(splits, k);
        const char *name = json_string_value(json_object_get(s, "name"));
        CHECKF(name && strcmp(name, r->names[k]) == 0, "%s: split %u named '%s', want '%s'", what,
               k, name ? name : "(none)", r->names[k]);
        json_int_t recs = json_integer_value(json_object_get(s, "records"));
        CHECKF((uint64_t)recs == r->records[k], "%s: split %s: manifest records %lld, shards %llu",
               what, r->names[k], (long long)recs, (unsigned long long)r->records[k]);
        json_t *sh = json_object_get(s, "shards");
        CHECKF(json_is_array(sh) && json_array_size(sh) == nshards[k],
               "%s: split %s: manifest lists %zu shards, folder has %zu", what, r->names[k],
               json_array_size(sh), nshards[k]);
        for (size_t i = 0; i < nshards[k] && i < json_array_size(sh); i++) {
            json_t *e = json_array_get(sh, i);
            char want[160];
            snprintf(want, sizeof want, "%s/part-%05zu.%s.zst", r->names[k], i, ext_of(p));
            const char *file = json_string_value(json_object_get(e, "file"));
            CHECKF(file && strcmp(file, want) == 0, "%s: shard %zu is '%s', want '%s'", what, i,
                   file ? file : "(none)", want);
            json_int_t sr = json_integer_value(json_object_get(e, "records"));
            CHECKF((uint64_t)sr == shard_lines[k][i],
                   "%s: %s: manifest records %lld, file has %llu", what, want, (long long)sr,
                   (unsigned long long)shard_lines[k][i]);
        }
        json_t *cl = json_object_get(s, "classes");
        if (!label) {
            CHECKF(cl == NULL, "%s: classes listed without a label field", what);
            continue;
        }
        CHECKF(json_is_array(cl), "%s: split %s: no classes", what, r->names[k]);
        if (!json_is_array(cl))
            continue;
        r->have_classes = 1;
        uint64_t present = 0, listed_after = 0, seen_mask = 0;
        for (size_t c = 0; c < p->nlabels; c++)
            present += r->by_label[k][c] > 0;
        for (size_t i = 0; i < json_array_size(cl); i++) {
            json_t *e = json_array_get(cl, i);
            const char *lab = json_string_value(json_object_get(e, "label"));
            int li = lab ? label_index(lab) : -1;
            CHECKF(li >= 0 && li < (int)p->nlabels, "%s: split %s: unknown class '%s'", what,
                   r->names[k], lab ? lab : "(none)");
            if (li < 0 || li >= (int)p->nlabels || r->ncls[k] == MAXC)
                continue;
            CHECKF(!(seen_mask >> li & 1), "%s: class %s listed twice", what, lab);
            seen_mask |= 1ULL << li;
            struct mclass *m = &r->cls[k][r->ncls[k]++];
            m->label = li;
            m->before = json_integer_value(json_object_get(e, "before"));
            m->after = json_integer_value(json_object_get(e, "after"));
            m->weight = json_number_value(json_object_get(e, "weight"));
            listed_after += (uint64_t)m->after;
            CHECKF((uint64_t)m->after == r->by_label[k][li],
                   "%s: split %s class %s: manifest after %lld, shards hold %llu", what,
                   r->names[k], lab, (long long)m->after, (unsigned long long)r->by_label[k][li]);
            /* n / (K n_c) on the after counts. */
            double w =
                m->after > 0 ? (double)r->records[k] / ((double)present * (double)m->after) : 0.0;
            CHECKF(fabs(m->weight - w) <= 1e-9 * (w > 1 ? w : 1),
                   "%s: split %s class %s: weight %.12g, want %llu/(%llu*%lld) = %.12g", what,
                   r->names[k], lab, m->weight, (unsigned long long)r->records[k],
                   (unsigned long long)present, (long long)m->after, w);
        }
        for (size_t c = 0; c < p->nlabels; c++)
            CHECKF(!r->by_label[k][c] || (seen_mask >> c & 1),
                   "%s: split %s: class %s has %llu records but is not listed", what, r->names[k],
                   label_names[c], (unsigned long long)r->by_label[k][c]);
        CHECKF(listed_after == r->records[k], "%s: split %s: classes add up to %llu, not %llu",
               what, r->names[k], (unsigned long long)listed_after,
               (unsigned long long)r->records[k]);
    }
    json_decref(root);
}
#endif

/* Reads DIR back into r (see the top comment). */
static void read_dataset(const struct pop *p, const struct sopts *o, const char *dir,
                         struct sres *r, const char *what)
{
    /* The split names, from the ratios. */
    const char *q = o->ratios;
    while (*q && r->ns < MAXK) {
        size_t n = strcspn(q, "=,");
        snprintf(r->names[r->ns++], sizeof r->names[0], "%.*s", (int)n, q);
        q += strcspn(q, ",");
        q += *q == ',';
    }
    char *ents[MAXK + 8];
    size_t ne = list_dir(dir, ents, MAXK + 8);
    CHECKF(ne == r->ns + 3, "%s: DIR has %zu entries, want manifest.json, the cards and %u folders",
           what, ne, r->ns);
    for (size_t i = 0; i < ne; i++) {
        int ok = strcmp(ents[i], "manifest.json") == 0 || strcmp(ents[i], "README.md") == 0 ||
                 strcmp(ents[i], "croissant.json") == 0;
        for (unsigned k = 0; k < r->ns; k++)
            ok |= strcmp(ents[i], r->names[k]) == 0;
        CHECKF(ok, "%s: unexpected entry '%s' in DIR", what, ents[i]);
        free(ents[i]);
    }
    char path[2048];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    size_t mlen;
    r->manifest = read_whole(path, &mlen);
    CHECKF(r->manifest != NULL, "%s: no manifest.json", what);
    static uint64_t shard_lines[MAXK][MAXSH];
    size_t nshards[MAXK] = {0};
    for (unsigned k = 0; k < r->ns; k++) {
        char sdir[1024];
        snprintf(sdir, sizeof sdir, "%s/%s", dir, r->names[k]);
        char *files[MAXSH];
        size_t nf = list_dir(sdir, files, MAXSH);
        nshards[k] = nf;
        for (size_t i = 0; i < nf; i++) {
            char want[128];
            snprintf(want, sizeof want, "part-%05zu.%s.zst", i, ext_of(p));
            CHECKF(strcmp(files[i], want) == 0, "%s: split %s: file '%s', want '%s'", what,
                   r->names[k], files[i], want);
            snprintf(path, sizeof path, "%s/%s", sdir, files[i]);
            free(files[i]);
            size_t len;
            char *text = unzstd(path, &len);
            shard_lines[k][i] = 0;
            if (!text)
                continue;
            CHECKF(len == 0 || text[len - 1] == '\n', "%s: %s does not end a line", what, path);
            for (char *s = text, *end = text + len; s < end;) {
                char *nl = memchr(s, '\n', (size_t)(end - s));
                if (!nl)
                    break;
                long id = line_id(s, nl);
                size_t ll = (size_t)(nl - s) + 1;
                int ok = id >= 0 && (size_t)id < p->n;
                if (ok) {
                    const struct rec *rc = &p->r[id];
                    ok = rc->len == ll && memcmp(p->data[rc->input] + rc->off, s, ll) == 0;
                }
                CHECKF(ok, "%s: %s: line '%.*s' is not an input record", what, path,
                       (int)(ll > 80 ? 80 : ll - 1), s);
                if (ok) {
                    r->copies[k][id]++;
                    r->by_label[k][p->r[id].label]++;
                }
                r->records[k]++;
                shard_lines[k][i]++;
                s = nl + 1;
            }
            r->content[k] = realloc(r->content[k], r->clen[k] + len + 1);
            memcpy(r->content[k] + r->clen[k], text, len);
            r->clen[k] += len;
            free(text);
        }
        if (o->shard_records > 0)
            for (size_t i = 0; i < nf; i++)
                CHECKF(shard_lines[k][i] > 0 &&
                           (i + 1 == nf ? shard_lines[k][i] <= (uint64_t)o->shard_records
                                        : shard_lines[k][i] == (uint64_t)o->shard_records),
                       "%s: split %s shard %zu holds %llu records (--shard-records %lld, %zu "
                       "shards)",
                       what, r->names[k], i, (unsigned long long)shard_lines[k][i],
                       (long long)o->shard_records, nf);
    }
    uint64_t total = 0;
    for (unsigned k = 0; k < r->ns; k++)
        total += r->records[k];
    CHECKF(r->report.records_out == total, "%s: report.records_out %llu, shards hold %llu", what,
           (unsigned long long)r->report.records_out, (unsigned long long)total);
#ifdef LADLE_HAVE_JANSSON
    if (r->manifest)
        check_manifest(p, o, r, shard_lines, nshards, what);
#endif
}

static unsigned run_no;

static void run_split(const struct pop *p, const struct sopts *o, struct sres *r, const char *what)
{
    memset(r, 0, sizeof *r);
    /* Allocated whatever happens, so a failed run fails checks, not the test. */
    for (unsigned k = 0; k < MAXK; k++) {
        r->copies[k] = calloc(p->n + 1, sizeof *r->copies[k]);
        r->content[k] = calloc(1, 1);
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s/ds-%u", t_tmpdir(), run_no);
    /* DIR is "created if missing; must be empty": try both. */
    int made = run_no++ % 2;
    if (made)
        mkdir(dir, 0700);
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set_string(j, LADLE_S_FORMAT, p->json ? "json" : "tsv") == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_OUTPUT_DIR, dir) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_RATIOS, o->ratios) == LADLE_OK);
    if (o->by)
        CHECK(ladle_job_set_string(j, LADLE_S_BY, o->by) == LADLE_OK);
    if (o->stratify)
        CHECK(ladle_job_set_string(j, LADLE_S_STRATIFY, o->stratify) == LADLE_OK);
    if (o->balance)
        CHECK(ladle_job_set_string(j, LADLE_S_BALANCE, o->balance) == LADLE_OK);
    if (o->mode)
        CHECK(ladle_job_set_string(j, LADLE_S_BALANCE_MODE, o->mode) == LADLE_OK);
    if (o->bsplits)
        CHECK(ladle_job_set_string(j, LADLE_S_BALANCE_SPLITS, o->bsplits) == LADLE_OK);
    if (o->design != LADLE_DESIGN_NONE)
        CHECK(ladle_job_set(j, LADLE_P_DESIGN, o->design) == LADLE_OK);
    if (o->design == LADLE_DESIGN_BERNOULLI || o->design == LADLE_DESIGN_CLUSTER)
        CHECK(ladle_job_set_rate(j, o->rate) == LADLE_OK);
    if (o->field)
        CHECK(ladle_job_set_string(j, LADLE_S_FIELD, o->field) == LADLE_OK);
    if (o->design == LADLE_DESIGN_BOTTOMK || o->design == LADLE_DESIGN_HEAD)
        CHECK(ladle_job_set(j, LADLE_P_N, (int64_t)o->n) == LADLE_OK);
    if (o->design == LADLE_DESIGN_SYSTEMATIC)
        CHECK(ladle_job_set(j, LADLE_P_EVERY, (int64_t)o->every) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)o->seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, o->threads ? o->threads : 2) == LADLE_OK);
    if (o->chunk)
        CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, o->chunk) == LADLE_OK);
    if (o->shard_records)
        CHECK(ladle_job_set(j, LADLE_P_SHARD_RECORDS, o->shard_records) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_LEVEL, 1) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SHUFFLE, o->shuffle) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_ALLOW_EMPTY, o->allow_empty) == LADLE_OK);
    for (int f = 0; f < NF; f++)
        CHECK(ladle_job_add_input(j, p->paths[o->reverse ? NF - 1 - f : f]) == LADLE_OK);
    struct t_output out;
    t_run_job(j, &out);
    r->status = out.status;
    r->report = out.report;
    snprintf(r->error, sizeof r->error, "%s", out.error);
    /* --shuffle orders the output; a dataset may refuse it as a usage
     * error, or ignore it, but must not lose records over it. */
    CHECKF(out.status == LADLE_OK || (o->shuffle && out.status == LADLE_E_USAGE),
           "%s: status %d: %s", what, out.status, out.error);
    CHECKF(out.len == 0, "%s: %zu bytes on out_fd (a dataset run writes to DIR)", what, out.len);
    t_output_free(&out);
    ladle_job_free(j);
    if (r->status == LADLE_OK) {
        read_dataset(p, o, dir, r, what);
    } else {
        /* A failed run leaves DIR as it was: missing, or empty. */
        struct stat sb;
        char *ents[4];
        size_t ne = made ? list_dir(dir, ents, 4) : 0;
        for (size_t i = 0; i < ne; i++)
            free(ents[i]);
        CHECKF(made ? ne == 0 : stat(dir, &sb) != 0, "%s: failed, but changed DIR", what);
    }
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The ids `ladle sample` (stdout) keeps with o's design and seed: sel[i] = 1. */
static size_t sample_ids(const struct pop *p, const struct sopts *o, char *sel)
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set_string(j, LADLE_S_FORMAT, p->json ? "json" : "tsv") == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, o->design) == LADLE_OK);
    if (o->design == LADLE_DESIGN_BERNOULLI || o->design == LADLE_DESIGN_CLUSTER)
        CHECK(ladle_job_set_rate(j, o->rate) == LADLE_OK);
    if (o->field)
        CHECK(ladle_job_set_string(j, LADLE_S_FIELD, o->field) == LADLE_OK);
    if (o->design == LADLE_DESIGN_BOTTOMK || o->design == LADLE_DESIGN_HEAD)
        CHECK(ladle_job_set(j, LADLE_P_N, (int64_t)o->n) == LADLE_OK);
    if (o->design == LADLE_DESIGN_SYSTEMATIC)
        CHECK(ladle_job_set(j, LADLE_P_EVERY, (int64_t)o->every) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)o->seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, 2) == LADLE_OK);
    for (int f = 0; f < NF; f++)
        CHECK(ladle_job_add_input(j, p->paths[f]) == LADLE_OK);
    struct t_output out;
    t_run_job(j, &out);
    CHECKF(out.status == LADLE_OK, "sample: %s", out.error);
    memset(sel, 0, p->n);
    size_t m = 0;
    for (char *s = out.data, *end = out.data + out.len; s < end;) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl)
            break;
        long id = line_id(s, nl);
        if (id >= 0 && (size_t)id < p->n && !sel[id]) {
            sel[id] = 1;
            m++;
        }
        s = nl + 1;
    }
    t_output_free(&out);
    ladle_job_free(j);
    return m;
}

/* Two runs wrote the same dataset: manifest text and every split's bytes. */
static int same_dataset(const struct sres *a, const struct sres *b)
{
    if (!a->manifest || !b->manifest || strcmp(a->manifest, b->manifest) != 0 || a->ns != b->ns)
        return 0;
    for (unsigned k = 0; k < a->ns; k++)
        if (a->clen[k] != b->clen[k] || memcmp(a->content[k], b->content[k], a->clen[k]) != 0)
            return 0;
    return 1;
}

/* Each record exactly once over the splits (no design, no balance). */
static int each_once(const struct pop *p, const struct sres *r)
{
    for (size_t i = 0; i < p->n; i++) {
        uint32_t c = 0;
        for (unsigned k = 0; k < r->ns; k++)
            c += r->copies[k][i];
        if (c != 1)
            return 0;
    }
    return 1;
}

/* Pearson chi-square of counts against probabilities. */
static double chi2_counts(const uint64_t *obs, const double *prob, unsigned k)
{
    double n = 0, x = 0;
    for (unsigned i = 0; i < k; i++)
        n += (double)obs[i];
    for (unsigned i = 0; i < k; i++) {
        double e = n * prob[i];
        x += ((double)obs[i] - e) * ((double)obs[i] - e) / e;
    }
    return x;
}

/* Exactly a of the n records ids[] drawn in each of S runs, counts[id]
 * times in all: sum (c - S p)^2 / (S p (1-p) n/(n-1)), about chi-square
 * with n - 1 dof when the draw is uniform. */
static double chi2_fixed(const double *counts, const size_t *ids, size_t n, size_t a, size_t S)
{
    double p = (double)a / (double)n, e = (double)S * p;
    double v = (double)S * p * (1 - p) * (double)n / (double)(n - 1), x = 0;
    for (size_t i = 0; i < n; i++)
        x += (counts[ids[i]] - e) * (counts[ids[i]] - e) / v;
    return x;
}

/* ---- 1. hash split ---- */

static void test_hash(void)
{
    static const size_t sz[] = {20000};
    struct pop p;
    make_pop(&p, sz, 1, 1000, 0, "hash");
    const double prob[3] = {0.8, 0.1, 0.1}, wrong[3] = {0.75, 0.15, 0.1};
    struct sopts o = {.ratios = "train=0.8,val=0.1,test=0.1", .seed = 1, .shard_records = 3000};
    struct sres r;
    run_split(&p, &o, &r, "hash 20000");
    CHECKF(each_once(&p, &r), "hash split: a record is not in exactly one split");
    double x = chi2_counts(r.records, prob, 3), pv = t_chi2_sf(x, 2);
    fprintf(stderr, "hash split: train %llu val %llu test %llu, chi-square %.2f (p = %.3g)\n",
            (unsigned long long)r.records[0], (unsigned long long)r.records[1],
            (unsigned long long)r.records[2], x, pv);
    CHECKF(pv > 1e-4, "hash split counts: chi-square %.2f, p = %.3g against .8/.1/.1", x, pv);
    double xw = chi2_counts(r.records, wrong, 3);
    CHECKF(t_chi2_sf(xw, 2) < 1e-4, "power: .75/.15/.1 not rejected (chi-square %.2f)", xw);

    /* Determinism: threads 1..3 x chunk sizes, byte-identical datasets. */
    static const int64_t chunks[] = {0, 7, 4096};
    /* Smoke: threads 1 and 3, chunk 7 with 1 thread only (with 3 it takes
     * seconds a run under TSan). */
    for (unsigned th = 1; th <= 3; th += t_threads_step(3))
        for (size_t c = 0; c < 3; c++) {
            if (t_smoke() && th > 1 && chunks[c] == 7)
                continue;
            struct sopts d = o;
            d.threads = th;
            d.chunk = chunks[c];
            struct sres s;
            char what[64];
            snprintf(what, sizeof what, "hash threads %u chunk %lld", th, (long long)chunks[c]);
            run_split(&p, &d, &s, what);
            CHECKF(same_dataset(&r, &s), "%s: not the dataset of threads 2", what);
            sres_free(&s);
        }
    sres_free(&r);
    pop_free(&p);

    /* Inclusion frequency in train, per record, over seeds. */
    enum { N = 200, S = 60 };
    const int runs = (int)t_reps(S, 3);
    static const size_t sz2[] = {N};
    make_pop(&p, sz2, 1, 50, 0, "hashf");
    double cnt[N] = {0}, fixed[N] = {0}, even[N];
    for (size_t i = 0; i < N; i++)
        even[i] = 0.8 * runs;
    for (int s = 0; s < runs; s++) {
        struct sopts f = {.ratios = "train=0.8,val=0.1,test=0.1", .seed = 1000 + 17 * (uint64_t)s};
        run_split(&p, &f, &r, "hash frequency");
        CHECKF(each_once(&p, &r), "hash seed %d: a record not in exactly one split", s);
        for (size_t i = 0; i < N; i++) {
            cnt[i] += r.copies[0][i];
            if (s == 0) /* a split that ignores the seed: seed 0's, S times */
                fixed[i] = runs * (double)r.copies[0][i];
        }
        sres_free(&r);
    }
    /* Independent Binomial(S, .8) per record: the sum of squared z-scores
     * is chi-square with N dof (no n/(n-1) term: a run's train count is
     * not fixed). */
    double lo, hi, e = runs * 0.8, v = runs * 0.8 * 0.2, xs = 0, xf = 0, xe = 0;
    chi2_bounds(N, &lo, &hi);
    for (size_t i = 0; i < N; i++) {
        xs += (cnt[i] - e) * (cnt[i] - e) / v;
        xf += (fixed[i] - e) * (fixed[i] - e) / v;
        xe += (even[i] - e) * (even[i] - e) / v;
    }
    fprintf(stderr,
            "hash split, train per record over %d seeds: chi-square %.1f (%d dof, "
            "accepted %.1f..%.1f)\n",
            runs, xs, N, lo, hi);
    CHECK_STAT(xs > lo && xs < hi, "hash split inclusion: chi-square %.1f outside (%.1f, %.1f)", xs,
               lo, hi);
    CHECK_STAT(xf > hi && xe < lo, "power: seed-independent %.1f, even spread %.1f not rejected",
               xf, xe);
    /* And record by record: the exact two-sided binomial p-value of each
     * count, Bonferroni over the N records (family level 1e-4). This one
     * catches a single record that (almost) never goes to train, which
     * moves the 200-dof sum too little. */
    double pmin = 1;
    size_t worst = 0;
    for (size_t i = 0; i < N; i++) {
        double pv2 = binom_two_sided((int)cnt[i], runs, 0.8);
        if (pv2 < pmin) {
            pmin = pv2;
            worst = i;
        }
    }
    CHECK_STAT(pmin > 1e-4 / N, "hash split: record %zu in train %.0f times of %d (p = %.3g)",
               worst, cnt[worst], runs, pmin);
    CHECK_STAT(binom_two_sided(runs / 2, runs, 0.8) < 1e-4 / N,
               "power: a record in train half the time is not flagged");
    pop_free(&p);
}

/* ---- 2. grouped split ---- */

/* split[key] for every key present (-1: no record); returns the number of
 * keys whose records are in more than one split. */
static size_t key_splits(const struct pop *p, const struct sres *r, int *split)
{
    size_t bad = 0;
    for (size_t key = 0; key < p->nkeys; key++)
        split[key] = -1;
    char *broken = calloc(p->nkeys, 1);
    for (size_t i = 0; i < p->n; i++)
        for (unsigned k = 0; k < r->ns; k++) {
            if (!r->copies[k][i])
                continue;
            int *s = &split[p->r[i].key];
            if (*s >= 0 && *s != (int)k && !broken[p->r[i].key]) {
                broken[p->r[i].key] = 1;
                bad++;
            }
            *s = (int)k;
        }
    free(broken);
    return bad;
}

static void test_grouped(void)
{
    enum { NK = 600, SEEDS = 8 };
    const int seeds = (int)t_reps(SEEDS, 2);
    static const size_t sz[] = {2400};
    struct pop p;
    make_pop(&p, sz, 1, NK, 1, "group");
    char present[NK] = {0};
    size_t K = 0;
    for (size_t i = 0; i < p.n; i++)
        present[p.r[i].key] = 1;
    for (size_t k = 0; k < NK; k++)
        K += (size_t)present[k];
    const double prob[3] = {0.7, 0.2, 0.1}, wrong[3] = {0.6, 0.3, 0.1};
    const double q = 1 - (0.7 * 0.7 + 0.2 * 0.2 + 0.1 * 0.1); /* P(a key moves) */
    uint64_t pooled[3] = {0};
    int prev[NK], cur[NK];
    struct sres r;
    for (int s = 0; s < seeds; s++) {
        struct sopts o = {.ratios = "train=0.7,val=0.2,test=0.1",
                          .by = "user",
                          .seed = 500 + (uint64_t)s,
                          .shard_records = 500};
        run_split(&p, &o, &r, "--by user");
        CHECKF(each_once(&p, &r), "--by seed %d: a record not in exactly one split", s);
        size_t bad = key_splits(&p, &r, cur);
        CHECKF(bad == 0, "--by user seed %d: %zu keys have records in two splits", s, bad);
        uint64_t kc[3] = {0};
        for (size_t k = 0; k < NK; k++)
            if (cur[k] >= 0)
                kc[cur[k]]++;
        for (int k = 0; k < 3; k++) {
            CHECK_STAT(binom_ok((double)kc[k], (double)K, prob[k]),
                       "--by seed %d: %llu of %zu keys in split %d, Binomial mean %.0f", s,
                       (unsigned long long)kc[k], K, k, (double)K * prob[k]);
            pooled[k] += kc[k];
        }
        if (s > 0) {
            size_t moved = 0;
            for (size_t k = 0; k < NK; k++)
                moved += present[k] && cur[k] != prev[k];
            /* A seed-independent split moves none: 0 is ~22 sd below K q. */
            CHECK_STAT(binom_ok((double)moved, (double)K, q),
                       "--by seeds %d/%d: %zu of %zu keys moved, Binomial mean %.0f", s - 1, s,
                       moved, K, (double)K * q);
        }
        memcpy(prev, cur, sizeof cur);
        sres_free(&r);
    }
    double x = chi2_counts(pooled, prob, 3), pv = t_chi2_sf(x, 2);
    fprintf(stderr,
            "--by: keys per split over %d seeds %llu/%llu/%llu, chi-square %.2f (p = %.3g)\n",
            seeds, (unsigned long long)pooled[0], (unsigned long long)pooled[1],
            (unsigned long long)pooled[2], x, pv);
    CHECK_STAT(pv > 1e-4, "--by: keys per split, chi-square %.2f (p = %.3g)", x, pv);
    double xw = chi2_counts(pooled, wrong, 3);
    CHECK_STAT(t_chi2_sf(xw, 2) < 1e-4, "power: .6/.3/.1 not rejected (chi-square %.2f)", xw);

    /* The same seed: identical for threads 1..3 x chunk sizes; every key in
     * the same split with the files in the other order. */
    struct sopts o = {
        .ratios = "train=0.7,val=0.2,test=0.1", .by = "user", .seed = 77, .shard_records = 500};
    run_split(&p, &o, &r, "--by user seed 77");
    key_splits(&p, &r, prev);
    static const int64_t chunks[] = {0, 7, 4096};
    /* Smoke: threads 1 and 3, chunk 7 with 1 thread only (with 3 it takes
     * seconds a run under TSan). */
    for (unsigned th = 1; th <= 3; th += t_threads_step(3))
        for (size_t c = 0; c < 3; c++) {
            if (t_smoke() && th > 1 && chunks[c] == 7)
                continue;
            struct sopts d = o;
            d.threads = th;
            d.chunk = chunks[c];
            struct sres t;
            char what[64];
            snprintf(what, sizeof what, "--by threads %u chunk %lld", th, (long long)chunks[c]);
            run_split(&p, &d, &t, what);
            CHECKF(same_dataset(&r, &t), "%s: not the dataset of threads 2", what);
            sres_free(&t);
        }
    struct sopts rev = o;
    rev.reverse = 1;
    struct sres t;
    run_split(&p, &rev, &t, "--by, files reversed");
    CHECK(key_splits(&p, &t, cur) == 0);
    CHECKF(memcmp(prev, cur, sizeof cur) == 0, "--by: a key changed split with the file order");
    sres_free(&t);
    sres_free(&r);
    pop_free(&p);

    /* TSV, --by a column number. */
    enum { NK2 = 300 };
    static const size_t sz2[] = {1500};
    make_pop(&p, sz2, 1, NK2, 0, "group2");
    struct sopts o2 = {.ratios = "train=0.5,test=0.5", .by = "2", .seed = 3};
    run_split(&p, &o2, &r, "--by 2");
    int sp[NK2];
    CHECKF(key_splits(&p, &r, sp) == 0, "--by 2: a key has records in two splits");
    size_t k2 = 0, tr = 0;
    for (size_t k = 0; k < NK2; k++) {
        k2 += sp[k] >= 0;
        tr += sp[k] == 0;
    }
    CHECKF(binom_ok((double)tr, (double)k2, 0.5), "--by 2: %zu of %zu keys in train", tr, k2);
    CHECK(each_once(&p, &r));
    sres_free(&r);
    pop_free(&p);
}

/* ---- 3. independence from the sampling design ---- */

static void test_design(void)
{
    static const size_t sz[] = {20000};
    struct pop p;
    make_pop(&p, sz, 1, 1000, 0, "design");
    struct {
        double rate;
        const char *ratios;
        double train;
    } cf[] = {{0.5, "train=0.5,test=0.5", 0.5}, {0.2, "train=0.2,test=0.8", 0.2}};
    char *sel = malloc(p.n);
    for (size_t c = 0; c < 2; c++)
        for (uint64_t seed = 900; seed < 900 + t_reps(3, 1); seed++) {
            struct sopts o = {.ratios = cf[c].ratios,
                              .design = LADLE_DESIGN_BERNOULLI,
                              .rate = cf[c].rate,
                              .seed = seed,
                              .shard_records = 4000};
            struct sres r;
            char what[96];
            snprintf(what, sizeof what, "--rate %g %s seed %llu", cf[c].rate, cf[c].ratios,
                     (unsigned long long)seed);
            run_split(&p, &o, &r, what);
            size_t m = sample_ids(&p, &o, sel);
            size_t diff = 0;
            for (size_t i = 0; i < p.n; i++)
                diff += (r.copies[0][i] + r.copies[1][i]) != (uint32_t)sel[i];
            CHECKF(diff == 0, "%s: %zu records differ from `ladle sample`'s", what, diff);
            double kept = (double)(r.records[0] + r.records[1]);
            CHECKF(kept == (double)m, "%s: kept %.0f, sample %zu", what, kept, m);
            CHECK_STAT(binom_ok(kept, (double)p.n, cf[c].rate), "%s: kept %.0f, Binomial(%zu, %g)",
                       what, kept, p.n, cf[c].rate);
            /* Correlated with the sampling key, train would get all kept
             * records: kept (1 - r) away, > 50 sd. */
            CHECK_STAT(binom_ok((double)r.records[0], kept, cf[c].train),
                       "%s: train %llu of %.0f kept, Binomial mean %.0f", what,
                       (unsigned long long)r.records[0], kept, kept * cf[c].train);
            sres_free(&r);
        }
    /* The other designs, with and without --shuffle: exactly the records
     * `ladle sample` keeps (a shuffled sample is the same set), and the
     * train share among them Binomial(K, .5) within 5 sd. */
    static const char *const dname[] = {"--head 700", "--head 700 --shuffle",
                                        "-n 700",     "-n 700 --shuffle",
                                        "--every 29", "--rate 0.05 --shuffle"};
    struct sopts designs[] = {
        {.design = LADLE_DESIGN_HEAD, .n = 700},
        {.design = LADLE_DESIGN_HEAD, .n = 700, .shuffle = 1},
        {.design = LADLE_DESIGN_BOTTOMK, .n = 700},
        {.design = LADLE_DESIGN_BOTTOMK, .n = 700, .shuffle = 1},
        {.design = LADLE_DESIGN_SYSTEMATIC, .every = 29},
        {.design = LADLE_DESIGN_BERNOULLI, .rate = 0.05, .shuffle = 1},
    };
    for (size_t d = 0; d < sizeof designs / sizeof designs[0]; d++) {
        struct sopts o = designs[d];
        o.ratios = "train=0.5,test=0.5";
        o.seed = 920 + d;
        struct sres r;
        const char *what = dname[d];
        run_split(&p, &o, &r, what);
        if (r.status != LADLE_OK) {
            sres_free(&r);
            continue; /* --shuffle refused (checked in run_split) */
        }
        size_t m = sample_ids(&p, &o, sel), diff = 0;
        for (size_t i = 0; i < p.n; i++)
            diff += (r.copies[0][i] + r.copies[1][i]) != (uint32_t)sel[i];
        double kept = (double)(r.records[0] + r.records[1]);
        CHECKF(diff == 0 && kept == (double)m,
               "%s: %zu records differ from `ladle sample`'s (dataset %.0f, sample %zu)", what,
               diff, kept, m);
        CHECKF(kept > 0, "%s: nothing kept", what);
        CHECK_STAT(binom_ok((double)r.records[0], kept, 0.5), "%s: train %llu of %.0f kept", what,
                   (unsigned long long)r.records[0], kept);
        sres_free(&r);
    }

    /* --cluster 2 --rate 0.3 with --by 2: the kept keys' split must not
     * follow the cluster decision (both hash the same value). */
    int *ks = malloc(p.nkeys * sizeof *ks);
    for (uint64_t seed = 910; seed < 910 + t_reps(3, 1); seed++) {
        struct sopts o = {.ratios = "train=0.3,test=0.7",
                          .by = "2",
                          .design = LADLE_DESIGN_CLUSTER,
                          .rate = 0.3,
                          .field = "2",
                          .seed = seed};
        struct sres r;
        run_split(&p, &o, &r, "--cluster 2 --by 2");
        sample_ids(&p, &o, sel);
        size_t diff = 0, kept = 0, train = 0;
        for (size_t i = 0; i < p.n; i++)
            diff += (r.copies[0][i] + r.copies[1][i]) != (uint32_t)sel[i];
        CHECKF(diff == 0, "--cluster --by seed %llu: %zu records differ from `ladle sample`'s",
               (unsigned long long)seed, diff);
        CHECK(key_splits(&p, &r, ks) == 0);
        for (size_t k = 0; k < p.nkeys; k++) {
            kept += ks[k] >= 0;
            train += ks[k] == 0;
        }
        CHECK_STAT(binom_ok((double)train, (double)kept, 0.3),
                   "--cluster --by seed %llu: %zu of %zu kept keys in train, Binomial mean %.0f",
                   (unsigned long long)seed, train, kept, 0.3 * (double)kept);
        sres_free(&r);
    }
    free(ks);
    free(sel);
    pop_free(&p);
}

/* ---- 4. --stratify ---- */

static unsigned parse_ratios(const char *text, double *r)
{
    unsigned n = 0;
    for (const char *q = text; *q && n < MAXK;) {
        const char *eq = strchr(q, '=');
        r[n++] = eq ? strtod(eq + 1, NULL) : 1;
        q += strcspn(q, ",");
        q += *q == ',';
    }
    return n;
}

/* Exact shares: |n_ck - N_c r_k| <= 1 (N_c: the class's records among those
 * kept: sel, or all when sel is NULL); manifest before = after = n_ck. */
static void check_stratified(const struct pop *p, const struct sopts *o, const struct sres *r,
                             const char *sel, const char *what)
{
    double ratio[MAXK];
    unsigned ns = parse_ratios(o->ratios, ratio);
    for (size_t c = 0; c < p->nlabels; c++) {
        uint64_t total = 0, sum = 0;
        for (size_t i = 0; i < p->n; i++)
            total += p->r[i].label == (int)c && (!sel || sel[i]);
        for (unsigned k = 0; k < ns; k++) {
            uint64_t n = r->by_label[k][c];
            sum += n;
            double exact = (double)total * ratio[k];
            CHECKF(fabs((double)n - exact) <= 1 + 1e-9,
                   "%s: class %s (%llu records) has %llu in %s, want %.2f +- 1", what,
                   label_names[c], (unsigned long long)total, (unsigned long long)n, r->names[k],
                   exact);
        }
        CHECKF(sum == total, "%s: class %s: %llu records in the splits, %llu in the input", what,
               label_names[c], (unsigned long long)sum, (unsigned long long)total);
    }
    if (!r->have_classes)
        return;
    for (unsigned k = 0; k < ns; k++)
        for (size_t i = 0; i < r->ncls[k]; i++) {
            const struct mclass *m = &r->cls[k][i];
            CHECKF(m->before == m->after, "%s: %s class %s: before %lld, after %lld", what,
                   r->names[k], label_names[m->label], (long long)m->before, (long long)m->after);
        }
}

/* Uniformity of an exact draw of a_c of each class's n_c records (ids[c]),
 * counts[] over S runs: chi2_fixed summed over the classes. */
static double chi2_classes(const struct pop *p, const double *counts, const size_t *a,
                           size_t nclasses, size_t S, int *dof)
{
    double x = 0;
    size_t *ids = malloc(p->n * sizeof *ids);
    *dof = 0;
    for (size_t c = 0; c < nclasses; c++) {
        size_t n = 0;
        for (size_t i = 0; i < p->n; i++)
            if (p->r[i].label == (int)c)
                ids[n++] = i;
        if (a[c] == 0 || a[c] == n) /* no draw: everything or nothing */
            continue;
        x += chi2_fixed(counts, ids, n, a[c], S);
        *dof += (int)n - 1;
    }
    free(ids);
    return x;
}

/* The power checks of chi2_classes: "the first a_c records of each class"
 * must be rejected by the upper bound, an even spread by the lower one. */
static void check_power(const struct pop *p, const size_t *a, size_t nclasses, size_t S, double lo,
                        double hi, const char *what)
{
    double *first = calloc(p->n, sizeof *first), *even = calloc(p->n, sizeof *even);
    size_t seen[MAXC] = {0};
    int dof;
    for (size_t i = 0; i < p->n; i++) {
        size_t c = (size_t)p->r[i].label;
        size_t n = class_size(p, (int)c);
        first[i] = seen[c]++ < a[c] ? (double)S : 0;
        even[i] = (double)S * (double)a[c] / (double)n;
    }
    double xf = chi2_classes(p, first, a, nclasses, S, &dof);
    double xe = chi2_classes(p, even, a, nclasses, S, &dof);
    CHECK_STAT(xf > hi && xe < lo,
               "%s power: first-a %.1f, even %.1f not both outside (%.1f, %.1f)", what, xf, xe, lo,
               hi);
    free(first);
    free(even);
}

static void test_stratify(void)
{
    static const size_t sz[] = {537, 203, 61, 7, 2, 1};
    struct pop p;
    make_pop(&p, sz, 6, 100, 0, "strat");
    static const char *const sets[] = {"train=0.8,val=0.1,test=0.1", "a=0.7,b=0.2,c=0.1",
                                       "x=0.5,y=0.3,z=0.2"};
    /* Smoke: threads 1 and 3. */
    for (size_t s = 0; s < 3; s++)
        for (unsigned th = 1; th <= 3; th += t_threads_step(3)) {
            struct sopts o = {.ratios = sets[s],
                              .stratify = "3",
                              .seed = 40 + th + 10 * s,
                              .threads = th,
                              .shard_records = 100};
            struct sres r;
            char what[96];
            snprintf(what, sizeof what, "--stratify %s threads %u", sets[s], th);
            run_split(&p, &o, &r, what);
            CHECKF(each_once(&p, &r), "%s: a record not in exactly one split", what);
            check_stratified(&p, &o, &r, NULL, what);
            sres_free(&r);
        }
    /* With a design: the design's records, stratified exactly. */
    char *sel = malloc(p.n);
    struct sopts with[2] = {
        {.ratios = sets[0],
         .stratify = "3",
         .design = LADLE_DESIGN_BERNOULLI,
         .rate = 0.5,
         .seed = 8},
        {.ratios = sets[1], .stratify = "3", .design = LADLE_DESIGN_BOTTOMK, .n = 300, .seed = 9},
    };
    for (int d = 0; d < 2; d++) {
        struct sres r;
        const char *what = d ? "--stratify -n 300" : "--stratify --rate 0.5";
        run_split(&p, &with[d], &r, what);
        size_t m = sample_ids(&p, &with[d], sel), diff = 0;
        for (size_t i = 0; i < p.n; i++)
            diff += (r.copies[0][i] + r.copies[1][i] + r.copies[2][i]) != (uint32_t)sel[i];
        CHECKF(diff == 0 && (!d || m == 300), "%s: %zu records differ from `ladle sample`'s", what,
               diff);
        check_stratified(&p, &with[d], &r, sel, what);
        sres_free(&r);
    }
    free(sel);
    /* --stratify with --balance on the same label: stratified, then the
     * first split down to its smallest class. */
    {
        struct sopts o = {.ratios = sets[0], .stratify = "3", .seed = 12};
        struct sres base, r;
        run_split(&p, &o, &base, "--stratify seed 12");
        o.balance = "3";
        run_split(&p, &o, &r, "--stratify --balance");
        uint64_t lo = UINT64_MAX;
        for (size_t c = 0; c < p.nlabels; c++)
            if (base.by_label[0][c] && base.by_label[0][c] < lo)
                lo = base.by_label[0][c];
        for (size_t c = 0; c < p.nlabels; c++)
            CHECKF(r.by_label[0][c] == (base.by_label[0][c] ? lo : 0),
                   "--stratify --balance: class %s has %llu in train, want %llu", label_names[c],
                   (unsigned long long)r.by_label[0][c], (unsigned long long)lo);
        size_t extra = 0;
        for (size_t i = 0; i < p.n; i++)
            extra += r.copies[0][i] > base.copies[0][i];
        CHECKF(extra == 0, "--stratify --balance: %zu train records not in stratified train",
               extra);
        for (unsigned k = 1; k < 3; k++)
            CHECKF(r.clen[k] == base.clen[k] &&
                       memcmp(r.content[k], base.content[k], r.clen[k]) == 0,
                   "--stratify --balance: split %s differs from the stratified one", r.names[k]);
        sres_free(&base);
        sres_free(&r);
    }
    pop_free(&p);

    /* Uniformity within classes. */
    enum { S = 200 };
    const int runs = (int)t_reps(S, 3);
    static const size_t szu[] = {20, 30, 10};
    make_pop(&p, szu, 3, 10, 0, "stratu");
    double *train = calloc(p.n, sizeof *train), *val = calloc(p.n, sizeof *val);
    size_t a_train[3], a_val[3];
    int exact = 1;
    for (int s = 0; s < runs; s++) {
        struct sopts o = {.ratios = sets[0], .stratify = "3", .seed = 7000 + 3 * (uint64_t)s};
        struct sres r;
        run_split(&p, &o, &r, "--stratify uniformity");
        for (size_t c = 0; c < 3; c++) {
            if (s == 0) {
                a_train[c] = r.by_label[0][c];
                a_val[c] = r.by_label[1][c];
            }
            exact &= r.by_label[0][c] == a_train[c] && r.by_label[1][c] == a_val[c];
        }
        if (s == 0)
            check_stratified(&p, &o, &r, NULL, "--stratify uniformity");
        for (size_t i = 0; i < p.n; i++) {
            train[i] += r.copies[0][i];
            val[i] += r.copies[1][i];
        }
        sres_free(&r);
    }
    CHECKF(exact, "--stratify: the class counts per split change with the seed");
    int dof_t, dof_v;
    double xt = chi2_classes(&p, train, a_train, 3, (size_t)runs, &dof_t);
    double xv = chi2_classes(&p, val, a_val, 3, (size_t)runs, &dof_v);
    double lo, hi;
    chi2_bounds(dof_t, &lo, &hi);
    fprintf(stderr,
            "--stratify uniformity over %d seeds: train %.1f, val %.1f (%d dof, accepted "
            "%.1f..%.1f)\n",
            runs, xt, xv, dof_t, lo, hi);
    CHECK(dof_t == 57 && dof_v == 57);
    CHECK_STAT(xt > lo && xt < hi,
               "--stratify: train inclusion chi-square %.1f outside (%.1f, %.1f)", xt, lo, hi);
    CHECK_STAT(xv > lo && xv < hi, "--stratify: val inclusion chi-square %.1f outside (%.1f, %.1f)",
               xv, lo, hi);
    check_power(&p, a_train, 3, (size_t)runs, lo, hi, "--stratify train");
    free(train);
    free(val);
    pop_free(&p);
}

/* ---- 5. --balance ---- */

/* The balanced count of a class with n of the split's records (counts[]
 * over the classes of the split, before balance). */
static uint64_t target_of(const char *mode, const uint64_t *counts, size_t nl, uint64_t n)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t c = 0; c < nl; c++)
        if (counts[c]) {
            lo = counts[c] < lo ? counts[c] : lo;
            hi = counts[c] > hi ? counts[c] : hi;
        }
    if (n == 0)
        return 0;
    if (strcmp(mode, "under") == 0)
        return lo;
    if (strcmp(mode, "over") == 0)
        return hi;
    if (strncmp(mode, "cap:", 4) == 0) {
        uint64_t cap = strtoull(mode + 4, NULL, 10);
        return n < cap ? n : cap;
    }
    double m = floor(strtod(mode + 6, NULL) * (double)lo); /* ratio:R */
    return (double)n < m ? n : (uint64_t)m;
}

/* r balanced the splits in mask (mode) of base, the same run without
 * --balance: targets, records drawn from base's, other splits as base. */
static void check_balanced(const struct pop *p, const char *mode, uint64_t mask,
                           const struct sres *base, const struct sres *r, const char *what)
{
    int over = strcmp(mode, "over") == 0;
    for (unsigned k = 0; k < r->ns; k++) {
        const uint64_t *n = base->by_label[k];
        if (!(mask >> k & 1)) {
            CHECKF(r->clen[k] == base->clen[k] &&
                       memcmp(r->content[k], base->content[k], r->clen[k]) == 0,
                   "%s: unbalanced split %s differs from the run without --balance", what,
                   r->names[k]);
        } else {
            for (size_t c = 0; c < p->nlabels; c++) {
                uint64_t t = target_of(mode, n, p->nlabels, n[c]);
                CHECKF(r->by_label[k][c] == t,
                       "%s: split %s class %s: %llu records, want %llu (of %llu)", what,
                       r->names[k], label_names[c], (unsigned long long)r->by_label[k][c],
                       (unsigned long long)t, (unsigned long long)n[c]);
            }
            size_t bad = 0;
            for (size_t i = 0; i < p->n; i++)
                bad += over ? (r->copies[k][i] > 0) != (base->copies[k][i] > 0)
                            : r->copies[k][i] > base->copies[k][i];
            CHECKF(bad == 0, "%s: split %s: %zu records %s", what, r->names[k], bad,
                   over ? "lost, or not from the split" : "not from the split, or repeated");
        }
        if (!r->have_classes)
            continue;
        for (size_t i = 0; i < r->ncls[k]; i++) {
            const struct mclass *m = &r->cls[k][i];
            CHECKF((uint64_t)m->before == n[m->label],
                   "%s: split %s class %s: manifest before %lld, want %llu", what, r->names[k],
                   label_names[m->label], (long long)m->before, (unsigned long long)n[m->label]);
        }
    }
}

static void test_balance(void)
{
    static const size_t sz[] = {400, 150, 60, 25};
    struct pop p;
    make_pop(&p, sz, 4, 100, 0, "bal");
    static const char *const modes[] = {"under", "cap:40", "ratio:2", "over"};
    for (uint64_t seed = 60; seed < 60 + t_reps(2, 1); seed++)
        for (int d = 0; d < 2; d++) {
            struct sopts o = {.ratios = "train=0.7,test=0.3", .seed = seed, .shard_records = 150};
            if (d) {
                o.design = LADLE_DESIGN_BERNOULLI;
                o.rate = 0.5;
            }
            struct sres base, r;
            run_split(&p, &o, &base, "balance base");
            o.balance = "3";
            for (int m = 0; m < 4; m++) {
                if (d && m != 0 && m != 3)
                    continue;
                o.mode = modes[m];
                char what[96];
                snprintf(what, sizeof what, "--balance-mode %s%s seed %llu", modes[m],
                         d ? " --rate 0.5" : "", (unsigned long long)seed);
                run_split(&p, &o, &r, what);
                check_balanced(&p, modes[m], 1, &base, &r, what);
                sres_free(&r);
            }
            if (!d) {
                struct sopts ob = {.ratios = "train=0.7,test=0.3", .by = "2", .seed = seed};
                struct sres bb;
                run_split(&p, &ob, &bb, "--by 2 base");
                ob.balance = "3";
                ob.mode = "ratio:1.5";
                run_split(&p, &ob, &r, "--by 2 --balance-mode ratio:1.5");
                check_balanced(&p, "ratio:1.5", 1, &bb, &r, "--by 2 --balance-mode ratio:1.5");
                sres_free(&r);
                sres_free(&bb);
                o.mode = "under";
                o.bsplits = "train,test";
                run_split(&p, &o, &r, "--balance-splits train,test");
                check_balanced(&p, "under", 3, &base, &r, "--balance-splits train,test");
                sres_free(&r);
                o.mode = "cap:30";
                o.bsplits = "test";
                run_split(&p, &o, &r, "--balance-splits test");
                check_balanced(&p, "cap:30", 2, &base, &r, "--balance-splits test");
                sres_free(&r);
            }
            sres_free(&base);
        }
    /* The sequential draws (stratify, balance, over) do not depend on
     * threads or chunks either. */
    {
        struct sopts o = {.ratios = "train=0.7,val=0.2,test=0.1",
                          .stratify = "3",
                          .balance = "3",
                          .mode = "over",
                          .bsplits = "train,val",
                          .seed = 5,
                          .threads = 1};
        struct sres a, b;
        run_split(&p, &o, &a, "--stratify --balance over, threads 1");
        o.threads = 3;
        o.chunk = 7;
        run_split(&p, &o, &b, "--stratify --balance over, threads 3 chunk 7");
        CHECKF(same_dataset(&a, &b), "--stratify --balance over: threads 1 and 3 differ");
        for (unsigned k = 0; k < 2; k++)
            for (size_t c = 0; c < p.nlabels; c++)
                CHECKF(a.by_label[k][c] == a.by_label[k][0],
                       "--stratify --balance over: split %s class %s has %llu, class %s %llu",
                       a.names[k], label_names[c], (unsigned long long)a.by_label[k][c],
                       label_names[0], (unsigned long long)a.by_label[k][0]);
        sres_free(&a);
        sres_free(&b);
    }
    pop_free(&p);

    /* Uniformity: one split, classes of 40, 25 and 10. */
    enum { S = 150 };
    const int runs = (int)t_reps(S, 3);
    static const size_t szu[] = {40, 25, 10};
    make_pop(&p, szu, 3, 10, 0, "balu");
    const uint64_t n[3] = {40, 25, 10};
    static const char *const umodes[] = {"under", "cap:15", "ratio:2"};
    double lo, hi;
    for (int m = 0; m < 3; m++) {
        double *cnt = calloc(p.n, sizeof *cnt);
        size_t a[3];
        for (size_t c = 0; c < 3; c++)
            a[c] = (size_t)target_of(umodes[m], n, 3, n[c]);
        size_t wrong = 0;
        for (int s = 0; s < runs; s++) {
            struct sopts o = {.ratios = "all=1",
                              .balance = "3",
                              .mode = umodes[m],
                              .seed = 300 + 7 * (uint64_t)s + 1000 * (uint64_t)m};
            struct sres r;
            run_split(&p, &o, &r, umodes[m]);
            for (size_t c = 0; c < 3; c++)
                wrong += r.by_label[0][c] != a[c];
            for (size_t i = 0; i < p.n; i++) {
                wrong += r.copies[0][i] > 1;
                cnt[i] += r.copies[0][i];
            }
            if (s == 0 && r.have_classes)
                for (size_t i = 0; i < r.ncls[0]; i++)
                    CHECKF((uint64_t)r.cls[0][i].before == n[r.cls[0][i].label],
                           "%s: manifest before %lld", umodes[m], (long long)r.cls[0][i].before);
            sres_free(&r);
        }
        CHECKF(wrong == 0, "--balance-mode %s: %zu wrong counts or repeated records", umodes[m],
               wrong);
        int dof;
        double x = chi2_classes(&p, cnt, a, 3, (size_t)runs, &dof);
        chi2_bounds(dof, &lo, &hi);
        fprintf(stderr,
                "--balance-mode %s uniformity over %d seeds: chi-square %.1f (%d dof, "
                "accepted %.1f..%.1f)\n",
                umodes[m], runs, x, dof, lo, hi);
        CHECK(dof == 63);
        CHECK_STAT(x > lo && x < hi,
                   "--balance-mode %s: inclusion chi-square %.1f outside (%.1f, %.1f)", umodes[m],
                   x, lo, hi);
        check_power(&p, a, 3, (size_t)runs, lo, hi, umodes[m]);
        free(cnt);
    }

    /* over: every class up to 40; extras drawn with replacement. */
    double *extra = calloc(p.n, sizeof *extra);
    double v_sum[3] = {0}, v_sq[3] = {0};
    size_t wrong = 0;
    for (int s = 0; s < runs; s++) {
        struct sopts o = {
            .ratios = "all=1", .balance = "3", .mode = "over", .seed = 5000 + 11 * (uint64_t)s};
        struct sres r;
        run_split(&p, &o, &r, "over");
        double dev[3] = {0};
        for (size_t c = 0; c < 3; c++)
            wrong += r.by_label[0][c] != 40;
        for (size_t i = 0; i < p.n; i++) {
            size_t c = (size_t)p.r[i].label;
            wrong += r.copies[0][i] < 1;
            double x = r.copies[0][i] >= 1 ? r.copies[0][i] - 1.0 : 0;
            double mean = (double)(40 - n[c]) / (double)n[c];
            extra[i] += x;
            dev[c] += (x - mean) * (x - mean) / (double)n[c];
        }
        for (size_t c = 0; c < 3; c++) {
            v_sum[c] += dev[c];
            v_sq[c] += dev[c] * dev[c];
        }
        if (s == 0 && r.have_classes)
            for (size_t i = 0; i < r.ncls[0]; i++)
                CHECKF((uint64_t)r.cls[0][i].before == n[r.cls[0][i].label] &&
                           r.cls[0][i].after == 40,
                       "over: manifest before %lld after %lld", (long long)r.cls[0][i].before,
                       (long long)r.cls[0][i].after);
        sres_free(&r);
    }
    CHECKF(wrong == 0, "--balance-mode over: %zu wrong class totals or lost records", wrong);
    /* Pooled extras of a class: Multinomial(S e, uniform over its n_c
     * records); Pearson chi-square with n_c - 1 dof per class. */
    double x = 0;
    int dof = 0;
    for (size_t c = 1; c < 3; c++) {
        double e = (double)runs * (double)(40 - n[c]) / (double)n[c];
        for (size_t i = 0; i < p.n; i++)
            if ((size_t)p.r[i].label == c)
                x += (extra[i] - e) * (extra[i] - e) / e;
        dof += (int)n[c] - 1;
    }
    for (size_t i = 0; i < p.n; i++)
        CHECK(p.r[i].label != 0 || extra[i] == 0);
    chi2_bounds(dof, &lo, &hi);
    fprintf(stderr,
            "--balance-mode over: extra copies chi-square %.1f (%d dof, accepted "
            "%.1f..%.1f)\n",
            x, dof, lo, hi);
    CHECK_STAT(x > lo && x < hi, "over: extra copies chi-square %.1f outside (%.1f, %.1f)", x, lo,
               hi);
    /* The spread of a record's extras: Binomial(e, 1/n_c)'s variance. */
    for (size_t c = 1; c < 3; c++) {
        double e = (double)(40 - n[c]), q = 1.0 / (double)n[c], want = e * q * (1 - q);
        double mean = v_sum[c] / runs, sd = sqrt((v_sq[c] - runs * mean * mean) / (runs - 1));
        double tol = 5 * sd / sqrt((double)runs);
        fprintf(stderr,
                "--balance-mode over, class of %llu: extra copies variance %.3f, "
                "binomial %.3f +- %.3f\n",
                (unsigned long long)n[c], mean, want, tol);
        CHECK_STAT(fabs(mean - want) <= tol,
                   "over: class of %llu: variance of extra copies %.3f, "
                   "want %.3f +- %.3f",
                   (unsigned long long)n[c], mean, want, tol);
        /* Power: an even spread (3 extras each, class of 10) has variance
         * 0; at most one extra each (without replacement, class of 25),
         * 0.6 * 0.4 = 0.24. */
        double alt = c == 2 ? 0.0 : 0.24;
        CHECK_STAT(fabs(alt - want) > tol, "over power: %.3f not rejected (tolerance %.3f)", alt,
                   tol);
    }
    free(extra);
    pop_free(&p);
}

/* ---- DIR must be empty; an empty split ---- */

static void test_dir(void)
{
    static const size_t sz[] = {50};
    struct pop p;
    make_pop(&p, sz, 1, 5, 0, "dir");
    char dir[512], file[600];
    snprintf(dir, sizeof dir, "%s/full", t_tmpdir());
    snprintf(file, sizeof file, "%s/keep.txt", dir);
    mkdir(dir, 0700);
    FILE *f = fopen(file, "w");
    fputs("keep\n", f);
    fclose(f);
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set_string(j, LADLE_S_FORMAT, "tsv") == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_OUTPUT_DIR, dir) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_RATIOS, "train=0.5,test=0.5") == LADLE_OK);
    CHECK(ladle_job_add_input(j, p.paths[0]) == LADLE_OK);
    struct t_output out;
    t_run_job(j, &out);
    CHECKF(out.status == LADLE_E_OUTPUT, "non-empty DIR: status %d (%s), want LADLE_E_OUTPUT",
           out.status, out.error);
    char *ents[8];
    size_t ne = list_dir(dir, ents, 8);
    CHECKF(ne == 1 && strcmp(ents[0], "keep.txt") == 0, "non-empty DIR was changed (%zu entries)",
           ne);
    for (size_t i = 0; i < ne; i++)
        free(ents[i]);
    t_output_free(&out);
    ladle_job_free(j);

    /* A split that gets no record still has its folder and its manifest
     * entry, when allowed to be empty. */
    struct sopts o = {.ratios = "big=0.999999,tiny=0.000001", .seed = 1, .allow_empty = 1};
    struct sres r;
    run_split(&p, &o, &r, "an empty split");
    CHECKF(r.records[0] == 50 && r.records[1] == 0, "an empty split: %llu and %llu records",
           (unsigned long long)r.records[0], (unsigned long long)r.records[1]);
    sres_free(&r);
    pop_free(&p);
}

int main(void)
{
    test_dir();
    test_hash();
    test_grouped();
    test_design();
    test_stratify();
    test_balance();
    if (zds)
        ZSTD_freeDStream(zds);
    return t_done("test_split");
}

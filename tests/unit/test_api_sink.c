/*
 * test_api_sink.c -- ladle_job_run_sink (src/job/api_sink.c and
 * src/out/record_sink.c): for the same job, the records the sink receives
 * are, in order and byte for byte, what ladle_job_run writes (what `ladle
 * sample` prints), and their weights are the numbers the --emit-weight
 * column shows, bit for bit; NaN for designs without one. Covered: Bernoulli
 * (plain lines, TSV with --header, JSON objects, --shuffle), -n, --head,
 * --weight (with and without --emit-weight), --cluster with a second stage,
 * stratified (two passes), a sink that stops early, and the runs a sink
 * refuses. Also ladle_status_name and ladle_verify on a dataset.
 *
 * LADLE_TEST_PIPELINE
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ladle/ladle.h"
#include "test_util.h"

struct got {
    char *data; /* the records, concatenated */
    size_t len;
    double *w;
    size_t *off; /* where each record starts in data */
    size_t n, cap;
    size_t stop_after; /* 0: never stop */
};

static int collect(void *arg, const char *rec, size_t len, double weight)
{
    struct got *g = arg;
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 64;
        g->w = realloc(g->w, g->cap * sizeof *g->w);
        g->off = realloc(g->off, g->cap * sizeof *g->off);
    }
    g->off[g->n] = g->len;
    g->data = realloc(g->data, g->len + len + 1);
    memcpy(g->data + g->len, rec, len);
    g->len += len;
    g->w[g->n++] = weight;
    return g->stop_after && g->n >= g->stop_after;
}

static size_t len_of(const struct got *g, size_t i)
{
    return (i + 1 < g->n ? g->off[i + 1] : g->len) - g->off[i];
}

static void got_free(struct got *g)
{
    free(g->data);
    free(g->w);
    free(g->off);
    memset(g, 0, sizeof *g);
}

/* The value of the weight column of one written line (independent of
 * src/out: the text after the last tab, or after "_weight": in JSON). */
static double column_value(const char *line, size_t len)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%.*s", (int)len, line);
    const char *j = strstr(buf, "\"_weight\":");
    const char *v = j ? j + 10 : strrchr(buf, '\t') + 1;
    return strtod(v, NULL);
}

enum kind { PLAIN, TSV_HEADER, JSON };

/* The written line without its weight column (independent of src/out). */
static size_t strip_column(const char *line, size_t len, char *out)
{
    const char *j = memmem(line, len, "\"_weight\":", 10);
    size_t a, b;
    if (j) {
        a = (size_t)(j - line);
        if (a && line[a - 1] == ',')
            a--;
        b = (size_t)((const char *)memchr(j, '}', len - (size_t)(j - line)) - line);
    } else {
        b = len;
        while (b && (line[b - 1] == '\n' || line[b - 1] == '\r'))
            b--;
        a = (size_t)((const char *)memrchr(line, '\t', b) - line);
    }
    memcpy(out, line, a);
    memcpy(out + a, line + b, len - b);
    return a + len - b;
}

static char *make_input(enum kind kind, int n)
{
    size_t cap = (size_t)n * 64 + 64, len = 0;
    char *s = malloc(cap);
    if (kind == TSV_HEADER)
        len += (size_t)snprintf(s + len, cap - len, "id\tlevel\tbytes\n");
    for (int i = 0; i < n; i++) {
        const char *lvl = i % 7 == 0 ? "ERROR" : i % 3 == 0 ? "WARN" : "INFO";
        if (kind == JSON)
            len += (size_t)snprintf(s + len, cap - len,
                                    i % 11 == 0   ? "{}\n"
                                    : i % 13 == 0 ? "{ \"id\": %d }  \n"
                                                  : "{\"id\":%d,\"level\":\"%s\",\"bytes\":%d}\r\n",
                                    i, lvl, (i * 37) % 1000 + 1);
        else
            len +=
                (size_t)snprintf(s + len, cap - len, "%d\t%s\t%d\n", i, lvl, (i * 37) % 1000 + 1);
    }
    return s;
}

typedef void (*setup_fn)(ladle_job *j);

static void bernoulli(ladle_job *j)
{
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI) == LADLE_OK);
    CHECK(ladle_job_set_rate(j, 0.3) == LADLE_OK);
}
static void bernoulli_shuffled(ladle_job *j)
{
    bernoulli(j);
    CHECK(ladle_job_set(j, LADLE_P_SHUFFLE, 1) == LADLE_OK);
}
static void bottomk(ladle_job *j)
{
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BOTTOMK) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_N, 50) == LADLE_OK);
}
static void head(ladle_job *j)
{
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_HEAD) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_N, 777) == LADLE_OK); /* ends inside a chunk */
}
static void cluster(ladle_job *j)
{
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_CLUSTER) == LADLE_OK);
    CHECK(ladle_job_set_rate(j, 0.5) == LADLE_OK);
    CHECK(ladle_job_set_double(j, LADLE_D_WITHIN_RATE, 0.5) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FIELD, "2") == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FORMAT, "tsv") == LADLE_OK);
}
static void weighted(ladle_job *j)
{
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_WEIGHTED) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_N, 40) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FIELD, "3") == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FORMAT, "tsv") == LADLE_OK);
}
/* Priority sampling: --weight with --emit-weight (another sample). */
static void weighted_json(ladle_job *j)
{
    CHECK(ladle_job_set(j, LADLE_P_EMIT_WEIGHT, 1) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_WEIGHTED) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_N, 40) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FIELD, "bytes") == LADLE_OK);
}
static void stratified(ladle_job *j)
{
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_STRATIFIED) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_N, 30) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FIELD, "2") == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FORMAT, "tsv") == LADLE_OK);
}
static void bernoulli_header(ladle_job *j)
{
    bernoulli(j);
    CHECK(ladle_job_set(j, LADLE_P_HEADER, 1) == LADLE_OK);
}

static ladle_job *new_job(const char *path, setup_fn setup, int emit_weight)
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_add_input(j, path) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, 42) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, 3) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, 997) == LADLE_OK); /* many chunks */
    setup(j);
    if (emit_weight)
        CHECK(ladle_job_set(j, LADLE_P_EMIT_WEIGHT, 1) == LADLE_OK);
    return j;
}

/* One job three ways: written, written with --emit-weight, to the sink. */
static void same_as_written(const char *name, enum kind kind, setup_fn setup, int has_weight,
                            int plain_has_column)
{
    char *input = make_input(kind, 3000);
    char *path = t_write_file(name, input, strlen(input));
    struct t_output plain, emitted;
    ladle_job *j = new_job(path, setup, 0);
    t_run_job(j, &plain);
    CHECKF(plain.status == LADLE_OK, "%s: %s", name, plain.error);
    ladle_job_free(j);
    j = new_job(path, setup, has_weight);
    t_run_job(j, &emitted);
    CHECKF(emitted.status == LADLE_OK, "%s: %s", name, emitted.error);
    ladle_job_free(j);

    struct got g = {0};
    ladle_report rep;
    j = new_job(path, setup, 0);
    ladle_status st = ladle_job_run_sink(j, collect, &g, &rep);
    CHECKF(st == LADLE_OK, "%s: %s", name, ladle_job_error(j));
    CHECK(!ladle_job_output_closed(j));
    CHECKF(plain_has_column ||
               (g.len == plain.len && (g.len == 0 || memcmp(g.data, plain.data, g.len) == 0)),
           "%s: the sink's records differ from the written ones (%zu vs %zu bytes)", name, g.len,
           plain.len);
    CHECKF(rep.records_out == plain.report.records_out, "%s: records_out %llu vs %llu", name,
           (unsigned long long)rep.records_out, (unsigned long long)plain.report.records_out);
    CHECKF(g.n > 5, "%s: only %zu records", name, g.n);
    size_t first = kind == TSV_HEADER ? 1 : 0;
    if (kind == TSV_HEADER)
        CHECKF(g.n && isnan(g.w[0]), "%s: the header's weight is not NaN", name);
    /* Each sink weight against the column of the same line. */
    const char *p = emitted.data, *end = emitted.data + emitted.len;
    for (size_t i = 0; i < g.n && p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)(nl - p) + 1;
        if (i >= first && has_weight) {
            char rec[4096];
            size_t rlen = strip_column(p, len, rec);
            CHECKF(rlen == len_of(&g, i) && memcmp(rec, g.data + g.off[i], rlen) == 0,
                   "%s: record %zu: '%.*s' vs written '%.*s'", name, i, (int)len_of(&g, i),
                   g.data + g.off[i], (int)len, p);
            double want = column_value(p, len);
            CHECKF(memcmp(&want, &g.w[i], sizeof want) == 0,
                   "%s: record %zu: weight %.17g vs %.17g", name, i, g.w[i], want);
        } else if (i >= first) {
            CHECKF(isnan(g.w[i]), "%s: record %zu: weight %g, not NaN", name, i, g.w[i]);
        }
        p += len;
    }
    got_free(&g);
    ladle_job_free(j);
    t_output_free(&plain);
    t_output_free(&emitted);
    free(path);
    free(input);
}

static void stops_early(void)
{
    char *input = make_input(PLAIN, 20000);
    char *path = t_write_file("stop.tsv", input, strlen(input));
    ladle_job *j = new_job(path, bernoulli, 0);
    struct got g = {.stop_after = 3};
    CHECK(ladle_job_run_sink(j, collect, &g, NULL) == LADLE_OK);
    CHECK(g.n == 3);
    CHECK(ladle_job_output_closed(j) == 1);
    /* The job runs again, whole, to a sink that does not stop. */
    struct got all = {0};
    CHECK(ladle_job_run_sink(j, collect, &all, NULL) == LADLE_OK);
    CHECK(all.n > 1000 && ladle_job_output_closed(j) == 0);
    CHECK(memcmp(all.data, g.data, g.len) == 0);
    got_free(&g);
    got_free(&all);
    ladle_job_free(j);
    free(path);
    free(input);
}

static void refuses(void)
{
    struct got g = {0};
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_STATS) == LADLE_OK);
    CHECK(ladle_job_run_sink(j, collect, &g, NULL) == LADLE_E_USAGE);
    CHECK(strstr(ladle_job_error(j), "stats") != NULL);
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI) == LADLE_OK);
    CHECK(ladle_job_run_sink(j, NULL, NULL, NULL) == LADLE_E_USAGE);
    CHECK(ladle_job_set_string(j, LADLE_S_OUTPUT_DIR, t_tmpdir()) == LADLE_OK);
    CHECK(ladle_job_run_sink(j, collect, &g, NULL) == LADLE_E_USAGE);
    ladle_job_free(j);
    j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_DELIM, "5") == LADLE_OK);
    CHECK(ladle_job_run_sink(j, collect, &g, NULL) == LADLE_E_USAGE);
    ladle_job_free(j);
    CHECK(g.n == 0);
    got_free(&g);
}

static void status_names(void)
{
    CHECK(strcmp(ladle_status_name(LADLE_OK), "LADLE_OK") == 0);
    CHECK(strcmp(ladle_status_name(LADLE_E_INPUT), "LADLE_E_INPUT") == 0);
    CHECK(strcmp(ladle_status_name(LADLE_E_INTERRUPTED), "LADLE_E_INTERRUPTED") == 0);
    CHECK(strcmp(ladle_status_name((ladle_status)77), "LADLE_E_UNKNOWN") == 0);
}

static void verify(void)
{
    char *input = make_input(PLAIN, 500);
    char *path = t_write_file("ds.tsv", input, strlen(input));
    char dir[512];
    snprintf(dir, sizeof dir, "%s/ds", t_tmpdir());
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_add_input(j, path) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_OUTPUT_DIR, dir) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_RATIOS, "train=0.8,test=0.2") == LADLE_OK);
    /* A dataset run writes nothing to the fd: -1 will do. */
    CHECKF(ladle_job_run(j, -1, NULL) == LADLE_OK, "%s", ladle_job_error(j));
    ladle_job_free(j);
    ladle_verify_report rep;
    CHECK(ladle_verify(dir, NULL, NULL, &rep) == LADLE_OK);
    CHECKF(rep.records == 500 && rep.splits == 2 && rep.problems == 0 && rep.error[0] == '\0',
           "records %llu splits %llu problems %llu '%s'", (unsigned long long)rep.records,
           (unsigned long long)rep.splits, (unsigned long long)rep.problems, rep.error);
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none", t_tmpdir());
    CHECK(ladle_verify(missing, NULL, NULL, &rep) == LADLE_E_INPUT);
    CHECK(rep.problems > 0 && rep.error[0] != '\0');
    free(path);
    free(input);
}

int main(void)
{
    same_as_written("bernoulli.tsv", PLAIN, bernoulli, 1, 0);
    same_as_written("shuffled.tsv", PLAIN, bernoulli_shuffled, 1, 0);
    same_as_written("header.tsv", TSV_HEADER, bernoulli_header, 1, 0);
    same_as_written("bernoulli.json", JSON, bernoulli, 1, 0);
    same_as_written("bottomk.tsv", PLAIN, bottomk, 0, 0);
    same_as_written("head.tsv", PLAIN, head, 0, 0);
    same_as_written("cluster.tsv", PLAIN, cluster, 1, 0);
    same_as_written("weighted.tsv", PLAIN, weighted, 0, 0);
    same_as_written("weighted.json", JSON, weighted_json, 1, 1);
    same_as_written("stratified.tsv", PLAIN, stratified, 1, 0);
    stops_early();
    refuses();
    status_names();
    verify();
    return t_done("test_api_sink");
}

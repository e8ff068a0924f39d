/*
 * test_head.c -- `--head N` (LADLE_DESIGN_HEAD) through the public API.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * The first N records of the inputs taken in argument order, exactly:
 * records continue from one input into the next (the first input's last
 * line lacks '\n' and gains one; an empty input in between contributes
 * nothing), N below, at and above each input boundary and the total, N
 * larger than the input (everything), N = 0 (nothing, status OK). The same
 * for threads 1..4 and chunk sizes 1, 7 and 4096 bytes: head is decided in
 * the ordered output stage, so no thread or chunk boundary may change it.
 * With shuffle, the first N records in key order
 * (ladle_record_key(seed, source id, offset)).
 *
 * A deterministic design: every check is exact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/key.h"
#include "test_util.h"

struct rec {
    uint32_t input;
    uint64_t offset;
    const char *data;
    size_t len; /* in the file; the output adds '\n' where it lacks */
    uint64_t key;
};

static struct rec recs[256];
static size_t nrecs;
static uint64_t source_of[3]; /* per input ordinal: its source id */

/* Indexes file `input` (its bytes must outlive the test). */
static void index_file(uint32_t input, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) + 1 : n;
        recs[nrecs++] = (struct rec){input, i, s + i, end - i, 0};
        i = end;
    }
}

/* The first n records (all if fewer), in input order or key order. */
static char *expected(uint64_t n, int shuffle, uint64_t seed, size_t *len)
{
    size_t take = n < nrecs ? (size_t)n : nrecs;
    struct rec *v = malloc((take + 1) * sizeof *v);
    memcpy(v, recs, take * sizeof *v);
    for (size_t i = 0; i < take; i++)
        v[i].key = ladle_record_key(seed, source_of[v[i].input], v[i].offset);
    if (shuffle) /* insertion sort by (key, input, offset) */
        for (size_t a = 1; a < take; a++)
            for (size_t b = a;
                 b > 0 && (v[b - 1].key > v[b].key ||
                           (v[b - 1].key == v[b].key &&
                            (v[b - 1].input > v[b].input ||
                             (v[b - 1].input == v[b].input && v[b - 1].offset > v[b].offset))));
                 b--) {
                struct rec t = v[b - 1];
                v[b - 1] = v[b];
                v[b] = t;
            }
    size_t bytes = 0;
    for (size_t i = 0; i < take; i++)
        bytes += v[i].len + 1;
    char *out = malloc(bytes + 1);
    size_t pos = 0;
    for (size_t i = 0; i < take; i++) {
        memcpy(out + pos, v[i].data, v[i].len);
        pos += v[i].len;
        if (out[pos - 1] != '\n')
            out[pos++] = '\n';
    }
    free(v);
    *len = pos;
    return out;
}

static void run_head(char *const *paths, size_t npaths, int64_t n, unsigned threads, int64_t chunk,
                     int shuffle, uint64_t seed, struct t_output *out)
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_HEAD) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_N, n) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, threads) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, chunk) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SHUFFLE, shuffle) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)seed) == LADLE_OK);
    for (size_t i = 0; i < npaths; i++)
        CHECK(ladle_job_add_input(j, paths[i]) == LADLE_OK);
    t_run_job(j, out);
    ladle_job_free(j);
}

/* 30 records ending without '\n' (CRLF and empty lines among them). */
static char file1[4096];
static size_t file1_len;
/* 20 records. */
static char file2[4096];
static size_t file2_len;

static void make_files(void)
{
    for (int i = 0; i < 30; i++) {
        if (i % 9 == 4)
            file1_len += (size_t)sprintf(file1 + file1_len, "\n");
        else
            file1_len +=
                (size_t)sprintf(file1 + file1_len, "one-%02d %.*s%s", i, i,
                                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i % 4 == 1 ? "\r\n" : "\n");
    }
    file1_len--; /* the last record loses its '\n' */
    for (int i = 0; i < 20; i++)
        file2_len += (size_t)sprintf(file2 + file2_len, "two-%02d\n", i);
}

static void check_set(const char *label, char *const *paths, size_t npaths)
{
    const uint64_t total = nrecs;
    const int64_t ns[] = {0, 1, 2, 29, 30, 31, 49, 50, 51, 1000, INT64_MAX};
    static const int64_t chunks[] = {1, 7, 4096};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        size_t wlen;
        char *want = expected((uint64_t)ns[i], 0, 0, &wlen);
        uint64_t wcount = (uint64_t)ns[i] < total ? (uint64_t)ns[i] : total;
        for (unsigned th = 1; th <= 4; th++)
            for (size_t c = 0; c < 3; c++) {
                struct t_output out;
                run_head(paths, npaths, ns[i], th, chunks[c], 0, 0, &out);
                CHECKF(out.status == LADLE_OK, "%s: --head %lld: %s", label, (long long)ns[i],
                       out.error);
                CHECKF(out.len == wlen && memcmp(out.data, want, wlen) == 0,
                       "%s: --head %lld, threads %u, chunk %lld: not the first records "
                       "(%zu bytes, want %zu)",
                       label, (long long)ns[i], th, (long long)chunks[c], out.len, wlen);
                CHECKF(out.report.records_out == wcount, "%s: --head %lld: %llu written", label,
                       (long long)ns[i], (unsigned long long)out.report.records_out);
                t_output_free(&out);
            }
        free(want);
    }
    /* Shuffled: the first N in key order. */
    const int64_t sn[] = {0, 10, 30, 45, 50, 80};
    for (size_t i = 0; i < sizeof sn / sizeof sn[0]; i++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            size_t wlen;
            char *want = expected((uint64_t)sn[i], 1, seed, &wlen);
            struct t_output out;
            run_head(paths, npaths, sn[i], 2, 7, 1, seed, &out);
            CHECKF(out.status == LADLE_OK && out.len == wlen && memcmp(out.data, want, wlen) == 0,
                   "%s: --head %lld --shuffle seed %llu: not the first records in key order", label,
                   (long long)sn[i], (unsigned long long)seed);
            t_output_free(&out);
            free(want);
        }
}

int main(void)
{
    make_files();
    char *p1 = t_write_file("one.log", file1, file1_len);
    char *p2 = t_write_file("two.log", file2, file2_len);
    char *pe = t_write_file("empty.log", "", 0);

    source_of[0] = source_of[2] = t_source_id(p1, file1, file1_len, 0);
    source_of[1] = t_source_id(p2, file2, file2_len, 0);
    nrecs = 0;
    index_file(0, file1, file1_len);
    CHECK(nrecs == 30);
    index_file(1, file2, file2_len);
    CHECK(nrecs == 50);
    char *two[] = {p1, p2};
    check_set("one.log two.log", two, 2);

    /* An empty input in between: input ordinals shift, records do not. */
    source_of[2] = source_of[1];
    nrecs = 0;
    index_file(0, file1, file1_len);
    index_file(2, file2, file2_len);
    char *three[] = {p1, pe, p2};
    check_set("one.log empty.log two.log", three, 3);

    /* Only empty input: nothing, for any N. */
    struct t_output out;
    run_head(&pe, 1, 5, 2, 4096, 0, 0, &out);
    CHECK(out.status == LADLE_OK && out.len == 0 && out.report.records_out == 0);
    t_output_free(&out);

    free(p1);
    free(p2);
    free(pe);
    return t_done("test_head");
}

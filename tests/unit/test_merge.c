/*
 * test_merge.c -- ladle_job_add_state, the library side of `ladle merge`
 * (src/job/merge_run.c), through the public API only.
 *
 * 1. Three jobs draw a state each over one file (LADLE_S_STATE); a job with
 *    the same design joins them (ladle_job_add_state) and prints what one
 *    job with LADLE_S_STATE over the three files prints (-n, and --weight
 *    with --emit-weight), samples of all 60 records and of 10 (keys from
 *    the source id: contract 4).
 * 2. With LADLE_S_STATE the merged state goes to that file and nothing is
 *    printed; merging that file again prints the same.
 * 3. Refusals: another -n (LADLE_E_USAGE naming both files and -n), one
 *    state twice (naming the source), a missing file (LADLE_E_INPUT).
 *
 * LADLE_TEST_PIPELINE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladle/ladle.h"
#include "test_util.h"

static char *inputs[3];

/* A job drawing -n N (weighted: --weight 2 --emit-weight) with seed 7. */
static ladle_job *job_of(int weighted, int64_t n)
{
    ladle_job *j = ladle_job_new();
    CHECK(j != NULL);
    CHECK(ladle_job_set_design(j, weighted ? "weighted" : "bottomk") == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_N, n) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, 7) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, 2) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FORMAT, "tsv") == LADLE_OK);
    if (weighted) {
        CHECK(ladle_job_set_string(j, LADLE_S_FIELD, "2") == LADLE_OK);
        CHECK(ladle_job_set(j, LADLE_P_EMIT_WEIGHT, 1) == LADLE_OK);
    }
    return j;
}

/* Runs job (freed) into *out. */
static void run(ladle_job *j, struct t_output *out)
{
    t_run_job(j, out);
    ladle_job_free(j);
}

static char *state_path(const char *name)
{
    size_t len = strlen(t_tmpdir()) + strlen(name) + 2;
    char *p = malloc(len);
    snprintf(p, len, "%s/%s", t_tmpdir(), name);
    return p;
}

static void test_join(int weighted, int64_t n)
{
    struct t_output one, part, merged, out2;
    ladle_job *j = job_of(weighted, n);
    char tag[32], name[48];
    snprintf(tag, sizeof tag, "%c%lld", weighted ? 'w' : 'n', (long long)n);
    snprintf(name, sizeof name, "%s-all", tag);
    char *all = state_path(name), *st[3];
    snprintf(name, sizeof name, "%s-m", tag);
    char *m = state_path(name);
    CHECK(ladle_job_set_string(j, LADLE_S_STATE, all) == LADLE_OK);
    for (int i = 0; i < 3; i++)
        CHECK(ladle_job_add_input(j, inputs[i]) == LADLE_OK);
    run(j, &one);
    CHECKF(one.status == LADLE_OK, "%s", one.error);
    CHECK(t_count_lines(&one) == (n >= 60 ? 60 : (size_t)n));
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "%s-%d", tag, i);
        st[i] = state_path(name);
        j = job_of(weighted, n);
        CHECK(ladle_job_set_string(j, LADLE_S_STATE, st[i]) == LADLE_OK);
        CHECK(ladle_job_add_input(j, inputs[i]) == LADLE_OK);
        run(j, &part);
        CHECKF(part.status == LADLE_OK, "%s", part.error);
        t_output_free(&part);
    }
    j = job_of(weighted, n);
    for (int i = 0; i < 3; i++)
        CHECK(ladle_job_add_state(j, st[i]) == LADLE_OK);
    run(j, &merged);
    CHECKF(merged.status == LADLE_OK, "%s", merged.error);
    CHECK(merged.len == one.len && memcmp(merged.data, one.data, one.len) == 0);
    if (merged.len != one.len || memcmp(merged.data, one.data, one.len) != 0)
        t_show_first_diff(&merged, one.data, one.len);
    /* To a file: nothing printed; the file merges to the same sample. */
    j = job_of(weighted, n);
    CHECK(ladle_job_set_string(j, LADLE_S_STATE, m) == LADLE_OK);
    for (int i = 0; i < 3; i++)
        CHECK(ladle_job_add_state(j, st[i]) == LADLE_OK);
    run(j, &out2);
    CHECKF(out2.status == LADLE_OK && out2.len == 0, "%s", out2.error);
    t_output_free(&out2);
    j = job_of(weighted, n);
    CHECK(ladle_job_add_state(j, m) == LADLE_OK);
    run(j, &out2);
    CHECK(out2.status == LADLE_OK && out2.len == one.len &&
          memcmp(out2.data, one.data, one.len) == 0);
    t_output_free(&out2);
    /* Refusals. */
    j = job_of(weighted, n - 1);
    CHECK(ladle_job_add_state(j, st[0]) == LADLE_OK);
    run(j, &out2);
    CHECKF(out2.status == LADLE_E_USAGE && strstr(out2.error, "state: drawn with -n") &&
               out2.len == 0,
           "%s", out2.error);
    t_output_free(&out2);
    j = job_of(weighted, n);
    CHECK(ladle_job_add_state(j, st[1]) == LADLE_OK);
    CHECK(ladle_job_add_state(j, m) == LADLE_OK);
    run(j, &out2);
    CHECKF(out2.status == LADLE_E_USAGE && strstr(out2.error, "both consumed source b.tsv"), "%s",
           out2.error);
    t_output_free(&out2);
    j = job_of(weighted, n);
    CHECK(ladle_job_add_state(j, st[0]) == LADLE_OK);
    CHECK(ladle_job_add_state(j, "/nonexistent/state") == LADLE_OK);
    run(j, &out2);
    CHECKF(out2.status == LADLE_E_INPUT && strstr(out2.error, "no such file"), "%s", out2.error);
    t_output_free(&out2);
    for (int i = 0; i < 3; i++)
        free(st[i]);
    free(all);
    free(m);
    t_output_free(&one);
    t_output_free(&merged);
}

int main(void)
{
    const char *names[3] = {"a.tsv", "b.tsv", "c.tsv"};
    for (int i = 0; i < 3; i++) {
        char buf[4096];
        size_t len = 0;
        for (int k = 0; k < 20; k++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%c-%d\t%d\tx\n", 'a' + i, k,
                                    (k * 31 + i) % 9 + 1);
        inputs[i] = t_write_file(names[i], buf, len);
    }
    test_join(0, 1000);
    test_join(1, 1000);
    test_join(0, 10);
    test_join(1, 10);
    for (int i = 0; i < 3; i++)
        free(inputs[i]);
    int rc = t_done("test_merge");
    t_cleanup();
    return rc;
}

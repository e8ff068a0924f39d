/*
 * test_shuffle_stat.c -- `ladle shuffle` (every record, --shuffle, through
 * the out-of-core sorter) gives a uniform random permutation.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * A file of R = 5 records of ~20 KB each, LADLE_P_MEMORY 64 KiB (so every
 * run spills two or more sorted runs and the merge orders them), through
 * the library over 2,000 seeds, in 3 batches of seeds (0.., 10^6..,
 * 2*10^6..), each batch tested on its own:
 * 1. Positions: the 5x5 table of (record, position) counts, each cell
 *    expected 400; its chi-square with (5-1)^2 = 16 dof (rows and columns
 *    sum to 2,000 by construction) must have P(chi2_16 > X2) >= 1e-4.
 * 2. Pairs: for each of the 10 pairs, how often the first precedes the
 *    second is Binomial(2000, 1/2): its chi-square (1 dof) must have
 *    P(chi2_1 > X2) >= 1e-5 (10 pairs: 1e-4 in all, Bonferroni).
 * 3. Every output is a permutation of the 5 records.
 * Power: the same checks on a deliberately biased permutation -- ladle's,
 * with record 0 moved to the front one time in ten (a splitmix draw) --
 * must fail both: record 0 is then first 28% of the time instead of 20%
 * (X2 ~ 60 in its row alone), and precedes each other record 60% of the
 * time (X2 ~ 80 per pair).
 * Under LADLE_TEST_SCALE=smoke (sanitizer builds): 1 batch of 3 seeds; the
 * permutation check (3.) runs, the chi-square checks and their power are
 * skipped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladle/ladle.h"
#include "test_stat.h"
#include "test_util.h"

#define R 5
#define SEEDS 2000
#define RECORD_BYTES 20000

struct tally {
    uint64_t pos[R][R];    /* [record][position] */
    uint64_t before[R][R]; /* [a][b]: a came before b */
    int bad;               /* an output that was not a permutation */
};

/* The records' order in the shuffle of `path` under `seed` (-1s when the
 * output was not 5 records, each once). */
static void shuffle_once(const char *path, uint64_t seed, int order[R])
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI) == LADLE_OK);
    CHECK(ladle_job_set_rate(j, 1.0) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SHUFFLE, 1) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, 1) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_MEMORY, 64 << 10) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_TMPDIR, t_tmpdir()) == LADLE_OK);
    CHECK(ladle_job_add_input(j, path) == LADLE_OK);
    struct t_output out;
    t_run_job(j, &out);
    ladle_job_free(j);
    CHECKF(out.status == LADLE_OK, "job: %s", out.error);
    int seen[R] = {0}, n = 0;
    for (int k = 0; k < R; k++)
        order[k] = -1;
    for (const char *p = out.data, *end = out.data + out.len; p < end && n < R + 1;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        int r = *p - '0';
        if (r >= 0 && r < R && !seen[r] && n < R)
            order[n] = r;
        if (r >= 0 && r < R)
            seen[r]++;
        n++;
        p = nl ? nl + 1 : end;
    }
    for (int k = 0; k < R; k++)
        if (seen[k] != 1 || n != R)
            order[0] = -1;
    t_output_free(&out);
}

static void tally_add(struct tally *t, const int order[R])
{
    if (order[0] < 0) {
        t->bad++;
        return;
    }
    for (int k = 0; k < R; k++) {
        t->pos[order[k]][k]++;
        for (int m = k + 1; m < R; m++)
            t->before[order[k]][order[m]]++;
    }
}

/* The p-values of the position table and of the most lopsided pair;
 * prints them. */
static void tally_p(const struct tally *t, uint64_t seeds, const char *what, double *p_pos_out,
                    double *p_pair_out)
{
    double x2 = 0, e = (double)seeds / R;
    for (int r = 0; r < R; r++)
        for (int k = 0; k < R; k++)
            x2 += ((double)t->pos[r][k] - e) * ((double)t->pos[r][k] - e) / e;
    double p_pos = t_chi2_sf(x2, (R - 1) * (R - 1)), p_pair = 1.0;
    for (int a = 0; a < R; a++)
        for (int b = a + 1; b < R; b++) {
            double d = (double)t->before[a][b] - (double)seeds / 2.0;
            double p = t_chi2_sf(d * d / ((double)seeds / 4.0), 1);
            if (p < p_pair)
                p_pair = p;
        }
    printf("%s: positions X2 = %.1f (p = %.3g), smallest pair p = %.3g, bad %d\n", what, x2, p_pos,
           p_pair, t->bad);
    *p_pos_out = p_pos;
    *p_pair_out = p_pair;
}

int main(void)
{
    char *text = malloc(R * (RECORD_BYTES + 2));
    size_t len = 0;
    for (int r = 0; r < R; r++) {
        text[len++] = (char)('0' + r);
        memset(text + len, 'a' + r, RECORD_BYTES);
        len += RECORD_BYTES;
        text[len++] = '\n';
    }
    char *path = t_write_file("five.txt", text, len);
    free(text);
    const uint64_t seeds = t_reps(SEEDS, 3);
    for (int batch = 0; batch < (int)t_reps(3, 1); batch++) {
        struct tally fair, biased;
        memset(&fair, 0, sizeof fair);
        memset(&biased, 0, sizeof biased);
        uint64_t rng = 0x5eedu + (uint64_t)batch;
        for (uint64_t s = 0; s < seeds; s++) {
            int order[R];
            shuffle_once(path, (uint64_t)batch * 1000000u + s, order);
            tally_add(&fair, order);
            /* the power check's permutation: record 0 to the front, 1 in 10 */
            if (order[0] >= 0 && t_below(&rng, 10) == 0) {
                int k = 0;
                while (order[k] != 0)
                    k++;
                memmove(order + 1, order, (size_t)k * sizeof *order);
                order[0] = 0;
            }
            tally_add(&biased, order);
        }
        char what[64];
        double p_pos, p_pair;
        snprintf(what, sizeof what, "batch %d, ladle", batch);
        tally_p(&fair, seeds, what, &p_pos, &p_pair);
        CHECKF(fair.bad == 0, "%s: %d outputs not a permutation", what, fair.bad);
        CHECK_STAT(p_pos >= 1e-4, "%s: positions not uniform", what);
        CHECK_STAT(p_pair >= 1e-5, "%s: a pair's order not 50/50", what);
        snprintf(what, sizeof what, "batch %d, biased (power check)", batch);
        tally_p(&biased, seeds, what, &p_pos, &p_pair);
        CHECK_STAT(p_pos < 1e-4, "%s: the position test did not see the bias", what);
        CHECK_STAT(p_pair < 1e-5, "%s: the pair test did not see the bias", what);
    }
    free(path);
    return t_done("test_shuffle_stat");
}

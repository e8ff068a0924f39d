/*
 * test_snowball.c -- `--snowball --seeds FILE --link FROM:TO` (LADLE_DESIGN_
 * SNOWBALL) through the public API.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * Snowball sampling is deterministic given the seed keys (the seed only
 * orders nodes for --max-nodes), so every check here is exact: the output
 * is compared byte for byte with a reference traversal written in this
 * file, and the reference itself is checked against waves worked out by
 * hand on a small graph with a cycle (A->B->C->A), a self-loop (A->A),
 * back edges, an unreachable edge (X->Y) and a record without TO (F),
 * split over two TSV files. The semantics (snowball.c, usage.c): wave 0 is
 * every record whose FROM is a seed key; the TO keys of wave w's records,
 * less every node already visited (all earlier frontiers, this one
 * included), are wave w+1's frontier; output is waves 0..W, wave after
 * wave, each in input order; the run stops when a frontier is empty;
 * --max-nodes M bounds the visited nodes: when the new nodes would exceed
 * the room left, those of smallest value key (ladle_value_key(seed, value,
 * len), record/key.h) are taken.
 *
 * 1. Waves 0..W for W in 0..7 (with and without --emit-wave), the seeds
 *    file read with CRLF and blank lines, other seed sets (a seed with no
 *    edges, seeds in two components).
 * 2. Early stop: --waves 10^9 must finish at once (a child process with an
 *    alarm: without the early stop it would run a billion passes).
 * 3. --missing for a record whose FROM matches but whose TO is missing:
 *    skip leaves it out and counts it in records_missing; error stops with
 *    LADLE_E_INPUT naming the file; keep emits it, with TO "" as a node.
 * 4. --max-nodes: on the main graph (the cap chooses by value key, checked
 *    for seeds giving either order), and on A->A, A->B, B->C with M = 2:
 *    after wave 0 the visited set is {A}, so there is room for exactly the
 *    one new node B: the cap must count new nodes only, whatever the keys
 *    of A (already visited, though it is a TO of the self-loop) and B.
 *    With more seeds than M, the M seeds of smallest value key (exact, and
 *    each seed as often as the others over 400 seeds).
 * 5. --header: the header line is written once, first (with "\t_wave"
 *    added under --emit-wave), however many waves run.
 * 6. Determinism: a random graph of 300 nodes and 2000 edges in JSON
 *    ({"src":..,"dst":..}) over two files, waves 3, with and without
 *    --max-nodes: byte-identical to the reference for threads 1..4 and
 *    chunk sizes {1, 7, 4096}.
 * Under LADLE_TEST_SCALE=smoke (sanitizer builds): 4 runs 3 seeds (still
 * both key orders) of 8, 4b 1 seed x 11 M and 3 of the 400 seeds (the
 * frequency check skipped), 6 threads {1, 4} x chunks {7, 4096}; every other
 * check (all exact) runs.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/key.h"
#include <xxhash.h>

#include "test_stat.h"
#include "test_util.h"

static uint64_t rng_state = 0x5B0;

static uint64_t rnd(void)
{
    return t_splitmix(&rng_state);
}

/* ---- graphs ---- */

enum { MAXE = 2100, MAXN = 512 };

struct edge {
    char from[16], to[16];
    int has_to;
    uint32_t file;
    size_t off, len; /* where the record is in its file */
};

struct graph {
    struct edge e[MAXE]; /* in input order once written */
    size_t n;
    int json;
    uint32_t nfiles;
    char *data[2];
    size_t dlen[2];
    char *paths[2];
    const char *header; /* TSV header line, NULL for none */
};

static void add_edge(struct graph *g, uint32_t file, const char *from, const char *to)
{
    struct edge *e = &g->e[g->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->from, sizeof e->from, "%s", from);
    if (to)
        snprintf(e->to, sizeof e->to, "%s", to);
    e->has_to = to != NULL;
    e->file = file;
}

/* Writes the files; the edges are reordered to input order (file 0's
 * edges, then file 1's, each in the order they were added). */
static void graph_write(struct graph *g, const char *tag)
{
    struct edge *sorted = malloc(g->n * sizeof *sorted);
    size_t k = 0;
    for (uint32_t f = 0; f < g->nfiles; f++)
        for (size_t i = 0; i < g->n; i++)
            if (g->e[i].file == f)
                sorted[k++] = g->e[i];
    memcpy(g->e, sorted, g->n * sizeof *sorted);
    free(sorted);
    size_t hl = g->header ? strlen(g->header) : 0;
    for (uint32_t f = 0; f < g->nfiles; f++) {
        g->data[f] = malloc(hl + 64 * (g->n + 1));
        memcpy(g->data[f], g->header ? g->header : "", hl);
        g->dlen[f] = hl;
    }
    for (size_t i = 0; i < g->n; i++) {
        struct edge *e = &g->e[i];
        char *dst = g->data[e->file] + g->dlen[e->file];
        int len;
        if (g->json)
            len = e->has_to ? sprintf(dst, "{\"src\":\"%s\",\"dst\":\"%s\"}\n", e->from, e->to)
                            : sprintf(dst, "{\"src\":\"%s\"}\n", e->from);
        else
            len = e->has_to ? sprintf(dst, "%s\t%s\n", e->from, e->to)
                            : sprintf(dst, "%s\n", e->from);
        e->off = g->dlen[e->file];
        e->len = (size_t)len;
        g->dlen[e->file] += (size_t)len;
    }
    for (uint32_t f = 0; f < g->nfiles; f++) {
        char name[64];
        snprintf(name, sizeof name, "%s-%u.%s", tag, f, g->json ? "json" : "tsv");
        g->paths[f] = t_write_file(name, g->data[f], g->dlen[f]);
    }
}

static void graph_free(struct graph *g)
{
    for (uint32_t f = 0; f < g->nfiles; f++) {
        free(g->data[f]);
        free(g->paths[f]);
    }
}

/* ---- node sets ---- */

struct nodes {
    char v[MAXN][16];
    size_t n;
};

static int has(const struct nodes *s, const char *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], v) == 0)
            return 1;
    return 0;
}

static void put(struct nodes *s, const char *v)
{
    if (!has(s, v) && s->n < MAXN)
        snprintf(s->v[s->n++], sizeof s->v[0], "%s", v);
}

static uint64_t sort_seed;

static int cmp_node(const void *x, const void *y)
{
    const char *a = x, *b = y;
    uint64_t ka = ladle_value_key(sort_seed, a, strlen(a)),
             kb = ladle_value_key(sort_seed, b, strlen(b));
    if (ka != kb)
        return ka < kb ? -1 : 1;
    return strcmp(a, b);
}

/* ---- the reference traversal ---- */

struct opts {
    uint64_t waves, max_nodes, seed;
    int emit_wave;
    ladle_missing missing;
    unsigned threads;
    int64_t chunk;
    int header;
};

/* wave_of[i]: the wave of edge i, -1 if not in the output. Returns -1 if
 * the policy is error and a record without TO is reached, else the
 * number of waves that had a frontier. */
static int reference(const struct graph *g, const struct nodes *seeds, const struct opts *o,
                     int *wave_of, size_t *skipped)
{
    static struct nodes frontier, visited, fresh;
    frontier = *seeds;
    /* The seeds count among the M nodes: more seeds than M, the M of
     * smallest value key. */
    if (o->max_nodes && frontier.n > o->max_nodes) {
        sort_seed = o->seed;
        qsort(frontier.v, frontier.n, sizeof frontier.v[0], cmp_node);
        frontier.n = (size_t)o->max_nodes;
    }
    visited.n = 0;
    *skipped = 0;
    for (size_t i = 0; i < g->n; i++)
        wave_of[i] = -1;
    int w = 0;
    for (; (uint64_t)w <= o->waves && frontier.n; w++) {
        struct nodes next;
        next.n = 0;
        for (size_t i = 0; i < g->n; i++) {
            const struct edge *e = &g->e[i];
            if (!has(&frontier, e->from))
                continue;
            if (!e->has_to) {
                if (o->missing == LADLE_MISSING_ERROR)
                    return -1;
                if (o->missing == LADLE_MISSING_SKIP) {
                    ++*skipped;
                    continue;
                }
            }
            wave_of[i] = w;
            put(&next, e->has_to ? e->to : "");
        }
        for (size_t k = 0; k < frontier.n; k++)
            put(&visited, frontier.v[k]);
        fresh.n = 0;
        for (size_t k = 0; k < next.n; k++)
            if (!has(&visited, next.v[k]))
                put(&fresh, next.v[k]);
        if (o->max_nodes) {
            size_t room = o->max_nodes > visited.n ? (size_t)(o->max_nodes - visited.n) : 0;
            if (fresh.n > room) {
                sort_seed = o->seed;
                qsort(fresh.v, fresh.n, sizeof fresh.v[0], cmp_node);
                fresh.n = room;
            }
        }
        frontier = fresh;
    }
    return w;
}

/* The output the reference gives: waves in order, input order within. */
static char *render(const struct graph *g, const int *wave_of, const struct opts *o, size_t *len)
{
    char *out = malloc(64 * (g->n + 2) + 64), *p = out;
    if (o->header && g->header) {
        size_t hl = strlen(g->header) - 1;
        memcpy(p, g->header, hl);
        p += hl;
        p += sprintf(p, "%s\n", o->emit_wave ? "\t_wave" : "");
    }
    for (int w = 0; w < 64; w++)
        for (size_t i = 0; i < g->n; i++) {
            if (wave_of[i] != w)
                continue;
            const struct edge *e = &g->e[i];
            const char *rec = g->data[e->file] + e->off;
            if (!o->emit_wave) {
                memcpy(p, rec, e->len);
                p += e->len;
            } else if (g->json) { /* insert ,"_wave":w before the closing brace */
                memcpy(p, rec, e->len - 2);
                p += e->len - 2;
                p += sprintf(p, ",\"_wave\":%d}\n", w);
            } else {
                memcpy(p, rec, e->len - 1);
                p += e->len - 1;
                p += sprintf(p, "\t%d\n", w);
            }
        }
    *len = (size_t)(p - out);
    return out;
}

/* ---- jobs ---- */

static void run_snow(const struct graph *g, const char *seeds_path, const struct opts *o,
                     struct t_output *out)
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_SNOWBALL) == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_FORMAT, g->json ? "json" : "tsv") == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_LINK,
                               g->json     ? "src:dst"
                               : o->header ? "src:dst"
                                           : "1:2") == LADLE_OK);
    CHECK(ladle_job_set_string(j, LADLE_S_SEEDS, seeds_path) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_WAVES, (int64_t)o->waves) == LADLE_OK);
    if (o->max_nodes)
        CHECK(ladle_job_set(j, LADLE_P_MAX_NODES, (int64_t)o->max_nodes) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, (int64_t)o->seed) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_EMIT_WAVE, o->emit_wave) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_MISSING, o->missing) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_HEADER, o->header) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, o->threads ? o->threads : 2) == LADLE_OK);
    if (o->chunk)
        CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, o->chunk) == LADLE_OK);
    for (uint32_t f = 0; f < g->nfiles; f++)
        CHECK(ladle_job_add_input(j, g->paths[f]) == LADLE_OK);
    t_run_job(j, out);
    ladle_job_free(j);
}

/* Runs o and compares with the reference. */
static int check_run(const struct graph *g, const char *seeds_path, const struct nodes *seeds,
                     const struct opts *o, const char *what)
{
    int *wave_of = malloc(g->n * sizeof *wave_of);
    size_t skipped;
    reference(g, seeds, o, wave_of, &skipped);
    size_t wlen;
    char *want = render(g, wave_of, o, &wlen);
    size_t wcount = 0;
    for (size_t i = 0; i < g->n; i++)
        wcount += wave_of[i] >= 0;
    struct t_output out;
    run_snow(g, seeds_path, o, &out);
    int ok = out.status == LADLE_OK && out.len == wlen && memcmp(out.data, want, wlen) == 0 &&
             out.report.records_out == wcount;
    CHECKF(ok,
           "%s (waves %llu, max-nodes %llu, seed %llu, emit-wave %d, threads %u, chunk %lld): "
           "%llu records/%zu bytes, want %zu/%zu (status %d %s)",
           what, (unsigned long long)o->waves, (unsigned long long)o->max_nodes,
           (unsigned long long)o->seed, o->emit_wave, o->threads, (long long)o->chunk,
           (unsigned long long)out.report.records_out, out.len, wcount, wlen, out.status,
           out.error);
    if (!ok && out.status == LADLE_OK)
        t_show_first_diff(&out, want, wlen);
    t_output_free(&out);
    free(want);
    free(wave_of);
    return ok;
}

/* ---- the hand-checked graph ---- */

static struct graph hand;
static char *seeds_a;
static struct nodes set_a;

static void make_hand(struct graph *g, int header, const char *tag)
{
    memset(g, 0, sizeof *g);
    g->nfiles = 2;
    g->header = header ? "src\tdst\n" : NULL;
    add_edge(g, 0, "A", "B");  /* r0 */
    add_edge(g, 0, "B", "C");  /* r1 */
    add_edge(g, 0, "X", "Y");  /* r2: unreachable from A */
    add_edge(g, 0, "A", "A");  /* r3: self-loop */
    add_edge(g, 0, "C", "D");  /* r4 */
    add_edge(g, 0, "F", NULL); /* r5: no TO */
    add_edge(g, 1, "C", "A");  /* r6: closes the cycle A->B->C->A */
    add_edge(g, 1, "D", "E");  /* r7 */
    add_edge(g, 1, "E", "B");  /* r8: back edge */
    add_edge(g, 1, "B", "D");  /* r9 */
    add_edge(g, 1, "D", "F");  /* r10 */
    add_edge(g, 1, "G", "H");  /* r11 */
    add_edge(g, 1, "E", "G");  /* r12 */
    graph_write(g, tag);
}

static void test_waves(void)
{
    make_hand(&hand, 0, "hand");
    static const char seeds_text[] = "A\r\n\n";
    seeds_a = t_write_file("seeds-a.txt", seeds_text, sizeof seeds_text - 1);
    set_a.n = 0;
    put(&set_a, "A");
    /* By hand: wave 0 {A}: r0 r3; 1 {B}: r1 r9; 2 {C,D}: r4 r6 r7 r10;
     * 3 {E,F}: r8 r12 (r5 has no TO: skipped); 4 {G}: r11; 5 {H}: none,
     * and the frontier is empty after it. */
    static const int by_hand[] = {0, 1, -1, 0, 2, -1, 2, 2, 3, 1, 2, 4, 3};
    int wave_of[16];
    size_t skipped;
    struct opts o = {100, 0, 0, 0, LADLE_MISSING_SKIP, 2, 0, 0};
    int waves = reference(&hand, &set_a, &o, wave_of, &skipped);
    CHECK(waves == 6 && skipped == 1);
    CHECK(memcmp(wave_of, by_hand, sizeof by_hand) == 0);

    for (uint64_t w = 0; w <= 7; w++)
        for (int ew = 0; ew <= 1; ew++) {
            struct opts ow = {w, 0, 0, ew, LADLE_MISSING_SKIP, 2, 0, 0};
            check_run(&hand, seeds_a, &set_a, &ow, "hand graph, seed A");
        }
    /* Other seeds: two components; a seed without edges; several lines. */
    static const char two[] = "X\nG\n", none[] = "Q\n", mixed[] = "\nE\r\nF\n\nQ";
    const char *texts[] = {two, none, mixed};
    const char *const sets[][3] = {{"X", "G", NULL}, {"Q", NULL, NULL}, {"E", "F", "Q"}};
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "seeds-%d.txt", k);
        char *path = t_write_file(name, texts[k], strlen(texts[k]));
        struct nodes s;
        s.n = 0;
        for (int i = 0; i < 3 && sets[k][i]; i++)
            put(&s, sets[k][i]);
        for (uint64_t w = 0; w <= 3; w++) {
            struct opts ow = {w, 0, 0, 1, LADLE_MISSING_SKIP, 2, 0, 0};
            check_run(&hand, path, &s, &ow, name);
        }
        free(path);
    }
}

/* ---- 2. early stop ---- */

static void test_early_stop(void)
{
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(60);
        t_failures = 0;
        struct opts o = {1000000000, 0, 0, 1, LADLE_MISSING_SKIP, 2, 0, 0};
        check_run(&hand, seeds_a, &set_a, &o, "--waves 1000000000");
        _exit(t_failures ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "--waves 10^9 on a graph whose frontier empties after wave 5: child %s %d%s",
           WIFEXITED(status) ? "exited with" : "killed by signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
           WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM ? " (no early stop)" : "");
}

/* ---- 3. --missing ---- */

static void test_missing(void)
{
    struct opts o = {10, 0, 0, 1, LADLE_MISSING_SKIP, 2, 0, 0};
    check_run(&hand, seeds_a, &set_a, &o, "--missing skip");
    struct t_output out;
    run_snow(&hand, seeds_a, &o, &out);
    CHECKF(out.report.records_missing == 1,
           "--missing skip: the record F (FROM in wave 3's frontier, no TO) was left out, "
           "records_missing %llu, want 1",
           (unsigned long long)out.report.records_missing);
    t_output_free(&out);
    /* error: stops, naming the file holding F. */
    o.missing = LADLE_MISSING_ERROR;
    run_snow(&hand, seeds_a, &o, &out);
    CHECKF(out.status == LADLE_E_INPUT && strstr(out.error, hand.paths[0]),
           "--missing error: status %d, error '%s'", out.status, out.error);
    t_output_free(&out);
    /* Not reached, no error: --waves 2 stops before F's wave. */
    o.waves = 2;
    check_run(&hand, seeds_a, &set_a, &o, "--missing error, F not reached");
    /* keep: F's record is in wave 3, and "" is a node of wave 4. */
    o.missing = LADLE_MISSING_KEEP;
    o.waves = 10;
    int wave_of[16];
    size_t skipped;
    reference(&hand, &set_a, &o, wave_of, &skipped);
    CHECK(wave_of[5] == 3);
    check_run(&hand, seeds_a, &set_a, &o, "--missing keep");
}

/* ---- 4. --max-nodes ---- */

static void test_max_nodes(void)
{
    /* Main graph, M = 3: after wave 1 the room is one of C, D: the smaller key. */
    int orders[2] = {0, 0};
    for (uint64_t seed = 0; seed < t_reps(8, 3); seed++) {
        uint64_t kc = ladle_value_key(seed, "C", 1), kd = ladle_value_key(seed, "D", 1);
        orders[kc < kd]++;
        for (uint64_t m = 1; m <= 6; m++) {
            struct opts o = {10, m, seed, 1, LADLE_MISSING_SKIP, 2, 0, 0};
            check_run(&hand, seeds_a, &set_a, &o, "hand graph --max-nodes");
        }
    }
    CHECK(orders[0] > 0 && orders[1] > 0);

    /* A->A, A->B, B->C, M = 2. */
    struct graph *g = malloc(sizeof *g);
    memset(g, 0, sizeof *g);
    g->nfiles = 1;
    add_edge(g, 0, "A", "A");
    add_edge(g, 0, "A", "B");
    add_edge(g, 0, "B", "C");
    graph_write(g, "loop");
    int fails[2] = {0, 0}, tried[2] = {0, 0};
    for (uint64_t seed = 0; seed < t_reps(8, 3); seed++) {
        int a_first = ladle_value_key(seed, "A", 1) < ladle_value_key(seed, "B", 1);
        tried[a_first]++;
        struct opts o = {5, 2, seed, 1, LADLE_MISSING_SKIP, 1, 0, 0};
        int wave_of[3];
        size_t skipped;
        reference(g, &set_a, &o, wave_of, &skipped);
        CHECK(wave_of[0] == 0 && wave_of[1] == 0 && wave_of[2] == 1);
        char what[96];
        snprintf(what, sizeof what, "A->A, A->B, B->C --max-nodes 2 (key(A) %s key(B))",
                 a_first ? "<" : ">");
        fails[a_first] += !check_run(g, seeds_a, &set_a, &o, what);
    }
    CHECK(tried[0] > 0 && tried[1] > 0);
    if (fails[0] || fails[1])
        fprintf(stderr,
                "--max-nodes 2 on A->A, A->B, B->C: wrong for %d of %d seeds with "
                "key(A) < key(B), %d of %d with key(A) > key(B)\n",
                fails[1], tried[1], fails[0], tried[0]);
    graph_free(g);
    free(g);
}

/* ---- 4b. --max-nodes below the number of seeds ---- */

/* Ten seeds s0..s9, each with one edge si->ti and ti->ui. --max-nodes M < 10
 * visits the M seeds of smallest value key (the man page: "the seeds
 * included"), so wave 0 has M records, not 10, and the chosen seeds change
 * with the seed: over 400 seeds, M = 3, each seed key is chosen about
 * 400*3/10 = 120 times (sd 9.2; a choice by bytes or by line would give
 * 400 or 0). */
static void test_max_nodes_seeds(void)
{
    struct graph *g = malloc(sizeof *g);
    memset(g, 0, sizeof *g);
    g->nfiles = 1;
    struct nodes seeds;
    seeds.n = 0;
    char text[128] = "", a[16], b[16], c[16];
    for (int i = 0; i < 10; i++) {
        snprintf(a, sizeof a, "s%d", i);
        snprintf(b, sizeof b, "t%d", i);
        snprintf(c, sizeof c, "u%d", i);
        add_edge(g, 0, a, b);
        add_edge(g, 0, b, c);
        put(&seeds, a);
        strcat(text, a);
        strcat(text, "\n");
    }
    graph_write(g, "tenseeds");
    char *path = t_write_file("seeds-ten.txt", text, strlen(text));
    for (uint64_t seed = 0; seed < t_reps(4, 1); seed++)
        for (uint64_t m = 1; m <= 11; m++) {
            struct opts o = {2, m, seed, 1, LADLE_MISSING_SKIP, 2, 0, 0};
            check_run(g, path, &seeds, &o, "ten seeds --max-nodes");
            struct t_output out;
            run_snow(g, path, &o, &out);
            size_t wave0 = 0;
            for (const char *q = out.data; q && (q = strstr(q, "\t0\n")) != NULL; q++)
                wave0++;
            CHECKF(out.status == LADLE_OK && wave0 == (m < 10 ? m : 10),
                   "ten seeds --max-nodes %llu (seed %llu): %zu records in wave 0, want %llu",
                   (unsigned long long)m, (unsigned long long)seed, wave0,
                   (unsigned long long)(m < 10 ? m : 10));
            t_output_free(&out);
        }
    unsigned chosen[10] = {0};
    enum { RUNS = 400 };
    for (uint64_t seed = 1000; seed < 1000 + t_reps(RUNS, 3); seed++) {
        struct opts o = {0, 3, seed, 0, LADLE_MISSING_SKIP, 1, 0, 0};
        struct t_output out;
        run_snow(g, path, &o, &out);
        CHECK(out.status == LADLE_OK && t_count_lines(&out) == 3);
        for (const char *q = out.data; q && (q = strchr(q, 's')) != NULL; q++)
            if (q[1] >= '0' && q[1] <= '9')
                chosen[q[1] - '0']++;
        t_output_free(&out);
    }
    for (int i = 0; i < 10; i++)
        CHECK_STAT(chosen[i] >= 120 - 46 && chosen[i] <= 120 + 46,
                   "--max-nodes 3 of 10 seeds over %d seeds: s%d chosen %u times, want 120 +- 46",
                   RUNS, i, chosen[i]);
    free(path);
    graph_free(g);
    free(g);
}

/* ---- 5. --header ---- */

static void test_header(void)
{
    struct graph *g = malloc(sizeof *g);
    make_hand(g, 1, "hdr");
    for (int ew = 0; ew <= 1; ew++) {
        struct opts o = {10, 0, 0, ew, LADLE_MISSING_SKIP, 2, 0, 1};
        check_run(g, seeds_a, &set_a, &o, "--header --link src:dst");
        struct t_output out;
        run_snow(g, seeds_a, &o, &out);
        size_t headers = 0;
        for (const char *q = out.data; (q = strstr(q, "src\tdst")) != NULL; q++)
            headers++;
        CHECKF(headers == 1, "--header%s: the header appears %zu times in the output (6 waves)",
               ew ? " --emit-wave" : "", headers);
        t_output_free(&out);
    }
    graph_free(g);
    free(g);
}

/* ---- 6. determinism ---- */

static void test_determinism(void)
{
    struct graph *g = malloc(sizeof *g);
    memset(g, 0, sizeof *g);
    g->json = 1;
    g->nfiles = 2;
    for (int i = 0; i < 2000; i++) {
        char a[16], b[16];
        /* Mostly local edges, so waves grow gradually. */
        unsigned from = (unsigned)(rnd() % 300);
        unsigned to =
            rnd() % 4 ? (from + 1 + (unsigned)(rnd() % 7)) % 300 : (unsigned)(rnd() % 300);
        snprintf(a, sizeof a, "n%u", from);
        snprintf(b, sizeof b, "n%u", to);
        add_edge(g, (uint32_t)(rnd() % 2), a, i % 397 == 5 ? NULL : b);
    }
    graph_write(g, "rand");
    static const char seeds_text[] = "n0\nn100\nn200\n";
    char *path = t_write_file("seeds-rand.txt", seeds_text, sizeof seeds_text - 1);
    struct nodes s;
    s.n = 0;
    put(&s, "n0");
    put(&s, "n100");
    put(&s, "n200");
    static const int64_t chunks[] = {1, 7, 4096};
    /* Uncapped: the reference. Capped: the same bytes for every thread
     * count and chunk size (the cap's own semantics are test 4's). */
    struct opts capped = {3, 50, 13, 1, LADLE_MISSING_KEEP, 1, 0, 0};
    struct t_output ref;
    run_snow(g, path, &capped, &ref);
    CHECK(ref.status == LADLE_OK && ref.len > 0);
    /* Smoke: threads 1 and 4, chunks 7 and 4096 (chunk 1 with 4 threads
     * takes seconds a run under TSan). */
    for (unsigned th = 1; th <= 4; th += t_threads_step(4))
        for (size_t c = t_reps(0, 1); c < 3; c++) {
            struct opts o = {3, 0, 13, 1, LADLE_MISSING_KEEP, th, chunks[c], 0};
            check_run(g, path, &s, &o, "random graph");
            struct opts oc = capped;
            oc.threads = th;
            oc.chunk = chunks[c];
            struct t_output out;
            run_snow(g, path, &oc, &out);
            CHECKF(out.status == LADLE_OK && out.len == ref.len &&
                       memcmp(out.data, ref.data, ref.len) == 0,
                   "random graph --max-nodes 50, threads %u chunk %lld: output differs", th,
                   (long long)chunks[c]);
            t_output_free(&out);
        }
    t_output_free(&ref);
    free(path);
    graph_free(g);
    free(g);
}

int main(void)
{
    test_waves();
    test_early_stop();
    test_missing();
    test_max_nodes();
    test_max_nodes_seeds();
    test_header();
    test_determinism();
    graph_free(&hand);
    free(seeds_a);
    return t_done("test_snowball");
}

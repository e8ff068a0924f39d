/*
 * test_bottomk.c -- the bottom-k sampler (src/sample/bottomk.c) through its
 * ops table, without the pipeline.
 *
 * A population of records spread over several inputs is cut into
 * hand-built chunks, offered to 1..4 partial samplers in many different
 * ways (chunk boundaries, which partial gets which chunk, offer order,
 * merge order), merged, and finished into a ladle_writer on a temp file.
 * The output must be the same for every partition and equal to the brute
 * force: sort every record by (key, input, offset) with
 * key = ladle_record_key(seed, input, offset), take the first n, write them
 * in (input, offset) order -- or in key order with shuffle. That is the
 * "-n N" part of the reproducibility contract, and the property that lets
 * threads (and runs) merge.
 *
 * Also: serialize each partial, deserialize into fresh samplers, merge:
 * same output and same records_seen; a state drawn with another seed or n
 * is refused with LADLE_E_INPUT; every truncation of a state, and a wrong
 * magic, fail cleanly (no crash, no leak under ASan). (Records longer
 * than max_record are the framer's to refuse: test_framer.c.)
 *
 * All checks are exact (no statistics).
 *
 * The huge-n cases (n far beyond the population) run in a child process,
 * because a sampler that sizes its heap by n instead of by what it holds
 * runs out of memory, or with n * sizeof(entry) wrapping around, corrupts
 * the heap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/config.h"
#include "common/error.h"
#include "out/outbuf.h"
#include "out/writer.h"
#include "record/chunk.h"
#include "record/key.h"
#include "sample/sampler.h"
#include "test_stat.h"
#include "test_util.h"

static uint64_t rng_state = 99; /* for t_below (test_stat.c) */

/* ---- the population ---- */

#define NINPUTS 4

struct rec {
    uint32_t input;
    uint64_t offset;
    const char *data; /* into the input's bytes */
    size_t len;       /* including '\n' */
    uint64_t key;     /* for the current seed */
};

struct input {
    char *bytes;
    size_t len;
    struct rec *recs; /* into the global array */
    size_t nrecs;
};

static struct input inputs[NINPUTS];
static struct rec *all;
static size_t nall;

/* Inputs of 70, 1, 0 and 45 records: one input with a single record and one
 * with none, record lengths from 1 (an empty line) to a few hundred bytes. */
static void make_population(void)
{
    static const size_t counts[NINPUTS] = {70, 1, 0, 45};
    size_t total = 0;
    for (int i = 0; i < NINPUTS; i++)
        total += counts[i];
    all = calloc(total, sizeof *all);
    for (uint32_t i = 0; i < NINPUTS; i++) {
        struct input *in = &inputs[i];
        in->bytes = malloc(counts[i] * 400 + 1);
        in->recs = all + nall;
        size_t pos = 0;
        for (size_t r = 0; r < counts[i]; r++) {
            size_t start = pos;
            if (r % 17 != 5) { /* r % 17 == 5: an empty line */
                pos += (size_t)sprintf(in->bytes + pos, "in%u rec%zu ", i, r);
                size_t pad = t_below(&rng_state, 300);
                for (size_t k = 0; k < pad; k++)
                    in->bytes[pos++] = (char)('a' + (k + r) % 26);
                if (r % 5 == 0)
                    in->bytes[pos++] = '\r';
            }
            in->bytes[pos++] = '\n';
            all[nall++] = (struct rec){i, start, NULL, pos - start, 0};
        }
        in->len = pos;
        in->nrecs = counts[i];
        for (size_t r = 0; r < counts[i]; r++)
            in->recs[r].data = in->bytes + in->recs[r].offset;
    }
}

static void free_population(void)
{
    for (int i = 0; i < NINPUTS; i++)
        free(inputs[i].bytes);
    free(all);
}

/* ---- brute force ---- */

static int cmp_key(const void *x, const void *y)
{
    const struct rec *a = *(const struct rec *const *)x, *b = *(const struct rec *const *)y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static int cmp_identity(const void *x, const void *y)
{
    const struct rec *a = *(const struct rec *const *)x, *b = *(const struct rec *const *)y;
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static char *brute_force(uint64_t seed, uint64_t n, int shuffle, size_t *len)
{
    const struct rec **v = malloc((nall ? nall : 1) * sizeof *v);
    for (size_t i = 0; i < nall; i++) {
        all[i].key = ladle_record_key(seed, all[i].input, all[i].offset);
        v[i] = &all[i];
    }
    qsort(v, nall, sizeof *v, cmp_key);
    size_t take = n < nall ? (size_t)n : nall;
    if (!shuffle)
        qsort(v, take, sizeof *v, cmp_identity);
    size_t total = 0;
    for (size_t i = 0; i < take; i++)
        total += v[i]->len;
    char *out = malloc(total + 1);
    size_t pos = 0;
    for (size_t i = 0; i < take; i++) {
        memcpy(out + pos, v[i]->data, v[i]->len);
        pos += v[i]->len;
    }
    free(v);
    *len = total;
    return out;
}

/* ---- driving samplers ---- */

static struct ladle_config make_cfg(uint64_t n, uint64_t seed, int shuffle)
{
    struct ladle_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.params.design = LADLE_DESIGN_BOTTOMK;
    cfg.params.n = n;
    cfg.params.seed = seed;
    cfg.params.shuffle = shuffle;
    cfg.engine.threads = 1;
    cfg.engine.chunk_size = LADLE_DEFAULT_CHUNK_SIZE;
    cfg.engine.max_record = LADLE_DEFAULT_MAX_RECORD;
    return cfg;
}

/* A chunk holding records [a, b) of input i, as the framer would hand it. */
static struct ladle_chunk *make_chunk(uint32_t i, size_t a, size_t b)
{
    const struct input *in = &inputs[i];
    size_t start = in->recs[a].offset;
    size_t end = in->recs[b - 1].offset + in->recs[b - 1].len;
    struct ladle_chunk *ck = ladle_chunk_new_oversized(end - start + 1);
    if (!ck)
        abort();
    memcpy(ck->data, in->bytes + start, end - start);
    ck->len = end - start;
    ck->offset = start;
    ck->input = i;
    ck->source = i; /* brute_force keys by the ordinal */
    return ck;
}

struct chunk_ref {
    uint32_t input;
    size_t a, b;
};

/* Cuts every input into chunks of 1..maxrun records (maxrun 0: whole inputs). */
static size_t cut_chunks(struct chunk_ref *v, size_t maxrun)
{
    size_t n = 0;
    for (uint32_t i = 0; i < NINPUTS; i++)
        for (size_t a = 0; a < inputs[i].nrecs;) {
            size_t run = maxrun ? 1 + t_below(&rng_state, maxrun) : inputs[i].nrecs;
            size_t b = a + run < inputs[i].nrecs ? a + run : inputs[i].nrecs;
            v[n++] = (struct chunk_ref){i, a, b};
            a = b;
        }
    return n;
}

static ladle_status offer(struct ladle_sampler *s, const struct chunk_ref *c)
{
    struct ladle_chunk *ck = make_chunk(c->input, c->a, c->b);
    struct ladle_outbuf out;
    memset(&out, 0, sizeof out);
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st = s->ops->offer(s, ck, &out, "input", &err);
    CHECKF(st == LADLE_OK, "offer: %s", err.msg);
    CHECK(out.len == 0 && out.records == 0); /* a retaining design writes nothing on the spot */
    ladle_outbuf_free(&out);
    ladle_chunk_put(ck);
    return st;
}

/* Finishes s into a temp file and returns its bytes. */
static char *finish(struct ladle_sampler *s, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bk-XXXXXX", t_tmpdir());
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_writer w;
    CHECK(ladle_writer_init(&w, fd, &err) == LADLE_OK);
    ladle_status st = s->ops->finish(s, &w, &err);
    CHECKF(st == LADLE_OK, "finish: %s", err.msg);
    CHECK(ladle_writer_flush(&w) == LADLE_OK);
    ladle_writer_destroy(&w);
    off_t size = lseek(fd, 0, SEEK_END);
    char *data = malloc((size_t)size + 1);
    if (pread(fd, data, (size_t)size, 0) != size)
        abort();
    close(fd);
    unlink(path);
    *len = (size_t)size;
    return data;
}

static void init_sampler(struct ladle_sampler *s, const struct ladle_config *cfg)
{
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st = ladle_sampler_init(s, &ladle_sampler_bottomk, cfg, &err);
    if (st != LADLE_OK) {
        fprintf(stderr, "sampler init: %s\n", err.msg);
        exit(1);
    }
}

/* Merges parts[0..k) in a random order into one and returns its index. */
static size_t merge_all(struct ladle_sampler *parts, size_t k)
{
    int alive[4] = {1, 1, 1, 1};
    size_t left = k;
    while (left > 1) {
        size_t a, b;
        do
            a = t_below(&rng_state, k);
        while (!alive[a]);
        do
            b = t_below(&rng_state, k);
        while (!alive[b] || b == a);
        struct ladle_error err;
        ladle_error_init(&err);
        CHECK(parts[a].ops->merge(&parts[a], &parts[b], &err) == LADLE_OK);
        CHECK(parts[b].records_seen == 0);
        ladle_sampler_destroy(&parts[b]);
        alive[b] = 0;
        left--;
    }
    for (size_t i = 0; i < k; i++)
        if (alive[i])
            return i;
    return 0;
}

static int same(const char *what, const char *got, size_t glen, const char *want, size_t wlen)
{
    if (glen == wlen && memcmp(got, want, wlen) == 0)
        return 1;
    CHECKF(0, "%s: output differs (%zu bytes, want %zu)", what, glen, wlen);
    return 0;
}

/* One partition: chunks cut with maxrun, spread over k partials. With
 * via_state, each partial goes through serialize/deserialize first. */
static void run_partition(uint64_t n, uint64_t seed, int shuffle, size_t k, size_t maxrun,
                          int via_state)
{
    char what[160];
    snprintf(what, sizeof what, "n=%llu seed=%llu shuffle=%d parts=%zu maxrun=%zu state=%d",
             (unsigned long long)n, (unsigned long long)seed, shuffle, k, maxrun, via_state);
    struct ladle_config cfg = make_cfg(n, seed, shuffle);
    struct ladle_sampler parts[4];
    for (size_t i = 0; i < k; i++)
        init_sampler(&parts[i], &cfg);

    struct chunk_ref chunks[512];
    size_t nchunks = cut_chunks(chunks, maxrun);
    /* Offer in a random order: the sampler must not care. */
    for (size_t i = nchunks; i > 1; i--) {
        size_t j = t_below(&rng_state, i);
        struct chunk_ref t = chunks[i - 1];
        chunks[i - 1] = chunks[j];
        chunks[j] = t;
    }
    for (size_t i = 0; i < nchunks; i++)
        offer(&parts[t_below(&rng_state, k)], &chunks[i]);

    if (via_state) {
        for (size_t i = 0; i < k; i++) {
            struct ladle_outbuf state;
            memset(&state, 0, sizeof state);
            struct ladle_error err;
            ladle_error_init(&err);
            CHECK(parts[i].ops->serialize(&parts[i], &state, &err) == LADLE_OK);
            uint64_t seen = parts[i].records_seen;
            ladle_sampler_destroy(&parts[i]);
            init_sampler(&parts[i], &cfg);
            ladle_error_init(&err);
            ladle_status st = parts[i].ops->deserialize(&parts[i], state.data, state.len, &err);
            CHECKF(st == LADLE_OK, "%s: deserialize: %s", what, err.msg);
            CHECKF(parts[i].records_seen == seen,
                   "%s: records_seen %llu after the round trip, "
                   "want %llu",
                   what, (unsigned long long)parts[i].records_seen, (unsigned long long)seen);
            ladle_outbuf_free(&state);
        }
    }

    size_t last = merge_all(parts, k);
    CHECKF(parts[last].records_seen == nall, "%s: records_seen %llu, want %zu", what,
           (unsigned long long)parts[last].records_seen, nall);
    size_t glen, wlen;
    char *got = finish(&parts[last], &glen);
    char *want = brute_force(seed, n, shuffle, &wlen);
    same(what, got, glen, want, wlen);
    free(got);
    free(want);
    ladle_sampler_destroy(&parts[last]);
}

static void test_partitions(void)
{
    const uint64_t ns[] = {1, 2, 7, 50, 115, 116, 117, 1000}; /* 0: test_n_zero */
    const uint64_t seeds[] = {0, 1, 0xDEADBEEFULL, UINT64_MAX};
    const size_t maxruns[] = {0, 1, 3, 8};
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
        for (size_t si = 0; si < sizeof seeds / sizeof seeds[0]; si++)
            for (int shuffle = 0; shuffle <= 1; shuffle++)
                for (size_t k = 1; k <= 4; k++)
                    for (size_t mi = 0; mi < sizeof maxruns / sizeof maxruns[0]; mi++)
                        run_partition(ns[ni], seeds[si], shuffle, k, maxruns[mi],
                                      (int)((k + mi + ni) % 2));
    CHECK(nall == 116); /* the ns above straddle the population */
}

/* A merged state of the whole population, serialized. */
static struct ladle_outbuf full_state(const struct ladle_config *cfg)
{
    struct ladle_sampler s;
    init_sampler(&s, cfg);
    struct chunk_ref chunks[512];
    size_t nchunks = cut_chunks(chunks, 4);
    for (size_t i = 0; i < nchunks; i++)
        offer(&s, &chunks[i]);
    struct ladle_outbuf state;
    memset(&state, 0, sizeof state);
    struct ladle_error err;
    ladle_error_init(&err);
    CHECK(s.ops->serialize(&s, &state, &err) == LADLE_OK);
    ladle_sampler_destroy(&s);
    return state;
}

static ladle_status try_deserialize(const struct ladle_config *cfg, const void *data, size_t len,
                                    char *msg, size_t msgsize)
{
    struct ladle_sampler s;
    init_sampler(&s, cfg);
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st = s.ops->deserialize(&s, data, len, &err);
    snprintf(msg, msgsize, "%s", err.msg);
    ladle_sampler_destroy(&s);
    return st;
}

static void test_state_errors(void)
{
    struct ladle_config cfg = make_cfg(20, 1234, 0);
    struct ladle_outbuf state = full_state(&cfg);
    char msg[LADLE_ERROR_MAX];
    CHECK(try_deserialize(&cfg, state.data, state.len, msg, sizeof msg) == LADLE_OK);

    struct ladle_config other_seed = make_cfg(20, 1235, 0);
    CHECK(try_deserialize(&other_seed, state.data, state.len, msg, sizeof msg) == LADLE_E_INPUT);
    struct ladle_config other_n = make_cfg(21, 1234, 0);
    CHECK(try_deserialize(&other_n, state.data, state.len, msg, sizeof msg) == LADLE_E_INPUT);
    struct ladle_config other_n0 = make_cfg(0, 1234, 0);
    CHECK(try_deserialize(&other_n0, state.data, state.len, msg, sizeof msg) == LADLE_E_INPUT);
    /* shuffle is an output choice, not part of the sample: accepted. */
    struct ladle_config shuffled = make_cfg(20, 1234, 1);
    CHECK(try_deserialize(&shuffled, state.data, state.len, msg, sizeof msg) == LADLE_OK);

    /* Every truncation fails cleanly. */
    int bad = 0;
    for (size_t len = 0; len < state.len; len++) {
        ladle_status st = try_deserialize(&cfg, state.data, len, msg, sizeof msg);
        if (st != LADLE_E_INPUT && bad++ < 5)
            CHECKF(0, "state truncated to %zu of %zu bytes: status %d", len, state.len, st);
    }
    /* A wrong magic. */
    char *copy = malloc(state.len);
    memcpy(copy, state.data, state.len);
    copy[0] ^= 0x20;
    CHECK(try_deserialize(&cfg, copy, state.len, msg, sizeof msg) == LADLE_E_INPUT);
    free(copy);
    ladle_outbuf_free(&state);
}

/* Runs fn in a child process, so that a crash is reported as a failed
 * check and the other tests still run. */
static void in_child(const char *what, void (*fn)(uint64_t), uint64_t arg)
{
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        t_failures = 0;
        fn(arg);
        _exit(t_failures ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s (arg %llu): child %s %d", what,
           (unsigned long long)arg, WIFEXITED(status) ? "exited with" : "killed by signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* -n 0: an empty sample, through offer, merge, state round trip. */
static void n_zero(uint64_t unused)
{
    (void)unused;
    for (size_t k = 1; k <= 4; k++)
        for (int shuffle = 0; shuffle <= 1; shuffle++)
            run_partition(0, 5, shuffle, k, 3, (int)(k % 2));
    struct ladle_config zero = make_cfg(0, 5, 0);
    struct ladle_outbuf z = full_state(&zero);
    char msg[LADLE_ERROR_MAX];
    CHECK(try_deserialize(&zero, z.data, z.len, msg, sizeof msg) == LADLE_OK);
    ladle_outbuf_free(&z);
}

/* n far beyond the population must still mean "all records". */
static void huge_n(uint64_t n)
{
    struct ladle_config cfg = make_cfg(n, 77, 0);
    struct ladle_sampler s;
    init_sampler(&s, &cfg);
    struct chunk_ref chunks[512];
    size_t nchunks = cut_chunks(chunks, 5);
    for (size_t c = 0; c < nchunks; c++)
        if (offer(&s, &chunks[c]) != LADLE_OK)
            break; /* reported once */
    size_t glen, wlen;
    char *got = finish(&s, &glen);
    char *want = brute_force(77, n, 0, &wlen);
    same("huge n", got, glen, want, wlen);
    free(got);
    free(want);
    ladle_sampler_destroy(&s);
}

static void test_edge_n(void)
{
    in_child("-n 0 gives an empty sample", n_zero, 0);
    static const uint64_t huge[] = {
        (uint64_t)1 << 31,                    /* 80 GiB of heap entries if allocated up front */
        (uint64_t)1 << 40, (uint64_t)1 << 62, /* n * 40 bytes wraps to 0 in 64 bits */
        (uint64_t)INT64_MAX,                  /* the largest -n the CLI accepts */
    };
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++)
        in_child("-n beyond the population gives all records", huge_n, huge[i]);
}

int main(void)
{
    make_population();
    test_partitions();
    test_state_errors();
    test_edge_n();
    free_population();
    return t_done("test_bottomk");
}

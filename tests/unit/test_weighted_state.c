/*
 * test_weighted_state.c -- serialized states of the weighted sampler
 * (src/sample/weighted.c through src/sample/kept_state.c), driven through
 * its ops table without the pipeline, as test_bottomk.c drives bottom-k.
 *
 * 1. Round trip: a population of a few thousand TSV records with random
 *    weights (spread over many orders of magnitude, some 0, some not a
 *    number and so skipped) is cut into hand-built chunks and spread over
 *    3 partial samplers. Each partial is serialized, destroyed, and
 *    deserialized into a fresh sampler; the three are merged and finished
 *    into a writer on a temp file. The output must be byte-identical to
 *    that of one sampler offered every record, and records_seen must add
 *    up -- for Efraimidis-Spirakis and for priority sampling
 *    (--emit-weight, whose _weight column needs each record's weight and
 *    the (N+1)-th priority to survive the trip), with and without
 *    --shuffle, for n below, near and beyond the population.
 * 2. Refusals (LADLE_E_INPUT, the sampler left as it was): a state drawn
 *    with another n, seed or --emit-weight; a bottom-k state; a wrong
 *    magic or version; every truncation of a state; a byte past its end;
 *    length and count fields corrupted to point short of, past, or far
 *    past the data; an input index past 32 bits; a record without its
 *    final '\n'.
 *    Under ASan these also show that no refusal reads out of bounds or
 *    leaks.
 *
 * All checks are exact (no statistics).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/error.h"
#include "field/field.h"
#include "out/outbuf.h"
#include "out/writer.h"
#include "record/chunk.h"
#include "sample/sampler.h"
#include "test_stat.h"
#include "test_util.h"

static uint64_t rng_state = 0x57A7E;

static uint64_t rnd(void)
{
    return t_splitmix(&rng_state); /* the suite's one generator (test_stat.c) */
}

/* ---- the population ---- */

#define NINPUTS 3

struct input {
    char *bytes;
    size_t len;
    size_t *starts; /* record i is bytes[starts[i], starts[i + 1]) */
    size_t nrecs;
};

static struct input inputs[NINPUTS];
static size_t nall;

/* A weight field: mostly positive numbers from 1e-3 to 1e6, some 0 (never
 * drawn), some not a number (skipped under the default --missing). */
static int put_weight(char *p)
{
    size_t kind = t_below(&rng_state, 20);
    if (kind == 0)
        return sprintf(p, "0");
    if (kind == 1)
        return sprintf(p, "abc");
    double u = (double)(rnd() >> 11) / 9007199254740992.0;
    double scale = 1e-3;
    for (size_t e = t_below(&rng_state, 10); e > 0; e--)
        scale *= 10.0;
    return sprintf(p, "%.6g", (u + 1e-9) * scale);
}

/* Inputs of 1800, 1 and 1300 records: "inI\tWEIGHT\trecR pad...\n". */
static void make_population(void)
{
    static const size_t counts[NINPUTS] = {1800, 1, 1300};
    for (uint32_t i = 0; i < NINPUTS; i++) {
        struct input *in = &inputs[i];
        in->bytes = malloc(counts[i] * 160 + 1);
        in->starts = malloc((counts[i] + 1) * sizeof *in->starts);
        size_t pos = 0;
        for (size_t r = 0; r < counts[i]; r++) {
            in->starts[r] = pos;
            pos += (size_t)sprintf(in->bytes + pos, "in%u\t", i);
            pos += (size_t)put_weight(in->bytes + pos);
            pos += (size_t)sprintf(in->bytes + pos, "\trec%zu ", r);
            for (size_t k = t_below(&rng_state, 100); k > 0; k--)
                in->bytes[pos++] = (char)('a' + (k + r) % 26);
            in->bytes[pos++] = '\n';
        }
        in->starts[counts[i]] = pos;
        in->len = pos;
        in->nrecs = counts[i];
        nall += counts[i];
    }
}

static void free_population(void)
{
    for (int i = 0; i < NINPUTS; i++) {
        free(inputs[i].bytes);
        free(inputs[i].starts);
    }
}

/* ---- driving samplers ---- */

static struct ladle_field *weight_field;

static struct ladle_config make_cfg(uint64_t n, uint64_t seed, int emit_weight, int shuffle)
{
    struct ladle_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.params.design = LADLE_DESIGN_WEIGHTED;
    cfg.params.n = n;
    cfg.params.seed = seed;
    cfg.params.emit_weight = emit_weight;
    cfg.params.extra_column = emit_weight ? "_weight" : NULL;
    cfg.params.shuffle = shuffle;
    cfg.params.field = weight_field;
    cfg.params.format = LADLE_FORMAT_TSV;
    cfg.params.missing = LADLE_MISSING_SKIP;
    cfg.engine.threads = 1;
    cfg.engine.chunk_size = LADLE_DEFAULT_CHUNK_SIZE;
    cfg.engine.max_record = LADLE_DEFAULT_MAX_RECORD;
    return cfg;
}

static void init_sampler(struct ladle_sampler *s, const struct ladle_sampler_ops *ops,
                         const struct ladle_config *cfg)
{
    struct ladle_error err;
    ladle_error_init(&err);
    if (ladle_sampler_init(s, ops, cfg, &err) != LADLE_OK) {
        fprintf(stderr, "sampler init: %s\n", err.msg);
        exit(1);
    }
}

struct chunk_ref {
    uint32_t input;
    size_t a, b; /* records [a, b) */
};

/* Cuts every input into chunks of 1..maxrun records (maxrun 0: whole
 * inputs) and shuffles them; returns how many (v holds nall at most). */
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
    for (size_t i = n; i > 1; i--) {
        size_t j = t_below(&rng_state, i);
        struct chunk_ref t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
    return n;
}

/* Offers records [a, b) of an input as one chunk, as the framer would hand it. */
static void offer(struct ladle_sampler *s, const struct chunk_ref *c)
{
    const struct input *in = &inputs[c->input];
    size_t start = in->starts[c->a], end = in->starts[c->b];
    struct ladle_chunk *ck = ladle_chunk_new_oversized(end - start + 1);
    if (!ck)
        abort();
    memcpy(ck->data, in->bytes + start, end - start);
    ck->len = end - start;
    ck->offset = start;
    ck->input = c->input;
    ck->binding = NULL; /* a column number needs no header */
    struct ladle_outbuf out;
    memset(&out, 0, sizeof out);
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st = s->ops->offer(s, ck, &out, "input", &err);
    CHECKF(st == LADLE_OK, "offer: %s", err.msg);
    CHECK(out.len == 0 && out.records == 0); /* a retaining design writes nothing on the spot */
    ladle_outbuf_free(&out);
    ladle_chunk_put(ck);
}

/* Finishes s into a temp file and returns its bytes. */
static char *finish(struct ladle_sampler *s, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ws-XXXXXX", t_tmpdir());
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
    if (size > 0 && pread(fd, data, (size_t)size, 0) != size)
        abort();
    close(fd);
    unlink(path);
    *len = (size_t)size;
    return data;
}

static struct ladle_outbuf serialize(const struct ladle_sampler *s)
{
    struct ladle_outbuf state;
    memset(&state, 0, sizeof state);
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st = s->ops->serialize(s, &state, &err);
    CHECKF(st == LADLE_OK, "serialize: %s", err.msg);
    return state;
}

/* ---- 1. round trip ---- */

#define NPARTS 3

static void round_trip(uint64_t n, uint64_t seed, int emit_weight, int shuffle, size_t maxrun)
{
    char what[160];
    snprintf(what, sizeof what, "n=%llu seed=%llu emit_weight=%d shuffle=%d maxrun=%zu",
             (unsigned long long)n, (unsigned long long)seed, emit_weight, shuffle, maxrun);
    struct ladle_config cfg = make_cfg(n, seed, emit_weight, shuffle);
    struct chunk_ref *chunks = malloc(nall * sizeof *chunks);

    /* One sampler that sees every record, whole inputs at a time. */
    struct ladle_sampler whole;
    init_sampler(&whole, &ladle_sampler_weighted, &cfg);
    size_t nchunks = cut_chunks(chunks, 0);
    for (size_t i = 0; i < nchunks; i++)
        offer(&whole, &chunks[i]);
    CHECKF(whole.records_seen == nall, "%s: records_seen %llu, want %zu", what,
           (unsigned long long)whole.records_seen, nall);

    /* Three partials, each through a state. */
    struct ladle_sampler parts[NPARTS];
    for (size_t k = 0; k < NPARTS; k++)
        init_sampler(&parts[k], &ladle_sampler_weighted, &cfg);
    nchunks = cut_chunks(chunks, maxrun);
    for (size_t i = 0; i < nchunks; i++)
        offer(&parts[t_below(&rng_state, NPARTS)], &chunks[i]);
    for (size_t k = 0; k < NPARTS; k++) {
        struct ladle_outbuf state = serialize(&parts[k]);
        uint64_t seen = parts[k].records_seen;
        ladle_sampler_destroy(&parts[k]);
        init_sampler(&parts[k], &ladle_sampler_weighted, &cfg);
        struct ladle_error err;
        ladle_error_init(&err);
        ladle_status st = parts[k].ops->deserialize(&parts[k], state.data, state.len, &err);
        CHECKF(st == LADLE_OK, "%s: deserialize: %s", what, err.msg);
        CHECKF(parts[k].records_seen == seen, "%s: records_seen %llu after the trip, want %llu",
               what, (unsigned long long)parts[k].records_seen, (unsigned long long)seen);
        ladle_outbuf_free(&state);
    }
    for (size_t k = 1; k < NPARTS; k++) {
        struct ladle_error err;
        ladle_error_init(&err);
        CHECK(parts[0].ops->merge(&parts[0], &parts[k], &err) == LADLE_OK);
        ladle_sampler_destroy(&parts[k]);
    }
    CHECKF(parts[0].records_seen == nall, "%s: merged records_seen %llu, want %zu", what,
           (unsigned long long)parts[0].records_seen, nall);

    size_t glen, wlen;
    char *got = finish(&parts[0], &glen);
    char *want = finish(&whole, &wlen);
    CHECKF(glen == wlen && memcmp(got, want, wlen) == 0,
           "%s: output through states differs (%zu bytes, want %zu)", what, glen, wlen);
    CHECKF(wlen > 0 || n == 0, "%s: empty sample", what);
    free(got);
    free(want);
    ladle_sampler_destroy(&parts[0]);
    ladle_sampler_destroy(&whole);
    free(chunks);
}

static void test_round_trip(void)
{
    const uint64_t ns[] = {0, 1, 37, 400, 2900, 5000}; /* ~2800 have a positive weight */
    const uint64_t seeds[] = {1, 0xDEADBEEFULL};
    const size_t maxruns[] = {1, 40, 700};
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
        for (size_t si = 0; si < sizeof seeds / sizeof seeds[0]; si++)
            for (int emit_weight = 0; emit_weight <= 1; emit_weight++)
                for (int shuffle = 0; shuffle <= 1; shuffle++)
                    round_trip(ns[ni], seeds[si], emit_weight, shuffle,
                               maxruns[(ni + si + (size_t)shuffle) % 3]);
}

/* ---- 2. refusals ---- */

/* A state of the whole population drawn with cfg. */
static struct ladle_outbuf full_state(const struct ladle_sampler_ops *ops,
                                      const struct ladle_config *cfg)
{
    struct ladle_sampler s;
    init_sampler(&s, ops, cfg);
    struct chunk_ref *chunks = malloc(nall * sizeof *chunks);
    size_t nchunks = cut_chunks(chunks, 50);
    for (size_t i = 0; i < nchunks; i++)
        offer(&s, &chunks[i]);
    free(chunks);
    struct ladle_outbuf state = serialize(&s);
    ladle_sampler_destroy(&s);
    return state;
}

/* Deserializes into a fresh weighted sampler: the status, the message in
 * msg. A refused state must leave the sampler as it was: nothing seen,
 * nothing to emit. */
static ladle_status try_state(const struct ladle_config *cfg, const void *data, size_t len,
                              char *msg, size_t msgsize)
{
    struct ladle_sampler s;
    init_sampler(&s, &ladle_sampler_weighted, cfg);
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st = s.ops->deserialize(&s, data, len, &err);
    snprintf(msg, msgsize, "%s", err.msg);
    if (st != LADLE_OK) {
        size_t olen;
        char *out = finish(&s, &olen);
        CHECKF(s.records_seen == 0 && olen == 0,
               "a refused state (%s) changed the sampler: seen %llu, %zu bytes out", msg,
               (unsigned long long)s.records_seen, olen);
        free(out);
    }
    ladle_sampler_destroy(&s);
    return st;
}

static void expect_refused(const char *what, const struct ladle_config *cfg, const void *data,
                           size_t len, const char *needle)
{
    char msg[LADLE_ERROR_MAX];
    ladle_status st = try_state(cfg, data, len, msg, sizeof msg);
    CHECKF(st == LADLE_E_INPUT, "%s: status %d (%s), want LADLE_E_INPUT", what, st, msg);
    CHECKF(strstr(msg, needle) != NULL, "%s: message '%s' lacks '%s'", what, msg, needle);
}

/* Offsets in a weighted state (kept_state.h): magic, 3 parameters,
 * records_seen, count, then records of key, input, offset, len, weight,
 * bytes. */
#define OFF_COUNT (8 + 3 * 8 + 8)
#define OFF_REC0 (OFF_COUNT + 8)
#define OFF_REC0_LEN (OFF_REC0 + 3 * 8)

static uint64_t get_le(const char *p)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)(unsigned char)p[i] << (8 * i);
    return x;
}

static void set_le(char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (char)(v >> (8 * i));
}

/* A copy of state with the u64 at off replaced by v: must be refused. */
static void expect_corrupt_u64(const char *what, const struct ladle_config *cfg,
                               const struct ladle_outbuf *state, size_t off, uint64_t v)
{
    char *copy = malloc(state->len);
    memcpy(copy, state->data, state->len);
    set_le(copy + off, v);
    char label[128];
    snprintf(label, sizeof label, "%s = %llu", what, (unsigned long long)v);
    expect_refused(label, cfg, copy, state->len, "state: truncated or corrupt");
    free(copy);
}

static void test_refusals(int emit_weight)
{
    struct ladle_config cfg = make_cfg(20, 1234, emit_weight, 0);
    struct ladle_outbuf state = full_state(&ladle_sampler_weighted, &cfg);
    char msg[LADLE_ERROR_MAX];
    CHECKF(try_state(&cfg, state.data, state.len, msg, sizeof msg) == LADLE_OK, "%s", msg);
    CHECK(memcmp(state.data, "LDWS\0\0\0\1", 8) == 0);
    /* --shuffle is an output choice, not part of the sample. */
    struct ladle_config shuffled = make_cfg(20, 1234, emit_weight, 1);
    CHECKF(try_state(&shuffled, state.data, state.len, msg, sizeof msg) == LADLE_OK, "%s", msg);

    /* Drawn another way. */
    struct ladle_config other_n = make_cfg(21, 1234, emit_weight, 0);
    expect_refused("another n", &other_n, state.data, state.len, "-n 20, not this sample's -n 21");
    struct ladle_config other_seed = make_cfg(20, 1235, emit_weight, 0);
    expect_refused("another seed", &other_seed, state.data, state.len,
                   "--seed 1234, not this sample's --seed 1235");
    struct ladle_config other_mode = make_cfg(20, 1234, !emit_weight, 0);
    expect_refused("another --emit-weight", &other_mode, state.data, state.len,
                   emit_weight ? "--emit-weight on, not this sample's --emit-weight off"
                               : "--emit-weight off, not this sample's --emit-weight on");

    /* Not a weighted state of this version. */
    char *copy = malloc(state.len);
    memcpy(copy, state.data, state.len);
    copy[2] = 'B';
    expect_refused("wrong magic", &cfg, copy, state.len, "not a weighted sample state");
    memcpy(copy, state.data, state.len);
    copy[7] = 2;
    expect_refused("wrong version", &cfg, copy, state.len, "version 2");
    free(copy);
    struct ladle_config bk = cfg;
    bk.params.design = LADLE_DESIGN_BOTTOMK;
    struct ladle_outbuf bk_state = full_state(&ladle_sampler_bottomk, &bk);
    CHECK(memcmp(bk_state.data, "LDBK\0\0\0\2", 8) == 0);
    expect_refused("a bottom-k state", &cfg, bk_state.data, bk_state.len,
                   "not a weighted sample state");
    ladle_outbuf_free(&bk_state);

    /* Every truncation. */
    int bad = 0;
    for (size_t len = 0; len < state.len; len++) {
        ladle_status st = try_state(&cfg, state.data, len, msg, sizeof msg);
        if (st != LADLE_E_INPUT && bad++ < 5)
            CHECKF(0, "state truncated to %zu of %zu bytes: status %d", len, state.len, st);
    }
    /* Trailing bytes are corruption too. */
    char *longer = malloc(state.len + 1);
    memcpy(longer, state.data, state.len);
    longer[state.len] = '\n';
    expect_refused("a byte past the end", &cfg, longer, state.len + 1, "truncated or corrupt");
    free(longer);

    /* Length and count fields that lie. */
    uint64_t count = get_le(state.data + OFF_COUNT);
    uint64_t len0 = get_le(state.data + OFF_REC0_LEN);
    CHECK(count == (emit_weight ? 21 : 20) && len0 > 1);
    const uint64_t lens[] = {0,
                             len0 - 1,
                             len0 + 1,
                             state.len - OFF_REC0 - 40,
                             state.len - OFF_REC0 - 40 + 1,
                             (uint64_t)1 << 32,
                             UINT64_MAX,
                             UINT64_MAX - 7};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        expect_corrupt_u64("first record's len", &cfg, &state, OFF_REC0_LEN, lens[i]);
    const uint64_t counts[] = {count - 1, count + 1, UINT64_MAX, UINT64_MAX / 40};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        expect_corrupt_u64("count", &cfg, &state, OFF_COUNT, counts[i]);
    expect_corrupt_u64("first record's input", &cfg, &state, OFF_REC0 + 8,
                       (uint64_t)UINT32_MAX + 1);
    /* A record that does not end its line would run into the next one. */
    copy = malloc(state.len);
    memcpy(copy, state.data, state.len);
    CHECK(copy[OFF_REC0 + 40 + len0 - 1] == '\n');
    copy[OFF_REC0 + 40 + len0 - 1] = 'x';
    expect_refused("a record without its '\\n'", &cfg, copy, state.len, "truncated or corrupt");
    free(copy);
    ladle_outbuf_free(&state);
}

int main(void)
{
    struct ladle_error err;
    ladle_error_init(&err);
    if (ladle_field_compile(&weight_field, "2", LADLE_FORMAT_TSV, 0, &err) != LADLE_OK) {
        fprintf(stderr, "field: %s\n", err.msg);
        return 1;
    }
    make_population();
    test_round_trip();
    test_refusals(0);
    test_refusals(1);
    free_population();
    ladle_field_free(weight_field);
    return t_done("test_weighted_state");
}

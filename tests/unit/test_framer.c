/*
 * test_framer.c -- the record splitter (src/record/framer.c).
 *
 * A byte stream is fed to ladle_framer_push in pieces, the way a decoder
 * does: each piece is copied into a chunk from a real ladle_chunk_pool
 * (data at mem + headroom, one spare byte after chunk_size), then a last
 * push with eof set and an empty chunk. Every chunk the framer hands back is
 * walked with ladle_record_iter, and the sequence of (offset, bytes) must
 * equal a reference split of the whole stream: a record is everything up to
 * and including '\n' (a '\r' before it stays in the record), an empty line
 * is a record, a last line without '\n' gains one, NUL bytes are ordinary
 * bytes, and empty input has no records. The record offsets are the record
 * identities of the reproducibility contract, so they must not depend on
 * how the stream was cut.
 *
 * Cuts: random sizes (log-uniform from 1 byte to 4 MiB), exactly at record
 * edges, one byte before and after each edge, fixed sizes around the 64 KiB
 * headroom (the fast/slow path boundary), 1 and 7 bytes, one piece.
 * Records: longer than the headroom and longer than the chunk, and exactly
 * at the headroom size.
 *
 * Also --max-record, which the framer enforces: a carry longer than
 * max_record fails with LADLE_E_INPUT and a message naming the input,
 * "record longer than" and the record's offset; and when every piece is at
 * most max_record bytes (as the pipeline arranges with
 * ladle_framer_chunk_limit), every record longer than max_record fails,
 * wherever it sits (first, middle, last, last without '\n') and however
 * the stream is cut, while a record of exactly max_record bytes (without
 * its '\n') passes.
 *
 * No statistics here: every check is exact.
 *
 * Cost: the framer must be linear in the input, however long the records
 * and however small the pieces (a 20 MB line in 64 KiB chunks once took
 * O(L^2 / p)). f.work counts the bytes it scans and copies; for records
 * many times the piece size (a 4 MiB record in 4 KiB pieces, a 100 KiB
 * record in 7-byte pieces, a run of records just over the headroom, a long
 * last record without '\n') it must stay within LINEAR_WORK times the
 * stream's length. No timing: the count is exact and machine-independent.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "engine/chunk_pool.h"
#include "record/chunk.h"
#include "record/framer.h"
#include "record/records.h"
#include "test_stat.h"
#include "test_util.h"

#define INPUT_TAG 7u
#define NAME "input.log"

/* Bytes scanned or copied per stream byte, at most: each byte is searched
 * for '\n' at most twice and copied at most three times (into the carry,
 * out of it in front of a chunk, and the partial tail). */
#define LINEAR_WORK 5

static uint64_t last_work; /* f.work of the last frame() */

static uint64_t rng_state; /* for t_below (test_stat.c) */

/* ---- a growable stream ---- */

static void buf_str(struct t_buf *b, const char *s)
{
    t_buf_add(b, s, strlen(s));
}

/* A record of `len` random content bytes (no '\n'), then `ending`. */
static void add_line(struct t_buf *b, size_t len, const char *ending)
{
    size_t start = b->len;
    t_buf_add(b, NULL, len);
    for (size_t i = 0; i < len; i++)
        b->p[start + i] = (char)('a' + t_below(&rng_state, 26));
    buf_str(b, ending);
}

/* Short records of every kind: plain, CRLF, empty, NUL inside, lone '\r'. */
static void add_short_mix(struct t_buf *b, int count)
{
    for (int i = 0; i < count; i++) {
        switch (t_below(&rng_state, 8)) {
        case 0: buf_str(b, "\n"); break;                              /* empty line */
        case 1: buf_str(b, "\r\n"); break;                            /* empty CRLF line */
        case 2: add_line(b, t_below(&rng_state, 120), "\r\n"); break; /* CRLF: \r stays */
        case 3: {                                                     /* NULs inside */
            add_line(b, t_below(&rng_state, 20), "");
            t_buf_add(b, "\0\0x\0", 4);
            add_line(b, t_below(&rng_state, 20), "\n");
            break;
        }
        case 4: add_line(b, t_below(&rng_state, 300), "\r\r\n"); break;
        default: add_line(b, t_below(&rng_state, 200), "\n"); break;
        }
    }
}

/* ---- the reference split ---- */

struct ref {
    uint64_t off;
    size_t len; /* bytes in the stream, '\n' included when present */
    int gained; /* the last record lacks '\n' and gains one */
};

static size_t ref_split(const char *s, size_t n, struct ref **out)
{
    size_t count = 0, cap = 1024;
    struct ref *v = malloc(cap * sizeof *v);
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) + 1 : n;
        if (count == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[count++] = (struct ref){i, end - i, nl == NULL};
        i = end;
    }
    *out = v;
    return count;
}

/* ---- driving the framer ---- */

struct check {
    const char *s; /* the stream */
    const struct ref *r;
    size_t nref;
    size_t next; /* next expected record */
    int bad;     /* mismatches reported (capped) */
    const char *what;
};

static void check_chunk(struct check *c, const struct ladle_chunk *ck)
{
    CHECKF(ck->input == INPUT_TAG, "%s: chunk lost its input ordinal", c->what);
    CHECKF(ck->data >= ck->mem && ck->data + ck->len <= ck->mem + ck->cap,
           "%s: chunk data outside its memory", c->what);
    if (ck->len)
        CHECKF(ck->data[ck->len - 1] == '\n', "%s: chunk does not end with a newline", c->what);
    struct ladle_record_iter it;
    struct ladle_record rec;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &rec)) {
        if (c->next >= c->nref) {
            if (c->bad++ < 5)
                CHECKF(0, "%s: extra record at offset %llu", c->what,
                       (unsigned long long)rec.offset);
            continue;
        }
        const struct ref *e = &c->r[c->next++];
        int ok = rec.offset == e->off && rec.len == e->len + (size_t)e->gained &&
                 memcmp(rec.data, c->s + e->off, e->len) == 0 && rec.data[rec.len - 1] == '\n';
        if (!ok && c->bad++ < 5)
            CHECKF(0, "%s: record %zu: got offset %llu len %zu, want offset %llu len %zu%s",
                   c->what, c->next - 1, (unsigned long long)rec.offset, rec.len,
                   (unsigned long long)e->off, e->len + (size_t)e->gained,
                   e->gained ? " (gained newline)" : "");
    }
}

/* Feeds s[0..n) in the given pieces (each <= chunk_size) and then eof.
 * Returns the framer's status; err holds its message. */
static ladle_status frame(const char *s, size_t n, const size_t *pieces, size_t npieces,
                          size_t chunk_size, size_t max_record, struct check *c,
                          struct ladle_error *err)
{
    struct ladle_chunk_pool pool;
    if (ladle_chunk_pool_init(&pool, 2, chunk_size, LADLE_CHUNK_HEADROOM) != 0) {
        fprintf(stderr, "pool init failed\n");
        exit(1);
    }
    struct ladle_framer f;
    ladle_framer_init(&f, max_record, NAME);
    ladle_error_init(err);
    ladle_status st = LADLE_OK;
    size_t pos = 0;
    for (size_t i = 0; i <= npieces; i++) {
        int eof = i == npieces;
        size_t len = eof ? 0 : pieces[i];
        if (len > chunk_size) {
            fprintf(stderr, "test bug: piece %zu > chunk %zu\n", len, chunk_size);
            exit(1);
        }
        struct ladle_chunk *ck = ladle_chunk_get(&pool);
        CHECK(ck != NULL && ck->data == ck->mem + LADLE_CHUNK_HEADROOM);
        if (len)
            memcpy(ck->data, s + pos, len);
        ck->len = len;
        ck->input = INPUT_TAG;
        pos += len;
        st = ladle_framer_push(&f, &ck, eof, err);
        if (st != LADLE_OK) {
            ladle_chunk_put(ck);
            break;
        }
        if (c)
            check_chunk(c, ck);
        ladle_chunk_put(ck);
    }
    if (st == LADLE_OK) {
        CHECKF(pos == n, "test bug: pieces cover %zu of %zu bytes", pos, n);
        CHECKF(f.next_off == n, "framer counted %llu bytes, stream has %zu",
               (unsigned long long)f.next_off, n);
        CHECKF(f.carry_len == 0, "carry left after eof");
    }
    last_work = f.work;
    ladle_framer_destroy(&f);
    ladle_chunk_pool_destroy(&pool);
    return st;
}

/* Frames s with the pieces and checks the records against the reference. */
static void run_case(const char *what, const char *s, size_t n, const size_t *pieces,
                     size_t npieces, size_t chunk_size)
{
    struct ref *r;
    size_t nref = ref_split(s, n, &r);
    struct check c = {s, r, nref, 0, 0, what};
    struct ladle_error err;
    ladle_status st = frame(s, n, pieces, npieces, chunk_size, LADLE_DEFAULT_MAX_RECORD, &c, &err);
    CHECKF(st == LADLE_OK, "%s: status %d: %s", what, st, err.msg);
    CHECKF(c.next == nref, "%s: got %zu records, want %zu", what, c.next, nref);
    free(r);
}

/* ---- piece schemes ---- */

struct pieces {
    size_t *v;
    size_t n, cap, max;
};

static void pieces_add(struct pieces *p, size_t len)
{
    if (len == 0)
        return;
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 256;
        p->v = realloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = len;
    if (len > p->max)
        p->max = len;
}

static void pieces_fixed(struct pieces *p, size_t n, size_t size)
{
    for (size_t pos = 0; pos < n; pos += size)
        pieces_add(p, n - pos < size ? n - pos : size);
}

/* Log-uniform sizes in [1, maxsize]. */
static void pieces_random(struct pieces *p, size_t n, size_t maxsize)
{
    int bits = 0;
    while (((size_t)1 << bits) < maxsize)
        bits++;
    for (size_t pos = 0; pos < n;) {
        size_t hi = (size_t)1 << t_below(&rng_state, (size_t)bits + 1);
        size_t len = 1 + t_below(&rng_state, hi);
        if (len > maxsize)
            len = maxsize;
        if (len > n - pos)
            len = n - pos;
        pieces_add(p, len);
        pos += len;
    }
}

/* Cut at every record edge, shifted by delta (-1, 0, +1). */
static void pieces_edges(struct pieces *p, const char *s, size_t n, int delta)
{
    size_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\n')
            continue;
        long cut = (long)i + 1 + delta;
        if (cut <= (long)prev || cut > (long)n)
            continue;
        pieces_add(p, (size_t)cut - prev);
        prev = (size_t)cut;
    }
    pieces_add(p, n - prev);
}

static void run_scheme(const char *what, const struct t_buf *b, struct pieces *p, size_t chunk)
{
    run_case(what, b->p, b->len, p->v, p->n, chunk ? chunk : (p->max ? p->max : 1));
    free(p->v);
    memset(p, 0, sizeof *p);
}

/* ---- the tests ---- */

static void test_small_cases(void)
{
    static const struct {
        const char *s;
        size_t n;
    } cases[] = {
        {"", 0},    {"\n", 1},     {"\n\n\n", 3},   {"x", 1},
        {"x\n", 2}, {"\r", 1},     {"\r\n", 2},     {"a\r\nb", 4},
        {"\0", 1},  {"\0\n\0", 3}, {"abc\ndef", 7}, {"abc\ndef\r", 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = cases[i].n;
        char what[64];
        /* whole, and byte by byte */
        struct pieces p = {0};
        pieces_add(&p, n);
        snprintf(what, sizeof what, "small case %zu whole", i);
        run_case(what, cases[i].s, n, p.v, p.n, n ? n : 1);
        free(p.v);
        memset(&p, 0, sizeof p);
        pieces_fixed(&p, n, 1);
        snprintf(what, sizeof what, "small case %zu bytewise", i);
        run_case(what, cases[i].s, n, p.v, p.n, 1);
        free(p.v);
    }
    /* Empty input yields no record at all, only an empty last chunk. */
    struct ref *r;
    CHECK(ref_split("", 0, &r) == 0);
    free(r);
}

static void test_short_records(void)
{
    struct t_buf b = {0};
    rng_state = 1;
    add_short_mix(&b, 400);
    add_line(&b, 50, ""); /* no final newline */
    struct pieces p = {0};

    pieces_fixed(&p, b.len, 1);
    run_scheme("short records, 1-byte pieces", &b, &p, 1);
    pieces_fixed(&p, b.len, 7);
    run_scheme("short records, 7-byte pieces", &b, &p, 7);
    pieces_random(&p, b.len, 64);
    run_scheme("short records, random 1..64", &b, &p, 64);
    pieces_edges(&p, b.p, b.len, 0);
    run_scheme("short records, at edges", &b, &p, 0);
    pieces_edges(&p, b.p, b.len, -1);
    run_scheme("short records, edge - 1", &b, &p, 0);
    pieces_edges(&p, b.p, b.len, 1);
    run_scheme("short records, edge + 1", &b, &p, 0);
    free(b.p);
}

/* Records around the 64 KiB headroom and longer than it. */
static void make_medium(struct t_buf *b)
{
    add_short_mix(b, 200);
    add_line(b, 100 << 10, "\n"); /* longer than the headroom */
    add_short_mix(b, 50);
    add_line(b, LADLE_CHUNK_HEADROOM - 1, "\n");
    add_line(b, LADLE_CHUNK_HEADROOM, "\n");
    add_line(b, LADLE_CHUNK_HEADROOM + 1, "\n");
    add_line(b, LADLE_CHUNK_HEADROOM - 1, "\r\n");
    add_short_mix(b, 200);
}

static void test_medium(void)
{
    struct t_buf b = {0};
    rng_state = 2;
    make_medium(&b);
    add_line(&b, 1000, "\r"); /* no final newline, a lone \r at the end */
    struct pieces p = {0};
    static const size_t fixed[] = {4096, 65535, 65536, 65537, 100000};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "medium, %zu-byte pieces", fixed[i]);
        pieces_fixed(&p, b.len, fixed[i]);
        run_scheme(what, &b, &p, fixed[i]);
    }
    for (int k = 0; k < 3; k++) {
        pieces_random(&p, b.len, 8192);
        run_scheme("medium, random 1..8192", &b, &p, 8192);
    }
    pieces_edges(&p, b.p, b.len, 0);
    run_scheme("medium, at edges", &b, &p, 0);
    pieces_edges(&p, b.p, b.len, -1);
    run_scheme("medium, edge - 1", &b, &p, 0);
    pieces_edges(&p, b.p, b.len, 1);
    run_scheme("medium, edge + 1", &b, &p, 0);
    free(b.p);
}

/* A record of several MiB: longer than the chunk of most cuts. */
static void test_large(void)
{
    struct t_buf b = {0};
    rng_state = 3;
    make_medium(&b);
    add_line(&b, (size_t)3 << 20, "\n");
    add_short_mix(&b, 300);
    add_line(&b, (size_t)1 << 20, ""); /* a long last record without '\n' */
    struct pieces p = {0};
    for (int k = 0; k < 4; k++) {
        char what[64];
        snprintf(what, sizeof what, "large, random 1..4MiB #%d", k);
        pieces_random(&p, b.len, (size_t)4 << 20);
        run_scheme(what, &b, &p, (size_t)4 << 20);
    }
    pieces_fixed(&p, b.len, (size_t)1 << 20);
    run_scheme("large, 1 MiB pieces", &b, &p, (size_t)1 << 20);
    pieces_fixed(&p, b.len, 300000);
    run_scheme("large, 300000-byte pieces", &b, &p, 300000);
    pieces_edges(&p, b.p, b.len, 0);
    run_scheme("large, at edges", &b, &p, 0);
    pieces_edges(&p, b.p, b.len, -1);
    run_scheme("large, edge - 1", &b, &p, 0);
    pieces_edges(&p, b.p, b.len, 1);
    run_scheme("large, edge + 1", &b, &p, 0);
    pieces_add(&p, b.len);
    run_scheme("large, one piece", &b, &p, 0);
    free(b.p);
}

/* Frames with max_record and expects the "record longer than" failure. */
static void expect_too_long(const char *what, const struct t_buf *b, size_t piece,
                            size_t max_record, uint64_t rec_off)
{
    struct pieces p = {0};
    pieces_fixed(&p, b->len, piece);
    struct ladle_error err;
    ladle_status st = frame(b->p, b->len, p.v, p.n, piece, max_record, NULL, &err);
    CHECKF(st == LADLE_E_INPUT, "%s: status %d, want LADLE_E_INPUT", what, st);
    CHECKF(strstr(err.msg, "record longer than") != NULL, "%s: message '%s'", what, err.msg);
    CHECKF(strstr(err.msg, NAME) != NULL, "%s: message lacks the input name: '%s'", what, err.msg);
    char at[64];
    snprintf(at, sizeof at, "at offset %llu", (unsigned long long)rec_off);
    CHECKF(strstr(err.msg, at) != NULL, "%s: message '%s' lacks '%s'", what, err.msg, at);
    free(p.v);
}

static void expect_ok(const char *what, const struct t_buf *b, size_t piece, size_t max_record)
{
    struct pieces p = {0};
    pieces_fixed(&p, b->len, piece);
    struct ref *r;
    size_t nref = ref_split(b->p, b->len, &r);
    struct check c = {b->p, r, nref, 0, 0, what};
    struct ladle_error err;
    ladle_status st = frame(b->p, b->len, p.v, p.n, piece, max_record, &c, &err);
    CHECKF(st == LADLE_OK, "%s: status %d: %s", what, st, err.msg);
    CHECKF(c.next == nref, "%s: %zu of %zu records", what, c.next, nref);
    free(r);
    free(p.v);
}

static void test_max_record(void)
{
    rng_state = 4;
    /* Fast path (carry within the headroom): max 1000. The framer bounds
     * the carry (a record still incomplete); complete records are checked
     * by the samplers. 1-byte pieces make the carry reach the record's full
     * length just before its '\n' arrives. */
    for (size_t len = 998; len <= 1003; len++) {
        struct t_buf b = {0};
        buf_str(&b, "short\n");
        add_line(&b, len, "\n");
        buf_str(&b, "after\n");
        char what[80];
        snprintf(what, sizeof what, "record of %zu bytes, max 1000, 1-byte pieces", len);
        if (len <= 1000)
            expect_ok(what, &b, 1, 1000);
        else
            expect_too_long(what, &b, 1, 1000, 6);
        free(b.p);
    }
    /* A carry that grows over many pieces, and one in a single piece. */
    {
        struct t_buf b = {0};
        add_short_mix(&b, 30);
        uint64_t off = b.len;
        add_line(&b, 5000, "\n");
        expect_too_long("5000 bytes in 7-byte pieces, max 1000", &b, 7, 1000, off);
        expect_too_long("5000 bytes in 4096-byte pieces, max 1000", &b, 4096, 1000, off);
        free(b.p);
    }
    /* Slow path (carry beyond the headroom, oversized chunks). */
    {
        struct t_buf b = {0};
        add_short_mix(&b, 10);
        uint64_t off = b.len;
        add_line(&b, 200000, "\n");
        add_short_mix(&b, 10);
        expect_too_long("200000 bytes in 4096-byte pieces, max 150000", &b, 4096, 150000, off);
        expect_too_long("200000 bytes in 65537-byte pieces, max 150000", &b, 65537, 150000, off);
        expect_ok("200000 bytes in 65537-byte pieces, max 200000", &b, 65537, 200000);
        free(b.p);
    }
}

/* --max-record M with pieces of at most M bytes: exhaustive over record
 * lengths around M, record positions and cuts. */
static void test_max_record_exhaustive(void)
{
    const size_t M = 10;
    static const char *const before[] = {"", "ab\n", "\n", "0123456789\n"};
    static const char *const after[] = {"", "\n", "cd\n", "xy"};
    int bad = 0;
    for (size_t len = 0; len <= M + 4; len++)
        for (size_t b = 0; b < 4; b++)
            for (size_t a = 0; a < 4; a++)
                for (int nl = 0; nl <= 1; nl++) {
                    if (!nl && a != 0)
                        continue; /* the record is last: nothing after it */
                    struct t_buf s = {0};
                    buf_str(&s, before[b]);
                    uint64_t off = s.len;
                    add_line(&s, len, nl ? "\n" : "");
                    buf_str(&s, after[a]);
                    for (size_t piece = 1; piece <= M + 1; piece++) {
                        struct pieces p = {0};
                        if (piece <= M)
                            pieces_fixed(&p, s.len, piece);
                        else
                            pieces_random(&p, s.len, M);
                        struct ladle_error err;
                        ladle_status st = frame(s.p, s.len, p.v, p.n, M, M, NULL, &err);
                        char at[64];
                        snprintf(at, sizeof at, "at offset %llu", (unsigned long long)off);
                        int ok = len > M ? st == LADLE_E_INPUT &&
                                               strstr(err.msg, "record longer than") &&
                                               strstr(err.msg, at)
                                         : st == LADLE_OK;
                        if (!ok && bad++ < 10)
                            CHECKF(0,
                                   "max %zu: record of %zu bytes%s after '%s' before '%s', "
                                   "pieces %zu: status %d '%s'",
                                   M, len, nl ? "" : " (no newline)", before[b], after[a], piece,
                                   st, err.msg);
                        free(p.v);
                    }
                    free(s.p);
                }
}

/* Framing work stays linear when records are many pieces long. */
static void expect_linear(const char *what, struct t_buf *b, struct pieces *p, size_t chunk)
{
    size_t n = b->len;
    run_scheme(what, b, p, chunk);
    CHECKF(last_work <= (uint64_t)LINEAR_WORK * n,
           "%s: the framer scanned or copied %llu bytes for a %zu-byte stream (%.1f per byte, "
           "want <= %d): quadratic in the record length",
           what, (unsigned long long)last_work, n, (double)last_work / (double)n, LINEAR_WORK);
}

static void test_linear_work(void)
{
    rng_state = 5;
    struct pieces p = {0};
    struct t_buf b = {0};
    add_short_mix(&b, 20);
    add_line(&b, (size_t)4 << 20, "\n");
    add_short_mix(&b, 20);
    pieces_fixed(&p, b.len, 4096);
    expect_linear("a 4 MiB record in 4 KiB pieces", &b, &p, 4096);
    free(b.p);

    memset(&b, 0, sizeof b);
    add_short_mix(&b, 20);
    add_line(&b, 100 << 10, "\n");
    add_short_mix(&b, 20);
    pieces_fixed(&p, b.len, 7);
    expect_linear("a 100 KiB record in 7-byte pieces", &b, &p, 7);
    free(b.p);

    memset(&b, 0, sizeof b);
    for (int i = 0; i < 40; i++)
        add_line(&b, LADLE_CHUNK_HEADROOM + t_below(&rng_state, 3000), "\n");
    pieces_fixed(&p, b.len, 65536);
    expect_linear("records just over the headroom in 64 KiB pieces", &b, &p, 65536);
    pieces_random(&p, b.len, 8192);
    expect_linear("records just over the headroom in random pieces", &b, &p, 8192);
    free(b.p);

    memset(&b, 0, sizeof b);
    add_short_mix(&b, 20);
    add_line(&b, (size_t)2 << 20, ""); /* last, without '\n' */
    pieces_fixed(&p, b.len, 1000);
    expect_linear("a 2 MiB last record without newline in 1000-byte pieces", &b, &p, 1000);
    free(b.p);
}

int main(void)
{
    test_small_cases();
    test_short_records();
    test_medium();
    test_large();
    test_linear_work();
    test_max_record();
    test_max_record_exhaustive();
    return t_done("test_framer");
}

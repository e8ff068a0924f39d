/*
 * test_framer_csv.c -- --format csv framing (src/record/framer.c push_csv,
 * src/record/csv_edge.c): records end at a '\n' outside quotes, whatever
 * the chunk edges.
 *
 * The reference is a byte-at-a-time state machine of field_csv.c's
 * grammar (a quote opens only as a field's first byte; "" inside quotes is
 * a quote). Random CSV streams (quoted line ends, doubled quotes, stray
 * quotes in unquoted fields, CRLF, an unclosed quote at the end, records
 * past the headroom) are framed in random, byte-wise and fixed pieces; the
 * records the workers' iterator walks, and ladle_record_len over the
 * chunk, must be the reference's. Also: --max-record bounds a quoted
 * record, and a custom delimiter.
 */
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

static uint64_t rng = 12345;

/* The reference: record lengths of s under the grammar, in out. */
static size_t ref_split(const char *s, size_t n, char delim, size_t *out)
{
    enum { START, MID, IN, QUOTE } st = START;
    size_t count = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int end = 0;
        switch (st) {
        case START:
            st = c == '"' ? IN : c == delim ? START : MID;
            end = c == '\n';
            if (end)
                st = START;
            break;
        case MID:
            st = c == delim ? START : MID;
            end = c == '\n';
            if (end)
                st = START;
            break;
        case IN: st = c == '"' ? QUOTE : IN; break;
        case QUOTE:
            st = c == '"' ? IN : c == delim ? START : MID;
            end = c == '\n';
            if (end)
                st = START;
            break;
        }
        if (end) {
            out[count++] = i + 1 - start;
            start = i + 1;
        }
    }
    if (start < n)
        out[count++] = n - start;
    return count;
}

static void gen(struct t_buf *b, size_t records, char delim, int big)
{
    static const char *const bits[] = {
        "a",  "bc",       "\"q\"", "\"x\ny\"", "\"\"\"\"", "5\"in", "\"a\"\"\n\"\"b\"",
        "\r", "\"\n\n\"", "\"",    " "};
    for (size_t r = 0; r < records; r++) {
        size_t fields = 1 + t_below(&rng, 4);
        for (size_t f = 0; f < fields; f++) {
            if (f)
                t_buf_add(b, &delim, 1);
            const char *s = bits[t_below(&rng, sizeof bits / sizeof bits[0])];
            t_buf_add(b, s, strlen(s));
        }
        if (big && t_below(&rng, 50) == 0) { /* past the headroom: the slow path */
            t_buf_add(b, &delim, 1);
            t_buf_add(b, "\"", 1);
            for (size_t k = 0; k < LADLE_CHUNK_HEADROOM / 8 + 100; k++)
                t_buf_add(b, "long\ntxt", 8);
            t_buf_add(b, "\"", 1);
        }
        t_buf_add(b, "\n", 1);
    }
}

/* Frames s in pieces of at most piece bytes (random sizes when rnd), and
 * checks every record against the reference. Returns the framer's status. */
static ladle_status frame(const char *what, const char *s, size_t n, char delim, size_t piece,
                          int rnd, size_t max_record)
{
    size_t *want = malloc((n + 1) * sizeof *want);
    size_t nwant = ref_split(s, n, delim, want), got = 0, seen = 0;
    struct ladle_chunk_pool pool;
    if (ladle_chunk_pool_init(&pool, 2, piece, LADLE_CHUNK_HEADROOM) != 0)
        exit(1);
    struct ladle_framer f;
    ladle_framer_init(&f, max_record, "in.csv");
    ladle_framer_set_csv(&f, delim);
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st = LADLE_OK;
    size_t pos = 0;
    for (int eof = 0; !eof;) {
        struct ladle_chunk *ck = ladle_chunk_get(&pool);
        size_t len = n - pos < piece ? n - pos : piece;
        if (rnd && len)
            len = 1 + t_below(&rng, len);
        eof = len == 0;
        memcpy(ck->data, s + pos, len);
        ck->len = len;
        pos += len;
        if ((st = ladle_framer_push(&f, &ck, eof, &err)) != LADLE_OK) {
            ladle_chunk_put(ck);
            break;
        }
        CHECKF(ck->len == 0 || ck->csv_delim == delim, "%s: chunk not marked csv", what);
        struct ladle_record_iter it;
        struct ladle_record r;
        ladle_record_iter_init(&it, ck);
        size_t at = 0;
        while (ladle_record_next(&it, &r)) {
            size_t body = r.len - (seen + r.len > n); /* a gained '\n' */
            int ok = got < nwant && r.offset == seen && body == want[got] &&
                     memcmp(r.data, s + seen, body) == 0 && r.data[r.len - 1] == '\n' &&
                     ladle_record_len(ck->data + at, ck->len - at, delim) == r.len;
            CHECKF(ok, "%s: record %zu at %zu (len %zu, want %zu)", what, got, seen, r.len,
                   got < nwant ? want[got] : 0);
            if (!ok)
                break;
            got++;
            seen += body;
            at += r.len;
        }
        ladle_chunk_put(ck);
    }
    if (st == LADLE_OK)
        CHECKF(got == nwant && seen == n, "%s: %zu of %zu records", what, got, nwant);
    ladle_framer_destroy(&f);
    ladle_chunk_pool_destroy(&pool);
    free(want);
    return st;
}

static void test_random(void)
{
    for (int round = 0; round < 40; round++) {
        struct t_buf b = {0};
        char delim = round % 4 == 3 ? ';' : ',';
        gen(&b, 200, delim, round % 5 == 0);
        if (round % 3 == 0)
            t_buf_add(&b, "x,\"open\nend", 11); /* a quote never closed */
        char what[64];
        size_t pieces[] = {1, 2, 7, 64, 4096, (size_t)1 << 20};
        for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
            if (pieces[k] == 1 && b.len > 100000)
                continue;
            snprintf(what, sizeof what, "round %d piece %zu", round, pieces[k]);
            CHECK(frame(what, b.p, b.len, delim, pieces[k], 0, LADLE_DEFAULT_MAX_RECORD) ==
                  LADLE_OK);
            snprintf(what, sizeof what, "round %d random pieces <= %zu", round, pieces[k]);
            CHECK(frame(what, b.p, b.len, delim, pieces[k], 1, LADLE_DEFAULT_MAX_RECORD) ==
                  LADLE_OK);
        }
        free(b.p);
    }
}

static void test_examples(void)
{
    /* The line end inside quotes stays; the stray quote in 5"in does not open. */
    const char *s = "id,msg\n1,\"a\nb\"\n2,5\"in\n3,\"x\"\"\n\"\n";
    size_t want[8];
    CHECK(ref_split(s, strlen(s), ',', want) == 4);
    CHECK(want[1] == strlen("1,\"a\nb\"\n") && want[2] == strlen("2,5\"in\n"));
    for (size_t piece = 1; piece < 12; piece++)
        CHECK(frame("example", s, strlen(s), ',', piece, 0, 64) == LADLE_OK);
    /* A quote after ';' opens only when ';' is the delimiter. */
    const char *t = "a;\"b\nc\"\n";
    CHECK(ref_split(t, strlen(t), ';', want) == 1 && ref_split(t, strlen(t), ',', want) == 2);
    CHECK(frame("semicolon", t, strlen(t), ';', 3, 0, 64) == LADLE_OK);
}

static void test_max_record(void)
{
    /* A quoted record of 30 bytes with line ends: over a max of 20, under 40. */
    const char *s = "1,\"aaaa\nbbbb\ncccc\ndddd\"\n2,x\n";
    size_t n = strlen(s);
    CHECK(frame("max 40", s, n, ',', 8, 0, 40) == LADLE_OK);
    CHECK(frame("max 20", s, n, ',', 8, 0, 20) == LADLE_E_INPUT);
    /* An unclosed quote runs to the end: bounded too. */
    struct t_buf b = {0};
    t_buf_add(&b, "x,\"", 3);
    for (int i = 0; i < 100; i++)
        t_buf_add(&b, "line\n", 5);
    CHECK(frame("unclosed, max 64", b.p, b.len, ',', 16, 0, 64) == LADLE_E_INPUT);
    CHECK(frame("unclosed, no max", b.p, b.len, ',', 16, 0, 4096) == LADLE_OK);
    free(b.p);
}

int main(void)
{
    test_examples();
    test_max_record();
    test_random();
    return t_done("test_framer_csv");
}

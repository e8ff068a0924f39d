/*
 * spill_sort.c -- the out-of-core sorter (see spill_sort.h).
 *
 * Every run lives in one unnamed temporary file (sort/run_writer.h), as
 * zstd frames; a run's record is a 24-byte head (key, input, length, rank,
 * in this machine's byte order: the file never leaves the process) and
 * the record's bytes.
 */
#include "sort/spill_sort.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "sort/run_writer.h"

#define ARENA_FIRST ((size_t)1 << 20)
#define READ_CAP ((size_t)32 << 10)  /* compressed bytes read at a time, per run */
#define OUT_FIRST ((size_t)64 << 10) /* decompressed bytes held, per run (more: long records) */
#define HEAD_LEN 24
/* What a run's reader holds: its zstd context (128 KiB window, a block),
 * READ_CAP and OUT_FIRST; the merge's fan-in follows from it. */
#define READER_BYTES ((size_t)448 << 10)
#define MIN_FANIN 8u
#define MAX_FANIN 4096u
#define CANCEL_EVERY 4096

struct entry {
    uint64_t key, rank, off; /* off: in the arena */
    uint32_t input, len;
};

struct run {
    uint64_t start, end; /* bytes of the temporary file */
};

struct reader {
    uint64_t pos, end; /* what is left of the run in the file */
    ZSTD_DCtx *d;
    char *in;
    size_t in_len, in_pos;
    char *out;
    size_t out_pos, out_end, out_cap;
    struct entry head; /* off: of the record's bytes in out */
    const char *data;  /* the head's bytes */
    /* The buffer's last records, sorted, merged from memory: mv[mi..mn),
     * their bytes in mbase (mv NULL: a run in the file) */
    const struct entry *mv;
    size_t mi, mn;
    const char *mbase;
};

struct ladle_spill_sort {
    size_t memory;
    char *dir; /* owns */
    const atomic_int *cancel;
    struct ladle_error *err;
    char *arena; /* owns: the records' bytes */
    size_t used, cap;
    struct entry *v; /* owns */
    size_t count, vcap;
    struct ladle_run_writer *rw; /* owns: NULL until the first run */
    unsigned helpers;
    void (*wake)(void *arg);
    void *wake_arg;
    struct run *runs;
    unsigned nruns, runs_cap;
    unsigned passes; /* merges of runs into one before the last */
    unsigned merged; /* runs those merges consumed (the runs written: nruns + merged - passes) */
    uint64_t total;
};

static ladle_status nomem(struct ladle_spill_sort *s)
{
    return ladle_error_set(s->err, LADLE_E_INTERNAL, "shuffle: out of memory");
}

static ladle_status interrupted(struct ladle_spill_sort *s)
{
    return ladle_error_set(s->err, LADLE_E_INTERRUPTED, "interrupted");
}

static int cancelled(const struct ladle_spill_sort *s)
{
    return s->cancel && atomic_load(s->cancel);
}

struct ladle_spill_sort *ladle_spill_sort_new(size_t memory, const char *tmpdir, unsigned helpers,
                                              const atomic_int *cancel, struct ladle_error *err)
{
    struct ladle_spill_sort *s = calloc(1, sizeof *s);
    const char *env = getenv("TMPDIR");
    const char *dir = tmpdir && *tmpdir ? tmpdir : env && *env ? env : "/tmp";
    if (!s || !(s->dir = strdup(dir))) {
        free(s);
        ladle_error_set(err, LADLE_E_INTERNAL, "shuffle: out of memory");
        return NULL;
    }
    s->memory = memory;
    s->helpers = helpers;
    s->cancel = cancel;
    s->err = err;
    return s;
}

void ladle_spill_sort_set_wake(struct ladle_spill_sort *s, void (*wake)(void *arg), void *arg)
{
    s->wake = wake;
    s->wake_arg = arg;
    if (s->rw)
        ladle_run_writer_set_wake(s->rw, wake, arg);
}

void ladle_spill_sort_help(struct ladle_spill_sort *s, unsigned slot)
{
    if (s->rw)
        ladle_run_writer_help(s->rw, slot);
}

void ladle_spill_sort_free(struct ladle_spill_sort *s)
{
    if (!s)
        return;
    ladle_run_writer_free(s->rw); /* the file goes with it */
    free(s->runs);
    free(s->arena);
    free(s->v);
    free(s->dir);
    free(s);
}

uint64_t ladle_spill_sort_count(const struct ladle_spill_sort *s)
{
    return s->total;
}

unsigned ladle_spill_sort_runs(const struct ladle_spill_sort *s)
{
    return s->nruns + s->merged;
}

unsigned ladle_spill_sort_passes(const struct ladle_spill_sort *s)
{
    return s->passes;
}

uint64_t ladle_spill_sort_spilled(const struct ladle_spill_sort *s)
{
    return s->rw ? ladle_run_writer_bytes(s->rw) : 0;
}

/* ---- sorting ---- */

static int entry_less(const struct entry *a, const struct entry *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    if (a->input != b->input)
        return a->input < b->input;
    return a->rank < b->rank;
}

static int cmp_entry(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    return entry_less(a, b) ? -1 : entry_less(b, a) ? 1 : 0;
}

static void insertion_sort(struct entry *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct entry e = v[i];
        size_t k = i;
        for (; k > 0 && entry_less(&e, &v[k - 1]); k--)
            v[k] = v[k - 1];
        v[k] = e;
    }
}

/* Keys are uniform hashes: an in-place radix sort on their bytes, most
 * significant first (American flag sort), 256 buckets a level, down to
 * buckets of a few entries that the full order finishes. 256 buckets keep
 * the permutation's writes within cache and TLB reach (65536 did not: a
 * third of the run's time); no copy of the array, so memory stays what
 * --memory allows (glibc's qsort is a merge sort that copies). */
static void flag_sort(struct entry *v, size_t n, unsigned shift)
{
    if (n < 48) {
        insertion_sort(v, n);
        return;
    }
    size_t next[256], end[256];
    memset(end, 0, sizeof end);
    for (size_t i = 0; i < n; i++)
        end[(v[i].key >> shift) & 255]++;
    for (size_t b = 0, at = 0; b < 256; b++) {
        next[b] = at;
        at += end[b];
        end[b] = at;
    }
    for (size_t b = 0; b < 256; b++)
        while (next[b] < end[b]) {
            struct entry e = v[next[b]];
            size_t d = (e.key >> shift) & 255;
            while (d != b) {
                struct entry t = v[next[d]];
                v[next[d]++] = e;
                e = t;
                d = (e.key >> shift) & 255;
            }
            v[next[b]++] = e;
        }
    for (size_t b = 0, from = 0; b < 256; from = end[b++]) {
        size_t m = end[b] - from;
        if (shift == 0) /* one key: the identity orders them */
            m < 48 ? insertion_sort(v + from, m) : qsort(v + from, m, sizeof *v, cmp_entry);
        else if (m > 1)
            flag_sort(v + from, m, shift - 8);
    }
}

/* ---- writing runs ---- */

static ladle_status spill_begin(struct ladle_spill_sort *s)
{
    if (!s->rw) {
        if (!(s->rw = ladle_run_writer_new(s->dir, s->helpers, s->cancel, s->err)))
            return ladle_error_status(s->err);
        ladle_run_writer_set_wake(s->rw, s->wake, s->wake_arg);
    }
    if (s->nruns == s->runs_cap) {
        unsigned cap = s->runs_cap ? s->runs_cap * 2 : 16;
        struct run *r = realloc(s->runs, cap * sizeof *r);
        if (!r)
            return nomem(s);
        s->runs = r;
        s->runs_cap = cap;
    }
    return LADLE_OK;
}

/* Sorts the buffer and writes it as the next run; the buffer is empty after. */
static ladle_status spill(struct ladle_spill_sort *s)
{
    ladle_status st = spill_begin(s);
    if (st != LADLE_OK)
        return st;
    flag_sort(s->v, s->count, 56);
    for (size_t i = 0; i < s->count && st == LADLE_OK; i++) {
        const struct entry *e = &s->v[i];
        char head[HEAD_LEN];
        memcpy(head, &e->key, 8);
        memcpy(head + 8, &e->input, 4);
        memcpy(head + 12, &e->len, 4);
        memcpy(head + 16, &e->rank, 8);
        if (i % CANCEL_EVERY == 0 && cancelled(s))
            return interrupted(s);
        st = ladle_run_writer_add(s->rw, head, HEAD_LEN);
        if (st == LADLE_OK)
            st = ladle_run_writer_add(s->rw, s->arena + e->off, e->len);
    }
    struct run *r = &s->runs[s->nruns];
    ladle_status end = ladle_run_writer_end_run(s->rw, &r->start, &r->end);
    if (st != LADLE_OK || (st = end) != LADLE_OK)
        return st;
    s->nruns++;
    s->count = 0;
    s->used = 0;
    return LADLE_OK;
}

/* ---- adding ---- */

ladle_status ladle_spill_sort_add(struct ladle_spill_sort *s, uint64_t key, uint32_t input,
                                  uint64_t rank, const char *data, size_t len)
{
    if (len > UINT32_MAX)
        return ladle_error_set(s->err, LADLE_E_INPUT, "shuffle: a record of %zu bytes", len);
    size_t first = s->memory / sizeof *s->v / 8; /* a tiny --memory: not all index */
    first = first < 16 ? 16 : first > 1024 ? 1024 : first;
    size_t vcap = s->count < s->vcap ? s->vcap : s->vcap ? s->vcap * 2 : first;
    if (s->count && s->used + len + vcap * sizeof *s->v > s->memory) {
        if (cancelled(s))
            return interrupted(s);
        ladle_status st = spill(s);
        if (st != LADLE_OK)
            return st;
        vcap = s->vcap ? s->vcap : first;
    }
    if (vcap != s->vcap) {
        struct entry *v = realloc(s->v, vcap * sizeof *v);
        if (!v)
            return nomem(s);
        s->v = v;
        s->vcap = vcap;
    }
    if (s->used + len > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : ARENA_FIRST;
        size_t most = s->memory > s->used + len ? s->memory : s->used + len;
        if (cap > most)
            cap = most;
        if (cap < s->used + len)
            cap = s->used + len;
        char *a = realloc(s->arena, cap ? cap : 1);
        if (!a)
            return nomem(s);
        s->arena = a;
        s->cap = cap;
    }
    memcpy(s->arena + s->used, data, len);
    s->v[s->count++] = (struct entry){key, rank, s->used, input, (uint32_t)len};
    s->used += len;
    s->total++;
    return LADLE_OK;
}

/* ---- reading runs back ---- */

/* Makes `need` decompressed bytes available at out + out_pos: 1, or 0 at
 * the run's end (with nothing left over), or -1 (err set). */
static int reader_fill(struct ladle_spill_sort *s, struct reader *r, size_t need)
{
    while (r->out_end - r->out_pos < need) {
        if (r->out_pos) {
            memmove(r->out, r->out + r->out_pos, r->out_end - r->out_pos);
            r->out_end -= r->out_pos;
            r->out_pos = 0;
        }
        if (r->out_cap < need || r->out_end == r->out_cap) {
            size_t cap = r->out_cap * 2 > need ? r->out_cap * 2 : need;
            char *o = realloc(r->out, cap);
            if (!o)
                return nomem(s), -1;
            r->out = o;
            r->out_cap = cap;
        }
        if (r->in_pos == r->in_len && r->pos < r->end) {
            size_t want = r->end - r->pos < READ_CAP ? (size_t)(r->end - r->pos) : READ_CAP;
            ssize_t got = pread(ladle_run_writer_fd(s->rw), r->in, want, (off_t)r->pos);
            if (got <= 0) {
                if (got < 0 && errno == EINTR)
                    continue;
                ladle_error_set(s->err, LADLE_E_OUTPUT, "%s: %s (reading a shuffle run back)",
                                s->dir, got < 0 ? strerror(errno) : "file shorter than written");
                return -1;
            }
            r->pos += (uint64_t)got;
            r->in_len = (size_t)got;
            r->in_pos = 0;
        }
        ZSTD_inBuffer in = {r->in, r->in_len, r->in_pos};
        ZSTD_outBuffer out = {r->out, r->out_cap, r->out_end};
        size_t rc = ZSTD_decompressStream(r->d, &out, &in);
        if (ZSTD_isError(rc)) {
            ladle_error_set(s->err, LADLE_E_INTERNAL, "shuffle: a run read back: zstd: %s",
                            ZSTD_getErrorName(rc));
            return -1;
        }
        int moved = in.pos != r->in_pos || out.pos != r->out_end;
        r->in_pos = in.pos;
        r->out_end = out.pos;
        if (!moved && r->pos == r->end && r->in_pos == r->in_len) {
            if (r->out_end == r->out_pos)
                return 0;
            ladle_error_set(s->err, LADLE_E_INTERNAL, "shuffle: a run read back ends mid-record");
            return -1;
        }
    }
    return 1;
}

/* The run's next record into r->head: 1, 0 at its end, -1 on error. */
static int reader_next(struct ladle_spill_sort *s, struct reader *r)
{
    if (r->mv) {
        if (r->mi == r->mn)
            return 0;
        r->head = r->mv[r->mi++];
        r->data = r->mbase + r->head.off;
        return 1;
    }
    int got = reader_fill(s, r, HEAD_LEN);
    if (got <= 0)
        return got;
    const char *h = r->out + r->out_pos;
    memcpy(&r->head.key, h, 8);
    memcpy(&r->head.input, h + 8, 4);
    memcpy(&r->head.len, h + 12, 4);
    memcpy(&r->head.rank, h + 16, 8);
    got = reader_fill(s, r, HEAD_LEN + (size_t)r->head.len);
    if (got == 0) {
        ladle_error_set(s->err, LADLE_E_INTERNAL, "shuffle: a run read back ends mid-record");
        return -1;
    }
    r->head.off = r->out_pos + HEAD_LEN;
    r->data = r->out + r->head.off;
    return got;
}

/* ---- emitting ---- */

static ladle_status emit_memory(struct ladle_spill_sort *s, struct ladle_writer *w)
{
    flag_sort(s->v, s->count, 56);
    ladle_status st = LADLE_OK;
    for (size_t i = 0; i < s->count && st == LADLE_OK && !w->closed; i++) {
        if (i % CANCEL_EVERY == 0 && cancelled(s))
            return interrupted(s);
        const struct entry *e = &s->v[i];
        st = ladle_writer_record(w, s->arena + e->off, e->len, e->key, e->input);
    }
    return st;
}

/* A binary min-heap of run indices by their heads. */
static void sift_down(struct reader *rd, unsigned *heap, unsigned n, unsigned i)
{
    for (;;) {
        unsigned l = 2 * i + 1, m = i;
        if (l < n && entry_less(&rd[heap[l]].head, &rd[heap[m]].head))
            m = l;
        if (l + 1 < n && entry_less(&rd[heap[l + 1]].head, &rd[heap[m]].head))
            m = l + 1;
        if (m == i)
            return;
        unsigned t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/* One merged record: to the output (w), or into the run being written
 * (w NULL: a pass that merges runs into one). */
static ladle_status put(struct ladle_spill_sort *s, const struct reader *r, struct ladle_writer *w)
{
    if (w)
        return ladle_writer_record(w, r->data, r->head.len, r->head.key, r->head.input);
    char head[HEAD_LEN];
    memcpy(head, &r->head.key, 8);
    memcpy(head + 8, &r->head.input, 4);
    memcpy(head + 12, &r->head.len, 4);
    memcpy(head + 16, &r->head.rank, 8);
    ladle_status st = ladle_run_writer_add(s->rw, head, HEAD_LEN);
    return st == LADLE_OK ? ladle_run_writer_add(s->rw, r->data, r->head.len) : st;
}

static ladle_status merge_runs(struct ladle_spill_sort *s, struct reader *rd, unsigned nrd,
                               unsigned *heap, struct ladle_writer *w)
{
    unsigned n = 0;
    for (unsigned k = 0; k < nrd; k++) {
        int got = reader_next(s, &rd[k]);
        if (got < 0)
            return ladle_error_status(s->err);
        if (got)
            heap[n++] = k;
    }
    for (unsigned i = n / 2; i-- > 0;)
        sift_down(rd, heap, n, i);
    ladle_status st = LADLE_OK;
    for (uint64_t done = 0; n && st == LADLE_OK && !(w && w->closed); done++) {
        if (done % CANCEL_EVERY == 0 && cancelled(s))
            return interrupted(s);
        struct reader *r = &rd[heap[0]];
        st = put(s, r, w);
        if (!r->mv)
            r->out_pos = r->head.off + r->head.len;
        int got = reader_next(s, r);
        if (got < 0)
            return ladle_error_status(s->err);
        if (!got)
            heap[0] = heap[--n];
        sift_down(rd, heap, n, 0);
    }
    return st;
}

/* Merges runs [first, first + n) -- and, with w, the buffer's sorted
 * records -- to w, or (w NULL) into a new run. */
static ladle_status merge_group(struct ladle_spill_sort *s, unsigned first, unsigned n,
                                struct ladle_writer *w)
{
    unsigned nrd = n + (w && s->count ? 1 : 0);
    struct reader *rd = calloc(nrd, sizeof *rd);
    unsigned *heap = calloc(nrd, sizeof *heap);
    ladle_status st = !rd || !heap ? nomem(s) : LADLE_OK;
    for (unsigned k = 0; st == LADLE_OK && k < n; k++) {
        rd[k].pos = s->runs[first + k].start;
        rd[k].end = s->runs[first + k].end;
        rd[k].d = ZSTD_createDCtx();
        rd[k].in = malloc(READ_CAP);
        rd[k].out = malloc(OUT_FIRST);
        rd[k].out_cap = OUT_FIRST;
        if (!rd[k].d || !rd[k].in || !rd[k].out)
            st = nomem(s);
    }
    if (st == LADLE_OK && nrd > n) {
        rd[n].mv = s->v;
        rd[n].mn = s->count;
        rd[n].mbase = s->arena;
    }
    if (st == LADLE_OK)
        st = merge_runs(s, rd, nrd, heap, w);
    for (unsigned k = 0; rd && k < n; k++) {
        ZSTD_freeDCtx(rd[k].d);
        free(rd[k].in);
        free(rd[k].out);
    }
    free(rd);
    free(heap);
    return st;
}

ladle_status ladle_spill_sort_emit(struct ladle_spill_sort *s, struct ladle_writer *w)
{
    if (!s->nruns)
        return emit_memory(s, w);
    /* The buffer's last records stay where they are, sorted: one more
     * source of the last merge (no round trip through the disk). */
    flag_sort(s->v, s->count, 56);
    /* Each run's reader holds about READER_BYTES: more runs than the
     * memory allows merge a group of the oldest into one run first, and
     * give its disk space back. */
    unsigned fanin = (unsigned)(s->memory / 2 / READER_BYTES);
    fanin = fanin < MIN_FANIN ? MIN_FANIN : fanin > MAX_FANIN ? MAX_FANIN : fanin;
    ladle_status st = LADLE_OK;
    while (st == LADLE_OK && s->nruns > fanin) {
        struct run r;
        st = merge_group(s, 0, fanin, NULL);
        ladle_status end = ladle_run_writer_end_run(s->rw, &r.start, &r.end);
        if (st != LADLE_OK || (st = end) != LADLE_OK)
            break;
        ladle_run_writer_release(s->rw, s->runs[0].start, s->runs[fanin - 1].end);
        memmove(s->runs, s->runs + fanin, (s->nruns - fanin) * sizeof *s->runs);
        s->nruns -= fanin;
        s->runs[s->nruns++] = r;
        s->passes++;
        s->merged += fanin - 1;
    }
    ladle_run_writer_done(s->rw); /* the writing side's buffers */
    return st == LADLE_OK ? merge_group(s, 0, s->nruns, w) : st;
}

/*
 * test_reorder.c -- the engine's ordered stage (src/engine/output.c): with
 * four workers and small chunks, results finish in any order, yet
 * ops->take sees every chunk of every input exactly once, in (input, seq)
 * order, each input's last one flagged, and its bytes in file order. Each
 * result is charged 16 MiB so that backpressure (32 MiB) holds decoders
 * back all the time: the run must still end (no deadlock). Then: a take
 * that finishes early stops the run without an error, and a process that
 * fails stops it with that error; neither leaks a result. Last, the wake-up
 * rule: the result the calling thread waits for comes after a later one,
 * the run's last (a worker done with its part sends no more); the wait must
 * not run to its deadline (stats.missed_wakes).
 * LADLE_TEST_PIPELINE: the TSan build runs it.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/config.h"
#include "engine/engine.h"
#include "test_util.h"

#define INPUTS 3
#define LINES 4000

struct item {
    struct ladle_engine_item it; /* first */
    uint64_t offset, len;
    uint32_t input;
};

struct ctx {
    uint32_t cur;
    uint64_t next_seq, next_offset[INPUTS], records[INPUTS];
    uint64_t file_size[INPUTS];
    uint64_t taken, finish_after;
    uint64_t fail_at_offset; /* process fails at this chunk offset of input 1 */
    long long charge;        /* per result; 0: 16 MiB */
    uint64_t last_seq[INPUTS];
    /* late_end: the last result waits until all but two are taken and
     * the calling thread waits; the next to last (slow_seq of the last
     * input) waits until the last is handed over. */
    bool late_end;
    uint64_t slow_seq, total;
    atomic_ulong taken_now;
    atomic_bool last_out;
    atomic_long live; /* results not freed yet */
    struct ladle_error *err;
    struct ladle_field_binding *dummy;
};

static ladle_status bind_input(void *arg, uint32_t input, const char *header, size_t len,
                               const struct ladle_field_binding **binding)
{
    struct ctx *c = arg;
    (void)input;
    (void)header;
    (void)len;
    *binding = c->dummy;
    return LADLE_OK;
}

static ladle_status process(void *arg, unsigned worker, struct ladle_chunk *ck,
                            struct ladle_engine_item **out)
{
    struct ctx *c = arg;
    (void)worker;
    struct item *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    atomic_fetch_add(&c->live, 1);
    *out = &r->it;
    r->offset = ck->offset;
    r->len = ck->len;
    r->input = ck->input;
    /* Uneven work, so results come back out of order. */
    volatile unsigned sink = 0;
    for (size_t k = 0; k < ck->len * (ck->seq % 4); k++)
        sink += (unsigned char)ck->data[k % (ck->len ? ck->len : 1)];
    r->it.charge = c->charge ? c->charge : (long long)16 << 20;
    if (c->late_end && ck->input == INPUTS - 1 && (ck->seq == c->slow_seq || ck->last)) {
        for (int ms = 0; ms < 2000; ms++) { /* bounded: a hang is worse than a miss */
            if (ck->last ? atomic_load(&c->taken_now) + 2 >= c->total : atomic_load(&c->last_out))
                break;
            nanosleep(&(struct timespec){0, 1000000L}, NULL);
        }
        nanosleep(&(struct timespec){0, 5000000L}, NULL); /* into its hand-over, or a wait */
        if (ck->last)
            atomic_store(&c->last_out, true);
    }
    bool fail = ck->input == 1 && ck->offset >= c->fail_at_offset;
    ladle_chunk_put(ck);
    if (fail)
        return ladle_error_set(c->err, LADLE_E_INPUT, "failed on purpose");
    return LADLE_OK;
}

static ladle_status take(void *arg, struct ladle_engine_item *it, bool *finished)
{
    struct ctx *c = arg;
    struct item *r = (struct item *)it;
    CHECKF(it->input == c->cur && it->seq == c->next_seq, "got (%u, %llu), want (%u, %llu)",
           it->input, (unsigned long long)it->seq, c->cur, (unsigned long long)c->next_seq);
    CHECK(r->input == it->input);
    CHECK(r->offset == c->next_offset[it->input]);
    c->next_offset[it->input] = r->offset + r->len;
    c->next_seq++;
    if (it->last) {
        CHECK(c->next_offset[it->input] == c->file_size[it->input]);
        c->last_seq[it->input] = it->seq;
        c->cur++;
        c->next_seq = 0;
    }
    *finished = ++c->taken == c->finish_after;
    atomic_store(&c->taken_now, c->taken);
    return LADLE_OK;
}

static void free_item(void *arg, struct ladle_engine_item *it)
{
    struct ctx *c = arg;
    atomic_fetch_sub(&c->live, 1);
    free(it);
}

static ladle_status run(struct ctx *c, const char *const *paths, struct ladle_error *err,
                        uint64_t *taken, struct ladle_engine_stats *st)
{
    struct ladle_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.engine.threads = 4;
    cfg.engine.chunk_size = 4096;
    cfg.engine.max_record = (size_t)1 << 20;
    cfg.engine.io_mode = LADLE_IO_PREAD;
    atomic_int cancel;
    atomic_init(&cancel, 0);
    struct ladle_pipeline_io io = {paths, paths, INPUTS, -1,   0,    &cancel,
                                   NULL,  NULL,  NULL,   NULL, NULL, 0};
    struct ladle_engine_ops ops = {c, bind_input, process, take, free_item, NULL};
    c->err = err;
    struct ladle_engine *e = ladle_engine_new(&cfg, &io, &ops, err);
    CHECK(e != NULL);
    if (!e)
        return LADLE_E_INTERNAL;
    ladle_status s = ladle_engine_run(e, st);
    ladle_engine_free(e);
    CHECK(atomic_load(&c->live) == 0); /* every result freed */
    *taken = c->taken;
    return s;
}

int main(void)
{
    char *paths[INPUTS];
    uint64_t sizes[INPUTS];
    for (int i = 0; i < INPUTS; i++) {
        size_t cap = (size_t)LINES * 64, len = 0;
        char *buf = malloc(cap);
        for (int k = 0; k < LINES * (i + 1) / 2; k++)
            len += (size_t)snprintf(buf + len, cap - len, "input %d line %d %.*s\n", i, k, k % 40,
                                    "........................................");
        char name[32];
        snprintf(name, sizeof name, "in%d.txt", i);
        paths[i] = t_write_file(name, buf, len);
        sizes[i] = len;
        free(buf);
    }
    const char *const *p = (const char *const *)paths;
    struct ladle_field_binding *dummy = NULL;

    struct ctx c = {.finish_after = UINT64_MAX, .fail_at_offset = UINT64_MAX, .dummy = dummy};
    memcpy(c.file_size, sizes, sizeof sizes);
    struct ladle_error err;
    ladle_error_init(&err);
    uint64_t taken;
    struct ladle_engine_stats st;
    CHECK(run(&c, p, &err, &taken, &st) == LADLE_OK);
    CHECK(c.cur == INPUTS);
    CHECK(taken > 3 * INPUTS); /* many chunks: the order was worth checking */
    CHECK(st.missed_wakes == 0);

    /* Small results (no wake-up for their bytes); the run's next to last
     * result comes after its last. */
    CHECK(c.last_seq[INPUTS - 1] >= 1);
    struct ctx late = {.finish_after = UINT64_MAX,
                       .fail_at_offset = UINT64_MAX,
                       .charge = 1024,
                       .late_end = true,
                       .slow_seq = c.last_seq[INPUTS - 1] - 1,
                       .total = c.taken};
    memcpy(late.file_size, sizes, sizeof sizes);
    ladle_error_init(&err);
    CHECK(run(&late, p, &err, &taken, &st) == LADLE_OK);
    CHECK(late.cur == INPUTS && taken == c.taken);
    CHECKF(st.missed_wakes == 0, "%llu waits ran to their deadline",
           (unsigned long long)st.missed_wakes);

    struct ctx early = {.finish_after = 5, .fail_at_offset = UINT64_MAX};
    memcpy(early.file_size, sizes, sizeof sizes);
    ladle_error_init(&err);
    CHECK(run(&early, p, &err, &taken, &st) == LADLE_OK);
    CHECK(taken == 5);

    struct ctx failing = {.finish_after = UINT64_MAX, .fail_at_offset = sizes[1] / 2};
    memcpy(failing.file_size, sizes, sizeof sizes);
    ladle_error_init(&err);
    CHECK(run(&failing, p, &err, &taken, &st) == LADLE_E_INPUT);
    CHECK(strstr(err.msg, "on purpose") != NULL);
    CHECK(failing.cur <= 1); /* nothing of input 1's failed chunk or later was taken */

    for (int i = 0; i < INPUTS; i++)
        free(paths[i]);
    return t_done("reorder");
}

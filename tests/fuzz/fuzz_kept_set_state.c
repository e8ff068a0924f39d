/*
 * fuzz_kept_set_state.c -- the kept-records payload reader
 * (src/sample/kept_set_state.c): what `--state FILE` carries for --rate,
 * --fractions, --cluster --rate, --head and --every, read from a file that
 * may come from anywhere.
 *
 * Input: byte 0 picks the input base (bits 0-1: 0, 1, 1000, or
 * UINT32_MAX - 2, so the overflow check is reached) and a --head limit
 * (bits 2-3: none, 0, 1, 5), the rest is the payload.
 *
 * Checked: a refusal is LADLE_E_INPUT with a message starting "state: " and
 * leaves the set as it was; an accepted payload writes back to one that
 * reads to the same records (keys, inputs, bytes, records_seen), in
 * (input, offset) order; then the set is emitted by key and by identity
 * (to a writer that discards). Then the design ops `ladle merge` uses:
 * the payload read at base 0 and again at the picked base, merged, holds
 * min(limit, both counts) records (all when the bases differ) and writes
 * back to a payload that reads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/error.h"
#include "out/outbuf.h"
#include "out/writer.h"
#include "sample/kept.h"
#include "sample/kept_set_state.h"
#include "sample/sampler.h"

static int same_records(const struct ladle_kept_set *a, const struct ladle_kept_set *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++) {
        const struct ladle_kept *x = &a->v[i], *y = &b->v[i];
        if (x->key != y->key || x->input != y->input || x->len != y->len ||
            memcmp(x->data, y->data, x->len) != 0)
            return 0;
        if (i && (y->input < b->v[i - 1].input ||
                  (y->input == b->v[i - 1].input && y->offset <= b->v[i - 1].offset)))
            return 0;
    }
    return 1;
}

/* The merge ops over two reads of the same payload. */
static void merge_ops(const unsigned char *p, size_t len, uint32_t base, uint64_t limit,
                      size_t count)
{
    struct ladle_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.params.output_limit = limit;
    cfg.engine.threads = 1;
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_sampler a, b;
    if (ladle_sampler_init(&a, &ladle_sampler_head, &cfg, &err) != LADLE_OK ||
        ladle_sampler_init(&b, &ladle_sampler_head, &cfg, &err) != LADLE_OK)
        abort();
    b.input_remap = (struct ladle_input_remap){base, 0, NULL};
    if (a.ops->deserialize(&a, p, len, &err) != LADLE_OK ||
        b.ops->deserialize(&b, p, len, &err) != LADLE_OK || a.ops->merge(&a, &b, &err) != LADLE_OK)
        abort();
    size_t want = 2 * count < limit ? 2 * count : (size_t)limit;
    if ((a.carried ? a.carried->count : 0) != want || (b.carried && b.carried->count))
        abort();
    struct ladle_outbuf out;
    memset(&out, 0, sizeof out);
    if (a.ops->serialize(&a, &out, &err) != LADLE_OK)
        abort();
    ladle_sampler_destroy(&b);
    if (ladle_sampler_init(&b, &ladle_sampler_head, &cfg, &err) != LADLE_OK ||
        b.ops->deserialize(&b, out.data, out.len, &err) != LADLE_OK ||
        (b.carried ? b.carried->count : 0) != want || b.records_seen != a.records_seen)
        abort();
    ladle_outbuf_free(&out);
    ladle_sampler_destroy(&a);
    ladle_sampler_destroy(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const uint32_t bases[4] = {0, 1, 1000, UINT32_MAX - 2};
    uint32_t base = bases[data[0] & 3];
    const struct ladle_input_remap remap = {base, 0, NULL};
    /* An exact copy of the payload, so a read past its end is seen. */
    size_t len = size - 1;
    unsigned char *payload = malloc(len ? len : 1);
    if (!payload)
        abort();
    memcpy(payload, data + 1, len);

    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_kept_set a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    uint64_t seen = 0, seen2 = 0;
    ladle_status st = ladle_kept_set_state_read(payload, len, &remap, &a, &seen, &err);
    if (st != LADLE_OK) {
        if (st != LADLE_E_INPUT || strncmp(err.msg, "state: ", 7) != 0 || a.count || seen)
            abort();
    } else {
        struct ladle_outbuf out;
        memset(&out, 0, sizeof out);
        /* The set was read in order, so the writer's sort keeps it so. */
        struct ladle_kept_set copy;
        memset(&copy, 0, sizeof copy);
        for (size_t i = 0; i < a.count; i++)
            if (ladle_kept_set_add(&copy, a.v[i].key, a.v[i].input, a.v[i].offset, a.v[i].data,
                                   a.v[i].len) != 0)
                abort();
        if (ladle_kept_set_state_write(&a, seen, &out, &err) != LADLE_OK)
            abort();
        if (ladle_kept_set_state_read(out.data, out.len, NULL, &b, &seen2, &err) != LADLE_OK ||
            seen2 != seen || !same_records(&copy, &b))
            abort(); /* what we wrote, we must read, unchanged */
        ladle_outbuf_free(&out);
        ladle_kept_set_free(&copy);
        struct ladle_writer w;
        if (ladle_writer_init(&w, -1, &err) != LADLE_OK)
            abort();
        if (ladle_kept_emit(b.v, b.count, 1, &w) != LADLE_OK ||
            ladle_kept_emit(b.v, b.count, 0, &w) != LADLE_OK)
            abort();
        ladle_writer_destroy(&w);
        /* Merging at the same positions would repeat identities: only a
         * base past every input, as `ladle merge` gives (disjoint sources;
         * the offsets are kept as read, so an overlap would repeat one). */
        static const uint64_t limits[4] = {UINT64_MAX, 0, 1, 5};
        uint64_t max_in = 0;
        for (size_t i = 0; i < b.count; i++)
            max_in = b.v[i].input > max_in ? b.v[i].input : max_in;
        if (base > max_in && max_in + base <= UINT32_MAX)
            merge_ops(payload, len, base, limits[(data[0] >> 2) & 3], b.count);
    }
    ladle_kept_set_free(&a);
    ladle_kept_set_free(&b);
    free(payload);
    return 0;
}

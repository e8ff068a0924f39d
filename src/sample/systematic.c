/*
 * systematic.c -- `--every K [--start S]`: records S, S+K, S+2K, ... by
 * global 0-based index across all inputs in argument order.
 *
 * The index of a record is known only once every earlier record is
 * counted, so this is an ordered design: workers index the record starts
 * of each chunk in parallel, and select() runs in the output stage, in
 * input order, where the global index of each chunk's first record is
 * known. Choosing is then arithmetic, not a scan. Without --start, S is
 * drawn from the seed (exactly uniform on 0..K-1: ladle_draw_below), which
 * makes the sample a probability sample: every record has inclusion
 * probability 1/K.
 */
#include <stdlib.h>

#include "record/key.h"
#include "sample/kept_set_state.h"
#include "sample/sampler.h"

struct systematic_state {
    uint64_t every, start;
};

static ladle_status systematic_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct systematic_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    st->every = s->cfg->params.every ? s->cfg->params.every : 1;
    if (s->cfg->params.start >= 0) {
        st->start = (uint64_t)s->cfg->params.start;
    } else {
        /* Its own domain of the seed, reduced by rejection: exactly
         * uniform on 0..K-1 (key.h, and the man page's --every). */
        st->start = ladle_draw_below(s->cfg->params.seed, LADLE_DOMAIN_START, st->every);
    }
    s->state = st;
    return LADLE_OK;
}

static ladle_status systematic_select(struct ladle_sampler *s, uint64_t first,
                                      const struct ladle_chunk *ck, const uint32_t *starts,
                                      size_t n, struct ladle_outbuf *out, struct ladle_error *err)
{
    const struct systematic_state *st = s->state;
    /* Local index of the first chosen record at or after `first`. */
    uint64_t j;
    if (first <= st->start)
        j = st->start - first;
    else
        j = (st->every - (first - st->start) % st->every) % st->every;
    for (; j < n; j += st->every) {
        size_t begin = starts[j];
        size_t end = j + 1 < n ? starts[j + 1] : ck->len;
        uint64_t key = ladle_record_key_d(s->record_seed, ck->source, ck->offset + begin);
        if (ladle_sampler_emit(s, out, ck->data + begin, end - begin, key, 0.0) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    }
    return LADLE_OK;
}

static void systematic_destroy(struct ladle_sampler *s)
{
    free(s->state);
}

const struct ladle_sampler_ops ladle_sampler_systematic = {
    .name = "systematic",
    .streaming = 1,
    .ordered = 1,
    .create = systematic_create,
    .select = systematic_select,
    .destroy = systematic_destroy,
    .serialize = ladle_carried_serialize,
    .deserialize = ladle_carried_deserialize,
    .merge = ladle_carried_merge,
    /* A state's picks depend on how many records came before its inputs:
     * two chains drawn apart cannot be joined. */
    .merge_refusal = "--every picks by the global record index, which a state drawn apart "
                     "did not know: chain the runs with --state instead",
};

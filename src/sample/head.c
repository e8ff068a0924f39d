/*
 * head.c -- `--head N`: the first N records (convenience sampling).
 * Each chunk passes on at most its own first N records; the ordered output
 * stage keeps the first N overall and then stops the run, so reading ends
 * as soon as the answer is known.
 */
#include "record/records.h"
#include "sample/sampler.h"

static ladle_status head_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                               struct ladle_outbuf *out, const char *name, struct ladle_error *err)
{
    (void)name; /* records are length-checked by the framer */
    const uint64_t n = s->cfg->params.n;
    const int want_keys = s->cfg->params.shuffle || s->cfg->params.split;
    struct ladle_record_iter it;
    struct ladle_record r;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &r)) {
        s->records_seen++;
        if (out->records >= n)
            continue;
        if (ladle_outbuf_append(out, r.data, r.len) != 0 ||
            (want_keys && ladle_outbuf_append_key(
                              out, ladle_record_key_d(s->record_seed, ck->source, r.offset)) != 0))
            return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
        out->records++;
    }
    return LADLE_OK;
}

const struct ladle_sampler_ops ladle_sampler_head = {
    .name = "head",
    .streaming = 1,
    .offer = head_offer,
};

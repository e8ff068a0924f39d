/*
 * all.c -- no sampling: every record, for `ladle split` without a design.
 * In a split run the workers route records straight from the chunk
 * (pipeline/work.c) and never call offer; offer serves other callers.
 */
#include "sample/sampler.h"

#include "record/key.h"
#include "record/records.h"

static ladle_status all_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                              struct ladle_outbuf *out, const char *name, struct ladle_error *err)
{
    (void)name;
    struct ladle_record_iter it;
    struct ladle_record r;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &r)) {
        s->records_seen++;
        if (ladle_sampler_emit(s, out, r.data, r.len,
                               ladle_record_key(s->cfg->seed, ck->input, r.offset), 1.0) != 0)
            return ladle_sampler_nomem(err);
    }
    return LADLE_OK;
}

static ladle_status all_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                              struct ladle_error *err)
{
    (void)err;
    ladle_sampler_merge_counts(into, from);
    return LADLE_OK;
}

const struct ladle_sampler_ops ladle_sampler_all = {
    .name = "all",
    .streaming = 1,
    .offer = all_offer,
    .merge = all_merge,
};

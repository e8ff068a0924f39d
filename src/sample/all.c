/*
 * all.c -- no sampling: every record, for `ladle split` without a design.
 * It has no offer(): the job runs it only in a split, where the workers
 * route each record straight from its chunk (ladle_job_route_chunk, with
 * the record's offset for messages) instead of copying it out first.
 */
#include "sample/sampler.h"

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
    .merge = all_merge,
};

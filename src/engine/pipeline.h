/*
 * pipeline.h -- one sampling pass over every input, on threads.
 *
 *   decoder threads (one input at a time each, claimed in argument order)
 *     source -> codec -> framer -> work queue (ck_ring)
 *   worker threads
 *     work queue -> sampler partial state -> done queue (ck_ring)
 *   the calling thread
 *     done queue -> reorder by (input, chunk seq) -> writer
 *   then: merge the workers' partial states, finish, flush.
 *
 * All concurrency of ladle lives in this folder.
 */
#ifndef LADLE_PIPELINE_H
#define LADLE_PIPELINE_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"

struct ladle_record_sink;

struct ladle_pipeline_io {
    const char *const *paths; /* borrowed: "-" is stdin */
    const char *const *names; /* borrowed: for messages */
    uint32_t count;
    int out_fd;
    int skip_header;          /* the --header line was written by an earlier pass */
    const atomic_int *cancel; /* borrowed: set asynchronously to interrupt */
    /* Borrowed, may be NULL: where a pass that writes sends its records
     * instead of out_fd (ladle_job_run_sink). */
    struct ladle_record_sink *sink;
};

struct ladle_sampler_ops;

/* One pass of `design` over every input. out_fd < 0 writes nothing (a
 * pass that only gathers state into cfg->state->plan). */
ladle_status ladle_pipeline_run(const struct ladle_config *cfg,
                                const struct ladle_sampler_ops *design,
                                const struct ladle_pipeline_io *io, struct ladle_error *err,
                                ladle_report *report, int *output_closed);

#endif

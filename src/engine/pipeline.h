/*
 * pipeline.h -- what a pass reads and where it writes (engine.h runs it).
 */
#ifndef LADLE_PIPELINE_H
#define LADLE_PIPELINE_H

#include <stdatomic.h>
#include <stdint.h>

struct ladle_record_sink;
struct ladle_source;

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
    /* Borrowed, may be NULL: per input, its source id (job/probe.h); NULL:
     * the ordinal stands in (tests that run the engine bare). */
    const uint64_t *source_ids;
    /* Borrowed, may be NULL: per input, the pipe the probe read from,
     * rewound, or NULL (the path is opened). */
    struct ladle_source *const *opened;
};

#endif

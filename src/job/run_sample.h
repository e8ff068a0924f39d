/*
 * run_sample.h -- one pass of a design over every input, on the engine
 * (engine/engine.h): what its workers do with a chunk (run_sample.c), and
 * a split run's part (run_split.c): workers route the records
 * (split/route.h), and the calling thread hands them in input order to
 * the split's sequential decisions (split/assign.h) and its shards.
 */
#ifndef LADLE_RUN_SAMPLE_H
#define LADLE_RUN_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "engine/engine.h"
#include "field/field.h"
#include "job/field_check.h"
#include "out/outbuf.h"
#include "sort/spill_sort.h"
#include "out/writer.h"
#include "sample/kept.h"
#include "sample/sampler.h"
#include "split/route.h"

/* The design's field, snowball's TO, split's BY and label, the second and
 * third fields of --time-field, then stats' more fields. */
#define LADLE_BINDINGS_PER_INPUT (LADLE_BINDING_MORE_FIELDS + LADLE_STATS_MORE_FIELDS)
#define RESULT_OVERHEAD 64 /* malloc bookkeeping per result */

/* One pass of `design` over every input. out_fd < 0 writes nothing (a
 * pass that only gathers state into cfg->state->plan). */
ladle_status ladle_pipeline_run(const struct ladle_config *cfg,
                                const struct ladle_sampler_ops *design,
                                const struct ladle_pipeline_io *io, struct ladle_error *err,
                                ladle_report *report, int *output_closed);

/* What a worker hands to the calling thread for one chunk. */
struct job_result {
    struct ladle_engine_item item; /* first: input, seq, last, charge */
    struct ladle_outbuf out;       /* owns */
    /* Ordered designs only: the chunk itself, kept until its turn to be
     * selected from, and where its records start. */
    struct ladle_chunk *chunk; /* owns */
    uint32_t *starts;          /* owns */
    size_t nstarts;
    /* Split runs: where each record of out goes (one per record). */
    struct ladle_route *routes; /* owns */
    size_t nroutes, routes_cap;
    uint64_t records_seen;    /* records of the chunk read, */
    uint64_t records_missing; /* of which left out for want of a field */
    uint64_t end_offset;      /* decompressed bytes of the input up to the chunk's end */
    char *sample;             /* owns: the input's first record, when its first chunk
                                 resolved no field (field_check.h); else NULL */
    size_t sample_len;

    uint64_t records_malformed; /* of the records read, left out as malformed */
};

struct job_run {
    const struct ladle_config *cfg;
    const struct ladle_pipeline_io *io;
    struct ladle_error *err;
    const struct ladle_sampler_ops *design;
    struct ladle_engine *engine;
    unsigned nworkers;
    /* One per worker (each written by its worker only), then the calling
     * thread's; merged after the run. */
    struct ladle_sampler *partials;
    /* Where the fields are in each input, six per input (written by the
     * input's decoder before its first chunk is queued): the design's key
     * field, snowball's TO field, the split's --by (or --time-field), its
     * label, and --time-field's second and third fields. */
    struct ladle_field_binding *bindings;

    /* The calling thread's: the ordered output. */
    struct ladle_writer w;
    uint64_t limit;        /* records still allowed (head), UINT64_MAX otherwise */
    int collect;           /* shuffle a streaming design: gather, sort by key at the end */
    uint64_t global_index; /* records before the current chunk, all inputs */
    uint64_t routed;       /* a split's records routed so far (progress) */
    bool header_written;
    uint32_t header_from;           /* the input whose header was written */
    struct ladle_sampler *selector; /* borrowed: ordered designs' own state */
    struct ladle_kept_set kept;
    struct ladle_field_scratch *scratch; /* owns (split runs): fields read here */
    struct ladle_field_check check;      /* the calling thread's */
    /* --state with a streaming or ordered design (stream_state.c): the
     * kept records are gathered (collect) with the carried ones. */
    int carry_stream;
    uint64_t carried_seen; /* records the earlier runs saw */
    /* collect: the order of a kept record inside its input, as its offset
     * (the output thread's): the input's first byte read (--state's
     * resume point, --part's range) plus its rank there, so that records
     * of one source read in parts or runs keep their order when joined */
    uint32_t rank_input;
    uint64_t rank;
    uint64_t *carried_next; /* owns, may be NULL: per input, past its carried offsets */
    /* collect without --state: the records go to the spilling sorter
     * instead of kept (bounded by --memory) */
    struct ladle_spill_sort *sorter; /* owns, may be NULL */
};

void ladle_job_free_result(struct job_result *res);

/* run_split.c. Workers route a chunk straight (no design) or the records
 * a design kept in res->out (their keys there; dropped ones counted in
 * *dropped); the calling thread takes results in order, and the record
 * hook takes records emitted at the end. */
ladle_status ladle_job_route_chunk(struct job_run *j, struct ladle_sampler *partial,
                                   const struct ladle_chunk *ck, struct job_result *res);
ladle_status ladle_job_route_kept(struct job_run *j, struct ladle_field_scratch *scratch,
                                  uint32_t input, struct job_result *res, uint64_t *dropped);
ladle_status ladle_job_split_result(struct job_run *j, struct job_result *res);

/* stream_state.c: --state for streaming and ordered designs. begin reads
 * the carried records into j->kept before the engine runs (and sets where
 * --every's count and --head's limit continue from); end writes the union
 * to cfg->state->carry_out before it is printed. */
ladle_status ladle_job_stream_state_begin(struct job_run *j);
ladle_status ladle_job_stream_state_end(struct job_run *j);
void ladle_job_split_count_input(struct job_run *j, const struct job_result *res);
ladle_status ladle_job_split_record_hook(void *arg, const char *rec, size_t len, uint64_t key,
                                         uint32_t input);
/* Before and after a split pass: counts reset, the hook and shards wired. */
ladle_status ladle_job_split_begin(struct job_run *j, struct ladle_engine_ops *ops);
void ladle_job_split_end(struct job_run *j);

#endif

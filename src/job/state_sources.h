/*
 * state_sources.h -- the inputs of a `--state` run: the state's sources in
 * their places, then the new ones; what of each is read, and from where
 * (growing, renamed and compressed logs continue; see state_sources.c).
 */
#ifndef LADLE_STATE_SOURCES_H
#define LADLE_STATE_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "engine/pipeline.h"
#include "job/part_plan.h"
#include "job/probe.h"
#include "state/state.h"

/* Per pass input, the state's sources first (in their places: a source
 * not read is an empty placeholder), then the new ones in argument order. */
struct ladle_state_inputs {
    size_t count;
    struct ladle_state_source *all; /* what the next state holds */
    const char **paths, **names;
    uint64_t *ids;
    struct ladle_source **opened;
    struct ladle_input_start *starts;
    struct ladle_input_end *ends;
    unsigned char *read;               /* 1: read this run (from starts[k]) */
    struct ladle_state_source *firsts; /* seen this run: its probe and stat hint */
};

/* Matches the inputs with the state's sources (old); stdin and pipes are
 * finished streams, known by their --source-name and first record.
 * part (NULL but for --part): the inputs' ranges and places in the job.
 * Errors: two inputs that are one source (LADLE_E_USAGE),
 * an input that cannot be stat'ed (LADLE_E_INPUT). */
ladle_status ladle_state_inputs_plan(struct ladle_state_inputs *si, const struct ladle_state *old,
                                     const struct ladle_pipeline_io *io,
                                     const struct ladle_probe *p, const struct ladle_config *cfg,
                                     const struct ladle_part_plan *part, struct ladle_error *err);

/* After the run: each source read records where it ended and its tail
 * hash, and a last line left for the next run is said. */
ladle_status ladle_state_inputs_settle(struct ladle_state_inputs *si,
                                       const struct ladle_config *cfg, struct ladle_error *err);

void ladle_state_inputs_free(struct ladle_state_inputs *si);

#endif

/*
 * passes.h -- running a design that reads its inputs more than once.
 *
 * Stratified -n needs stratum sizes before it draws, --clusters M the M-th
 * smallest cluster key, snowball one pass per wave. The passes share a
 * plan (sample/plan.h). Inputs that cannot be read twice (stdin, pipes)
 * are first copied to an unlinked temporary file, so nothing is left
 * behind whatever happens.
 */
#ifndef LADLE_PASSES_H
#define LADLE_PASSES_H

#include "common/config.h"
#include "common/error.h"
#include "engine/pipeline.h"

/* Runs every pass of cfg's design; cfg->state->plan must point to an initialised
 * plan (seeded for snowball). The io's paths may be replaced by spooled
 * copies for the duration of the call. */
ladle_status ladle_passes_run(struct ladle_config *cfg, const struct ladle_pipeline_io *io,
                              struct ladle_error *err, ladle_report *report, int *output_closed);

/* What a --seeds file may hold: it is read whole before wave 0. */
#define LADLE_SEEDS_MAX_BYTES ((size_t)64 << 20)
#define LADLE_SEEDS_MAX_KEYS 1000000

/* Loads snowball seed keys (one per line; '\r' and empty lines ignored)
 * into cfg->state->plan->frontier, at most the limits above (LADLE_E_INPUT past
 * them), then keeps the --max-nodes ones with the smallest value keys.
 * cancel (may be NULL) set: LADLE_E_INTERRUPTED. */
ladle_status ladle_passes_load_seeds(struct ladle_config *cfg, const char *path,
                                     const atomic_int *cancel, struct ladle_error *err);

#endif

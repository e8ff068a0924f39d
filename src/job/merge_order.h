/*
 * merge_order.h -- where each source of the states `ladle merge` joins
 * goes: the sources of states drawn apart follow each other in argument
 * order, while those of one --part job (job/part_plan.h) go in the job's
 * order, whatever order the states are given in, and the ranges one
 * source was cut into join up again. Record positions follow (a map per
 * source, for ladle_input_remap).
 */
#ifndef LADLE_MERGE_ORDER_H
#define LADLE_MERGE_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "state/state.h"

/* src[0..n): every state's sources, state after state; owner[i]: the state
 * src[i] came from; jobs[k]: state k's job (0: none). Fills out[0..*nout)
 * (borrowing src's strings), map[i] (src[i]'s place in out) and *job (the
 * one job of every state, else 0). Refuses a source two states both read
 * (LADLE_E_USAGE, naming paths[] of both). */
ladle_status ladle_merge_order(const struct ladle_state_source *src, const size_t *owner, size_t n,
                               const uint64_t *jobs, size_t nstates, const char *const *paths,
                               struct ladle_state_source *out, size_t *nout, uint32_t *map,
                               uint64_t *job, struct ladle_error *err);

#endif

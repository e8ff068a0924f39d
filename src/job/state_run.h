/*
 * state_run.h -- a run with `--state FILE` (-n and --weight): the sample of
 * every input seen so far, carried over between runs in an LDST state file
 * (state/state.h).
 */
#ifndef LADLE_STATE_RUN_H
#define LADLE_STATE_RUN_H

#include "common/config.h"
#include "common/error.h"
#include "engine/pipeline.h"
#include "job/part_plan.h"
#include "job/probe.h"

/* Locks and reads the state at path (if any), refuses one drawn otherwise,
 * runs the design over the inputs it has not consumed, prints the sample
 * of all of them, and replaces the state atomically. With part (--part)
 * the run reads its part of the inputs and writes their state, replacing
 * the file without reading it. field_spec is the
 * --weight field as typed (NULL for -n). */
ladle_status ladle_job_state_run(struct ladle_config *cfg, const char *field_spec,
                                 const struct ladle_pipeline_io *io,
                                 const struct ladle_probe *probe, const char *path,
                                 const struct ladle_part_plan *part, struct ladle_error *err,
                                 ladle_report *report, int *output_closed);

struct ladle_state;

/* ladle merge: prints the sample of a state already in memory (the merged
 * one) as a run with --state over its sources and no new input would;
 * nothing is locked or written. io and probe hold no input. */
ladle_status ladle_job_state_print(struct ladle_config *cfg, const char *field_spec,
                                   const struct ladle_pipeline_io *io,
                                   const struct ladle_probe *probe, const struct ladle_state *st,
                                   struct ladle_error *err, ladle_report *report,
                                   int *output_closed);

/* Refuses a state drawn otherwise than cfg would draw it, naming the flag
 * (LADLE_E_USAGE), or a design --state does not carry over. */
ladle_status ladle_job_state_check(const struct ladle_config *cfg, const char *field_spec,
                                   const struct ladle_state *st, struct ladle_error *err);

#endif

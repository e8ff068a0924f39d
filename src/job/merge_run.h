/*
 * merge_run.h -- `ladle merge STATE... [--state OUT]` (doc/design-issue10.md,
 * section 6): the samples of states drawn apart, over disjoint sources,
 * joined into the sample one run over all their sources would draw.
 */
#ifndef LADLE_MERGE_RUN_H
#define LADLE_MERGE_RUN_H

#include <stddef.h>

#include "common/config.h"
#include "common/error.h"
#include "engine/pipeline.h"
#include "job/probe.h"

/* Reads the n state files at paths, refuses states drawn otherwise (naming
 * both files and the flag), a source two of them consumed, and a design
 * that cannot join states drawn apart; then joins their samples with the
 * design's ops, the sources in argument order (positions renumbered). With
 * out_path the union is written there atomically and nothing is printed;
 * without, it is printed as `--state` over the same sources would print
 * it. cfg must hold the parameters the states were drawn with (the
 * first state is checked against it). io and probe hold no input. */
ladle_status ladle_job_merge_run(struct ladle_config *cfg, const char *field_spec,
                                 const struct ladle_pipeline_io *io,
                                 const struct ladle_probe *probe, const char *const *paths,
                                 size_t n, const char *out_path, struct ladle_error *err,
                                 ladle_report *report, int *output_closed);

#endif

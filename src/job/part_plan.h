/*
 * part_plan.h -- `--part K/N`: which inputs, and which bytes of them, the
 * K-th of N runs reads, so that the N runs together read every record
 * once, with the identities and keys one run over all the inputs gives.
 *
 * The inputs' bytes (compressed sizes) are laid end to end and cut into N
 * equal spans. A plain file (not csv, whose quoted fields may hold line
 * ends) is cut where a span ends: a record belongs to the part its first
 * byte falls in. A zstd file is cut at the first frame that starts at or
 * after the span's end (job/../codec/zstd_frames.h), a record again
 * belonging to the part its first byte falls in. Any other input (gzip, a
 * csv file, a zstd file of one frame) goes whole to the part that holds
 * its middle byte. Every part computes the same cuts from the same files,
 * so the parts tile each input exactly, as long as no input changes
 * during the job.
 */
#ifndef LADLE_PART_PLAN_H
#define LADLE_PART_PLAN_H

#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "engine/pipeline.h"

struct ladle_part_plan {
    uint32_t k, n;                    /* this part, 1-based, of n */
    uint64_t job;                     /* the job: N and every input as given, hashed */
    uint32_t count;                   /* the inputs this part reads */
    uint32_t *ordinal;                /* owns: each one's place among all the inputs */
    struct ladle_input_start *ranges; /* owns: each one's range (part = 1) */
    const char **paths, **names;      /* owns the arrays; the strings are the job's */
};

/* Parses "K/N" (1 <= K <= N) or "slurm" (SLURM_ARRAY_TASK_ID minus
 * SLURM_ARRAY_TASK_MIN plus 1, of SLURM_ARRAY_TASK_COUNT). LADLE_E_USAGE
 * naming what is wrong. */
ladle_status ladle_part_parse(const char *spec, uint32_t *k, uint32_t *n, struct ladle_error *err);

/* Plans part k of n over paths[0..count) (names for messages); stdin is
 * refused (LADLE_E_USAGE), an input that cannot be opened is
 * LADLE_E_INPUT. pp needs ladle_part_plan_free. */
ladle_status ladle_part_plan_make(struct ladle_part_plan *pp, const char *const *paths,
                                  const char *const *names, uint32_t count, uint32_t k, uint32_t n,
                                  const struct ladle_config *cfg, struct ladle_error *err);

void ladle_part_plan_free(struct ladle_part_plan *pp);

#endif

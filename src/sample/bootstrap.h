/*
 * bootstrap.h -- `--bootstrap B`, the Poisson bootstrap: every written
 * record carries B replicate counts _rep1.._repB, each Poisson(1), drawn
 * from (seed, the record's key, b) in a domain of their own
 * (LADLE_DOMAIN_BOOT). The record key is the hash of the record's identity
 * (source id, offset), so the counts are a pure function of the record:
 * threads, chunking, --part and ladle merge give the same columns, and
 * they are independent of every selection draw (other domains).
 *
 * Replicate b of a statistic is its value weighted by _repb; the spread
 * of the B replicates estimates the statistic's sampling variance
 * (Hanley and MacGibbon 2006; Chamandy et al. 2012).
 */
#ifndef LADLE_BOOTSTRAP_H
#define LADLE_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "out/outbuf.h"
#include "out/writer.h"
#include "sample/kept.h"

/* The counts of the record whose key is record_key: reps[0..B). */
void ladle_boot_counts(uint64_t seed, uint64_t record_key, unsigned nreps, unsigned char *reps);

/* Appends rec with its replicate columns (cfg->params.bootstrap of them)
 * and then cfg's extra column (= extra) if any. 0 or -1 (no memory). */
int ladle_boot_append(const struct ladle_config *cfg, struct ladle_outbuf *out, const char *rec,
                      size_t len, uint64_t record_key, double extra);

/* ladle_kept_emit for records whose .key is their record key, with the
 * replicate columns added. */
ladle_status ladle_boot_emit_kept(const struct ladle_config *cfg, struct ladle_kept *v,
                                  size_t count, struct ladle_writer *w, struct ladle_error *err);

#endif

/*
 * stats_field.h -- what `ladle stats` learns about one field in a pass
 * (stats.c counts, stats_report.c writes the table, JSON or TSV).
 */
#ifndef LADLE_STATS_FIELD_H
#define LADLE_STATS_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "out/outbuf.h"
#include "out/writer.h"
#include "sample/hll.h"
#include "sample/kll.h"
#include "sample/stats_exact.h"
#include "sample/vmap.h"

/* Values that parse as numbers: Welford's running mean and M2 (merged
 * with Chan et al.'s pairwise formula) for the variance, a compensated
 * (Neumaier) sum for the mean reported (Welford's mean drifts in the last
 * digits: 1..10000 gave 5000.49999999998), and a KLL sketch for quantiles. */
struct ladle_stats_num {
    uint64_t count;       /* values that are numbers */
    uint64_t non_numeric; /* values that are not */
    double min, max, mean, m2;
    double sum, comp; /* the sum is sum + comp */
    struct ladle_kll kll;
    /* --state: exact sums and a log histogram in place of the above, so
     * that states merge exactly (stats_exact.h); NULL otherwise. */
    struct ladle_stats_exact *exact;
};

struct ladle_stats_field {
    const struct ladle_field *field; /* borrowed */
    unsigned slot;                   /* its binding within an input's */
    struct ladle_vmap counts;        /* value -> uint64_t */
    struct ladle_hll hll;
    uint64_t with_field; /* records that had a value */
    uint64_t missing;    /* records left out without one */
    uint64_t error;      /* counts may be short by up to this (0: exact) */
    struct ladle_stats_num num;
};

struct ladle_stats_entry {
    const char *v;
    size_t len;
    uint64_t n;
};

/* --state: the fields' counts into out (stats_state.c), and back: checks
 * all of data first, then adds it to f[0..count) and *records_seen. */
ladle_status ladle_stats_state_write(const struct ladle_stats_field *f, unsigned count,
                                     uint64_t records_seen, struct ladle_outbuf *out,
                                     struct ladle_error *err);
ladle_status ladle_stats_state_read(struct ladle_stats_field *f, unsigned count, const void *data,
                                    size_t len, uint64_t *records_seen, struct ladle_error *err);

/* The mean reported: the compensated sum over the count. */
double ladle_stats_mean(const struct ladle_stats_num *num);

/* The quantiles every report gives, and their names. */
#define LADLE_STATS_NQ 4
extern const double ladle_stats_q[LADLE_STATS_NQ];
extern const char *const ladle_stats_q_name[LADLE_STATS_NQ];

/* Writes field f's part of the report in cfg->params.stats_output's form.
 * seen: records read; e: its top `top` values, most frequent first; first:
 * whether f is the first field (JSON puts a comma before the others). */
ladle_status ladle_stats_report(const struct ladle_config *cfg, const struct ladle_stats_field *f,
                                uint64_t seen, const struct ladle_stats_entry *e, size_t top,
                                int first, struct ladle_writer *w, struct ladle_error *err);

#endif

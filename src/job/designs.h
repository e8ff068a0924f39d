/*
 * designs.h -- the table of sampling designs: one row per design says what
 * it needs, how it is checked, how many passes it reads and which sampler
 * ops run in each. The design constants of include/ladle/ladle.h appear
 * only there and in designs.c; the rest of ladle asks the table.
 */
#ifndef LADLE_DESIGNS_H
#define LADLE_DESIGNS_H

#include "common/config.h"
#include "common/error.h"
#include "sample/sampler.h"

/* What a design is, for the job and the pass planner (flags of a row). */
enum {
    LADLE_DF_FIELD = 1 << 0,       /* needs a field: without one, the row's no_field message */
    LADLE_DF_ANY_FIELD = 1 << 1,   /* takes a field but needs none (stats) */
    LADLE_DF_WEIGHTS = 1 << 2,     /* takes --emit-weight: writes its estimator weight */
    LADLE_DF_WAVES = 1 << 3,       /* takes --emit-wave: writes each record's wave */
    LADLE_DF_STOPS_AT_N = 1 << 4,  /* the output stops after n records (head) */
    LADLE_DF_SEQUEL = 1 << 5,      /* every pass writes: each continues the sample */
    LADLE_DF_SUM_MISSING = 1 << 6, /* a record without the field counts in one pass only */
    LADLE_DF_SEEDS = 1 << 7,       /* reads --seeds before its first pass */
    LADLE_DF_SPLIT_ONLY = 1 << 8,  /* no sampling at all: only a dataset run has it */
    LADLE_DF_PRIORITY = 1 << 9,    /* --emit-weight draws another sample (priority sampling):
                                      nothing turns it on behind the user's back */
    LADLE_DF_BOOTSTRAP = 1 << 10,  /* takes --bootstrap: its records are written with their
                                      record key at hand (sample/bootstrap.h) */
};

/* What a row's validate() looks at: the parameters and which strings are set. */
struct ladle_design_given {
    const struct ladle_design_params *params;
    int field; /* LADLE_S_FIELD set */
    int link;  /* LADLE_S_LINK set */
    int seeds; /* LADLE_S_SEEDS set */
};

struct ladle_design_row {
    ladle_design id;
    const char *name;     /* ladle_job_set_design's name */
    unsigned flags;       /* LADLE_DF_* */
    const char *no_field; /* LADLE_DF_FIELD: the message when the field is missing */
    /* What else it must be given, checked after its field; NULL: nothing. */
    ladle_status (*needs)(const struct ladle_design_given *g, struct ladle_error *err);
    /* Its parameters, checked last (after --emit-weight, --emit-wave); NULL: none. */
    ladle_status (*validate)(const struct ladle_design_given *g, struct ladle_error *err);
    /* 1 when the design reads its inputs more than once with these
     * parameters (stdin and pipes are then spooled); NULL: never. */
    int (*multi_pass)(const struct ladle_design_params *p);
    /* The ops of pass k, NULL after the last; NULL: ops in pass 0 only. */
    const struct ladle_sampler_ops *(*pass_ops)(const struct ladle_config *cfg, unsigned pass);
    const struct ladle_sampler_ops *ops; /* the design's sampler (its first pass) */
};

/* The row of design id, or NULL for an unknown one. */
const struct ladle_design_row *ladle_design_find(int64_t id);
/* The row called name, or NULL. */
const struct ladle_design_row *ladle_design_named(const char *name);
/* The row of cfg's design (known: the job checked it). */
const struct ladle_design_row *ladle_design_of(const struct ladle_config *cfg);

/* Every check of the design, in this order: its field, its needs(),
 * --emit-weight and --emit-wave, its validate(). LADLE_E_USAGE says why. */
ladle_status ladle_design_check(const struct ladle_design_row *row,
                                const struct ladle_design_given *g, struct ladle_error *err);

/* The sampler ops of cfg's design in pass k; NULL when there is none left. */
const struct ladle_sampler_ops *ladle_design_pass(const struct ladle_config *cfg, unsigned pass);
/* 1 when cfg's design reads its inputs more than once. */
int ladle_design_multi_pass(const struct ladle_config *cfg);

#endif

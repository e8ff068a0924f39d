/*
 * split_run.h -- a whole dataset run: `ladle split`, or `ladle sample -o DIR`.
 */
#ifndef LADLE_SPLIT_RUN_H
#define LADLE_SPLIT_RUN_H

#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "engine/pipeline.h"

struct ladle_probe;

/* What the user asked for, as given (checked by ladle_split_run). */
struct ladle_split_request {
    const char *dir;            /* -o DIR */
    const char *ratios;         /* --ratios (names only for a time split) */
    const char *by;             /* --by FIELD */
    const char *time_field;     /* --time-field FIELD */
    const char *cutoffs;        /* --cutoffs T1,... */
    const char *time_format;    /* --time-format FMT */
    const char *tz;             /* --tz ZONE */
    const char *stratify;       /* --stratify LABEL */
    const char *balance;        /* --balance LABEL */
    const char *balance_mode;   /* --balance-mode */
    const char *balance_splits; /* --balance-splits */
    uint64_t shard_size;        /* uncompressed bytes per shard */
    uint64_t shard_records;     /* records per shard (0: by size) */
    int level;                  /* zstd level */
    int force;                  /* replace the dataset in a non-empty DIR */
    int allow_empty;            /* commit even when a split has no record */
    int argc;                   /* the command line, for the manifest */
    const char *const *argv;
    int append;                      /* --append: add to DIR's dataset */
    const struct ladle_probe *probe; /* the inputs' identities */
    const char *design;              /* the sampling design's name */
    int stem_path;                   /* --source-stem path */
    const char *source_prefix;       /* --source-prefix, or NULL */
    uint32_t part_k, part_n;         /* --part K/N (n 0: none) */
    uint64_t part_job;               /* its job (job/part_plan.h) */
    const char *license;             /* --license (the manifest's and the cards') */
};

/* Runs it; on success the dataset is committed and *summary (malloc'd,
 * may be left NULL) reads "train 800, val 100, test 100". On failure DIR
 * is left as it was, or holds the new dataset committed but not yet in its
 * folders (err says which). *notes (malloc'd, appended to; may be NULL)
 * gets lines for the user, success or not: warnings ("warning: ...") and
 * what was cleaned up after dead runs. */
ladle_status ladle_split_run(struct ladle_config *cfg, const struct ladle_split_request *q,
                             const struct ladle_pipeline_io *io, struct ladle_error *err,
                             ladle_report *report, int *output_closed, char **summary,
                             char **notes);

#endif

/*
 * job_internal.h -- what the files of the job API (job.c, job_set.c,
 * api_*.c) share that the public header does not give: the job itself.
 */
#ifndef LADLE_JOB_INTERNAL_H
#define LADLE_JOB_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "ladle/ladle.h"
#include "sample/plan.h"

struct ladle_record_sink;
struct ladle_field;
struct ladle_fractions;

/* The job: its settings as set (job_set.c), its inputs and what a run
 * leaves for the caller (job.c). */
struct ladle_job {
    struct ladle_config cfg;
    unsigned threads_asked; /* 0 = online CPUs */
    char **paths;           /* owns */
    char **names;           /* owns */
    uint32_t count, cap;
    char *field_spec;          /* owns: compiled at run time, once format and -d are known */
    struct ladle_field *field; /* owns */
    struct ladle_fractions *fractions; /* owns */
    char *link_spec;                   /* owns: snowball FROM:TO */
    char *seeds_path;                  /* owns: snowball seed keys */
    char *state_path;                  /* owns: --state FILE */
    int merging;                       /* ladle merge: the inputs are state files */
    uint32_t part_k, part_n;           /* --part K/N (n 0: the whole job) */
    struct ladle_field *field_to;      /* owns */
    struct ladle_plan plan;            /* what multi-pass designs carry between passes */
    struct ladle_run_state state;      /* cfg.state points here */
    /* Datasets: LADLE_S_OUTPUT_DIR .. LADLE_S_TZ, owned copies. */
    char *split_str[LADLE_S_TZ - LADLE_S_OUTPUT_DIR + 1];
    uint64_t shard_size, shard_records;
    int level, force, allow_empty;
    int append;  /* split --append */
    char **argv; /* owns: the command line for the manifest */
    int argc;
    char *summary; /* owns */
    char *notes;   /* owns: a dataset run's lines for the user */
    atomic_int cancel;
    int output_closed;
    struct ladle_error err;

    /* ladle stats: fields after field_spec (ladle_job_add_field) */
    char *more_specs[LADLE_STATS_MORE_FIELDS];         /* owns */
    struct ladle_field *more[LADLE_STATS_MORE_FIELDS]; /* owns, compiled at run time */
    unsigned nmore;
    char *source_name, *source_prefix; /* owns: source identity (job/probe.h) */
    char *license;                     /* owns: --license, or NULL ("unknown") */
    int source_stem;                   /* enum ladle_stem_mode */
};

/* The slot of a dataset setting (LADLE_S_OUTPUT_DIR .. LADLE_S_TZ): NULL until set. */
static inline char **ladle_job_split_slot(ladle_job *j, ladle_string_param p)
{
    return &j->split_str[p - LADLE_S_OUTPUT_DIR];
}

/* A usage error the job keeps, for ladle_job_error. */
static inline ladle_status ladle_job_usage(ladle_job *j, const char *what)
{
    return ladle_error_set(&j->err, LADLE_E_USAGE, "%s", what);
}

/* ladle_job_run, with the records going to sink (NULL: to out_fd). */
ladle_status ladle_job_run_to(ladle_job *j, int out_fd, struct ladle_record_sink *sink,
                              ladle_report *report);
/* The job's settings (design parameters, engine settings). */
struct ladle_config *ladle_job_config(ladle_job *j);
/* The job's error slot (ladle_job_error reads it). */
struct ladle_error *ladle_job_err(ladle_job *j);
/* 1 when LADLE_S_OUTPUT_DIR is set: the run writes a dataset. */
int ladle_job_writes_dataset(ladle_job *j);

#endif

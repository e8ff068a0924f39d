/*
 * dataset_merge.h -- `ladle merge -o DIR PARTDIR...`: dataset folders
 * written by `ladle split` over disjoint parts of the inputs (--part K/N,
 * or disjoint files in input order) joined into one dataset DIR whose
 * splits, read in manifest order, hold the records of one `ladle split`
 * over all the inputs, in its order (split/dataset_join.h says what is
 * checked).
 *
 * Every PARTDIR is verified as `ladle verify` does and held with a shared
 * lock (a `ladle split` on it waits its turn); none is changed. DIR is
 * committed as a split commits (split/dataset.h): shards hard-linked (or
 * copied, across file systems) into a temporary folder, the manifest,
 * one rename; a failure or a signal leaves DIR as it was and no temporary
 * folder.
 */
#ifndef LADLE_DATASET_MERGE_H
#define LADLE_DATASET_MERGE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct ladle_dataset_merge {
    const char *dir;          /* DIR */
    const char *const *parts; /* the PARTDIRs */
    size_t nparts;
    int force; /* replace DIR's dataset (as split --force) */
    int argc;  /* the command line, recorded in the manifest */
    const char *const *argv;
    volatile sig_atomic_t *cancel;            /* set by a signal: stop, leave DIR as it was */
    void (*say)(void *arg, const char *line); /* notes and warnings (may be NULL) */
    void *say_arg;
    /* out: what DIR holds */
    unsigned splits;
    uint64_t shards, records, linked, copied;
};

/* LADLE_OK; LADLE_E_USAGE (the folders cannot be joined), LADLE_E_INPUT
 * (a damaged folder), LADLE_E_OUTPUT (DIR), LADLE_E_INTERRUPTED (*cancel
 * set) or LADLE_E_INTERNAL, with err set. */
ladle_status ladle_dataset_merge_run(struct ladle_dataset_merge *q, struct ladle_error *err);

#endif

/*
 * plan.h -- what a first pass learns for the next one, in designs that
 * read their inputs more than once (stratified -n, --clusters M, snowball).
 * Owned by the job; a pass's finish() writes it (single-threaded, after the
 * merge) and the next pass's create() reads it.
 */
#ifndef LADLE_PLAN_H
#define LADLE_PLAN_H

#include <stdint.h>

#include "sample/vmap.h"

struct ladle_stratum_plan {
    uint64_t size;  /* records in the stratum (pass 1) */
    uint64_t alloc; /* records to draw from it */
};

struct ladle_plan {
    /* stratified -n: value -> struct ladle_stratum_plan */
    struct ladle_vmap strata;
    int strata_second_pass; /* pass 1 could not keep every candidate: draw again */
    /* --clusters M: keep clusters whose value key <= threshold (the M-th
     * smallest), each with inclusion probability cluster_p (cluster.c) */
    uint64_t cluster_threshold;
    double cluster_p;
    /* snowball: the nodes of the current wave, and every node seen so far */
    struct ladle_vmap frontier, visited;
    unsigned wave;
    /* -n --replace: the records pass 1 counted */
    uint64_t replace_total;
};

void ladle_plan_init(struct ladle_plan *p);
void ladle_plan_free(struct ladle_plan *p);

#endif

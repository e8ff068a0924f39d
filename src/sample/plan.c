/*
 * plan.c -- state between passes (see plan.h).
 */
#include "sample/plan.h"

#include <string.h>

void ladle_plan_init(struct ladle_plan *p)
{
    memset(p, 0, sizeof *p);
    ladle_vmap_init(&p->strata, sizeof(struct ladle_stratum_plan));
    ladle_vmap_init(&p->frontier, 1);
    ladle_vmap_init(&p->visited, 1);
    p->cluster_threshold = UINT64_MAX;
    p->cluster_p = 1.0;
}

void ladle_plan_free(struct ladle_plan *p)
{
    ladle_vmap_free(&p->strata);
    ladle_vmap_free(&p->frontier);
    ladle_vmap_free(&p->visited);
}

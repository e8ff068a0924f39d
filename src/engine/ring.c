/*
 * ring.c -- allocation of the ck_ring slots (see ring.h).
 */
#include "engine/ring.h"

#include <stdlib.h>

int ladle_ring_init(struct ladle_ring *r, unsigned size)
{
    r->slots = calloc(size, sizeof *r->slots);
    if (!r->slots)
        return -1;
    ck_ring_init(&r->ring, size);
    return 0;
}

void ladle_ring_destroy(struct ladle_ring *r)
{
    free(r->slots);
    r->slots = NULL;
}

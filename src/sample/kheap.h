/*
 * kheap.h -- the N smallest kept records by (key, identity): a max-heap
 * whose top is the record to evict. Shared by every design that keeps
 * "the N smallest keys" (bottom-k, weighted, per-stratum and per-cluster
 * samples). Merging two is inserting one's records into the other: the
 * bottom N of a union is the bottom N of the parts' bottom Ns.
 */
#ifndef LADLE_KHEAP_H
#define LADLE_KHEAP_H

#include <stddef.h>
#include <stdint.h>

#include "sample/kept.h"

struct ladle_kheap {
    struct ladle_kept *v; /* owns, and each v[i].data */
    size_t count, alloc;  /* entries used, entries allocated */
    size_t cap;           /* N: -n may far exceed the population, so the
                             heap grows on demand rather than up front */
};

void ladle_kheap_init(struct ladle_kheap *h, uint64_t n);
void ladle_kheap_free(struct ladle_kheap *h);

/* Would a record with this key enter? (cheap: one comparison when full) */
static inline int ladle_kheap_admits(const struct ladle_kheap *h, const struct ladle_kept *c)
{
    if (h->cap == 0)
        return 0;
    return h->count < h->cap || ladle_kept_key_less(c, &h->v[0]);
}

/* Inserts c, taking ownership of c->data (freed if c does not enter).
 * Returns 0, or -1 when out of memory. */
int ladle_kheap_insert(struct ladle_kheap *h, struct ladle_kept *c);
/* Moves every record of from into into; from is left empty. 0 or -1. */
int ladle_kheap_merge(struct ladle_kheap *into, struct ladle_kheap *from);
/* Keeps only the n smallest records (freeing the others); the heap is
 * then sorted by key, no longer a heap: only read or emit it afterwards. */
void ladle_kheap_truncate(struct ladle_kheap *h, size_t n);

/* The largest key kept (the heap top); count must be > 0. */
static inline const struct ladle_kept *ladle_kheap_top(const struct ladle_kheap *h)
{
    return &h->v[0];
}

#endif

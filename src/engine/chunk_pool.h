/*
 * chunk_pool.h -- a fixed set of chunk buffers (record/chunk.h) owned by
 * one decoder thread. Private to src/engine; codecs and the framer see it
 * only through ladle_chunk_pool_supply().
 */
#ifndef LADLE_CHUNK_POOL_H
#define LADLE_CHUNK_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "record/chunk.h"

struct ladle_chunk_pool {
    size_t headroom;                  /* set at init, then read-only */
    unsigned count;                   /* set at init, then read-only */
    struct ladle_chunk *chunks;       /* owns; set at init */
    struct ladle_chunk_supply supply; /* set at init, then read-only */
    pthread_mutex_t lock;             /* guards the three fields below */
    pthread_cond_t freed;             /* signalled on put and on stop */
    struct ladle_chunk **free_list;   /* owns: written under lock by any thread that puts,
                                         and by the owning decoder that gets */
    unsigned nfree;                   /* under lock: entries in free_list */
    unsigned free_head;               /* under lock: the oldest entry (a ring of count) */
    unsigned want;                    /* under lock: free chunks the owner waits for */
    bool stopped;                     /* under lock: set once by ladle_chunk_pool_stop */
};

/* Allocates `count` chunks of headroom + chunk_size + 1 bytes (the +1 leaves
 * room for a final '\n'). Returns 0, or -1 when out of memory. */
int ladle_chunk_pool_init(struct ladle_chunk_pool *p, unsigned count, size_t chunk_size,
                          size_t headroom);
void ladle_chunk_pool_destroy(struct ladle_chunk_pool *p);

/* The pool as codecs see it. */
static inline const struct ladle_chunk_supply *ladle_chunk_pool_supply(struct ladle_chunk_pool *p)
{
    return &p->supply;
}

/* Blocks for a free chunk; NULL once the pool is stopped. The chunk is
 * reset: data = mem + headroom, len = 0. */
struct ladle_chunk *ladle_chunk_get(struct ladle_chunk_pool *p);
/* The same, once `free` chunks are free (a decoder that queues cheap work
 * wakes once per batch, not once per chunk). */
struct ladle_chunk *ladle_chunk_get_when(struct ladle_chunk_pool *p, unsigned free);
/* Non-blocking variant: NULL when none is free right now or it is stopped. */
struct ladle_chunk *ladle_chunk_try_get(struct ladle_chunk_pool *p);
/* Makes every get return NULL from now on, waking one that blocks. */
void ladle_chunk_pool_stop(struct ladle_chunk_pool *p);

#endif

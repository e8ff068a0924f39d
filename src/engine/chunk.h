/*
 * chunk.h -- the unit of work that moves through the pipeline.
 *
 * A chunk holds whole records of one input, each ending in '\n' (the framer
 * guarantees it, adding one after a last line that lacks it). Chunks come
 * from a bounded pool owned by a decoder thread and move by ownership:
 * decoder -> work queue -> worker -> back to the pool. That fixed pool is
 * what keeps memory bounded whatever the input size.
 */
#ifndef LADLE_CHUNK_H
#define LADLE_CHUNK_H

#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/ring.h"

struct ladle_chunk_pool;
struct ladle_field_binding;

struct ladle_chunk {
    char *mem; /* owns: allocation of `cap` bytes */
    size_t cap;
    char *data;                    /* borrowed, inside mem: first record */
    size_t len;                    /* bytes of whole records at data */
    uint64_t offset;               /* decompressed byte offset of data[0] in its input */
    uint32_t input;                /* input ordinal (argument order) */
    uint64_t seq;                  /* order of this chunk within its input */
    bool last;                     /* the last chunk of its input (may be empty) */
    bool oversized;                /* one-off allocation for long records: freed, not pooled */
    struct ladle_chunk *backing;   /* owns (oversized only): the pool chunk it replaced,
                                      held so long records still count against the pool */
    struct ladle_chunk_pool *pool; /* where it returns */
    const struct ladle_field_binding *binding; /* borrowed: the design field's
                                                  column in this input */
};

struct ladle_chunk_pool {
    size_t chunk_size; /* data bytes per chunk, after the headroom */
    size_t headroom;
    unsigned count;
    struct ladle_chunk *chunks;  /* owns */
    struct ladle_ring free_ring; /* free chunks */
    sem_t available;             /* counts chunks in the ring */
};

/* Allocates `count` chunks of headroom + chunk_size + 1 bytes (the +1 leaves
 * room for a final '\n'). Returns 0, or -1 when out of memory. */
int ladle_chunk_pool_init(struct ladle_chunk_pool *p, unsigned count, size_t chunk_size,
                          size_t headroom);
void ladle_chunk_pool_destroy(struct ladle_chunk_pool *p);

/* Blocks for a free chunk; returns NULL once *stop is set (see _wake). The
 * chunk is reset: data = mem + headroom, len = 0. */
struct ladle_chunk *ladle_chunk_get(struct ladle_chunk_pool *p, const atomic_int *stop);
/* Non-blocking variant: NULL when none is free right now or *stop is set. */
struct ladle_chunk *ladle_chunk_try_get(struct ladle_chunk_pool *p, const atomic_int *stop);
/* Returns a chunk to its pool (or frees an oversized one). Any thread. */
void ladle_chunk_put(struct ladle_chunk *c);
/* Wakes a thread blocked in ladle_chunk_get so it can see the stop flag. */
void ladle_chunk_pool_wake(struct ladle_chunk_pool *p);

/* An oversized chunk for records longer than the headroom allows. */
struct ladle_chunk *ladle_chunk_new_oversized(size_t cap);
/* The same around an existing malloc'd buffer of cap bytes, which the chunk
 * owns from then on (ladle_chunk_put frees it). NULL when out of memory,
 * and mem stays the caller's. */
struct ladle_chunk *ladle_chunk_adopt_oversized(char *mem, size_t cap);

#endif

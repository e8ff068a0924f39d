/*
 * chunk.h -- the unit of work that moves through the pipeline.
 *
 * A chunk holds whole records of one input, each ending in '\n' (the framer
 * guarantees it, adding one after a last line that lacks it). Chunks come
 * from a bounded supply (the engine's pool, owned by a decoder thread) and
 * move by ownership: decoder -> worker -> back to where they came from.
 * That fixed supply is what keeps memory bounded whatever the input size.
 *
 * Plain data: who hands chunks out, and how it waits, is the supplier's
 * business (src/engine/chunk_pool.c); codecs and the framer see only
 * struct ladle_chunk_supply.
 */
#ifndef LADLE_CHUNK_H
#define LADLE_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ladle_chunk;
struct ladle_chunk_view;
struct ladle_field_binding;
struct ladle_range_plan;

/* Where chunks come from and go back to. */
struct ladle_chunk_supply {
    /* A free chunk, reset (data = mem + headroom, len = 0); blocks while
     * every chunk is in use; NULL once the run is stopping. */
    struct ladle_chunk *(*get)(void *arg);
    /* The same without blocking: NULL when none is free right now. */
    struct ladle_chunk *(*try_get)(void *arg);
    /* Takes a chunk back (any thread). */
    void (*put)(void *arg, struct ladle_chunk *c);
    /* Whether the run is ending: long decoding loops check between reads. */
    bool (*stopping)(void *arg);
    void *arg;
    size_t chunk_size; /* data bytes per chunk, after the headroom */
};

struct ladle_chunk {
    char *mem; /* owns: allocation of `cap` bytes */
    size_t cap;
    char *data;                  /* borrowed, inside mem: first record */
    size_t len;                  /* bytes of whole records at data */
    uint64_t offset;             /* decompressed byte offset of data[0] in its input */
    uint32_t input;              /* input ordinal (argument order) */
    uint64_t source;             /* its input's source id (record/source_id.h) */
    uint64_t seq;                /* order of this chunk within its input */
    bool last;                   /* the last chunk of its input (may be empty) */
    char csv_delim;              /* --format csv: records end outside quotes (records.h) */
    bool oversized;              /* one-off allocation for long records: freed, not pooled */
    struct ladle_chunk *backing; /* owns (oversized only): the pool chunk it replaced,
                                    held so long records still count against the pool */
    const struct ladle_chunk_supply *home;     /* where it returns */
    const struct ladle_field_binding *binding; /* borrowed: the design field's
                                                  column in this input */
    /* Not read yet (engine/segments.c): a worker first reads segment
     * `segment` of `plan` into it. NULL for a chunk the decoder filled. */
    struct ladle_range_plan *plan;
    size_t segment;
    /* Owns or NULL: data lies in a view of the file (engine/segments.c),
     * not in mem; let go of when the chunk is put back. */
    struct ladle_chunk_view *view;
};

/* Where a chunk's data lies when not in its memory. */
struct ladle_chunk_view {
    void (*release)(struct ladle_chunk_view *v);
};

/* Returns a chunk to its supply (or frees an oversized one). Any thread. */
void ladle_chunk_put(struct ladle_chunk *c);

/* An oversized chunk for records longer than the headroom allows. */
struct ladle_chunk *ladle_chunk_new_oversized(size_t cap);
/* The same around an existing malloc'd buffer of cap bytes, which the chunk
 * owns from then on (ladle_chunk_put frees it). NULL when out of memory,
 * and mem stays the caller's. */
struct ladle_chunk *ladle_chunk_adopt_oversized(char *mem, size_t cap);

#endif

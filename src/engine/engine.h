/*
 * engine.h -- one pass over every input, on threads, for any job.
 *
 *   decoder threads (one input at a time each, claimed in argument order)
 *     source -> codec -> framer -> work queue
 *   worker threads
 *     work queue -> ops->process -> done list
 *   the calling thread
 *     done list -> reorder by (input, chunk seq) -> ops->take
 *
 * The engine knows nothing of designs, splits or shards: the job layer
 * fills struct ladle_engine_ops (src/job/run_sample.c). One indirect call
 * per chunk on a worker and one per result on the calling thread; the
 * per-record loops stay in the job's callbacks.
 *
 * Memory stays bounded by construction:
 * - each decoder thread owns a fixed pool of chunks and stops when all are
 *   in flight (a chunk returns to its pool when a worker is done with it);
 * - results wait in the reorder stage until earlier chunks are taken;
 *   decoders pause while the bytes they hold (item->charge) exceed
 *   LADLE_ENGINE_PENDING_BUDGET. The decoder of the input being taken
 *   waits only on its own bytes, so later inputs never starve it.
 *
 * All concurrency of ladle lives in this folder.
 */
#ifndef LADLE_ENGINE_H
#define LADLE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "engine/pipeline.h"
#include "out/outbuf.h"
#include "record/chunk.h"

/* Results of later inputs waiting for earlier ones: these bytes are part
 * of the output itself; the cap keeps a --rate 1 pass over many big files
 * from holding whole inputs in memory. */
#define LADLE_ENGINE_PENDING_BUDGET ((long long)32 << 20)

/* What a worker hands to the calling thread for one chunk: the job's
 * result embeds it as its first member. */
struct ladle_engine_item {
    uint32_t input;                 /* set by the engine */
    uint64_t seq;                   /* set by the engine */
    bool last;                      /* set by the engine: the input's last chunk */
    long long charge;               /* set by process: bytes held while waiting */
    uint64_t records;               /* set by process: the chunk's records (progress) */
    uint64_t kept;                  /* set by take: records kept so far this pass (progress) */
    bool failed_read;               /* the engine's: a segment that could not be read
                                       (engine/segments.c), never seen by the job */
    struct ladle_engine_item *next; /* the engine's */
};

struct ladle_engine_ops {
    void *arg;
    /* A decoder thread, before input i's first chunk is queued: header is
     * its first record when cfg->engine.header is set (else NULL, 0).
     * Sets *binding, which every chunk of the input then carries. */
    ladle_status (*bind_input)(void *arg, uint32_t input, const char *header, size_t len,
                               const struct ladle_field_binding **binding);
    /* Worker thread `worker`: takes ck (puts it back or keeps it in the
     * result) and sets *out to a new result. Errors go to the run's error. */
    ladle_status (*process)(void *arg, unsigned worker, struct ladle_chunk *ck,
                            struct ladle_engine_item **out);
    /* The calling thread, in (input, seq) order. *finished ends the run
     * early without an error (the reader left, the head is complete). */
    ladle_status (*take)(void *arg, struct ladle_engine_item *item, bool *finished);
    /* Any thread: frees a result, taken or not. */
    void (*free_item)(void *arg, struct ladle_engine_item *item);
    /* A worker thread, once per ladle_engine_wake_helper (may be NULL). */
    void (*help)(void *arg, unsigned worker);
};

struct ladle_engine_stats {
    uint64_t bytes_in, bytes_compressed;
    int io_uring_used;
    unsigned threads;
    /* The ordered stage's waits that ran to their deadline although the
     * result it waited for and a later one were there: 0 but for a bug. */
    uint64_t missed_wakes;
};

struct ladle_engine;

/* NULL with err set when out of memory. cfg, io and ops must outlive it. */
struct ladle_engine *ladle_engine_new(const struct ladle_config *cfg,
                                      const struct ladle_pipeline_io *io,
                                      const struct ladle_engine_ops *ops, struct ladle_error *err);
/* Runs the threads to the end (or the first error, cancel or finish) on
 * the calling thread, which takes the results. Returns the error status. */
ladle_status ladle_engine_run(struct ladle_engine *e, struct ladle_engine_stats *stats);
/* Frees the engine and every result still waiting. */
void ladle_engine_free(struct ladle_engine *e);

/* Input i's first record, taken out by its decoder when cfg->engine.header
 * is set; valid on any thread that holds an item of input i. */
const struct ladle_outbuf *ladle_engine_header(const struct ladle_engine *e, uint32_t input);
/* Asks one worker to call ops->help between chunks (any thread; best
 * effort: busy workers call it when they next look at their queue). */
void ladle_engine_wake_helper(void *engine);

#endif

/*
 * run.h -- the state one pipeline run shares between its threads (internal
 * to src/pipeline; see pipeline.h for the shape of the pipeline).
 *
 *   decode.c  decoder threads: source -> codec -> framer -> work queue
 *   work.c    worker threads: work queue -> sampler partial -> done queue
 *   output.c  the calling thread: done queue -> reorder -> writer
 *   pipeline.c  setup, the stop protocol, teardown
 */
#ifndef LADLE_RUN_H
#define LADLE_RUN_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "field/field.h"
#include "out/outbuf.h"
#include "out/writer.h"
#include "engine/chunk.h"
#include "engine/pipeline.h"
#include "engine/ring.h"
#include "sample/kept.h"
#include "sample/sampler.h"
#include "split/route.h"

#define CHUNKS_PER_DECODER 8
/* Kept records of later inputs waiting for earlier ones: these bytes are
 * part of the sample itself; the cap keeps a --rate 1 pass over many big
 * files from holding whole inputs in memory. */
#define PENDING_BUDGET ((long long)32 << 20)
#define RESULT_OVERHEAD 64 /* malloc bookkeeping per result */
#define DONE_RING_SIZE 4096
#define LADLE_BINDINGS_PER_INPUT 4

/* What a worker hands to the output stage for one chunk. */

struct result {
    uint32_t input;
    uint64_t seq;
    bool last;
    struct ladle_outbuf out; /* owns */
    /* Ordered designs only: the chunk itself, kept until its turn to be
     * selected from, and where its records start. */
    struct ladle_chunk *chunk; /* owns */
    uint32_t *starts;          /* owns */
    size_t nstarts;
    /* Split runs: where each record of out goes (one per record). */
    struct ladle_route *routes; /* owns */
    size_t nroutes, routes_cap;
    uint64_t records_seen;    /* records of the chunk read, */
    uint64_t records_missing; /* of which left out for want of a field */
    uint64_t end_offset;      /* decompressed bytes of the input up to the chunk's end */
};

/* Per-input reorder slots, indexed by chunk seq. */
struct reorder {
    struct result **slot; /* owns the results */
    size_t cap;
};

struct run {
    const struct ladle_config *cfg;
    const struct ladle_pipeline_io *io;
    struct ladle_error *err;
    const struct ladle_sampler_ops *design;

    atomic_int stop;        /* set once: error, cancel, output closed, head reached */
    atomic_uint next_input; /* next input a decoder claims */
    atomic_uint decoders_alive;

    struct ladle_ring work_ring;
    sem_t work_sem;
    struct ladle_ring done_ring;
    sem_t done_sem;

    atomic_uint head_input;     /* the input being written */
    atomic_llong pending_total; /* bytes waiting in the reorder stage */
    atomic_llong *pending;      /* the same, per input */
    pthread_mutex_t bp_lock;
    pthread_cond_t bp_cond;

    unsigned ndecoders, nworkers;
    struct ladle_chunk_pool *pools; /* one per decoder */
    struct ladle_sampler *partials; /* one per worker, then the output stage's */

    atomic_ullong bytes_in, bytes_compressed;
    atomic_int uring_used;

    /* --header: each input's first record, taken out by its decoder before
     * any of its chunks is queued (so workers and the output stage may read
     * it once they hold a chunk of that input). */
    struct ladle_outbuf *headers; /* owns, one per input */
    /* Where the fields are in each input (bound from its header), four per
     * input: the design's key field, snowball's TO field, the split's --by
     * (or --time-field) and its label. */
    struct ladle_field_binding *bindings; /* owns, two per input */
};

/* The ordered output stage's own state (output.c; set up by pipeline.c). */
struct output {
    struct ladle_writer w;
    struct reorder *order; /* one per input */
    uint32_t cur;          /* input being written */
    uint64_t next_seq;
    uint64_t limit;        /* records still allowed (head), UINT64_MAX otherwise */
    int collect;           /* shuffle a streaming design: gather, sort by key at the end */
    uint64_t global_index; /* records before the current chunk, all inputs */
    bool header_written;
    uint32_t header_from;           /* the input whose header was written */
    struct ladle_sampler *selector; /* borrowed: ordered designs' own state */
    struct ladle_kept_set kept;
    struct run *run;                     /* borrowed: the run this stage belongs to */
    struct ladle_field_scratch *scratch; /* owns (split runs): fields read here */
};

/* The poison pill that ends a worker: an address, never read or written. */
extern struct ladle_chunk ladle_run_poison;
/* Tells a worker a shard frame waits to be compressed (same kind of address). */
extern struct ladle_chunk ladle_run_compress_token;
/* Wakes a worker to compress a frame (struct ladle_shards' wake; arg: the run). */
void ladle_run_wake_compressor(void *arg);

/* The stop protocol (pipeline.c). */
void ladle_run_request_stop(struct run *r);
bool ladle_run_stopping(struct run *r);
void ladle_run_enqueue_work(struct run *r, struct ladle_chunk *ck);
void ladle_run_timed_wait_ms(pthread_cond_t *c, pthread_mutex_t *m, long ms);

void *ladle_run_decoder_main(void *arg); /* arg: struct ladle_run_thread */
void *ladle_run_worker_main(void *arg);  /* arg: struct ladle_run_thread */
struct ladle_run_thread {
    struct run *r;
    unsigned index;
};

/* work.c */
void ladle_run_free_result(struct result *res);
long long ladle_run_result_charge(const struct result *res);

/* output.c */
void ladle_run_output_loop(struct run *r, struct output *o);
void ladle_run_drain_done(struct run *r, struct output *o);
void ladle_run_release_result(struct run *r, struct result *res);

/* split_out.c: a split run's part of the pipeline. Workers route a chunk
 * straight (no design) or the records a design kept in res->out (their
 * keys there; dropped ones counted in *dropped); the output stage takes
 * results in order, and the record hook takes records emitted at the end. */
ladle_status ladle_run_route_chunk(struct run *r, struct ladle_sampler *partial,
                                   const struct ladle_chunk *ck, struct result *res);
ladle_status ladle_run_route_kept(struct run *r, struct ladle_field_scratch *scratch,
                                  uint32_t input, struct result *res, uint64_t *dropped);
ladle_status ladle_run_split_result(struct run *r, struct output *o, struct result *res);
void ladle_run_split_count_input(struct run *r, const struct result *res);
ladle_status ladle_run_split_record_hook(void *arg, const char *rec, size_t len, uint64_t key,
                                         uint32_t input);

#endif

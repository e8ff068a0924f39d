/*
 * run.h -- the state one engine run shares between its threads (private
 * to src/engine; engine.h has the shape of a run).
 *
 *   decode.c   decoder threads: source -> codec -> framer -> work queue
 *   work.c     worker threads: work queue -> ops->process -> done list
 *   output.c   the calling thread: done list -> reorder -> ops->take
 *   pipeline.c setup, the stop protocol, teardown
 *
 * Each shared field says which thread writes it and who reads it.
 */
#ifndef LADLE_RUN_H
#define LADLE_RUN_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "engine/chunk_pool.h"
#include "engine/engine.h"
#include "out/outbuf.h"

#define CHUNKS_PER_DECODER 8

struct ladle_range_ops;
struct ladle_range_plan;
struct ladle_source;
struct ladle_codec_ops;

/* One thread's readers of segments (segments.c), one per kind met. */
#define LADLE_RANGE_KINDS 3
struct seg_readers {
    const struct ladle_range_ops *ops[LADLE_RANGE_KINDS];
    void *st[LADLE_RANGE_KINDS];
};

/* The work queue: chunks for the workers, and requests for ops->help. */
struct work_queue {
    pthread_mutex_t lock;
    pthread_cond_t ready;      /* signalled on push, help and close */
    pthread_cond_t room;       /* signalled on pop: a full queue has room */
    struct ladle_chunk **slot; /* owns the array; under lock: decoders push, workers pop */
    unsigned cap, head, count; /* under lock */
    unsigned help;             /* under lock: helper calls asked for, not yet made */
    bool closed;               /* under lock: the last decoder is done (workers exit
                                  once the queue is empty) */
};

/* Per-input reorder slots, indexed by chunk seq (the calling thread's). */
struct reorder {
    struct ladle_engine_item **slot; /* owns the items */
    size_t cap;
};

struct ladle_engine {
    const struct ladle_config *cfg;     /* read-only for the run */
    const struct ladle_pipeline_io *io; /* read-only for the run */
    const struct ladle_engine_ops *ops; /* read-only for the run */
    struct ladle_error *err;            /* locks itself: any thread sets it */

    /* Set once by whoever stops the run (error, cancel, finish); read by
     * every thread between chunks. */
    atomic_int stop;
    int stop_fd;                /* an eventfd, written once on stop: wakes pipe reads */
    atomic_uint next_input;     /* decoders claim inputs with fetch_add */
    atomic_uint decoders_alive; /* the last decoder to leave closes the work queue */

    struct work_queue work;

    /* The done list: workers append under done_lock, the calling thread
     * takes the whole list; done_cond wakes it (push, stop). */
    pthread_mutex_t done_lock;
    pthread_cond_t done_cond; /* CLOCK_MONOTONIC */
    struct ladle_engine_item *done_head, **done_tail;
    /* Under done_lock: the calling thread waits for this result, holding
     * `held` later ones. A worker wakes it for a batch (output.c): the
     * result it waits for and one more, or that one alone when it is due
     * now. Each wake-up costs two context switches per chunk otherwise. */
    bool done_waiting, want_here;
    bool woken;            /* a worker signalled during this wait */
    uint64_t missed_wakes; /* waits that ran out with the batch there, unsignalled */
    uint32_t want_input;
    uint64_t want_seq;
    size_t held;    /* a copy of holding, made before each wait */
    size_t holding; /* the calling thread's own: results in its reorder stage */

    /* Backpressure: workers add a result's charge when they hand it over,
     * the calling thread subtracts it when it frees it and advances
     * head_input. The counters are atomics so that the per-chunk path takes
     * no lock; a decoder that must wait counts itself in bp_waiters and
     * sleeps on bp_cond under bp_lock, and a release takes the lock and
     * broadcasts only when bp_waiters says someone sleeps (seq_cst: either
     * the decoder sees the new counters or the release sees the waiter). */
    pthread_mutex_t bp_lock;
    pthread_cond_t bp_cond;     /* CLOCK_MONOTONIC */
    atomic_uint bp_waiters;     /* decoders: inside wait_for_output */
    atomic_uint head_input;     /* calling thread: the input being taken */
    atomic_llong pending_total; /* workers add, calling thread subtracts */
    atomic_llong *pending;      /* the same, per input */

    unsigned ndecoders, nworkers;   /* set at setup */
    unsigned pool_chunks;           /* set at setup: chunks per decoder's pool */
    struct ladle_chunk_pool *pools; /* one per decoder: its owner takes, anyone puts */

    /* Inputs read in segments (segments.c): plans[i], set by input i's
     * decoder before its first segment is queued, read by workers that
     * hold one, freed after the joins; readers[w] is worker w's own. */
    struct ladle_range_plan *plans;
    atomic_int *plan_ready; /* plans[i] is whole (a decoder sets it, release):
                               before that, a stop must not touch it */
    struct seg_readers *readers;

    /* Each decoder adds its totals once per input; read after the joins. */
    atomic_ullong bytes_in, bytes_compressed;
    atomic_int uring_used;

    /* Progress (progress.c): counters each written by the one thread that
     * owns them, with relaxed stores (no read-modify-write), per chunk, and
     * only read by the ticker thread. */
    struct progress_slot *read_bytes; /* decoder k's slot k: bytes read from disk so far */
    atomic_ullong taken_records;      /* calling thread: records taken in order */
    atomic_ullong taken_kept;         /* calling thread: records kept so far */
    uint64_t taken_count;             /* calling thread's own running total */
    struct progress_ticker *ticker;   /* NULL: no progress callback */

    /* --header: each input's first record, written by its decoder before
     * any of its chunks is queued (so workers and the calling thread may
     * read it once they hold a chunk of that input). */
    struct ladle_outbuf *headers; /* owns, one per input */

    /* The calling thread's reorder stage. */
    struct reorder *order; /* owns, one per input */
    uint32_t cur;          /* input being taken */
    uint64_t next_seq;
};

/* One decoder's progress counter, on its own cache line. */
struct progress_slot {
    _Alignas(64) atomic_ullong v;
};

/* progress.c: the ticker thread (started only with cfg->engine.progress). */
int ladle_run_progress_start(struct ladle_engine *r);
void ladle_run_progress_stop(struct ladle_engine *r);

/* The stop protocol (pipeline.c). */
void ladle_run_request_stop(struct ladle_engine *r);
bool ladle_run_stopping(struct ladle_engine *r);
/* A deadline ms from now on CLOCK_MONOTONIC, and a condition that waits on it. */
void ladle_run_deadline(struct timespec *ts, long ms);
void ladle_run_cond_init(pthread_cond_t *c);

/* work.c: the work queue and the worker threads. */
int ladle_run_queue_init(struct work_queue *q, unsigned cap);
void ladle_run_queue_destroy(struct work_queue *q);
void ladle_run_enqueue_work(struct ladle_engine *r, struct ladle_chunk *ck);
void ladle_run_close_work(struct ladle_engine *r);
void *ladle_run_worker_main(void *arg);  /* arg: struct ladle_run_thread */
void *ladle_run_decoder_main(void *arg); /* decode.c; arg: struct ladle_run_thread */
struct ladle_run_thread {
    struct ladle_engine *r;
    unsigned index;
};

/* decode.c: a decoder waits while the output holds too much. */
void ladle_run_wait_for_output(struct ladle_engine *r, uint32_t input);

/* segments.c: input i read by every worker, when it can be (false: the
 * decoder reads it). *status: how the planning ended. */
bool ladle_run_decode_segments(struct ladle_engine *r, unsigned k, uint32_t i,
                               struct ladle_source *src, const struct ladle_codec_ops *codec,
                               uint64_t source, ladle_status *status);
ladle_status ladle_run_fill_segment(struct ladle_engine *r, unsigned worker,
                                    struct ladle_chunk **ckp, struct ladle_engine_item **failed);
void ladle_run_report_failed_read(struct ladle_engine *r, struct ladle_engine_item *it);
void ladle_run_readers_free(struct seg_readers *rd);
/* A failed read's result, to go in order (NULL when out of memory). */
struct ladle_engine_item *ladle_run_failure(const struct ladle_error *err);

/* segment_map.c: the chunk's segment (ck->plan, a mapped plain file) as a
 * view of the file; false: read it instead. */
bool ladle_run_map_segment(struct ladle_engine *r, struct ladle_chunk *ck);
/* After a worker's design walked a chunk of plan p: when a view of the
 * file found it shrunk, *it (freed with free_item) becomes that error. */
void ladle_run_check_shrink(struct ladle_range_plan *p, struct ladle_engine_item **it,
                            void (*free_item)(void *arg, struct ladle_engine_item *it), void *arg);
/* At the run's end: a file that shrank under a view read later. */
void ladle_run_report_shrink(struct ladle_engine *r);

/* output.c */
void ladle_run_free_item(struct ladle_engine *r, struct ladle_engine_item *it);
void ladle_run_hand_over(struct ladle_engine *r, struct ladle_engine_item *it);
void ladle_run_output_loop(struct ladle_engine *r);
void ladle_run_drain_done(struct ladle_engine *r);
void ladle_run_release(struct ladle_engine *r, struct ladle_engine_item *it);

/* Blocks SIGINT, SIGTERM and SIGPIPE in the calling thread, the old mask in
 * *saved: the engine's threads are created under it (they inherit it), so
 * a signal reaches the calling thread, whose blocked write() then returns
 * EINTR; every other thread watches the stop flag. Restore with
 * pthread_sigmask(SIG_SETMASK, saved, NULL). */
static inline void ladle_engine_quiet_signals(sigset_t *saved)
{
    sigset_t quiet;
    sigemptyset(&quiet);
    sigaddset(&quiet, SIGINT);
    sigaddset(&quiet, SIGTERM);
    sigaddset(&quiet, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &quiet, saved);
}

#endif

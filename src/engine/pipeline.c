/*
 * pipeline.c -- one engine run: setup, the stop protocol, teardown. The
 * threads themselves live in decode.c, work.c and output.c (see run.h).
 *
 * Determinism: no decision depends on which thread handles a chunk. Keys
 * are functions of (seed, input, offset); results are taken in input
 * order; whatever the job gathers per worker must merge into the same
 * state whatever the partition.
 */
#include "engine/run.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <time.h>

#include "codec/range.h"
#include "record/framer.h"

static void wake_all(struct ladle_engine *r)
{
    if (r->stop_fd >= 0)
        (void)!write(r->stop_fd, &(uint64_t){1}, sizeof(uint64_t));
    for (unsigned i = 0; i < r->ndecoders; i++)
        ladle_chunk_pool_stop(&r->pools[i]);
    for (uint32_t i = 0; i < r->io->count; i++)
        if (atomic_load_explicit(&r->plan_ready[i], memory_order_acquire))
            ladle_range_plan_wake(&r->plans[i]);
    pthread_mutex_lock(&r->bp_lock);
    pthread_cond_broadcast(&r->bp_cond);
    pthread_mutex_unlock(&r->bp_lock);
    pthread_mutex_lock(&r->done_lock);
    pthread_cond_broadcast(&r->done_cond);
    pthread_mutex_unlock(&r->done_lock);
}

void ladle_run_request_stop(struct ladle_engine *r)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&r->stop, &expected, 1))
        wake_all(r);
}

bool ladle_run_stopping(struct ladle_engine *r)
{
    return atomic_load_explicit(&r->stop, memory_order_acquire) != 0;
}

void ladle_run_deadline(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_nsec += ms * 1000000L;
    ts->tv_sec += ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

void ladle_run_cond_init(pthread_cond_t *c)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(c, &a);
    pthread_condattr_destroy(&a);
}

const struct ladle_outbuf *ladle_engine_header(const struct ladle_engine *e, uint32_t input)
{
    return &e->headers[input];
}

/* ---- setup and teardown ---- */

struct ladle_engine *ladle_engine_new(const struct ladle_config *cfg,
                                      const struct ladle_pipeline_io *io,
                                      const struct ladle_engine_ops *ops, struct ladle_error *err)
{
    struct ladle_engine *r = calloc(1, sizeof *r);
    if (!r) {
        ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: out of memory");
        return NULL;
    }
    r->cfg = cfg;
    r->io = io;
    r->ops = ops;
    r->err = err;
    r->nworkers = cfg->engine.threads;
    r->ndecoders = cfg->engine.threads < io->count ? cfg->engine.threads : io->count;
    if (r->ndecoders == 0)
        r->ndecoders = 1;
    atomic_init(&r->stop, 0);
    r->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); /* -1: pipe reads wait unwoken */
    atomic_init(&r->next_input, 0);
    atomic_init(&r->decoders_alive, r->ndecoders);
    atomic_init(&r->bytes_in, 0);
    atomic_init(&r->bytes_compressed, 0);
    atomic_init(&r->uring_used, 0);
    atomic_init(&r->bp_waiters, 0);
    atomic_init(&r->head_input, 0);
    atomic_init(&r->pending_total, 0);
    pthread_mutex_init(&r->bp_lock, NULL);
    ladle_run_cond_init(&r->bp_cond);
    pthread_mutex_init(&r->done_lock, NULL);
    ladle_run_cond_init(&r->done_cond);
    r->done_tail = &r->done_head;
    size_t n = io->count ? io->count : 1;
    r->pending = calloc(n, sizeof *r->pending);
    r->headers = calloc(n, sizeof *r->headers);
    r->order = calloc(n, sizeof *r->order);
    r->pools = calloc(r->ndecoders, sizeof *r->pools);
    r->plans = calloc(n, sizeof *r->plans);
    r->plan_ready = calloc(n, sizeof *r->plan_ready);
    for (size_t i = 0; r->plan_ready && i < n; i++)
        atomic_init(&r->plan_ready[i], 0);
    r->readers = calloc(r->nworkers ? r->nworkers : 1, sizeof *r->readers);
    /* Segments (segments.c) put one input in flight on every worker: a
     * lone decoder's pool holds a chunk per worker and some to spare. */
    r->pool_chunks = CHUNKS_PER_DECODER;
    if (r->nworkers + 4 > r->pool_chunks * r->ndecoders)
        r->pool_chunks = (r->nworkers + 4 + r->ndecoders - 1) / r->ndecoders;
    r->read_bytes =
        aligned_alloc(_Alignof(struct progress_slot), r->ndecoders * sizeof *r->read_bytes);
    atomic_init(&r->taken_records, 0);
    atomic_init(&r->taken_kept, 0);
    for (unsigned k = 0; r->read_bytes && k < r->ndecoders; k++)
        atomic_init(&r->read_bytes[k].v, 0);
    /* Room for every chunk that can be in flight: pushes never wait. */
    if (!r->pending || !r->headers || !r->order || !r->pools || !r->read_bytes || !r->plans ||
        !r->plan_ready || !r->readers ||
        ladle_run_queue_init(&r->work, r->ndecoders * r->pool_chunks + 1) != 0) {
        ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: out of memory");
        ladle_engine_free(r);
        return NULL;
    }
    size_t chunk = ladle_framer_chunk_limit(cfg->engine.chunk_size, cfg->engine.max_record);
    for (unsigned i = 0; i < r->ndecoders; i++)
        if (ladle_chunk_pool_init(&r->pools[i], r->pool_chunks, chunk, LADLE_CHUNK_HEADROOM) != 0) {
            ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: out of memory");
            ladle_engine_free(r);
            return NULL;
        }
    return r;
}

void ladle_engine_free(struct ladle_engine *r)
{
    if (!r)
        return;
    if (r->order)
        for (uint32_t i = 0; i < r->io->count; i++) {
            for (size_t s = 0; s < r->order[i].cap; s++)
                if (r->order[i].slot[s])
                    ladle_run_free_item(r, r->order[i].slot[s]);
            free(r->order[i].slot);
        }
    if (r->pools)
        for (unsigned k = 0; k < r->ndecoders; k++)
            ladle_chunk_pool_destroy(&r->pools[k]);
    ladle_run_queue_destroy(&r->work);
    if (r->plans)
        for (uint32_t i = 0; i < r->io->count; i++)
            ladle_range_plan_free(&r->plans[i]);
    if (r->readers)
        for (unsigned k = 0; k < r->nworkers; k++)
            ladle_run_readers_free(&r->readers[k]);
    free(r->plans);
    free(r->plan_ready);
    free(r->readers);
    pthread_cond_destroy(&r->bp_cond);
    pthread_mutex_destroy(&r->bp_lock);
    pthread_cond_destroy(&r->done_cond);
    pthread_mutex_destroy(&r->done_lock);
    if (r->headers)
        for (uint32_t i = 0; i < r->io->count; i++)
            ladle_outbuf_free(&r->headers[i]);
    free(r->headers);
    free(r->order);
    free(r->pending);
    free(r->pools);
    free(r->read_bytes);
    if (r->stop_fd >= 0)
        close(r->stop_fd);
    free(r);
}

/* Starts the workers, then the decoders; returns how many of each started. */
static void start_threads(struct ladle_engine *r, pthread_t *threads, struct ladle_run_thread *args,
                          unsigned *nwork, unsigned *ndec)
{
    sigset_t saved;
    ladle_engine_quiet_signals(&saved);
    for (*nwork = 0; *nwork < r->nworkers; ++*nwork) {
        unsigned k = r->ndecoders + *nwork;
        args[k] = (struct ladle_run_thread){r, *nwork};
        if (pthread_create(&threads[k], NULL, ladle_run_worker_main, &args[k]) != 0)
            break;
    }
    *ndec = 0;
    if (*nwork == r->nworkers)
        for (; *ndec < r->ndecoders; ++*ndec) {
            args[*ndec] = (struct ladle_run_thread){r, *ndec};
            if (pthread_create(&threads[*ndec], NULL, ladle_run_decoder_main, &args[*ndec]) != 0)
                break;
        }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

ladle_status ladle_engine_run(struct ladle_engine *r, struct ladle_engine_stats *stats)
{
    unsigned nthreads = r->ndecoders + r->nworkers;
    pthread_t *threads = calloc(nthreads, sizeof *threads);
    struct ladle_run_thread *args = calloc(nthreads, sizeof *args);
    if (!threads || !args) {
        free(threads);
        free(args);
        return ladle_error_set(r->err, LADLE_E_INTERNAL, "pipeline: out of memory");
    }
    unsigned nwork, ndec;
    start_threads(r, threads, args, &nwork, &ndec);
    if (nwork < r->nworkers || ndec < r->ndecoders) {
        ladle_error_set(r->err, LADLE_E_INTERNAL, "pipeline: cannot start threads");
        ladle_run_request_stop(r);
        /* Decoders that never started must still count down and release workers. */
        for (unsigned k = ndec; k < r->ndecoders; k++)
            if (atomic_fetch_sub(&r->decoders_alive, 1) == 1)
                ladle_run_close_work(r);
    } else {
        ladle_run_progress_start(r); /* may fail: the run goes on without a progress line */
        ladle_run_output_loop(r);
        ladle_run_progress_stop(r);
    }
    for (unsigned k = 0; k < ndec; k++)
        pthread_join(threads[k], NULL);
    for (unsigned k = 0; k < nwork; k++)
        pthread_join(threads[r->ndecoders + k], NULL);
    ladle_run_drain_done(r);
    ladle_run_report_shrink(r);
    free(threads);
    free(args);
    if (stats) {
        stats->bytes_in = atomic_load(&r->bytes_in);
        stats->bytes_compressed = atomic_load(&r->bytes_compressed);
        stats->io_uring_used = atomic_load(&r->uring_used);
        stats->threads = r->nworkers;
        stats->missed_wakes = r->missed_wakes;
    }
    return ladle_error_status(r->err);
}

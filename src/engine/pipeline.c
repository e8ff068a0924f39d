/*
 * pipeline.c -- one run: setup, the stop protocol, teardown. The threads
 * themselves live in decode.c, work.c and output.c (see run.h).
 *
 * Memory stays bounded by construction:
 * - each decoder thread owns a fixed pool of chunks and stops when all are
 *   in flight (a chunk returns to its pool when a worker is done with it);
 * - records kept by streaming designs wait in the reorder stage until
 *   earlier chunks are written; decoders pause while those bytes exceed
 *   PENDING_BUDGET. The decoder of the input being written waits only on
 *   its own bytes, so later inputs can never starve it (no deadlock).
 *
 * Determinism: no decision depends on which thread handles a chunk. Keys
 * are functions of (seed, input, offset); streaming output is reordered
 * into input order; retained samples merge into the same set whatever the
 * partition.
 */
#include "engine/run.h"

#include "shard/shards.h"
#include "split/assign.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/framer.h"

/* The poison pill that ends a worker. */
struct ladle_chunk ladle_run_poison;
struct ladle_chunk ladle_run_compress_token;

void ladle_run_wake_compressor(void *arg)
{
    struct run *r = arg;
    /* Best effort: when the queue is full the workers are busy anyway, and
     * the output thread compresses what nobody took. */
    if (ladle_ring_push(&r->work_ring, &ladle_run_compress_token))
        sem_post(&r->work_sem);
}

static void wake_all(struct run *r)
{
    for (unsigned i = 0; i < r->ndecoders; i++)
        ladle_chunk_pool_wake(&r->pools[i]);
    pthread_mutex_lock(&r->bp_lock);
    pthread_cond_broadcast(&r->bp_cond);
    pthread_mutex_unlock(&r->bp_lock);
    sem_post(&r->done_sem);
}

void ladle_run_request_stop(struct run *r)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&r->stop, &expected, 1))
        wake_all(r);
}

bool ladle_run_stopping(struct run *r)
{
    return atomic_load_explicit(&r->stop, memory_order_acquire) != 0;
}

void ladle_run_timed_wait_ms(pthread_cond_t *c, pthread_mutex_t *m, long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(c, m, &ts);
}

void ladle_run_enqueue_work(struct run *r, struct ladle_chunk *ck)
{
    /* Sized for every chunk that can exist plus the pills: never full. */
    while (!ladle_ring_push(&r->work_ring, ck))
        sched_yield();
    sem_post(&r->work_sem);
}

/* Moves the first record of input i out of its first chunk. */

/* ---- setup and teardown ---- */

static unsigned ring_size_for(unsigned n)
{
    unsigned s = 4;
    while (s < n + 1)
        s <<= 1;
    return s;
}

ladle_status ladle_pipeline_run(const struct ladle_config *cfg,
                                const struct ladle_sampler_ops *design,
                                const struct ladle_pipeline_io *io, struct ladle_error *err,
                                ladle_report *report, int *output_closed)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.io = io;
    r.err = err;
    r.design = design;
    r.nworkers = cfg->engine.threads;
    r.ndecoders = cfg->engine.threads < io->count ? cfg->engine.threads : io->count;
    if (r.ndecoders == 0)
        r.ndecoders = 1;
    atomic_init(&r.stop, 0);
    atomic_init(&r.next_input, 0);
    atomic_init(&r.decoders_alive, r.ndecoders);
    atomic_init(&r.head_input, 0);
    atomic_init(&r.pending_total, 0);
    atomic_init(&r.bytes_in, 0);
    atomic_init(&r.bytes_compressed, 0);
    atomic_init(&r.uring_used, 0);

    ladle_status status = LADLE_OK;
    struct output o;
    memset(&o, 0, sizeof o);
    /* Room for every chunk, the pills, and compression tokens besides. */
    unsigned work_size = ring_size_for(r.ndecoders * CHUNKS_PER_DECODER + 3 * r.nworkers + 8);
    r.pending = calloc(io->count ? io->count : 1, sizeof *r.pending);
    r.headers = calloc(io->count ? io->count : 1, sizeof *r.headers);
    r.bindings =
        calloc(LADLE_BINDINGS_PER_INPUT * (size_t)(io->count ? io->count : 1), sizeof *r.bindings);
    r.pools = calloc(r.ndecoders, sizeof *r.pools);
    r.partials = calloc(r.nworkers + 1, sizeof *r.partials);
    o.order = calloc(io->count ? io->count : 1, sizeof *o.order);
    pthread_t *threads = calloc(r.ndecoders + r.nworkers, sizeof *threads);
    struct ladle_run_thread *dargs = calloc(r.ndecoders, sizeof *dargs);
    struct ladle_run_thread *wargs = calloc(r.nworkers, sizeof *wargs);
    unsigned pools_ready = 0, partials_ready = 0, started_dec = 0, started_work = 0;
    if (!r.headers || !r.bindings || ladle_ring_init(&r.work_ring, work_size) != 0 ||
        ladle_ring_init(&r.done_ring, DONE_RING_SIZE) != 0 || !r.pending || !r.pools ||
        !r.partials || !o.order || !threads || !dargs || !wargs) {
        status = ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: out of memory");
        goto out;
    }
    sem_init(&r.work_sem, 0, 0);
    sem_init(&r.done_sem, 0, 0);
    pthread_mutex_init(&r.bp_lock, NULL);
    pthread_cond_init(&r.bp_cond, NULL);
    for (uint32_t i = 0; i < io->count; i++)
        atomic_init(&r.pending[i], 0);
    for (; pools_ready < r.ndecoders; pools_ready++)
        if (ladle_chunk_pool_init(
                &r.pools[pools_ready], CHUNKS_PER_DECODER,
                ladle_framer_chunk_limit(cfg->engine.chunk_size, cfg->engine.max_record),
                LADLE_CHUNK_HEADROOM) != 0) {
            status = ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: out of memory");
            goto out_sync;
        }
    for (; partials_ready < r.nworkers + 1; partials_ready++)
        if ((status = ladle_sampler_init(&r.partials[partials_ready], r.design, cfg, err)) !=
            LADLE_OK)
            goto out_sync;
    if ((status = ladle_writer_init(&o.w, io->out_fd, err)) != LADLE_OK)
        goto out_sync;
    o.w.cancel = io->cancel;
    o.w.sink = io->out_fd >= 0 ? io->sink : NULL;
    o.limit = cfg->params.output_limit;
    o.collect = r.design->streaming && cfg->params.shuffle;
    o.selector = &r.partials[r.nworkers];
    o.run = &r;
    struct ladle_shards *shards = NULL;
    if (cfg->params.split && io->out_fd >= 0) { /* passes that only gather write nothing */
        struct ladle_split_state *ss = cfg->state->split_state;
        for (uint32_t i = 0; i < ss->ninputs; i++) {
            ss->inputs[i].records = ss->inputs[i].missing = 0; /* each pass counts again */
            ss->inputs[i].decompressed = 0;
        }
        if (!(o.scratch = ladle_field_scratch_new())) {
            status = ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: out of memory");
            goto out_writer;
        }
        o.w.record_hook = ladle_run_split_record_hook;
        o.w.hook_arg = &o;
        if ((shards = ss->shards))
            ladle_shards_set_wake(shards, ladle_run_wake_compressor, &r);
    }

    /* The threads ignore SIGINT, SIGTERM and SIGPIPE (they inherit this
     * mask), so a signal reaches the calling thread: if it is blocked
     * writing to a stalled reader, its write() returns EINTR and the run
     * stops. Everyone else polls the stop flag. */
    sigset_t quiet, saved;
    sigemptyset(&quiet);
    sigaddset(&quiet, SIGINT);
    sigaddset(&quiet, SIGTERM);
    sigaddset(&quiet, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &quiet, &saved);
    for (; started_work < r.nworkers; started_work++) {
        wargs[started_work] = (struct ladle_run_thread){&r, started_work};
        if (pthread_create(&threads[r.ndecoders + started_work], NULL, ladle_run_worker_main,
                           &wargs[started_work]) != 0)
            break;
    }
    if (started_work == r.nworkers)
        for (; started_dec < r.ndecoders; started_dec++) {
            dargs[started_dec] = (struct ladle_run_thread){&r, started_dec};
            if (pthread_create(&threads[started_dec], NULL, ladle_run_decoder_main,
                               &dargs[started_dec]) != 0)
                break;
        }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (started_work < r.nworkers || started_dec < r.ndecoders) {
        ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: cannot start threads");
        ladle_run_request_stop(&r);
        /* Decoders that never started must still count down and release workers. */
        for (unsigned k = started_dec; k < r.ndecoders; k++)
            if (atomic_fetch_sub(&r.decoders_alive, 1) == 1)
                for (unsigned w = 0; w < started_work; w++)
                    ladle_run_enqueue_work(&r, &ladle_run_poison);
    } else {
        ladle_run_output_loop(&r, &o);
    }

    for (unsigned k = 0; k < started_dec; k++)
        pthread_join(threads[k], NULL);
    for (unsigned k = 0; k < started_work; k++)
        pthread_join(threads[r.ndecoders + k], NULL);
    ladle_run_drain_done(&r, &o);

    status = ladle_error_status(err);
    if (status == LADLE_OK && !o.w.closed) {
        if (o.collect)
            status = ladle_kept_emit(o.kept.v, o.kept.count, 1, &o.w);
        /* Partial states merge whatever the design: streaming ones may
         * still gather something (the next snowball frontier). */
        for (unsigned k = 1; k < r.nworkers && status == LADLE_OK && r.design->merge; k++)
            status = r.design->merge(&r.partials[0], &r.partials[k], err);
        if (status == LADLE_OK && r.design->finish)
            status = r.design->finish(&r.partials[0], &o.w, err);
    }
    if (status == LADLE_OK)
        status = ladle_writer_flush(&o.w);

    if (report) {
        memset(report, 0, sizeof *report);
        for (unsigned k = 0; k < partials_ready; k++)
            report->records_in += r.partials[k].records_seen;
        for (unsigned k = 0; k < partials_ready; k++)
            report->records_missing += r.partials[k].records_missing;
        report->records_out = o.w.records;
        report->bytes_in = atomic_load(&r.bytes_in);
        report->bytes_compressed = atomic_load(&r.bytes_compressed);
        report->threads = r.nworkers;
        report->io_uring_used = atomic_load(&r.uring_used);
    }
    if (output_closed)
        *output_closed = o.w.closed;
out_writer:
    if (shards)
        ladle_shards_set_wake(shards, NULL, NULL);
    ladle_field_scratch_free(o.scratch);
    ladle_writer_destroy(&o.w);

out_sync:
    for (uint32_t i = 0; i < io->count; i++) {
        for (size_t s = 0; s < o.order[i].cap; s++)
            if (o.order[i].slot[s])
                ladle_run_release_result(&r, o.order[i].slot[s]);
        free(o.order[i].slot);
    }
    ladle_kept_set_free(&o.kept);
    for (unsigned k = 0; k < partials_ready; k++)
        ladle_sampler_destroy(&r.partials[k]);
    for (unsigned k = 0; k < pools_ready; k++)
        ladle_chunk_pool_destroy(&r.pools[k]);
    pthread_cond_destroy(&r.bp_cond);
    pthread_mutex_destroy(&r.bp_lock);
    sem_destroy(&r.work_sem);
    sem_destroy(&r.done_sem);
out:
    free(o.order);
    free(threads);
    free(dargs);
    free(wargs);
    ladle_ring_destroy(&r.work_ring);
    ladle_ring_destroy(&r.done_ring);
    free(r.pending);
    if (r.headers)
        for (uint32_t i = 0; i < io->count; i++)
            ladle_outbuf_free(&r.headers[i]);
    free(r.headers);
    free(r.bindings);
    free(r.pools);
    free(r.partials);
    return status;
}

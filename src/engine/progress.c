/*
 * progress.c -- the ticker thread of a run with a progress callback
 * (cfg->engine.progress): it wakes every 250 ms on a condition
 * (CLOCK_MONOTONIC deadline), reads the stages' counters and hands a
 * snapshot to the callback. The stages never wait on it: each counter has
 * one writer, which stores (relaxed) once per chunk; the ticker only loads.
 * Stopping wakes it at once, and the run joins it before it returns, then
 * hands the callback a last snapshot.
 */
#include "engine/run.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define TICK_MS 250

struct progress_ticker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* CLOCK_MONOTONIC; signalled on stop */
    bool stop;           /* under lock: the run's end */
    uint64_t total;      /* set before the thread starts: the inputs' sizes, 0: unknown */
    struct timespec t0;  /* set before the thread starts */
};

/* The inputs' sizes on disk, or 0 when one of them has none (stdin, a pipe). */
static uint64_t inputs_size(const struct ladle_pipeline_io *io)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < io->count; i++) {
        struct stat sb;
        if (strcmp(io->paths[i], "-") == 0 || stat(io->paths[i], &sb) != 0 || !S_ISREG(sb.st_mode))
            return 0;
        total += (uint64_t)sb.st_size;
    }
    return total;
}

static double since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void snapshot(struct ladle_engine *r, struct ladle_progress *p)
{
    memset(p, 0, sizeof *p);
    p->phase = LADLE_PROGRESS_READ;
    p->pass = r->cfg->engine.pass;
    p->passes = r->cfg->engine.passes;
    for (unsigned k = 0; k < r->ndecoders; k++)
        p->bytes_read += atomic_load_explicit(&r->read_bytes[k].v, memory_order_relaxed);
    p->bytes_total = r->ticker->total;
    p->records = atomic_load_explicit(&r->taken_records, memory_order_relaxed);
    p->kept = atomic_load_explicit(&r->taken_kept, memory_order_relaxed);
    p->seconds = since(&r->ticker->t0);
}

static void *ticker_main(void *arg)
{
    struct ladle_engine *r = arg;
    struct progress_ticker *t = r->ticker;
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        struct timespec deadline;
        ladle_run_deadline(&deadline, TICK_MS);
        int rc = 0;
        while (!t->stop && rc == 0)
            rc = pthread_cond_timedwait(&t->wake, &t->lock, &deadline);
        if (t->stop)
            break;
        pthread_mutex_unlock(&t->lock);
        struct ladle_progress p;
        snapshot(r, &p);
        r->cfg->engine.progress(r->cfg->engine.progress_arg, &p);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int ladle_run_progress_start(struct ladle_engine *r)
{
    if (!r->cfg->engine.progress)
        return 0;
    struct progress_ticker *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    pthread_mutex_init(&t->lock, NULL);
    ladle_run_cond_init(&t->wake);
    t->total = inputs_size(r->io);
    clock_gettime(CLOCK_MONOTONIC, &t->t0);
    r->ticker = t;
    /* Like the other threads, it leaves SIGINT and SIGTERM to the caller. */
    sigset_t saved;
    ladle_engine_quiet_signals(&saved);
    int rc = pthread_create(&t->thread, NULL, ticker_main, r);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (rc != 0) {
        /* No progress line is no reason to fail the run. */
        r->ticker = NULL;
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        free(t);
        return -1;
    }
    return 0;
}

void ladle_run_progress_stop(struct ladle_engine *r)
{
    struct progress_ticker *t = r->ticker;
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_mutex_unlock(&t->lock);
    pthread_cond_signal(&t->wake);
    pthread_join(t->thread, NULL);
    /* One last snapshot, on the calling thread now that the ticker is gone:
     * a short pass shows its totals too, and an interrupt's line is exact. */
    struct ladle_progress p;
    snapshot(r, &p);
    r->cfg->engine.progress(r->cfg->engine.progress_arg, &p);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t);
    r->ticker = NULL;
}

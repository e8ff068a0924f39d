/*
 * work.c -- the work queue and the worker threads: each takes framed
 * chunks from the queue, hands them to ops->process and the result to the
 * calling thread; between chunks it makes the helper calls asked for.
 */
#include "engine/run.h"

#include <stdlib.h>

int ladle_run_queue_init(struct work_queue *q, unsigned cap)
{
    q->slot = calloc(cap, sizeof *q->slot);
    if (!q->slot)
        return -1;
    q->cap = cap;
    q->head = q->count = q->help = 0;
    q->closed = false;
    pthread_mutex_init(&q->lock, NULL);
    ladle_run_cond_init(&q->ready);
    ladle_run_cond_init(&q->room);
    return 0;
}

void ladle_run_queue_destroy(struct work_queue *q)
{
    if (!q->slot)
        return;
    free(q->slot);
    q->slot = NULL;
    pthread_cond_destroy(&q->ready);
    pthread_cond_destroy(&q->room);
    pthread_mutex_destroy(&q->lock);
}

void ladle_run_enqueue_work(struct ladle_engine *r, struct ladle_chunk *ck)
{
    struct work_queue *q = &r->work;
    pthread_mutex_lock(&q->lock);
    /* Sized for every chunk in flight, so this never waits in practice. */
    while (q->count == q->cap)
        pthread_cond_wait(&q->room, &q->lock);
    q->slot[(q->head + q->count++) % q->cap] = ck;
    pthread_mutex_unlock(&q->lock);
    /* After the unlock: the woken worker does not then block on the lock. */
    pthread_cond_signal(&q->ready);
}

void ladle_run_close_work(struct ladle_engine *r)
{
    struct work_queue *q = &r->work;
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->ready);
    pthread_mutex_unlock(&q->lock);
}

void ladle_engine_wake_helper(void *engine)
{
    struct ladle_engine *r = engine;
    struct work_queue *q = &r->work;
    pthread_mutex_lock(&q->lock);
    q->help++;
    pthread_mutex_unlock(&q->lock);
    pthread_cond_signal(&q->ready);
}

/* The next chunk for a worker, after the helper calls due; NULL: exit. */
static struct ladle_chunk *next_chunk(struct ladle_engine *r, unsigned worker)
{
    struct work_queue *q = &r->work;
    struct ladle_chunk *ck = NULL;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        if (q->help > 0) {
            q->help--;
            pthread_mutex_unlock(&q->lock);
            r->ops->help(r->ops->arg, worker);
            pthread_mutex_lock(&q->lock);
            continue;
        }
        if (q->count > 0) {
            ck = q->slot[q->head];
            q->head = (q->head + 1) % q->cap;
            q->count--;
            pthread_cond_signal(&q->room);
            break;
        }
        if (q->closed)
            break;
        pthread_cond_wait(&q->ready, &q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    return ck;
}

void *ladle_run_worker_main(void *p)
{
    struct ladle_run_thread *a = p;
    struct ladle_engine *r = a->r;
    const struct ladle_engine_ops *ops = r->ops;
    struct ladle_chunk *ck;
    while ((ck = next_chunk(r, a->index))) {
        if (ladle_run_stopping(r)) {
            ladle_chunk_put(ck);
            continue;
        }
        uint32_t input = ck->input;
        uint64_t seq = ck->seq;
        bool last = ck->last;
        struct ladle_engine_item *it = NULL;
        ladle_status st = LADLE_OK;
        struct ladle_range_plan *plan = ck->plan;
        if (ck->plan) { /* a segment to read first (segments.c) */
            st = ladle_run_fill_segment(r, a->index, &ck, &it);
            if (!ck && !it) {
                if (st != LADLE_OK)
                    ladle_run_request_stop(r);
                continue; /* stopping, or out of memory */
            }
        }
        const bool read = ck != NULL;
        if (ck)
            st = ops->process(ops->arg, a->index, ck, &it);
        else
            st = LADLE_OK; /* a failed read: its error goes in order (segments.c) */
        if (st != LADLE_OK) {
            if (it)
                ops->free_item(ops->arg, it);
            ladle_run_request_stop(r);
            continue;
        }
        if (plan && read)
            ladle_run_check_shrink(plan, &it, ops->free_item, ops->arg);
        it->input = input;
        it->seq = seq;
        it->last = last;
        ladle_run_hand_over(r, it);
    }
    return NULL;
}

/*
 * output.c -- the ordered stage, on the calling thread: results arrive in
 * any order from the workers and go to ops->take in (input, chunk) order.
 */
#include "engine/run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A worker's result joins the done list. */
void ladle_run_hand_over(struct ladle_engine *r, struct ladle_engine_item *it)
{
    atomic_fetch_add(&r->pending[it->input], it->charge);
    atomic_fetch_add(&r->pending_total, it->charge);
    it->next = NULL;
    pthread_mutex_lock(&r->done_lock);
    *r->done_tail = it;
    r->done_tail = &it->next;
    bool wake = false;
    if (r->done_waiting) {
        bool wanted = it->input == r->want_input && it->seq == r->want_seq;
        r->want_here = r->want_here || wanted;
        /* Alone it is due now when later results wait already (held, or
         * on the done list before it: a worker done with its segment sends
         * no more), when it ends its input, or when its bytes could hold
         * decoders back. */
        wake = r->want_here && (!wanted || r->held > 0 || r->done_head != it || it->last ||
                                it->charge >= LADLE_ENGINE_PENDING_BUDGET / 8);
        r->woken = r->woken || wake;
    }
    pthread_mutex_unlock(&r->done_lock);
    /* After the unlock: the woken thread does not then block on the lock. */
    if (wake)
        pthread_cond_signal(&r->done_cond);
}

/* Frees a result the reorder stage held, and lets decoders move on. */
void ladle_run_release(struct ladle_engine *r, struct ladle_engine_item *it)
{
    atomic_fetch_sub(&r->pending[it->input], it->charge);
    atomic_fetch_sub(&r->pending_total, it->charge);
    atomic_store(&r->head_input, r->cur);
    if (atomic_load(&r->bp_waiters)) {
        /* A decoder sleeps, or is about to under the lock: once we hold
         * it, the decoder is in its wait and the broadcast reaches it. */
        pthread_mutex_lock(&r->bp_lock);
        pthread_mutex_unlock(&r->bp_lock);
        pthread_cond_broadcast(&r->bp_cond);
    }
    ladle_run_free_item(r, it);
}

void ladle_run_free_item(struct ladle_engine *r, struct ladle_engine_item *it)
{
    if (it->failed_read)
        free(it); /* the engine's own (segments.c) */
    else
        r->ops->free_item(r->ops->arg, it);
}

static int place(struct reorder *o, struct ladle_engine_item *it)
{
    if (it->seq >= o->cap) {
        size_t cap = o->cap ? o->cap : 64;
        while (cap <= it->seq)
            cap *= 2;
        struct ladle_engine_item **s = realloc(o->slot, cap * sizeof *s);
        if (!s)
            return -1;
        memset(s + o->cap, 0, (cap - o->cap) * sizeof *s);
        o->slot = s;
        o->cap = cap;
    }
    o->slot[it->seq] = it;
    return 0;
}

/* Takes the done list (waiting up to wait_ms for it when empty). */
static struct ladle_engine_item *grab_done(struct ladle_engine *r, long wait_ms)
{
    pthread_mutex_lock(&r->done_lock);
    if (!r->done_head && wait_ms > 0 && !ladle_run_stopping(r)) {
        struct timespec ts;
        ladle_run_deadline(&ts, wait_ms);
        r->want_input = r->cur;
        r->want_seq = r->next_seq;
        r->want_here = false;
        r->held = r->holding;
        r->done_waiting = true;
        r->woken = false;
        int rc = pthread_cond_timedwait(&r->done_cond, &r->done_lock, &ts);
        /* The result waited for and a later one, yet no signal: a batch
         * the rule above should have woken for (tests count these). */
        if (rc == ETIMEDOUT && !r->woken && r->want_here && r->done_head->next)
            r->missed_wakes++;
        r->done_waiting = false;
    }
    struct ladle_engine_item *list = r->done_head;
    r->done_head = NULL;
    r->done_tail = &r->done_head;
    pthread_mutex_unlock(&r->done_lock);
    return list;
}

static void place_all(struct ladle_engine *r, struct ladle_engine_item *it)
{
    while (it) {
        struct ladle_engine_item *next = it->next;
        if (place(&r->order[it->input], it) != 0) {
            ladle_error_set(r->err, LADLE_E_INTERNAL, "output: out of memory");
            ladle_run_release(r, it);
            ladle_run_request_stop(r);
        } else {
            r->holding++;
        }
        it = next;
    }
}

void ladle_run_drain_done(struct ladle_engine *r)
{
    place_all(r, grab_done(r, 0));
}

/* Takes every result that is next in order; false once the run must end. */
static bool take_ready(struct ladle_engine *r)
{
    const uint32_t n = r->io->count;
    struct reorder *ord;
    while (r->cur < n && (ord = &r->order[r->cur], r->next_seq < ord->cap) &&
           ord->slot[r->next_seq]) {
        struct ladle_engine_item *it = ord->slot[r->next_seq];
        ord->slot[r->next_seq] = NULL;
        r->next_seq++;
        r->holding--;
        bool finished = false;
        ladle_status st = LADLE_E_INPUT;
        if (it->failed_read) /* the first failure in input order is the one said */
            ladle_run_report_failed_read(r, it);
        else
            st = r->ops->take(r->ops->arg, it, &finished);
        /* Progress: plain stores of this thread's own totals, once per chunk. */
        r->taken_count += it->records;
        atomic_store_explicit(&r->taken_records, r->taken_count, memory_order_relaxed);
        atomic_store_explicit(&r->taken_kept, it->kept, memory_order_relaxed);
        if (it->last) {
            r->cur++;
            r->next_seq = 0;
        }
        ladle_run_release(r, it);
        if (st != LADLE_OK || finished) {
            ladle_run_request_stop(r); /* finished is no error: the reader left, or head is done */
            return false;
        }
    }
    return true;
}

void ladle_run_output_loop(struct ladle_engine *r)
{
    while (r->cur < r->io->count) {
        if (atomic_load_explicit(r->io->cancel, memory_order_relaxed)) {
            ladle_error_set(r->err, LADLE_E_INTERRUPTED, "interrupted");
            ladle_run_request_stop(r);
            return;
        }
        if (ladle_run_stopping(r))
            return;
        /* The deadline only bounds how late a cancel (set by a signal
         * handler, which cannot signal a condition) is seen. */
        place_all(r, grab_done(r, 100));
        if (!take_ready(r))
            return;
    }
}

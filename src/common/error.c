/*
 * error.c -- first-error-wins slot (see error.h).
 */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>

void ladle_error_init(struct ladle_error *e)
{
    pthread_mutex_init(&e->lock, NULL);
    atomic_init(&e->claimed, 0);
    atomic_init(&e->published, 0);
    e->status = LADLE_OK;
    e->msg[0] = '\0';
}

ladle_status ladle_error_set(struct ladle_error *e, ladle_status status, const char *fmt, ...)
{
    pthread_mutex_lock(&e->lock);
    if (atomic_load_explicit(&e->claimed, memory_order_relaxed)) {
        pthread_mutex_unlock(&e->lock);
        return status;
    }
    atomic_store_explicit(&e->claimed, 1, memory_order_relaxed);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->status = status;
    atomic_store_explicit(&e->published, 1, memory_order_release);
    pthread_mutex_unlock(&e->lock);
    return status;
}

ladle_status ladle_error_status(const struct ladle_error *e)
{
    if (!atomic_load_explicit(&e->claimed, memory_order_acquire))
        return LADLE_OK;
    /* Another thread may have claimed the slot and still be writing it,
     * holding the lock: taking it waits for the writer (a vsnprintf away)
     * rather than read a torn status. */
    if (!atomic_load_explicit(&e->published, memory_order_acquire)) {
        struct ladle_error *w = (struct ladle_error *)e; /* the lock, not the slot */
        pthread_mutex_lock(&w->lock);
        pthread_mutex_unlock(&w->lock);
    }
    return e->status;
}

int ladle_error_any(const struct ladle_error *e)
{
    return atomic_load_explicit(&e->claimed, memory_order_acquire);
}

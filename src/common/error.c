/*
 * error.c -- first-error-wins slot (see error.h).
 */
#include "common/error.h"

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>

void ladle_error_init(struct ladle_error *e)
{
    atomic_init(&e->claimed, 0);
    atomic_init(&e->published, 0);
    e->status = LADLE_OK;
    e->msg[0] = '\0';
}

ladle_status ladle_error_set(struct ladle_error *e, ladle_status status, const char *fmt, ...)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&e->claimed, &expected, 1))
        return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->status = status;
    atomic_store_explicit(&e->published, 1, memory_order_release);
    return status;
}

ladle_status ladle_error_status(const struct ladle_error *e)
{
    if (!atomic_load_explicit(&e->claimed, memory_order_acquire))
        return LADLE_OK;
    /* Another thread may have claimed the slot and still be writing it:
     * wait for it to publish (a vsnprintf away) rather than read a torn status. */
    while (!atomic_load_explicit(&e->published, memory_order_acquire))
        sched_yield();
    return e->status;
}

int ladle_error_any(const struct ladle_error *e)
{
    return atomic_load_explicit(&e->claimed, memory_order_acquire);
}

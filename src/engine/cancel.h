/*
 * cancel.h -- reading a cancel flag (set asynchronously, by a signal
 * handler or ladle_job_cancel) outside src/engine without atomics there.
 */
#ifndef LADLE_CANCEL_H
#define LADLE_CANCEL_H

#include <stdatomic.h>
#include <stdbool.h>

/* Whether *c is set; false for NULL. */
static inline bool ladle_cancelled(const atomic_int *c)
{
    return c && atomic_load_explicit(c, memory_order_relaxed) != 0;
}

#endif

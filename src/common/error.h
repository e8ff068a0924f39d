/*
 * error.h -- errors as values, shared by every thread of a run.
 *
 * The first error reported wins: later ones (usually consequences of the
 * first, such as a worker seeing the stop flag) are dropped, so the user
 * sees the cause. Messages follow "FILE: what (where)".
 */
#ifndef LADLE_ERROR_H
#define LADLE_ERROR_H

#include <pthread.h>
#include <stdatomic.h>

#include "ladle/ladle.h"

#define LADLE_ERROR_MAX 512

struct ladle_error {
    /* The one object every thread of a run may write, so it carries its
     * own lock (the engine owns all other concurrency): a writer claims
     * the slot and writes it under `lock`; a reader that sees it claimed
     * but not yet published takes the lock, which waits for the writer. */
    pthread_mutex_t lock; /* all zero is an unlocked default mutex */
    atomic_int claimed;   /* 0 until the first error claims the slot */
    atomic_int published; /* 1 once status and msg are written */
    ladle_status status;
    char msg[LADLE_ERROR_MAX];
};

void ladle_error_init(struct ladle_error *e);

/* Records an error if none was recorded yet; returns status either way so
 * callers can write `return ladle_error_set(...)`. */
ladle_status ladle_error_set(struct ladle_error *e, ladle_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The recorded status (LADLE_OK if none), safe from any thread: it waits
 * for a concurrent writer to finish. Never read e->status directly. */
ladle_status ladle_error_status(const struct ladle_error *e);

/* Nonzero once an error is recorded. */
int ladle_error_any(const struct ladle_error *e);

#endif

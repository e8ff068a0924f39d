/*
 * tasks.h -- run a task on whichever thread is free: worker threads take
 * queued tasks between chunks (ladle_tasks_run_one, from the job's
 * ops->help), and a thread that needs a task's result waits for it with
 * ladle_task_wait, running queued tasks itself meanwhile, so progress
 * never depends on the workers alone.
 */
#ifndef LADLE_TASKS_H
#define LADLE_TASKS_H

#include <stdbool.h>

struct ladle_task {
    /* The submitter's, set before ladle_tasks_submit; slot tells which
     * thread runs it (a worker's index, or the waiter's slot). */
    void (*fn)(void *arg, unsigned slot);
    void *arg;
    /* The service's, under its lock. */
    int state;
    struct ladle_task *next;
};

struct ladle_tasks;

struct ladle_tasks *ladle_tasks_new(void);
void ladle_tasks_free(struct ladle_tasks *q);
/* Who to tell that a task is queued (may be NULL: nobody). */
void ladle_tasks_set_wake(struct ladle_tasks *q, void (*wake)(void *arg), void *arg);
/* Any thread: queues t (not queued or running now). */
void ladle_tasks_submit(struct ladle_tasks *q, struct ladle_task *t);
/* Runs the oldest queued task on the calling thread as `slot`; false if none. */
bool ladle_tasks_run_one(struct ladle_tasks *q, unsigned slot);
/* Blocks until t has run, running queued tasks as `slot` meanwhile. */
void ladle_task_wait(struct ladle_tasks *q, struct ladle_task *t, unsigned slot);

#endif

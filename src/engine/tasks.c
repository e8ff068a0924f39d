/*
 * tasks.c -- a FIFO of tasks under one lock (see tasks.h). Tasks are
 * coarse (a zstd frame of megabytes): a lock per task costs nothing.
 */
#include "engine/tasks.h"

#include <pthread.h>
#include <stdlib.h>

#include "engine/run.h"

enum { TASK_IDLE, TASK_QUEUED, TASK_RUNNING, TASK_DONE };

struct ladle_tasks {
    pthread_mutex_t lock;
    pthread_cond_t done; /* broadcast whenever a task finishes */
    /* Under lock: queued tasks, oldest first (submitters append, runners take). */
    struct ladle_task *head, **tail;
    /* Under lock: set by the submitting thread between runs, called by it. */
    void (*wake)(void *arg);
    void *wake_arg;
};

struct ladle_tasks *ladle_tasks_new(void)
{
    struct ladle_tasks *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    pthread_mutex_init(&q->lock, NULL);
    ladle_run_cond_init(&q->done);
    q->tail = &q->head;
    return q;
}

void ladle_tasks_free(struct ladle_tasks *q)
{
    if (!q)
        return;
    pthread_cond_destroy(&q->done);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

void ladle_tasks_set_wake(struct ladle_tasks *q, void (*wake)(void *arg), void *arg)
{
    pthread_mutex_lock(&q->lock);
    q->wake = wake;
    q->wake_arg = arg;
    pthread_mutex_unlock(&q->lock);
}

void ladle_tasks_submit(struct ladle_tasks *q, struct ladle_task *t)
{
    pthread_mutex_lock(&q->lock);
    t->state = TASK_QUEUED;
    t->next = NULL;
    *q->tail = t;
    q->tail = &t->next;
    void (*wake)(void *) = q->wake;
    void *wake_arg = q->wake_arg;
    pthread_mutex_unlock(&q->lock);
    if (wake)
        wake(wake_arg);
}

/* Under q->lock, with a task queued: runs it unlocked, relocks. */
static void run_head(struct ladle_tasks *q, unsigned slot)
{
    struct ladle_task *t = q->head;
    q->head = t->next;
    if (!q->head)
        q->tail = &q->head;
    t->state = TASK_RUNNING;
    pthread_mutex_unlock(&q->lock);
    t->fn(t->arg, slot);
    pthread_mutex_lock(&q->lock);
    t->state = TASK_DONE;
    pthread_cond_broadcast(&q->done);
}

bool ladle_tasks_run_one(struct ladle_tasks *q, unsigned slot)
{
    pthread_mutex_lock(&q->lock);
    bool any = q->head != NULL;
    if (any)
        run_head(q, slot);
    pthread_mutex_unlock(&q->lock);
    return any;
}

void ladle_task_wait(struct ladle_tasks *q, struct ladle_task *t, unsigned slot)
{
    pthread_mutex_lock(&q->lock);
    while (t->state != TASK_DONE) {
        if (q->head)
            run_head(q, slot);
        else
            pthread_cond_wait(&q->done, &q->lock);
    }
    t->state = TASK_IDLE;
    pthread_mutex_unlock(&q->lock);
}

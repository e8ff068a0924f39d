/*
 * ring.h -- the lock-free queues of the pipeline: Concurrency Kit's ck_ring
 * (multi-producer, multi-consumer, pointers), plus what ThreadSanitizer
 * needs to see through it.
 *
 * ck_ring orders its slots with hardware fences, which TSan does not model,
 * so in a TSan build every push releases and every pop acquires the pushed
 * pointer explicitly. Without that, TSan would report the hand-over of
 * every chunk as a race; with it, a real race still shows.
 */
#ifndef LADLE_RING_H
#define LADLE_RING_H

#include <stdbool.h>

#include <ck_ring.h>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define LADLE_TSAN_RELEASE(p) __tsan_release(p)
#define LADLE_TSAN_ACQUIRE(p) __tsan_acquire(p)
#else
#define LADLE_TSAN_RELEASE(p) ((void)(p))
#define LADLE_TSAN_ACQUIRE(p) ((void)(p))
#endif

struct ladle_ring {
    ck_ring_t ring;
    ck_ring_buffer_t *slots; /* owns */
};

/* size: a power of two; the ring holds size - 1 pointers. 0, or -1 (no memory). */
int ladle_ring_init(struct ladle_ring *r, unsigned size);
void ladle_ring_destroy(struct ladle_ring *r);

static inline bool ladle_ring_push(struct ladle_ring *r, void *p)
{
    LADLE_TSAN_RELEASE(p);
    return ck_ring_enqueue_mpmc(&r->ring, r->slots, p);
}

static inline bool ladle_ring_pop(struct ladle_ring *r, void *out)
{
    void *p;
    if (!ck_ring_dequeue_mpmc(&r->ring, r->slots, &p))
        return false;
    LADLE_TSAN_ACQUIRE(p);
    *(void **)out = p;
    return true;
}

#endif

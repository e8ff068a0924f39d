/*
 * chunk_pool.c -- a fixed set of chunk buffers behind a ck_ring free list.
 *
 * The ring is multi-producer (any worker returns chunks) and its consumer is
 * the owning decoder. A counting semaphore beside it lets the decoder sleep
 * when every chunk is in flight instead of spinning on a 2-core machine.
 */
#include "engine/chunk.h"

#include <errno.h>
#include <stdlib.h>

static unsigned next_pow2(unsigned v)
{
    unsigned p = 4;
    while (p < v)
        p <<= 1;
    return p;
}

int ladle_chunk_pool_init(struct ladle_chunk_pool *p, unsigned count, size_t chunk_size,
                          size_t headroom)
{
    p->chunk_size = chunk_size;
    p->headroom = headroom;
    p->count = 0;
    unsigned ring_size = next_pow2(count + 1); /* ck_ring holds size - 1 entries */
    p->chunks = calloc(count, sizeof *p->chunks);
    if (!p->chunks || ladle_ring_init(&p->free_ring, ring_size) != 0 ||
        sem_init(&p->available, 0, 0) != 0) {
        free(p->chunks);
        ladle_ring_destroy(&p->free_ring);
        return -1;
    }
    for (unsigned i = 0; i < count; i++) {
        struct ladle_chunk *c = &p->chunks[i];
        c->cap = headroom + chunk_size + 1;
        c->mem = malloc(c->cap);
        if (!c->mem) {
            ladle_chunk_pool_destroy(p);
            return -1;
        }
        c->pool = p;
        p->count++;
        ladle_ring_push(&p->free_ring, c);
        sem_post(&p->available);
    }
    return 0;
}

void ladle_chunk_pool_destroy(struct ladle_chunk_pool *p)
{
    if (p->chunks)
        for (unsigned i = 0; i < p->count; i++)
            free(p->chunks[i].mem);
    free(p->chunks);
    ladle_ring_destroy(&p->free_ring);
    p->chunks = NULL;
    sem_destroy(&p->available);
}

static struct ladle_chunk *take(struct ladle_chunk_pool *p)
{
    struct ladle_chunk *c = NULL;
    /* The semaphore guarantees an entry; the loop only covers the window in
     * which a producer has posted but its enqueue is not yet visible. */
    while (!ladle_ring_pop(&p->free_ring, &c))
        ;
    c->data = c->mem + p->headroom;
    c->len = 0;
    c->offset = 0;
    c->last = false;
    return c;
}

struct ladle_chunk *ladle_chunk_get(struct ladle_chunk_pool *p, const atomic_int *stop)
{
    for (;;) {
        if (atomic_load_explicit(stop, memory_order_acquire))
            return NULL;
        if (sem_wait(&p->available) == 0)
            break;
        if (errno != EINTR)
            return NULL;
    }
    if (atomic_load_explicit(stop, memory_order_acquire)) {
        sem_post(&p->available);
        return NULL;
    }
    return take(p);
}

struct ladle_chunk *ladle_chunk_try_get(struct ladle_chunk_pool *p, const atomic_int *stop)
{
    if (sem_trywait(&p->available) != 0)
        return NULL;
    if (atomic_load_explicit(stop, memory_order_acquire)) {
        sem_post(&p->available);
        return NULL;
    }
    return take(p);
}

void ladle_chunk_put(struct ladle_chunk *c)
{
    if (c->oversized) {
        if (c->backing)
            ladle_chunk_put(c->backing);
        free(c->mem);
        free(c);
        return;
    }
    struct ladle_chunk_pool *p = c->pool;
    ladle_ring_push(&p->free_ring, c);
    sem_post(&p->available);
}

void ladle_chunk_pool_wake(struct ladle_chunk_pool *p)
{
    /* A waiter woken this way finds the stop flag and re-posts (see get). */
    sem_post(&p->available);
}

struct ladle_chunk *ladle_chunk_adopt_oversized(char *mem, size_t cap)
{
    struct ladle_chunk *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->mem = mem;
    c->cap = cap;
    c->data = c->mem;
    c->oversized = true;
    return c;
}

struct ladle_chunk *ladle_chunk_new_oversized(size_t cap)
{
    char *mem = malloc(cap);
    struct ladle_chunk *c = mem ? ladle_chunk_adopt_oversized(mem, cap) : NULL;
    if (!c)
        free(mem);
    return c;
}

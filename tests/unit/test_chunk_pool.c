/*
 * test_chunk_pool.c -- the decoder's chunk pool (src/engine/chunk_pool.c):
 * a fixed set handed out and taken back, a get that blocks until a chunk
 * comes back from another thread, a stop that wakes a blocked get, an
 * oversized chunk that returns the pool chunk it replaced, and many
 * threads putting while the owner gets (LADLE_TEST_PIPELINE: the TSan
 * build runs it).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/chunk_pool.h"
#include "record/chunk.h"
#include "test_util.h"

#define COUNT 4
#define SIZE 256
#define HEADROOM 16

static void test_fixed_set(void)
{
    struct ladle_chunk_pool p;
    CHECK(ladle_chunk_pool_init(&p, COUNT, SIZE, HEADROOM) == 0);
    const struct ladle_chunk_supply *sup = ladle_chunk_pool_supply(&p);
    CHECK(sup->chunk_size == SIZE);
    struct ladle_chunk *got[COUNT];
    for (int i = 0; i < COUNT; i++) {
        got[i] = sup->try_get(sup->arg);
        CHECK(got[i] != NULL);
        if (!got[i])
            return;
        CHECK(got[i]->data == got[i]->mem + HEADROOM);
        CHECK(got[i]->len == 0 && got[i]->cap == HEADROOM + SIZE + 1);
        CHECK(got[i]->home == sup);
        for (int k = 0; k < i; k++)
            CHECK(got[k] != got[i]);
    }
    CHECK(sup->try_get(sup->arg) == NULL); /* all in flight */
    got[1]->data += 5;
    got[1]->len = 7;
    got[1]->last = true;
    ladle_chunk_put(got[1]);
    struct ladle_chunk *again = ladle_chunk_try_get(&p);
    CHECK(again == got[1]);
    CHECK(again->data == again->mem + HEADROOM && again->len == 0 && !again->last);
    for (int i = 0; i < COUNT; i++)
        ladle_chunk_put(got[i]);
    CHECK(!sup->stopping(sup->arg));
    ladle_chunk_pool_destroy(&p);
}

static void test_oversized(void)
{
    struct ladle_chunk_pool p;
    CHECK(ladle_chunk_pool_init(&p, 1, SIZE, HEADROOM) == 0);
    struct ladle_chunk *ck = ladle_chunk_get(&p);
    struct ladle_chunk *big = ladle_chunk_new_oversized(4 * SIZE);
    CHECK(big && big->oversized && big->cap == 4 * SIZE);
    if (!ck || !big)
        return;
    big->backing = ck; /* as the framer does: the pool chunk stays counted */
    CHECK(ladle_chunk_try_get(&p) == NULL);
    ladle_chunk_put(big); /* frees big, returns ck */
    CHECK(ladle_chunk_try_get(&p) == ck);
    ladle_chunk_put(ck);
    ladle_chunk_pool_destroy(&p);
}

struct waiter {
    struct ladle_chunk_pool *p;
    struct ladle_chunk *got;
};

static void *get_one(void *arg)
{
    struct waiter *w = arg;
    w->got = ladle_chunk_get(w->p);
    return NULL;
}

static void test_blocking(void)
{
    struct ladle_chunk_pool p;
    CHECK(ladle_chunk_pool_init(&p, 1, SIZE, HEADROOM) == 0);
    struct ladle_chunk *ck = ladle_chunk_get(&p);
    /* A get blocks until another thread puts the chunk back. */
    struct waiter w = {&p, NULL};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, get_one, &w) == 0);
    ladle_chunk_put(ck);
    pthread_join(t, NULL);
    CHECK(w.got == ck);
    /* A stop wakes a get blocked on an empty pool, which returns NULL. */
    w.got = ck;
    CHECK(pthread_create(&t, NULL, get_one, &w) == 0);
    ladle_chunk_pool_stop(&p);
    pthread_join(t, NULL);
    CHECK(w.got == NULL);
    CHECK(p.supply.stopping(p.supply.arg));
    ladle_chunk_put(ck); /* puts still work after a stop (teardown) */
    CHECK(ladle_chunk_try_get(&p) == NULL);
    ladle_chunk_pool_destroy(&p);
}

#define ROUNDS 20000
#define PUTTERS 3

struct handoff {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct ladle_chunk *slot[COUNT];
    unsigned n;
    bool done;
};

/* Takes chunks the owner hands over, writes into them, puts them back. */
static void *putter(void *arg)
{
    struct handoff *h = arg;
    for (;;) {
        pthread_mutex_lock(&h->lock);
        while (h->n == 0 && !h->done)
            pthread_cond_wait(&h->cond, &h->lock);
        if (h->n == 0) {
            pthread_mutex_unlock(&h->lock);
            return NULL;
        }
        struct ladle_chunk *ck = h->slot[--h->n];
        pthread_mutex_unlock(&h->lock);
        memset(ck->data, 'x', SIZE);
        ladle_chunk_put(ck);
    }
}

static void test_threads(void)
{
    struct ladle_chunk_pool p;
    CHECK(ladle_chunk_pool_init(&p, COUNT, SIZE, HEADROOM) == 0);
    struct handoff h = {.n = 0, .done = false};
    pthread_mutex_init(&h.lock, NULL);
    pthread_cond_init(&h.cond, NULL);
    pthread_t t[PUTTERS];
    for (int i = 0; i < PUTTERS; i++)
        CHECK(pthread_create(&t[i], NULL, putter, &h) == 0);
    for (int r = 0; r < ROUNDS; r++) {
        struct ladle_chunk *ck = ladle_chunk_get(&p);
        CHECK(ck != NULL && ck->len == 0);
        if (!ck)
            break;
        ck->len = (size_t)r; /* reset by the next get */
        pthread_mutex_lock(&h.lock);
        h.slot[h.n++] = ck; /* at most COUNT out: the pool bounds it */
        pthread_cond_signal(&h.cond);
        pthread_mutex_unlock(&h.lock);
    }
    pthread_mutex_lock(&h.lock);
    h.done = true;
    pthread_cond_broadcast(&h.cond);
    pthread_mutex_unlock(&h.lock);
    for (int i = 0; i < PUTTERS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < COUNT; i++)
        CHECK(ladle_chunk_try_get(&p) != NULL); /* every chunk came back */
    CHECK(ladle_chunk_try_get(&p) == NULL);
    pthread_cond_destroy(&h.cond);
    pthread_mutex_destroy(&h.lock);
    ladle_chunk_pool_destroy(&p);
}

int main(void)
{
    test_fixed_set();
    test_oversized();
    test_blocking();
    test_threads();
    return t_done("chunk_pool");
}

/*
 * range.c -- plans of segments (range.h): their arrays, and the chain of
 * decompressed offsets that workers learn one after the other when a zstd
 * file's frames do not declare their sizes (pzstd writes such frames).
 */
#include "codec/range.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/gzip_index.h"

int ladle_range_plan_init(struct ladle_range_plan *p, size_t n, bool dec_known)
{
    p->n = n;
    p->fd = -1;
    atomic_init(&p->unread, n);
    p->dec_known = dec_known;
    atomic_init(&p->own_hint, 0);
    p->mapped = false;
    atomic_init(&p->watch.shrank, false);
    atomic_init(&p->watch.size_found, 0);
    p->comp = calloc(n + 1, sizeof *p->comp);
    p->dec = calloc(n + 1, sizeof *p->dec);
    p->published = dec_known ? NULL : calloc(n + 1, sizeof *p->published);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    if (!p->comp || !p->dec || (!dec_known && !p->published))
        return -1;
    if (p->published)
        p->published[0] = true; /* dec[0] = 0 */
    return 0;
}

void ladle_range_plan_free(struct ladle_range_plan *p)
{
    if (!p->comp && !p->dec)
        return;
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    free(p->comp);
    free(p->dec);
    free(p->bits);
    free(p->published);
    ladle_gzip_index_free(p->gz_own);
    p->gz_own = NULL;
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    p->comp = p->dec = p->bits = NULL;
    p->published = NULL;
}

bool ladle_range_plan_dec(struct ladle_range_plan *p, size_t k, uint64_t *dec)
{
    if (p->dec_known) {
        *dec = p->dec[k];
        return true;
    }
    pthread_mutex_lock(&p->lock);
    while (!p->published[k] && !(p->stopping && p->stopping(p->stopping_arg)))
        pthread_cond_wait(&p->cond, &p->lock);
    bool ok = p->published[k];
    *dec = p->dec[k];
    pthread_mutex_unlock(&p->lock);
    return ok;
}

void ladle_range_plan_publish(struct ladle_range_plan *p, size_t k, uint64_t dec)
{
    if (p->dec_known)
        return;
    pthread_mutex_lock(&p->lock);
    p->dec[k] = dec;
    p->published[k] = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void ladle_range_plan_wake(struct ladle_range_plan *p)
{
    if (p->dec_known || !p->published)
        return;
    pthread_mutex_lock(&p->lock);
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void ladle_range_plan_read(struct ladle_range_plan *p)
{
    if (atomic_fetch_sub(&p->unread, 1) == 1) {
        close(p->fd); /* the last segment is read: many inputs hold no fd each */
        p->fd = -1;
    }
}

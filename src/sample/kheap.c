/*
 * kheap.c -- the N smallest kept records (see kheap.h).
 */
#include "sample/kheap.h"

#include <stdlib.h>
#include <string.h>

static void sift_down(struct ladle_kept *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && ladle_kept_key_less(&h[m], &h[l]))
            m = l;
        if (r < n && ladle_kept_key_less(&h[m], &h[r]))
            m = r;
        if (m == i)
            return;
        struct ladle_kept t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void sift_up(struct ladle_kept *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ladle_kept_key_less(&h[p], &h[i]))
            return;
        struct ladle_kept t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

/* Inserts c, taking ownership of c->data (freed if c does not enter). */
int ladle_kheap_insert(struct ladle_kheap *st, struct ladle_kept *c)
{
    if (!ladle_kheap_admits(st, c)) {
        free(c->data);
        return 0;
    }
    if (st->count < st->cap && st->count == st->alloc) {
        size_t alloc = st->alloc ? st->alloc * 2 : 64;
        if (alloc > st->cap)
            alloc = st->cap;
        struct ladle_kept *h = realloc(st->v, alloc * sizeof *h);
        if (!h) {
            free(c->data);
            return -1;
        }
        st->v = h;
        st->alloc = alloc;
    }
    if (st->count < st->cap) {
        st->v[st->count] = *c;
        sift_up(st->v, st->count++);
    } else {
        free(st->v[0].data);
        st->v[0] = *c;
        sift_down(st->v, st->count, 0);
    }
    return 0;
}

int ladle_kheap_merge(struct ladle_kheap *into, struct ladle_kheap *from)
{
    int rc = 0;
    for (size_t i = 0; i < from->count; i++)
        if (ladle_kheap_insert(into, &from->v[i]) != 0)
            rc = -1; /* keep going: every record's memory is owned by someone */
    from->count = 0;
    return rc;
}

void ladle_kheap_init(struct ladle_kheap *h, uint64_t n)
{
    memset(h, 0, sizeof *h);
    h->cap =
        n > SIZE_MAX / sizeof(struct ladle_kept) ? SIZE_MAX / sizeof(struct ladle_kept) : (size_t)n;
}

void ladle_kheap_free(struct ladle_kheap *h)
{
    for (size_t i = 0; i < h->count; i++)
        free(h->v[i].data);
    free(h->v);
    memset(h, 0, sizeof *h);
}

static int cmp_kept_key(const void *x, const void *y)
{
    const struct ladle_kept *a = x, *b = y;
    return ladle_kept_key_less(a, b) ? -1 : ladle_kept_key_less(b, a);
}

void ladle_kheap_truncate(struct ladle_kheap *h, size_t n)
{
    if (n >= h->count)
        return;
    qsort(h->v, h->count, sizeof *h->v, cmp_kept_key);
    for (size_t i = n; i < h->count; i++)
        free(h->v[i].data);
    h->count = n;
}

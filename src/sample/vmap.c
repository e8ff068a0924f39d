/*
 * vmap.c -- value map (see vmap.h). Grows at 3/4 load.
 */
#include "sample/vmap.h"

#include <stdlib.h>
#include <string.h>

#include "record/key.h"

void ladle_vmap_init(struct ladle_vmap *m, size_t payload_size)
{
    memset(m, 0, sizeof *m);
    m->payload_size = payload_size;
}

void ladle_vmap_free(struct ladle_vmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].value);
        free(m->slots[i].payload);
    }
    free(m->slots);
    memset(m, 0, sizeof *m);
}

uint64_t ladle_vmap_hash(const char *v, size_t len)
{
    return XXH3_64bits(v, len);
}

static struct ladle_vmap_slot *find(const struct ladle_vmap *m, uint64_t h, const char *v,
                                    size_t len)
{
    if (!m->cap)
        return NULL;
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct ladle_vmap_slot *s = &m->slots[i];
        if (!s->value)
            return s;
        if (s->hash == h && s->len == len && memcmp(s->value, v, len) == 0)
            return s;
    }
}

static int grow(struct ladle_vmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct ladle_vmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    struct ladle_vmap old = *m;
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++) {
        struct ladle_vmap_slot *s = &old.slots[i];
        if (s->value)
            *find(m, s->hash, s->value, s->len) = *s;
    }
    free(old.slots);
    m->last = NULL;
    return 0;
}

static int is_last(const struct ladle_vmap *m, const char *v, size_t len)
{
    return m->last && m->last->len == len && memcmp(m->last->value, v, len) == 0;
}

void *ladle_vmap_get(const struct ladle_vmap *m, const char *v, size_t len)
{
    /* Read-only (maps shared by threads, such as a plan, come here): the
     * last-hit cache is used but not moved. */
    if (is_last(m, v, len))
        return m->last->payload;
    struct ladle_vmap_slot *s = find(m, ladle_vmap_hash(v, len), v, len);
    return s && s->value ? s->payload : NULL;
}

void *ladle_vmap_find(struct ladle_vmap *m, const char *v, size_t len)
{
    if (is_last(m, v, len))
        return m->last->payload;
    struct ladle_vmap_slot *s = find(m, ladle_vmap_hash(v, len), v, len);
    if (!s || !s->value)
        return NULL;
    m->last = s;
    return s->payload;
}

void *ladle_vmap_put(struct ladle_vmap *m, const char *v, size_t len, int *created)
{
    if (is_last(m, v, len)) {
        if (created)
            *created = 0;
        return m->last->payload;
    }
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) != 0)
        return NULL;
    uint64_t h = ladle_vmap_hash(v, len);
    struct ladle_vmap_slot *s = find(m, h, v, len);
    m->last = s;
    if (s->value) {
        if (created)
            *created = 0;
        return s->payload;
    }
    char *copy = malloc(len ? len : 1);
    void *payload = calloc(1, m->payload_size ? m->payload_size : 1);
    if (!copy || !payload) {
        free(copy);
        free(payload);
        m->last = NULL;
        return NULL;
    }
    memcpy(copy, v, len);
    *s = (struct ladle_vmap_slot){h, copy, len, payload};
    m->last = s;
    m->count++;
    if (created)
        *created = 1;
    return payload;
}

void ladle_vmap_each(const struct ladle_vmap *m,
                     void (*fn)(void *arg, const char *v, size_t len, void *payload), void *arg)
{
    /* An odd stride visits every slot of a power-of-two table, and spreads
     * the visit: callers that put each entry into another map (merges)
     * would otherwise insert runs of neighbouring hashes, which pile up
     * under linear probing (about 10x slower merges past 500 K values). */
    size_t stride = (m->cap / 2 + m->cap / 8) | 1;
    for (size_t k = 0, i = 0; k < m->cap; k++, i = (i + stride) & (m->cap - 1))
        if (m->slots[i].value)
            fn(arg, m->slots[i].value, m->slots[i].len, m->slots[i].payload);
}

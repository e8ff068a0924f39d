/*
 * outbuf.c -- growable buffers (see outbuf.h).
 */
#include "out/outbuf.h"

#include <stdlib.h>
#include <string.h>

void ladle_outbuf_free(struct ladle_outbuf *b)
{
    free(b->data);
    free(b->keys);
    memset(b, 0, sizeof *b);
}

int ladle_outbuf_append(struct ladle_outbuf *b, const void *data, size_t len)
{
    if (len == 0) /* an empty record on an empty buffer: data may be NULL */
        return 0;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return -1;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

int ladle_outbuf_append_key(struct ladle_outbuf *b, uint64_t key)
{
    if (b->nkeys == b->keys_cap) {
        size_t cap = b->keys_cap ? b->keys_cap * 2 : 256;
        uint64_t *p = realloc(b->keys, cap * sizeof *p);
        if (!p)
            return -1;
        b->keys = p;
        b->keys_cap = cap;
    }
    b->keys[b->nkeys++] = key;
    return 0;
}

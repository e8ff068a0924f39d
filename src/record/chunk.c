/*
 * chunk.c -- returning chunks, and the one-off chunks of long records
 * (see chunk.h).
 */
#include "record/chunk.h"

#include <stdlib.h>

void ladle_chunk_put(struct ladle_chunk *c)
{
    if (c->view) {
        struct ladle_chunk_view *v = c->view;
        c->view = NULL;
        v->release(v);
    }
    if (c->oversized) {
        if (c->backing)
            ladle_chunk_put(c->backing);
        free(c->mem);
        free(c);
        return;
    }
    c->home->put(c->home->arg, c);
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

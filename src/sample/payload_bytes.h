/*
 * payload_bytes.h -- the little-endian u64 fields every design's state
 * payload is made of (kept_state.c, kept_set_state.c, groups_state.c,
 * stats_state.c): written to an outbuf, and read from untrusted bytes
 * through a cursor that never passes its end.
 */
#ifndef LADLE_PAYLOAD_BYTES_H
#define LADLE_PAYLOAD_BYTES_H

#include <stdint.h>

#include "out/outbuf.h"

/* Appends v; 0, or -1 when out of memory. */
static inline int ladle_put_u64(struct ladle_outbuf *o, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    return ladle_outbuf_append(o, b, 8);
}

/* Where a carried record's input goes as a state is read: map[in] (in <
 * n) when map is set (ladle merge of --part states, whose sources it puts
 * in the job's order), else base + in. */
struct ladle_input_remap {
    uint32_t base, n;
    const uint32_t *map;
};

/* The input `in` is read as; -1 outside the map or past 2^32 - 1. */
static inline int ladle_input_remap_apply(const struct ladle_input_remap *m, uint64_t in,
                                          uint32_t *out)
{
    if (m && m->map) {
        if (in >= m->n)
            return -1;
        *out = m->map[in];
        return 0;
    }
    uint32_t base = m ? m->base : 0;
    if (in > UINT32_MAX - base)
        return -1;
    *out = (uint32_t)in + base;
    return 0;
}

/* A cursor over untrusted bytes. */
struct ladle_reader {
    const unsigned char *p, *end;
};

/* The next u64; -1 when fewer than 8 bytes are left. */
static inline int ladle_get_u64(struct ladle_reader *r, uint64_t *v)
{
    if (r->end - r->p < 8)
        return -1;
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    *v = x;
    return 0;
}

/* Points *b at the next len bytes; -1 when fewer are left. */
static inline int ladle_get_bytes(struct ladle_reader *r, uint64_t len, const unsigned char **b)
{
    if ((uint64_t)(r->end - r->p) < len)
        return -1;
    *b = r->p;
    r->p += len;
    return 0;
}

#endif

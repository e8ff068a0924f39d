/*
 * outbuf.h -- a growable byte buffer: the records one worker kept from one
 * chunk (with their keys when the output is shuffled), handed by ownership
 * to the ordered output stage.
 */
#ifndef LADLE_OUTBUF_H
#define LADLE_OUTBUF_H

#include <stddef.h>
#include <stdint.h>

struct ladle_outbuf {
    char *data; /* owns */
    size_t len, cap;
    uint64_t *keys; /* owns: one per record, only when keys are kept */
    size_t nkeys, keys_cap;
    uint64_t records; /* records in data */
};

void ladle_outbuf_free(struct ladle_outbuf *b);
/* Appends bytes; returns 0, or -1 when out of memory. */
int ladle_outbuf_append(struct ladle_outbuf *b, const void *data, size_t len);
int ladle_outbuf_append_key(struct ladle_outbuf *b, uint64_t key);

#endif

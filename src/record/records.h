/*
 * records.h -- walking the records of a framed chunk, and their keys.
 *
 * Hot path: every record of every input passes through here, so it is
 * inline and does one memchr per record and one XXH3 over 16 bytes.
 */
#ifndef LADLE_RECORDS_H
#define LADLE_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "record/chunk.h"
#include "record/csv_edge.h"
#include "record/key.h"

/* How far ahead of the record walk to prefetch (2-16 KiB measured alike). */
#define LADLE_PREFETCH 4096

struct ladle_record {
    const char *data; /* borrowed from the chunk; ends with '\n' */
    size_t len;       /* including the '\n' */
    uint64_t offset;  /* identity: decompressed offset within its input */
};

struct ladle_record_iter {
    const char *p, *end, *base;
    const char *ahead; /* prefetched up to here */
    uint64_t base_off;
    char csv_delim; /* the chunk's: 0 for lines */
};

/* The length of the record at p (whole records: ends in '\n'), n bytes
 * at most: to its first '\n', or under CSV (csv_delim) its first '\n'
 * outside quotes; n when none (the last record of an input may run to
 * the end inside an open quote). For walkers of kept records. */
static inline size_t ladle_record_len(const char *p, size_t n, char csv_delim)
{
    if (csv_delim) {
        enum ladle_csv_state s = LADLE_CSV_START;
        size_t e = ladle_csv_first_edge(p, n, csv_delim, &s);
        return e ? e : n;
    }
    const char *nl = memchr(p, '\n', n);
    return nl ? (size_t)(nl - p) + 1 : n;
}

static inline void ladle_record_iter_init(struct ladle_record_iter *it, const struct ladle_chunk *c)
{
    it->p = c->data;
    it->end = c->data + c->len;
    it->base = c->data;
    it->ahead = c->data;
    it->base_off = c->offset;
    it->csv_delim = c->csv_delim;
}

/* Returns 1 and fills r while records remain, else 0. */
static inline int ladle_record_next(struct ladle_record_iter *it, struct ladle_record *r)
{
    if (it->p >= it->end)
        return 0;
    if (it->csv_delim) {
        size_t n = ladle_record_len(it->p, (size_t)(it->end - it->p), it->csv_delim);
        r->data = it->p;
        r->len = n;
        r->offset = it->base_off + (uint64_t)(it->p - it->base);
        it->p += n;
        return 1;
    }
    /* A mapped chunk is read from memory, not from the cache a copy left
     * it in, and the hardware's prefetcher stops at each 4 KiB page: ask
     * for the lines LADLE_PREFETCH bytes ahead, one record at a time. */
    const char *want = it->end - it->p > LADLE_PREFETCH ? it->p + LADLE_PREFETCH : it->end;
    while (it->ahead < want) {
        __builtin_prefetch(it->ahead);
        it->ahead += 64;
    }
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    /* The framer guarantees a final '\n'; be defensive anyway. */
    const char *stop = nl ? nl + 1 : it->end;
    r->data = it->p;
    r->len = (size_t)(stop - it->p);
    r->offset = it->base_off + (uint64_t)(it->p - it->base);
    it->p = stop;
    return 1;
}

#endif

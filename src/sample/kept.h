/*
 * kept.h -- records a sampler retains: a copy of the bytes with the record's
 * identity and key, and the orderings they are emitted in.
 */
#ifndef LADLE_KEPT_H
#define LADLE_KEPT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "out/writer.h"

struct ladle_kept {
    uint64_t key;
    uint64_t offset;
    uint32_t input;
    size_t len;    /* including the final '\n' */
    char *data;    /* owns */
    double weight; /* the record's weight, for designs that emit it */
};

/* A non-negative double as a key, and back: such doubles order like their
 * bit patterns read as integers (weighted sampling's keys). */
static inline uint64_t ladle_double_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static inline double ladle_bits_double(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Total orders: by (key, identity) -- the random order and the bottom-k
 * order -- and by identity (input order). */
int ladle_kept_key_less(const struct ladle_kept *a, const struct ladle_kept *b);

/* A growable array of kept records. */
struct ladle_kept_set {
    struct ladle_kept *v; /* owns, and owns each v[i].data */
    size_t count, cap;
};

/* Copies the record in; returns 0, or -1 when out of memory. */
int ladle_kept_set_add(struct ladle_kept_set *s, uint64_t key, uint32_t input, uint64_t offset,
                       const char *data, size_t len);
void ladle_kept_set_free(struct ladle_kept_set *s);
/* Sorts by key (with identity breaking ties) when by_key, else by identity. */
void ladle_kept_sort(struct ladle_kept *v, size_t count, int by_key);
/* Sorts and writes every record. */
ladle_status ladle_kept_emit(struct ladle_kept *v, size_t count, int by_key,
                             struct ladle_writer *w);
/* The same, each record gaining column `column` = its .weight (see
 * out/weight_column.h); column NULL writes the records unchanged. */
ladle_status ladle_kept_emit_column(struct ladle_kept *v, size_t count, int by_key,
                                    const char *column, char delim, struct ladle_writer *w,
                                    struct ladle_error *err);

#endif

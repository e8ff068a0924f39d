/*
 * range.h -- reading one input from inside, on every worker at once.
 *
 * A plan lists the input's segments: places where decoding can begin (any
 * byte of a plain file, a zstd frame, a checkpoint of a gzip index) with
 * their compressed and decompressed offsets. The engine (engine/segments.c)
 * hands each segment to a worker, whose reader decodes from the segment's
 * start onward; the worker keeps the records that begin in the segment (see
 * segments.c for the edge rule), reading past its end only to finish its
 * last record. A reader is one thread's: decoder contexts and buffers,
 * reused from segment to segment and from input to input of the same kind.
 *
 * One ops table per kind: plain and zstd frames (range_codec.c), gzip
 * from an index (range_gzip.c).
 */
#ifndef LADLE_RANGE_H
#define LADLE_RANGE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "io/file_map.h"

struct ladle_gzip_index;

/* Where segments of an input begin. */
struct ladle_range_plan {
    const struct ladle_range_ops *ops;
    int fd;               /* owns (a dup of the source's, -1: none): pread only, shared by
                             threads; closed when every segment was read */
    atomic_size_t unread; /* segments not read yet */
    uint64_t size;        /* the file's size when opened */
    const char *name;
    const struct ladle_config *cfg; /* borrowed: --long and the like */
    /* Borrowed: whether the run is stopping (long reads give up then). */
    bool (*stopping)(void *arg);
    void *stopping_arg;
    uint64_t first; /* segment 0's records begin here (after a --header line) */
    size_t n;       /* segments */
    uint64_t *comp; /* owns, n + 1: compressed offset where segment k's decoding
                       begins; comp[n] = size */
    uint64_t *dec;  /* owns, n + 1: the decompressed offset of comp[k]. When
                       dec_known is false (zstd frames that do not declare their
                       content size), dec[k + 1] is set by the worker of segment
                       k once it has decoded it (ladle_range_plan_publish) */
    bool dec_known;
    /* A plain file whose workers map their segments (engine/segment_map.c),
     * and what its views found (the file shrank under them). */
    bool mapped;
    struct ladle_file_map_watch watch;
    atomic_ullong own_hint;            /* the largest segment decoded so far: a first buffer size */
    uint64_t *bits;                    /* owns or NULL (gzip): the bit offset of each checkpoint */
    const struct ladle_gzip_index *gz; /* borrowed (gzip): the windows */
    struct ladle_gzip_index *gz_own;   /* owns or NULL: freed with the plan */
    /* The chain of dec[] when !dec_known: published[k] says dec[k] is set. */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool *published;
};

struct ladle_range_ops {
    const char *name;
    /* A new per-thread state for this kind; NULL when out of memory. */
    void *(*new_state)(void);
    void (*free_state)(void *st);
    /* Positions st at the start of segment k of p. */
    ladle_status (*seek)(void *st, const struct ladle_range_plan *p, size_t k,
                         struct ladle_error *err);
    /* The next decompressed bytes into buf[0, cap): *n > 0, or *n = 0 at the
     * end of the input (every byte of every later segment read too). When
     * *own is not NULL and this read reached comp[k + 1] (the start of the
     * next segment), *own is set to the decompressed bytes from comp[k] to
     * comp[k + 1] (the read then stops there, so the caller knows the edge).
     * Errors name the input and the place: "NAME: what (at compressed byte N)". */
    ladle_status (*read)(void *st, char *buf, size_t cap, size_t *n, uint64_t *own, bool *own_set,
                         struct ladle_error *err);
    /* Lets go of the segment (may be NULL): nothing of the plan is used
     * after it, so the plan may end. */
    void (*finish)(void *st);
    /* A faster way to segment k's own bytes, D(k) to D(k + 1), all at once
     * (both NULL where there is none). own_bound reads them and returns
     * how many bytes they decode to at most, 0 when it cannot tell (then
     * read them with seek and read); own_decode then decodes them into
     * buf[0, cap) (cap >= that bound) and sets *n, or returns false on
     * any error (read then finds it, and says what it is). */
    size_t (*own_bound)(void *st, const struct ladle_range_plan *p, size_t k);
    bool (*own_decode)(void *st, char *buf, size_t cap, size_t *n);
};

extern const struct ladle_range_ops ladle_range_plain;
extern const struct ladle_range_ops ladle_range_zstd;
extern const struct ladle_range_ops ladle_range_gzip;

/* Allocates the arrays of a plan of n segments (dec_known says whether
 * dec[] will be filled up front). 0, or -1 when out of memory. */
int ladle_range_plan_init(struct ladle_range_plan *p, size_t n, bool dec_known);
void ladle_range_plan_free(struct ladle_range_plan *p);
/* Segment k's decompressed start: at once when known up front, else after
 * the worker of segment k - 1 published it (or stop is set: returns false). */
bool ladle_range_plan_dec(struct ladle_range_plan *p, size_t k, uint64_t *dec);
/* Sets dec[k] (the worker of segment k - 1 learnt it) and wakes waiters. */
void ladle_range_plan_publish(struct ladle_range_plan *p, size_t k, uint64_t dec);
/* A worker is done with one segment (its reader finished): the last one
 * closes the plan's fd. */
void ladle_range_plan_read(struct ladle_range_plan *p);
/* Wakes every waiter (the run is stopping). */
void ladle_range_plan_wake(struct ladle_range_plan *p);

#endif

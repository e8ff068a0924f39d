/*
 * assign.h -- the output stage's part of a split: classes, exact
 * stratification, class balance, and the per-split and per-input counts
 * the manifest reports. Single-threaded: only the output stage calls it,
 * in input order, which is what makes the sequential draws reproducible.
 *
 * Exact draws in one pass, given counts from a first pass: to send exactly
 * a of a class's n records somewhere, uniformly, the i-th record (with r
 * records and q places left) goes with probability q/r. Stratification
 * spreads a class over the splits this way; balance keeps exactly its
 * target inside a split; oversampling gives each record Binomial(e, 1/r)
 * extra copies of the e still to draw, which is sampling e draws with
 * replacement.
 */
#ifndef LADLE_ASSIGN_H
#define LADLE_ASSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "split/route.h"
#include "split/split.h"

struct ladle_shards;

struct ladle_split_class {
    uint64_t hash;
    char *label; /* owns */
    size_t label_len;
    uint64_t total;   /* pass 1: records of the class */
    uint64_t *n;      /* per split: records before balance */
    uint64_t *target; /* per split: records after balance (copies, for over) */
    uint64_t *seen;   /* per split: records met in the writing pass */
    uint64_t *placed; /* per split: kept (or, for over, extra copies drawn) so far */
    uint64_t *after;  /* per split: records written */
    uint64_t *quota;  /* --stratify, per split: records still to send there */
    uint64_t left;    /* --stratify: records of the class not yet met */
};

struct ladle_input_count {
    uint64_t records;      /* records read */
    uint64_t missing;      /* left out: no usable field */
    uint64_t malformed;    /* left out: malformed (--malformed skip) */
    uint64_t decompressed; /* bytes */
    int64_t size;          /* the file's size, -1 if not a regular file */
};

struct ladle_split_state {
    const struct ladle_split_spec *spec; /* borrowed */
    uint64_t seed;
    int counting;                      /* 1: the counting pass, nothing is written */
    struct ladle_shards *shards;       /* borrowed: where the writing pass goes */
    struct ladle_split_class *classes; /* owns */
    size_t nclasses, cap;
    uint32_t *index; /* open addressing: class hash -> classes[i] + 1 */
    size_t index_cap;
    uint64_t *records;                /* per split: written (bytes: the shards count them) */
    struct ladle_input_count *inputs; /* owns, ninputs */
    uint32_t ninputs;
};

ladle_status ladle_split_state_init(struct ladle_split_state *s,
                                    const struct ladle_split_spec *spec, uint64_t seed,
                                    uint32_t ninputs, struct ladle_error *err);
void ladle_split_state_free(struct ladle_split_state *s);

/* The class of a label hash, created on first sight (label/len: its text).
 * NULL when out of memory. */
struct ladle_split_class *ladle_split_class_get(struct ladle_split_state *s, uint64_t hash,
                                                const char *label, size_t len);
/* Whether the class of hash exists yet (so the caller extracts the label text only once). */
int ladle_split_class_known(const struct ladle_split_state *s, uint64_t hash);

/* Counting pass done: stratification quotas and balance targets. */
void ladle_split_state_plan(struct ladle_split_state *s);

/* After a dataset run: one warning line to note() for each balanced split
 * that kept less than 10 % of its records, naming the class (or cap) that
 * set the size and a --balance-mode that would keep about half
 * (balance_warn.c). */
void ladle_split_balance_warnings(const struct ladle_split_state *s, const char *dir,
                                  void (*note)(void *arg, const char *line), void *arg);

/* One routed record: counts it (counting pass) or sends its copies to the
 * shards (writing pass). cls: its class, NULL without a label. */
ladle_status ladle_split_state_take(struct ladle_split_state *s, const struct ladle_route *rt,
                                    struct ladle_split_class *cls, const char *rec,
                                    struct ladle_error *err);

#endif

/*
 * sampler.h -- the ops table every sampling design fills.
 *
 * A sampler is single-threaded code over a partial state: each worker holds
 * one and offers it the records of the chunks it processes; at the end the
 * partial states merge into one, which emits the sample. The same merge
 * joins states from other processes or earlier runs, so every state that
 * retains records can be serialized. Samplers never see an atomic.
 *
 * Two kinds of design:
 * - streaming (Bernoulli, head): each record's fate is decided on the spot;
 *   kept records go to `out` and reach the output in input order as chunks
 *   complete. finish() has nothing left to emit.
 * - retaining (bottom-k): the state holds the candidate records; finish()
 *   emits them in input order, or in key order with --shuffle.
 * - ordered (systematic): the decision needs the record's global index
 *   across all inputs, known only in input order. Workers index each
 *   chunk's record starts; the output stage calls select() in order.
 */
#ifndef LADLE_SAMPLER_H
#define LADLE_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "out/outbuf.h"
#include "out/writer.h"
#include "record/chunk.h"
#include "record/key.h"
#include "sample/payload_bytes.h"

struct ladle_field;
struct ladle_field_binding;
struct ladle_field_scratch;
struct ladle_kept_set;

struct ladle_sampler {
    const struct ladle_sampler_ops *ops;
    const struct ladle_config *cfg;       /* borrowed */
    void *state;                          /* owns */
    uint64_t records_seen;                /* records offered to this partial state */
    uint64_t records_missing;             /* of those, without the field (or a bad weight) */
    uint64_t records_malformed;           /* of those, broken (--malformed skip) */
    struct ladle_input_remap input_remap; /* deserialize: where each record's input goes */
    struct ladle_field_scratch *scratch;  /* owns: this state's thread's field scratch */
    struct ladle_seed record_seed;        /* cfg->params.seed derived for record keys, once */
    struct ladle_seed value_seed;         /* cfg->params.seed derived for value keys, once */
    /* owns: streaming and ordered designs' records carried by --state, as
     * `ladle merge` joins them (sample/kept_set_state.h); NULL until read */
    struct ladle_kept_set *carried;
};

/* Where an input's bindings (one per field, filled by the job) are: the
 * design's field, snowball's TO, a split's BY and label, the second and
 * third fields of --time-field, then stats' more fields. */
#define LADLE_BINDING_MORE_FIELDS 6

struct ladle_sampler_ops {
    const char *name;
    int streaming;
    int ordered;
    int report; /* writes a report, not records: no --header line above it */
    ladle_status (*create)(struct ladle_sampler *s, struct ladle_error *err);
    /* Offers every record of a framed chunk of the input called `name`. */
    ladle_status (*offer)(struct ladle_sampler *s, const struct ladle_chunk *ck,
                          struct ladle_outbuf *out, const char *name, struct ladle_error *err);
    /* Ordered designs: the chunk's records start at data + starts[i]
     * (i < n) and the first has global index `first`; emit the chosen ones
     * into out. */
    ladle_status (*select)(struct ladle_sampler *s, uint64_t first, const struct ladle_chunk *ck,
                           const uint32_t *starts, size_t n, struct ladle_outbuf *out,
                           struct ladle_error *err);
    /* Designs whose summary must see values in input order (so it does not
     * depend on threads or chunking): called on the calling thread with
     * what offer() put in each chunk's out, chunk after chunk in input
     * order, on the calling thread's own state; nothing of out is written.
     * That state is merged last. NULL for the others. */
    ladle_status (*absorb)(struct ladle_sampler *s, const struct ladle_outbuf *out,
                           struct ladle_error *err);
    /* Folds `from` into `into`; `from` is left empty. */
    ladle_status (*merge)(struct ladle_sampler *into, struct ladle_sampler *from,
                          struct ladle_error *err);
    /* Emits what the state retains. */
    ladle_status (*finish)(struct ladle_sampler *s, struct ladle_writer *w,
                           struct ladle_error *err);
    /* Appends the state to out; NULL for streaming designs (their state is the output). */
    ladle_status (*serialize)(const struct ladle_sampler *s, struct ladle_outbuf *out,
                              struct ladle_error *err);
    /* Replaces the (freshly created) state by one read from data. */
    ladle_status (*deserialize)(struct ladle_sampler *s, const void *data, size_t len,
                                struct ladle_error *err);
    void (*destroy)(struct ladle_sampler *s);
    /* NULL, or why two states drawn apart cannot be joined by `ladle merge`
     * (the sample of one depends on what the other read): the refusal. */
    const char *merge_refusal;
    /* 1: deserialize into a state that already holds a sample joins the
     * two, as merge would; ladle merge then never copies a record the
     * sample drops at once. */
    int deserialize_joins;
};

extern const struct ladle_sampler_ops ladle_sampler_all; /* every record (split without a design) */
extern const struct ladle_sampler_ops ladle_sampler_bernoulli;
extern const struct ladle_sampler_ops ladle_sampler_bottomk;
extern const struct ladle_sampler_ops ladle_sampler_head;
extern const struct ladle_sampler_ops ladle_sampler_systematic;
extern const struct ladle_sampler_ops ladle_sampler_cluster;
extern const struct ladle_sampler_ops ladle_sampler_fractions;
extern const struct ladle_sampler_ops ladle_sampler_weighted;
extern const struct ladle_sampler_ops ladle_sampler_stats;
extern const struct ladle_sampler_ops ladle_sampler_strata_count;   /* pass 1 of strata -n */
extern const struct ladle_sampler_ops ladle_sampler_strata;         /* per-stratum samples */
extern const struct ladle_sampler_ops ladle_sampler_cluster_keys;   /* pass 1 of --clusters */
extern const struct ladle_sampler_ops ladle_sampler_cluster_groups; /* --within-size */
extern const struct ladle_sampler_ops ladle_sampler_snowball;       /* one wave per pass */
extern const struct ladle_sampler_ops ladle_sampler_cluster_carry;  /* --clusters under --state */
extern const struct ladle_sampler_ops ladle_sampler_replace_count;  /* pass 1 of -n --replace */
extern const struct ladle_sampler_ops ladle_sampler_replace;        /* -n --replace's draws */

struct ladle_plan;
/* Snowball, before wave 0: more seed keys in plan->frontier than
 * --max-nodes leave only the max_nodes with the smallest value keys. */
ladle_status ladle_snowball_cap_seeds(struct ladle_plan *plan, const struct ladle_config *cfg,
                                      struct ladle_error *err);

ladle_status ladle_sampler_init(struct ladle_sampler *s, const struct ladle_sampler_ops *ops,
                                const struct ladle_config *cfg, struct ladle_error *err);
void ladle_sampler_destroy(struct ladle_sampler *s);

/* Field f of record rec under --missing: 1 with the value in v, vlen (KEEP
 * gives ""), 0 to leave the record out (SKIP; the caller counts it), -1
 * with an error recorded (ERROR, no memory). A malformed record (broken
 * JSON/CSV) is an error, or under --malformed skip left out with *v NULL,
 * so that callers count it apart. offset:
 * the record's offset for messages, UINT64_MAX when not known (a record a
 * design copied out of its chunk). */
int ladle_field_under_policy(const struct ladle_config *cfg, const struct ladle_field *f,
                             const struct ladle_field_binding *b, struct ladle_field_scratch *sc,
                             const char *rec, size_t len, uint64_t offset, const char *name,
                             const char **v, size_t *vlen, struct ladle_error *err);
/* "record at offset N" in buf, or "a sampled record" for UINT64_MAX. */
const char *ladle_record_where(uint64_t offset, char *buf, size_t size);

/* The design's field of record rec (of chunk ck, input `name`), with
 * --missing applied: 1 with the value in v, vlen (KEEP gives ""), 0 to leave the
 * record out (SKIP; counted), -1 with an error recorded (ERROR, or no memory). */
int ladle_sampler_field(struct ladle_sampler *s, const struct ladle_chunk *ck, const char *rec,
                        size_t len, uint64_t offset, const char *name, const char **v, size_t *vlen,
                        struct ladle_error *err);
/* A record offered to a field design, with its field's value. */
struct ladle_valued {
    const struct ladle_chunk *ck;
    const char *data; /* the record, ending in '\n' */
    size_t len;
    uint64_t offset;   /* its identity within ck->input */
    const char *value; /* the field's value (borrowed until the next record) */
    size_t vlen;
    const char *name; /* the input's name, for messages */
};

/* Field designs: walks the records of ck, counts them, extracts the
 * design's field under --missing, and calls take for each record that has
 * a value. take returns LADLE_OK to go on, or an error it recorded. */
ladle_status
ladle_sampler_each_value(struct ladle_sampler *s, const struct ladle_chunk *ck,
                         struct ladle_outbuf *out, const char *name, struct ladle_error *err,
                         ladle_status (*take)(struct ladle_sampler *s, const struct ladle_valued *r,
                                              struct ladle_outbuf *out, struct ladle_error *err));

/* Adds from's record counters into into's (and zeroes them): every merge starts so. */
void ladle_sampler_merge_counts(struct ladle_sampler *into, struct ladle_sampler *from);

/* The "out of memory" every design reports the same way. */
ladle_status ladle_sampler_nomem(struct ladle_error *err);

/* Streaming designs keep each record's key with its bytes when the output
 * is shuffled, split, or carried over by --state (a later run may shuffle). */
static inline int ladle_sampler_wants_keys(const struct ladle_config *cfg)
{
    return cfg->params.shuffle || cfg->params.split || (cfg->state && cfg->state->carry_out);
}

/* Streaming designs: appends a kept record to out, with its key when the
 * output is shuffled and `extra` as the added column (its estimator weight
 * with --emit-weight, its wave with --emit-wave). 0 or -1. */
int ladle_sampler_emit(const struct ladle_sampler *s, struct ladle_outbuf *out, const char *rec,
                       size_t len, uint64_t key, double extra);

/* Same for a bad value the design found itself (a weight that is not a
 * number): 1 keep going with the empty value (KEEP), 0 skip, -1 error. */
int ladle_sampler_bad_value(struct ladle_sampler *s, const char *name, uint64_t offset,
                            const char *what, struct ladle_error *err);

#endif

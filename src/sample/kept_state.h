/*
 * kept_state.h -- the serialized state of a design that keeps "the N
 * smallest keys" in a kheap (bottom-k, weighted): what lets partial states
 * from other processes and earlier runs merge.
 *
 * One layout for every such design, so they share one reader that is
 * careful with untrusted bytes. All integers are little-endian u64:
 *
 *   magic    8 bytes: 4 letters naming the design, 0, 0, 0, version
 *   params   the design's parameters (one u64 each, in the order the
 *            design lists them): the sample is only mergeable with one
 *            drawn the same way
 *   records_seen
 *   count
 *   count records, each:
 *     key, input, offset, len,
 *     weight  the bit pattern of the double (0 for designs without one),
 *     len bytes of the record, ending in '\n'
 *   and nothing after the last record.
 *
 * Output choices (--shuffle, --format) are not parameters: a state can be
 * emitted either way.
 */
#ifndef LADLE_KEPT_STATE_H
#define LADLE_KEPT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "out/outbuf.h"
#include "sample/kheap.h"
#include "sample/payload_bytes.h"

/* A design parameter, named as the user sets it, for the message that
 * refuses a state drawn with another value. */
struct ladle_state_param {
    const char *flag; /* "-n", "--seed", "--emit-weight" */
    uint64_t value;
    int is_switch; /* printed as on/off rather than as a number */
};

struct ladle_state_format {
    char magic[4];                          /* the design's letters: "LDBK" */
    unsigned char version;                  /* bumped whenever the layout changes */
    const char *design;                     /* for messages: "bottom-k" */
    const struct ladle_state_param *params; /* borrowed */
    size_t nparams;
    struct ladle_input_remap remap; /* where each record's input goes */
};

/* Appends the state of heap h (and records_seen) to out.
 * LADLE_OK, or LADLE_E_INTERNAL when out of memory. */
ladle_status ladle_kept_state_write(const struct ladle_state_format *f, uint64_t records_seen,
                                    const struct ladle_kheap *h, struct ladle_outbuf *out,
                                    struct ladle_error *err);

/* Reads a state written by ladle_kept_state_write with the same format and
 * parameters: inserts each record into h (which keeps its N best, as a
 * merge would) and adds the state's records_seen to *records_seen.
 * The whole state is checked before anything is inserted, so a refused
 * state leaves h and *records_seen as they were. Errors: LADLE_E_INPUT
 * ("state: not a <design> sample state", a wrong version, "state: drawn
 * with -n 5, not this sample's -n 6", "state: truncated or corrupt"),
 * LADLE_E_INTERNAL when out of memory (h then holds part of the state). */
ladle_status ladle_kept_state_read(const struct ladle_state_format *f, const void *data, size_t len,
                                   struct ladle_kheap *h, uint64_t *records_seen,
                                   struct ladle_error *err);

#endif

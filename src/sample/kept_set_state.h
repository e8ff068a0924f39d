/*
 * kept_set_state.h -- the carried sample of a streaming or ordered design
 * under --state (--rate, --strata --fractions, --cluster --rate, --head,
 * --every): the records it kept so far, as the output printed them.
 *
 * Such designs hold no state in a run (each record's fate is decided on
 * the spot), so under --state the job gathers what they kept and the
 * union with the earlier runs' records is written back in this layout.
 * All integers are little-endian u64:
 *
 *   magic    8 bytes: "LDKS", 0, 0, 0, version
 *   records_seen  every record offered so far (--every continues from it)
 *   count
 *   count records, in (input, offset) order, each:
 *     key      the record's key (the --shuffle order)
 *     input    its position among the sources (output order)
 *     offset   its rank: a run numbers its records after the carried ones
 *     len, then len bytes: the record as printed (with its --emit-weight
 *              column), ending in '\n'
 *   and nothing after the last record.
 *
 * The design and its parameters are in the state container (LDST), which
 * refuses a state drawn otherwise before this payload is read.
 */
#ifndef LADLE_KEPT_SET_STATE_H
#define LADLE_KEPT_SET_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "out/outbuf.h"
#include "sample/kept.h"
#include "sample/payload_bytes.h"

#define LADLE_KEPT_SET_VERSION 1

/* Sorts s by (input, offset), renumbers the offsets 0..count-1 in that
 * order, and appends the payload to out. LADLE_OK or LADLE_E_INTERNAL. */
ladle_status ladle_kept_set_state_write(struct ladle_kept_set *s, uint64_t records_seen,
                                        struct ladle_outbuf *out, struct ladle_error *err);

/* Reads a payload from untrusted bytes: checks all of it first, then
 * copies every record into s (each input placed by input_remap) and adds
 * its records_seen to *records_seen. A refusal (LADLE_E_INPUT, "state: ...")
 * leaves s as it was. */
ladle_status ladle_kept_set_state_read(const void *data, size_t len,
                                       const struct ladle_input_remap *input_remap,
                                       struct ladle_kept_set *s, uint64_t *records_seen,
                                       struct ladle_error *err);

/* The streaming and ordered designs' serialize, deserialize and merge ops,
 * over s->carried: what `ladle merge` joins (a run under --state gathers
 * its records in job/stream_state.c instead). merge keeps --head's first N
 * by (input, offset) of the union. */
struct ladle_sampler;
ladle_status ladle_carried_serialize(const struct ladle_sampler *s, struct ladle_outbuf *out,
                                     struct ladle_error *err);
ladle_status ladle_carried_deserialize(struct ladle_sampler *s, const void *data, size_t len,
                                       struct ladle_error *err);
ladle_status ladle_carried_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                 struct ladle_error *err);

#endif

/*
 * groups_state.h -- the serialized state of a design that keeps one bottom-k
 * per group (stratified -n / --per-stratum, --clusters M under --state):
 * what lets chained runs and `ladle merge` join them exactly.
 *
 * All integers are little-endian u64:
 *
 *   magic    8 bytes: 4 letters naming the design, 0, 0, 0, version
 *   records_seen
 *   nkeys, then nkeys u64 keys (--clusters: the M+1 smallest cluster keys)
 *   ngroups, each:
 *     vlen, vlen bytes of the group's value,
 *     seen    records offered to the group (its size, under --state)
 *     count, then count records: key, input, offset, len, len bytes
 *            ending in '\n'
 *   and nothing after the last group.
 *
 * The parameters live in the state container (src/state), not here.
 */
#ifndef LADLE_GROUPS_STATE_H
#define LADLE_GROUPS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "out/outbuf.h"
#include "sample/groups.h"
#include "sample/payload_bytes.h"

/* Keeps a group in the written state? NULL keeps every one. */
typedef int (*ladle_groups_filter)(void *arg, const char *v, size_t len);

/* Appends the state to out. LADLE_OK, or LADLE_E_INTERNAL (no memory). */
ladle_status ladle_groups_state_write(const char magic[4], uint64_t records_seen,
                                      const uint64_t *keys, size_t nkeys,
                                      const struct ladle_groups *g, ladle_groups_filter keep,
                                      void *keep_arg, struct ladle_outbuf *out,
                                      struct ladle_error *err);

/* Reads a state of that magic: checks all of it first (a refused state
 * changes nothing), then adds each group's records to g (new groups get a
 * heap of cap records; a heap keeps its cap best, as a merge would) and
 * its seen, places every record's input by base (payload_bytes.h), adds records_seen to
 * *records_seen, and (keys not NULL) hands the keys back in a malloc'd
 * array (*keys NULL when there are none). LADLE_E_INPUT "state: truncated
 * or corrupt" (also for an input past 2^32 - 1 after base) or
 * "state: not a <design> state", LADLE_E_INTERNAL when out of memory. */
ladle_status ladle_groups_state_read(const char magic[4], const char *design, const void *data,
                                     size_t len, const struct ladle_input_remap *base, uint64_t cap,
                                     struct ladle_groups *g, uint64_t *records_seen,
                                     uint64_t **keys, size_t *nkeys, struct ladle_error *err);

#endif

/*
 * spill_sort.h -- records sorted by (key, input, rank) in bounded memory:
 * the out-of-core --shuffle. Records gather in a buffer of at most
 * `memory` bytes; a full buffer is sorted and written as a run, zstd level
 * 1, to an unnamed temporary file (removed by the kernel on every exit
 * path, SIGKILL included: sort/run_writer.h); the end merges the runs in
 * one pass (more runs than `memory` can read at once merge in groups into
 * one run first) and writes every record through the writer (ladle_writer_record: the record sink,
 * a split's record hook and --head all see them as before). Nothing
 * spilled: the buffer is sorted and written as is. The order is
 * ladle_kept_sort's by key, so outputs do not depend on `memory`.
 */
#ifndef LADLE_SPILL_SORT_H
#define LADLE_SPILL_SORT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "out/writer.h"

struct ladle_spill_sort;

/* memory: the buffer's budget in bytes (records and their index);
 * tmpdir: where runs go (NULL: $TMPDIR, else /tmp); helpers: the worker
 * threads that may call ladle_spill_sort_help (sort/run_writer.h); cancel
 * may be NULL. */
struct ladle_spill_sort *ladle_spill_sort_new(size_t memory, const char *tmpdir, unsigned helpers,
                                              const atomic_int *cancel, struct ladle_error *err);
/* Who to tell that a run's frame waits to be compressed (NULL: nobody). */
void ladle_spill_sort_set_wake(struct ladle_spill_sort *s, void (*wake)(void *arg), void *arg);
/* A worker thread `slot`: compresses one waiting frame, if any. */
void ladle_spill_sort_help(struct ladle_spill_sort *s, unsigned slot);
/* Copies one record in (spilling a run first when the buffer is full). */
ladle_status ladle_spill_sort_add(struct ladle_spill_sort *s, uint64_t key, uint32_t input,
                                  uint64_t rank, const char *data, size_t len);
/* Writes every record in order; once. */
ladle_status ladle_spill_sort_emit(struct ladle_spill_sort *s, struct ladle_writer *w);
/* Records added so far. */
uint64_t ladle_spill_sort_count(const struct ladle_spill_sort *s);
/* Runs spilled from the buffer, the merges of runs into one that a small
 * memory asked for before the last, and the compressed bytes written (what
 * the temporary disk took, at most, freed space not deducted). */
unsigned ladle_spill_sort_runs(const struct ladle_spill_sort *s);
unsigned ladle_spill_sort_passes(const struct ladle_spill_sort *s);
uint64_t ladle_spill_sort_spilled(const struct ladle_spill_sort *s);
void ladle_spill_sort_free(struct ladle_spill_sort *s);

#endif

/*
 * groups.h -- one bottom-k sample per group (stratum or cluster): what
 * stratified -n / --per-stratum and cluster --within-size keep. A value map
 * from the group's value to its heap and the number of records seen in it
 * (the group's size once every record has been offered).
 */
#ifndef LADLE_GROUPS_H
#define LADLE_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "out/writer.h"
#include "sample/kheap.h"
#include "sample/vmap.h"

struct ladle_group {
    struct ladle_kheap heap;
    uint64_t seen;  /* records offered to this group */
    uint64_t total; /* the group's size when known in advance (two passes), else 0 */
};

struct ladle_groups {
    struct ladle_vmap map; /* value -> struct ladle_group */
};

void ladle_groups_init(struct ladle_groups *g);
void ladle_groups_free(struct ladle_groups *g);

/* The group of value v, created with a heap of cap records if new. NULL: no memory. */
struct ladle_group *ladle_groups_get(struct ladle_groups *g, const char *v, size_t len,
                                     uint64_t cap);
/* Offers a record to a group: copies it in if its key makes the cut. 0 or -1. */
int ladle_group_offer(struct ladle_group *grp, uint64_t key, uint32_t input, uint64_t offset,
                      const char *rec, size_t len);
/* Moves from's groups into into. 0 or -1. */
int ladle_groups_merge(struct ladle_groups *into, struct ladle_groups *from);

/* Writes every kept record: input order, or key order when shuffled. With
 * emit_weight each record carries its group's inverse sampling fraction
 * (size / kept) times outer (the first stage's inverse probability). */
ladle_status ladle_groups_emit(struct ladle_groups *g, int shuffle, int emit_weight, double outer,
                               char delim, struct ladle_writer *w, struct ladle_error *err);

#endif

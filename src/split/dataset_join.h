/*
 * dataset_join.h -- `ladle merge -o DIR PARTDIR...`, the manifest side:
 * whether dataset folders written over disjoint parts of the inputs can be
 * joined, in which order their shards go, and the joined manifest.
 *
 * A record's split is a pure function of the seed and its identity (or
 * its --by key, or its time): a `ladle split` over part of the inputs puts
 * each of its records where one run over all of them would, in input
 * order. Joining the parts' shards split by split, in part order, gives
 * every split the records of one run, in its order. What is checked:
 *   - the folders were drawn the same way: every setting that decides a
 *     record's split or the shards' form (seed, format, ratios, --by,
 *     --time-field and its cutoffs, shard settings, ...) is the same;
 *   - every record was placed without counts over all records: no label
 *     (--stratify, --balance) and no sampling design (those need
 *     `ladle-mpi split`);
 *   - part numbers: a folder of `ladle split --part K/N` records
 *     "part": {"k": K, "n": N}; a joined one "parts": {"n": N, "k": [...]}
 *     and each shard's "part"; both may hold the job's identity "job".
 *     The same N (and job) everywhere, no K twice; shards are ordered by
 *     K, so any grouping of joins gives the same dataset.
 *     Folders without part numbers go in the order given, and may share
 *     no source (their manifests' "sources").
 * The manifests are untrusted: every field read is checked for its type.
 */
#ifndef LADLE_DATASET_JOIN_H
#define LADLE_DATASET_JOIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "split/split.h"

/* One shard of the joined dataset: which folder holds it and its entry there. */
struct ladle_join_shard {
    size_t from;      /* the folder's index */
    const char *file; /* "split/part-..." in that folder (borrowed from its manifest) */
    int64_t part;     /* its part number, 0 when the folders record none */
    json_t *entry;    /* its manifest entry (borrowed) */
    size_t seq;       /* its place in the folders' order (ties of part) */
};

struct ladle_join_plan {
    unsigned nsplits;
    char names[LADLE_SPLIT_MAX][LADLE_SPLIT_NAME_MAX + 1];
    struct ladle_join_shard *shards[LADLE_SPLIT_MAX]; /* owned: in the joined order */
    size_t count[LADLE_SPLIT_MAX];
    const char *ext;   /* the shards' extension (borrowed): jsonl, tsv, csv, txt */
    int64_t n;         /* N of the parts, 0 when none is recorded */
    const json_t *job; /* their job's identity, if recorded (borrowed) */
    size_t *order;     /* owned: the folders' indexes in joined order */
    size_t folders;    /* how many */
    int64_t *parts;    /* owned: the part numbers held, increasing (n > 0) */
    size_t nparts;
};

/* Checks the manifests m[0..count) of the folders dirs[] (each already
 * verified) against each other and plans the join. LADLE_OK;
 * LADLE_E_USAGE (they cannot be joined: err names the setting and both
 * folders) or LADLE_E_INPUT (a manifest lacks or garbles a field). */
ladle_status ladle_join_plan(struct ladle_join_plan *p, json_t *const *m, const char *const *dirs,
                             size_t count, struct ladle_error *err);
void ladle_join_plan_free(struct ladle_join_plan *p);

/* The shard file name of the i-th shard of a split in the joined dataset
 * ("train/part-00003.jsonl.zst"). */
void ladle_join_file(const struct ladle_join_plan *p, unsigned split, size_t i, char *buf,
                     size_t size);

/* The joined manifest: the first folder's settings, this command
 * (version, argv), the folders' commands under "joined", their inputs and
 * sources in joined order, every split's counts summed and shards in
 * order, and the parts it holds. JSON text ending in a newline
 * (malloc'd), NULL when out of memory. */
char *ladle_join_manifest(const struct ladle_join_plan *p, json_t *const *m, const char *version,
                          int argc, const char *const *argv);

#endif

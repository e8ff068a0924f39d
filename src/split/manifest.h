/*
 * manifest.h -- the text of DIR/manifest.json: what a split run read and
 * wrote, shard by shard, with checksums (ladle verify checks it back).
 */
#ifndef LADLE_MANIFEST_H
#define LADLE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "record/source_id.h"

struct ladle_split_state;

struct ladle_manifest_args {
    const char *version;
    int argc;
    const char *const *argv; /* the command line, recorded as given */
    uint64_t seed;
    const char *ext; /* jsonl, tsv, csv, txt */
    char delim;      /* csv: the delimiter (0 or ',' for the default) */
    int header;
    const char *by;    /* --by or --time-field spec, or NULL */
    const char *label; /* --stratify / --balance spec, or NULL */
    size_t frame_size;
    const char *const *paths;              /* inputs, as named in messages */
    const struct ladle_split_state *state; /* counts, classes and shards */
    /* What `split --append` needs to go on the same way (NULL/0: not recorded). */
    const char *design;           /* the sampling design's name ("none": every record) */
    const char *ratios, *cutoffs; /* --ratios, --cutoffs, as given */
    const char *time_format, *tz; /* --time-format, --tz */
    uint64_t shard_size, shard_records;
    int level;
    const uint32_t *first_shard; /* per split, the number of its first new shard (may be NULL) */
    /* The sources read (job/probe.h), per input; an input without a record has none. */
    const uint64_t *source_ids;
    const bool *has_id;
    const char *const *stems;
    const struct ladle_fingerprint *fps;
    int stem_path;             /* --source-stem path */
    const char *source_prefix; /* --source-prefix, or NULL */
    uint32_t part_k, part_n;   /* --part K/N (n 0: none): "part": {"k", "n", "job"} */
    uint64_t part_job;         /* the job's identity (job/part_plan.h) */
    const char *license;       /* --license (NULL: "unknown") */
};

/* The manifest as JSON text ending in a newline (malloc'd), or NULL when out of memory. */
char *ladle_manifest_json(const struct ladle_manifest_args *m);

/* root as a manifest's text (indented, keys in order, a final newline;
 * malloc'd), root released; NULL when out of memory. Every manifest
 * writer ends here (split, --append, merge -o). */
char *ladle_manifest_text(json_t *root);

#endif

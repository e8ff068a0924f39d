/*
 * manifest_append.h -- `ladle split --append`: what DIR's manifest says
 * about the dataset an append goes on, and the manifest after it.
 */
#ifndef LADLE_MANIFEST_APPEND_H
#define LADLE_MANIFEST_APPEND_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "split/split.h"

/* Checks that old (DIR/manifest.json) is a finished dataset an append can
 * go on, made like spec (the same splits, in order), and gives each split's
 * shard count in first[]. LADLE_E_USAGE (not appendable) or LADLE_E_INPUT
 * (damaged), err naming dir. */
ladle_status ladle_manifest_append_check(const json_t *old, const struct ladle_split_spec *spec,
                                         const char *dir, uint32_t *first, struct ladle_error *err);

/* The settings old records (borrowed from it; NULL: not recorded). */
struct ladle_append_settings {
    const char *design, *ratios, *by, *time_field, *cutoffs, *time_format, *tz;
    const char *format; /* for --format: json, tsv, csv, lines */
    const char *delim;  /* csv: a delimiter other than ',' */
    int header, stem_path;
    const char *prefix;
    const char *seed;    /* decimal */
    const char *license; /* NULL before 0.6.0 */
    int64_t shard_size, shard_records, level;
};
/* Reads them: 0, or -1 when old lacks one an append needs (*why says which). */
int ladle_manifest_append_settings(const json_t *old, struct ladle_append_settings *s, char *seed,
                                   size_t seed_size, const char **why);

/* The stem of the source with this id in old's "sources", or NULL. */
const char *ladle_manifest_source(const json_t *old, uint64_t id);

/* The shard files old lists ("train/part-00000.jsonl.zst"), in order: *files
 * (malloc'd array of borrowed strings) and *count. 0, or -1 out of memory. */
int ladle_manifest_files(const json_t *old, const char ***files, size_t *count);

/* A manifest made before 0.6.0 lists shards without "sha256": the entry
 * gets the SHA-256 of dirfd/file when it has none (one read of that file,
 * only then). 0, or -1 with errno. */
int ladle_manifest_entry_sha256(json_t *entry, int dirfd, const char *file);
/* The same for every shard m lists, read from dirfd (DIR or its temporary
 * folder). 0, or -1 with errno; *file names the shard that failed. */
int ladle_manifest_fill_sha256(json_t *m, int dirfd, const char **file);

/* The manifest of the dataset after the append: old with the run's manifest
 * (added, JSON text) joined in: its shards after old's, counts summed, inputs
 * and sources after old's, old's command kept and this one added under
 * "appended". JSON text ending in a newline (malloc'd), NULL out of memory. */
char *ladle_manifest_append(const json_t *old, const char *added);

#endif

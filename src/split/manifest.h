/*
 * manifest.h -- the text of DIR/manifest.json: what a split run read and
 * wrote, shard by shard, with checksums (ladle verify checks it back).
 */
#ifndef LADLE_MANIFEST_H
#define LADLE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

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
};

/* The manifest as JSON text ending in a newline (malloc'd), or NULL when out of memory. */
char *ladle_manifest_json(const struct ladle_manifest_args *m);

#endif

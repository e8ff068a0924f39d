/*
 * verify.h -- `ladle verify DIR`: checks a dataset written by `ladle split`
 * against its manifest.json, byte for byte.
 *
 * What holds when it passes: the manifest parses and has its fields; every
 * listed shard is a regular file (never a symlink) at DIR/<split>/<name>,
 * of the listed compressed size and XXH3-128; its seek table parses and
 * its frames tile the file; every frame decompresses to its listed size and
 * checksum and ends at a line boundary; frame, record and byte counts match
 * the manifest; a split's totals are the sums over its shards; no
 * part-*.zst file in a subdirectory of DIR is missing from the manifest;
 * the SHA-256 the manifest lists (0.6.0 and later) is the file's; and
 * croissant.json and README.md's YAML header are what the manifest gives
 * (split/cards.h; a 0.5.0 manifest may have neither).
 *
 * Memory stays bounded for shards of any size: each is read once, in
 * blocks, hashed and decompressed as a stream.
 */
#ifndef LADLE_VERIFY_H
#define LADLE_VERIFY_H

#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

/* What a verify run saw; the counts are the manifest's, valid when it passed. */
struct ladle_verify_totals {
    uint64_t splits, shards, records, bytes, compressed;
    uint64_t problems; /* lines written to problems (whether or not it is NULL) */
};

/* Verifies the dataset in dir. Each problem is written to problems (if not
 * NULL) as one line "ladle: DIR/FILE: what (where)", and err keeps the first
 * (without the "ladle: " prefix). On success, one summary line
 * "DIR: OK: ..." goes to summary (if not NULL). totals may be NULL.
 * Returns LADLE_OK, LADLE_E_INPUT when any check failed, or LADLE_E_INTERNAL
 * (out of memory). */
ladle_status ladle_verify_dir(const char *dir, FILE *problems, FILE *summary,
                              struct ladle_verify_totals *totals, struct ladle_error *err);
/* The same; detail (if not NULL) gets one line "ladle: verify: ..." per
 * shard and per split saying what was checked and how it came out, and one
 * for the stray-file scan (`ladle verify -v`). */
ladle_status ladle_verify_dir_detail(const char *dir, FILE *problems, FILE *summary, FILE *detail,
                                     struct ladle_verify_totals *totals, struct ladle_error *err);

#endif

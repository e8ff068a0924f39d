/*
 * source_id.h -- which source a record comes from, independent of the
 * argument order, the directory, the compression and the run
 * (doc/design-issue10.md, section 1).
 *
 *   stem = the name the source goes by: the basename of its path (or the
 *          whole path with --source-stem path, leading "./" removed), one
 *          trailing ".zst"/".gz" removed (any case), after --source-prefix;
 *          stdin's is its --source-name, normalised the same way, or "".
 *   F    = XXH3-128 of the first record as framed, '\n' included (with
 *          --header: of the header record followed by the first data record).
 *   id   = low 64 bits of XXH3-128("ladlesrc" || le32 len(stem) || stem
 *          || F (canonical, big-endian) || le32 gen).
 *
 * A source without a record (empty, header only) has no id: it gives no
 * record a key. The id enters every record's key (key.h), so this layout
 * is part of the reproducibility contract.
 */
#ifndef LADLE_SOURCE_ID_H
#define LADLE_SOURCE_ID_H

#include <stddef.h>
#include <stdint.h>

/* F: an XXH3-128 value. */
struct ladle_fingerprint {
    uint64_t low, high;
};

enum ladle_stem_mode {
    LADLE_STEM_NAME = 0, /* basename */
    LADLE_STEM_PATH = 1, /* the path as given */
};

/* The stem of path ("-": stdin, named by stdin_name, NULL for none) under
 * mode, after prefix (NULL: none). Returns a malloc'd string, NULL when out
 * of memory. */
char *ladle_source_stem(const char *path, const char *stdin_name, enum ladle_stem_mode mode,
                        const char *prefix);

/* F of a first record: XXH3-128 of header (hlen bytes, may be 0) followed
 * by rec (len bytes). */
struct ladle_fingerprint ladle_source_fingerprint(const void *header, size_t hlen, const void *rec,
                                                  size_t len);

/* The id of (stem, F, gen). */
uint64_t ladle_source_id(const char *stem, size_t stem_len, struct ladle_fingerprint f,
                         uint32_t gen);

#endif

/*
 * state.h -- the state file of `--state FILE` (doc/design-issue10.md,
 * section 4): what a run consumed and the sample it drew, so that the next
 * run over more inputs prints the sample of everything seen so far.
 *
 * Container "LDST" version 1, every integer little-endian:
 *
 *   magic     "LDST" 0 0 0 2 (version 1, read too, has no job, ordinal,
 *             from or to: they read as 0, the source's index, 0 and 0)
 *   contract  u32: the reproducibility contract the keys were drawn under
 *   design    4 ASCII letters, the payload's tag: LDBK (-n), LDWS (--weight)
 *   seed      u64
 *   job       u64: 0, or the job a --part run was part of (job/part_plan.h)
 *   nparams   u32, each: u8 type, u16 len + flag, value
 *             (u64: 8 bytes; f64: 8 bytes of bits; string: u32 len + bytes;
 *             switch: 1 byte, 0 or 1) -- every option that changes which
 *             records are drawn, named as the user types it, each once
 *   header    u32 len + bytes: the header line the output starts with
 *   nsources  u64, each: id u64, first 16 bytes (F, the first record's
 *             hash), gen u32, stem (u16 len + bytes), last path seen
 *             (u16 len + bytes), kind u8 (plain, zstd, gzip, pipe),
 *             consumed u64 (decompressed bytes, a record boundary),
 *             records u64, tail_len u16 (min(4096, consumed)), tail_hash
 *             u64 (XXH3-64 of the last tail_len bytes consumed), and the
 *             stat hint dev, ino, size, mtime_ns (u64 each); then
 *             ordinal u32 (its place among the job's inputs), from u64
 *             and to u64 (--part: the range of the source read, to 0 for
 *             its end; 0 and 0 for the whole source)
 *   nsegments u64, each: source u32 (< nsources), from u64, to u64
 *   payload   u64 len + bytes: the design's own state (kept_state.h)
 *   checksum  u64: XXH3-64 of every byte before it
 *
 * The reader takes untrusted bytes: every length is checked against the
 * end, and the whole file is walked once before anything is copied out.
 */
#ifndef LADLE_STATE_H
#define LADLE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "out/outbuf.h"

#define LADLE_STATE_VERSION 2
#define LADLE_STATE_TAIL_MAX 4096 /* bytes of a source's tail hash */

enum ladle_state_type {
    LADLE_STATE_U64 = 1,
    LADLE_STATE_F64 = 2, /* u holds the double's bits */
    LADLE_STATE_STR = 3,
    LADLE_STATE_SWITCH = 4, /* u is 0 or 1 */
};

/* A parameter of the draw, as the user types it: {"-n", U64, 100}. */
struct ladle_state_kv {
    const char *flag;
    int type; /* enum ladle_state_type */
    uint64_t u;
    const char *s; /* LADLE_STATE_STR: s[0..slen) */
    size_t slen;
};

enum ladle_state_kind {
    LADLE_STATE_PLAIN = 0,
    LADLE_STATE_ZSTD = 1,
    LADLE_STATE_GZIP = 2,
    LADLE_STATE_PIPE = 3,
};

/* One source a run consumed. Strings are NUL-terminated and hold no NUL. */
struct ladle_state_source {
    uint64_t id;
    unsigned char first[16]; /* F: XXH3-128 of the first record */
    uint32_t gen;
    const char *stem, *path;
    int kind; /* enum ladle_state_kind */
    uint64_t consumed, records;
    uint16_t tail_len;
    uint64_t tail_hash;
    uint64_t dev, ino, size, mtime_ns; /* a hint only: "unchanged" fast path */
    uint32_t ordinal;                  /* its place among the inputs of its job */
    uint64_t from, to;                 /* --part: the range read (0, 0: all of it) */
};

struct ladle_state_segment {
    uint32_t source;
    uint64_t from, to;
};

struct ladle_state {
    uint32_t contract;
    char design[4];
    uint64_t seed;
    uint64_t job; /* 0, or the --part job its sources were read in */
    const struct ladle_state_kv *params;
    size_t nparams;
    const char *header;
    size_t header_len;
    const struct ladle_state_source *sources;
    size_t nsources;
    const struct ladle_state_segment *segments;
    size_t nsegments;
    const unsigned char *payload;
    size_t payload_len;
    void *owned; /* a loaded state: the one block everything above points into */
};

/* Appends st as a state file to out. LADLE_OK, or LADLE_E_INTERNAL when out
 * of memory or a field does not fit its width (a flag over 65535 bytes). */
ladle_status ladle_state_encode(const struct ladle_state *st, struct ladle_outbuf *out,
                                struct ladle_error *err);

/* Reads a state file from data[0..len) into *st (free it with
 * ladle_state_free). `name` (may be NULL) starts each message. Errors:
 * LADLE_E_INPUT, "NAME: state: what (byte N)" -- not a state file, a newer
 * container version or another reproducibility contract, a bad checksum,
 * a field past the end or out of range; LADLE_E_INTERNAL when out of memory.
 * On error *st is left empty. */
ladle_status ladle_state_decode(const void *data, size_t len, const char *name,
                                struct ladle_state *st, struct ladle_error *err);

void ladle_state_free(struct ladle_state *st);

/* Refuses a state drawn otherwise than this run: another design, seed or
 * parameter, naming the first that differs as the user types it
 * ("state: drawn with --seed 7, this run has --seed 3"). LADLE_E_USAGE. */
ladle_status ladle_state_check(const struct ladle_state *st, const char design[4], uint64_t seed,
                               const struct ladle_state_kv *params, size_t nparams,
                               struct ladle_error *err);

/* ladle merge: refuses two states drawn otherwise, naming both and the
 * first parameter that differs ("merge: a.st and b.st were drawn
 * differently: a.st has -n 10, b.st has -n 20"). LADLE_E_USAGE. */
ladle_status ladle_state_check_pair(const struct ladle_state *a, const char *name_a,
                                    const struct ladle_state *b, const char *name_b,
                                    struct ladle_error *err);

/* Files (state_file.c). */

/* Reads the state file at path into *st. *exists is 0 (and *st empty) when
 * there is none. Errors as ladle_state_decode, LADLE_E_INPUT when it cannot
 * be read. */
ladle_status ladle_state_read_file(const char *path, struct ladle_state *st, int *exists,
                                   struct ladle_error *err);

/* Replaces the file at path by st, atomically: a temporary file in the
 * same folder, written, fsync'd and renamed over path, then the folder
 * fsync'd. On an error before the rename the old file is as it was and the
 * temporary file is removed; a failure to sync the folder after it says
 * "written, but". LADLE_E_OUTPUT ("state: cannot write PATH: ..."). */
ladle_status ladle_state_write_file(const char *path, const struct ladle_state *st,
                                    struct ladle_error *err);

/* Holds PATH.lock (flock) against another run using the same state until
 * ladle_state_unlock. *fd receives the lock's descriptor. LADLE_E_USAGE
 * "state PATH is in use by another ladle", LADLE_E_OUTPUT if the lock file
 * cannot be made. The lock file stays: removing it would race a waiter. */
ladle_status ladle_state_lock(const char *path, int *fd, struct ladle_error *err);
void ladle_state_unlock(int fd);

#endif

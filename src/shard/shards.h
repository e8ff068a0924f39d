/*
 * shards.h -- writing each split as zstd shards in the seekable format.
 *
 * Records arrive in output order, one at a time, on the output thread.
 * Each split cuts them into frames of whole records (about frame_size
 * uncompressed bytes each) and frames into shards (--shard-size bytes or
 * --shard-records records). Frame and shard edges depend only on the
 * sequence of records, so shards are byte-identical for any thread count.
 *
 * A full frame is queued for compression: any worker thread may take it
 * (ladle_shards_help), and the output thread compresses queued frames
 * itself whenever it must wait for one, so progress never depends on the
 * workers. Frames are written in the order they were queued; each shard
 * ends with its seek table and is hashed (XXH3-128 and SHA-256) as it is
 * written.
 * Buffers come from a fixed pool: memory is bounded whatever the input.
 */
#ifndef LADLE_SHARDS_H
#define LADLE_SHARDS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define LADLE_FRAME_SIZE ((size_t)2 << 20) /* uncompressed bytes per zstd frame */

struct ladle_shards_config {
    int dirfd;            /* the folder holding one sub-folder per split */
    const char *dir_name; /* DIR, for messages */
    unsigned nsplits;
    const char *const *names; /* borrowed: split names = sub-folder names */
    const char *ext;          /* file name extension before .zst: jsonl, tsv, csv, txt;
                                 NULL: jsonl or txt, from the first record (--format auto) */
    uint64_t shard_size;      /* uncompressed bytes per shard (0: no limit) */
    uint64_t shard_records;   /* records per shard (0: no limit) */
    size_t frame_size;        /* uncompressed bytes per frame */
    int level;                /* zstd level */
    unsigned helpers;         /* worker threads that may call ladle_shards_help */
    void (*wake)(void *arg);  /* tells a worker a frame is waiting (may be NULL) */
    void *wake_arg;
    const atomic_int *cancel; /* borrowed, may be NULL: set, the remaining frames are dropped */
    const uint32_t *first;    /* borrowed, may be NULL: per split, the number of its first
                                 shard (split --append: after the existing ones) */
};

struct ladle_shard_info {
    uint64_t records;    /* not counting a header line */
    uint64_t bytes;      /* uncompressed, header included */
    uint64_t compressed; /* bytes of the file */
    uint64_t frames;
    unsigned char xxh3_128[16]; /* canonical (big-endian) XXH3-128 of the file */
    char sha256[65];            /* SHA-256 of the file, lowercase hex (what sha256sum prints) */
};

struct ladle_shards;

ladle_status ladle_shards_create(struct ladle_shards **out, const struct ladle_shards_config *c,
                                 struct ladle_error *err);
/* Who to wake when a frame is queued (the current pipeline run; NULL between runs). */
void ladle_shards_set_wake(struct ladle_shards *s, void (*wake)(void *arg), void *arg);
/* The line every shard starts with (copied); only before the first record. */
ladle_status ladle_shards_set_header(struct ladle_shards *s, const char *h, size_t len,
                                     struct ladle_error *err);
/* Output thread only: appends one record (ending in '\n') to split k. */
ladle_status ladle_shards_add(struct ladle_shards *s, unsigned k, const char *rec, size_t len,
                              struct ladle_error *err);
/* Any worker thread `slot` (< helpers): compresses one queued frame, if any. */
void ladle_shards_help(struct ladle_shards *s, unsigned slot);
/* Output thread, once no more records come: writes every frame and closes every shard. */
ladle_status ladle_shards_finish(struct ladle_shards *s, struct ladle_error *err);
/* After finish: the shards of split k. */
const struct ladle_shard_info *ladle_shards_of(const struct ladle_shards *s, unsigned k,
                                               size_t *count);
/* The file name extension (decided by the first record when the config gave none). */
const char *ladle_shards_ext(const struct ladle_shards *s);
/* The file name of shard i of a split ("part-00000.jsonl.zst"). */
void ladle_shard_file_name(char *buf, size_t size, uint32_t i, const char *ext);
void ladle_shards_destroy(struct ladle_shards *s);

#endif

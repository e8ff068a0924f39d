/*
 * verify_shard.h -- one shard of a dataset checked against what the
 * manifest says of it, and the run state the verifier's two halves share
 * (verify.c reads the manifest, verify_shard.c reads the shards).
 * Internal to src/split.
 */
#ifndef LADLE_VERIFY_SHARD_H
#define LADLE_VERIFY_SHARD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <zstd.h>

#include "common/error.h"
#include "split/verify.h"

#define LADLE_VERIFY_BLOCK (1u << 20) /* bytes per pread of a shard */

struct ladle_verify_run {
    const char *dir; /* borrowed: as the user wrote it, for messages */
    FILE *problems;  /* borrowed; may be NULL */
    FILE *detail;    /* borrowed; NULL unless -v: a line per shard and split checked */
    struct ladle_error *err;
    struct ladle_verify_totals tot;
    int dirfd;
    int live;          /* a ladle run holds DIR's lock: its temporary folder is no stray */
    int header;        /* manifest "header": each shard's first line is a header */
    char csv_delim;    /* manifest "format": "csv": records end outside quotes */
    unsigned char *in; /* LADLE_VERIFY_BLOCK bytes of file */
    unsigned char *out;
    size_t out_cap;
    ZSTD_DCtx *dctx;
};

/* What the manifest says of one shard. */
struct ladle_shard_expect {
    const char *file; /* borrowed from the manifest: "<split>/<name>" */
    uint64_t records, bytes, compressed, frames;
    const char *xxh3_128; /* NULL when the manifest's value is malformed */
    const json_t *sha256; /* the manifest's "sha256", NULL when absent (made before 0.6.0) */
};

/* Reports "DIR/file: what (where)"; file and where may be NULL. */
__attribute__((format(printf, 4, 5))) void ladle_verify_problem(struct ladle_verify_run *v,
                                                                const char *file, const char *where,
                                                                const char *fmt, ...);

/* Reads the shard x->file once and reports every way it differs from x. */
void ladle_verify_shard(struct ladle_verify_run *v, const struct ladle_shard_expect *x);

#endif

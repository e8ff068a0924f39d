/*
 * fuzz_codec.h -- the driver shared by the decoder targets
 * (fuzz_codec_zstd.c, fuzz_codec_gzip.c): arbitrary bytes, as a file, go
 * through the same steps as an input of a run (engine/decode.c): a
 * source on the pread engine, the format magic peeked, the codec's open,
 * next until the end, each chunk framed into whole records, close. The
 * codec is forced, whatever the magic says, so the fuzzer reaches the
 * decoder's error paths from the first byte.
 *
 * Chunks are small (4 KiB, 64 bytes of headroom) so that the input ring,
 * the chunk edges and the framer's long-record path all turn over on
 * small inputs. Output is capped at 64 MiB (a decompression bomb is no
 * bug: the pipeline streams it) by setting the stop flag.
 *
 * Checked: the run ends with LADLE_OK or LADLE_E_INPUT, and an error
 * message names the input first ("fuzz: ..."), as every message must.
 * And against a reference decoder of the same bytes (the target passes
 * one: libzstd's streaming API used directly, or zlib for gzip): ladle
 * accepts exactly the inputs the reference accepts, and its records are
 * the reference's bytes (plus the '\n' a last line without one gains).
 * This is what catches a damaged or cut stream read as a shorter one.
 */
#ifndef LADLE_FUZZ_CODEC_H
#define LADLE_FUZZ_CODEC_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "common/config.h"
#include "common/error.h"
#include "fuzz_util.h"
#include "io/source.h"
#include "engine/chunk_pool.h"
#include "record/chunk.h"
#include "record/framer.h"

#define FUZZ_CODEC_OUT_CAP ((uint64_t)64 << 20)
/* Past this much output the reference gives up and nothing is compared. */
#define FUZZ_CODEC_REF_CAP ((size_t)16 << 20)

/* A reference decoding: ok (accepted), too_big (over FUZZ_CODEC_REF_CAP). */
struct fuzz_ref {
    unsigned char *out; /* owns */
    size_t len, cap;
    int ok, too_big;
};

/* Appends n bytes to r; 0, or -1 when past the cap. */
static int fuzz_ref_add(struct fuzz_ref *r, const void *p, size_t n)
{
    if (r->len + n > FUZZ_CODEC_REF_CAP) {
        r->too_big = 1;
        return -1;
    }
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 65536;
        while (cap < r->len + n)
            cap *= 2;
        unsigned char *q = realloc(r->out, cap);
        if (!q)
            abort();
        r->out = q;
        r->cap = cap;
    }
    if (n)
        memcpy(r->out + r->len, p, n);
    r->len += n;
    return 0;
}

static int fuzz_codec_run(const uint8_t *data, size_t size, const struct ladle_codec_ops *ops,
                          void (*reference)(const uint8_t *, size_t, struct fuzz_ref *))
{
    struct fuzz_ref ref;
    memset(&ref, 0, sizeof ref);
    reference(data, size, &ref);
    struct fuzz_ref got; /* what ladle's records hold */
    memset(&got, 0, sizeof got);
    int fd = fuzz_memfd(data, size);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct ladle_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.engine.io_mode = LADLE_IO_PREAD;
    cfg.engine.chunk_size = 4096;
    cfg.engine.max_record = (size_t)1 << 30;
    cfg.engine.threads = 1;
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_source *src = NULL;
    if (ladle_source_open(&src, path, "fuzz", &cfg, &err) != LADLE_OK)
        FUZZ_DIE("ladle_source_open");
    unsigned char magic[4];
    if (ladle_source_peek(src, magic, sizeof magic) < 0)
        FUZZ_DIE("ladle_source_peek");

    struct ladle_chunk_pool pool;
    if (ladle_chunk_pool_init(&pool, 3, cfg.engine.chunk_size, 64) != 0)
        abort();
    int stop = 0;
    struct ladle_decoder d = {
        .ops = ops,
        .src = src,
        .chunks = ladle_chunk_pool_supply(&pool),
        .cfg = &cfg,
        .err = &err,
        .name = "fuzz",
    };
    struct ladle_framer fr;
    ladle_framer_init(&fr, cfg.engine.max_record, "fuzz");
    ladle_status st = d.ops->open(&d);
    while (st == LADLE_OK) {
        struct ladle_chunk *ck = NULL;
        st = d.ops->next(&d, &ck);
        if (st != LADLE_OK || stop) {
            if (ck)
                ladle_chunk_put(ck);
            break;
        }
        int eof = ck == NULL;
        if (eof && !(ck = ladle_chunk_get(&pool)))
            abort();
        if (!eof && (ck->len == 0 || ck->len > cfg.engine.chunk_size))
            abort(); /* next() hands back 1..chunk_size fresh bytes */
        st = ladle_framer_push(&fr, &ck, eof, &err);
        if (st == LADLE_OK)
            (void)fuzz_ref_add(&got, ck->data, ck->len);
        ladle_chunk_put(ck);
        if (eof)
            break;
        if (fr.next_off > FUZZ_CODEC_OUT_CAP) {
            stop = 1;
            ladle_chunk_pool_stop(&pool);
        }
    }
    d.ops->close(&d);
    ladle_framer_destroy(&fr);
    ladle_source_close(src);
    ladle_chunk_pool_destroy(&pool);
    close(fd);
    if (st != LADLE_OK && st != LADLE_E_INPUT)
        abort(); /* bad bytes are an input error, never anything else */
    if ((st != LADLE_OK) != (ladle_error_any(&err) != 0))
        abort(); /* a failure has its message, and only a failure */
    if (st != LADLE_OK && strncmp(err.msg, "fuzz: ", 6) != 0)
        abort(); /* messages start with the input's name */
    if (!ref.too_big && !got.too_big && !stop) {
        if ((st == LADLE_OK) != ref.ok) {
            fprintf(stderr, "fuzz_codec: ladle %s, the reference %s (%s)\n",
                    st == LADLE_OK ? "accepts" : "refuses", ref.ok ? "accepts" : "refuses",
                    err.msg);
            abort();
        }
        if (ref.ok && ref.len && ref.out[ref.len - 1] != '\n')
            (void)fuzz_ref_add(&ref, "\n", 1);
        if (st == LADLE_OK &&
            (got.len != ref.len || (ref.len && memcmp(got.out, ref.out, ref.len) != 0))) {
            fprintf(stderr, "fuzz_codec: ladle decoded %zu bytes, the reference %zu\n", got.len,
                    ref.len);
            abort();
        }
    }
    free(ref.out);
    free(got.out);
    return 0;
}

#endif

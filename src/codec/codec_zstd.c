/*
 * codec_zstd.c -- zstd through libzstd's streaming API. Concatenated frames
 * and skippable frames are handled by libzstd itself. The window is capped
 * at 2^27 (128 MiB) unless --long raises it to 2^31, so a hostile or
 * mistaken file cannot make us allocate gigabytes.
 *
 * Each frame's decoded size is checked against the content size its header
 * declares: libzstd 1.5's streaming decoder skips that check when a frame
 * ends in an empty last block and the output buffer (one chunk) is smaller
 * than the declared size, so such a damaged frame would read as shorter
 * data, or as nothing, whenever it declares more than a chunk holds.
 */
#include "codec/codec.h"

#include <stdlib.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader: exported by the shared library */
#include <zstd.h>
#include <zstd_errors.h>

struct zstd_state {
    ZSTD_DCtx *dctx;
    struct ladle_codec_input in;
    ZSTD_inBuffer zin;
    size_t last_ret;   /* last ZSTD_decompressStream result: 0 = frame complete */
    int started;       /* any compressed byte consumed */
    int done;
    /* The current frame: its first header bytes, and bytes decoded so far. */
    unsigned char hdr[ZSTD_FRAMEHEADERSIZE_MAX];
    size_t hdr_len;
    int hdr_done;           /* hdr parsed (or past hope of it) */
    unsigned long long fcs; /* declared content size, or ZSTD_CONTENTSIZE_UNKNOWN */
    uint64_t frame_out;
};

static ladle_status zstd_open(struct ladle_decoder *d)
{
    struct zstd_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_error_set(d->err, LADLE_E_INTERNAL, "%s: out of memory", d->name);
    d->state = st;
    st->dctx = ZSTD_createDCtx();
    if (!st->dctx)
        return ladle_error_set(d->err, LADLE_E_INTERNAL, "%s: out of memory", d->name);
    ZSTD_DCtx_setParameter(st->dctx, ZSTD_d_windowLogMax, d->cfg->zstd_long ? 31 : 27);
    return ladle_codec_input_open(d, &st->in);
}

static ladle_status zstd_fail(struct ladle_decoder *d, struct zstd_state *st, size_t r)
{
    unsigned long long at = (unsigned long long)(st->in.consumed_before + st->zin.pos);
    if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge)
        return ladle_error_set(d->err, LADLE_E_INPUT,
                               "%s: zstd window larger than %s (use --long) (at compressed byte %llu)",
                               d->name, d->cfg->zstd_long ? "2 GiB" : "128 MiB", at);
    return ladle_error_set(d->err, LADLE_E_INPUT, "%s: corrupt zstd data: %s (at compressed byte %llu)",
                           d->name, ZSTD_getErrorName(r), at);
}

/* One ZSTD_decompressStream step, plus the frame content size check. */
static size_t zstd_step(struct zstd_state *st, ZSTD_outBuffer *zout, ZSTD_inBuffer *zin)
{
    if (!st->hdr_done && zin->pos < zin->size) {
        size_t take = sizeof st->hdr - st->hdr_len;
        if (take > zin->size - zin->pos)
            take = zin->size - zin->pos;
        memcpy(st->hdr + st->hdr_len, (const unsigned char *)zin->src + zin->pos, take);
        st->hdr_len += take;
    }
    size_t before = zout->pos;
    size_t r = ZSTD_decompressStream(st->dctx, zout, zin);
    if (ZSTD_isError(r))
        return r;
    if (!st->hdr_done) {
        ZSTD_frameHeader zfh;
        size_t h = ZSTD_getFrameHeader(&zfh, st->hdr, st->hdr_len);
        if (h == 0 || ZSTD_isError(h) || st->hdr_len == sizeof st->hdr) {
            st->hdr_done = 1;
            st->fcs = h == 0 && zfh.frameType == ZSTD_frame ? zfh.frameContentSize
                                                              : ZSTD_CONTENTSIZE_UNKNOWN;
        }
    }
    st->frame_out += zout->pos - before;
    if (r == 0) { /* a frame ended */
        if (st->hdr_done && st->fcs != ZSTD_CONTENTSIZE_UNKNOWN && st->frame_out != st->fcs)
            return (size_t)-ZSTD_error_corruption_detected;
        st->hdr_len = 0;
        st->hdr_done = 0;
        st->frame_out = 0;
    }
    return r;
}

static ladle_status zstd_next(struct ladle_decoder *d, struct ladle_chunk **out)
{
    struct zstd_state *st = d->state;
    *out = NULL;
    if (st->done)
        return LADLE_OK;
    struct ladle_chunk *ck = ladle_chunk_get(d->pool, d->stop);
    if (!ck)
        return LADLE_OK;
    ZSTD_outBuffer zout = {ck->data, d->pool->chunk_size, 0};
    while (zout.pos < zout.size) {
        if (st->zin.pos < st->zin.size) {
            size_t r = zstd_step(st, &zout, &st->zin);
            if (ZSTD_isError(r)) {
                ladle_chunk_put(ck);
                return zstd_fail(d, st, r);
            }
            st->last_ret = r;
            st->started = 1;
            continue;
        }
        if (!st->in.eof) {
            ladle_status s = ladle_codec_input_advance(d, &st->in);
            if (s != LADLE_OK) {
                ladle_chunk_put(ck);
                return s;
            }
            st->zin = (ZSTD_inBuffer){st->in.cur, st->in.cur_len, 0};
            if (atomic_load_explicit(d->stop, memory_order_acquire))
                break;
            continue;
        }
        /* End of input: flush what the decoder still holds. */
        ZSTD_inBuffer empty = {NULL, 0, 0};
        size_t before = zout.pos;
        size_t r = zstd_step(st, &zout, &empty);
        if (ZSTD_isError(r)) {
            ladle_chunk_put(ck);
            return zstd_fail(d, st, r);
        }
        if (zout.pos == before) {
            /* No progress: whatever r hints at now (the next frame's header),
             * the last real step's result says if the stream ended cleanly. */
            st->done = 1;
            break;
        }
        st->last_ret = r;
    }
    if (st->done && st->started && st->last_ret != 0) {
        ladle_chunk_put(ck);
        return ladle_error_set(d->err, LADLE_E_INPUT,
                               "%s: truncated zstd stream (at compressed byte %llu)", d->name,
                               (unsigned long long)d->src->bytes_read);
    }
    if (zout.pos == 0) {
        ladle_chunk_put(ck);
        return LADLE_OK;
    }
    ck->len = zout.pos;
    *out = ck;
    return LADLE_OK;
}

static void zstd_close(struct ladle_decoder *d)
{
    struct zstd_state *st = d->state;
    if (!st)
        return;
    ladle_codec_input_close(d, &st->in);
    ZSTD_freeDCtx(st->dctx);
    free(st);
    d->state = NULL;
}

const struct ladle_codec_ops ladle_codec_zstd = {
    .name = "zstd",
    .open = zstd_open,
    .next = zstd_next,
    .close = zstd_close,
};

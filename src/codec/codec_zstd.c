/*
 * codec_zstd.c -- zstd through libzstd's streaming API. Concatenated frames
 * and skippable frames are handled by libzstd itself. The window is capped
 * at 2^27 (128 MiB) unless --long raises it to 2^31, so a hostile or
 * mistaken file cannot make us allocate gigabytes.
 *
 * libzstd is given one unit of the stream at a time (a frame header, a
 * block header, a block, a checksum: zstd_walk.h), which costs nothing
 * measurable (a block is up to 128 KiB) and makes every message exact: an
 * error lies in the unit libzstd was given, and the walker knows where
 * that unit starts; a stream that ends early ends inside a known unit.
 *
 * Each frame's decoded size is checked against the content size its header
 * declares: libzstd 1.5's streaming decoder skips that check when a frame
 * ends in an empty last block and the output buffer (one chunk) is smaller
 * than the declared size, so such a damaged frame would read as shorter
 * data, or as nothing, whenever it declares more than a chunk holds.
 * Found by tests/fuzz (fuzz_codec_zstd).
 */
#include "codec/codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader: exported by the shared library */
#include <zstd.h>
#include <zstd_errors.h>

#include "codec/zstd_walk.h"

#define WINDOW_LOG_DEFAULT 27
#define WINDOW_LOG_LONG 31

struct zstd_state {
    ZSTD_DCtx *dctx;
    struct ladle_codec_input in;
    ZSTD_inBuffer zin;
    struct ladle_zstd_walk walk; /* where libzstd is in the stream */
    int done;
    /* The current frame: its declared content size (once its header is
     * read) and the bytes decoded from it so far. */
    int fcs_known;
    unsigned long long fcs; /* or ZSTD_CONTENTSIZE_UNKNOWN */
    uint64_t frame_out;
    uint64_t frame_start;     /* compressed offset of the current frame */
    uint64_t total_out;       /* bytes output since open */
    struct ladle_decoder *d;  /* borrowed: its mark (--part) */
    uint64_t frame_out_final; /* a frame of the wrong size: what it decoded to */
    int size_mismatch;        /* the error is a frame of the wrong size */
    int between_frames;       /* libzstd finished and flushed a frame (or none began) */
};

static ladle_status zstd_open(struct ladle_decoder *d)
{
    struct zstd_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_error_set(d->err, LADLE_E_INTERNAL, "%s: out of memory", d->name);
    d->state = st;
    st->d = d;
    ladle_zstd_walk_init(&st->walk);
    /* --part may begin at a frame inside the file: offsets stay the file's. */
    st->walk.pos = st->walk.unit_start = st->walk.frame_start = d->src->next_off;
    st->frame_start = d->src->next_off;
    st->between_frames = 1;
    st->dctx = ZSTD_createDCtx();
    if (!st->dctx)
        return ladle_error_set(d->err, LADLE_E_INTERNAL, "%s: out of memory", d->name);
    ZSTD_DCtx_setParameter(st->dctx, ZSTD_d_windowLogMax,
                           d->cfg->engine.zstd_long ? WINDOW_LOG_LONG : WINDOW_LOG_DEFAULT);
    return ladle_codec_input_open(d, &st->in);
}

/* "4 GiB", "384 MiB", "1000 bytes". */
static void format_size(char *buf, size_t len, uint64_t v)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    unsigned u = 0;
    while (u + 1 < sizeof units / sizeof units[0] && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, "%llu %s", (unsigned long long)v, units[u]);
}

static ladle_status window_too_large(struct ladle_decoder *d, struct zstd_state *st,
                                     const unsigned char *pending, size_t npending)
{
    const struct ladle_zstd_walk *w = &st->walk;
    unsigned long long at = (unsigned long long)w->frame_start;
    uint64_t window = ladle_zstd_walk_window(w, pending, npending);
    char need[64] = "a window";
    if (window) {
        char size[32];
        format_size(size, sizeof size, window);
        snprintf(need, sizeof need, "a %s window", size);
    }
    if (d->cfg->engine.zstd_long)
        return ladle_error_set(d->err, LADLE_E_INPUT,
                               "%s: zstd frame needs %s, over the 2 GiB limit of --long "
                               "(at compressed byte %llu)",
                               d->name, need, at);
    if (window > ((uint64_t)1 << WINDOW_LOG_LONG))
        return ladle_error_set(d->err, LADLE_E_INPUT,
                               "%s: zstd frame needs %s, over the 128 MiB limit and the 2 GiB "
                               "of --long (at compressed byte %llu)",
                               d->name, need, at);
    return ladle_error_set(d->err, LADLE_E_INPUT,
                           "%s: zstd frame needs %s, over the 128 MiB limit (use --long) "
                           "(at compressed byte %llu)",
                           d->name, need, at);
}

/* A frame of zstd's pre-1.0 format v0.`version`: libzstd may read some, but
 * the walker (and so every "where" and the frame checks) knows only the
 * RFC 8878 format, and zstd has written it since 2016. */
static ladle_status legacy_frame(struct ladle_decoder *d, unsigned version, uint64_t at)
{
    return ladle_error_set(d->err, LADLE_E_INPUT,
                           "%s: a zstd frame of the legacy v0.%u format (before zstd 1.0) is not "
                           "read: recompress it with zstd 1.0 or later (at compressed byte %llu)",
                           d->name, version, (unsigned long long)at);
}

/* libzstd refused the bytes `pending` (npending of them) of the current unit. */
static ladle_status zstd_fail(struct ladle_decoder *d, struct zstd_state *st, size_t r,
                              const unsigned char *pending, size_t npending)
{
    const struct ladle_zstd_walk *w = &st->walk;
    unsigned long long at = (unsigned long long)w->unit_start;
    if (st->size_mismatch)
        return ladle_error_set(
            d->err, LADLE_E_INPUT,
            "%s: corrupt zstd data: the frame at compressed bytes %llu-%llu "
            "decodes to %llu bytes, its header declares %llu "
            "(at compressed byte %llu)",
            d->name, (unsigned long long)st->frame_start, (unsigned long long)w->pos - 1,
            (unsigned long long)st->frame_out_final, st->fcs, (unsigned long long)st->frame_start);
    if (w->legacy) /* libzstd refused a unit after a pre-1.0 magic */
        return legacy_frame(d, w->legacy, w->legacy_at);
    unsigned char magic[4];
    size_t have = w->unit == LADLE_ZSTD_MAGIC ? w->hdr_len : 0;
    if (have <= 4 && have + npending >= 4) {
        memcpy(magic, w->hdr, have);
        memcpy(magic + have, pending, 4 - have);
        unsigned v = ladle_zstd_legacy_version((uint32_t)magic[0] | (uint32_t)magic[1] << 8 |
                                               (uint32_t)magic[2] << 16 | (uint32_t)magic[3] << 24);
        if (v)
            return legacy_frame(d, v, w->frame_start);
    }
    switch (ZSTD_getErrorCode(r)) {
    case ZSTD_error_frameParameter_windowTooLarge:
        return window_too_large(d, st, pending, npending);
    case ZSTD_error_prefix_unknown:
        if (w->frames > 0)
            return ladle_error_set(d->err, LADLE_E_INPUT,
                                   "%s: data after the last zstd frame is not zstd "
                                   "(at compressed byte %llu)",
                                   d->name, at);
        break;
    case ZSTD_error_checksum_wrong:
        return ladle_error_set(d->err, LADLE_E_INPUT,
                               "%s: corrupt zstd data: the frame at compressed bytes %llu-%llu "
                               "does not match its checksum (at compressed byte %llu)",
                               d->name, (unsigned long long)w->frame_start, at + 3, at);
    default: break;
    }
    char unit[48];
    ladle_zstd_walk_describe(w, unit, sizeof unit);
    return ladle_error_set(d->err, LADLE_E_INPUT,
                           "%s: corrupt zstd data: %s, in %s (at compressed byte %llu)", d->name,
                           ZSTD_getErrorName(r), unit, at);
}

/* Counts what a step decoded and, when libzstd says a frame is complete
 * (r == 0), checks it against the frame's declared content size. */
static size_t account(struct zstd_state *st, size_t decoded, size_t r)
{
    const struct ladle_zstd_walk *w = &st->walk;
    if (!st->fcs_known && w->unit != LADLE_ZSTD_MAGIC && w->unit != LADLE_ZSTD_FRAME_DESC &&
        w->unit != LADLE_ZSTD_HEADER && w->hdr_len >= 5) {
        ZSTD_frameHeader zfh;
        size_t h = ZSTD_getFrameHeader(&zfh, w->hdr, w->hdr_len);
        st->fcs =
            h == 0 && zfh.frameType == ZSTD_frame ? zfh.frameContentSize : ZSTD_CONTENTSIZE_UNKNOWN;
        st->fcs_known = 1;
        st->frame_start = w->frame_start;
        if (st->d->mark_comp && st->frame_start == st->d->mark_comp && !st->d->marked) {
            st->d->mark_out = st->total_out;
            st->d->marked = 1;
        }
    }
    st->frame_out += decoded;
    st->total_out += decoded;
    st->between_frames = r == 0;
    if (r == 0) {
        int bad = st->fcs_known && st->fcs != ZSTD_CONTENTSIZE_UNKNOWN && st->frame_out != st->fcs;
        st->frame_out_final = st->frame_out;
        st->fcs_known = 0;
        st->frame_out = 0;
        if (bad) {
            st->size_mismatch = 1;
            return (size_t)-ZSTD_error_corruption_detected;
        }
    }
    return r;
}

/* Feeds libzstd the rest of the current unit (or what of it is here). */
static size_t decompress_unit(struct zstd_state *st, ZSTD_outBuffer *zout)
{
    size_t avail = st->zin.size - st->zin.pos;
    uint64_t want = ladle_zstd_walk_want(&st->walk);
    ZSTD_inBuffer unit = {st->zin.src, st->zin.pos + (want < avail ? (size_t)want : avail),
                          st->zin.pos};
    size_t before = zout->pos;
    size_t r = ZSTD_decompressStream(st->dctx, zout, &unit);
    if (ZSTD_isError(r))
        return r;
    ladle_zstd_walk_feed(&st->walk, (const unsigned char *)st->zin.src + st->zin.pos,
                         unit.pos - st->zin.pos);
    st->zin.pos = unit.pos;
    return account(st, zout->pos - before, r);
}

static ladle_status truncated(struct ladle_decoder *d, struct zstd_state *st)
{
    const struct ladle_zstd_walk *w = &st->walk;
    char unit[48];
    ladle_zstd_walk_describe(w, unit, sizeof unit);
    if (w->pos == w->unit_start)
        return ladle_error_set(d->err, LADLE_E_INPUT,
                               "%s: truncated zstd stream: the input ends where %s should start "
                               "(at compressed byte %llu)",
                               d->name, unit, (unsigned long long)w->pos);
    return ladle_error_set(d->err, LADLE_E_INPUT,
                           "%s: truncated zstd stream: the input ends inside %s that starts at "
                           "compressed byte %llu (at compressed byte %llu)",
                           d->name, unit, (unsigned long long)w->unit_start,
                           (unsigned long long)w->pos);
}

static ladle_status zstd_next(struct ladle_decoder *d, struct ladle_chunk **out)
{
    struct zstd_state *st = d->state;
    *out = NULL;
    if (st->done)
        return LADLE_OK;
    struct ladle_chunk *ck = d->chunks->get(d->chunks->arg);
    if (!ck)
        return LADLE_OK;
    ZSTD_outBuffer zout = {ck->data, d->chunks->chunk_size, 0};
    while (zout.pos < zout.size) {
        if (d->pause_at_mark && !d->marked && st->between_frames &&
            st->walk.unit == LADLE_ZSTD_MAGIC && st->walk.pos == d->mark_comp) {
            d->marked = 1;
            d->mark_out = st->total_out;
            if (zout.pos > 0)
                break;
        }
        if (st->zin.pos < st->zin.size) {
            size_t r = decompress_unit(st, &zout);
            if (ZSTD_isError(r)) {
                ladle_chunk_put(ck);
                return zstd_fail(d, st, r, (const unsigned char *)st->zin.src + st->zin.pos,
                                 st->zin.size - st->zin.pos);
            }
            if (st->walk.legacy) { /* see zstd_walk.h */
                ladle_chunk_put(ck);
                return legacy_frame(d, st->walk.legacy, st->walk.legacy_at);
            }
            if (st->walk.empty_compressed) { /* see zstd_walk.h */
                ladle_chunk_put(ck);
                return ladle_error_set(d->err, LADLE_E_INPUT,
                                       "%s: corrupt zstd data: a compressed block of 0 bytes "
                                       "(at compressed byte %llu)",
                                       d->name, (unsigned long long)st->walk.empty_compressed_at);
            }
            continue;
        }
        if (!st->in.eof) {
            ladle_status s = ladle_codec_input_advance(d, &st->in);
            if (s != LADLE_OK) {
                ladle_chunk_put(ck);
                return s;
            }
            st->zin = (ZSTD_inBuffer){st->in.cur, st->in.cur_len, 0};
            if (d->chunks->stopping(d->chunks->arg))
                break;
            continue;
        }
        /* End of input: flush what the decoder still holds. */
        ZSTD_inBuffer empty = {NULL, 0, 0};
        size_t before = zout.pos;
        size_t r = ZSTD_decompressStream(st->dctx, &zout, &empty);
        if (!ZSTD_isError(r))
            r = account(st, zout.pos - before, r);
        if (ZSTD_isError(r)) {
            ladle_chunk_put(ck);
            return zstd_fail(d, st, r, NULL, 0);
        }
        if (zout.pos == before) {
            st->done = 1; /* nothing more to flush */
            break;
        }
    }
    if (st->done && !ladle_zstd_walk_at_frame_edge(&st->walk)) {
        ladle_chunk_put(ck);
        return truncated(d, st);
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

/*
 * range_codec.c -- the readers of plain files and zstd frames (range.h):
 * the serial codecs themselves (codec_plain.c, codec_zstd.c), run on a
 * worker over a pread view of the file that starts at the segment. So a
 * segment reads exactly as the serial path would from there: the same
 * checks (frame sizes, window limit, a file that shrinks) and the same
 * messages, down to the compressed byte.
 *
 * The codecs fill chunks from a supply; here the supply is one chunk
 * whose data is the caller's buffer, so the bytes land where the worker
 * wants them, without a copy.
 *
 * zstd has a faster way in as well (own_bound, own_decode): a segment's
 * own frames, comp[k] to comp[k + 1], read with one pread and decoded by
 * one ZSTD_decompressDCtx straight into the worker's buffer. The
 * streaming decoder writes every block into its window and copies it out
 * (an eighth of a pzstd run's CPU time) and reads 128 KiB at a time. Taken
 * only when the serial codec would accept the same frames (their windows
 * within its limit) and they are small enough to hold whole; whatever
 * goes wrong in it sends the worker back to read(), whose codec then finds
 * the error and words it exactly as the serial path does. One-shot
 * decoding checks every frame's declared content size and checksum too.
 */
#include "codec/range.h"

#include <stdlib.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_decompressBound, ZSTD_getFrameHeader */
#include <zstd.h>

#include "codec/codec.h"
#include "io/source.h"

/* The most a segment's own frames may take for the fast path: compressed,
 * and decoded (the worker holds them whole either way). */
#define OWN_COMP_MAX ((size_t)16 << 20)
#define OWN_DEC_MAX ((size_t)64 << 20)

struct range_codec {
    const struct ladle_codec_ops *codec;
    const struct ladle_range_plan *plan;
    struct ladle_source src; /* a view: the plan's fd, read with pread */
    struct ladle_decoder d;
    struct ladle_chunk_supply supply;
    struct ladle_chunk buf; /* its data is the caller's buffer */
    bool open;
    /* zstd's fast path: the frames own_bound read, and the context that
     * decodes them (kept from segment to segment). */
    ZSTD_DCtx *dctx;
    unsigned char *own;
    size_t own_len, own_cap;
};

static struct ladle_chunk *supply_get(void *arg)
{
    struct range_codec *rc = arg;
    rc->buf.len = 0;
    return &rc->buf;
}

static void supply_put(void *arg, struct ladle_chunk *c)
{
    (void)arg;
    (void)c;
}

static bool supply_stopping(void *arg)
{
    const struct range_codec *rc = arg;
    const struct ladle_range_plan *p = rc->plan;
    return p && p->stopping && p->stopping(p->stopping_arg);
}

static void *range_codec_new(const struct ladle_codec_ops *codec)
{
    struct range_codec *rc = calloc(1, sizeof *rc);
    if (!rc)
        return NULL;
    rc->codec = codec;
    rc->supply = (struct ladle_chunk_supply){
        .get = supply_get,
        .try_get = supply_get,
        .put = supply_put,
        .stopping = supply_stopping,
        .arg = rc,
    };
    rc->buf.home = &rc->supply;
    return rc;
}

static void *plain_new(void)
{
    return range_codec_new(&ladle_codec_plain);
}

static void *zstd_new(void)
{
    return range_codec_new(&ladle_codec_zstd);
}

static void range_codec_close(struct range_codec *rc)
{
    if (rc->open)
        rc->codec->close(&rc->d);
    rc->open = false;
}

static void range_codec_free(void *st)
{
    struct range_codec *rc = st;
    if (!rc)
        return;
    range_codec_close(rc);
    ZSTD_freeDCtx(rc->dctx);
    free(rc->own);
    free(rc);
}

static ladle_status range_codec_seek(void *st, const struct ladle_range_plan *p, size_t k,
                                     struct ladle_error *err)
{
    struct range_codec *rc = st;
    range_codec_close(rc);
    rc->plan = p;
    memset(&rc->src, 0, sizeof rc->src);
    rc->src.name = p->name;
    rc->src.fd = p->fd;
    rc->src.regular = true;
    rc->src.size = p->size;
    rc->src.next_off = p->comp[k];
    rc->src.stop_fd = -1;
    ladle_source_sync_init(&rc->src);
    rc->d = (struct ladle_decoder){
        .ops = rc->codec,
        .src = &rc->src,
        .chunks = &rc->supply,
        .cfg = p->cfg,
        .err = err,
        .name = p->name,
        .mark_comp = k + 1 < p->n ? p->comp[k + 1] : 0,
        .pause_at_mark = k + 1 < p->n,
        .in_size = (size_t)128 << 10,
    };
    ladle_status s = rc->codec->open(&rc->d);
    rc->open = true;
    return s;
}

static ladle_status range_codec_read(void *st, char *buf, size_t cap, size_t *n, uint64_t *own,
                                     bool *own_set, struct ladle_error *err)
{
    struct range_codec *rc = st;
    rc->d.err = err;
    rc->buf.mem = rc->buf.data = buf;
    rc->buf.cap = cap;
    rc->supply.chunk_size = cap;
    struct ladle_chunk *out = NULL;
    ladle_status s = rc->codec->next(&rc->d, &out);
    *n = s == LADLE_OK && out ? out->len : 0;
    if (own_set && rc->d.marked) {
        *own = rc->d.mark_out;
        *own_set = true;
    }
    return s;
}

static void range_codec_finish(void *st)
{
    struct range_codec *rc = st;
    range_codec_close(rc);
    rc->plan = NULL;
}

/* Whether the serial codec takes every frame of own[0, len): windows
 * within its limit, frames that end inside. */
static bool frames_accepted(const unsigned char *own, size_t len, int zstd_long)
{
    const unsigned long long limit = 1ULL << (zstd_long ? 31 : 27);
    for (size_t at = 0; at < len;) {
        ZSTD_frameHeader h;
        if (ZSTD_getFrameHeader(&h, own + at, len - at) != 0)
            return false;
        if (h.frameType == ZSTD_frame && h.windowSize > limit)
            return false;
        size_t n = ZSTD_findFrameCompressedSize(own + at, len - at);
        if (ZSTD_isError(n) || n == 0)
            return false;
        at += n;
    }
    return true;
}

static size_t zstd_own_bound(void *st, const struct ladle_range_plan *p, size_t k)
{
    struct range_codec *rc = st;
    rc->own_len = 0;
    uint64_t from = p->comp[k], to = p->comp[k + 1];
    if (to <= from || to - from > OWN_COMP_MAX)
        return 0;
    size_t len = (size_t)(to - from);
    if (len > rc->own_cap) {
        unsigned char *b = realloc(rc->own, len);
        if (!b)
            return 0;
        rc->own = b;
        rc->own_cap = len;
    }
    struct ladle_source src = {.name = p->name, .fd = p->fd, .regular = true, .size = p->size};
    if (ladle_source_pread_full(&src, (char *)rc->own, len, from) != (ssize_t)len)
        return 0; /* a file that shrank: read() says so */
    if (!frames_accepted(rc->own, len, p->cfg->engine.zstd_long))
        return 0;
    unsigned long long bound = ZSTD_decompressBound(rc->own, len);
    if (bound == ZSTD_CONTENTSIZE_ERROR || bound == 0 || bound > OWN_DEC_MAX)
        return 0;
    rc->own_len = len;
    return (size_t)bound;
}

static bool zstd_own_decode(void *st, char *buf, size_t cap, size_t *n)
{
    struct range_codec *rc = st;
    if (!rc->own_len || (!rc->dctx && !(rc->dctx = ZSTD_createDCtx())))
        return false;
    size_t r = ZSTD_decompressDCtx(rc->dctx, buf, cap, rc->own, rc->own_len);
    rc->own_len = 0;
    if (ZSTD_isError(r))
        return false;
    *n = r;
    return true;
}

const struct ladle_range_ops ladle_range_plain = {
    .name = "plain",
    .new_state = plain_new,
    .free_state = range_codec_free,
    .seek = range_codec_seek,
    .read = range_codec_read,
    .finish = range_codec_finish,
};

const struct ladle_range_ops ladle_range_zstd = {
    .name = "zstd",
    .new_state = zstd_new,
    .free_state = range_codec_free,
    .seek = range_codec_seek,
    .read = range_codec_read,
    .finish = range_codec_finish,
    .own_bound = zstd_own_bound,
    .own_decode = zstd_own_decode,
};

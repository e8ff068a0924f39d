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
 * own frames, comp[k] to comp[k + 1], read with one pread and decoded
 * straight into the worker's buffer (ZSTD_d_stableOutBuffer). The
 * streaming decoder otherwise writes every block into its window and
 * copies it out (an eighth of a pzstd run's CPU time), and reads 128 KiB
 * at a time. It is still libzstd's streaming decoder, frame by frame, with
 * the serial codec's window limit: the same checks of block sizes, which
 * libzstd's one-shot decoding does not make (1.5.4 takes an RLE block of
 * 900 KB there; tests/fuzz found it), and the check of each
 * frame's content size that codec_zstd.c adds. Whatever goes wrong sends
 * the worker back to read(), whose codec then finds the error and words it
 * exactly as the serial path does.
 */
#include "codec/range.h"

#include <stdlib.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_decompressBound, ZSTD_d_stableOutBuffer */
#include <zstd.h>

#include "codec/codec.h"
#include "codec/zstd_walk.h"
#include "io/source.h"

/* The most a segment's own frames may take for the fast path: compressed,
 * and decoded (the worker holds them whole either way). */
#define OWN_COMP_MAX ((size_t)16 << 20)
#define OWN_DEC_MAX ((size_t)64 << 20)
/* The serial codec's window limits (codec_zstd.c): 128 MiB, 2 GiB with --long. */
#define WINDOW_LOG_DEFAULT 27
#define WINDOW_LOG_LONG 31

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
    int zstd_long;
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
    unsigned long long bound = ZSTD_decompressBound(rc->own, len);
    if (bound == ZSTD_CONTENTSIZE_ERROR || bound == 0 || bound > OWN_DEC_MAX)
        return 0;
    rc->own_len = len;
    rc->zstd_long = p->cfg->engine.zstd_long;
    return (size_t)bound;
}

/* One frame (or skippable frame) of n bytes at src into out, whole. */
static bool own_frame(ZSTD_DCtx *dctx, ZSTD_outBuffer *out, const unsigned char *src, size_t n)
{
    const size_t before = out->pos;
    /* The header alone first: given a whole frame that declares a size
     * the output holds, ZSTD_decompressStream decodes it in one shot,
     * without the checks of block sizes. */
    size_t h = ZSTD_frameHeaderSize(src, n);
    if (ZSTD_isError(h) || h > n)
        return false;
    ZSTD_inBuffer in = {src, h, 0};
    size_t r = ZSTD_decompressStream(dctx, out, &in);
    if (ZSTD_isError(r) || in.pos != h)
        return false;
    in.size = n;
    r = ZSTD_decompressStream(dctx, out, &in);
    if (r != 0 || in.pos != n)
        return false; /* an error, or a frame that does not end where it should */
    /* libzstd skips this check when a frame ends in an empty last block
     * (codec_zstd.c says more); the serial codec makes it. */
    unsigned long long fcs = ZSTD_getFrameContentSize(src, n);
    return fcs == ZSTD_CONTENTSIZE_UNKNOWN || fcs == ZSTD_CONTENTSIZE_ERROR ||
           out->pos - before == fcs;
}

static bool zstd_own_decode(void *st, char *buf, size_t cap, size_t *n)
{
    struct range_codec *rc = st;
    const size_t len = rc->own_len;
    rc->own_len = 0;
    if (!len || (!rc->dctx && !(rc->dctx = ZSTD_createDCtx())))
        return false;
    ZSTD_DCtx_reset(rc->dctx, ZSTD_reset_session_and_parameters);
    if (ZSTD_isError(ZSTD_DCtx_setParameter(
            rc->dctx, ZSTD_d_windowLogMax, rc->zstd_long ? WINDOW_LOG_LONG : WINDOW_LOG_DEFAULT)) ||
        ZSTD_isError(ZSTD_DCtx_setParameter(rc->dctx, ZSTD_d_stableOutBuffer, 1)))
        return false;
    /* libzstd's buffered path, which own_frame uses, reads a compressed
     * block of 0 bytes in the middle of a frame as empty; the serial codec
     * refuses it (zstd_walk.h), and the fast way must not accept more than
     * it does: such a segment goes the serial way, which says where. */
    struct ladle_zstd_walk w;
    ladle_zstd_walk_init(&w);
    ladle_zstd_walk_feed(&w, rc->own, len);
    if (w.empty_compressed || w.legacy)
        return false;
    ZSTD_outBuffer out = {buf, cap, 0};
    for (size_t at = 0; at < len;) {
        size_t f = ZSTD_findFrameCompressedSize(rc->own + at, len - at);
        if (ZSTD_isError(f) || f == 0 || !own_frame(rc->dctx, &out, rc->own + at, f))
            return false;
        at += f;
    }
    *n = out.pos;
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

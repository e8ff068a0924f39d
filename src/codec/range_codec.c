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
 */
#include "codec/range.h"

#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "io/source.h"

struct range_codec {
    const struct ladle_codec_ops *codec;
    const struct ladle_range_plan *plan;
    struct ladle_source src; /* a view: the plan's fd, read with pread */
    struct ladle_decoder d;
    struct ladle_chunk_supply supply;
    struct ladle_chunk buf; /* its data is the caller's buffer */
    bool open;
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
};

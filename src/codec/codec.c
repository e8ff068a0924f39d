/*
 * codec.c -- format detection and the compressed-input ring shared by the
 * zstd and gzip decoders.
 */
#include "codec/codec.h"

#include "codec/zstd_walk.h"

#include <stdlib.h>
#include <string.h>

const struct ladle_codec_ops *ladle_codec_detect(const unsigned char *m, size_t n)
{
    /* zstd frame magic 0xFD2FB528, little-endian. Skippable frames
     * (0x184D2A50..5F) also start zstd streams. An input of 2 or 3 bytes
     * (n < 4 only when that is all there is) that starts the magic is a
     * cut .zst, which the zstd decoder reports, not text: 0x28 0xB5 is not
     * UTF-8. The gzip magic is 2 bytes, so a cut .gz already gets here. */
    static const unsigned char zstd_magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
    if (n >= 2 && memcmp(m, zstd_magic, n < 4 ? n : 4) == 0)
        return &ladle_codec_zstd;
    if (n >= 4 && (m[0] & 0xF0) == 0x50 && m[1] == 0x2A && m[2] == 0x4D && m[3] == 0x18)
        return &ladle_codec_zstd;
    /* zstd's pre-1.0 formats: the zstd decoder says they are not read,
     * rather than their bytes being taken for text. */
    if (n >= 4 && memcmp(m + 1, zstd_magic + 1, 3) == 0 &&
        ladle_zstd_legacy_version((uint32_t)m[0] | 0xFD2FB500u))
        return &ladle_codec_zstd;
    if (n >= 2 && m[0] == 0x1F && m[1] == 0x8B)
        return &ladle_codec_gzip;
    return &ladle_codec_plain;
}

static ladle_status submit_one(struct ladle_decoder *d, struct ladle_codec_input *in, unsigned slot)
{
    if (in->eof_submitted)
        return LADLE_OK;
    int rc =
        d->src->ops->submit(d->src, in->buf[slot], d->in_size ? d->in_size : LADLE_CODEC_IN_SIZE);
    if (rc < 0)
        return ladle_error_set(d->err, LADLE_E_INPUT, "%s: read failed: %s", d->name,
                               strerror(-rc));
    if (rc == 1)
        in->eof_submitted = 1;
    else
        in->inflight++;
    return LADLE_OK;
}

ladle_status ladle_codec_input_open(struct ladle_decoder *d, struct ladle_codec_input *in)
{
    memset(in, 0, sizeof *in);
    for (unsigned i = 0; i < LADLE_CODEC_IN_BUFS; i++) {
        in->buf[i] = malloc(d->in_size ? d->in_size : LADLE_CODEC_IN_SIZE);
        if (!in->buf[i])
            return ladle_error_set(d->err, LADLE_E_INTERNAL, "%s: out of memory", d->name);
    }
    for (unsigned i = 0; i < LADLE_CODEC_IN_BUFS; i++) {
        ladle_status st = submit_one(d, in, i);
        if (st != LADLE_OK)
            return st;
    }
    return LADLE_OK;
}

ladle_status ladle_codec_input_advance(struct ladle_decoder *d, struct ladle_codec_input *in)
{
    if (in->cur) {
        /* The current buffer is spent: queue it for the next read. */
        in->consumed_before += in->cur_len;
        in->cur = NULL;
        in->cur_len = 0;
        unsigned spent = (in->head + LADLE_CODEC_IN_BUFS - 1) % LADLE_CODEC_IN_BUFS;
        ladle_status st = submit_one(d, in, spent);
        if (st != LADLE_OK)
            return st;
    }
    if (in->inflight == 0) {
        in->eof = 1;
        return LADLE_OK;
    }
    ssize_t n = d->src->ops->wait(d->src);
    in->inflight--;
    unsigned slot = in->head;
    in->head = (in->head + 1) % LADLE_CODEC_IN_BUFS;
    if (n < 0)
        return ladle_source_fail(d->src, n, in->consumed_before, d->err);
    if (n == 0) {
        in->eof = 1;
        return LADLE_OK;
    }
    in->cur = in->buf[slot];
    in->cur_len = (size_t)n;
    return LADLE_OK;
}

void ladle_codec_input_close(struct ladle_decoder *d, struct ladle_codec_input *in)
{
    for (; in->inflight; in->inflight--)
        (void)d->src->ops->wait(d->src);
    for (unsigned i = 0; i < LADLE_CODEC_IN_BUFS; i++)
        free(in->buf[i]);
    memset(in, 0, sizeof *in);
}

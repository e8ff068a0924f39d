/*
 * fuzz_codec_zstd.c -- the zstd decoder (src/codec/codec_zstd.c) on
 * arbitrary bytes, framed into records as a run does, against libzstd's
 * streaming decoder used directly (see fuzz_codec.h).
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_frameHeaderSize */
#include <zstd.h>

#include "fuzz_codec.h"

/* The reference: libzstd's streaming decoder with the same 2^27 window
 * limit, given the whole input and one output buffer large enough for
 * every frame's declared content size, so that it decodes each frame in
 * one shot, which checks the frame's size against its header (its
 * buffered path does not after an empty last block: the bug
 * corpus/codec_zstd/crash-* hold). Accepted when the input is empty or its
 * last frame is complete. Inputs declaring more than the cap are not
 * compared. A frame with a compressed block of 0 bytes is refused, as
 * RFC 8878 and libzstd's one-shot path have it (its buffered path reads
 * the block as the frame's end: corpus/codec_zstd/crash-empty-compressed-*),
 * and so is a frame of a pre-1.0 format. */
static int empty_compressed_block(const uint8_t *f, size_t fsz)
{
    if (fsz < 4 || (f[0] | f[1] << 8 | f[2] << 16 | (uint32_t)f[3] << 24) != ZSTD_MAGICNUMBER)
        return 0; /* a skippable frame */
    size_t hsz = ZSTD_frameHeaderSize(f, fsz);
    if (ZSTD_isError(hsz))
        return 0;
    for (size_t b = hsz; b + 3 <= fsz;) {
        uint32_t bh = f[b] | f[b + 1] << 8 | (uint32_t)f[b + 2] << 16;
        uint32_t type = (bh >> 1) & 3, bsz = bh >> 3;
        if (type == 2 && bsz == 0)
            return 1;
        if (bh & 1)
            break;
        b += 3 + (type == 1 ? 1 : bsz);
    }
    return 0;
}

/* zstd's pre-1.0 formats (v0.1-v0.7): this libzstd reads some, ladle
 * refuses them all (corpus/codec_zstd/crash-legacy-v07). */
static int legacy_magic(const uint8_t *f)
{
    uint32_t m = f[0] | f[1] << 8 | f[2] << 16 | (uint32_t)f[3] << 24;
    return m == 0xFD2FB51Eu || (m >= 0xFD2FB522u && m <= 0xFD2FB527u);
}

static void reference(const uint8_t *data, size_t size, struct fuzz_ref *r)
{
    static unsigned char *buf; /* FUZZ_CODEC_REF_CAP bytes, for the process's life */
    if (!buf && !(buf = malloc(FUZZ_CODEC_REF_CAP)))
        abort();
    unsigned long long declared = 0;
    for (size_t pos = 0; pos < size;) {
        if (size - pos >= 4 && legacy_magic(data + pos)) {
            r->ok = 0;
            return;
        }
        size_t fsz = ZSTD_findFrameCompressedSize(data + pos, size - pos);
        if (ZSTD_isError(fsz))
            break; /* the decoder below meets it too */
        if (empty_compressed_block(data + pos, fsz)) {
            r->ok = 0;
            return;
        }
        unsigned long long fcs = ZSTD_getFrameContentSize(data + pos, size - pos);
        if (fcs != ZSTD_CONTENTSIZE_UNKNOWN && fcs != ZSTD_CONTENTSIZE_ERROR)
            declared += fcs;
        if (declared > FUZZ_CODEC_REF_CAP) {
            r->too_big = 1;
            return;
        }
        pos += fsz;
    }
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx)
        abort();
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 27);
    ZSTD_inBuffer in = {data, size, 0};
    ZSTD_outBuffer out = {buf, FUZZ_CODEC_REF_CAP, 0};
    size_t last = 0;
    r->ok = 1;
    for (;;) {
        size_t ret = ZSTD_decompressStream(dctx, &out, &in);
        if (ZSTD_isError(ret)) {
            r->ok = 0;
            break;
        }
        last = ret;
        if (out.pos == out.size) {
            r->too_big = 1; /* frames without a declared size filled the buffer */
            break;
        }
        if (in.pos == in.size)
            break; /* all input consumed, and room was left: all flushed */
    }
    if (r->ok && size && last != 0)
        r->ok = 0; /* the last frame is cut */
    if (!r->too_big)
        (void)fuzz_ref_add(r, buf, out.pos);
    ZSTD_freeDCtx(dctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_codec_run(data, size, &ladle_codec_zstd, reference);
}

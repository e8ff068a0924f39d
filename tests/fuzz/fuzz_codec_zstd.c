/*
 * fuzz_codec_zstd.c -- the zstd decoder (src/codec/codec_zstd.c) on
 * arbitrary bytes, framed into records as a run does, against libzstd's
 * streaming decoder used directly (see fuzz_codec.h).
 */
#include <zstd.h>

#include "fuzz_codec.h"

/* The reference: every frame (skippable ones skipped) decoded with the
 * same 2^27 window limit; accepted when the input is empty or its last
 * frame is complete. */
static void reference(const uint8_t *data, size_t size, struct fuzz_ref *r)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx)
        abort();
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 27);
    unsigned char buf[65536];
    ZSTD_inBuffer in = {data, size, 0};
    size_t last = 0;
    r->ok = 1;
    for (;;) {
        ZSTD_outBuffer out = {buf, sizeof buf, 0};
        size_t ret = ZSTD_decompressStream(dctx, &out, &in);
        if (ZSTD_isError(ret)) {
            r->ok = 0;
            break;
        }
        last = ret;
        if (fuzz_ref_add(r, buf, out.pos) != 0)
            break;
        if (in.pos == in.size && out.pos < out.size)
            break; /* all input consumed, nothing more to flush */
    }
    if (r->ok && size && last != 0)
        r->ok = 0; /* the last frame is cut */
    ZSTD_freeDCtx(dctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_codec_run(data, size, &ladle_codec_zstd, reference);
}

/*
 * fuzz_zstd_frames.c -- the frame walker --part cuts .zst files with
 * (src/codec/zstd_frames.c) on arbitrary bytes taken as a file.
 *
 * Cuts are asked at offsets spread over the file and past its end.
 * Checked: a cut lies in the file; the frame before it with content
 * starts before it and decodes to fewer bytes; cuts never go back as the
 * offset grows; and where libzstd can size the frames before a cut
 * (ZSTD_findDecompressedSize over [0, cut)), the walker's decompressed
 * offset is that size. A refusal (-1) is the same for every later offset.
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_findDecompressedSize */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "codec/zstd_frames.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = fuzz_memfd(data, size);
    struct ladle_zstd_cut last = {0, 0, 0, 0};
    int refused = 0;
    for (uint64_t i = 0; i <= 9; i++) {
        uint64_t at = i < 9 ? size * i / 8 : size + 7;
        struct ladle_zstd_cut c;
        int r = ladle_zstd_cut_at(fd, size, at, &c);
        if (r != 0) {
            refused = 1;
            continue;
        }
        if (refused && at > 0)
            abort(); /* damage before an offset is damage before every later one */
        if (c.comp > size || c.comp < last.comp || c.dec < last.dec)
            abort();
        if ((c.prev_comp || c.prev_dec) && (c.prev_comp >= c.comp || c.prev_dec >= c.dec))
            abort();
        if (c.comp && c.comp <= size) {
            unsigned long long d = ZSTD_findDecompressedSize(data, (size_t)c.comp);
            if (d != ZSTD_CONTENTSIZE_ERROR && d != ZSTD_CONTENTSIZE_UNKNOWN && d != c.dec)
                abort();
        }
        last = c;
    }
    close(fd);
    return 0;
}

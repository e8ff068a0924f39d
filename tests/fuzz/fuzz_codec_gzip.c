/*
 * fuzz_codec_gzip.c -- the gzip decoder (src/codec/codec_gzip.c, ISA-L)
 * on arbitrary bytes, framed into records as a run does, against zlib
 * (see fuzz_codec.h).
 */
#include <zlib.h>

#include "fuzz_codec.h"

/* The reference, with ladle's documented reading of a gzip file: members
 * one after another (each checked: CRC and length), then optionally zero
 * padding, then nothing. An empty file is empty.
 * A member whose header has a reserved FLG bit (5..7) set is refused, as
 * RFC 1952 asks and zlib does (corpus/codec_gzip/crash-reserved-flag; see
 * README.md, finding 2). */
static void reference(const uint8_t *input, size_t size, struct fuzz_ref *r)
{
    uint8_t *data = malloc(size ? size : 1);
    if (!data)
        abort();
    if (size)
        memcpy(data, input, size);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + 15) != Z_OK)
        abort();
    unsigned char buf[65536];
    size_t pos = 0;
    r->ok = 1;
    while (pos < size) {
        if (pos > 0 && data[pos] == 0) { /* padding after a member: zeros to the end */
            for (; pos < size; pos++)
                if (data[pos] != 0)
                    r->ok = 0;
            break;
        }
        inflateReset(&z);
        z.next_in = (Bytef *)(uintptr_t)(data + pos);
        z.avail_in = (uInt)(size - pos);
        int rc;
        do {
            z.next_out = buf;
            z.avail_out = sizeof buf;
            rc = inflate(&z, Z_NO_FLUSH);
            if (fuzz_ref_add(r, buf, sizeof buf - z.avail_out) != 0)
                goto out;
        } while (rc == Z_OK);
        if (rc != Z_STREAM_END) {
            r->ok = 0; /* corrupt, or cut (Z_BUF_ERROR: no input left) */
            break;
        }
        pos = size - z.avail_in;
    }
out:
    inflateEnd(&z);
    free(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_codec_run(data, size, &ladle_codec_gzip, reference);
}

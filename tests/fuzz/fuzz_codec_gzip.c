/*
 * fuzz_codec_gzip.c -- the gzip decoder (src/codec/codec_gzip.c) on arbitrary
 * bytes, framed into records as a run does (see fuzz_codec.h).
 */
#include "fuzz_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_codec_run(data, size, &ladle_codec_gzip);
}

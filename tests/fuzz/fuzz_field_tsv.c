/*
 * fuzz_field_tsv.c -- the tsv field extractor (src/field/field_tsv.c):
 * spec compilation, header binding and extraction on arbitrary records
 * (see fuzz_field.h for the input layout and the checks).
 */
#include "fuzz_field.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_field_run(data, size, LADLE_FORMAT_TSV, 0);
}

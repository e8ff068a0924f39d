/*
 * fuzz_field_regex.c -- the regex field extractor (src/field/field_regex.c):
 * spec compilation, header binding and extraction on arbitrary records
 * (see fuzz_field.h for the input layout and the checks).
 */
#include "fuzz_field.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_field_run(data, size, LADLE_FORMAT_LINES, 1);
}

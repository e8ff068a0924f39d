/*
 * fuzz_field_json.c -- the json field extractor (src/field/field_json.c):
 * spec compilation, header binding and extraction on arbitrary records
 * (see fuzz_field.h for the input layout and the checks).
 */
#include "fuzz_field.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_field_run(data, size, LADLE_FORMAT_JSON, 0);
}

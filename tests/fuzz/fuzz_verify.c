/*
 * fuzz_verify.c -- `ladle verify` (src/split/verify.c) on a dataset folder
 * built from the input: the input is a tiny archive of files
 * (fuzz_dataset.h) -- manifest.json, shards, strays, folders, symbolic
 * links -- written into a fresh temp folder, which ladle_verify_dir then
 * checks. The seeds are real datasets written by `ladle split`, packed by
 * pack_dataset.py, so mutations reach the shard checks.
 *
 * Checked: the result is LADLE_OK (and then no problem and a summary line
 * "DIR: OK: ...") or LADLE_E_INPUT (and then at least one problem), every
 * problem line is "ladle: DIR..." without control bytes (a manifest's
 * names must not break the one-line report), and the count of problem
 * lines is the count verify reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *dir = fuzz_mkdtemp();
    fuzz_archive_extract(data, size, dir);
    fuzz_verify_dir(dir);
    fuzz_rm_rf(dir);
    free(dir);
    return 0;
}

/*
 * fuzz_manifest.c -- the manifest reader (the manifest half of
 * src/split/verify.c): the input is DIR/manifest.json, beside real shards.
 *
 * Once per process a real dataset is written with the library (the
 * template: the text below, `--ratios all=1 --shard-records 3 --seed 1`,
 * one thread: 3 shards of one split "all"); each input then replaces its
 * manifest.json and ladle_verify_dir runs, with fuzz_dataset.h's checks.
 * The seed corpus/manifest/ok.json is that dataset's own manifest (written
 * by the CLI with the same settings; one split, so the bytes do not depend
 * on record keys), so mutations start from a manifest that passes and
 * reach every field's checks against real shards.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_dataset.h"
#include "ladle/ladle.h"

/* Also written by scripts that make the seed: keep in step (README.md). */
#define TEMPLATE_TEXT "alpha\nbravo\ncharlie\ndelta\necho\nfoxtrot\ngolf\nhotel\n"

static char *dataset; /* the template's folder, for the process's life */
static char *tmproot;

static void remove_template(void)
{
    fuzz_rm_rf(tmproot);
}

static void make_template(void)
{
    tmproot = fuzz_mkdtemp();
    char input[4200];
    snprintf(input, sizeof input, "%s/input.txt", tmproot);
    fuzz_write_file(input, TEMPLATE_TEXT, strlen(TEMPLATE_TEXT));
    size_t n = strlen(tmproot) + 4;
    if (!(dataset = malloc(n)))
        abort();
    snprintf(dataset, n, "%s/ds", tmproot);
    ladle_job *job = ladle_job_new();
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (!job || null < 0 || ladle_job_set_string(job, LADLE_S_OUTPUT_DIR, dataset) ||
        ladle_job_set_string(job, LADLE_S_RATIOS, "all=1") ||
        ladle_job_set(job, LADLE_P_SHARD_RECORDS, 3) || ladle_job_set(job, LADLE_P_SEED, 1) ||
        ladle_job_set(job, LADLE_P_THREADS, 1) || ladle_job_add_input(job, input)) {
        fprintf(stderr, "fuzz_manifest: setting up the template: %s\n",
                job ? ladle_job_error(job) : "out of memory");
        abort();
    }
    ladle_report rep;
    if (ladle_job_run(job, null, &rep) != LADLE_OK) {
        fprintf(stderr, "fuzz_manifest: writing the template: %s\n", ladle_job_error(job));
        abort();
    }
    close(null);
    ladle_job_free(job);
    atexit(remove_template);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dataset)
        make_template();
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", dataset);
    fuzz_write_file(path, data, size);
    fuzz_verify_dir(dataset);
    return 0;
}

/*
 * api_verify.c -- ladle_verify: the dataset verifier of src/split behind
 * the public API.
 */
#include <string.h>

#include "common/error.h"
#include "ladle/ladle.h"
#include "split/verify.h"

ladle_status ladle_verify(const char *dir, FILE *problems, FILE *summary,
                          ladle_verify_report *report)
{
    struct ladle_error err;
    struct ladle_verify_totals tot;
    ladle_error_init(&err);
    memset(&tot, 0, sizeof tot);
    ladle_status st = ladle_verify_dir(dir, problems, summary, &tot, &err);
    if (report) {
        memset(report, 0, sizeof *report);
        report->splits = tot.splits;
        report->shards = tot.shards;
        report->records = tot.records;
        report->bytes = tot.bytes;
        report->compressed = tot.compressed;
        report->problems = tot.problems;
        if (ladle_error_any(&err))
            snprintf(report->error, sizeof report->error, "%s", err.msg);
    }
    return st;
}

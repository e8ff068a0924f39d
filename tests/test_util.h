/*
 * test_util.h -- the little each C test needs: checks that count failures,
 * temp files, running a job into memory.
 */
#ifndef LADLE_TEST_UTIL_H
#define LADLE_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ladle/ladle.h"

extern int t_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            t_failures++;                                                                          \
        }                                                                                          \
    } while (0)

#define CHECKF(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            t_failures++;                                                                          \
        }                                                                                          \
    } while (0)

/* Prints "N passed, M failed" style summary and returns the exit code. */
int t_done(const char *name);

/* A fresh temp directory for this test (removed by t_cleanup). */
const char *t_tmpdir(void);
void t_cleanup(void);
/* Writes data to DIR/name; returns the malloc'd path. */
char *t_write_file(const char *name, const void *data, size_t len);

/* Result of running a job: its output bytes. */
struct t_output {
    char *data;
    size_t len;
    ladle_status status;
    ladle_report report;
    char error[512];
};
/* Runs job (which must already have design, inputs...) capturing stdout into out. */
void t_run_job(ladle_job *job, struct t_output *out);
void t_output_free(struct t_output *out);
/* Counts '\n' in out. */
size_t t_count_lines(const struct t_output *out);

#endif

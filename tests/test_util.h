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

/*
 * Test scale. LADLE_TEST_SCALE=smoke (tests/CMakeLists.txt sets it in the
 * sanitizer builds) runs each loop that only repeats the same code with
 * other seeds, sizes or thread counts a few times, and skips the checks that
 * need the full repetitions to have power (means, frequencies, chi-square):
 * a sanitizer finds a bad access or a race in the first pass through a path,
 * and the Debug pass runs every test in full. Exact checks (sizes,
 * membership, byte-identical outputs) run at both scales.
 */
int t_smoke(void);
/* full, or smoke where t_smoke(). */
size_t t_reps(size_t full, size_t smoke);
/* The step of a determinism loop over threads 1..max (max >= 2): every
 * count, or under smoke 1 and max only.
 * for (unsigned th = 1; th <= max; th += t_threads_step(max)) */
unsigned t_threads_step(unsigned max);
/* The statistical checks: CHECKF where !t_smoke(), else nothing. */
#define CHECK_STAT(cond, ...)                                                                      \
    do {                                                                                           \
        if (!t_smoke())                                                                            \
            CHECKF(cond, __VA_ARGS__);                                                             \
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
/* Prints where out first differs from want[0..wlen) (to stderr). */
void t_show_first_diff(const struct t_output *out, const char *want, size_t wlen);

/* Appends s[0..n) to the growable buffer *buf (*len used of *cap), keeping
 * room for one more byte; grows geometrically (ASan's realloc always copies).
 * s NULL: n bytes are reserved, left for the caller to fill. */
void t_append(char **buf, size_t *len, size_t *cap, const void *s, size_t n);

struct t_buf {
    char *p;
    size_t len, cap;
};
void t_buf_add(struct t_buf *b, const void *s, size_t n);

/* An input's bytes and where its records start (after a header of hdr bytes). */
struct t_text {
    char *p;
    size_t len, cap;
    size_t hdr;     /* bytes of the header line (0: none) */
    uint64_t *offs; /* record offsets, set by t_text_index */
    size_t nrecs;
};
void t_text_add(struct t_text *t, const char *s, size_t n);
/* Finds the records (from t->hdr on) once all text is added. */
void t_text_index(struct t_text *t);
/* Bytes of record r, its '\n' included. */
size_t t_text_rec_len(const struct t_text *t, size_t r);
void t_text_free(struct t_text *t);
/* The source id ladle gives the file at path holding t (decompressed):
 * its basename's stem and t's first record, after t's header (record/
 * source_id.h); 0 when t has no record. The key of record r of it is
 * ladle_record_key(seed, t_text_source_id(t, path), t->offs[r]). */
uint64_t t_text_source_id(const struct t_text *t, const char *path);
/* The same for a file at path whose decompressed bytes are data[0..len),
 * the first hdr of them a header line read with --header (0: none): the
 * first line after it is its first record. */
uint64_t t_source_id(const char *path, const void *data, size_t len, size_t hdr);

#endif

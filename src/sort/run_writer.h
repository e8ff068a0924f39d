/*
 * run_writer.h -- the sorted runs of a spilling sort, written to one
 * unnamed temporary file (O_TMPFILE, or a name removed at once: nothing
 * is left behind on any exit, SIGKILL included). A run's bytes are cut
 * into frames of FRAME bytes, each compressed (zstd level 1) on whichever
 * thread is free: the pipeline's workers take them between chunks
 * (ladle_run_writer_help, from the job's ops->help) and the writer's own
 * thread compresses the rest while it waits; frames reach the file in
 * order, so a run is a sequence of zstd frames read back as one stream.
 */
#ifndef LADLE_RUN_WRITER_H
#define LADLE_RUN_WRITER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct ladle_run_writer;

/* dir: the folder of the temporary file (created here: a failure is an
 * output error naming dir); helpers: the worker threads that may call
 * ladle_run_writer_help (slots 0..helpers-1; the writer's thread is slot
 * `helpers`). */
struct ladle_run_writer *ladle_run_writer_new(const char *dir, unsigned helpers,
                                              const atomic_int *cancel, struct ladle_error *err);
/* Who to tell that a frame waits (NULL: nobody; the writer compresses it). */
void ladle_run_writer_set_wake(struct ladle_run_writer *w, void (*wake)(void *arg), void *arg);
/* A worker thread: compresses one waiting frame, if any. */
void ladle_run_writer_help(struct ladle_run_writer *w, unsigned slot);
/* Appends n bytes to the current run. */
ladle_status ladle_run_writer_add(struct ladle_run_writer *w, const void *p, size_t n);
/* Ends the current run: every frame written; its bytes in the file are
 * [*start, *end). */
ladle_status ladle_run_writer_end_run(struct ladle_run_writer *w, uint64_t *start, uint64_t *end);
/* Gives the disk blocks of [start, end) back (a merged run's; best effort). */
void ladle_run_writer_release(struct ladle_run_writer *w, uint64_t start, uint64_t end);
/* The file (for pread) and its folder; the bytes written so far. */
int ladle_run_writer_fd(const struct ladle_run_writer *w);
const char *ladle_run_writer_dir(const struct ladle_run_writer *w);
uint64_t ladle_run_writer_bytes(const struct ladle_run_writer *w);
/* Frees the frames' buffers and contexts; the file stays open for reading. */
void ladle_run_writer_done(struct ladle_run_writer *w);
void ladle_run_writer_free(struct ladle_run_writer *w);

#endif

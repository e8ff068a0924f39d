/*
 * file_map.h -- read-only views of a regular file's bytes, mapped, that
 * survive the file shrinking under them.
 *
 * Why map: a plain file in the page cache, read by pread(2), is copied
 * once into the reader's buffer and read again by the record walk; mapped,
 * it is read once. On the bench's 1.7 GB JSON lines, two workers, the
 * copy was half of the run's CPU time.
 *
 * Why guarded: touching a mapped page past the file's end (it was
 * truncated after the mapping was made) raises SIGBUS, which would kill
 * the process. A process-wide SIGBUS handler, installed with the first
 * view, maps zero pages over the rest of the faulting view, marks it
 * faulted and returns; the reader's next look at the view says so, and
 * the run fails with "file shrank while being read", as a pread that
 * comes up short does. A SIGBUS outside every view goes to the handler
 * that was there before (or the default action: the process dies as it
 * would have).
 */
#ifndef LADLE_FILE_MAP_H
#define LADLE_FILE_MAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the handler found, for every view of one file (may be shared). */
struct ladle_file_map_watch {
    atomic_bool shrank;       /* a view met the file's end early */
    atomic_ullong size_found; /* the file's size then (set before shrank) */
};

struct ladle_file_map {
    char *base;                         /* the mapping (page-aligned) */
    size_t len;                         /* its length */
    const char *bytes;                  /* the file's byte `off` (inside base) */
    unsigned slot;                      /* its entry in the handler's table */
    int fd;                             /* borrowed: open while the view is */
    atomic_bool faulted;                /* set by the handler: a page past the file's end */
    struct ladle_file_map_watch *watch; /* borrowed or NULL: told as well */
};

/* Maps bytes [off, off + len) of fd read-only (populated ahead, so the
 * walk over them does not fault page by page); fd stays open while the
 * view does, and watch (or NULL) outlives it. 0, or -1 when it cannot
 * (mmap refused, every slot taken: read the bytes some other way). */
int ladle_file_map_open(struct ladle_file_map *m, int fd, uint64_t off, size_t len,
                        struct ladle_file_map_watch *watch);
/* Whether a page of the view lay past the file's end when touched. */
static inline bool ladle_file_map_faulted(struct ladle_file_map *m)
{
    return atomic_load_explicit(&m->faulted, memory_order_acquire);
}
/* Unmaps it; returns whether it faulted. */
bool ladle_file_map_close(struct ladle_file_map *m);

#endif

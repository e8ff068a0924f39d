/*
 * pipeline.h -- what a pass reads and where it writes (engine.h runs it).
 */
#ifndef LADLE_PIPELINE_H
#define LADLE_PIPELINE_H

#include <stdatomic.h>
#include <stdint.h>

struct ladle_record_sink;
struct ladle_source;

#define LADLE_TAIL_MAX 4096 /* bytes of an input's tail hash (--state continuity) */

/* Where --state starts an input that an earlier run read up to `start`
 * (a record boundary of its decompressed bytes): records before it are
 * dropped unkeyed. A plain file without --header is read from there; any
 * other input is decoded from byte 0, and then the XXH3-64 of its
 * tail_len bytes before `start` must be tail_hash (the bytes the earlier
 * run ended with), or the run fails: it is not the source continued. */
struct ladle_input_start {
    uint64_t start;
    uint64_t tail_hash;
    uint16_t tail_len;
    /* --part (job/part_plan.h): the input's records that start in
     * [start, stop) (stop 0: to the end), where start and stop need not be
     * record boundaries: a record starts there if the byte before is a
     * line end; with `after`, an edge is the first line end at or after
     * it instead, so that a part that begins at a zstd frame need not
     * decode the frame before. No tail is compared. Decoding may begin
     * before start: a plain file at start - 1, a zstd file at the frame
     * at compressed offset seek_comp, decompressed seek_dec (0, 0: byte 0). */
    int part, after;
    uint64_t stop, seek_comp, seek_dec;
    uint64_t stop_comp; /* `after`: the frame stop is at; checked against the data */
};

/* What a pass read of an input (--state), written by its decoder thread
 * and read by the caller after the run. */
struct ladle_input_end {
    uint64_t end;       /* decompressed bytes consumed: a record boundary */
    uint64_t held;      /* bytes of a last record without its line end, left */
    uint64_t tail_hash; /* XXH3-64 of the tail_len bytes before `end` */
    uint16_t tail_len;  /* min(LADLE_TAIL_MAX, bytes this pass saw before end) */
    int kind;           /* 0 plain, 1 zstd, 2 gzip (codec/codec.h names) */
    int done;           /* the decoder reached the input's end */
};

struct ladle_pipeline_io {
    const char *const *paths; /* borrowed: "-" is stdin */
    const char *const *names; /* borrowed: for messages */
    uint32_t count;
    int out_fd;
    int skip_header;          /* the --header line was written by an earlier pass */
    const atomic_int *cancel; /* borrowed: set asynchronously to interrupt */
    /* Borrowed, may be NULL: where a pass that writes sends its records
     * instead of out_fd (ladle_job_run_sink). */
    struct ladle_record_sink *sink;
    /* Borrowed, may be NULL: per input, its source id (job/probe.h); NULL:
     * the ordinal stands in (tests that run the engine bare). */
    const uint64_t *source_ids;
    /* Borrowed, may be NULL: per input, the pipe the probe read from,
     * rewound, or NULL (the path is opened). */
    struct ladle_source *const *opened;
    /* Borrowed, may be NULL (every input from byte 0): see above. */
    const struct ladle_input_start *starts;
    /* Borrowed, may be NULL: filled per input (see above). */
    struct ladle_input_end *ends;
    /* --state: a last record without its line end (or with a csv quote
     * open) in a regular file waits for the next run instead of being
     * read; ends[].held says how long it is. */
    int hold_tail;
};

#endif

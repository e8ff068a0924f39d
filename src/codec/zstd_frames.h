/*
 * zstd_frames.h -- where a multi-frame zstd file can be cut (--part): the
 * frame that starts at or after a compressed offset, and its decompressed
 * offset, found from the frame and block headers alone (nothing is
 * decompressed), as pzstd, the seekable format and concatenated frames
 * allow.
 */
#ifndef LADLE_ZSTD_FRAMES_H
#define LADLE_ZSTD_FRAMES_H

#include <stddef.h>
#include <stdint.h>

struct ladle_range_plan;

struct ladle_zstd_cut {
    uint64_t comp, dec;           /* the frame cut at (size, decompressed size: the end) */
    uint64_t prev_comp, prev_dec; /* the last frame before it with content (0, 0: none) */
};

/* The first frame of the zstd file open at fd (size bytes) that starts at
 * or after compressed offset `at`, walking from byte 0. A frame that does
 * not declare its content size ends the walk: its start is the cut (so a
 * single-frame file without one is cut only at 0). 0, or -1 when the file
 * cannot be read or its headers are damaged (the caller then treats it as
 * one piece; the decoder says what is wrong). */
int ladle_zstd_cut_at(int fd, uint64_t size, uint64_t at, struct ladle_zstd_cut *cut);

/* The segments of the zstd file open at fd (size bytes) for reading it
 * on every worker (codec/range.h): frame starts, about `target`
 * decompressed bytes apart, with their decompressed offsets when every
 * frame declares its size. 0, or -1 when the file has fewer than two
 * segments, cannot be read, or its headers are damaged (then it is read
 * serially, and the decoder says what is wrong). */
int ladle_zstd_plan(int fd, uint64_t size, size_t target, struct ladle_range_plan *p);

#endif

/*
 * gzip_index.h -- a sidecar index of a gzip file, so that workers can
 * begin decoding it in the middle (range_gzip.c), as zlib's zran does.
 *
 * A checkpoint is a deflate block boundary about every `span` bytes of
 * output: its compressed bit offset, its decompressed offset, the 32 KiB
 * of output before it (the window its back-references may reach), and the
 * CRC-32 of the output from it to the next checkpoint, so that a reader
 * verifies its own interval. A checkpoint at a member's first byte needs
 * no window: it is decoded as a fresh member. The member table says where
 * each member begins, so that a reader that finishes one goes on into the
 * next without guessing where its trailer ends.
 *
 * The index is built with zlib (inflate with Z_BLOCK stops at block
 * boundaries; ISA-L cannot) by `ladle index` or by a serial run given
 * --index, and lives next to the file as FILE.gz.ladle-index. It names the
 * file it indexes by size and hashes of its first and last 64 KiB; a
 * stale or damaged index is never used.
 */
#ifndef LADLE_GZIP_INDEX_H
#define LADLE_GZIP_INDEX_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define LADLE_GZIP_INDEX_SUFFIX ".ladle-index"
#define LADLE_GZIP_SPAN_DEFAULT ((uint64_t)4 << 20)
#define LADLE_GZIP_SPAN_MIN ((uint64_t)64 << 10)
#define LADLE_GZIP_WINDOW 32768u

/* The checkpoint is a member's first byte (bit % 8 == 0, no window). */
#define LADLE_GZIP_AT_MEMBER 1u

struct ladle_gzip_point {
    uint64_t bit;      /* compressed bit offset where decoding resumes */
    uint64_t out;      /* decompressed offset of that place */
    uint64_t win_off;  /* the window, zstd-compressed, at windows[win_off, + win_len) */
    uint32_t win_len;  /* 0: no window */
    uint32_t dict_len; /* the window's size, <= LADLE_GZIP_WINDOW */
    uint32_t crc;      /* CRC-32 of the output from here to the next checkpoint */
    uint32_t flags;    /* LADLE_GZIP_AT_MEMBER */
};

struct ladle_gzip_member {
    uint64_t comp; /* compressed offset of its header */
    uint64_t out;  /* decompressed offset of its first byte */
};

/* What ties an index to its file. */
struct ladle_gzip_stamp {
    uint64_t size, head, tail; /* size; XXH3-64 of the first and last 64 KiB */
};

struct ladle_gzip_index {
    struct ladle_gzip_stamp stamp;
    uint64_t span;
    uint64_t total_out; /* decompressed size */
    uint64_t data_end;  /* one past the last member (zero padding may follow) */
    size_t npoints, nmembers;
    struct ladle_gzip_point *points;   /* owns; points[0] is the first member's start */
    struct ladle_gzip_member *members; /* owns */
    const unsigned char *windows;      /* in mem */
    size_t windows_len;
    unsigned char *mem; /* owns: the windows (and, loaded, the file's bytes) */
};

/* The stamp of the file open at fd (size bytes). 0, or -1 (read failed). */
int ladle_gzip_stamp_file(int fd, uint64_t size, struct ladle_gzip_stamp *s);

/* The index of gz_path (open at fd, size bytes) from its sidecar; NULL
 * when there is none (note empty), or when it cannot be used: note then
 * holds one line, "NAME: index is stale (the file changed), reading it
 * without" or "NAME: index is damaged (why), reading it without". */
struct ladle_gzip_index *ladle_gzip_index_load(const char *gz_path, const char *name, int fd,
                                               uint64_t size, char *note, size_t note_cap);
/* The same from the sidecar's bytes buf[0, len) (takes buf), checked
 * against want; NULL with why ("stale" or what is damaged). */
struct ladle_gzip_index *ladle_gzip_index_parse(unsigned char *buf, size_t len,
                                                const struct ladle_gzip_stamp *want, char *why,
                                                size_t why_cap);
/* Writes ix as gz_path's sidecar: a temporary file in the same folder,
 * fsync'd, renamed. When *cancel is set before the rename, nothing is
 * left behind and LADLE_E_INTERRUPTED is returned. */
ladle_status ladle_gzip_index_save(const struct ladle_gzip_index *ix, const char *gz_path,
                                   const volatile sig_atomic_t *cancel, struct ladle_error *err);
void ladle_gzip_index_free(struct ladle_gzip_index *ix);
/* Checkpoint j's window into dict[LADLE_GZIP_WINDOW]: 0, or -1 (damaged). */
int ladle_gzip_index_window(const struct ladle_gzip_index *ix, size_t j, unsigned char *dict);

/* Building, while the file is decoded from byte 0 (gzip_build.c). */
struct ladle_gzip_builder;
struct ladle_gzip_builder *ladle_gzip_builder_new(uint64_t span);
/* Decodes what it can of in[0, len) into out[0, cap): *used bytes of in
 * taken, *made bytes written; eof: nothing follows in. *done once the last
 * member and any zero padding after it are read. Every member's CRC-32
 * and length are checked; errors are input errors "NAME: what (at
 * compressed byte N)". */
ladle_status ladle_gzip_builder_step(struct ladle_gzip_builder *b, const unsigned char *in,
                                     size_t len, bool eof, unsigned char *out, size_t cap,
                                     size_t *used, size_t *made, bool *done, const char *name,
                                     struct ladle_error *err);
/* The index, once done, stamped with the file's (open at fd, size bytes):
 * the caller owns it. NULL when out of memory or the file cannot be read. */
struct ladle_gzip_index *ladle_gzip_builder_finish(struct ladle_gzip_builder *b, int fd,
                                                   uint64_t size);
void ladle_gzip_builder_free(struct ladle_gzip_builder *b);

/* Builds the index of the gzip file at path (`ladle index`); stops with
 * LADLE_E_INTERRUPTED when *cancel is set. */
ladle_status ladle_gzip_index_build_file(const char *path, uint64_t span,
                                         const volatile sig_atomic_t *cancel,
                                         struct ladle_gzip_index **out, struct ladle_error *err);

struct ladle_range_plan;
/* A plan of ix's file: a segment per checkpoint, neighbours closer than
 * target output bytes merged. ix must outlive the plan (p->gz borrows it).
 * 0, or -1 when out of memory or fewer than two segments. */
int ladle_range_plan_gzip(struct ladle_range_plan *p, const struct ladle_gzip_index *ix,
                          size_t target);

#endif

/*
 * zstd_walk.h -- follows the frame structure of a zstd stream (RFC 8878)
 * beside libzstd, so that the decoder knows which unit each compressed
 * byte belongs to: a frame header, a block header, a block, a frame
 * checksum or a skippable frame.
 *
 * Why: libzstd's streaming decoder does not move its input position when
 * it fails, so an error in a 1 MiB input buffer used to be reported at the
 * buffer's first byte ("at compressed byte 0" for damage in the middle).
 * codec_zstd.c hands libzstd one unit at a time (ladle_zstd_walk_want) and
 * tells the walker what libzstd consumed (ladle_zstd_walk_feed); an error
 * then lies in the current unit, whose first byte is an exact "where".
 * The walker only reads what libzstd has already accepted, so it never
 * judges the data itself; the two things it notes for the codec to refuse
 * (below) are where libzstd's buffered path accepts too much. range_codec.c
 * also walks a segment's raw bytes before its fast way: any bytes are safe
 * to feed (a header never takes more than hdr's 18 bytes).
 */
#ifndef LADLE_ZSTD_WALK_H
#define LADLE_ZSTD_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ladle_zstd_unit {
    LADLE_ZSTD_MAGIC,        /* 4 bytes: a frame's magic number */
    LADLE_ZSTD_FRAME_DESC,   /* 1 byte: the frame header descriptor */
    LADLE_ZSTD_HEADER,       /* the rest of the frame header */
    LADLE_ZSTD_BLOCK_HEADER, /* 3 bytes */
    LADLE_ZSTD_BLOCK,        /* a block's content */
    LADLE_ZSTD_CHECKSUM,     /* 4 bytes after the last block */
    LADLE_ZSTD_SKIP_SIZE,    /* 4 bytes: a skippable frame's size */
    LADLE_ZSTD_SKIP,         /* a skippable frame's content */
};

struct ladle_zstd_walk {
    enum ladle_zstd_unit unit;
    uint64_t pos;          /* compressed offset of the next byte */
    uint64_t unit_start;   /* compressed offset of the current unit (of the
                              frame, for the pieces of a frame header) */
    uint64_t need;         /* bytes left in the current unit (>= 1) */
    uint64_t frame_start;  /* compressed offset of the current frame */
    uint64_t frames;       /* frames completed (skippable ones too) */
    uint64_t block_size;   /* the current block's content size */
    unsigned char hdr[18]; /* the current frame's header so far */
    size_t hdr_len;
    unsigned char small[4]; /* a block header or skippable size so far */
    size_t small_len;
    bool checksum;   /* the current frame ends with a checksum */
    bool last_block; /* the current block is the frame's last */
    /* A block header declared a compressed block of 0 bytes, which RFC 8878
     * does not allow (it holds two section headers at least) and which
     * libzstd's buffered path takes for the frame's end when it is the last
     * block and reads as empty elsewhere (its one-shot path refuses it): set
     * with the first such header's offset, for the codec to refuse. */
    bool empty_compressed;
    uint64_t empty_compressed_at;
    /* A frame's magic number is one of zstd's pre-1.0 formats (v0.1-v0.7,
     * 0xFD2FB51E-0xFD2FB527), which the walker cannot follow: its version,
     * set with the frame's offset, for the codec to refuse; 0 if none. */
    unsigned legacy;
    uint64_t legacy_at;
};

void ladle_zstd_walk_init(struct ladle_zstd_walk *w);

/* Bytes left in the current unit: the most libzstd should be given now. */
static inline uint64_t ladle_zstd_walk_want(const struct ladle_zstd_walk *w)
{
    return w->need;
}

/* Advances over n bytes (those libzstd has consumed, in the codec). */
void ladle_zstd_walk_feed(struct ladle_zstd_walk *w, const unsigned char *p, size_t n);

/* The pre-1.0 format version (1-7) a little-endian magic number names, or
 * 0 when it is not one of theirs. */
unsigned ladle_zstd_legacy_version(uint32_t magic);

/* True between frames (before any byte of the next): a clean end of input. */
bool ladle_zstd_walk_at_frame_edge(const struct ladle_zstd_walk *w);

/* The current unit in words, for messages ("a block of 1234 bytes"). */
void ladle_zstd_walk_describe(const struct ladle_zstd_walk *w, char *buf, size_t len);

/* The window the current frame's header declares, from the header bytes
 * consumed so far followed by `more` (offered to libzstd but refused);
 * 0 when those bytes do not say. */
uint64_t ladle_zstd_walk_window(const struct ladle_zstd_walk *w, const unsigned char *more,
                                size_t n);

#endif

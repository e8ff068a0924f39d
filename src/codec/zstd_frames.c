/*
 * zstd_frames.c -- frame edges of a zstd file from its headers (RFC 8878):
 * a frame header (libzstd reads it: ZSTD_getFrameHeader), then 3-byte
 * block headers, each giving the next one's place, then the optional
 * checksum; a skippable frame gives its size. Written here because libzstd
 * only sizes a frame it holds whole in memory (ZSTD_findFrameCompressedSize),
 * and a cut must not read the gigabytes before it.
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader: exported by the shared library */
#include "codec/zstd_frames.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define WIN 4096 /* a page: headers are far apart, the bytes between are not read */

/* A window of the file, refilled by pread where a header falls outside. */
struct win {
    int fd;
    uint64_t size, off;
    size_t len;
    unsigned char b[WIN];
};

/* Points *p at n bytes at offset o (n <= 18); -1 past the end or on error. */
static int need(struct win *w, uint64_t o, size_t n, const unsigned char **p)
{
    if (o + n > w->size)
        return -1;
    if (o < w->off || o + n > w->off + w->len) {
        ssize_t r;
        do
            r = pread(w->fd, w->b, WIN, (off_t)o);
        while (r < 0 && errno == EINTR);
        if (r < (ssize_t)n)
            return -1;
        w->off = o;
        w->len = (size_t)r;
    }
    *p = w->b + (o - w->off);
    return 0;
}

/* The compressed size of the blocks and checksum after a frame header. */
static int blocks_end(struct win *w, uint64_t o, int checksum, uint64_t *end)
{
    for (;;) {
        const unsigned char *p;
        if (need(w, o, 3, &p))
            return -1;
        uint32_t h = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
        uint32_t type = (h >> 1) & 3, bsize = h >> 3;
        if (type == 3)
            return -1;                    /* reserved */
        o += 3 + (type == 1 ? 1 : bsize); /* an RLE block holds one byte */
        if (h & 1)
            break;
    }
    *end = o + (checksum ? 4 : 0);
    return *end <= w->size ? 0 : -1;
}

static int walk(struct win *w, uint64_t size, uint64_t at, struct ladle_zstd_cut *cut)
{
    uint64_t c = 0, d = 0;
    while (c < size && c < at) {
        const unsigned char *p;
        size_t n =
            size - c < ZSTD_FRAMEHEADERSIZE_MAX ? (size_t)(size - c) : ZSTD_FRAMEHEADERSIZE_MAX;
        if (need(w, c, n, &p))
            return -1;
        ZSTD_frameHeader h;
        if (ZSTD_getFrameHeader(&h, p, n) != 0)
            return -1;
        if (h.frameType == ZSTD_skippableFrame) {
            c += h.headerSize + h.frameContentSize;
            continue;
        }
        if (h.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN)
            break; /* the offsets after it are unknown: cut here */
        uint64_t end;
        if (d + h.frameContentSize < d)
            return -1; /* a size no file has: damaged */
        if (blocks_end(w, c + h.headerSize, (int)h.checksumFlag, &end))
            return -1;
        if (h.frameContentSize) {
            cut->prev_comp = c;
            cut->prev_dec = d;
        }
        c = end;
        d += h.frameContentSize;
    }
    cut->comp = c < size ? c : size;
    cut->dec = d;
    return 0;
}

int ladle_zstd_cut_at(int fd, uint64_t size, uint64_t at, struct ladle_zstd_cut *cut)
{
    memset(cut, 0, sizeof *cut);
    struct win *w = malloc(sizeof *w);
    if (!w)
        return -1;
    w->fd = fd;
    w->size = size;
    w->off = 0;
    w->len = 0;
    int r = walk(w, size, at, cut);
    free(w);
    return r;
}

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

#include "codec/range.h"

#include <errno.h>
#include <stdbool.h>
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

/* The header of the frame at c, and where the frame ends (*end). */
static int frame_at(struct win *w, uint64_t size, uint64_t c, ZSTD_frameHeader *h, uint64_t *end)
{
    const unsigned char *p;
    size_t n = size - c < ZSTD_FRAMEHEADERSIZE_MAX ? (size_t)(size - c) : ZSTD_FRAMEHEADERSIZE_MAX;
    if (need(w, c, n, &p) || ZSTD_getFrameHeader(h, p, n) != 0)
        return -1;
    if (h->frameType == ZSTD_skippableFrame) {
        /* libzstd 1.5 leaves headerSize 0 for these: magic + size */
        if (h->frameContentSize > size - c - ZSTD_SKIPPABLEHEADERSIZE)
            return -1;
        *end = c + ZSTD_SKIPPABLEHEADERSIZE + h->frameContentSize;
        return 0;
    }
    return blocks_end(w, c + h->headerSize, (int)h->checksumFlag, end);
}

static int walk(struct win *w, uint64_t size, uint64_t at, struct ladle_zstd_cut *cut)
{
    uint64_t c = 0, d = 0;
    while (c < size && c < at) {
        ZSTD_frameHeader h;
        uint64_t end;
        if (frame_at(w, size, c, &h, &end))
            return -1;
        if (h.frameType == ZSTD_skippableFrame) {
            c = end;
            continue;
        }
        if (h.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN)
            break; /* the offsets after it are unknown: cut here */
        if (d + h.frameContentSize < d)
            return -1; /* a size no file has: damaged */
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

/* ---- the segments of a multi-frame file (codec/range.h) ---- */

/* Frame starts, grown as the walk finds them. */
struct starts {
    uint64_t *comp, *dec; /* dec: UINT64_MAX once a frame's size is unknown */
    size_t n, cap;
};

static int starts_add(struct starts *s, uint64_t comp, uint64_t dec)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        uint64_t *c = realloc(s->comp, cap * sizeof *c);
        if (c)
            s->comp = c;
        uint64_t *d = c ? realloc(s->dec, cap * sizeof *d) : NULL;
        if (!d)
            return -1;
        s->dec = d;
        s->cap = cap;
    }
    s->comp[s->n] = comp;
    s->dec[s->n++] = dec;
    return 0;
}

/* Walks every frame header, starting a segment at a frame once the one
 * before holds `target` decompressed bytes (or, sizes unknown, an eighth
 * of that compressed: pzstd's frames are megabytes each). */
static int plan_walk(struct win *w, uint64_t size, size_t target, struct starts *s)
{
    uint64_t c = 0, d = 0, seg_c = 0, seg_d = 0;
    while (c < size) {
        ZSTD_frameHeader h;
        uint64_t end;
        if (frame_at(w, size, c, &h, &end))
            return -1;
        bool known = d != UINT64_MAX;
        if (c > 0 && (known ? d - seg_d >= target : c - seg_c >= target / 8)) {
            if (starts_add(s, c, d))
                return -1;
            seg_c = c;
            seg_d = d;
        }
        if (h.frameType != ZSTD_skippableFrame) {
            if (h.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN || d + h.frameContentSize < d)
                d = UINT64_MAX; /* from here on the workers learn the offsets */
            else if (known)
                d += h.frameContentSize;
        }
        c = end;
    }
    return 0;
}

int ladle_zstd_plan(int fd, uint64_t size, size_t target, struct ladle_range_plan *p)
{
    struct win *w = malloc(sizeof *w);
    struct starts s = {0};
    int r = -1;
    if (!w || starts_add(&s, 0, 0))
        goto out;
    w->fd = fd;
    w->size = size;
    w->off = 0;
    w->len = 0;
    if (plan_walk(w, size, target ? target : 1, &s) || s.n < 2)
        goto out;
    bool known = s.dec[s.n - 1] != UINT64_MAX;
    if (ladle_range_plan_init(p, s.n, known)) {
        ladle_range_plan_free(p);
        goto out;
    }
    memcpy(p->comp, s.comp, s.n * sizeof *s.comp);
    p->comp[s.n] = size;
    if (known)
        memcpy(p->dec, s.dec, s.n * sizeof *s.dec); /* dec[n] is not needed: the last reads on */
    r = 0;
out:
    free(s.comp);
    free(s.dec);
    free(w);
    return r;
}

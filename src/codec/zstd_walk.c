/*
 * zstd_walk.c -- the zstd frame structure, unit by unit (see zstd_walk.h).
 *
 * RFC 8878, section 3.1: a frame is a magic number, a header whose size the
 * descriptor byte gives, blocks (a 3-byte header each: last-block flag,
 * type, size) and an optional 4-byte checksum; a skippable frame is a
 * magic number, a 4-byte size and that many bytes.
 */
#include "codec/zstd_walk.h"

#include <stdio.h>
#include <string.h>

#define SKIPPABLE_MASK 0xFFFFFFF0u
#define SKIPPABLE_START 0x184D2A50u
#define BLOCK_RLE 1u
#define BLOCK_COMPRESSED 2u

static uint64_t read_le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static void start_unit(struct ladle_zstd_walk *w, enum ladle_zstd_unit unit, uint64_t need)
{
    w->unit = unit;
    w->need = need;
    /* The frame header's pieces are one unit for messages. */
    bool in_header = unit == LADLE_ZSTD_FRAME_DESC || unit == LADLE_ZSTD_HEADER;
    w->unit_start = in_header ? w->frame_start : w->pos;
    w->small_len = 0;
}

static void start_frame(struct ladle_zstd_walk *w)
{
    w->frame_start = w->pos;
    w->hdr_len = 0;
    w->checksum = false;
    start_unit(w, LADLE_ZSTD_MAGIC, 4);
}

void ladle_zstd_walk_init(struct ladle_zstd_walk *w)
{
    memset(w, 0, sizeof *w);
    start_frame(w);
}

/* The frame header's size from its descriptor byte (RFC 8878, 3.1.1.1). */
static size_t header_size(unsigned fhd)
{
    static const size_t did_size[4] = {0, 1, 2, 4};
    static const size_t fcs_size[4] = {0, 2, 4, 8};
    unsigned fcs_flag = fhd >> 6, single_segment = (fhd >> 5) & 1;
    size_t fcs = fcs_flag == 0 && single_segment ? 1 : fcs_size[fcs_flag];
    return 4 + 1 + (single_segment ? 0 : 1) + did_size[fhd & 3] + fcs;
}

static void frame_done(struct ladle_zstd_walk *w)
{
    w->frames++;
    start_frame(w);
}

static void block_done(struct ladle_zstd_walk *w)
{
    if (!w->last_block)
        start_unit(w, LADLE_ZSTD_BLOCK_HEADER, 3);
    else if (w->checksum)
        start_unit(w, LADLE_ZSTD_CHECKSUM, 4);
    else
        frame_done(w);
}

unsigned ladle_zstd_legacy_version(uint32_t magic)
{
    if (magic == 0xFD2FB51Eu)
        return 1; /* v0.1: the others count up from 0xFD2FB522 (v0.2) */
    return magic >= 0xFD2FB522u && magic <= 0xFD2FB527u ? magic - 0xFD2FB520u : 0;
}

/* The current unit is complete: what comes next. */
static void next_unit(struct ladle_zstd_walk *w)
{
    switch (w->unit) {
    case LADLE_ZSTD_MAGIC: {
        uint32_t magic = (uint32_t)read_le(w->hdr, 4);
        if (!w->legacy && (w->legacy = ladle_zstd_legacy_version(magic)))
            w->legacy_at = w->frame_start;
        if ((magic & SKIPPABLE_MASK) == SKIPPABLE_START)
            start_unit(w, LADLE_ZSTD_SKIP_SIZE, 4);
        else
            start_unit(w, LADLE_ZSTD_FRAME_DESC, 1);
        break;
    }
    case LADLE_ZSTD_FRAME_DESC: {
        w->checksum = (w->hdr[4] >> 2) & 1;
        size_t rest = header_size(w->hdr[4]) - 5;
        if (rest)
            start_unit(w, LADLE_ZSTD_HEADER, rest);
        else
            start_unit(w, LADLE_ZSTD_BLOCK_HEADER, 3);
        break;
    }
    case LADLE_ZSTD_HEADER: start_unit(w, LADLE_ZSTD_BLOCK_HEADER, 3); break;
    case LADLE_ZSTD_BLOCK_HEADER: {
        uint32_t bh = (uint32_t)read_le(w->small, 3);
        w->last_block = bh & 1;
        w->block_size = bh >> 3;
        uint32_t type = (bh >> 1) & 3;
        if (type == BLOCK_COMPRESSED && w->block_size == 0 && !w->empty_compressed) {
            w->empty_compressed = true;
            w->empty_compressed_at = w->unit_start;
        }
        uint64_t content = type == BLOCK_RLE ? 1 : w->block_size;
        if (content)
            start_unit(w, LADLE_ZSTD_BLOCK, content);
        else
            block_done(w);
        break;
    }
    case LADLE_ZSTD_BLOCK: block_done(w); break;
    case LADLE_ZSTD_CHECKSUM: frame_done(w); break;
    case LADLE_ZSTD_SKIP_SIZE: {
        uint64_t size = read_le(w->small, 4);
        if (size)
            start_unit(w, LADLE_ZSTD_SKIP, size);
        else
            frame_done(w);
        break;
    }
    case LADLE_ZSTD_SKIP: frame_done(w); break;
    }
}

void ladle_zstd_walk_feed(struct ladle_zstd_walk *w, const unsigned char *p, size_t n)
{
    while (n) {
        size_t take = n < w->need ? n : (size_t)w->need;
        switch (w->unit) {
        case LADLE_ZSTD_MAGIC:
        case LADLE_ZSTD_FRAME_DESC:
        case LADLE_ZSTD_HEADER:
            memcpy(w->hdr + w->hdr_len, p, take); /* units sum to <= 18 bytes */
            w->hdr_len += take;
            break;
        case LADLE_ZSTD_BLOCK_HEADER:
        case LADLE_ZSTD_SKIP_SIZE:
            memcpy(w->small + w->small_len, p, take);
            w->small_len += take;
            break;
        default: break;
        }
        w->pos += take;
        w->need -= take;
        p += take;
        n -= take;
        if (w->need == 0)
            next_unit(w);
    }
}

bool ladle_zstd_walk_at_frame_edge(const struct ladle_zstd_walk *w)
{
    return w->unit == LADLE_ZSTD_MAGIC && w->pos == w->unit_start;
}

void ladle_zstd_walk_describe(const struct ladle_zstd_walk *w, char *buf, size_t len)
{
    switch (w->unit) {
    case LADLE_ZSTD_MAGIC:
    case LADLE_ZSTD_FRAME_DESC:
    case LADLE_ZSTD_HEADER: snprintf(buf, len, "a frame header"); break;
    case LADLE_ZSTD_BLOCK_HEADER: snprintf(buf, len, "a block header"); break;
    case LADLE_ZSTD_BLOCK:
        snprintf(buf, len, "a block of %llu bytes",
                 (unsigned long long)w->need + (w->pos - w->unit_start));
        break;
    case LADLE_ZSTD_CHECKSUM: snprintf(buf, len, "a frame checksum"); break;
    case LADLE_ZSTD_SKIP_SIZE:
    case LADLE_ZSTD_SKIP: snprintf(buf, len, "a skippable frame"); break;
    }
}

uint64_t ladle_zstd_walk_window(const struct ladle_zstd_walk *w, const unsigned char *more,
                                size_t n)
{
    if (w->unit != LADLE_ZSTD_MAGIC && w->unit != LADLE_ZSTD_FRAME_DESC &&
        w->unit != LADLE_ZSTD_HEADER)
        return 0;
    unsigned char h[sizeof w->hdr];
    size_t len = w->hdr_len;
    memcpy(h, w->hdr, len);
    size_t extra = n < sizeof h - len ? n : sizeof h - len;
    memcpy(h + len, more, extra);
    len += extra;
    if (len < 5 || len < header_size(h[4]))
        return 0;
    unsigned fhd = h[4];
    if ((fhd >> 5) & 1) {
        /* Single segment: the window is the content size. */
        static const size_t did_size[4] = {0, 1, 2, 4};
        static const size_t fcs_size[4] = {1, 2, 4, 8};
        size_t at = 5 + did_size[fhd & 3], size = fcs_size[fhd >> 6];
        uint64_t fcs = read_le(h + at, size);
        return size == 2 ? fcs + 256 : fcs;
    }
    unsigned wd = h[5];
    uint64_t base = (uint64_t)1 << (10 + (wd >> 3));
    return base + (base / 8) * (wd & 7);
}

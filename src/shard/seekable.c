/*
 * seekable.c -- writing and parsing the zstd seekable format's seek table
 * (see seekable.h for the layout).
 *
 * Parsing works from the end, as the format intends: the footer says how
 * many entries there are and how wide, which gives the table's size, which
 * gives where the skippable frame must start. Both the in-memory and the fd
 * parser feed the same tail parser, so they cannot disagree.
 */
#include "shard/seekable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#define CHECKSUM_FLAG 0x80u
#define RESERVED_BITS 0x7Cu /* bits 6..2: must be zero; bits 1..0 are ignored */
#define SKIPPABLE_HEADER_SIZE 8

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int ladle_seek_table_add(struct ladle_seek_table *t, uint32_t csize, uint32_t dsize,
                         uint32_t checksum)
{
    if (t->count >= LADLE_SEEK_MAX_FRAMES)
        return -1;
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct ladle_seek_entry *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->count++] = (struct ladle_seek_entry){csize, dsize, checksum};
    return 0;
}

size_t ladle_seek_table_size(const struct ladle_seek_table *t)
{
    return SKIPPABLE_HEADER_SIZE + t->count * 12 + LADLE_SEEK_FOOTER_SIZE;
}

void ladle_seek_table_write(const struct ladle_seek_table *t, unsigned char *dst)
{
    /* count <= LADLE_SEEK_MAX_FRAMES keeps Frame_Size within 32 bits. */
    put_le32(dst, LADLE_SEEK_SKIPPABLE_MAGIC);
    put_le32(dst + 4, (uint32_t)(ladle_seek_table_size(t) - SKIPPABLE_HEADER_SIZE));
    unsigned char *p = dst + SKIPPABLE_HEADER_SIZE;
    for (size_t i = 0; i < t->count; i++, p += 12) {
        put_le32(p, t->v[i].csize);
        put_le32(p + 4, t->v[i].dsize);
        put_le32(p + 8, t->v[i].checksum);
    }
    put_le32(p, (uint32_t)t->count);
    p[4] = CHECKSUM_FLAG;
    put_le32(p + 5, LADLE_SEEK_MAGIC);
}

void ladle_seek_table_free(struct ladle_seek_table *t)
{
    free(t->v);
    *t = (struct ladle_seek_table){0};
}

uint32_t ladle_seek_checksum(const void *data, size_t len)
{
    return (uint32_t)XXH64(data, len, 0);
}

/* From the 9-byte footer: the whole table frame's size and its entry width.
 * The size is computed in 64 bits, so no footer can make it wrap. */
static int footer_decode(const unsigned char *footer, uint64_t file_size, uint64_t *table_bytes,
                         size_t *entry_size, const char **why)
{
    if (get_le32(footer + 5) != LADLE_SEEK_MAGIC) {
        *why = "no seek table (the seekable magic number is missing at the end)";
        return -1;
    }
    unsigned desc = footer[4];
    if (desc & RESERVED_BITS) {
        *why = "seek table descriptor has reserved bits set";
        return -1;
    }
    uint32_t frames = get_le32(footer);
    if (frames > LADLE_SEEK_MAX_FRAMES) {
        *why = "seek table lists too many frames";
        return -1;
    }
    *entry_size = (desc & CHECKSUM_FLAG) ? 12 : 8;
    *table_bytes = SKIPPABLE_HEADER_SIZE + (uint64_t)frames * *entry_size + LADLE_SEEK_FOOTER_SIZE;
    if (*table_bytes > file_size) {
        *why = "seek table is larger than the file (truncated?)";
        return -1;
    }
    return 0;
}

/* Parses the table frame held in tail (exactly table_bytes long, the last
 * bytes of a file of file_size bytes). */
static int parse_tail(const unsigned char *tail, uint64_t table_bytes, size_t entry_size,
                      uint64_t file_size, struct ladle_seek_table *t, uint64_t *frames_end,
                      const char **why)
{
    const unsigned char *footer = tail + table_bytes - LADLE_SEEK_FOOTER_SIZE;
    uint32_t frames = get_le32(footer);
    if (get_le32(tail) != LADLE_SEEK_SKIPPABLE_MAGIC) {
        *why = "seek table frame has a bad magic number";
        return -1;
    }
    if (get_le32(tail + 4) != table_bytes - SKIPPABLE_HEADER_SIZE) {
        *why = "seek table frame size does not match its number of frames";
        return -1;
    }
    *t = (struct ladle_seek_table){0};
    t->checksummed = entry_size == 12;
    t->v = malloc((frames ? frames : 1) * sizeof *t->v);
    if (!t->v) {
        *why = "out of memory";
        return -1;
    }
    t->cap = frames;
    uint64_t sum = 0;
    const unsigned char *p = tail + SKIPPABLE_HEADER_SIZE;
    for (uint32_t i = 0; i < frames; i++, p += entry_size) {
        struct ladle_seek_entry e = {get_le32(p), get_le32(p + 4), 0};
        if (t->checksummed)
            e.checksum = get_le32(p + 8);
        sum += e.csize;
        t->v[t->count++] = e;
    }
    /* The entries must tile the frames exactly: a reader seeks by their sums. */
    if (sum != file_size - table_bytes) {
        ladle_seek_table_free(t);
        *why = "seek table's compressed sizes do not add up to where the table starts";
        return -1;
    }
    *frames_end = file_size - table_bytes;
    return 0;
}

int ladle_seek_table_parse(const unsigned char *data, size_t len, struct ladle_seek_table *t,
                           uint64_t *frames_end, const char **why)
{
    uint64_t table_bytes;
    size_t entry_size;
    if (len < SKIPPABLE_HEADER_SIZE + LADLE_SEEK_FOOTER_SIZE) {
        *why = "file too short to hold a seek table";
        return -1;
    }
    if (footer_decode(data + len - LADLE_SEEK_FOOTER_SIZE, len, &table_bytes, &entry_size, why))
        return -1;
    return parse_tail(data + len - table_bytes, table_bytes, entry_size, len, t, frames_end, why);
}

/* Reads exactly len bytes at off; 0, or -1 with *why set. */
static int pread_full(int fd, void *buf, size_t len, uint64_t off, const char **why)
{
    unsigned char *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *why = strerror(errno);
            return -1;
        }
        if (n == 0) {
            *why = "file shrank while being read";
            return -1;
        }
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

int ladle_seek_table_read_fd(int fd, uint64_t file_size, struct ladle_seek_table *t,
                             uint64_t *frames_end, const char **why)
{
    unsigned char footer[LADLE_SEEK_FOOTER_SIZE];
    uint64_t table_bytes;
    size_t entry_size;
    if (file_size < SKIPPABLE_HEADER_SIZE + LADLE_SEEK_FOOTER_SIZE) {
        *why = "file too short to hold a seek table";
        return -1;
    }
    if (pread_full(fd, footer, sizeof footer, file_size - sizeof footer, why) ||
        footer_decode(footer, file_size, &table_bytes, &entry_size, why))
        return -1;
    unsigned char *tail = malloc(table_bytes);
    if (!tail) {
        *why = "out of memory";
        return -1;
    }
    int rc = pread_full(fd, tail, table_bytes, file_size - table_bytes, why);
    if (rc == 0)
        rc = parse_tail(tail, table_bytes, entry_size, file_size, t, frames_end, why);
    free(tail);
    return rc;
}

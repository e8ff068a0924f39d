/*
 * seekable.h -- the seek table of the zstd seekable format, by hand.
 *
 * A shard is a run of independent zstd frames followed by one skippable
 * frame that lists them (zstd's contrib/seekable_format, spec
 * zstd_seekable_compression_format.md, which Debian does not package):
 *
 *   u32 0x184D2A5E  u32 Frame_Size
 *   per frame: u32 Compressed_Size, u32 Decompressed_Size, [u32 Checksum]
 *   u32 Number_Of_Frames  u8 Descriptor  u32 0x8F92EAB1
 *
 * all little-endian. Checksum is the low 32 bits of XXH64(seed 0) of the
 * frame's decompressed bytes, present when bit 7 of Descriptor is set.
 * Plain zstd tools skip the table, so a shard still decompresses with
 * `zstd -d`; a seekable reader jumps straight to any frame.
 *
 * ladle always writes checksums. The parser also accepts tables without
 * them (checksummed == 0, every checksum 0) since the spec allows it.
 */
#ifndef LADLE_SEEKABLE_H
#define LADLE_SEEKABLE_H

#include <stddef.h>
#include <stdint.h>

#define LADLE_SEEK_SKIPPABLE_MAGIC 0x184D2A5Eu
#define LADLE_SEEK_MAGIC 0x8F92EAB1u
#define LADLE_SEEK_FOOTER_SIZE 9
/* zstd's reference reader refuses more frames than this; so do we, which
 * also bounds what a corrupt footer can make us allocate. */
#define LADLE_SEEK_MAX_FRAMES 0x8000000u

struct ladle_seek_entry {
    uint32_t csize;    /* compressed bytes of the frame */
    uint32_t dsize;    /* decompressed bytes */
    uint32_t checksum; /* low 32 bits of XXH64 of the decompressed bytes */
};

struct ladle_seek_table {
    struct ladle_seek_entry *v; /* owns; count entries in file order */
    size_t count, cap;
    int checksummed; /* parse: the table carried checksums (write always does) */
};

/* Appends one frame. 0, or -1: out of memory or LADLE_SEEK_MAX_FRAMES reached. */
int ladle_seek_table_add(struct ladle_seek_table *t, uint32_t csize, uint32_t dsize,
                         uint32_t checksum);

/* Bytes of the whole skippable frame that ladle_seek_table_write produces. */
size_t ladle_seek_table_size(const struct ladle_seek_table *t);

/* Serializes t (with checksums) into dst, which has ladle_seek_table_size(t) bytes. */
void ladle_seek_table_write(const struct ladle_seek_table *t, unsigned char *dst);

/* Frees the entries; t is then an empty table, ready for reuse. */
void ladle_seek_table_free(struct ladle_seek_table *t);

/* The seek table checksum of a frame's decompressed bytes: XXH64 low 32 bits. */
uint32_t ladle_seek_checksum(const void *data, size_t len);

/* Parses the seek table at the end of a whole file held in [data, data+len).
 * Fills t (which must be empty, e.g. zeroed) and sets *frames_end to the
 * offset where the seek table frame starts; the entries' compressed sizes
 * are checked to tile [0, *frames_end) exactly. Returns 0, or -1 with a
 * short static reason in *why (t is then left empty). */
int ladle_seek_table_parse(const unsigned char *data, size_t len, struct ladle_seek_table *t,
                           uint64_t *frames_end, const char **why);

/* The same from an open file of file_size bytes: preads the footer, then the
 * table, never the frames. On an I/O error *why is strerror's text. */
int ladle_seek_table_read_fd(int fd, uint64_t file_size, struct ladle_seek_table *t,
                             uint64_t *frames_end, const char **why);

#endif

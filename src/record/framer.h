/*
 * framer.h -- cuts a byte stream into chunks of whole records.
 *
 * Decoders fill chunks with whatever bytes come next; the framer moves the
 * trailing partial record of each chunk into a carry buffer and puts it in
 * front of the next chunk that completes it (into the chunk's headroom, so
 * only the short partial line is copied). Work is linear in the input,
 * however long the records and however small the chunks. At end of input a last record without '\n'
 * gains one. Every chunk the framer returns therefore holds whole records,
 * each ending in '\n', and knows the decompressed offset of its first byte:
 * the record identities of the reproducibility contract.
 *
 * Under --format csv a record ends at a '\n' outside quotes instead, so a
 * quoted field holding line ends is never cut; a quote still open at end
 * of input runs the record to the end (field extraction calls it
 * malformed).
 */
#ifndef LADLE_FRAMER_H
#define LADLE_FRAMER_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "record/chunk.h"
#include "record/csv_edge.h"

struct ladle_framer {
    char *carry; /* owns: the partial record not yet complete */
    size_t carry_len, carry_cap;
    uint64_t carry_off; /* decompressed offset of carry[0] */
    uint64_t next_off;  /* decompressed offset of the next fresh byte */
    size_t max_record;
    uint64_t work;    /* bytes scanned or copied so far: stays within a
                         small multiple of next_off (tests check it) */
    const char *name; /* borrowed: input name for messages */
    /* --format csv: records end at a '\n' outside quotes (csv_edge.h);
     * 0 for lines. csv_state is the scan state at the end of the carry. */
    char csv_delim;
    enum ladle_csv_state csv_state;
};

void ladle_framer_init(struct ladle_framer *f, size_t max_record, const char *name);
void ladle_framer_destroy(struct ladle_framer *f);
/* Frames RFC 4180 records (a '\n' inside quotes belongs to the record)
 * with this field delimiter; chunks then carry csv_delim for the record
 * walkers (records.h). */
void ladle_framer_set_csv(struct ladle_framer *f, char delim);

/* The chunk size to use so that records over max_record are always seen
 * by the framer (see framer.c). */
size_t ladle_framer_chunk_limit(size_t chunk_size, size_t max_record);

/* Frames *ck, whose fresh bytes sit at (*ck)->data, (*ck)->len, with
 * (*ck)->data at least LADLE_CHUNK_HEADROOM bytes into (*ck)->mem and one
 * spare byte after the data. May replace *ck by an oversized chunk (long
 * records) and release the original. On return (*ck)->len may be 0 (no
 * record completed yet). With eof set, the carry is flushed as the last
 * record; *ck may then be a chunk holding no fresh bytes (len 0).
 * Errors: a record longer than max_record (given fresh bytes per push of
 * at most max_record), out of memory. */
ladle_status ladle_framer_push(struct ladle_framer *f, struct ladle_chunk **ck, int eof,
                               struct ladle_error *err);

#endif

/*
 * fuzz_framer.c -- the record framer (src/record/framer.c) against a
 * reference split of the same bytes.
 *
 * Input: byte 0 picks the piece size (1..64 bytes, as a decoder's chunks;
 * bit 6 set: --format csv framing, bit 7 then ';' as the delimiter),
 * byte 1 the headroom (0..31 bytes, so the slow path of records longer
 * than the headroom is reached with short inputs) and --max-record (none,
 * or 1..56 bytes); the rest is the stream. The pieces are pushed through a
 * real chunk pool, each at most ladle_framer_chunk_limit bytes as the
 * pipeline arranges, then an empty push with eof.
 *
 * Checked: every chunk handed back holds whole records ending in '\n'; the
 * records and their offsets, concatenated, are exactly the stream cut at
 * each '\n' (under csv: each '\n' outside quotes, by a byte-at-a-time
 * state machine of field_csv.c's grammar; a last line without one gains it); and the run fails
 * (with LADLE_E_INPUT) exactly when some record is longer than --max-record.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "fuzz_util.h"
#include "engine/chunk_pool.h"
#include "record/chunk.h"
#include "record/framer.h"
#include "record/records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t piece = 1 + (data[0] & 63u);
    size_t headroom = data[1] & 31u;
    size_t max_record = (data[1] >> 5) ? (size_t)(data[1] >> 5) * 8 : (size_t)1 << 30;
    const char *stream = (const char *)data + 2;
    size_t len = size - 2;
    piece = ladle_framer_chunk_limit(piece, max_record);

    char delim = (data[0] & 64u) ? ((data[0] & 128u) ? ';' : ',') : 0;
    /* The reference record ends: ends[i] is 1 when stream[i] ends a record. */
    unsigned char *ends = malloc(len + 1);
    if (!ends)
        abort();
    for (size_t i = 0, st = 0; i < len; i++) {
        char c = stream[i];
        ends[i] = 0;
        if (!delim) {
            ends[i] = c == '\n';
            continue;
        }
        /* 0 start of field, 1 unquoted, 2 quoted, 3 quote seen inside */
        if (st == 2) {
            st = c == '"' ? 3 : 2;
            continue;
        }
        if (st == 0 && c == '"') {
            st = 2;
            continue;
        }
        if (st == 3 && c == '"') {
            st = 2;
            continue;
        }
        ends[i] = c == '\n';
        st = c == delim || c == '\n' ? 0 : 1;
    }
    /* A quote open at the end runs the last record to the end. */
    if (len && stream[len - 1] == '\n')
        ends[len - 1] = 1;
    /* The reference: is some record longer than max_record (without its '\n')? */
    int too_long = 0;
    for (size_t i = 0, start = 0; i <= len; i++)
        if (i == len || ends[i]) {
            if (i - start > max_record && (i < len || i > start))
                too_long = 1;
            start = i + 1;
        }

    struct ladle_chunk_pool pool;
    if (ladle_chunk_pool_init(&pool, 2, piece, headroom) != 0)
        abort();
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_framer fr;
    ladle_framer_init(&fr, max_record, "fuzz");
    if (delim)
        ladle_framer_set_csv(&fr, delim);

    size_t pos = 0;    /* stream bytes pushed */
    uint64_t seen = 0; /* stream bytes handed back as records */
    ladle_status st = LADLE_OK;
    for (int eof = 0; !eof && st == LADLE_OK;) {
        struct ladle_chunk *ck = ladle_chunk_get(&pool);
        if (!ck)
            abort();
        size_t n = len - pos < piece ? len - pos : piece;
        eof = n == 0;
        memcpy(ck->data, stream + pos, n);
        ck->len = n;
        pos += n;
        st = ladle_framer_push(&fr, &ck, eof, &err);
        if (st == LADLE_OK) {
            if (ck->len && ck->data[ck->len - 1] != '\n')
                abort(); /* a chunk must end at a record edge */
            if (ck->len && ck->offset != seen)
                abort(); /* records' identities are stream offsets */
            struct ladle_record_iter it;
            struct ladle_record r;
            ladle_record_iter_init(&it, ck);
            while (ladle_record_next(&it, &r)) {
                if (r.offset != seen || r.data[r.len - 1] != '\n')
                    abort();
                /* The record's bytes are the stream's, plus a final '\n'
                 * only for an unterminated last line. */
                size_t body = r.len - 1;
                if (seen + body > len || memcmp(r.data, stream + seen, body) != 0)
                    abort();
                if (seen + body < len ? !ends[seen + body] : !eof)
                    abort();
                for (size_t k = 0; k < body && seen + k < len; k++)
                    if (ends[seen + k])
                        abort(); /* a record holds no record end but its last byte */
                seen += r.len;
            }
        }
        ladle_chunk_put(ck);
    }
    if (st != LADLE_OK) {
        if (!too_long || st != LADLE_E_INPUT)
            abort(); /* only an over-long record may fail the framer */
    } else {
        if (too_long)
            abort(); /* an over-long record passed */
        uint64_t want = len + (len && stream[len - 1] != '\n');
        if (seen != want)
            abort(); /* records lost or invented */
    }
    ladle_framer_destroy(&fr);
    ladle_chunk_pool_destroy(&pool);
    free(ends);
    return 0;
}

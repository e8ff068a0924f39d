/*
 * framer.c -- whole records per chunk (see framer.h).
 *
 * Linear in the input whatever the record length and chunk size: each push
 * scans only its fresh bytes (the carry never holds a '\n', so the record
 * it belongs to ends at the first '\n' of the fresh bytes and the last
 * '\n' of a chunk is always among them), and a record that spans many
 * chunks is appended to the carry, which grows geometrically, instead of
 * being rejoined with every chunk. f->work counts the bytes scanned and
 * copied so that tests can hold the framer to that.
 *
 * Fast path: carry <= headroom, so the carry is copied in front of the
 * fresh bytes and only the new partial tail (usually well under a KiB) is
 * copied out. Slow path, records longer than the headroom: once the record
 * completes, the carry's buffer itself (fresh bytes appended) becomes an
 * oversized chunk: no second copy of the record, and its memory goes with
 * the chunk instead of staying pinned for the rest of the input.
 *
 * --max-record is enforced here, without walking every record: callers keep
 * fresh bytes per chunk <= max_record (ladle_framer_chunk_limit), so a
 * record over the limit must span a chunk edge, i.e. pass through the
 * carry, and only the record that grows or completes a carry is measured.
 *
 * CSV (push_csv): the same moves, with csv_edge.c's scanners in place of
 * memchr/memrchr. The carry may then hold '\n's inside quotes; the scan
 * state at its end is kept, so the fresh bytes alone are scanned, once.
 */
#include "record/framer.h"

#include <stdlib.h>
#include <string.h>

#include "common/config.h"

void ladle_framer_init(struct ladle_framer *f, size_t max_record, const char *name)
{
    memset(f, 0, sizeof *f);
    f->max_record = max_record;
    f->name = name;
}

void ladle_framer_set_csv(struct ladle_framer *f, char delim)
{
    f->csv_delim = delim;
    f->csv_state = LADLE_CSV_START;
}

void ladle_framer_destroy(struct ladle_framer *f)
{
    free(f->carry);
    f->carry = NULL;
}

static int reserve_carry(struct ladle_framer *f, size_t need)
{
    if (need <= f->carry_cap)
        return 0;
    size_t cap = f->carry_cap ? f->carry_cap : 4096;
    while (cap < need)
        cap *= 2;
    char *p = realloc(f->carry, cap);
    if (!p)
        return -1;
    f->carry = p;
    f->carry_cap = cap;
    return 0;
}

static ladle_status too_long(struct ladle_framer *f, uint64_t offset, struct ladle_error *err)
{
    return ladle_error_set(err, LADLE_E_INPUT,
                           "%s: record longer than %zu bytes (at offset %llu; see --max-record)",
                           f->name, f->max_record, (unsigned long long)offset);
}

static ladle_status out_of_memory(struct ladle_framer *f, struct ladle_error *err)
{
    return ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", f->name);
}

size_t ladle_framer_chunk_limit(size_t chunk_size, size_t max_record)
{
    return chunk_size < max_record ? chunk_size : max_record;
}

/* Appends the fresh bytes to the carry (the record there goes on). */
static ladle_status append_to_carry(struct ladle_framer *f, struct ladle_chunk *ck, size_t spare,
                                    struct ladle_error *err)
{
    if (reserve_carry(f, f->carry_len + ck->len + spare) != 0)
        return out_of_memory(f, err);
    memcpy(f->carry + f->carry_len, ck->data, ck->len);
    f->carry_len += ck->len;
    f->work += ck->len;
    ck->len = 0;
    return LADLE_OK;
}

/* Puts the carry in front of the fresh bytes of *ckp: in the headroom when
 * it fits, else by turning the carry buffer (fresh bytes appended) into an
 * oversized chunk that replaces *ckp. */
static ladle_status join_carry(struct ladle_framer *f, struct ladle_chunk **ckp,
                               struct ladle_error *err)
{
    struct ladle_chunk *ck = *ckp;
    if (f->carry_len <= (size_t)(ck->data - ck->mem)) {
        ck->data -= f->carry_len;
        memcpy(ck->data, f->carry, f->carry_len);
        ck->len += f->carry_len;
        ck->offset = f->carry_off;
        f->work += f->carry_len;
        f->carry_len = 0;
        return LADLE_OK;
    }
    /* Slow path: a record longer than the headroom. The +1 is the spare
     * byte a chunk keeps after its data. */
    uint32_t input = ck->input;
    uint64_t source = ck->source;
    ladle_status st = append_to_carry(f, ck, 1, err);
    if (st != LADLE_OK)
        return st;
    struct ladle_chunk *big = ladle_chunk_adopt_oversized(f->carry, f->carry_cap);
    if (!big)
        return out_of_memory(f, err);
    big->len = f->carry_len;
    big->offset = f->carry_off;
    big->input = input;
    big->source = source;
    big->backing = ck;
    *ckp = big;
    f->carry = NULL;
    f->carry_len = f->carry_cap = 0;
    return LADLE_OK;
}

/* Keeps the partial record after `whole` bytes of ck in the carry. */
static ladle_status keep_tail(struct ladle_framer *f, struct ladle_chunk *ck, size_t whole,
                              struct ladle_error *err)
{
    size_t tail = ck->len - whole;
    if (tail) {
        /* csv: a last '\n' (quoted) may yet be the line end, not counted
         * (a lines tail never ends in '\n') */
        if (tail - (ck->data[ck->len - 1] == '\n') > f->max_record)
            return too_long(f, ck->offset + whole, err);
        if (reserve_carry(f, tail) != 0)
            return out_of_memory(f, err);
        memcpy(f->carry, ck->data + whole, tail);
        f->work += tail;
        f->carry_len = tail;
        f->carry_off = ck->offset + whole;
    }
    ck->len = whole;
    return LADLE_OK;
}

static ladle_status push_lines(struct ladle_framer *f, struct ladle_chunk **ckp, int eof,
                               struct ladle_error *err)
{
    struct ladle_chunk *ck = *ckp;
    size_t fresh = ck->len;
    uint64_t fresh_off = f->next_off;
    size_t carried = f->carry_len;
    f->next_off += fresh;

    if (carried == 0) {
        ck->offset = fresh_off;
    } else {
        /* The carried record ends at the first '\n' of the fresh bytes (or,
         * at end of input, at the end). */
        const char *nl = memchr(ck->data, '\n', fresh);
        f->work += fresh;
        size_t rec = carried + (nl ? (size_t)(nl - ck->data) : fresh);
        if (rec > f->max_record)
            return too_long(f, f->carry_off, err);
        if (!nl && !eof)
            return append_to_carry(f, ck, 0, err); /* the record goes on */
        ladle_status st = join_carry(f, ckp, err);
        if (st != LADLE_OK)
            return st;
        ck = *ckp;
    }

    if (ck->len == 0)
        return LADLE_OK;
    if (eof) {
        if (ck->data[ck->len - 1] != '\n')
            ck->data[ck->len++] = '\n'; /* the spare byte after the data */
        return LADLE_OK;
    }

    /* Keep whole records; the tail after the last '\n' waits for more bytes.
     * The carry held no '\n', so only the fresh bytes are searched. */
    size_t from = ck->len - fresh;
    const char *nl = memrchr(ck->data + from, '\n', fresh);
    f->work += fresh;
    size_t whole = nl ? (size_t)(nl - ck->data) + 1 : 0;
    return keep_tail(f, ck, whole, err);
}

static ladle_status push_csv(struct ladle_framer *f, struct ladle_chunk **ckp, int eof,
                             struct ladle_error *err)
{
    struct ladle_chunk *ck = *ckp;
    size_t fresh = ck->len;
    uint64_t fresh_off = f->next_off;
    size_t carried = f->carry_len;
    size_t done = 0; /* bytes of ck up to the end of the carried record */
    f->next_off += fresh;

    if (carried == 0) {
        ck->offset = fresh_off;
        f->csv_state = LADLE_CSV_START;
    } else {
        enum ladle_csv_state s = f->csv_state;
        size_t first = ladle_csv_first_edge(ck->data, fresh, f->csv_delim, &s);
        f->work += fresh;
        size_t rec = carried + (first ? first - 1 : fresh);
        /* Not ended yet: a last '\n' (quoted) is the line end if the input
         * ends there, and is measured with the rest if the record goes on. */
        if (!first && (fresh ? ck->data[fresh - 1] : f->carry[carried - 1]) == '\n')
            rec--;
        if (rec > f->max_record)
            return too_long(f, f->carry_off, err);
        if (!first && !eof) {
            f->csv_state = s;
            return append_to_carry(f, ck, 0, err); /* the record goes on */
        }
        ladle_status st = join_carry(f, ckp, err);
        if (st != LADLE_OK)
            return st;
        ck = *ckp;
        done = first ? carried + first : ck->len;
    }
    if (ck->len == 0)
        return LADLE_OK;
    if (eof) {
        /* A quote still open runs the last record to the end. */
        if (ck->data[ck->len - 1] != '\n')
            ck->data[ck->len++] = '\n'; /* the spare byte after the data */
        return LADLE_OK;
    }
    enum ladle_csv_state s = LADLE_CSV_START;
    size_t last = ladle_csv_last_edge(ck->data + done, ck->len - done, f->csv_delim, &s);
    f->work += ck->len - done;
    f->csv_state = s;
    return keep_tail(f, ck, last ? done + last : done, err);
}

ladle_status ladle_framer_push(struct ladle_framer *f, struct ladle_chunk **ckp, int eof,
                               struct ladle_error *err)
{
    ladle_status st = f->csv_delim ? push_csv(f, ckp, eof, err) : push_lines(f, ckp, eof, err);
    (*ckp)->csv_delim = f->csv_delim; /* how the workers walk its records */
    return st;
}

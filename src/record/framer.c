/*
 * framer.c -- whole records per chunk (see framer.h).
 *
 * Fast path: carry <= headroom, so the carry is copied in front of the
 * fresh bytes and only the new partial tail (usually well under a KiB) is
 * copied out. Slow path, records longer than the headroom: carry and fresh
 * bytes are joined in an oversized chunk.
 *
 * --max-record is enforced here, without walking every record: callers keep
 * fresh bytes per chunk <= max_record (ladle_framer_chunk_limit), so a
 * record over the limit must span a chunk edge, i.e. pass through the
 * carry, and only the record that completes a carry is measured.
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

size_t ladle_framer_chunk_limit(size_t chunk_size, size_t max_record)
{
    return chunk_size < max_record ? chunk_size : max_record;
}

ladle_status ladle_framer_push(struct ladle_framer *f, struct ladle_chunk **ckp, int eof,
                               struct ladle_error *err)
{
    struct ladle_chunk *ck = *ckp;
    size_t fresh = ck->len;
    uint64_t fresh_off = f->next_off;
    size_t carried = f->carry_len;
    f->next_off += fresh;

    if (f->carry_len == 0) {
        ck->offset = fresh_off;
    } else if (f->carry_len <= (size_t)(ck->data - ck->mem)) {
        ck->data -= f->carry_len;
        memcpy(ck->data, f->carry, f->carry_len);
        ck->len += f->carry_len;
        ck->offset = f->carry_off;
    } else {
        /* Slow path: a record longer than the headroom. */
        size_t total = f->carry_len + fresh;
        struct ladle_chunk *big = ladle_chunk_new_oversized(total + 1);
        if (!big)
            return ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", f->name);
        memcpy(big->data, f->carry, f->carry_len);
        memcpy(big->data + f->carry_len, ck->data, fresh);
        big->len = total;
        big->offset = f->carry_off;
        big->input = ck->input;
        big->backing = ck;
        *ckp = ck = big;
    }
    f->carry_len = 0;

    if (ck->len == 0)
        return LADLE_OK;
    if (carried) {
        /* The record the carry belongs to ends at the first '\n' after it
         * (or, at end of input, at the end). */
        const char *nl = memchr(ck->data + carried, '\n', ck->len - carried);
        size_t rec = nl ? (size_t)(nl - ck->data) : ck->len;
        if ((nl || eof) && rec > f->max_record)
            return too_long(f, ck->offset, err);
    }
    if (eof) {
        if (ck->data[ck->len - 1] != '\n')
            ck->data[ck->len++] = '\n'; /* the spare byte after the data */
        return LADLE_OK;
    }

    /* Keep whole records; the tail after the last '\n' waits for more bytes. */
    const char *nl = memrchr(ck->data, '\n', ck->len);
    size_t whole = nl ? (size_t)(nl - ck->data) + 1 : 0;
    size_t tail = ck->len - whole;
    if (tail) {
        if (tail > f->max_record)
            return too_long(f, ck->offset + whole, err);
        if (reserve_carry(f, tail) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", f->name);
        memcpy(f->carry, ck->data + whole, tail);
        f->carry_len = tail;
        f->carry_off = ck->offset + whole;
    }
    ck->len = whole;
    return LADLE_OK;
}

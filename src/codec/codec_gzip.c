/*
 * codec_gzip.c -- gzip through ISA-L's igzip inflate, which decodes several
 * times faster than zlib. Multi-member files (cat a.gz b.gz, bgzip) are
 * read member after member; each member's CRC and length are verified by
 * ISA-L (crc_flag = ISAL_GZIP).
 *
 * Messages say where: the decoder's position (its bit buffer taken off),
 * the first byte of the member, and for a CRC-32 failure the member's whole
 * range. After a member, anything but zero padding or another member's
 * magic (1F 8B) is named as data that is not gzip, not as a cut member.
 * A member header with a reserved flag bit set is refused here (ISA-L
 * reads past it; zlib, and so gzip_build.c, refuses it).
 *
 * --index: a file read whole from byte 0 that has no valid index is
 * decoded by zlib instead, which builds the index on the way
 * (gzip_build.c, with the same checks and messages); it is written next
 * to the file only once the last member was read without error.
 */
#include "codec/codec.h"

#include <isa-l/igzip_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/gzip_header.h"
#include "codec/gzip_index.h"

struct gzip_state {
    struct inflate_state z;
    struct ladle_codec_input in;
    uint64_t member_in;    /* compressed bytes fed to the current member */
    uint64_t member_start; /* compressed offset of the current member */
    int zero_tail;         /* reading the zero padding after the last member */
    int done;
    struct ladle_gzip_builder *build; /* owns, --index: zlib decodes instead */
    const unsigned char *next;        /* --index: the input not yet decoded */
    size_t avail;
};

static void note(const struct ladle_decoder *d, const char *line)
{
    if (d->cfg->engine.notify)
        d->cfg->engine.notify(d->cfg->engine.notify_arg, line);
}

/* --index: whether this file gets an index (it is read whole from byte 0
 * and has no valid one). */
static bool wants_index(const struct ladle_decoder *d)
{
    const struct ladle_source *src = d->src;
    if (!d->cfg->engine.gzip_index || !src->regular || src->next_off || !src->path)
        return false;
    char why[LADLE_ERROR_MAX];
    struct ladle_gzip_index *ix =
        ladle_gzip_index_load(src->path, d->name, src->fd, src->size, why, sizeof why);
    ladle_gzip_index_free(ix);
    return ix == NULL;
}

static ladle_status gzip_open(struct ladle_decoder *d)
{
    struct gzip_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_error_set(d->err, LADLE_E_INTERNAL, "%s: out of memory", d->name);
    d->state = st;
    isal_inflate_init(&st->z);
    st->z.crc_flag = ISAL_GZIP;
    if (wants_index(d) && !(st->build = ladle_gzip_builder_new(LADLE_GZIP_SPAN_DEFAULT)))
        return ladle_error_set(d->err, LADLE_E_INTERNAL, "%s: out of memory", d->name);
    return ladle_codec_input_open(d, &st->in);
}

/* The whole file was read without error: its index goes next to it. A
 * failure to write it is a warning; the run's output is whole. */
static void save_index(struct ladle_decoder *d, struct gzip_state *st)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_gzip_index *ix = ladle_gzip_builder_finish(st->build, d->src->fd, d->src->size);
    char line[LADLE_ERROR_MAX + 64];
    if (!ix)
        snprintf(line, sizeof line,
                 "warning: %s: no index written (out of memory, or the file "
                 "cannot be read again)",
                 d->name);
    else if (ladle_gzip_index_save(ix, d->src->path, NULL, &err) != LADLE_OK)
        snprintf(line, sizeof line, "warning: no index written: %s", err.msg);
    else
        snprintf(line, sizeof line, "%s: index written (%zu checkpoints)", d->name, ix->npoints);
    ladle_gzip_index_free(ix);
    note(d, line);
}

/* --index: the next chunk, decoded by the index builder. */
static ladle_status gzip_next_indexing(struct ladle_decoder *d, struct ladle_chunk **out)
{
    struct gzip_state *st = d->state;
    *out = NULL;
    if (st->done)
        return LADLE_OK;
    struct ladle_chunk *ck = d->chunks->get(d->chunks->arg);
    if (!ck)
        return LADLE_OK;
    ladle_status fail = LADLE_OK;
    size_t cap = d->chunks->chunk_size, made = 0;
    while (fail == LADLE_OK && made < cap) {
        if (st->avail == 0 && !st->in.eof) {
            if ((fail = ladle_codec_input_advance(d, &st->in)) != LADLE_OK ||
                d->chunks->stopping(d->chunks->arg))
                break;
            st->next = st->in.cur;
            st->avail = st->in.cur_len;
            continue;
        }
        size_t used, n;
        bool done;
        fail = ladle_gzip_builder_step(st->build, st->next, st->avail, st->in.eof,
                                       (unsigned char *)ck->data + made, cap - made, &used, &n,
                                       &done, d->name, d->err);
        st->next += used;
        st->avail -= used;
        made += n;
        if (fail == LADLE_OK && done) {
            st->done = 1;
            save_index(d, st);
            break;
        }
        if (!used && !n && st->avail == 0 && st->in.eof)
            break; /* not reached: the builder says how the input ended */
    }
    if (fail != LADLE_OK || made == 0) {
        ladle_chunk_put(ck);
        return fail;
    }
    ck->len = made;
    *out = ck;
    return LADLE_OK;
}

/* Where the decoder is: the bytes it took, less those still unread in its
 * bit buffer (ISA-L loads up to 8 bytes ahead). */
static unsigned long long compressed_at(const struct gzip_state *st)
{
    size_t used = st->in.cur ? (size_t)(st->z.next_in - st->in.cur) : 0;
    uint64_t at = st->in.consumed_before + used;
    uint64_t buffered = st->z.read_in_length > 0 ? (uint64_t)st->z.read_in_length / 8 : 0;
    return (unsigned long long)(buffered <= at ? at - buffered : at);
}

static const char *isal_error_name(int rc)
{
    switch (rc) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid lookback distance";
    case ISAL_INVALID_WRAPPER: return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method";
    /* The trailer's CRC-32 gets its own message (gzip_next). */
    case ISAL_INCORRECT_CHECKSUM: return "header checksum mismatch";
    case ISAL_NEED_DICT: return "preset dictionary required";
    default: return "inflate error";
    }
}

/* check-tree: long (one member loop: boundaries, header check, inflate, errors) */
static ladle_status gzip_next(struct ladle_decoder *d, struct ladle_chunk **out)
{
    struct gzip_state *st = d->state;
    if (st->build)
        return gzip_next_indexing(d, out);
    *out = NULL;
    if (st->done)
        return LADLE_OK;
    struct ladle_chunk *ck = d->chunks->get(d->chunks->arg);
    if (!ck)
        return LADLE_OK;
    ladle_status fail = LADLE_OK;
    st->z.next_out = (uint8_t *)ck->data;
    st->z.avail_out = (uint32_t)d->chunks->chunk_size;
    while (st->z.avail_out > 0) {
        if (st->z.block_state == ISAL_BLOCK_FINISH) {
            /* A member ended: another may follow. */
            if (st->z.avail_in == 0 && !st->in.eof) {
                if ((fail = ladle_codec_input_advance(d, &st->in)) != LADLE_OK)
                    break;
                st->z.next_in = (uint8_t *)st->in.cur;
                st->z.avail_in = (uint32_t)st->in.cur_len;
                continue;
            }
            if (st->z.avail_in == 0) {
                st->done = 1;
                break;
            }
            if (st->z.next_in[0] == 0 || st->zero_tail) {
                /* Zero padding after the last member (tape blocks, preallocated
                 * files): skipped, as gzip does; anything after it is not. */
                st->zero_tail = 1;
                while (st->z.avail_in && st->z.next_in[0] == 0) {
                    st->z.next_in++;
                    st->z.avail_in--;
                }
                if (st->z.avail_in) {
                    fail = ladle_error_set(d->err, LADLE_E_INPUT,
                                           "%s: data after the zero padding that ends the gzip "
                                           "stream (at compressed byte %llu)",
                                           d->name, compressed_at(st));
                    break;
                }
                continue;
            }
            if (st->z.next_in[0] != 0x1F || (st->z.avail_in > 1 && st->z.next_in[1] != 0x8B)) {
                /* Not another member (whose magic is 1F 8B): say so, rather
                 * than read it as a member that ends early. */
                fail = ladle_error_set(d->err, LADLE_E_INPUT,
                                       "%s: data after the last gzip member is not gzip "
                                       "(at compressed byte %llu)",
                                       d->name, compressed_at(st));
                break;
            }
            st->member_start = compressed_at(st);
            isal_inflate_reset(&st->z);
            st->z.crc_flag = ISAL_GZIP;
            st->member_in = 0;
        }
        if (st->z.avail_in == 0 && !st->in.eof) {
            if ((fail = ladle_codec_input_advance(d, &st->in)) != LADLE_OK)
                break;
            st->z.next_in = (uint8_t *)st->in.cur;
            st->z.avail_in = (uint32_t)st->in.cur_len;
            if (d->chunks->stopping(d->chunks->arg))
                break;
            continue;
        }
        if (st->member_in < 4 && st->z.avail_in > 3 - st->member_in &&
            (fail = ladle_gzip_check_flags(d->name, st->z.next_in[3 - st->member_in],
                                           st->member_start, d->err)) != LADLE_OK)
            break;
        uint32_t before_out = st->z.avail_out;
        uint32_t before_in = st->z.avail_in;
        int rc = isal_inflate(&st->z);
        if (rc == ISAL_INCORRECT_CHECKSUM && st->z.block_state >= ISAL_BLOCK_INPUT_DONE &&
            st->z.block_state <= ISAL_BLOCK_FINISH) {
            /* The CRC-32 in the 8-byte trailer (not the optional header CRC):
             * the damage may be anywhere in the member, so name all of it. */
            unsigned long long end = compressed_at(st);
            unsigned long long trailer = end >= 8 ? end - 8 : end;
            fail = ladle_error_set(d->err, LADLE_E_INPUT,
                                   "%s: corrupt gzip data: the member at compressed bytes "
                                   "%llu-%llu does not match its CRC-32 (at compressed byte %llu)",
                                   d->name, (unsigned long long)st->member_start,
                                   end ? end - 1 : end, trailer);
            break;
        }
        if (rc < 0) {
            fail = ladle_error_set(d->err, LADLE_E_INPUT,
                                   "%s: corrupt gzip data: %s, in the member that starts at "
                                   "compressed byte %llu (at compressed byte %llu)",
                                   d->name, isal_error_name(rc),
                                   (unsigned long long)st->member_start, compressed_at(st));
            break;
        }
        st->member_in += before_in - st->z.avail_in;
        if (st->in.eof && st->z.avail_in == 0 && st->z.avail_out == before_out &&
            st->z.avail_in == before_in && st->z.block_state != ISAL_BLOCK_FINISH) {
            /* No input left, no progress, member unfinished. */
            if (st->member_in == 0) {
                st->done = 1; /* nothing after the last member */
                break;
            }
            fail = ladle_error_set(d->err, LADLE_E_INPUT,
                                   "%s: truncated gzip stream: the input ends inside the member "
                                   "that starts at compressed byte %llu (at compressed byte %llu)",
                                   d->name, (unsigned long long)st->member_start,
                                   (unsigned long long)d->src->bytes_read);
            break;
        }
    }
    size_t produced = d->chunks->chunk_size - st->z.avail_out;
    if (fail != LADLE_OK || produced == 0) {
        ladle_chunk_put(ck);
        return fail;
    }
    ck->len = produced;
    *out = ck;
    return LADLE_OK;
}

static void gzip_close(struct ladle_decoder *d)
{
    struct gzip_state *st = d->state;
    if (!st)
        return;
    ladle_codec_input_close(d, &st->in);
    ladle_gzip_builder_free(st->build);
    free(st);
    d->state = NULL;
}

const struct ladle_codec_ops ladle_codec_gzip = {
    .name = "gzip",
    .open = gzip_open,
    .next = gzip_next,
    .close = gzip_close,
};

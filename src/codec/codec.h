/*
 * codec.h -- turning a source's bytes into decompressed chunks.
 *
 * One ops table per format (plain, zstd, gzip), picked by magic bytes, never
 * by file name. A decoder runs on one decoder thread and fills chunks from
 * that thread's supply (record/chunk.h); the framer then cuts them at record edges.
 */
#ifndef LADLE_CODEC_H
#define LADLE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "io/source.h"
#include "record/chunk.h"

struct ladle_decoder {
    const struct ladle_codec_ops *ops;
    struct ladle_source *src;                /* borrowed */
    const struct ladle_chunk_supply *chunks; /* borrowed: the decoder thread's */
    const struct ladle_config *cfg;          /* borrowed */
    struct ladle_error *err;                 /* borrowed */
    const char *name;                        /* borrowed */
    void *state;                             /* owns: the codec's own state */
    /* --part: zstd sets mark_out (bytes it output before) when a frame
     * starts at compressed offset mark_comp (0: none), and marked. */
    uint64_t mark_comp, mark_out;
    int marked;
    /* Reading a segment (codec/range.h): zstd's next() also returns early
     * at the frame at mark_comp, with marked and mark_out set, so that the
     * reader knows where its segment's own bytes end. */
    int pause_at_mark;
    /* Compressed bytes per read (0: LADLE_CODEC_IN_SIZE). A segment reads
     * smaller ones: what it reads past its end is read twice. */
    size_t in_size;
};

struct ladle_codec_ops {
    const char *name;
    ladle_status (*open)(struct ladle_decoder *d);
    /* Sets *out to a chunk from d->chunks whose data (at mem + headroom)
     * holds the next decompressed bytes (len > 0), or to NULL at end of
     * stream or when the run is stopping. Errors are recorded in d->err. */
    ladle_status (*next)(struct ladle_decoder *d, struct ladle_chunk **out);
    /* Releases the codec's state; the source must still be open. */
    void (*close)(struct ladle_decoder *d);
};

extern const struct ladle_codec_ops ladle_codec_plain;
extern const struct ladle_codec_ops ladle_codec_zstd;
extern const struct ladle_codec_ops ladle_codec_gzip;

/* The codec for data starting with these bytes (plain if none matches). */
const struct ladle_codec_ops *ladle_codec_detect(const unsigned char *magic, size_t n);

/* Shared by the compressed codecs: a ring of input buffers kept in flight
 * on the source. */
#define LADLE_CODEC_IN_BUFS 3
#define LADLE_CODEC_IN_SIZE ((size_t)1 << 20)

struct ladle_codec_input {
    unsigned char *buf[LADLE_CODEC_IN_BUFS]; /* owns */
    unsigned head, inflight;                 /* oldest in-flight buffer, count in flight */
    int eof_submitted;                       /* the source said nothing more to read */
    int eof;                                 /* every byte has been delivered */
    const unsigned char *cur;                /* borrowed: the buffer being consumed */
    size_t cur_len;
    uint64_t consumed_before; /* compressed bytes before cur */
};

ladle_status ladle_codec_input_open(struct ladle_decoder *d, struct ladle_codec_input *in);
/* Makes the next compressed buffer current; sets in->eof at end of input. */
ladle_status ladle_codec_input_advance(struct ladle_decoder *d, struct ladle_codec_input *in);
/* Reaps reads still in flight, then frees the buffers. */
void ladle_codec_input_close(struct ladle_decoder *d, struct ladle_codec_input *in);

#endif

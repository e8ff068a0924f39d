/*
 * decode.c -- the decoder threads: each claims inputs in argument order,
 * opens the source, picks the codec by magic bytes, frames whole records
 * into chunks from its own pool and queues them for the workers. The
 * decoder of the input being written waits only on its own pending
 * output, so later inputs never starve it (see engine.h).
 */
#include "engine/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "codec/codec.h"
#include "io/source.h"
#include "record/framer.h"
#include "record/records.h"

/* Over budget: the input being taken counts its own results only, so
 * later inputs never starve it. */
static bool over_budget(struct ladle_engine *r, uint32_t input)
{
    return (atomic_load(&r->head_input) == input
                ? atomic_load(&r->pending[input])
                : atomic_load(&r->pending_total)) > LADLE_ENGINE_PENDING_BUDGET;
}

/* Backpressure: see engine.h and run.h. bp_waiters is raised before the
 * condition is read, under bp_lock, which a release takes before its
 * broadcast whenever it sees a waiter: no wake-up is lost. */
void ladle_run_wait_for_output(struct ladle_engine *r, uint32_t input)
{
    if (!over_budget(r, input))
        return;
    pthread_mutex_lock(&r->bp_lock);
    atomic_fetch_add(&r->bp_waiters, 1);
    while (!ladle_run_stopping(r) && over_budget(r, input))
        pthread_cond_wait(&r->bp_cond, &r->bp_lock);
    atomic_fetch_sub(&r->bp_waiters, 1);
    pthread_mutex_unlock(&r->bp_lock);
}

/* The last LADLE_TAIL_MAX bytes of an input seen so far (--state). */
struct tail_ring {
    unsigned char b[LADLE_TAIL_MAX];
    size_t len;
};

static void tail_add(struct tail_ring *t, const char *p, size_t n)
{
    if (n >= LADLE_TAIL_MAX) {
        memcpy(t->b, p + n - LADLE_TAIL_MAX, LADLE_TAIL_MAX);
        t->len = LADLE_TAIL_MAX;
        return;
    }
    size_t keep = t->len + n > LADLE_TAIL_MAX ? LADLE_TAIL_MAX - n : t->len;
    memmove(t->b, t->b + t->len - keep, keep);
    memcpy(t->b + keep, p, n);
    t->len = keep + n;
}

static uint64_t tail_hash(const struct tail_ring *t, size_t n)
{
    return XXH3_64bits(t->b + t->len - n, n);
}

/* Moves the header line out of ck (its bytes still count for the tail). */
static ladle_status take_header(struct ladle_engine *r, uint32_t i, struct ladle_chunk *ck,
                                struct tail_ring *ring)
{
    size_t len = ladle_record_len(ck->data, ck->len, ck->csv_delim);
    tail_add(ring, ck->data, len);
    if (ladle_outbuf_append(&r->headers[i], ck->data, len) != 0)
        return ladle_error_set(r->err, LADLE_E_INTERNAL, "%s: out of memory", r->io->names[i]);
    ck->data += len;
    ck->len -= len;
    ck->offset += len;
    return LADLE_OK;
}

/* --state: what the input continues from; --part: the range read. */
struct resume {
    const struct ladle_input_start *at;   /* NULL: from byte 0 */
    const struct ladle_input_start *part; /* NULL: not a part (io.starts[i].part) */
    bool checked;                         /* the bytes before at->start were compared */
    uint64_t end_at;                      /* --part: where its range ended, if it did */
    bool header_given;                    /* --part: the header line read apart (pread) */
    uint64_t first_off;                   /* --part: where decoding began */
    struct tail_ring ring;
};

/* --part: drops ck's records that start before part->start (the first
 * '\n' at or after byte start - 1, or start with `after`, ends the last of
 * them) and those that start at or after part->stop (the same rule);
 * *finished once past stop. ck holds whole records, so its last byte is a
 * line end (or the input's last byte). */
static void part_trim(struct resume *rs, struct ladle_chunk *ck, bool track, bool *finished)
{
    const struct ladle_input_start *p = rs->part;
    const uint64_t from = p->start ? p->start - !p->after : 0, to = p->stop - !p->after;
    if (!rs->checked && p->start && ck->offset <= from) {
        uint64_t need = from - ck->offset;
        const char *nl =
            need < ck->len ? memchr(ck->data + need, '\n', ck->len - (size_t)need) : NULL;
        size_t cut = nl ? (size_t)(nl - ck->data) + 1 : ck->len;
        ck->data += cut;
        ck->len -= cut;
        ck->offset += cut;
        if (!nl)
            return; /* every record here starts before the range */
    }
    rs->checked = true;
    if (p->stop && ck->offset + ck->len > to) {
        size_t keep = 0;
        if (ck->offset <= to) {
            uint64_t need = to - ck->offset;
            const char *nl = memchr(ck->data + need, '\n', ck->len - (size_t)need);
            keep = nl ? (size_t)(nl - ck->data) + 1 : ck->len;
        }
        ck->len = keep;
        rs->end_at = ck->offset + keep;
        *finished = true;
    }
    if (track)
        tail_add(&rs->ring, ck->data, ck->len);
}

/* Drops the records of ck before the resume point, after comparing the
 * bytes up to it with the ones the earlier run ended with (when the input
 * was decoded from byte 0). Also feeds the tail ring. */
static ladle_status resume_trim(struct ladle_engine *r, uint32_t i, struct resume *rs,
                                struct ladle_chunk *ck, bool eof)
{
    const uint64_t start = rs->at ? rs->at->start : 0;
    if (!rs->at || rs->checked || ck->offset >= start) {
        if (r->io->ends)
            tail_add(&rs->ring, ck->data, ck->len);
        rs->checked = true;
        return LADLE_OK;
    }
    size_t cut = start - ck->offset < ck->len ? (size_t)(start - ck->offset) : ck->len;
    tail_add(&rs->ring, ck->data, cut);
    ck->data += cut;
    ck->len -= cut;
    ck->offset += cut;
    if (ck->offset < start && !eof)
        return LADLE_OK;
    rs->checked = true;
    if (ck->offset < start || rs->ring.len < rs->at->tail_len ||
        tail_hash(&rs->ring, rs->at->tail_len) != rs->at->tail_hash)
        return ladle_error_set(r->err, LADLE_E_INPUT,
                               "%s: not the source --state read up to byte %llu: %s; give it "
                               "under another name to read it as a new source",
                               r->io->names[i], (unsigned long long)start,
                               ck->offset < start ? "it ends before"
                                                  : "the bytes before it differ");
    if (r->io->ends)
        tail_add(&rs->ring, ck->data, ck->len);
    return LADLE_OK;
}

/* --part of a plain file with --header, read from inside: its header line
 * (the file's first record) read apart, so that the bytes before the part
 * need not be. 0, or -1 (then the file is read from byte 0). */
static int read_header(struct ladle_engine *r, uint32_t i, struct ladle_source *src)
{
    char buf[64 * 1024];
    uint64_t off = 0, max = r->cfg->engine.max_record;
    for (;;) {
        ssize_t n = ladle_source_pread_full(src, buf, sizeof buf, off);
        if (n <= 0)
            return -1;
        const char *nl = memchr(buf, '\n', (size_t)n);
        size_t take = nl ? (size_t)(nl - buf) + 1 : (size_t)n;
        if (ladle_outbuf_append(&r->headers[i], buf, take) != 0 || (max && off + take > max))
            return -1;
        if (nl)
            return 0;
        off += take;
    }
}

/* Sets up the framer of input i, and where it starts (--state); NULL
 * when out of memory (said; the framer is set up all the same). */
static struct resume *framer_open(struct ladle_engine *r, uint32_t i, struct ladle_decoder *d,
                                  struct ladle_framer *fr)
{
    const struct ladle_codec_ops *codec = d->ops;
    struct ladle_source *src = d->src;
    ladle_framer_init(fr, r->cfg->engine.max_record, r->io->names[i]);
    if (r->cfg->engine.csv_delim)
        ladle_framer_set_csv(fr, r->cfg->engine.csv_delim);
    struct resume *rs = calloc(1, sizeof *rs);
    if (!rs) {
        ladle_error_set(r->err, LADLE_E_INTERNAL, "%s: out of memory", r->io->names[i]);
        return NULL;
    }
    const struct ladle_input_start *at = r->io->starts ? &r->io->starts[i] : NULL;
    if (at && at->part) { /* a part's range: begin as near it as is safe */
        rs->part = at;
        if (codec == &ladle_codec_zstd && at->after)
            d->mark_comp = at->stop_comp; /* checked when the part ends (record_end) */
        if (!src->regular)
            return rs;
        if (r->cfg->engine.header) { /* the header line is at byte 0 */
            if (codec != &ladle_codec_plain || !at->start || read_header(r, i, src) != 0) {
                r->headers[i].len = 0;
                return rs; /* decode from byte 0 */
            }
            rs->header_given = true;
        }
        if (codec == &ladle_codec_plain && at->start)
            src->next_off = fr->next_off = at->start - 1;
        else if (codec == &ladle_codec_zstd && at->seek_comp) {
            src->next_off = at->seek_comp;
            fr->next_off = at->seek_dec;
        }
        rs->first_off = fr->next_off;
        return rs;
    }
    rs->at = at && at->start ? at : NULL;
    /* A plain file without a header line to take continues where the
     * earlier run stopped: only its new bytes are read. */
    if (rs->at && codec == &ladle_codec_plain && src->regular && !r->cfg->engine.header) {
        src->next_off = fr->next_off = rs->at->start;
        rs->checked = true; /* the job compared its bytes before (pread) */
    }
    return rs;
}

/* What of ck this run reads: --part's range, or --state's new bytes. */
static ladle_status trim(struct ladle_engine *r, uint32_t i, struct resume *rs,
                         struct ladle_chunk *ck, bool eof, bool *finished)
{
    if (!rs->part)
        return resume_trim(r, i, rs, ck, eof);
    part_trim(rs, ck, r->io->ends != NULL, finished);
    return LADLE_OK;
}

/* A zstd part that ends at a frame the plan sized (its header's content
 * size, or a seek table) checks that the frame starts where the plan said:
 * sizes that lie would lose records between this part and the next, or
 * read them twice, without an error. */
static ladle_status part_check(struct ladle_engine *r, uint32_t i, const struct resume *rs,
                               const struct ladle_decoder *d)
{
    const struct ladle_input_start *p = rs->part;
    if (!d->mark_comp || ladle_run_stopping(r))
        return LADLE_OK;
    if (rs->end_at && d->marked && rs->first_off + d->mark_out == p->stop)
        return LADLE_OK;
    return ladle_error_set(r->err, LADLE_E_INPUT,
                           "%s: its frame sizes disagree with its data: the frame at compressed "
                           "byte %llu does not start at byte %llu of the data, as its headers or "
                           "seek table say (damaged: it cannot be cut by --part)",
                           r->io->names[i], (unsigned long long)p->stop_comp,
                           (unsigned long long)p->stop);
}

/* What the pass read of input i (--state), and --part's check; st, or
 * the check's error. */
static ladle_status record_end(struct ladle_engine *r, uint32_t i, const struct ladle_framer *fr,
                               const struct resume *rs, const struct ladle_decoder *d, bool done,
                               ladle_status st)
{
    if (st == LADLE_OK && rs->part)
        st = part_check(r, i, rs, d);
    struct ladle_input_end *e = r->io->ends ? &r->io->ends[i] : NULL;
    const char *codec = d->ops->name;
    if (!e)
        return st;
    e->held = rs->end_at ? 0 : fr->carry_len;
    e->end = rs->end_at ? rs->end_at : fr->next_off - fr->carry_len;
    e->tail_len = (uint16_t)rs->ring.len;
    e->tail_hash = tail_hash(&rs->ring, rs->ring.len);
    e->kind = strcmp(codec, "zstd") == 0 ? 1 : strcmp(codec, "gzip") == 0 ? 2 : 0;
    e->done = done;
    return st;
}

/* Opens input i (or takes the pipe the probe opened: *probed) and picks
 * its codec by magic bytes; false once the run must stop (said). */
static bool open_input(struct ladle_engine *r, uint32_t i, struct ladle_source **srcp, bool *probed,
                       const struct ladle_codec_ops **codec)
{
    const char *name = r->io->names[i];
    /* A pipe the probe read from is open already, rewound, and stays the job's. */
    struct ladle_source *src = r->io->opened ? r->io->opened[i] : NULL;
    *probed = src != NULL;
    if (!*probed && ladle_source_open(&src, r->io->paths[i], name, r->cfg, r->err) != LADLE_OK) {
        ladle_run_request_stop(r);
        return false;
    }
    src->stop_fd = r->stop_fd;
    if (ladle_source_is_uring(src))
        atomic_store(&r->uring_used, 1);
    unsigned char magic[4];
    ssize_t nmagic = ladle_source_peek(src, magic, sizeof magic);
    if (nmagic < 0) {
        ladle_error_set(r->err, LADLE_E_INPUT, "%s: read failed: %s (at byte 0)", name,
                        strerror((int)-nmagic));
        if (!*probed)
            ladle_source_close(src);
        ladle_run_request_stop(r);
        return false;
    }
    *codec = ladle_codec_detect(magic, (size_t)nmagic);
    *srcp = src;
    return true;
}

/* Decodes one input into framed chunks on the work queue. */
static void decode_input(struct ladle_engine *r, unsigned k, uint32_t i)
{
    struct ladle_chunk_pool *pool = &r->pools[k];
    /* Progress: bytes of earlier inputs, plus this one's so far. */
    atomic_ullong *read_bytes = &r->read_bytes[k].v;
    const uint64_t read_before = atomic_load_explicit(read_bytes, memory_order_relaxed);
    const char *name = r->io->names[i];
    const uint64_t source = r->io->source_ids ? r->io->source_ids[i] : i;
    struct ladle_source *src = NULL;
    const struct ladle_codec_ops *codec = NULL;
    bool probed = false;
    if (!open_input(r, i, &src, &probed, &codec))
        return;
    ladle_status planned;
    if (ladle_run_decode_segments(r, k, i, src, codec, source, &planned)) {
        if (!probed)
            ladle_source_close(src); /* the workers read the plan's own fd */
        if (planned != LADLE_OK)
            ladle_run_request_stop(r);
        return;
    }
    struct ladle_decoder d = {
        .ops = codec,
        .src = src,
        .chunks = ladle_chunk_pool_supply(pool),
        .cfg = r->cfg,
        .err = r->err,
        .name = name,
    };
    struct ladle_framer fr;
    struct resume *rs = framer_open(r, i, &d, &fr);
    if (!rs) {
        ladle_framer_destroy(&fr);
        if (!probed)
            ladle_source_close(src);
        ladle_run_request_stop(r);
        return;
    }
    const uint64_t first_off = fr.next_off;
    /* --state: a plain file's last record without its line end waits for
     * the next run (the file is being written); a compressed file is a
     * finished stream. */
    const bool hold = r->io->hold_tail && src->regular && d.ops == &ladle_codec_plain;
    bool done = false;
    ladle_status st = d.ops->open(&d);
    uint64_t seq = 0;
    bool header_done = false;
    const struct ladle_field_binding *binding = NULL;
    while (st == LADLE_OK && !ladle_run_stopping(r)) {
        ladle_run_wait_for_output(r, i);
        struct ladle_chunk *ck = NULL;
        st = d.ops->next(&d, &ck);
        atomic_store_explicit(read_bytes, read_before + src->bytes_read, memory_order_relaxed);
        if (st != LADLE_OK || ladle_run_stopping(r)) {
            if (ck)
                ladle_chunk_put(ck);
            break;
        }
        bool eof = ck == NULL;
        if (eof && !(ck = ladle_chunk_get(pool)))
            break; /* stopping */
        ck->input = i;
        ck->source = source;
        st = ladle_framer_push(&fr, &ck, eof && !hold, r->err);
        if (st != LADLE_OK) {
            ladle_chunk_put(ck);
            break;
        }
        if (!header_done && (ck->len > 0 || eof)) {
            /* Before this input's first chunk is queued: its header, and
             * where the design's field is in it. */
            header_done = true;
            const struct ladle_outbuf *h = &r->headers[i];
            if ((r->cfg->engine.header && !rs->header_given && ck->len > 0 &&
                 take_header(r, i, ck, &rs->ring) != LADLE_OK) ||
                (st = r->ops->bind_input(r->ops->arg, i, r->cfg->engine.header ? h->data : NULL,
                                         r->cfg->engine.header ? h->len : 0, &binding)) !=
                    LADLE_OK) {
                ladle_chunk_put(ck);
                st = ladle_error_any(r->err) ? ladle_error_status(r->err) : LADLE_E_INTERNAL;
                break;
            }
        }
        bool finished = false; /* --part: past the range's end */
        if ((st = trim(r, i, rs, ck, eof, &finished)) != LADLE_OK) {
            ladle_chunk_put(ck);
            break;
        }
        ck->binding = binding;
        if (ck->len == 0 && !eof && !finished) {
            ladle_chunk_put(ck);
            continue;
        }
        ck->seq = seq++;
        ck->last = done = eof || finished;
        ladle_run_enqueue_work(r, ck);
        if (done)
            break;
    }
    d.ops->close(&d);
    st = record_end(r, i, &fr, rs, &d, done, st);
    free(rs);
    atomic_fetch_add(&r->bytes_in, fr.next_off - first_off);
    atomic_fetch_add(&r->bytes_compressed, src->bytes_read);
    ladle_framer_destroy(&fr);
    if (probed)
        src->stop_fd = -1;
    else
        ladle_source_close(src);
    if (st != LADLE_OK)
        ladle_run_request_stop(r);
}

void *ladle_run_decoder_main(void *p)
{
    struct ladle_run_thread *a = p;
    struct ladle_engine *r = a->r;
    for (;;) {
        unsigned i = atomic_fetch_add(&r->next_input, 1);
        if (i >= r->io->count || ladle_run_stopping(r))
            break;
        decode_input(r, a->index, i);
    }
    if (atomic_fetch_sub(&r->decoders_alive, 1) == 1)
        ladle_run_close_work(r);
    return NULL;
}

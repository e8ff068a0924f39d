/*
 * probe.c -- the first record of every input, and the source ids (see
 * probe.h).
 */
#include "job/probe.h"

#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "engine/cancel.h"
#include "io/source.h"
#include "record/framer.h"
#include "record/records.h"

/* Decompressed bytes per probe read: a first record longer than this goes
 * on through the framer's carry. */
#define PROBE_CHUNK ((size_t)64 << 10)

/* The probe's chunks: one at a time, from malloc. */
struct probe_supply {
    struct ladle_chunk_supply supply;
    const atomic_int *cancel;
};

static struct ladle_chunk *probe_get(void *arg)
{
    struct probe_supply *ps = arg;
    struct ladle_chunk *c = calloc(1, sizeof *c);
    size_t cap = LADLE_CHUNK_HEADROOM + ps->supply.chunk_size + 1;
    if (c && !(c->mem = malloc(cap))) {
        free(c);
        return NULL;
    }
    if (c) {
        c->cap = cap;
        c->data = c->mem + LADLE_CHUNK_HEADROOM;
        c->home = &ps->supply;
    }
    return c;
}

static void probe_put(void *arg, struct ladle_chunk *c)
{
    (void)arg;
    free(c->mem);
    free(c);
}

static bool probe_stopping(void *arg)
{
    const struct probe_supply *ps = arg;
    return ladle_cancelled(ps->cancel);
}

static bool source_stopping(void *arg)
{
    return ladle_cancelled((const atomic_int *)arg);
}

/* The first `want` records of a source, appended to rec. */
struct first_records {
    char *p;
    size_t len, cap;
    unsigned have, want;
    size_t header_len;
    int kind; /* 0 plain, 1 zstd, 2 gzip */
};

static int take_records(struct first_records *fr, const struct ladle_chunk *ck)
{
    const char *d = ck->data;
    size_t n = ck->len;
    while (n && fr->have < fr->want) {
        size_t len = ladle_record_len(d, n, ck->csv_delim);
        if (fr->len + len > fr->cap) {
            size_t cap = fr->cap ? fr->cap : 4096;
            while (cap < fr->len + len)
                cap *= 2;
            char *b = realloc(fr->p, cap);
            if (!b)
                return -1;
            fr->p = b;
            fr->cap = cap;
        }
        memcpy(fr->p + fr->len, d, len);
        fr->len += len;
        if (++fr->have == 1)
            fr->header_len = fr->len;
        d += len;
        n -= len;
    }
    return 0;
}

/* Decodes src until want records are framed or the input ends. */
static ladle_status read_first(struct ladle_source *src, const char *name,
                               const struct ladle_config *cfg, struct probe_supply *ps,
                               struct first_records *fr, struct ladle_error *err)
{
    unsigned char magic[4];
    ssize_t nmagic = ladle_source_peek(src, magic, sizeof magic);
    if (nmagic < 0)
        return ladle_source_fail(src, nmagic, 0, err);
    struct ladle_decoder d = {
        .ops = ladle_codec_detect(magic, (size_t)nmagic),
        .src = src,
        .chunks = &ps->supply,
        .cfg = cfg,
        .err = err,
        .name = name,
    };
    fr->kind = d.ops == &ladle_codec_zstd ? 1 : d.ops == &ladle_codec_gzip ? 2 : 0;
    struct ladle_framer f;
    ladle_framer_init(&f, cfg->engine.max_record, name);
    if (cfg->engine.csv_delim)
        ladle_framer_set_csv(&f, cfg->engine.csv_delim);
    ladle_status st = d.ops->open(&d);
    while (st == LADLE_OK && fr->have < fr->want) {
        struct ladle_chunk *ck = NULL;
        st = d.ops->next(&d, &ck);
        if (st == LADLE_OK && ladle_cancelled(ps->cancel))
            st = ladle_error_set(err, LADLE_E_INTERRUPTED, "interrupted");
        if (st != LADLE_OK) {
            if (ck)
                ladle_chunk_put(ck);
            break;
        }
        bool eof = ck == NULL;
        if (eof && !(ck = probe_get(ps))) {
            st = ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", name);
            break;
        }
        st = ladle_framer_push(&f, &ck, eof, err);
        if (st == LADLE_OK && take_records(fr, ck) != 0)
            st = ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", name);
        ladle_chunk_put(ck);
        if (eof)
            break;
    }
    src->hold = true; /* reads the codec reaps on close need not wait for bytes */
    d.ops->close(&d);
    ladle_framer_destroy(&f);
    return st;
}

static ladle_status probe_one(struct ladle_probe *p, uint32_t i, const struct ladle_config *cfg,
                              const char *path, const char *name, const struct ladle_probe_opts *o,
                              struct probe_supply *ps, struct ladle_error *err)
{
    if (!(p->stems[i] = ladle_source_stem(path, o->stdin_name, o->stem_mode, o->prefix)))
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    struct ladle_source *src = NULL;
    ladle_status st = ladle_source_open(&src, path, name, cfg, err);
    if (st != LADLE_OK)
        return st;
    src->stopping = source_stopping;
    src->stopping_arg = (void *)ps->cancel;
    ladle_source_keep(src);
    struct first_records fr = {.want = cfg->engine.header ? 2 : 1};
    st = read_first(src, name, cfg, ps, &fr, err);
    if (st == LADLE_OK && fr.have == fr.want) {
        size_t h = cfg->engine.header ? fr.header_len : 0;
        struct ladle_fingerprint f = ladle_source_fingerprint(fr.p, h, fr.p + h, fr.len - h);
        p->ids[i] = ladle_source_id(p->stems[i], strlen(p->stems[i]), f, 0);
        p->has_id[i] = true;
        p->fps[i] = f;
    }
    p->kinds[i] = fr.kind;
    free(fr.p);
    if (st == LADLE_OK && !src->regular) {
        src->stopping = NULL;
        ladle_source_rewind(src);
        p->opened[i] = src;
    } else {
        ladle_source_close(src);
    }
    return st;
}

static ladle_status ladle_probe_check(const struct ladle_probe *p, const char *const *paths,
                                      const char *const *names, struct ladle_error *err);

ladle_status ladle_probe_run(struct ladle_probe *p, const struct ladle_config *cfg,
                             const char *const *paths, const char *const *names, uint32_t count,
                             const struct ladle_probe_opts *o, const atomic_int *cancel,
                             struct ladle_error *err)
{
    memset(p, 0, sizeof *p);
    size_t n = count ? count : 1;
    p->ids = calloc(n, sizeof *p->ids);
    p->has_id = calloc(n, sizeof *p->has_id);
    p->stems = calloc(n, sizeof *p->stems);
    p->opened = calloc(n, sizeof *p->opened);
    p->fps = calloc(n, sizeof *p->fps);
    p->kinds = calloc(n, sizeof *p->kinds);
    if (!p->ids || !p->has_id || !p->stems || !p->opened || !p->fps || !p->kinds)
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    p->count = count;
    /* One small read per input: pread (an io_uring ring per file costs more
     * than the read, and would say its notices twice) and small chunks. */
    struct ladle_config small = *cfg;
    small.engine.io_mode = LADLE_IO_PREAD;
    small.engine.chunk_size =
        cfg->engine.chunk_size < PROBE_CHUNK ? cfg->engine.chunk_size : PROBE_CHUNK;
    cfg = &small;
    struct probe_supply ps = {
        .supply = {probe_get, probe_get, probe_put, probe_stopping, NULL,
                   ladle_framer_chunk_limit(cfg->engine.chunk_size, cfg->engine.max_record)},
        .cancel = cancel,
    };
    ps.supply.arg = &ps;
    bool has_stdin = false;
    for (uint32_t i = 0; i < count; i++)
        has_stdin |= strcmp(paths[i], "-") == 0;
    if (o->stdin_name && !has_stdin)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--source-name names stdin, but no input is stdin ('-')");
    for (uint32_t i = 0; i < count && !o->no_keys; i++) {
        ladle_status st = probe_one(p, i, cfg, paths[i], names[i], o, &ps, err);
        if (st != LADLE_OK)
            return st;
    }
    return ladle_probe_check(p, paths, names, err);
}

struct id_at {
    uint64_t id;
    uint32_t input;
};

static int by_id(const void *a, const void *b)
{
    const struct id_at *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->input < y->input ? -1 : 1;
}

static ladle_status ladle_probe_check(const struct ladle_probe *p, const char *const *paths,
                                      const char *const *names, struct ladle_error *err)
{
    struct id_at *order = malloc((p->count ? p->count : 1) * sizeof *order);
    if (!order)
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->count; i++)
        if (p->has_id[i])
            order[n++] = (struct id_at){p->ids[i], i};
    qsort(order, n, sizeof *order, by_id);
    ladle_status st = LADLE_OK;
    for (uint32_t k = 1; k < n && st == LADLE_OK; k++) {
        if (order[k - 1].id != order[k].id)
            continue;
        uint32_t a = order[k - 1].input, b = order[k].input;
        int is_stdin = strcmp(paths[a], "-") == 0 || strcmp(paths[b], "-") == 0;
        const char *q = *p->stems[a] ? "" : "'";
        st = ladle_error_set(
            err, LADLE_E_USAGE,
            "%s and %s are the same source to ladle (name %s%s%s, same first record): their "
            "records would get the same keys. If they are different files, tell them apart with "
            "%s; if one is a copy, give it once",
            names[a], names[b], q, p->stems[a], q,
            is_stdin ? "another --source-name for stdin"
                     : "--source-stem path (ids from the whole path) or --source-prefix");
    }
    free(order);
    return st;
}

void ladle_probe_free(struct ladle_probe *p)
{
    for (uint32_t i = 0; p->stems && i < p->count; i++)
        free(p->stems[i]);
    for (uint32_t i = 0; p->opened && i < p->count; i++)
        ladle_source_close(p->opened[i]);
    free(p->ids);
    free(p->has_id);
    free(p->fps);
    free(p->kinds);
    free(p->stems);
    free(p->opened);
    memset(p, 0, sizeof *p);
}

/*
 * kept_state.c -- serialized kheap states (see kept_state.h for the layout).
 *
 * A state may come from another machine, another ladle or a damaged file,
 * so the reader trusts no length: every read is checked against the end of
 * the buffer, and the whole state is walked once before any record is
 * copied, so that a refused state changes nothing. The second walk then
 * copies the records in with ladle_kheap_insert, which keeps the heap's
 * capacity semantics (the N best), exactly as merging a live state does.
 */
#include "sample/kept_state.h"
#include "sample/payload_bytes.h"

#include <stdlib.h>
#include <string.h>

#define MAGIC_LEN 8

static void make_magic(const struct ladle_state_format *f, unsigned char m[MAGIC_LEN])
{
    memcpy(m, f->magic, 4);
    m[4] = m[5] = m[6] = 0;
    m[7] = f->version;
}

ladle_status ladle_kept_state_write(const struct ladle_state_format *f, uint64_t records_seen,
                                    const struct ladle_kheap *h, struct ladle_outbuf *out,
                                    struct ladle_error *err)
{
    unsigned char magic[MAGIC_LEN];
    make_magic(f, magic);
    int bad = ladle_outbuf_append(out, magic, sizeof magic);
    for (size_t i = 0; i < f->nparams; i++)
        bad |= ladle_put_u64(out, f->params[i].value);
    bad |= ladle_put_u64(out, records_seen) | ladle_put_u64(out, h->count);
    for (size_t i = 0; i < h->count && !bad; i++) {
        const struct ladle_kept *k = &h->v[i];
        bad = ladle_put_u64(out, k->key) | ladle_put_u64(out, k->input) |
              ladle_put_u64(out, k->offset) | ladle_put_u64(out, k->len) |
              ladle_put_u64(out, ladle_double_bits(k->weight)) |
              ladle_outbuf_append(out, k->data, k->len);
    }
    return bad ? ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory") : LADLE_OK;
}

/* The fixed fields of a record before its bytes. */
#define RECORD_HEAD 40

/* Reads one record's fields into k (data left NULL) and points *bytes at
 * its bytes in the buffer. -1 if it runs past the end or breaks an
 * invariant of kept records (an input index that fits 32 bits, bytes that
 * end in '\n'). */
static int get_record(struct ladle_reader *r, const struct ladle_input_remap *m,
                      struct ladle_kept *k, const unsigned char **bytes)
{
    uint64_t key, input, offset, len, weight;
    uint32_t in;
    if (ladle_get_u64(r, &key) || ladle_get_u64(r, &input) || ladle_get_u64(r, &offset) ||
        ladle_get_u64(r, &len) || ladle_get_u64(r, &weight))
        return -1;
    if (ladle_input_remap_apply(m, input, &in) || len == 0 || (uint64_t)(r->end - r->p) < len ||
        r->p[len - 1] != '\n')
        return -1;
    *k = (struct ladle_kept){key, offset, in, (size_t)len, NULL, ladle_bits_double(weight)};
    *bytes = r->p;
    r->p += len;
    return 0;
}

/* Refuses a parameter that differs from the caller's, naming it. */
static ladle_status param_mismatch(const struct ladle_state_param *want, uint64_t got,
                                   struct ladle_error *err)
{
    if (want->is_switch)
        return ladle_error_set(err, LADLE_E_INPUT,
                               "state: drawn with %s %s, not this sample's %s %s", want->flag,
                               got ? "on" : "off", want->flag, want->value ? "on" : "off");
    return ladle_error_set(err, LADLE_E_INPUT,
                           "state: drawn with %s %llu, not this sample's %s %llu", want->flag,
                           (unsigned long long)got, want->flag, (unsigned long long)want->value);
}

ladle_status ladle_kept_state_read(const struct ladle_state_format *f, const void *data, size_t len,
                                   struct ladle_kheap *h, uint64_t *records_seen,
                                   struct ladle_error *err)
{
    struct ladle_reader r = {data, (const unsigned char *)data + len};
    unsigned char magic[MAGIC_LEN];
    make_magic(f, magic);
    if (len < MAGIC_LEN || memcmp(r.p, magic, MAGIC_LEN - 1) != 0)
        return ladle_error_set(err, LADLE_E_INPUT, "state: not a %s sample state", f->design);
    if (r.p[MAGIC_LEN - 1] != f->version)
        return ladle_error_set(err, LADLE_E_INPUT,
                               "state: a %s sample state of format version %u, this ladle "
                               "reads version %u",
                               f->design, (unsigned)r.p[MAGIC_LEN - 1], (unsigned)f->version);
    r.p += MAGIC_LEN;

    /* The header: every field present before any is judged. */
    uint64_t got[8], seen, count;
    if (f->nparams > sizeof got / sizeof got[0])
        return ladle_error_set(err, LADLE_E_INTERNAL, "state: %zu parameters, at most %zu",
                               f->nparams, sizeof got / sizeof got[0]);
    for (size_t i = 0; i < f->nparams; i++)
        if (ladle_get_u64(&r, &got[i]))
            return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");
    if (ladle_get_u64(&r, &seen) || ladle_get_u64(&r, &count) ||
        count > (uint64_t)(r.end - r.p) / RECORD_HEAD)
        return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");
    for (size_t i = 0; i < f->nparams; i++)
        if (got[i] != f->params[i].value)
            return param_mismatch(&f->params[i], got[i], err);

    /* First walk: check every record, and that nothing follows the last. */
    const struct ladle_reader records = r;
    for (uint64_t i = 0; i < count; i++) {
        struct ladle_kept k;
        const unsigned char *bytes;
        if (get_record(&r, &f->remap, &k, &bytes))
            return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");
    }
    if (r.p != r.end)
        return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");

    /* Second walk: copy them in. */
    r = records;
    for (uint64_t i = 0; i < count; i++) {
        struct ladle_kept k;
        const unsigned char *bytes;
        (void)get_record(&r, &f->remap, &k, &bytes); /* checked above */
        if (!ladle_kheap_admits(h, &k))
            continue;
        if (!(k.data = malloc(k.len)))
            return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
        memcpy(k.data, bytes, k.len);
        if (ladle_kheap_insert(h, &k) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    }
    *records_seen += seen;
    return LADLE_OK;
}

/*
 * kept_set_state.c -- the carried kept set of streaming and ordered
 * designs (see kept_set_state.h for the layout).
 *
 * A state may come from another machine or a damaged file, so the reader
 * trusts no length: every read is checked against the end of the buffer,
 * and the whole payload is walked once before any record is copied, so a
 * refused one changes nothing.
 */
#include "sample/kept_set_state.h"

#include <stdlib.h>
#include <string.h>

#include "sample/sampler.h"
#include "sample/payload_bytes.h"

#define MAGIC_LEN 8
#define RECORD_HEAD 32 /* key, input, offset, len */

static const unsigned char magic[MAGIC_LEN] = {'L', 'D', 'K', 'S', 0, 0, 0, LADLE_KEPT_SET_VERSION};

ladle_status ladle_kept_set_state_write(struct ladle_kept_set *s, uint64_t records_seen,
                                        struct ladle_outbuf *out, struct ladle_error *err)
{
    ladle_kept_sort(s->v, s->count, 0);
    int bad = ladle_outbuf_append(out, magic, sizeof magic) | ladle_put_u64(out, records_seen) |
              ladle_put_u64(out, s->count);
    for (size_t i = 0; i < s->count && !bad; i++) {
        const struct ladle_kept *k = &s->v[i]; /* its offset orders it in its input */
        bad = ladle_put_u64(out, k->key) | ladle_put_u64(out, k->input) |
              ladle_put_u64(out, k->offset) | ladle_put_u64(out, k->len) |
              ladle_outbuf_append(out, k->data, k->len);
    }
    return bad ? ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory") : LADLE_OK;
}

/* One record's fields into k (data left NULL), *bytes at its bytes. -1 if
 * it runs past the end, its input does not fit 32 bits with the base
 * added, its bytes do not end in '\n', or it does not follow prev in
 * (input, offset) order (NULL: the first). */
static int get_record(struct ladle_reader *r, const struct ladle_input_remap *m,
                      const struct ladle_kept *prev, struct ladle_kept *k,
                      const unsigned char **bytes)
{
    uint64_t key, input, offset, len;
    uint32_t in;
    if (ladle_get_u64(r, &key) || ladle_get_u64(r, &input) || ladle_get_u64(r, &offset) ||
        ladle_get_u64(r, &len))
        return -1;
    if (ladle_input_remap_apply(m, input, &in) || len == 0 || (uint64_t)(r->end - r->p) < len ||
        r->p[len - 1] != '\n')
        return -1;
    *k = (struct ladle_kept){key, offset, in, (size_t)len, NULL, 0.0};
    if (prev && (k->input < prev->input || (k->input == prev->input && k->offset <= prev->offset)))
        return -1;
    *bytes = r->p;
    r->p += len;
    return 0;
}

ladle_status ladle_kept_set_state_read(const void *data, size_t len,
                                       const struct ladle_input_remap *input_remap,
                                       struct ladle_kept_set *s, uint64_t *records_seen,
                                       struct ladle_error *err)
{
    struct ladle_reader r = {data, (const unsigned char *)data + len};
    if (len < MAGIC_LEN || memcmp(r.p, magic, MAGIC_LEN - 1) != 0)
        return ladle_error_set(err, LADLE_E_INPUT, "state: not a kept-records sample state");
    if (r.p[MAGIC_LEN - 1] != LADLE_KEPT_SET_VERSION)
        return ladle_error_set(err, LADLE_E_INPUT,
                               "state: a kept-records sample state of format version %u, this "
                               "ladle reads version %u",
                               (unsigned)r.p[MAGIC_LEN - 1], (unsigned)LADLE_KEPT_SET_VERSION);
    r.p += MAGIC_LEN;
    uint64_t seen, count;
    if (ladle_get_u64(&r, &seen) || ladle_get_u64(&r, &count) ||
        count > (uint64_t)(r.end - r.p) / RECORD_HEAD)
        return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");

    /* First walk: check every record, and that nothing follows the last. */
    const struct ladle_reader records = r;
    struct ladle_kept k, prev;
    const unsigned char *bytes;
    for (uint64_t i = 0; i < count; i++, prev = k)
        if (get_record(&r, input_remap, i ? &prev : NULL, &k, &bytes))
            return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");
    if (r.p != r.end)
        return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");

    /* Second walk: copy them in. */
    r = records;
    for (uint64_t i = 0; i < count; i++) {
        (void)get_record(&r, input_remap, NULL, &k, &bytes); /* checked above */
        if (ladle_kept_set_add(s, k.key, k.input, k.offset, (const char *)bytes, k.len) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    }
    *records_seen += seen;
    return LADLE_OK;
}

/* s->carried, created empty when missing. NULL: no memory. */
static struct ladle_kept_set *carried(struct ladle_sampler *s)
{
    if (!s->carried)
        s->carried = calloc(1, sizeof *s->carried);
    return s->carried;
}

ladle_status ladle_carried_serialize(const struct ladle_sampler *s, struct ladle_outbuf *out,
                                     struct ladle_error *err)
{
    struct ladle_kept_set none = {NULL, 0, 0};
    return ladle_kept_set_state_write(s->carried ? s->carried : &none, s->records_seen, out, err);
}

ladle_status ladle_carried_deserialize(struct ladle_sampler *s, const void *data, size_t len,
                                       struct ladle_error *err)
{
    struct ladle_kept_set *set = carried(s);
    if (!set)
        return ladle_sampler_nomem(err);
    return ladle_kept_set_state_read(data, len, &s->input_remap, set, &s->records_seen, err);
}

ladle_status ladle_carried_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                 struct ladle_error *err)
{
    ladle_sampler_merge_counts(into, from);
    struct ladle_kept_set *b = from->carried, *a;
    if (!b || !b->count)
        return LADLE_OK;
    if (!(a = carried(into)))
        return ladle_sampler_nomem(err);
    if (a->cap - a->count < b->count) {
        size_t cap = a->count + b->count;
        struct ladle_kept *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return ladle_sampler_nomem(err);
        a->v = v;
        a->cap = cap;
    }
    memcpy(a->v + a->count, b->v, b->count * sizeof *b->v); /* the bytes move with them */
    a->count += b->count;
    b->count = 0;
    uint64_t limit = into->cfg->params.output_limit; /* --head N; else no limit */
    if (a->count > limit) {
        ladle_kept_sort(a->v, a->count, 0);
        while (a->count > limit)
            free(a->v[--a->count].data);
    }
    return LADLE_OK;
}

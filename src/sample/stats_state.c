/*
 * stats_state.c -- `ladle stats --state`: the fields' counts as bytes, and
 * back (LDSS payload, version 1). All integers little-endian u64:
 *
 *   magic "LDSS" 0 0 0 1, records_seen, nfields, then per field:
 *     with_field, missing, error,
 *     ncounts, each: vlen, vlen bytes, count
 *     the HyperLogLog registers (LADLE_HLL_M bytes)
 *     count, non_numeric, min and max (the doubles' bits),
 *     the sum's and the sum of squares' limbs (LADLE_SUPERACC_LIMBS each,
 *     normalized: every limb but the last below 2^32), zeros,
 *     nbuckets, each: 5 key bytes (sign, int32 index), count
 *   and nothing after the last field.
 *
 * The bytes are untrusted: the whole payload is checked before any of it
 * is added (a refused state changes nothing).
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "sample/stats_field.h"
#include "sample/payload_bytes.h"

#define MAGIC_LEN 8
static const unsigned char magic[MAGIC_LEN] = {'L', 'D', 'S', 'S', 0, 0, 0, 1};

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

struct put_ctx {
    struct ladle_outbuf *out;
    int bad;
};

static void put_entry(void *arg, const char *v, size_t len, void *payload)
{
    struct put_ctx *c = arg;
    c->bad |= ladle_put_u64(c->out, len) | ladle_outbuf_append(c->out, v, len) |
              ladle_put_u64(c->out, *(const uint64_t *)payload);
}

static void put_bucket(void *arg, const char *v, size_t len, void *payload)
{
    struct put_ctx *c = arg;
    c->bad |=
        ladle_outbuf_append(c->out, v, len) | ladle_put_u64(c->out, *(const uint64_t *)payload);
}

static int put_acc(struct ladle_outbuf *out, const struct ladle_superacc *a)
{
    struct ladle_superacc t = *a;
    ladle_superacc_normalize(&t);
    int bad = 0;
    for (int i = 0; i < LADLE_SUPERACC_LIMBS; i++)
        bad |= ladle_put_u64(out, (uint64_t)t.limb[i]);
    return bad;
}

ladle_status ladle_stats_state_write(const struct ladle_stats_field *f, unsigned count,
                                     uint64_t records_seen, struct ladle_outbuf *out,
                                     struct ladle_error *err)
{
    struct put_ctx c = {out, 0};
    c.bad = ladle_outbuf_append(out, magic, MAGIC_LEN) | ladle_put_u64(out, records_seen) |
            ladle_put_u64(out, count);
    for (unsigned k = 0; k < count && !c.bad; k++) {
        const struct ladle_stats_field *x = &f[k];
        const struct ladle_stats_num *n = &x->num;
        if (!n->exact)
            return ladle_error_set(err, LADLE_E_INTERNAL, "stats: no exact sums to save");
        c.bad |= ladle_put_u64(out, x->with_field) | ladle_put_u64(out, x->missing) |
                 ladle_put_u64(out, x->error) | ladle_put_u64(out, x->counts.count);
        ladle_vmap_each(&x->counts, put_entry, &c);
        c.bad |= ladle_outbuf_append(out, x->hll.reg, LADLE_HLL_M) | ladle_put_u64(out, n->count) |
                 ladle_put_u64(out, n->non_numeric) | ladle_put_u64(out, bits(n->min)) |
                 ladle_put_u64(out, bits(n->max)) | put_acc(out, &n->exact->sum) |
                 put_acc(out, &n->exact->sumsq) | ladle_put_u64(out, n->exact->zeros) |
                 ladle_put_u64(out, n->exact->buckets.count);
        ladle_vmap_each(&n->exact->buckets, put_bucket, &c);
    }
    return c.bad ? ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory") : LADLE_OK;
}

/* A normalized accumulator: limbs below 2^32, the last one small (no
 * overflow when added to). */
static int get_acc(struct ladle_reader *r, struct ladle_superacc *a)
{
    for (int i = 0; i < LADLE_SUPERACC_LIMBS; i++) {
        uint64_t u;
        if (ladle_get_u64(r, &u))
            return -1;
        int64_t v = (int64_t)u;
        if (i < LADLE_SUPERACC_LIMBS - 1 ? u >> 32 != 0
                                         : v < -(INT64_C(1) << 40) || v > (INT64_C(1) << 40))
            return -1;
        a->limb[i] = v;
    }
    a->pending = 0;
    return 0;
}

static double dbl(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* One field: checked only (f NULL), or added to f. -1 corrupt, -2 no memory. */
static int walk_field(struct ladle_reader *r, struct ladle_stats_field *f)
{
    uint64_t with, missing, error, n, count, non_numeric, min, max, zeros, nb;
    if (ladle_get_u64(r, &with) || ladle_get_u64(r, &missing) || ladle_get_u64(r, &error) ||
        ladle_get_u64(r, &n))
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t vlen, c;
        const unsigned char *v;
        if (ladle_get_u64(r, &vlen) || ladle_get_bytes(r, vlen, &v) || ladle_get_u64(r, &c))
            return -1;
        uint64_t *slot = f ? ladle_vmap_put(&f->counts, (const char *)v, (size_t)vlen, NULL) : NULL;
        if (f && !slot)
            return -2;
        if (slot)
            *slot += c;
    }
    const unsigned char *reg;
    if (ladle_get_bytes(r, LADLE_HLL_M, &reg))
        return -1;
    for (size_t i = 0; i < LADLE_HLL_M; i++)
        if (reg[i] > 64)
            return -1;
    struct ladle_superacc sum, sumsq;
    if (ladle_get_u64(r, &count) || ladle_get_u64(r, &non_numeric) || ladle_get_u64(r, &min) ||
        ladle_get_u64(r, &max) || get_acc(r, &sum) || get_acc(r, &sumsq) ||
        ladle_get_u64(r, &zeros) || ladle_get_u64(r, &nb))
        return -1;
    if (count && !(dbl(min) <= dbl(max) && dbl(min) >= -DBL_MAX && dbl(max) <= DBL_MAX))
        return -1; /* numbers are finite, min <= max */
    for (uint64_t i = 0; i < nb; i++) {
        const unsigned char *key;
        uint64_t c;
        if (ladle_get_bytes(r, 5, &key) || key[0] > 1 || ladle_get_u64(r, &c))
            return -1;
        uint64_t *slot =
            f ? ladle_vmap_put(&f->num.exact->buckets, (const char *)key, 5, NULL) : NULL;
        if (f && !slot)
            return -2;
        if (slot)
            *slot += c;
    }
    if (!f)
        return 0;
    f->with_field += with;
    f->missing += missing;
    f->error += error;
    struct ladle_hll h;
    memcpy(h.reg, reg, LADLE_HLL_M);
    ladle_hll_merge(&f->hll, &h);
    struct ladle_stats_num *num = &f->num;
    if (count) {
        num->min = num->count == 0 || dbl(min) < num->min ? dbl(min) : num->min;
        num->max = num->count == 0 || dbl(max) > num->max ? dbl(max) : num->max;
    }
    num->count += count;
    num->non_numeric += non_numeric;
    ladle_superacc_add(&num->exact->sum, &sum);
    ladle_superacc_add(&num->exact->sumsq, &sumsq);
    num->exact->zeros += zeros;
    return 0;
}

ladle_status ladle_stats_state_read(struct ladle_stats_field *f, unsigned count, const void *data,
                                    size_t len, uint64_t *records_seen, struct ladle_error *err)
{
    struct ladle_reader r = {data, (const unsigned char *)data + len};
    uint64_t seen, nfields;
    if (len < MAGIC_LEN || memcmp(r.p, magic, MAGIC_LEN) != 0)
        return ladle_error_set(err, LADLE_E_INPUT, "state: not a stats state");
    r.p += MAGIC_LEN;
    if (ladle_get_u64(&r, &seen) || ladle_get_u64(&r, &nfields))
        return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");
    if (nfields != count)
        return ladle_error_set(err, LADLE_E_INPUT, "state: %llu fields, this run counts %u",
                               (unsigned long long)nfields, count);
    for (unsigned k = 0; k < count; k++)
        if (!f[k].num.exact)
            return ladle_error_set(err, LADLE_E_INTERNAL, "stats: no exact sums to add to");
    const struct ladle_reader fields = r;
    for (unsigned k = 0; k < count; k++)
        if (walk_field(&r, NULL) != 0)
            return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");
    if (r.p != r.end)
        return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");
    r = fields;
    for (unsigned k = 0; k < count; k++)
        if (walk_field(&r, &f[k]) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    *records_seen += seen;
    return LADLE_OK;
}

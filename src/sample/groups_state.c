/*
 * groups_state.c -- serialized per-group samples (see groups_state.h).
 *
 * A state may come from another machine or a damaged file: every length
 * is checked against the end of the buffer, and the whole state is walked
 * once before anything is applied (as kept_state.c does).
 */
#include "sample/groups_state.h"
#include "sample/payload_bytes.h"

#include <stdlib.h>
#include <string.h>

#define MAGIC_LEN 8
#define VERSION 1

struct write_ctx {
    struct ladle_outbuf *out;
    ladle_groups_filter keep;
    void *keep_arg;
    uint64_t ngroups;
    int bad, counting;
};

static void put_group(void *arg, const char *v, size_t len, void *payload)
{
    struct write_ctx *w = arg;
    const struct ladle_group *grp = payload;
    if (w->bad || (w->keep && !w->keep(w->keep_arg, v, len)))
        return;
    if (w->counting) {
        w->ngroups++;
        return;
    }
    w->bad |= ladle_put_u64(w->out, len) | ladle_outbuf_append(w->out, v, len) |
              ladle_put_u64(w->out, grp->seen) | ladle_put_u64(w->out, grp->heap.count);
    for (size_t i = 0; i < grp->heap.count && !w->bad; i++) {
        const struct ladle_kept *k = &grp->heap.v[i];
        w->bad = ladle_put_u64(w->out, k->key) | ladle_put_u64(w->out, k->input) |
                 ladle_put_u64(w->out, k->offset) | ladle_put_u64(w->out, k->len) |
                 ladle_outbuf_append(w->out, k->data, k->len);
    }
}

ladle_status ladle_groups_state_write(const char magic[4], uint64_t records_seen,
                                      const uint64_t *keys, size_t nkeys,
                                      const struct ladle_groups *g, ladle_groups_filter keep,
                                      void *keep_arg, struct ladle_outbuf *out,
                                      struct ladle_error *err)
{
    unsigned char m[MAGIC_LEN] = {0};
    memcpy(m, magic, 4);
    m[7] = VERSION;
    struct write_ctx w = {out, keep, keep_arg, 0, 0, 1};
    ladle_vmap_each(&g->map, put_group, &w); /* how many groups pass the filter */
    w.counting = 0;
    w.bad = ladle_outbuf_append(out, m, sizeof m) | ladle_put_u64(out, records_seen) |
            ladle_put_u64(out, nkeys);
    for (size_t i = 0; i < nkeys && !w.bad; i++)
        w.bad = ladle_put_u64(out, keys[i]);
    w.bad |= ladle_put_u64(out, w.ngroups);
    if (!w.bad)
        ladle_vmap_each(&g->map, put_group, &w);
    return w.bad ? ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory") : LADLE_OK;
}

/* One record: -1 past the end, or breaking an invariant of kept records
 * (an input the remap places, bytes that end in '\n'). */
static int get_record(struct ladle_reader *r, const struct ladle_input_remap *m,
                      struct ladle_kept *k, const unsigned char **bytes)
{
    uint64_t key, input, offset, len;
    if (ladle_get_u64(r, &key) || ladle_get_u64(r, &input) || ladle_get_u64(r, &offset) ||
        ladle_get_u64(r, &len))
        return -1;
    uint32_t in;
    if (ladle_input_remap_apply(m, input, &in) || len == 0 || ladle_get_bytes(r, len, bytes) ||
        (*bytes)[len - 1] != '\n')
        return -1;
    *k = (struct ladle_kept){key, offset, in, (size_t)len, NULL, 0.0};
    return 0;
}

/* Walks the groups: checks them (g NULL), or adds them to g. -1: corrupt,
 * -2: out of memory. */
static int walk_groups(struct ladle_reader *r, uint64_t ngroups,
                       const struct ladle_input_remap *base, uint64_t cap, struct ladle_groups *g)
{
    for (uint64_t i = 0; i < ngroups; i++) {
        uint64_t vlen, seen, count;
        const unsigned char *v;
        if (ladle_get_u64(r, &vlen) || ladle_get_bytes(r, vlen, &v) || ladle_get_u64(r, &seen) ||
            ladle_get_u64(r, &count) || count > (uint64_t)(r->end - r->p) / 32)
            return -1;
        struct ladle_group *grp = NULL;
        if (g && !(grp = ladle_groups_get(g, (const char *)v, (size_t)vlen, cap)))
            return -2;
        if (grp)
            grp->seen += seen;
        for (uint64_t k = 0; k < count; k++) {
            struct ladle_kept rec;
            const unsigned char *bytes;
            if (get_record(r, base, &rec, &bytes))
                return -1;
            if (!grp || !ladle_kheap_admits(&grp->heap, &rec))
                continue;
            if (!(rec.data = malloc(rec.len)))
                return -2;
            memcpy(rec.data, bytes, rec.len);
            if (ladle_kheap_insert(&grp->heap, &rec) != 0)
                return -2;
        }
    }
    return r->p == r->end ? 0 : -1;
}

ladle_status ladle_groups_state_read(const char magic[4], const char *design, const void *data,
                                     size_t len, const struct ladle_input_remap *base, uint64_t cap,
                                     struct ladle_groups *g, uint64_t *records_seen,
                                     uint64_t **keys, size_t *nkeys, struct ladle_error *err)
{
    struct ladle_reader r = {data, (const unsigned char *)data + len};
    unsigned char m[MAGIC_LEN] = {0};
    memcpy(m, magic, 4);
    m[7] = VERSION;
    if (len < MAGIC_LEN || memcmp(r.p, m, MAGIC_LEN) != 0)
        return ladle_error_set(err, LADLE_E_INPUT, "state: not a %s state", design);
    r.p += MAGIC_LEN;
    uint64_t seen, nk, ngroups;
    const unsigned char *kbytes;
    if (ladle_get_u64(&r, &seen) || ladle_get_u64(&r, &nk) || nk > (uint64_t)(r.end - r.p) / 8 ||
        ladle_get_bytes(&r, nk * 8, &kbytes) || ladle_get_u64(&r, &ngroups))
        return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");
    const struct ladle_reader groups = r;
    if (walk_groups(&r, ngroups, base, cap, NULL) != 0)
        return ladle_error_set(err, LADLE_E_INPUT, "state: truncated or corrupt");
    uint64_t *kv = NULL;
    if (keys && nk) {
        if (!(kv = malloc((size_t)nk * sizeof *kv)))
            return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
        struct ladle_reader kr = {kbytes, kbytes + nk * 8};
        for (uint64_t i = 0; i < nk; i++)
            (void)ladle_get_u64(&kr, &kv[i]); /* checked above */
    }
    r = groups;
    if (walk_groups(&r, ngroups, base, cap, g) != 0) {
        free(kv);
        return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    }
    *records_seen += seen;
    if (keys) {
        *keys = kv;
        *nkeys = (size_t)nk;
    }
    return LADLE_OK;
}

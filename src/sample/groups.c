/*
 * groups.c -- per-group bottom-k samples (see groups.h).
 */
#include "sample/groups.h"

#include <stdlib.h>
#include <string.h>

void ladle_groups_init(struct ladle_groups *g)
{
    ladle_vmap_init(&g->map, sizeof(struct ladle_group));
}

static void free_group(void *arg, const char *v, size_t len, void *payload)
{
    (void)arg;
    (void)v;
    (void)len;
    ladle_kheap_free(&((struct ladle_group *)payload)->heap);
}

void ladle_groups_free(struct ladle_groups *g)
{
    ladle_vmap_each(&g->map, free_group, NULL);
    ladle_vmap_free(&g->map);
}

struct ladle_group *ladle_groups_get(struct ladle_groups *g, const char *v, size_t len,
                                     uint64_t cap)
{
    int created = 0;
    struct ladle_group *grp = ladle_vmap_put(&g->map, v, len, &created);
    if (grp && created)
        ladle_kheap_init(&grp->heap, cap);
    return grp;
}

int ladle_group_offer(struct ladle_group *grp, uint64_t key, uint32_t input, uint64_t offset,
                      const char *rec, size_t len)
{
    grp->seen++;
    struct ladle_kept c = {key, offset, input, len, NULL, 0.0};
    if (!ladle_kheap_admits(&grp->heap, &c))
        return 0;
    if (!(c.data = malloc(len)))
        return -1;
    memcpy(c.data, rec, len);
    return ladle_kheap_insert(&grp->heap, &c);
}

struct merge_ctx {
    struct ladle_groups *into;
    int failed;
};

static void merge_one(void *arg, const char *v, size_t len, void *payload)
{
    struct merge_ctx *m = arg;
    struct ladle_group *from = payload;
    struct ladle_group *to = ladle_groups_get(m->into, v, len, from->heap.cap);
    if (!to || ladle_kheap_merge(&to->heap, &from->heap) != 0) {
        m->failed = 1;
        return;
    }
    to->seen += from->seen;
    if (from->total > to->total)
        to->total = from->total;
    from->seen = 0;
}

int ladle_groups_merge(struct ladle_groups *into, struct ladle_groups *from)
{
    struct merge_ctx m = {into, 0};
    ladle_vmap_each(&from->map, merge_one, &m);
    return m.failed ? -1 : 0;
}

struct gather_ctx {
    struct ladle_kept *v;
    size_t count, cap;
    int failed;
    double outer;
};

/* Moves a group's records into one array, noting each record's weight. */
static void gather(void *arg, const char *val, size_t len, void *payload)
{
    (void)val;
    (void)len;
    struct gather_ctx *g = arg;
    struct ladle_group *grp = payload;
    uint64_t size = grp->total ? grp->total : grp->seen;
    double weight = grp->heap.count ? g->outer * (double)size / (double)grp->heap.count : 0.0;
    if (g->count + grp->heap.count > g->cap) {
        size_t cap = g->cap ? g->cap : 64;
        while (cap < g->count + grp->heap.count)
            cap *= 2;
        struct ladle_kept *v = realloc(g->v, cap * sizeof *v);
        if (!v) {
            g->failed = 1;
            return;
        }
        g->v = v;
        g->cap = cap;
    }
    for (size_t i = 0; i < grp->heap.count; i++) {
        g->v[g->count] = grp->heap.v[i];
        g->v[g->count++].weight = weight;
    }
    grp->heap.count = 0; /* the records belong to the array now */
}

ladle_status ladle_groups_emit(struct ladle_groups *g, int shuffle, int emit_weight, double outer,
                               char delim, struct ladle_writer *w, struct ladle_error *err)
{
    struct gather_ctx all = {NULL, 0, 0, 0, outer};
    ladle_vmap_each(&g->map, gather, &all);
    ladle_status st = LADLE_OK;
    if (all.failed) {
        st = ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
        goto out;
    }
    st = ladle_kept_emit_column(all.v, all.count, shuffle, emit_weight ? "_weight" : NULL, delim, w,
                                err);
out:
    for (size_t i = 0; i < all.count; i++)
        free(all.v[i].data);
    free(all.v);
    return st;
}

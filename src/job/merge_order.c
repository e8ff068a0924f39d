/*
 * merge_order.c -- the order of a merge's sources (merge_order.h).
 *
 * Each state gets a group: the first state of its job, or itself when it
 * has none. Groups follow each other in argument order; inside a group of
 * a job, sources go by (place in the job, first byte read), which is the
 * order one run over all the job's inputs reads them in. Neighbours that
 * are two ranges of one source, the first ending where the second starts,
 * become one source again; a source read whole by two states, or two
 * ranges that overlap, would count records twice and is refused.
 */
#include "job/merge_order.h"

#include <stdlib.h>
#include <string.h>

struct slot {
    size_t group, idx;
    uint64_t ordinal, from;
};

static int by_place(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->ordinal != y->ordinal)
        return x->ordinal < y->ordinal ? -1 : 1;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

struct id_ref {
    uint64_t id;
    size_t at;
};

static int by_id(const void *a, const void *b)
{
    const struct id_ref *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Two entries of one source in out: fine only as disjoint ranges (parts
 * of it that a later merge may join). */
static ladle_status refuse_twice(const struct ladle_state_source *out, const size_t *from_state,
                                 size_t nout, const char *const *paths, struct ladle_error *err)
{
    struct id_ref *v = malloc((nout ? nout : 1) * sizeof *v);
    if (!v)
        return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    for (size_t i = 0; i < nout; i++)
        v[i] = (struct id_ref){out[i].id, i};
    qsort(v, nout, sizeof *v, by_id);
    ladle_status st = LADLE_OK;
    for (size_t i = 1; i < nout && st == LADLE_OK; i++) {
        if (v[i].id != v[i - 1].id)
            continue;
        const struct ladle_state_source *a = &out[v[i - 1].at], *b = &out[v[i].at];
        if (a->to && a->to <= b->from)
            continue;
        st = ladle_error_set(err, LADLE_E_USAGE,
                             "merge: %s and %s both consumed source %s (last seen as %s, id "
                             "%016llx): merge states of disjoint sources",
                             paths[from_state[v[i - 1].at]], paths[from_state[v[i].at]], b->stem,
                             b->path, (unsigned long long)b->id);
    }
    free(v);
    return st;
}

ladle_status ladle_merge_order(const struct ladle_state_source *src, const size_t *owner, size_t n,
                               const uint64_t *jobs, size_t nstates, const char *const *paths,
                               struct ladle_state_source *out, size_t *nout, uint32_t *map,
                               uint64_t *job, struct ladle_error *err)
{
    struct slot *v = malloc((n ? n : 1) * sizeof *v);
    size_t *group = malloc((nstates ? nstates : 1) * sizeof *group);
    size_t *from_state = malloc((n ? n : 1) * sizeof *from_state);
    if (!v || !group || !from_state) {
        free(v);
        free(group);
        free(from_state);
        return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    }
    *job = nstates ? jobs[0] : 0;
    for (size_t k = 0; k < nstates; k++) {
        group[k] = k;
        for (size_t e = 0; jobs[k] && e < k; e++)
            if (jobs[e] == jobs[k]) {
                group[k] = group[e];
                break;
            }
        if (jobs[k] != *job)
            *job = 0;
    }
    for (size_t i = 0; i < n; i++) {
        int parted = jobs[owner[i]] != 0;
        v[i] = (struct slot){group[owner[i]], i, parted ? src[i].ordinal : i,
                             parted ? src[i].from : 0};
    }
    qsort(v, n, sizeof *v, by_place);
    size_t m = 0;
    for (size_t r = 0; r < n; r++) {
        const struct ladle_state_source *s = &src[v[r].idx];
        struct ladle_state_source *last = m ? &out[m - 1] : NULL;
        if (last && last->id == s->id && last->to && last->to == s->from) {
            uint64_t records = last->records + s->records, from = last->from;
            *last = *s; /* where it ends, its tail and stat hint: the later range's */
            last->records = records;
            last->from = from;
        } else {
            out[m] = *s;
            from_state[m++] = owner[v[r].idx];
        }
        map[v[r].idx] = (uint32_t)(m - 1);
    }
    for (size_t i = 0; i < m && !*job; i++)
        out[i].ordinal = (uint32_t)i; /* no one job: the places are the merge's own */
    *nout = m;
    ladle_status st = refuse_twice(out, from_state, m, paths, err);
    free(v);
    free(group);
    free(from_state);
    return st;
}

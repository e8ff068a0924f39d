/*
 * segment_map.c -- a worker's segment of a plain file, mapped
 * (io/file_map.h) instead of read: the chunk's records stay in the page
 * cache and are read once, by the record walk, where pread(2) copied them
 * first (half of `sample --rate 0.01 --threads 2` on a 1.7 GB file).
 *
 * The records kept follow segments.c's edge rule, found in the view: from
 * after the first line end at or after D(k) (segment 0: after the --header
 * line) up to the first line end at or after D(k + 1). The view reaches
 * MAP_TAIL past D(k + 1) to find it. Whatever the view cannot settle (a
 * last record longer than that, a last line without its end, a record over
 * --max-record, a segment that keeps nothing, a view refused) is left to
 * segments.c's reader, which settles it as the serial path does.
 *
 * The view lives until the chunk is put back, and holds the plan's file
 * open until then. A file that shrinks under its views is the input error
 * pread reports, "file shrank while being read": the worker checks after
 * the design has walked the records (its result is replaced by the error,
 * in order), and the run checks once more at its end for views read later
 * by the output thread (ordered designs walk chunks there).
 *
 * Used with --io auto (the default); --io pread reads segments with pread.
 */
#include "engine/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/range.h"
#include "io/file_map.h"

/* How far past D(k + 1) a view reaches for the line end of its last record. */
#define MAP_TAIL ((uint64_t)64 << 10)

struct segment_view {
    struct ladle_chunk_view hook; /* first: the chunk's handle on it */
    struct ladle_file_map map;
    struct ladle_range_plan *plan;
};

static void release_view(struct ladle_chunk_view *hook)
{
    struct segment_view *v = (struct segment_view *)hook;
    ladle_file_map_close(&v->map);
    ladle_range_plan_read(v->plan); /* the last one closes the plan's fd */
    free(v);
}

/* Whether a record in [s, e) is over the limit. */
static bool has_too_long(const char *s, const char *e, size_t max)
{
    if ((size_t)(e - s) <= max)
        return false;
    while (s < e) {
        const char *nl = memchr(s, '\n', (size_t)(e - s));
        size_t len = nl ? (size_t)(nl - s) : (size_t)(e - s);
        if (len > max)
            return true;
        s += len + 1;
    }
    return false;
}

bool ladle_run_map_segment(struct ladle_engine *r, struct ladle_chunk *ck)
{
    struct ladle_range_plan *p = ck->plan;
    const size_t k = ck->segment;
    const bool last = k + 1 == p->n;
    const uint64_t d0 = p->dec[k], d1 = last ? p->size : p->dec[k + 1];
    uint64_t to = last || p->size - d1 < MAP_TAIL ? p->size : d1 + MAP_TAIL;
    struct segment_view *v = malloc(sizeof *v);
    if (!v || ladle_file_map_open(&v->map, p->fd, d0, (size_t)(to - d0), &p->watch) != 0) {
        free(v);
        return false;
    }
    const char *b = v->map.bytes, *e = b + (to - d0), *own = b + (d1 - d0);
    const char *s = NULL, *end = NULL;
    if (k == 0) {
        s = p->first <= d1 ? b + p->first : NULL;
    } else {
        s = memchr(b, '\n', (size_t)(e - b));
        s = s ? s + 1 : NULL;
    }
    if (last) {
        end = e > b && e[-1] == '\n' ? e : NULL; /* else the spare '\n' of the reader */
    } else {
        end = memchr(own, '\n', (size_t)(e - own));
        end = end ? end + 1 : NULL;
    }
    if (!s || !end || end <= s || has_too_long(s, end, p->cfg->engine.max_record) ||
        ladle_file_map_faulted(&v->map)) {
        ladle_file_map_close(&v->map); /* the reader finds out what is wrong */
        free(v);
        return false;
    }
    v->hook.release = release_view;
    v->plan = p;
    ck->view = &v->hook;
    ck->data = (char *)s;
    ck->len = (size_t)(end - s);
    ck->offset = d0 + (uint64_t)(s - b);
    ck->plan = NULL;
    atomic_fetch_add(&r->bytes_in, d1 - d0);
    return true;
}

static ladle_status shrank(const struct ladle_range_plan *p, struct ladle_error *err)
{
    return ladle_error_set(
        err, LADLE_E_INPUT, "%s: file shrank while being read (from %llu to %llu bytes)", p->name,
        (unsigned long long)p->size, (unsigned long long)atomic_load(&p->watch.size_found));
}

void ladle_run_check_shrink(struct ladle_range_plan *p, struct ladle_engine_item **it,
                            void (*free_item)(void *arg, struct ladle_engine_item *it), void *arg)
{
    if (!p->mapped || !atomic_load(&p->watch.shrank))
        return;
    struct ladle_error err;
    ladle_error_init(&err);
    shrank(p, &err);
    struct ladle_engine_item *f = ladle_run_failure(&err);
    if (!f)
        return; /* out of memory: the check at the run's end says it */
    free_item(arg, *it);
    *it = f;
}

void ladle_run_report_shrink(struct ladle_engine *r)
{
    for (uint32_t i = 0; r->plans && i < r->io->count; i++)
        if (r->plans[i].mapped && atomic_load(&r->plans[i].watch.shrank) &&
            ladle_error_status(r->err) == LADLE_OK)
            shrank(&r->plans[i], r->err);
}

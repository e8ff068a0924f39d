/*
 * stats.c -- the design behind `ladle stats --field F`: how the values of
 * a field are distributed, to pick strata, labels, clusters and weights.
 *
 * Each worker counts values exactly in a value map. Distinct values are
 * also fed to a HyperLogLog sketch, which merges exactly (register max).
 * A map that passes STATS_EXACT_MAX values is pruned to its STATS_KEEP
 * most frequent ones, and the largest count dropped is added to the
 * error bound (a lossy-counting scheme): from then on counts are lower
 * bounds, at most `error` short, the distinct count is the sketch's
 * estimate, and the report says so. Exact reports do not depend on
 * threads or chunking; approximate ones may differ within the stated error.
 *
 * finish() writes the field's part of the report; the CLI prints the
 * totals (records, bytes, speed) above it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "record/records.h"
#include "sample/hll.h"
#include "sample/sampler.h"
#include "sample/vmap.h"

#define STATS_EXACT_MAX ((size_t)1 << 20)
#define STATS_KEEP ((size_t)1 << 14)

struct stats_state {
    struct ladle_vmap counts; /* value -> uint64_t */
    struct ladle_hll hll;
    uint64_t with_field; /* records that had a value */
    uint64_t error;      /* counts may be short by up to this (0: exact) */
};

static ladle_status stats_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct stats_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_sampler_nomem(err);
    ladle_vmap_init(&st->counts, sizeof(uint64_t));
    s->state = st;
    return LADLE_OK;
}

struct entry {
    const char *v;
    size_t len;
    uint64_t n;
};

struct entries {
    struct entry *v;
    size_t count;
};

static void list_entry(void *arg, const char *v, size_t len, void *payload)
{
    struct entries *e = arg;
    e->v[e->count++] = (struct entry){v, len, *(uint64_t *)payload};
}

/* Most frequent first; ties by value bytes, so the order is deterministic. */
static int cmp_entry(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->v, b->v, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* The map's entries, sorted; NULL when out of memory. */
static struct entry *sorted_entries(const struct ladle_vmap *m)
{
    struct entries e = {malloc((m->count ? m->count : 1) * sizeof *e.v), 0};
    if (!e.v)
        return NULL;
    ladle_vmap_each(m, list_entry, &e);
    qsort(e.v, e.count, sizeof *e.v, cmp_entry);
    return e.v;
}

/* Keeps the STATS_KEEP most frequent values; the largest dropped count
 * becomes the error bound. */
static int prune(struct stats_state *st)
{
    struct entry *e = sorted_entries(&st->counts);
    if (!e)
        return -1;
    struct ladle_vmap kept;
    ladle_vmap_init(&kept, sizeof(uint64_t));
    size_t keep = st->counts.count < STATS_KEEP ? st->counts.count : STATS_KEEP;
    for (size_t i = 0; i < keep; i++) {
        uint64_t *n = ladle_vmap_put(&kept, e[i].v, e[i].len, NULL);
        if (!n) {
            free(e);
            ladle_vmap_free(&kept);
            return -1;
        }
        *n = e[i].n;
    }
    /* A value dropped now may come back and be dropped again: each prune
     * can cost it up to the largest count dropped, so the bounds add up. */
    if (keep < st->counts.count)
        st->error += e[keep].n;
    free(e);
    ladle_vmap_free(&st->counts);
    st->counts = kept;
    return 0;
}

static int count_value(struct stats_state *st, const char *v, size_t len, uint64_t by)
{
    uint64_t *n = ladle_vmap_put(&st->counts, v, len, NULL);
    if (!n)
        return -1;
    *n += by;
    if (st->counts.count > STATS_EXACT_MAX)
        return prune(st);
    return 0;
}

static ladle_status stats_take(struct ladle_sampler *s, const struct ladle_valued *r,
                               struct ladle_outbuf *out, struct ladle_error *err)
{
    (void)out;
    struct stats_state *st = s->state;
    st->with_field++;
    ladle_hll_add(&st->hll, ladle_vmap_hash(r->value, r->vlen));
    return count_value(st, r->value, r->vlen, 1) ? ladle_sampler_nomem(err) : LADLE_OK;
}

static ladle_status stats_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                struct ladle_outbuf *out, const char *name, struct ladle_error *err)
{
    if (!s->cfg->params.field) { /* no field: only the record count */
        struct ladle_record_iter it;
        struct ladle_record r;
        ladle_record_iter_init(&it, ck);
        while (ladle_record_next(&it, &r))
            s->records_seen++;
        return LADLE_OK;
    }
    return ladle_sampler_each_value(s, ck, out, name, err, stats_take);
}

struct merge_ctx {
    struct stats_state *into;
    int failed;
};

static void merge_entry(void *arg, const char *v, size_t len, void *payload)
{
    struct merge_ctx *m = arg;
    if (!m->failed && count_value(m->into, v, len, *(uint64_t *)payload) != 0)
        m->failed = 1;
}

static ladle_status stats_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                struct ladle_error *err)
{
    struct stats_state *a = into->state, *b = from->state;
    ladle_sampler_merge_counts(into, from);
    a->with_field += b->with_field;
    a->error += b->error; /* each side's counts may be short by its own bound */
    ladle_hll_merge(&a->hll, &b->hll);
    struct merge_ctx m = {a, 0};
    ladle_vmap_each(&b->counts, merge_entry, &m);
    return m.failed ? ladle_sampler_nomem(err) : LADLE_OK;
}

/* Appends v to line, non-printable bytes escaped, cut to max columns. */
static size_t printable(char *line, size_t cap, const char *v, size_t len, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 5 < cap; i++) {
        if (n >= max) {
            n += (size_t)snprintf(line + n, cap - n, "...");
            break;
        }
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f)
            n += (size_t)snprintf(line + n, cap - n, "\\x%02x", c);
        else
            line[n++] = (char)c;
    }
    line[n] = '\0';
    return n;
}

static ladle_status stats_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                 struct ladle_error *err)
{
    struct stats_state *st = s->state;
    const struct ladle_config *cfg = s->cfg;
    if (!cfg->params.field)
        return LADLE_OK;
    char line[512];
    uint64_t seen = s->records_seen;
    int n = snprintf(line, sizeof line, "field        %s\nmissing      %llu records (%.2f%%)\n",
                     ladle_field_spec(cfg->params.field), (unsigned long long)s->records_missing,
                     seen ? 100.0 * (double)s->records_missing / (double)seen : 0.0);
    ladle_status status = ladle_writer_write(w, line, (size_t)n);
    if (st->error == 0)
        n = snprintf(line, sizeof line, "distinct     %llu (exact)\n",
                     (unsigned long long)st->counts.count);
    else
        n = snprintf(line, sizeof line,
                     "distinct     ~%.0f (HyperLogLog estimate, standard error 0.8%%)\n",
                     ladle_hll_estimate(&st->hll));
    if (status == LADLE_OK)
        status = ladle_writer_write(w, line, (size_t)n);
    struct entry *e = sorted_entries(&st->counts);
    if (!e)
        return ladle_sampler_nomem(err);
    size_t top = cfg->params.top < st->counts.count ? (size_t)cfg->params.top : st->counts.count;
    n = st->error ? snprintf(line, sizeof line,
                             "top %zu (approximate: each count may be up to %llu short)\n", top,
                             (unsigned long long)st->error)
                  : snprintf(line, sizeof line, "top %zu\n", top);
    if (status == LADLE_OK && top)
        status = ladle_writer_write(w, line, (size_t)n);
    size_t width = 0;
    for (size_t i = 0; i < top; i++)
        width = (e[i].len ? e[i].len : 7) > width ? (e[i].len ? e[i].len : 7)
                                                  : width; /* 7: "(empty)" */
    width = width > 40 ? 40 : width < 5 ? 5 : width;
    for (size_t i = 0; i < top && status == LADLE_OK; i++) {
        char value[256];
        printable(value, sizeof value, e[i].len ? e[i].v : "(empty)", e[i].len ? e[i].len : 7, 40);
        double share = st->with_field ? (double)e[i].n / (double)st->with_field : 0.0;
        n = snprintf(line, sizeof line, "  %-*s  %12llu  %6.2f%%", (int)width, value,
                     (unsigned long long)e[i].n, 100.0 * share);
        int bar = cfg->params.bars ? (int)(share * 40.0 + 0.5) : 0;
        if (bar > 0) {
            n += snprintf(line + n, sizeof line - (size_t)n, "  ");
            for (int b = 0; b < bar && (size_t)n + 2 < sizeof line; b++)
                line[n++] = '#';
            line[n] = '\0';
        }
        line[n++] = '\n';
        status = ladle_writer_write(w, line, (size_t)n);
    }
    free(e);
    return status;
}

static void stats_destroy(struct ladle_sampler *s)
{
    struct stats_state *st = s->state;
    if (!st)
        return;
    ladle_vmap_free(&st->counts);
    free(st);
}

const struct ladle_sampler_ops ladle_sampler_stats = {
    .name = "stats",
    .streaming = 0,
    .report = 1,
    .create = stats_create,
    .offer = stats_offer,
    .merge = stats_merge,
    .finish = stats_finish,
    .destroy = stats_destroy,
};

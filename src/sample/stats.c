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
 * Several fields are counted in the same pass, each with its own state.
 * A value that parses as a number (an optional sign, then a decimal as
 * --weight reads it) also goes to the field's numeric summary; the others
 * are counted as not numbers. Workers parse the numbers and the calling
 * thread adds them to the summary in input order, so its figures (the
 * sketch's quantiles included) are the same for any threads or chunking.
 *
 * finish() writes the fields' part of the report (stats_report.c); the
 * CLI prints the totals (records, bytes, speed) around it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "record/records.h"
#include "sample/sampler.h"
#include "sample/stats_field.h"

#define STATS_EXACT_MAX ((size_t)1 << 20)
#define STATS_KEEP ((size_t)1 << 14)

struct stats_state {
    uint64_t carried; /* --state: records of earlier runs (the report counts them) */
    unsigned count;
    struct ladle_stats_field f[]; /* count of them: 16 KiB of HLL each, per thread */
};

static ladle_status stats_create(struct ladle_sampler *s, struct ladle_error *err)
{
    const struct ladle_design_params *p = &s->cfg->params;
    unsigned count = p->field ? 1 + p->nmore_fields : 0;
    struct stats_state *st = calloc(1, sizeof *st + count * sizeof st->f[0]);
    if (!st)
        return ladle_sampler_nomem(err);
    st->count = count;
    for (unsigned k = 0; k < st->count; k++) {
        struct ladle_stats_field *f = &st->f[k];
        f->field = k ? p->more_fields[k - 1] : p->field;
        f->slot = k ? LADLE_BINDING_MORE_FIELDS + k - 1 : 0;
        ladle_vmap_init(&f->counts, sizeof(uint64_t));
        ladle_kll_init(&f->num.kll, p->seed + k);
        if (s->cfg->state->carrying) {
            if (!(f->num.exact = malloc(sizeof *f->num.exact))) {
                s->state = st;
                return ladle_sampler_nomem(err);
            }
            ladle_stats_exact_init(f->num.exact);
        }
    }
    s->state = st;
    return LADLE_OK;
}

struct entries {
    struct ladle_stats_entry *v;
    size_t count;
};

static void list_entry(void *arg, const char *v, size_t len, void *payload)
{
    struct entries *e = arg;
    e->v[e->count++] = (struct ladle_stats_entry){v, len, *(uint64_t *)payload};
}

/* Most frequent first; ties by value bytes, so the order is deterministic. */
static int cmp_entry(const void *x, const void *y)
{
    const struct ladle_stats_entry *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->v, b->v, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* The map's entries, sorted; NULL when out of memory. */
static struct ladle_stats_entry *sorted_entries(const struct ladle_vmap *m)
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
static int prune(struct ladle_stats_field *st)
{
    struct ladle_stats_entry *e = sorted_entries(&st->counts);
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

static int count_value(struct ladle_stats_field *st, const char *v, size_t len, uint64_t by)
{
    uint64_t *n = ladle_vmap_put(&st->counts, v, len, NULL);
    if (!n)
        return -1;
    *n += by;
    if (st->counts.count > STATS_EXACT_MAX)
        return prune(st);
    return 0;
}

/* A number as stats reads one: an optional sign, then a weight's grammar. */
static int parse_number(const char *v, size_t len, double *out)
{
    int neg = len > 1 && v[0] == '-';
    size_t skip = len > 1 && (v[0] == '-' || v[0] == '+');
    if (ladle_field_parse_weight(v + skip, len - skip, out) != 0)
        return -1;
    *out = neg ? -*out : *out;
    return 0;
}

/* Neumaier's compensated sum: adds x to *sum, the lost low bits to *comp. */
static void sum_add(double *sum, double *comp, double x)
{
    double t = *sum + x;
    *comp += fabs(*sum) >= fabs(x) ? (*sum - t) + x : (x - t) + *sum;
    *sum = t;
}

double ladle_stats_mean(const struct ladle_stats_num *num)
{
    return num->count ? (num->sum + num->comp) / (double)num->count : 0.0;
}

/* A number of field k, as a worker hands it to the calling thread. */
struct stats_number {
    double x;
    uint64_t field;
};

/* Workers only parse: the summary (Welford, the sum, the sketch) depends on
 * the order of its values, so the calling thread adds them in input order
 * (stats_absorb) and the figures are the same for any threads or chunking. */
static int pass_number(struct ladle_stats_num *num, unsigned k, const char *v, size_t len,
                       struct ladle_outbuf *out)
{
    struct stats_number n = {0.0, k};
    if (parse_number(v, len, &n.x) != 0) {
        num->non_numeric++;
        return 0;
    }
    return ladle_outbuf_append(out, (const char *)&n, sizeof n);
}

static int add_number(struct ladle_stats_num *num, double x)
{
    num->min = num->count == 0 || x < num->min ? x : num->min;
    num->max = num->count == 0 || x > num->max ? x : num->max;
    num->count++;
    if (num->exact)
        return ladle_stats_exact_add(num->exact, x);
    double d = x - num->mean; /* Welford */
    num->mean += d / (double)num->count;
    num->m2 += d * (x - num->mean);
    sum_add(&num->sum, &num->comp, x);
    return ladle_kll_add(&num->kll, x);
}

static int take(struct ladle_stats_field *f, unsigned k, const char *v, size_t len,
                struct ladle_outbuf *out)
{
    f->with_field++;
    ladle_hll_add(&f->hll, ladle_vmap_hash(v, len));
    return count_value(f, v, len, 1) || pass_number(&f->num, k, v, len, out) ? -1 : 0;
}

static ladle_status stats_absorb(struct ladle_sampler *s, const struct ladle_outbuf *out,
                                 struct ladle_error *err)
{
    struct stats_state *st = s->state;
    struct stats_number n;
    for (size_t at = 0; at + sizeof n <= out->len; at += sizeof n) {
        memcpy(&n, out->data + at, sizeof n);
        if (n.field < st->count && add_number(&st->f[n.field].num, n.x) != 0)
            return ladle_sampler_nomem(err);
    }
    return LADLE_OK;
}

static ladle_status stats_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                struct ladle_outbuf *out, const char *name, struct ladle_error *err)
{
    struct stats_state *st = s->state;
    struct ladle_record_iter it;
    struct ladle_record r;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &r)) {
        s->records_seen++;
        for (unsigned k = 0; k < st->count; k++) {
            struct ladle_stats_field *f = &st->f[k];
            const char *v;
            size_t vlen;
            int got = ladle_field_under_policy(s->cfg, f->field, ck->binding + f->slot, s->scratch,
                                               r.data, r.len, r.offset, name, &v, &vlen, err);
            if (got < 0)
                return ladle_error_status(err);
            if (got == 0) {
                f->missing++;
                s->records_missing += k == 0; /* the design's field, as other designs count */
            } else if (take(f, k, v, vlen, out) != 0)
                return ladle_sampler_nomem(err);
        }
    }
    return LADLE_OK;
}

struct merge_ctx {
    struct ladle_stats_field *into;
    int failed;
};

static void merge_entry(void *arg, const char *v, size_t len, void *payload)
{
    struct merge_ctx *m = arg;
    if (!m->failed && count_value(m->into, v, len, *(uint64_t *)payload) != 0)
        m->failed = 1;
}

/* Chan, Golub, LeVeque: two partial means and M2s into one. Into an empty
 * one (the run's case: workers hand their numbers to one state), b moves
 * over as it is, bit for bit. */
static int merge_num(struct ladle_stats_num *a, struct ladle_stats_num *b)
{
    a->non_numeric += b->non_numeric;
    b->non_numeric = 0;
    if (!a->count && b->count) {
        uint64_t non_numeric = a->non_numeric;
        struct ladle_stats_num t = *a;
        *a = *b;
        *b = t;
        a->non_numeric = non_numeric;
        return 0;
    }
    if (b->count && a->exact) {
        a->min = b->min < a->min ? b->min : a->min;
        a->max = b->max > a->max ? b->max : a->max;
        a->count += b->count;
        return ladle_stats_exact_merge(a->exact, b->exact);
    }
    if (b->count) {
        double na = (double)a->count, nb = (double)b->count, n = na + nb, d = b->mean - a->mean;
        a->min = a->count == 0 || b->min < a->min ? b->min : a->min;
        a->max = a->count == 0 || b->max > a->max ? b->max : a->max;
        a->mean += d * nb / n;
        a->m2 += b->m2 + d * d * na * nb / n;
        a->count += b->count;
        sum_add(&a->sum, &a->comp, b->sum);
        sum_add(&a->sum, &a->comp, b->comp);
    }
    return ladle_kll_merge(&a->kll, &b->kll);
}

static ladle_status stats_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                struct ladle_error *err)
{
    struct stats_state *sa = into->state, *sb = from->state;
    ladle_sampler_merge_counts(into, from);
    sa->carried += sb->carried;
    sb->carried = 0;
    for (unsigned k = 0; k < sa->count; k++) {
        struct ladle_stats_field *a = &sa->f[k], *b = &sb->f[k];
        a->with_field += b->with_field;
        a->missing += b->missing;
        a->error += b->error; /* each side's counts may be short by its own bound */
        ladle_hll_merge(&a->hll, &b->hll);
        struct merge_ctx m = {a, 0};
        ladle_vmap_each(&b->counts, merge_entry, &m);
        if (m.failed || merge_num(&a->num, &b->num) != 0)
            return ladle_sampler_nomem(err);
    }
    return LADLE_OK;
}

static ladle_status stats_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                 struct ladle_error *err)
{
    struct stats_state *st = s->state;
    ladle_status status = LADLE_OK;
    for (unsigned k = 0; k < st->count && status == LADLE_OK; k++) {
        struct ladle_stats_field *f = &st->f[k];
        struct ladle_stats_entry *e = sorted_entries(&f->counts);
        if (!e)
            return ladle_sampler_nomem(err);
        uint64_t top = s->cfg->params.top;
        status = ladle_stats_report(s->cfg, f, s->records_seen + st->carried, e,
                                    top < f->counts.count ? (size_t)top : f->counts.count, k == 0,
                                    w, err);
        free(e);
    }
    return status;
}

static void stats_destroy(struct ladle_sampler *s)
{
    struct stats_state *st = s->state;
    if (!st)
        return;
    for (unsigned k = 0; k < st->count; k++) {
        ladle_vmap_free(&st->f[k].counts);
        ladle_kll_free(&st->f[k].num.kll);
        if (st->f[k].num.exact)
            ladle_stats_exact_free(st->f[k].num.exact);
        free(st->f[k].num.exact);
    }
    free(st);
}

/* --state: the counts so far, records_seen included (the run's and the
 * carried ones: carry_over serializes after merging). */
static ladle_status stats_serialize(const struct ladle_sampler *s, struct ladle_outbuf *out,
                                    struct ladle_error *err)
{
    const struct stats_state *st = s->state;
    return ladle_stats_state_write(st->f, st->count, s->records_seen, out, err);
}

static ladle_status stats_deserialize(struct ladle_sampler *s, const void *data, size_t len,
                                      struct ladle_error *err)
{
    struct stats_state *st = s->state;
    uint64_t seen = 0;
    ladle_status r = ladle_stats_state_read(st->f, st->count, data, len, &seen, err);
    if (r == LADLE_OK) {
        s->records_seen += seen;
        st->carried += seen;
    }
    return r;
}

const struct ladle_sampler_ops ladle_sampler_stats = {
    .name = "stats",
    .streaming = 0,
    .report = 1,
    .create = stats_create,
    .offer = stats_offer,
    .absorb = stats_absorb,
    .merge = stats_merge,
    .finish = stats_finish,
    .serialize = stats_serialize,
    .deserialize = stats_deserialize,
    .destroy = stats_destroy,
};

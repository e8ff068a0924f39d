/*
 * merge_run.c -- `ladle merge`: states drawn apart joined into one.
 *
 * One pass over the files, one at a time, so that memory is one state's
 * plus the join, not every state's: each is read, checked against the
 * first, its small parts kept (sources, segments, the first header) and
 * its sample joined, then freed. Nothing is printed or written before
 * every state has passed, and no source is in two of them.
 * The sources are concatenated in argument order, so a record of the k-th
 * state moves to position base_k + p, base_k the number of sources before
 * it (each design's deserialize adds ladle_sampler.input_base). Samples
 * join with the design's own merge, the one that joins the threads'
 * partial states, so the kept records do not depend on the argument
 * order; only their positions do.
 */
#include "job/merge_run.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "job/designs.h"
#include "job/state_run.h"
#include "out/outbuf.h"
#include "sample/sampler.h"
#include "state/state.h"

struct merge {
    struct ladle_state first;             /* the first state, whole: the parameters */
    size_t n;                             /* states scanned */
    size_t *nsources;                     /* owns: each state's source count */
    struct ladle_state_source *sources;   /* owns, and each source's stem and path */
    struct ladle_state_segment *segments; /* owns */
    size_t ns, ng;
    char *header; /* owns: the first state's header that is not empty */
    struct ladle_outbuf payload;
    struct ladle_state out;
};

static void merge_free(struct merge *m)
{
    ladle_state_free(&m->first);
    for (size_t i = 0; i < m->ns; i++) {
        free((char *)m->sources[i].stem);
        free((char *)m->sources[i].path);
    }
    free(m->nsources);
    free(m->sources);
    free(m->segments);
    free(m->header);
    ladle_outbuf_free(&m->payload);
}

static ladle_status read_state(const char *path, struct ladle_state *st, struct ladle_error *err)
{
    int exists;
    ladle_status s = ladle_state_read_file(path, st, &exists, err);
    if (s == LADLE_OK && !exists)
        return ladle_error_set(err, LADLE_E_INPUT, "%s: state: no such file", path);
    return s;
}

/* Keeps what the join needs of state k: sources, segments, a header. */
static ladle_status keep(struct merge *m, size_t k, const struct ladle_state *s,
                         struct ladle_error *err)
{
    if (s->nsources > UINT32_MAX - m->ns)
        return ladle_error_set(err, LADLE_E_USAGE, "merge: more than %u sources in all",
                               (unsigned)UINT32_MAX);
    struct ladle_state_source *v = realloc(m->sources, (m->ns + s->nsources + 1) * sizeof *v);
    if (v)
        m->sources = v;
    struct ladle_state_segment *g = realloc(m->segments, (m->ng + s->nsegments + 1) * sizeof *g);
    if (g)
        m->segments = g;
    if (!v || !g)
        return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    for (size_t i = 0; i < s->nsegments; i++) {
        m->segments[m->ng] = s->segments[i];
        m->segments[m->ng++].source += (uint32_t)m->ns;
    }
    for (size_t i = 0; i < s->nsources; i++) {
        v[m->ns] = s->sources[i];
        v[m->ns].stem = strdup(s->sources[i].stem);
        v[m->ns].path = strdup(s->sources[i].path);
        m->ns++; /* counted first: merge_free frees what was copied */
        if (!v[m->ns - 1].stem || !v[m->ns - 1].path)
            return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    }
    if (!m->header && s->header_len) { /* one run's output starts with the first header */
        if (!(m->header = malloc(s->header_len)))
            return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
        memcpy(m->header, s->header, s->header_len);
        m->out.header = m->header;
        m->out.header_len = s->header_len;
    }
    m->nsources[k] = s->nsources;
    return LADLE_OK;
}

struct source_ref {
    uint64_t id;
    size_t state, source;
};

static int by_id(const void *a, const void *b)
{
    const struct source_ref *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->state < y->state ? -1 : x->state > y->state;
}

/* A source two states both consumed would count its records twice. */
static ladle_status refuse_shared(const struct merge *m, const char *const *paths,
                                  struct ladle_error *err)
{
    struct source_ref *v = malloc((m->ns ? m->ns : 1) * sizeof *v);
    if (!v)
        return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    size_t at = 0;
    for (size_t k = 0; k < m->n; k++)
        for (size_t i = 0; i < m->nsources[k]; i++, at++)
            v[at] = (struct source_ref){m->sources[at].id, k, at};
    qsort(v, m->ns, sizeof *v, by_id);
    ladle_status st = LADLE_OK;
    for (size_t i = 1; i < m->ns && st == LADLE_OK; i++) {
        if (v[i].id != v[i - 1].id || v[i].state == v[i - 1].state)
            continue;
        const struct ladle_state_source *s = &m->sources[v[i].source];
        st = ladle_error_set(err, LADLE_E_USAGE,
                             "merge: %s and %s both consumed source %s (last seen as %s, id "
                             "%016llx): merge states of disjoint sources",
                             paths[v[i - 1].state], paths[v[i].state], s->stem, s->path,
                             (unsigned long long)s->id);
    }
    free(v);
    return st;
}

/* One state's sample into the join, its positions moved by base. */
static ladle_status join_one(struct ladle_sampler *acc, const struct ladle_sampler_ops *ops,
                             const struct ladle_config *cfg, const struct ladle_state *s,
                             uint32_t base, const char *path, struct ladle_error *err)
{
    struct ladle_sampler part;
    struct ladle_error e;
    ladle_error_init(&e);
    ladle_status st = ladle_sampler_init(&part, ops, cfg, err);
    if (st != LADLE_OK)
        return st;
    /* Into the join itself where the design can: no copy of what it drops. */
    struct ladle_sampler *into = ops->deserialize_joins ? acc : &part;
    into->input_base = base;
    if (s->payload_len)
        st = ops->deserialize(into, s->payload, s->payload_len, &e);
    if (st == LADLE_E_INPUT)
        st = ladle_error_set(err, st, "%s: %s (the sample it holds)", path, e.msg);
    else if (st != LADLE_OK)
        st = ladle_error_set(err, st, "%s", e.msg);
    if (st == LADLE_OK && into == &part)
        st = ops->merge(acc, &part, err);
    ladle_sampler_destroy(&part);
    return st;
}

/* Each state read once: checked, its sources kept, its sample joined
 * (nothing is printed or written before every state has passed). */
static ladle_status join_all(struct merge *m, struct ladle_sampler *acc,
                             const struct ladle_config *cfg, const char *field_spec,
                             const struct ladle_sampler_ops *ops, const char *const *paths,
                             size_t n, struct ladle_error *err)
{
    if (!(m->nsources = calloc(n, sizeof *m->nsources)))
        return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    ladle_status st = read_state(paths[0], &m->first, err);
    struct ladle_error e;
    ladle_error_init(&e);
    if (st == LADLE_OK && ladle_job_state_check(cfg, field_spec, &m->first, &e) != LADLE_OK)
        st = ladle_error_set(err, ladle_error_status(&e), "%s: %s", paths[0], e.msg);
    if (st == LADLE_OK)
        st = keep(m, 0, &m->first, err);
    if (st == LADLE_OK)
        st = join_one(acc, ops, cfg, &m->first, 0, paths[0], err);
    for (m->n = 1; m->n < n && st == LADLE_OK; m->n++) {
        struct ladle_state s;
        uint32_t base = (uint32_t)m->ns; /* keep() refuses more than UINT32_MAX in all */
        st = read_state(paths[m->n], &s, err);
        if (st == LADLE_OK)
            st = ladle_state_check_pair(&m->first, paths[0], &s, paths[m->n], err);
        if (st == LADLE_OK)
            st = keep(m, m->n, &s, err);
        if (st == LADLE_OK)
            st = join_one(acc, ops, cfg, &s, base, paths[m->n], err);
        ladle_state_free(&s);
    }
    if (st == LADLE_OK)
        st = refuse_shared(m, paths, err);
    if (st == LADLE_OK)
        st = ops->serialize(acc, &m->payload, err);
    m->out.contract = m->first.contract;
    memcpy(m->out.design, m->first.design, 4);
    m->out.seed = m->first.seed;
    m->out.params = m->first.params;
    m->out.nparams = m->first.nparams;
    m->out.sources = m->sources;
    m->out.nsources = m->ns;
    m->out.segments = m->segments;
    m->out.nsegments = m->ng;
    m->out.payload = (const unsigned char *)m->payload.data;
    m->out.payload_len = m->payload.len;
    return st;
}

ladle_status ladle_job_merge_run(struct ladle_config *cfg, const char *field_spec,
                                 const struct ladle_pipeline_io *io,
                                 const struct ladle_probe *probe, const char *const *paths,
                                 size_t n, const char *out_path, struct ladle_error *err,
                                 ladle_report *report, int *output_closed)
{
    if (report)
        memset(report, 0, sizeof *report);
    /* The pass a --state run keeps (designs.c): --clusters' carry, stratified
     * -n's counts, stats' exact sums; carry_run clears it when it prints. */
    cfg->state->carrying = 1;
    const struct ladle_sampler_ops *ops = ladle_design_pass(cfg, 0);
    cfg->state->carrying = 0;
    if (ops->merge_refusal)
        return ladle_error_set(err, LADLE_E_USAGE, "merge: %s", ops->merge_refusal);
    if (!ops->deserialize || !ops->serialize || !ops->merge)
        return ladle_error_set(err, LADLE_E_USAGE, "merge: the %s design keeps no state to merge",
                               ops->name);
    if (n == 0)
        return ladle_error_set(err, LADLE_E_USAGE, "merge: no state file given");
    struct merge m;
    memset(&m, 0, sizeof m);
    int lock = -1; /* OUT, held from before it is read (it may be a STATE) to its rename */
    ladle_status st = out_path ? ladle_state_lock(out_path, &lock, err) : LADLE_OK;
    struct ladle_sampler acc;
    cfg->state->carrying = 1;
    if (st == LADLE_OK && (st = ladle_sampler_init(&acc, ops, cfg, err)) == LADLE_OK) {
        st = join_all(&m, &acc, cfg, field_spec, ops, paths, n, err);
        ladle_sampler_destroy(&acc);
    }
    cfg->state->carrying = 0;
    if (st == LADLE_OK && out_path)
        st = ladle_state_write_file(out_path, &m.out, err);
    else if (st == LADLE_OK)
        st = ladle_job_state_print(cfg, field_spec, io, probe, &m.out, err, report, output_closed);
    ladle_state_unlock(lock);
    merge_free(&m);
    return st;
}

/*
 * merge_run.c -- `ladle merge`: states drawn apart joined into one.
 *
 * Every state is read whole first (a damaged or mismatched one is refused
 * before anything is printed or written). The sources are concatenated in
 * argument order, so a record of the k-th state moves to position
 * base_k + p, base_k the number of sources before it (each design's
 * deserialize adds ladle_sampler.input_base). The samples join with the
 * design's own merge, the one that joins the threads' partial states, so
 * the kept records do not depend on the argument order, only their
 * positions do. Memory: the states' bytes plus one design state.
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
    struct ladle_state *in; /* the states read, in argument order */
    size_t n;
    struct ladle_state out;
    struct ladle_state_source *sources;   /* owns the array (strings: in[]'s) */
    struct ladle_state_segment *segments; /* owns */
    struct ladle_outbuf payload;
};

static void merge_free(struct merge *m)
{
    for (size_t k = 0; k < m->n; k++)
        ladle_state_free(&m->in[k]);
    free(m->in);
    free(m->sources);
    free(m->segments);
    ladle_outbuf_free(&m->payload);
}

static ladle_status load(struct merge *m, const char *const *paths, size_t n,
                         struct ladle_error *err)
{
    if (!(m->in = calloc(n ? n : 1, sizeof *m->in)))
        return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    for (; m->n < n; m->n++) {
        int exists;
        ladle_status st = ladle_state_read_file(paths[m->n], &m->in[m->n], &exists, err);
        if (st != LADLE_OK)
            return st;
        if (!exists)
            return ladle_error_set(err, LADLE_E_INPUT, "%s: state: no such file", paths[m->n]);
    }
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
    size_t total = 0;
    for (size_t k = 0; k < m->n; k++)
        total += m->in[k].nsources;
    struct source_ref *v = malloc((total ? total : 1) * sizeof *v);
    if (!v)
        return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    size_t at = 0;
    for (size_t k = 0; k < m->n; k++)
        for (size_t i = 0; i < m->in[k].nsources; i++)
            v[at++] = (struct source_ref){m->in[k].sources[i].id, k, i};
    qsort(v, total, sizeof *v, by_id);
    ladle_status st = LADLE_OK;
    for (size_t i = 1; i < total && st == LADLE_OK; i++) {
        if (v[i].id != v[i - 1].id || v[i].state == v[i - 1].state)
            continue;
        const struct ladle_state_source *s = &m->in[v[i].state].sources[v[i].source];
        st = ladle_error_set(err, LADLE_E_USAGE,
                             "merge: %s and %s both consumed source %s (last seen as %s, id "
                             "%016llx): merge states of disjoint sources",
                             paths[v[i - 1].state], paths[v[i].state], s->stem, s->path,
                             (unsigned long long)s->id);
    }
    free(v);
    return st;
}

/* The sources and segments of all states, in argument order. */
static ladle_status join_sources(struct merge *m, struct ladle_error *err)
{
    size_t ns = 0, ng = 0;
    for (size_t k = 0; k < m->n; k++) {
        ns += m->in[k].nsources;
        ng += m->in[k].nsegments;
    }
    if (ns > UINT32_MAX)
        return ladle_error_set(err, LADLE_E_USAGE, "merge: more than %u sources in all",
                               (unsigned)UINT32_MAX);
    m->sources = malloc((ns ? ns : 1) * sizeof *m->sources);
    m->segments = malloc((ng ? ng : 1) * sizeof *m->segments);
    if (!m->sources || !m->segments)
        return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    size_t base = 0, g = 0;
    for (size_t k = 0; k < m->n; k++) {
        const struct ladle_state *s = &m->in[k];
        memcpy(m->sources + base, s->sources, s->nsources * sizeof *s->sources);
        for (size_t i = 0; i < s->nsegments; i++, g++) {
            m->segments[g] = s->segments[i];
            m->segments[g].source += (uint32_t)base;
        }
        if (!m->out.header_len) { /* one run's output starts with the first header */
            m->out.header = s->header;
            m->out.header_len = s->header_len;
        }
        base += s->nsources;
    }
    m->out.sources = m->sources;
    m->out.nsources = ns;
    m->out.segments = m->segments;
    m->out.nsegments = ng;
    return LADLE_OK;
}

/* Joins the samples into one design state and serializes it. */
static ladle_status join_payloads(struct merge *m, const struct ladle_config *cfg,
                                  const struct ladle_sampler_ops *ops, const char *const *paths,
                                  struct ladle_error *err)
{
    struct ladle_sampler acc, part;
    ladle_status st = ladle_sampler_init(&acc, ops, cfg, err);
    if (st != LADLE_OK)
        return st;
    uint32_t base = 0;
    for (size_t k = 0; k < m->n && st == LADLE_OK; k++) {
        const struct ladle_state *s = &m->in[k];
        struct ladle_error e;
        ladle_error_init(&e);
        if ((st = ladle_sampler_init(&part, ops, cfg, err)) != LADLE_OK)
            break;
        part.input_base = base;
        if (s->payload_len)
            st = ops->deserialize(&part, s->payload, s->payload_len, &e);
        if (st == LADLE_E_INPUT)
            st = ladle_error_set(err, st, "%s: %s (the sample it holds)", paths[k], e.msg);
        else if (st != LADLE_OK)
            st = ladle_error_set(err, st, "%s", e.msg);
        if (st == LADLE_OK)
            st = ops->merge(&acc, &part, err);
        ladle_sampler_destroy(&part);
        base += (uint32_t)s->nsources; /* join_sources checked the sum */
    }
    if (st == LADLE_OK)
        st = ops->serialize(&acc, &m->payload, err);
    ladle_sampler_destroy(&acc);
    m->out.payload = (const unsigned char *)m->payload.data;
    m->out.payload_len = m->payload.len;
    return st;
}

static ladle_status check_all(const struct merge *m, const struct ladle_config *cfg,
                              const char *field_spec, const char *const *paths,
                              struct ladle_error *err)
{
    for (size_t k = 1; k < m->n; k++) {
        ladle_status st = ladle_state_check_pair(&m->in[0], paths[0], &m->in[k], paths[k], err);
        if (st != LADLE_OK)
            return st;
    }
    struct ladle_error e;
    ladle_error_init(&e);
    ladle_status st = ladle_job_state_check(cfg, field_spec, &m->in[0], &e);
    if (st != LADLE_OK)
        return ladle_error_set(err, st, "%s: %s", paths[0], e.msg);
    return refuse_shared(m, paths, err);
}

ladle_status ladle_job_merge_run(struct ladle_config *cfg, const char *field_spec,
                                 const struct ladle_pipeline_io *io, const char *const *paths,
                                 size_t n, const char *out_path, struct ladle_error *err,
                                 ladle_report *report, int *output_closed)
{
    if (report)
        memset(report, 0, sizeof *report);
    const struct ladle_sampler_ops *ops = ladle_design_pass(cfg, 0);
    if (ops->merge_refusal)
        return ladle_error_set(err, LADLE_E_USAGE, "merge: %s", ops->merge_refusal);
    if (!ops->deserialize || !ops->serialize || !ops->merge)
        return ladle_error_set(err, LADLE_E_USAGE, "merge: the %s design keeps no state to merge",
                               ops->name);
    if (n == 0)
        return ladle_error_set(err, LADLE_E_USAGE, "merge: no state file given");
    struct merge m;
    memset(&m, 0, sizeof m);
    ladle_status st = load(&m, paths, n, err);
    if (st == LADLE_OK)
        st = check_all(&m, cfg, field_spec, paths, err);
    if (st == LADLE_OK) {
        m.out.contract = m.in[0].contract;
        memcpy(m.out.design, m.in[0].design, 4);
        m.out.seed = m.in[0].seed;
        m.out.params = m.in[0].params;
        m.out.nparams = m.in[0].nparams;
        st = join_sources(&m, err);
    }
    if (st == LADLE_OK)
        st = join_payloads(&m, cfg, ops, paths, err);
    int lock = -1;
    if (st == LADLE_OK && out_path) {
        st = ladle_state_lock(out_path, &lock, err);
        if (st == LADLE_OK)
            st = ladle_state_write_file(out_path, &m.out, err);
        ladle_state_unlock(lock);
    } else if (st == LADLE_OK) {
        st = ladle_job_state_print(cfg, field_spec, io, &m.out, err, report, output_closed);
    }
    merge_free(&m);
    return st;
}

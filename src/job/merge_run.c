/*
 * merge_run.c -- `ladle merge`: states drawn apart joined into one.
 *
 * Two passes over the files, one at a time, so that memory is one state's
 * plus the join, not every state's: the first reads and checks each
 * against the first state and keeps its small parts (sources, segments,
 * the first header); then every source gets its place (merge_order.c:
 * argument order, but a --part job's sources in the job's order, its cut
 * sources whole again); the second reads each again and joins its sample,
 * each record's input placed by the map (ladle_sampler.input_remap).
 * Nothing is printed or written before every state has passed. Samples
 * join with the design's own merge, the one that joins the threads'
 * partial states, so the kept records do not depend on the argument
 * order; only their positions do.
 */
#include "job/merge_run.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "job/designs.h"
#include "job/merge_order.h"
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
    size_t *owner;                     /* owns: each source's state */
    uint64_t *jobs;                    /* owns: each state's --part job (0: none) */
    struct ladle_state_source *placed; /* owns the array: the sources in their places */
    size_t nplaced;
    uint32_t *map; /* owns: each source's place */
    char *header;  /* owns: the first state's header that is not empty */
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
    free(m->owner);
    free(m->jobs);
    free(m->placed);
    free(m->map);
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
    size_t *o = realloc(m->owner, (m->ns + s->nsources + 1) * sizeof *o);
    if (o)
        m->owner = o;
    struct ladle_state_segment *g = realloc(m->segments, (m->ng + s->nsegments + 1) * sizeof *g);
    if (g)
        m->segments = g;
    if (!v || !g || !o)
        return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    for (size_t i = 0; i < s->nsegments; i++) {
        m->segments[m->ng] = s->segments[i];
        m->segments[m->ng++].source += (uint32_t)m->ns; /* placed by the map later */
    }
    for (size_t i = 0; i < s->nsources; i++) {
        v[m->ns] = s->sources[i];
        v[m->ns].stem = strdup(s->sources[i].stem);
        v[m->ns].path = strdup(s->sources[i].path);
        o[m->ns] = k;
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
    m->jobs[k] = s->job;
    return LADLE_OK;
}

/* One state's sample into the join, its positions placed by remap. */
static ladle_status join_one(struct ladle_sampler *acc, const struct ladle_sampler_ops *ops,
                             const struct ladle_config *cfg, const struct ladle_state *s,
                             struct ladle_input_remap remap, const char *path,
                             struct ladle_error *err)
{
    struct ladle_sampler part;
    struct ladle_error e;
    ladle_error_init(&e);
    ladle_status st = ladle_sampler_init(&part, ops, cfg, err);
    if (st != LADLE_OK)
        return st;
    /* Into the join itself where the design can: no copy of what it drops. */
    struct ladle_sampler *into = ops->deserialize_joins ? acc : &part;
    into->input_remap = remap;
    if (s->payload_len)
        st = ops->deserialize(into, s->payload, s->payload_len, &e);
    into->input_remap = (struct ladle_input_remap){0, 0, NULL};
    if (st == LADLE_E_INPUT)
        st = ladle_error_set(err, st, "%s: %s (the sample it holds)", path, e.msg);
    else if (st != LADLE_OK)
        st = ladle_error_set(err, st, "%s", e.msg);
    if (st == LADLE_OK && into == &part)
        st = ops->merge(acc, &part, err);
    ladle_sampler_destroy(&part);
    return st;
}

/* Pass 1: each state read, checked, its sources and header kept. */
static ladle_status scan_all(struct merge *m, const struct ladle_config *cfg,
                             const char *field_spec, const char *const *paths, size_t n,
                             struct ladle_error *err)
{
    if (!(m->nsources = calloc(n, sizeof *m->nsources)) || !(m->jobs = calloc(n, sizeof *m->jobs)))
        return ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    ladle_status st = read_state(paths[0], &m->first, err);
    struct ladle_error e;
    ladle_error_init(&e);
    if (st == LADLE_OK && ladle_job_state_check(cfg, field_spec, &m->first, &e) != LADLE_OK)
        st = ladle_error_set(err, ladle_error_status(&e), "%s: %s", paths[0], e.msg);
    if (st == LADLE_OK)
        st = keep(m, 0, &m->first, err);
    for (m->n = 1; m->n < n && st == LADLE_OK; m->n++) {
        struct ladle_state s;
        st = read_state(paths[m->n], &s, err);
        if (st == LADLE_OK)
            st = ladle_state_check_pair(&m->first, paths[0], &s, paths[m->n], err);
        if (st == LADLE_OK)
            st = keep(m, m->n, &s, err);
        ladle_state_free(&s);
    }
    return st;
}

/* Pass 2, once the sources have their places: each state's sample joined
 * (nothing is printed or written before every state has passed). */
static ladle_status join_all(struct merge *m, struct ladle_sampler *acc,
                             const struct ladle_config *cfg, const char *field_spec,
                             const struct ladle_sampler_ops *ops, const char *const *paths,
                             size_t n, struct ladle_error *err)
{
    ladle_status st = scan_all(m, cfg, field_spec, paths, n, err);
    if (st == LADLE_OK && (!(m->placed = calloc(m->ns + 1, sizeof *m->placed)) ||
                           !(m->map = calloc(m->ns + 1, sizeof *m->map))))
        st = ladle_error_set(err, LADLE_E_INTERNAL, "merge: out of memory");
    if (st == LADLE_OK)
        st = ladle_merge_order(m->sources, m->owner, m->ns, m->jobs, n, paths, m->placed,
                               &m->nplaced, m->map, &m->out.job, err);
    for (size_t i = 0; st == LADLE_OK && i < m->ng; i++)
        m->segments[i].source = m->map[m->segments[i].source];
    size_t base = 0;
    for (size_t k = 0; k < n && st == LADLE_OK; base += m->nsources[k], k++) {
        struct ladle_state again;
        const struct ladle_state *s = &m->first;
        if (k && (st = read_state(paths[k], &again, err)) != LADLE_OK)
            break;
        if (k)
            s = &again;
        struct ladle_input_remap remap = {0, (uint32_t)m->nsources[k], m->map + base};
        st = join_one(acc, ops, cfg, s, remap, paths[k], err);
        if (k)
            ladle_state_free(&again);
    }
    if (st == LADLE_OK)
        st = ops->serialize(acc, &m->payload, err);
    m->out.contract = m->first.contract;
    memcpy(m->out.design, m->first.design, 4);
    m->out.seed = m->first.seed;
    m->out.params = m->first.params;
    m->out.nparams = m->first.nparams;
    m->out.sources = m->placed;
    m->out.nsources = m->nplaced;
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

/*
 * state_run.c -- `--state FILE` (doc/design-issue10.md, sections 4-5).
 *
 * A run locks the state, reads it, refuses one drawn with other options,
 * and reads only what the state has not consumed: new inputs, and the new
 * bytes of a source that grew (state_sources.c). Their records join the
 * carried sample before the design finishes (run_sample.c), so the output
 * is the sample of every input seen so far, and the union is written back
 * atomically after the output is flushed.
 *
 * Keys come from (source id, offset), and the output is in (place,
 * offset) order: the state's sources keep their places, first, as empty
 * inputs (/dev/null) unless they grew, then the new inputs in argument
 * order. Chained runs over A, then B, print what one run over A B prints.
 * With --header, the placeholders hold the header line the state kept (a
 * memfd), so the output starts with it as one run's would.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include "job/state_run.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "job/designs.h"
#include "job/passes.h"
#include "field/field.h"
#include "job/state_sources.h"
#include "out/outbuf.h"
#include "sample/fractions.h"
#include "sample/sampler.h"
#include "state/state.h"

static ladle_status design_tag(const struct ladle_config *cfg, char tag[4], struct ladle_error *err)
{
    switch (cfg->params.design) {
    case LADLE_DESIGN_BOTTOMK: memcpy(tag, "LDBK", 4); return LADLE_OK;
    case LADLE_DESIGN_WEIGHTED: memcpy(tag, "LDWS", 4); return LADLE_OK;
    case LADLE_DESIGN_STRATIFIED: memcpy(tag, "LDSN", 4); return LADLE_OK;
    case LADLE_DESIGN_STATS: memcpy(tag, "LDSS", 4); return LADLE_OK;
    /* Streaming and ordered designs carry their kept records
     * (stream_state.c). LDEV: --every's picks depend on the records before,
     * so `ladle merge` refuses to join two such states. */
    case LADLE_DESIGN_BERNOULLI: memcpy(tag, "LDRT", 4); return LADLE_OK;
    case LADLE_DESIGN_FRACTIONS: memcpy(tag, "LDFR", 4); return LADLE_OK;
    case LADLE_DESIGN_HEAD: memcpy(tag, "LDHD", 4); return LADLE_OK;
    case LADLE_DESIGN_SYSTEMATIC: memcpy(tag, "LDEV", 4); return LADLE_OK;
    case LADLE_DESIGN_CLUSTER:
        memcpy(tag, cfg->params.clusters ? "LDCM" : cfg->params.within_size ? "LDCW" : "LDCL", 4);
        return LADLE_OK;
    case LADLE_DESIGN_SNOWBALL:
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--snowball cannot carry over between runs (--state): each wave "
                               "depends on every record; run it over all the inputs at once");
    default: break;
    }
    return ladle_error_set(err, LADLE_E_USAGE, "--state does not carry over this design");
}

#define MAX_KV 16

/* Stratified -n / --per-stratum, --clusters M and stats: the parameters
 * that decide which records are kept or what is counted, after the ones
 * every design has (kv[0..n)). */
static size_t group_params(const struct ladle_config *cfg, const char *field_spec,
                           struct ladle_state_kv kv[MAX_KV], size_t n)
{
    const struct ladle_design_params *p = &cfg->params;
    const char *f = field_spec ? field_spec : "";
    const char *fmt = ladle_format_name((enum ladle_format)p->format);
    fmt = fmt ? fmt : "";
    kv[n++] = (struct ladle_state_kv){"--format", LADLE_STATE_STR, 0, fmt, strlen(fmt)};
    kv[n++] = (struct ladle_state_kv){"-d", LADLE_STATE_U64, (unsigned char)p->delim, NULL, 0};
    if (p->design == LADLE_DESIGN_STRATIFIED) {
        kv[0] = (struct ladle_state_kv){p->per_stratum ? "--per-stratum" : "-n", LADLE_STATE_U64,
                                        p->per_stratum ? p->per_stratum : p->n, NULL, 0};
        kv[n++] = (struct ladle_state_kv){"--strata", LADLE_STATE_STR, 0, f, strlen(f)};
        if (!p->per_stratum)
            kv[n++] = (struct ladle_state_kv){"--min-per-stratum", LADLE_STATE_U64,
                                              p->min_per_stratum, NULL, 0};
    } else if (p->design == LADLE_DESIGN_CLUSTER) {
        uint64_t bits;
        memcpy(&bits, &p->within_rate, sizeof bits);
        kv[0] = (struct ladle_state_kv){"--clusters", LADLE_STATE_U64, p->clusters, NULL, 0};
        kv[n++] = (struct ladle_state_kv){"--cluster", LADLE_STATE_STR, 0, f, strlen(f)};
        kv[n++] = (struct ladle_state_kv){"--within-rate", LADLE_STATE_F64, bits, NULL, 0};
        kv[n++] =
            (struct ladle_state_kv){"--within-size", LADLE_STATE_U64, p->within_size, NULL, 0};
    } else { /* stats: the fields counted, in order (join_fields) */
        kv[0] = (struct ladle_state_kv){"--field", LADLE_STATE_STR, 0, f, strlen(f)};
    }
    return n;
}

/* stats: every --field as typed, "a' --field 'b", for run_params; NULL
 * when out of memory. */
static char *join_fields(const struct ladle_config *cfg)
{
    const struct ladle_design_params *p = &cfg->params;
    size_t len = 1;
    for (unsigned k = 0; p->field && k <= p->nmore_fields; k++)
        len += strlen(ladle_field_spec(k ? p->more_fields[k - 1] : p->field)) + 12;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (unsigned k = 0; p->field && k <= p->nmore_fields; k++) {
        if (k)
            strcat(s, "' --field '");
        strcat(s, ladle_field_spec(k ? p->more_fields[k - 1] : p->field));
    }
    return s;
}

static struct ladle_state_kv f64_kv(const char *flag, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return (struct ladle_state_kv){flag, LADLE_STATE_F64, u, NULL, 0};
}

/* The streaming and ordered designs' parameters (stream_state.c); n so far. */
static size_t stream_params(const struct ladle_config *cfg, const char *field_spec,
                            struct ladle_state_kv *kv, size_t n)
{
    static const char *const missing[] = {"skip", "error", "keep"};
    static const char *const malformed[] = {"error", "skip"};
    const struct ladle_design_params *p = &cfg->params;
    const char *f = field_spec ? field_spec : "";
    switch (p->design) {
    case LADLE_DESIGN_BERNOULLI: kv[n++] = f64_kv("--rate", p->rate); break;
    case LADLE_DESIGN_SYSTEMATIC:
        kv[n++] = (struct ladle_state_kv){"--every", LADLE_STATE_U64, p->every, NULL, 0};
        if (p->start >= 0) /* else drawn from the seed, which is checked */
            kv[n++] =
                (struct ladle_state_kv){"--start", LADLE_STATE_U64, (uint64_t)p->start, NULL, 0};
        return n;
    case LADLE_DESIGN_FRACTIONS: {
        const char *fr = p->fractions && p->fractions->spec ? p->fractions->spec : "";
        kv[n++] = (struct ladle_state_kv){"--strata", LADLE_STATE_STR, 0, f, strlen(f)};
        kv[n++] = (struct ladle_state_kv){"--fractions", LADLE_STATE_STR, 0, fr, strlen(fr)};
        break;
    }
    case LADLE_DESIGN_CLUSTER:
        kv[n++] = (struct ladle_state_kv){"--cluster", LADLE_STATE_STR, 0, f, strlen(f)};
        kv[n++] = f64_kv("--rate", p->rate);
        kv[n++] = f64_kv("--within-rate", p->within_rate);
        if (p->within_size)
            kv[n++] =
                (struct ladle_state_kv){"--within-size", LADLE_STATE_U64, p->within_size, NULL, 0};
        break;
    default: return n;
    }
    kv[n++] = (struct ladle_state_kv){"--emit-weight", LADLE_STATE_SWITCH, p->emit_weight ? 1u : 0u,
                                      NULL, 0};
    if (p->design == LADLE_DESIGN_BERNOULLI)
        return n;
    /* How the field is read: its value decides the draw. */
    const char *fmt = ladle_format_name((enum ladle_format)p->format);
    fmt = fmt ? fmt : "";
    kv[n++] = (struct ladle_state_kv){"--format", LADLE_STATE_STR, 0, fmt, strlen(fmt)};
    kv[n++] = (struct ladle_state_kv){"-d", LADLE_STATE_U64, (unsigned char)p->delim, NULL, 0};
    const char *mi = missing[(unsigned)p->missing < 3 ? p->missing : 0];
    const char *ma = malformed[(unsigned)p->malformed < 2 ? p->malformed : 0];
    kv[n++] = (struct ladle_state_kv){"--missing", LADLE_STATE_STR, 0, mi, strlen(mi)};
    kv[n++] = (struct ladle_state_kv){"--malformed", LADLE_STATE_STR, 0, ma, strlen(ma)};
    return n;
}

/* Every option that changes which records are drawn, as typed (the seed
 * has its own field). Output choices (--shuffle, --format of the output)
 * are left out: a state prints either way. */
static size_t run_params(const struct ladle_config *cfg, const char *field_spec,
                         struct ladle_state_kv kv[MAX_KV])
{
    static const char *const missing[] = {"skip", "error", "keep"};
    static const char *const malformed[] = {"error", "skip"};
    const struct ladle_design_params *p = &cfg->params;
    size_t n = 0;
    kv[n++] = (struct ladle_state_kv){p->design == LADLE_DESIGN_HEAD ? "--head" : "-n",
                                      LADLE_STATE_U64, p->n, NULL, 0};
    kv[n++] = (struct ladle_state_kv){"--header", LADLE_STATE_SWITCH, cfg->engine.header ? 1u : 0u,
                                      NULL, 0};
    kv[n++] = (struct ladle_state_kv){"--format csv", LADLE_STATE_SWITCH,
                                      cfg->engine.csv_delim ? 1u : 0u, NULL, 0};
    if (p->bootstrap) /* only then: states without it read as before */
        kv[n++] = (struct ladle_state_kv){"--bootstrap", LADLE_STATE_U64, p->bootstrap, NULL, 0};
    if (p->design == LADLE_DESIGN_STRATIFIED || p->design == LADLE_DESIGN_STATS ||
        (p->design == LADLE_DESIGN_CLUSTER && p->clusters))
        n = group_params(cfg, field_spec, kv, n);
    else if (p->design != LADLE_DESIGN_WEIGHTED)
        return stream_params(cfg, field_spec, kv, n);
    const char *f = field_spec ? field_spec : "";
    const char *mi = missing[(unsigned)p->missing < 3 ? p->missing : 0];
    const char *ma = malformed[(unsigned)p->malformed < 2 ? p->malformed : 0];
    if (p->design == LADLE_DESIGN_WEIGHTED) {
        kv[n++] = (struct ladle_state_kv){"--weight", LADLE_STATE_STR, 0, f, strlen(f)};
        kv[n++] = (struct ladle_state_kv){"--emit-weight", LADLE_STATE_SWITCH,
                                          p->emit_weight ? 1u : 0u, NULL, 0};
    }
    kv[n++] = (struct ladle_state_kv){"--missing", LADLE_STATE_STR, 0, mi, strlen(mi)};
    kv[n++] = (struct ladle_state_kv){"--malformed", LADLE_STATE_STR, 0, ma, strlen(ma)};
    return n;
}

/* The state's sample, read once before any input is (it is read again
 * when the design finishes): a damaged one is refused up front. */
static ladle_status check_payload(const struct ladle_config *cfg, const struct ladle_state *old,
                                  const char *path, struct ladle_error *err)
{
    const struct ladle_sampler_ops *ops = ladle_design_pass(cfg, 0);
    struct ladle_sampler s;
    struct ladle_error e;
    ladle_error_init(&e);
    ladle_status st = ladle_sampler_init(&s, ops, cfg, &e);
    if (st == LADLE_OK) {
        st = ops->deserialize(&s, old->payload, old->payload_len, &e);
        ladle_sampler_destroy(&s);
    }
    if (st == LADLE_E_INPUT)
        return ladle_error_set(err, st, "%s: %s (the sample it holds)", path, e.msg);
    if (st != LADLE_OK)
        return ladle_error_set(err, st, "%s", e.msg);
    return LADLE_OK;
}

/* A state that holds part of a source (a --part run's, or a merge that
 * lacks some parts) cannot be continued: the bytes outside its range were
 * never read. */
static ladle_status refuse_partial(const struct ladle_state *old, const char *path,
                                   struct ladle_error *err)
{
    for (size_t k = 0; k < old->nsources; k++) {
        const struct ladle_state_source *s = &old->sources[k];
        if (s->from || s->to)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "%s: state: it holds bytes %llu to %llu of %s only (a --part "
                                   "run's): ladle merge every part of the job first",
                                   path, (unsigned long long)s->from,
                                   (unsigned long long)(s->to ? s->to : s->consumed), s->path);
    }
    return LADLE_OK;
}

/* What one run puts together: the state read, the inputs matched. */
struct carry {
    struct ladle_state old, next;
    struct ladle_state_inputs in;
    struct ladle_outbuf payload, header;
    int header_fd;        /* -1, or the memfd holding the state's header */
    char header_path[64]; /* /proc/self/fd/N */
};

static void carry_free(struct carry *c)
{
    ladle_state_free(&c->old);
    ladle_state_inputs_free(&c->in);
    ladle_outbuf_free(&c->payload);
    ladle_outbuf_free(&c->header);
    if (c->header_fd >= 0)
        close(c->header_fd);
}

/* The placeholders, under --header: a file holding only the header line
 * the state kept, so that it heads the output again and a field that
 * names a column binds in every input. */
static ladle_status header_placeholder(struct carry *c, struct ladle_error *err)
{
    c->header_fd = memfd_create("ladle-state-header", MFD_CLOEXEC);
    const char *p = c->old.header;
    size_t left = c->old.header_len;
    while (c->header_fd >= 0 && left) {
        ssize_t n = write(c->header_fd, p, left);
        if (n <= 0)
            break;
        p += n;
        left -= (size_t)n;
    }
    if (c->header_fd < 0 || left)
        return ladle_error_set(err, LADLE_E_INTERNAL, "state: cannot hold the header: %s",
                               strerror(errno));
    snprintf(c->header_path, sizeof c->header_path, "/proc/self/fd/%d", c->header_fd);
    for (size_t k = 0; k < c->old.nsources; k++) /* a field may name a column: bind it */
        if (!c->in.read[k])
            c->in.paths[k] = c->header_path;
    return LADLE_OK;
}

/* The run, over the state at path or (ladle merge) one given: then
 * nothing is locked, read or written. */
static ladle_status carry_run(struct ladle_config *cfg, const char *field_spec,
                              const struct ladle_pipeline_io *io, const struct ladle_probe *probe,
                              const char *path, const struct ladle_state *given,
                              const struct ladle_part_plan *part, struct ladle_error *err,
                              ladle_report *report, int *output_closed)
{
    struct carry c;
    memset(&c, 0, sizeof c);
    c.header_fd = -1;
    struct ladle_state_kv kv[MAX_KV];
    c.next.contract = LADLE_CONTRACT_VERSION;
    c.next.seed = cfg->params.seed;
    c.next.params = kv;
    char *fields = cfg->params.design == LADLE_DESIGN_STATS ? join_fields(cfg) : NULL;
    c.next.nparams = run_params(cfg, fields ? fields : field_spec, kv);
    ladle_status st = design_tag(cfg, c.next.design, err);
    if (st == LADLE_OK && cfg->params.design == LADLE_DESIGN_STATS && !fields)
        st = ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    int lock = -1, exists = 0;
    cfg->state->carrying = 1; /* before the payload check: it picks the design's pass */
    if (given) {
        c.old = *given;
        c.old.owned = NULL; /* borrowed */
        exists = 1;
    }
    if (st == LADLE_OK && !given)
        st = ladle_state_lock(path, &lock, err);
    /* A part writes the state of its own range: the file is replaced, not read. */
    if (st == LADLE_OK && !given && !part)
        st = ladle_state_read_file(path, &c.old, &exists, err);
    if (st == LADLE_OK && exists && !given)
        st = refuse_partial(&c.old, path, err);
    c.next.job = part ? part->job : 0;
    if (st == LADLE_OK && exists)
        st = ladle_state_check(&c.old, c.next.design, c.next.seed, kv, c.next.nparams, err);
    if (st == LADLE_OK && exists && !given)
        st = check_payload(cfg, &c.old, path, err);
    if (st == LADLE_OK)
        st = ladle_state_inputs_plan(&c.in, &c.old, io, probe, cfg, part, err);
    if (st == LADLE_OK && cfg->engine.header && c.old.header_len && c.old.nsources)
        st = header_placeholder(&c, err);
    if (st == LADLE_OK) {
        struct ladle_pipeline_io pio = *io;
        pio.paths = c.in.paths;
        pio.names = c.in.names;
        pio.count = (uint32_t)c.in.count;
        pio.source_ids = c.in.ids; /* the probe's, moved with their inputs */
        pio.opened = c.in.opened;
        pio.starts = c.in.starts;
        pio.ends = c.in.ends;
        pio.hold_tail = !part; /* a part reads finished files, as one run would */
        cfg->state->carry_in = c.old.payload;
        cfg->state->carry_in_len = c.old.payload_len;
        cfg->state->carry_out = &c.payload;
        cfg->state->carry_header = &c.header;
        st = ladle_passes_run(cfg, &pio, err, report, output_closed);
        cfg->state->carry_in = NULL;
        cfg->state->carry_out = NULL;
        cfg->state->carry_header = NULL;
    }
    /* A reader that left before the design finished took no sample: the
     * state stays as it was, and the next run reads these inputs again. */
    if (st == LADLE_OK && c.payload.len && !given)
        st = ladle_state_inputs_settle(&c.in, cfg, err);
    if (st == LADLE_OK && c.payload.len && !given) {
        c.next.sources = c.in.all;
        c.next.nsources = c.in.count;
        c.next.payload = (const unsigned char *)c.payload.data;
        c.next.payload_len = c.payload.len;
        c.next.header = c.header.data;
        c.next.header_len = c.header.len;
        st = ladle_state_write_file(path, &c.next, err);
    }
    ladle_state_unlock(lock);
    carry_free(&c);
    free(fields);
    cfg->state->carrying = 0;
    return st;
}

ladle_status ladle_job_state_run(struct ladle_config *cfg, const char *field_spec,
                                 const struct ladle_pipeline_io *io,
                                 const struct ladle_probe *probe, const char *path,
                                 const struct ladle_part_plan *part, struct ladle_error *err,
                                 ladle_report *report, int *output_closed)
{
    return carry_run(cfg, field_spec, io, probe, path, NULL, part, err, report, output_closed);
}

ladle_status ladle_job_state_print(struct ladle_config *cfg, const char *field_spec,
                                   const struct ladle_pipeline_io *io,
                                   const struct ladle_probe *probe, const struct ladle_state *st,
                                   struct ladle_error *err, ladle_report *report,
                                   int *output_closed)
{
    return carry_run(cfg, field_spec, io, probe, NULL, st, NULL, err, report, output_closed);
}

ladle_status ladle_job_state_check(const struct ladle_config *cfg, const char *field_spec,
                                   const struct ladle_state *st, struct ladle_error *err)
{
    struct ladle_state_kv kv[MAX_KV];
    char tag[4];
    ladle_status s = design_tag(cfg, tag, err);
    if (s != LADLE_OK)
        return s;
    /* stats: every field counted, as a run records them (carry_run) */
    char *fields = cfg->params.design == LADLE_DESIGN_STATS ? join_fields(cfg) : NULL;
    if (cfg->params.design == LADLE_DESIGN_STATS && !fields)
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    s = ladle_state_check(st, tag, cfg->params.seed, kv,
                          run_params(cfg, fields ? fields : field_spec, kv), err);
    free(fields);
    return s;
}

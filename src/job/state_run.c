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
#include "job/state_sources.h"
#include "out/outbuf.h"
#include "sample/sampler.h"
#include "state/state.h"

static ladle_status design_tag(const struct ladle_config *cfg, char tag[4], struct ladle_error *err)
{
    switch (cfg->params.design) {
    case LADLE_DESIGN_BOTTOMK: memcpy(tag, "LDBK", 4); return LADLE_OK;
    case LADLE_DESIGN_WEIGHTED: memcpy(tag, "LDWS", 4); return LADLE_OK;
    case LADLE_DESIGN_SNOWBALL:
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--snowball cannot carry over between runs (--state): each wave "
                               "depends on every record; run it over all the inputs at once");
    default:
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--state carries over -n and --weight samples only, so far");
    }
}

/* Every option that changes which records are drawn, as typed (the seed
 * has its own field). Output choices (--shuffle, --format of the output)
 * are left out: a state prints either way. */
static size_t run_params(const struct ladle_config *cfg, const char *field_spec,
                         struct ladle_state_kv kv[8])
{
    static const char *const missing[] = {"skip", "error", "keep"};
    static const char *const malformed[] = {"error", "skip"};
    const struct ladle_design_params *p = &cfg->params;
    size_t n = 0;
    kv[n++] = (struct ladle_state_kv){"-n", LADLE_STATE_U64, p->n, NULL, 0};
    kv[n++] = (struct ladle_state_kv){"--header", LADLE_STATE_SWITCH, cfg->engine.header ? 1u : 0u,
                                      NULL, 0};
    kv[n++] = (struct ladle_state_kv){"--format csv", LADLE_STATE_SWITCH,
                                      cfg->engine.csv_delim ? 1u : 0u, NULL, 0};
    if (p->design != LADLE_DESIGN_WEIGHTED)
        return n;
    const char *f = field_spec ? field_spec : "";
    const char *mi = missing[(unsigned)p->missing < 3 ? p->missing : 0];
    const char *ma = malformed[(unsigned)p->malformed < 2 ? p->malformed : 0];
    kv[n++] = (struct ladle_state_kv){"--weight", LADLE_STATE_STR, 0, f, strlen(f)};
    kv[n++] = (struct ladle_state_kv){"--emit-weight", LADLE_STATE_SWITCH, p->emit_weight ? 1u : 0u,
                                      NULL, 0};
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
                              struct ladle_error *err, ladle_report *report, int *output_closed)
{
    struct carry c;
    memset(&c, 0, sizeof c);
    c.header_fd = -1;
    struct ladle_state_kv kv[8];
    c.next.contract = LADLE_CONTRACT_VERSION;
    c.next.seed = cfg->params.seed;
    c.next.params = kv;
    c.next.nparams = run_params(cfg, field_spec, kv);
    ladle_status st = design_tag(cfg, c.next.design, err);
    int lock = -1, exists = 0;
    if (given) {
        c.old = *given;
        c.old.owned = NULL; /* borrowed */
        exists = 1;
    }
    if (st == LADLE_OK && !given)
        st = ladle_state_lock(path, &lock, err);
    if (st == LADLE_OK && !given)
        st = ladle_state_read_file(path, &c.old, &exists, err);
    if (st == LADLE_OK && exists)
        st = ladle_state_check(&c.old, c.next.design, c.next.seed, kv, c.next.nparams, err);
    if (st == LADLE_OK && exists && !given)
        st = check_payload(cfg, &c.old, path, err);
    if (st == LADLE_OK)
        st = ladle_state_inputs_plan(&c.in, &c.old, io, probe, cfg, err);
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
        pio.hold_tail = 1;
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
    return st;
}

ladle_status ladle_job_state_run(struct ladle_config *cfg, const char *field_spec,
                                 const struct ladle_pipeline_io *io,
                                 const struct ladle_probe *probe, const char *path,
                                 struct ladle_error *err, ladle_report *report, int *output_closed)
{
    return carry_run(cfg, field_spec, io, probe, path, NULL, err, report, output_closed);
}

ladle_status ladle_job_state_print(struct ladle_config *cfg, const char *field_spec,
                                   const struct ladle_pipeline_io *io,
                                   const struct ladle_probe *probe, const struct ladle_state *st,
                                   struct ladle_error *err, ladle_report *report,
                                   int *output_closed)
{
    return carry_run(cfg, field_spec, io, probe, NULL, st, err, report, output_closed);
}

ladle_status ladle_job_state_check(const struct ladle_config *cfg, const char *field_spec,
                                   const struct ladle_state *st, struct ladle_error *err)
{
    struct ladle_state_kv kv[8];
    char tag[4];
    ladle_status s = design_tag(cfg, tag, err);
    if (s != LADLE_OK)
        return s;
    return ladle_state_check(st, tag, cfg->params.seed, kv, run_params(cfg, field_spec, kv), err);
}

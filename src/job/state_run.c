/*
 * state_run.c -- `--state FILE` for -n (bottom-k) and --weight (plan commit
 * 5 of doc/design-issue10.md): whole-file sources, no growth yet.
 *
 * A run locks the state, reads it, refuses one drawn with other options,
 * and reads only the inputs the state has not consumed. Their records join
 * the carried sample before the design finishes (run_sample.c), so the
 * output is the sample of every input seen so far, and the union is
 * written back atomically after the output is flushed.
 *
 * Keys still come from an input's position (contract 3), so a chained run
 * must give each new input the position it has in one run over everything:
 * the state's sources come first, in the order consumed, as empty inputs
 * (/dev/null) that only hold their place, then the new inputs in argument
 * order. Chained runs over A, then B, print what one run over A B prints.
 * With --header, the placeholders hold the header line the state kept (a
 * memfd), so the output starts with it as one run's would.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include "job/state_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "job/designs.h"
#include "job/passes.h"
#include "out/outbuf.h"
#include "sample/sampler.h"
#include "state/state.h"

#define PROBE_LEN 4096

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

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* PLACEHOLDER until the source id of plan commits 1-3 lands
 * (src/record/source_id.h: stem + first record): a source is known here by
 * (basename, file size, XXH3-128 of its first 4 KiB as stored), which
 * `first` and `id` hold. Replace this probe by the job's probe (section 3). */
static ladle_status probe(const char *path, struct ladle_state_source *s, struct ladle_error *err)
{
    memset(s, 0, sizeof *s);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return fd < 0
                   ? ladle_error_set(err, LADLE_E_INPUT, "%s: cannot open: %s", path, strerror(e))
                   : ladle_error_set(err, LADLE_E_USAGE,
                                     "%s: --state reads regular files only (a pipe or "
                                     "stdin cannot be told apart from the next one yet)",
                                     path);
    }
    unsigned char head[PROBE_LEN], tail[PROBE_LEN];
    size_t size = (size_t)sb.st_size, hn = size < PROBE_LEN ? size : PROBE_LEN;
    ssize_t a = pread(fd, head, hn, 0), b = pread(fd, tail, hn, (off_t)(size - hn));
    close(fd);
    if (a != (ssize_t)hn || b != (ssize_t)hn)
        return ladle_error_set(err, LADLE_E_INPUT, "%s: cannot read", path);
    XXH128_hash_t h = XXH3_128bits(head, hn);
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, h);
    memcpy(s->first, c.digest, 16);
    s->stem = base_name(path);
    s->path = path;
    s->kind = hn >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd
                  ? LADLE_STATE_ZSTD
              : hn >= 2 && head[0] == 0x1f && head[1] == 0x8b ? LADLE_STATE_GZIP
                                                              : LADLE_STATE_PLAIN;
    s->consumed = s->size = (uint64_t)size; /* whole files only, so far */
    s->tail_len = (uint16_t)hn;
    s->tail_hash = XXH3_64bits(tail, hn);
    s->dev = (uint64_t)sb.st_dev;
    s->ino = (uint64_t)sb.st_ino;
    s->mtime_ns = (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
    XXH3_state_t *x = XXH3_createState();
    if (!x)
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    XXH3_64bits_reset(x);
    XXH3_64bits_update(x, s->stem, strlen(s->stem) + 1);
    XXH3_64bits_update(x, &s->size, sizeof s->size);
    XXH3_64bits_update(x, s->first, 16);
    s->id = XXH3_64bits_digest(x);
    XXH3_freeState(x);
    return LADLE_OK;
}

static int same_source(const struct ladle_state_source *a, const struct ladle_state_source *b)
{
    return a->size == b->size && memcmp(a->first, b->first, 16) == 0 &&
           a->tail_hash == b->tail_hash && strcmp(a->stem, b->stem) == 0;
}

/* 1 when the file at path is the consumed source o with bytes appended:
 * its start and the tail o ended with are where they were. Reading it
 * again as a new source would count o's records twice. */
static int grew_from(const char *path, uint64_t size, const struct ladle_state_source *o)
{
    if (o->size >= size || o->tail_len > o->size)
        return 0;
    unsigned char head[PROBE_LEN], tail[PROBE_LEN];
    size_t hn = o->size < PROBE_LEN ? (size_t)o->size : PROBE_LEN;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t a = pread(fd, head, hn, 0);
    ssize_t b = pread(fd, tail, o->tail_len, (off_t)(o->size - o->tail_len));
    close(fd);
    if (a != (ssize_t)hn || b != (ssize_t)o->tail_len)
        return 0;
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(head, hn));
    return memcmp(c.digest, o->first, 16) == 0 && XXH3_64bits(tail, o->tail_len) == o->tail_hash;
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

/* What one run puts together: the state read, the inputs probed. */
struct carry {
    struct ladle_state old, next;
    struct ladle_state_source *all; /* old sources, then the new ones */
    const char **paths, **names;    /* the pass's inputs */
    uint64_t *ids;                  /* per pass input: its source id (0: a placeholder) */
    struct ladle_source **opened;   /* per pass input: the probe's open pipe, or NULL */
    uint32_t count;
    struct ladle_outbuf payload, header;
    int header_fd;        /* -1, or the memfd holding the state's header */
    char header_path[64]; /* /proc/self/fd/N */
};

static void carry_free(struct carry *c)
{
    ladle_state_free(&c->old);
    free(c->all);
    free(c->paths);
    free(c->names);
    free(c->ids);
    free(c->opened);
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
        c->paths[k] = c->header_path;
    return LADLE_OK;
}

/* The pass's inputs: the state's sources as placeholders, then each input
 * not consumed yet (two inputs that are one source: a usage error). */
static ladle_status plan_inputs(struct carry *c, const struct ladle_pipeline_io *io,
                                struct ladle_error *err)
{
    size_t nold = c->old.nsources, cap = nold + io->count;
    c->all = calloc(cap ? cap : 1, sizeof *c->all);
    c->paths = calloc(cap ? cap : 1, sizeof *c->paths);
    c->names = calloc(cap ? cap : 1, sizeof *c->names);
    c->ids = calloc(cap ? cap : 1, sizeof *c->ids);
    c->opened = calloc(cap ? cap : 1, sizeof *c->opened);
    if (!c->all || !c->paths || !c->names || !c->ids || !c->opened)
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    for (size_t k = 0; k < nold; k++) {
        c->all[k] = c->old.sources[k];
        c->paths[k] = "/dev/null"; /* holds the place of a consumed source */
        c->names[k] = c->old.sources[k].path;
        c->ids[k] = c->old.sources[k].id; /* no record, but its kept ones key by it */
    }
    size_t n = nold;
    for (uint32_t i = 0; i < io->count; i++) {
        if (strcmp(io->paths[i], "-") == 0)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "--state reads files, not stdin: give the file's name");
        ladle_status st = probe(io->paths[i], &c->all[n], err);
        if (st != LADLE_OK)
            return st;
        if (io->source_ids) /* the job's probe: the id its records are keyed by */
            c->all[n].id = io->source_ids[i];
        size_t k = 0;
        while (k < n && !same_source(&c->all[k], &c->all[n]))
            k++;
        if (k >= nold && k < n)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "%s and %s are the same source to --state (same name, size "
                                   "and start): give it once",
                                   c->all[k].path, io->names[i]);
        if (k < nold) { /* consumed by an earlier run: only where it was seen last changes */
            c->all[k].path = c->all[n].path;
            c->all[k].dev = c->all[n].dev;
            c->all[k].ino = c->all[n].ino;
            c->all[k].mtime_ns = c->all[n].mtime_ns;
            continue;
        }
        for (size_t g = 0; g < nold; g++)
            if (strcmp(c->all[g].stem, c->all[n].stem) == 0 &&
                grew_from(io->paths[i], c->all[n].size, &c->all[g]))
                return ladle_error_set(err, LADLE_E_INPUT,
                                       "%s: grew from %llu to %llu bytes since --state consumed "
                                       "it: growing files are not carried over yet",
                                       io->names[i], (unsigned long long)c->all[g].size,
                                       (unsigned long long)c->all[n].size);
        c->paths[n] = io->paths[i];
        c->names[n] = io->names[i];
        c->ids[n] = c->all[n].id;
        c->opened[n] = io->opened ? io->opened[i] : NULL;
        n++;
    }
    c->count = (uint32_t)n;
    c->next.sources = c->all;
    c->next.nsources = n;
    return LADLE_OK;
}

/* The run, over the state at path or (ladle merge) one given: then
 * nothing is locked, read or written. */
static ladle_status carry_run(struct ladle_config *cfg, const char *field_spec,
                              const struct ladle_pipeline_io *io, const char *path,
                              const struct ladle_state *given, struct ladle_error *err,
                              ladle_report *report, int *output_closed)
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
        st = plan_inputs(&c, io, err);
    if (st == LADLE_OK && cfg->engine.header && c.old.header_len && c.old.nsources)
        st = header_placeholder(&c, err);
    if (st == LADLE_OK) {
        struct ladle_pipeline_io pio = *io;
        pio.paths = c.paths;
        pio.names = c.names;
        pio.count = c.count;
        pio.source_ids = c.ids; /* the probe's, moved with their inputs */
        pio.opened = c.opened;
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
    if (st == LADLE_OK && c.payload.len && !given) {
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
                                 const struct ladle_pipeline_io *io, const char *path,
                                 struct ladle_error *err, ladle_report *report, int *output_closed)
{
    return carry_run(cfg, field_spec, io, path, NULL, err, report, output_closed);
}

ladle_status ladle_job_state_print(struct ladle_config *cfg, const char *field_spec,
                                   const struct ladle_pipeline_io *io, const struct ladle_state *st,
                                   struct ladle_error *err, ladle_report *report,
                                   int *output_closed)
{
    return carry_run(cfg, field_spec, io, NULL, st, err, report, output_closed);
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

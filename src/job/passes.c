/*
 * passes.c -- multi-pass designs (see passes.h).
 */
#include "job/passes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/write_all.h"
#include "job/designs.h"
#include "io/source.h"
#include "job/run_sample.h"
#include "sample/plan.h"
#include "sample/sampler.h"
#include "split/assign.h"

/* A split with a label counts its classes in a first round of passes. */
static int split_rounds(const struct ladle_config *cfg)
{
    return cfg->params.split && cfg->params.split->label ? 2 : 1;
}

static int needs_passes(const struct ladle_config *cfg)
{
    if (split_rounds(cfg) > 1)
        return 1;
    return ladle_design_multi_pass(cfg);
}

/* Tells the progress callback (if any) how a spool goes: at most 4 times
 * a second while it runs (*last: when it last did), and once at the end. */
static void spool_progress(const struct ladle_config *cfg, ladle_progress_phase phase,
                           const char *name, const char *dir, unsigned long long bytes,
                           const struct timespec *t0, double *last)
{
    if (!cfg->engine.progress)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double s = (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
    if (phase == LADLE_PROGRESS_SPOOL && s - *last < 0.25)
        return;
    *last = s;
    ladle_progress p = {
        .phase = phase, .bytes_read = bytes, .seconds = s, .what = name, .where = dir};
    cfg->engine.progress(cfg->engine.progress_arg, &p);
}

/* Writes n bytes to fd; 0 or -1 (errno set). */
/* Copies a pipe or stdin to an unlinked temporary file; returns its fd.
 * probed (may be NULL): the probe's open source, whose bytes read so far
 * come first. */
static int spool(const char *path, const char *name, struct ladle_source *probed,
                 const struct ladle_config *cfg, const atomic_int *cancel, struct ladle_error *err)
{
    int in = probed ? probed->fd : STDIN_FILENO;
    /* A FIFO blocks in open(2) until a writer comes; a signal ends that. */
    while (!probed && strcmp(path, "-") != 0 && (in = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        if (errno == EINTR && !(cancel && atomic_load(cancel)))
            continue;
        if (errno == EINTR)
            ladle_error_set(err, LADLE_E_INTERRUPTED, "interrupted");
        else
            ladle_error_set(err, LADLE_E_INPUT, "%s: cannot open: %s", name, strerror(errno));
        return -1;
    }
    const char *dir = getenv("TMPDIR");
    char *buf = NULL;
    int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot create a temporary file in %s: %s", name,
                        dir && *dir ? dir : "/tmp", strerror(errno));
        goto fail;
    }
    enum { SPOOL_BUF = 1 << 16 };
    buf = malloc(SPOOL_BUF);
    unsigned long long total = 0;
    struct timespec t0;
    double last = -1; /* the first block is said at once */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!buf) {
        ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", name);
        goto fail;
    }
    if (probed && ladle_write_all(fd, probed->pushback, probed->pb_len) != 0) {
        ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot spool to a temporary file: %s", name,
                        strerror(errno));
        goto fail;
    }
    total = probed ? probed->pb_len : 0;
    for (;;) {
        if (probed && probed->at_eof)
            break;
        /* Looked at every block, not only on EINTR: a fast producer never
         * leaves ladle waiting in read(2) when the signal comes. */
        if (cancel && atomic_load(cancel)) {
            last = -1; /* the exact count, for the interrupt's line */
            spool_progress(cfg, LADLE_PROGRESS_SPOOL, name, dir && *dir ? dir : "/tmp", total, &t0,
                           &last);
            ladle_error_set(err, LADLE_E_INTERRUPTED, "interrupted");
            goto fail;
        }
        ssize_t n = read(in, buf, SPOOL_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ladle_error_set(err, LADLE_E_INPUT, "%s: read failed: %s (at byte %llu)", name,
                            strerror(errno), total);
            goto fail;
        }
        if (n == 0)
            break;
        if (ladle_write_all(fd, buf, (size_t)n) != 0) {
            ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot spool to a temporary file: %s", name,
                            strerror(errno));
            goto fail;
        }
        total += (unsigned long long)n;
        spool_progress(cfg, LADLE_PROGRESS_SPOOL, name, dir && *dir ? dir : "/tmp", total, &t0,
                       &last);
    }
    spool_progress(cfg, LADLE_PROGRESS_SPOOLED, name, dir && *dir ? dir : "/tmp", total, &t0,
                   &last);
    free(buf);
    if (in != STDIN_FILENO && !probed)
        close(in);
    if (cfg->engine.notify) {
        char line[512];
        snprintf(line, sizeof line, "%s: spooled %llu bytes to a temporary file to read it twice",
                 name, total);
        cfg->engine.notify(cfg->engine.notify_arg, line);
    }
    return fd;
fail:
    free(buf);
    if (in != STDIN_FILENO && !probed)
        close(in);
    if (fd >= 0)
        close(fd);
    return -1;
}

/* For progress: how many passes the run makes, as far as is known now
 * (0: not known; a second stratified pass is known only after the first). */
static unsigned count_passes(const struct ladle_config *cfg)
{
    unsigned n = 0;
    while (n < 64 && ladle_design_pass(cfg, n))
        n++;
    if ((ladle_design_of(cfg)->flags & LADLE_DF_SEQUEL) || n == 64 ||
        (n < 2 && ladle_design_multi_pass(cfg)))
        return 0;
    return n * (unsigned)split_rounds(cfg);
}

/* Every pass of the design, once over the inputs each. */
static ladle_status design_passes(struct ladle_config *cfg, const struct ladle_pipeline_io *io,
                                  struct ladle_pipeline_io *pio, struct ladle_error *err,
                                  ladle_report *total, int *output_closed)
{
    ladle_status st = LADLE_OK;
    const struct ladle_sampler_ops *design;
    memset(total, 0, sizeof *total);
    unsigned flags = ladle_design_of(cfg)->flags;
    for (unsigned pass = 0; (design = ladle_design_pass(cfg, pass)) != NULL; pass++) {
        /* Passes that only gather write nothing. Every snowball wave writes,
         * and so does stratified's first pass, which may finish the sample. */
        int sequel = (flags & LADLE_DF_SEQUEL) != 0;
        int writes = sequel || ladle_design_pass(cfg, pass + 1) == NULL;
        pio->out_fd = writes ? io->out_fd : -1;
        /* One --header line, written by the first pass that writes. */
        pio->skip_header = sequel && pass > 0;
        ladle_report rep;
        cfg->engine.pass++;
        cfg->engine.passes = count_passes(cfg);
        st = ladle_pipeline_run(cfg, design, pio, err, &rep, output_closed);
        total->records_in = rep.records_in;
        /* Snowball counts a record without a usable field in one wave only;
         * the other designs count every pass's records again. */
        total->records_missing = flags & LADLE_DF_SUM_MISSING
                                     ? total->records_missing + rep.records_missing
                                     : rep.records_missing;
        total->records_malformed = flags & LADLE_DF_SUM_MISSING
                                       ? total->records_malformed + rep.records_malformed
                                       : rep.records_malformed;
        total->bytes_in = rep.bytes_in;
        total->bytes_compressed = rep.bytes_compressed;
        total->threads = rep.threads;
        total->io_uring_used |= rep.io_uring_used;
        total->records_out += rep.records_out;
        if (st != LADLE_OK || *output_closed)
            break;
    }
    return st;
}

ladle_status ladle_passes_run(struct ladle_config *cfg, const struct ladle_pipeline_io *io,
                              struct ladle_error *err, ladle_report *report, int *output_closed)
{
    struct ladle_pipeline_io pio = *io;
    char **paths = NULL;
    int *fds = NULL;
    ladle_status st = LADLE_OK;
    if (needs_passes(cfg)) {
        paths = calloc(io->count, sizeof *paths);
        fds = malloc(io->count * sizeof *fds);
        if (!paths || !fds) {
            st = ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
            goto out;
        }
        for (uint32_t i = 0; i < io->count; i++) {
            fds[i] = -1;
            struct stat sb;
            int regular = strcmp(io->paths[i], "-") != 0 && stat(io->paths[i], &sb) == 0 &&
                          S_ISREG(sb.st_mode);
            if (!regular) {
                struct ladle_source *probed = io->opened ? io->opened[i] : NULL;
                if ((fds[i] = spool(io->paths[i], io->names[i], probed, cfg, io->cancel, err)) <
                    0) {
                    st = ladle_error_status(err);
                    goto out;
                }
                char p[64];
                snprintf(p, sizeof p, "/proc/self/fd/%d", fds[i]);
                paths[i] = strdup(p);
            } else {
                paths[i] = strdup(io->paths[i]);
            }
            if (!paths[i]) {
                st = ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
                goto out;
            }
        }
        pio.paths = (const char *const *)paths;
        pio.opened = NULL; /* every pipe is a spooled file now */
    }
    ladle_report total;
    cfg->engine.pass = 0;
    cfg->state->source_ids = io->source_ids; /* for keys made after the pass (weighted) */
    for (int round = 0, rounds = split_rounds(cfg); round < rounds; round++) {
        if (rounds > 1) {
            cfg->state->split_state->counting = round == 0;
            if (round == 1)
                ladle_split_state_plan(cfg->state->split_state);
        }
        st = design_passes(cfg, io, &pio, err, &total, output_closed);
        if (st != LADLE_OK || *output_closed)
            break;
    }
    if (report)
        *report = total;
out:
    cfg->state->source_ids = NULL;
    if (paths)
        for (uint32_t i = 0; i < io->count; i++)
            free(paths[i]);
    free(paths);
    if (fds)
        for (uint32_t i = 0; i < io->count; i++)
            if (fds[i] >= 0)
                close(fds[i]);
    free(fds);
    return st;
}

ladle_status ladle_passes_load_seeds(struct ladle_config *cfg, const char *path,
                                     const atomic_int *cancel, struct ladle_error *err)
{
    int fd;
    /* A FIFO blocks in open(2) until a writer comes; a signal ends that. */
    while ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        if (errno != EINTR)
            return ladle_error_set(err, LADLE_E_INPUT, "%s: cannot open: %s", path,
                                   strerror(errno));
        if (cancel && atomic_load(cancel))
            return ladle_error_set(err, LADLE_E_INTERRUPTED, "interrupted");
    }
    /* The whole file first, bounded: a wrong path (/dev/zero, a log in
     * place of a key list) is an error at once, not memory without end. */
    size_t cap = (size_t)1 << 16, len = 0;
    char *buf = malloc(cap);
    ladle_status st = LADLE_OK;
    if (!buf)
        st = ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", path);
    while (st == LADLE_OK) {
        if (cancel && atomic_load(cancel)) {
            st = ladle_error_set(err, LADLE_E_INTERRUPTED, "interrupted");
            break;
        }
        if (len == cap) {
            /* One byte past the limit tells a file of exactly the limit from a larger one. */
            size_t grown =
                2 * cap < LADLE_SEEDS_MAX_BYTES + 1 ? 2 * cap : LADLE_SEEDS_MAX_BYTES + 1;
            char *b = realloc(buf, grown);
            if (!b) {
                st = ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", path);
                break;
            }
            buf = b;
            cap = grown;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = ladle_error_set(err, LADLE_E_INPUT, "%s: read failed: %s (at byte %zu)", path,
                                 strerror(errno), len);
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > LADLE_SEEDS_MAX_BYTES) {
            st = ladle_error_set(err, LADLE_E_INPUT,
                                 "%s: seed file larger than %zu MiB (the --seeds limit)", path,
                                 LADLE_SEEDS_MAX_BYTES >> 20);
            break;
        }
    }
    close(fd);
    uint64_t line_no = 0;
    for (size_t at = 0; st == LADLE_OK && at < len;) {
        const char *nl = memchr(buf + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - buf) : len, n = end - at;
        line_no++;
        while (n && buf[at + n - 1] == '\r')
            n--;
        if (n && !ladle_vmap_put(&cfg->state->plan->frontier, buf + at, n, NULL))
            st = ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", path);
        else if (cfg->state->plan->frontier.count > LADLE_SEEDS_MAX_KEYS)
            st = ladle_error_set(err, LADLE_E_INPUT,
                                 "%s: more than %u seed keys (the --seeds limit; line %llu)", path,
                                 (unsigned)LADLE_SEEDS_MAX_KEYS, (unsigned long long)line_no);
        at = end + 1;
    }
    free(buf);
    if (st == LADLE_OK)
        st = ladle_snowball_cap_seeds(cfg->state->plan, cfg, err);
    return st;
}

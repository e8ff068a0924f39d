/*
 * passes.c -- multi-pass designs (see passes.h).
 */
#include "pipeline/passes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sample/plan.h"
#include "sample/sampler.h"
#include "split/assign.h"

/* The design of each pass; NULL when there is none left. */
static const struct ladle_sampler_ops *pass_design(const struct ladle_config *cfg, unsigned pass)
{
    switch (cfg->design) {
    case LADLE_DESIGN_STRATIFIED:
        if (cfg->per_stratum)
            return pass == 0 ? &ladle_sampler_strata : NULL;
        return pass == 0                                       ? &ladle_sampler_strata_count
               : pass == 1 && cfg->plan->strata_second_pass ? &ladle_sampler_strata
                                                            : NULL;
    case LADLE_DESIGN_CLUSTER: {
        const struct ladle_sampler_ops *sample =
            cfg->within_size ? &ladle_sampler_cluster_groups : &ladle_sampler_cluster;
        if (cfg->clusters)
            return pass == 0 ? &ladle_sampler_cluster_keys : pass == 1 ? sample : NULL;
        return pass == 0 ? sample : NULL;
    }
    case LADLE_DESIGN_SNOWBALL:
        return pass <= cfg->waves && cfg->plan->frontier.count ? &ladle_sampler_snowball : NULL;
    default:
        return pass == 0 ? ladle_sampler_for(cfg->design) : NULL;
    }
}

/* A split with a label counts its classes in a first round of passes. */
static int split_rounds(const struct ladle_config *cfg)
{
    return cfg->split && cfg->split->label ? 2 : 1;
}

static int needs_passes(const struct ladle_config *cfg)
{
    if (split_rounds(cfg) > 1)
        return 1;
    /* Stratified -n may need its second pass (known only after the first). */
    return cfg->design == LADLE_DESIGN_SNOWBALL ||
           (cfg->design == LADLE_DESIGN_STRATIFIED && !cfg->per_stratum) ||
           pass_design(cfg, 1) != NULL;
}

/* Copies a pipe or stdin to an unlinked temporary file; returns its fd. */
static int spool(const char *path, const char *name, const struct ladle_config *cfg,
                 const atomic_int *cancel,
                 struct ladle_error *err)
{
    int in = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
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
    if (!buf) {
        ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", name);
        goto fail;
    }
    for (;;) {
        ssize_t n = read(in, buf, SPOOL_BUF);
        if (n < 0 && errno == EINTR) {
            /* A signal interrupts a read from a silent pipe: stop if it was ours. */
            if (cancel && atomic_load(cancel)) {
                ladle_error_set(err, LADLE_E_INTERRUPTED, "interrupted");
                goto fail;
            }
            continue;
        }
        if (n < 0) {
            ladle_error_set(err, LADLE_E_INPUT, "%s: read failed: %s (at byte %llu)", name,
                            strerror(errno), total);
            goto fail;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot spool to a temporary file: %s",
                                name, strerror(errno));
                goto fail;
            }
            off += w;
        }
        total += (unsigned long long)n;
    }
    free(buf);
    if (in != STDIN_FILENO)
        close(in);
    if (cfg->notify) {
        char line[512];
        snprintf(line, sizeof line, "%s: spooled %llu bytes to a temporary file to read it twice",
                 name, total);
        cfg->notify(cfg->notify_arg, line);
    }
    return fd;
fail:
    free(buf);
    if (in != STDIN_FILENO)
        close(in);
    if (fd >= 0)
        close(fd);
    return -1;
}

/* Every pass of the design, once over the inputs each. */
static ladle_status design_passes(struct ladle_config *cfg, const struct ladle_pipeline_io *io,
                                  struct ladle_pipeline_io *pio, struct ladle_error *err,
                                  ladle_report *total, int *output_closed)
{
    ladle_status st = LADLE_OK;
    const struct ladle_sampler_ops *design;
    memset(total, 0, sizeof *total);
    for (unsigned pass = 0; (design = pass_design(cfg, pass)) != NULL; pass++) {
        /* Passes that only gather write nothing. Every snowball wave writes,
         * and so does stratified's first pass, which may finish the sample. */
        int sequel = cfg->design == LADLE_DESIGN_SNOWBALL || cfg->design == LADLE_DESIGN_STRATIFIED;
        int writes = sequel || pass_design(cfg, pass + 1) == NULL;
        pio->out_fd = writes ? io->out_fd : -1;
        /* One --header line, written by the first pass that writes. */
        pio->skip_header = sequel && pass > 0;
        ladle_report rep;
        st = ladle_pipeline_run(cfg, design, pio, err, &rep, output_closed);
        total->records_in = rep.records_in;
        /* Snowball counts a record without a usable field in one wave only;
         * the other designs count every pass's records again. */
        total->records_missing = cfg->design == LADLE_DESIGN_SNOWBALL
                                     ? total->records_missing + rep.records_missing
                                     : rep.records_missing;
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
                if ((fds[i] = spool(io->paths[i], io->names[i], cfg, io->cancel, err)) < 0) {
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
    }
    ladle_report total;
    for (int round = 0, rounds = split_rounds(cfg); round < rounds; round++) {
        if (rounds > 1) {
            cfg->split_state->counting = round == 0;
            if (round == 1)
                ladle_split_state_plan(cfg->split_state);
        }
        st = design_passes(cfg, io, &pio, err, &total, output_closed);
        if (st != LADLE_OK || *output_closed)
            break;
    }
    if (report)
        *report = total;
out:
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
                                     struct ladle_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return ladle_error_set(err, LADLE_E_INPUT, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    ladle_status st = LADLE_OK;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n && !ladle_vmap_put(&cfg->plan->frontier, line, (size_t)n, NULL)) {
            st = ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", path);
            break;
        }
    }
    if (st == LADLE_OK && ferror(f))
        st = ladle_error_set(err, LADLE_E_INPUT, "%s: read failed", path);
    free(line);
    fclose(f);
    return st;
}

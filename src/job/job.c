/*
 * job.c -- the public job API (include/ladle/ladle.h): parameters are
 * validated here, once, so the pipeline and samplers can trust them.
 * The setters (ladle_job_set*) are in job_set.c.
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/error.h"
#include "field/field.h"
#include "sample/fractions.h"
#include "ladle/ladle.h"
#include "job/designs.h"
#include "job/job_internal.h"
#include "job/passes.h"
#include "engine/pipeline.h"
#include "job/format_pick.h"
#include "out/record_sink.h"
#include "job/split_run.h"
#include "job/split_append.h"
#include "job/merge_run.h"
#include "job/state_run.h"
#include "sample/plan.h"
#include "job/probe.h"
#include "job/part_plan.h"
#include <fcntl.h>

const char *ladle_version(void)
{
    return LADLE_VERSION;
}

ladle_job *ladle_job_new(void)
{
    ladle_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->cfg.state = &j->state; /* design 0 (calloc): none, every record */
    j->cfg.engine.chunk_size = LADLE_DEFAULT_CHUNK_SIZE;
    j->cfg.engine.max_record = LADLE_DEFAULT_MAX_RECORD;
    j->cfg.engine.io_mode = LADLE_IO_AUTO;
    j->cfg.params.start = -1;
    j->cfg.params.within_rate = 1.0;
    j->cfg.params.top = 10;
    j->cfg.params.width = 40;
    j->cfg.params.waves = 2;
    j->cfg.params.min_per_stratum = 1;
    j->cfg.params.format = LADLE_FORMAT_AUTO;
    j->shard_size = (uint64_t)256 << 20;
    j->level = 3;
    atomic_init(&j->cancel, 0);
    ladle_error_init(&j->err);
    return j;
}

void ladle_job_free(ladle_job *j)
{
    if (!j)
        return;
    for (uint32_t i = 0; i < j->count; i++) {
        free(j->paths[i]);
        free(j->names[i]);
    }
    free(j->paths);
    free(j->names);
    free(j->field_spec);
    free(j->link_spec);
    free(j->seeds_path);
    free(j->state_path);
    ladle_field_free(j->field);
    ladle_field_free(j->field_to);
    for (unsigned k = 0; k < j->nmore; k++) {
        free(j->more_specs[k]);
        ladle_field_free(j->more[k]);
    }
    ladle_fractions_free(j->fractions);
    for (size_t i = 0; i < sizeof j->split_str / sizeof j->split_str[0]; i++)
        free(j->split_str[i]);
    for (int i = 0; i < j->argc; i++)
        free(j->argv[i]);
    free(j->argv);
    free(j->summary);
    free(j->notes);
    free(j->source_name);
    free(j->source_prefix);
    free(j->license);
    free(j);
}

static ladle_status prepare_design(ladle_job *j, const struct ladle_design_row *row)
{
    struct ladle_config *c = &j->cfg;
    struct ladle_design_given given = {
        .params = &c->params,
        .field = j->field_spec != NULL,
        .link = j->link_spec != NULL,
        .seeds = j->seeds_path != NULL,
    };
    ladle_status checked = ladle_design_check(row, &given, &j->err);
    if (checked != LADLE_OK)
        return checked;
    c->params.output_limit = row->flags & LADLE_DF_STOPS_AT_N ? c->params.n : UINT64_MAX;
    c->params.extra_column = c->params.emit_weight ? "_weight"
                             : c->params.emit_wave ? "_wave"
                                                   : NULL;
    if (j->field_spec && !j->field) {
        ladle_status st =
            ladle_field_compile(&j->field, j->field_spec, (enum ladle_format)c->params.format,
                                c->params.delim, &j->err);
        if (st != LADLE_OK)
            return st;
    }
    if (j->link_spec && !j->field) {
        ladle_status st =
            ladle_field_compile_link(&j->field, &j->field_to, j->link_spec,
                                     (enum ladle_format)c->params.format, c->params.delim, &j->err);
        if (st != LADLE_OK)
            return st;
    }
    if (j->nmore && (!j->field_spec || row->id != LADLE_DESIGN_STATS))
        return ladle_job_usage(
            j, "more fields (ladle_job_add_field) go with the stats design and a field");
    for (unsigned k = 0; k < j->nmore; k++)
        if (!j->more[k]) {
            ladle_status st =
                ladle_field_compile(&j->more[k], j->more_specs[k],
                                    (enum ladle_format)c->params.format, c->params.delim, &j->err);
            if (st != LADLE_OK)
                return st;
        }
    const struct ladle_field *fields[2 + LADLE_STATS_MORE_FIELDS] = {j->field, j->field_to};
    for (unsigned k = 0; k < j->nmore; k++)
        fields[2 + k] = j->more[k];
    for (unsigned k = 0; k < 2 + j->nmore; k++)
        if (fields[k] && ladle_field_needs_header(fields[k]) && !c->engine.header)
            return ladle_error_set(&j->err, LADLE_E_USAGE,
                                   "field '%s' names a column: it needs --header",
                                   ladle_field_spec(fields[k]));
    c->params.field = j->field;
    c->params.field_to = j->field_to;
    c->params.more_fields = (const struct ladle_field *const *)j->more;
    c->params.nmore_fields = j->nmore;
    return LADLE_OK;
}

ladle_status ladle_job_add_field(ladle_job *j, const char *spec)
{
    if (j->nmore == LADLE_STATS_MORE_FIELDS)
        return ladle_job_usage(j, "too many fields (16 at most)");
    if (!(j->more_specs[j->nmore] = strdup(spec)))
        return ladle_error_set(&j->err, LADLE_E_INTERNAL, "out of memory");
    j->nmore++;
    return LADLE_OK;
}

ladle_status ladle_job_add_input(ladle_job *j, const char *path)
{
    if (j->count == UINT32_MAX)
        return ladle_job_usage(j, "too many inputs");
    if (j->count == j->cap) {
        uint32_t cap = j->cap ? j->cap * 2 : 8;
        char **p = realloc(j->paths, cap * sizeof *p);
        if (p)
            j->paths = p;
        char **n = realloc(j->names, cap * sizeof *n);
        if (n)
            j->names = n;
        if (!p || !n)
            return ladle_error_set(&j->err, LADLE_E_INTERNAL, "out of memory");
        j->cap = cap;
    }
    char *path_copy = strdup(path);
    char *name_copy = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    if (!path_copy || !name_copy) {
        free(path_copy);
        free(name_copy);
        return ladle_error_set(&j->err, LADLE_E_INTERNAL, "out of memory");
    }
    j->paths[j->count] = path_copy;
    j->names[j->count] = name_copy;
    j->count++;
    return LADLE_OK;
}

ladle_status ladle_job_add_state(ladle_job *j, const char *path)
{
    j->merging = 1;
    return ladle_job_add_input(j, path);
}

void ladle_job_set_notify(ladle_job *j, void (*fn)(void *arg, const char *line), void *arg)
{
    j->cfg.engine.notify = fn;
    j->cfg.engine.notify_arg = arg;
}

void ladle_job_set_progress(ladle_job *j, void (*fn)(void *arg, const ladle_progress *p), void *arg)
{
    j->cfg.engine.progress = fn;
    j->cfg.engine.progress_arg = arg;
}

/* Designs whose parts' outputs, one after the other, are one run's: each
 * record's fate is its own. */
static int part_concatenates(const struct ladle_config *cfg)
{
    const struct ladle_design_params *p = &cfg->params;
    if (p->shuffle)
        return 0;
    return p->design == LADLE_DESIGN_BERNOULLI || p->design == LADLE_DESIGN_FRACTIONS ||
           (p->design == LADLE_DESIGN_CLUSTER && !p->clusters && !p->within_size);
}

/* --part: io narrowed to this part's inputs and ranges (pp owns them);
 * with --state the part's output is its state only (*null_fd: /dev/null). */
static ladle_status part_begin(ladle_job *j, struct ladle_pipeline_io *io,
                               struct ladle_part_plan *pp, int dataset, int *null_fd)
{
    if (j->merging)
        return ladle_job_usage(j, "--part does not go with ladle merge: merge the parts' states");
    int design = j->cfg.params.design;
    if (design == LADLE_DESIGN_SYSTEMATIC || design == LADLE_DESIGN_SNOWBALL)
        return ladle_job_usage(j, design == LADLE_DESIGN_SYSTEMATIC
                                      ? "--part does not go with --every: its picks count the "
                                        "records before them, which another part reads"
                                      : "--part does not go with --snowball: each wave needs "
                                        "every record");
    if (dataset && (*ladle_job_split_slot(j, LADLE_S_STRATIFY) ||
                    *ladle_job_split_slot(j, LADLE_S_BALANCE) || j->append))
        return ladle_job_usage(j, "--part does not go with --stratify, --balance or --append: "
                                  "their classes are counted over every record");
    if (!j->state_path && !dataset && j->cfg.engine.header)
        return ladle_job_usage(j, "--part with --header needs --state PART.st: each part would "
                                  "print the header line; ladle merge prints it once");
    if (!j->state_path && !dataset && !part_concatenates(&j->cfg))
        return ladle_job_usage(j, "--part with this design needs --state PART.st: ladle merge "
                                  "of the parts' states prints what one run prints");
    ladle_status st = ladle_part_plan_make(pp, io->paths, io->names, io->count, j->part_k,
                                           j->part_n, &j->cfg, &j->err);
    if (st != LADLE_OK)
        return st;
    io->paths = pp->paths;
    io->names = pp->names;
    io->count = pp->count;
    if (!j->state_path)
        io->starts = pp->ranges; /* --state puts them with its sources */
    else if ((*null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
        return ladle_error_set(&j->err, LADLE_E_OUTPUT, "/dev/null: cannot open it");
    else
        io->out_fd = *null_fd;
    return LADLE_OK;
}

ladle_status ladle_job_run(ladle_job *j, int out_fd, ladle_report *report)
{
    return ladle_job_run_to(j, out_fd, NULL, report);
}

/* check-tree: long (checks, then one request per kind of run, field by field) */
ladle_status ladle_job_run_to(ladle_job *j, int out_fd, struct ladle_record_sink *sink,
                              ladle_report *report)
{
    ladle_error_init(&j->err);
    j->output_closed = 0;
    const char *dir = *ladle_job_split_slot(j, LADLE_S_OUTPUT_DIR);
    if (j->append && !dir)
        return ladle_job_usage(j, "--append goes with -o DIR");
    if (j->append && ladle_split_append_settings(j, dir) != LADLE_OK)
        return ladle_error_status(&j->err);
    const struct ladle_design_row *row = ladle_design_of(&j->cfg);
    if ((row->flags & LADLE_DF_SPLIT_ONLY) && !(dir && *ladle_job_split_slot(j, LADLE_S_RATIOS)))
        return ladle_job_usage(j, "no sampling design chosen (--rate, -n, --head or --every)");
    if (dir && (j->state_path || j->merging))
        return ladle_job_usage(j,
                               "--state does not go with -o DIR: a dataset cannot carry over yet");
    const char *specs[] = {j->field_spec,
                           j->link_spec,
                           *ladle_job_split_slot(j, LADLE_S_BY),
                           *ladle_job_split_slot(j, LADLE_S_TIME_FIELD),
                           *ladle_job_split_slot(j, LADLE_S_STRATIFY),
                           *ladle_job_split_slot(j, LADLE_S_BALANCE)};
    ladle_status prep =
        ladle_format_pick(&j->cfg, (const char *const *)j->paths, j->merging ? 0 : j->count, specs,
                          sizeof specs / sizeof specs[0], &j->err);
    if (prep == LADLE_OK)
        prep = prepare_design(j, row);
    if (sink)
        sink->csv_delim = j->cfg.engine.csv_delim;
    if (prep != LADLE_OK)
        return prep;
    if (j->count == 0 && ladle_job_add_input(j, "-") != LADLE_OK)
        return ladle_error_status(&j->err);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    j->cfg.engine.threads = j->threads_asked ? j->threads_asked : (cpus > 0 ? (unsigned)cpus : 1);
    struct ladle_pipeline_io io = {
        .paths = (const char *const *)j->paths,
        .names = (const char *const *)j->names,
        .count = j->count,
        /* A dataset run writes its shards, never the fd, so a host may pass
         * -1; the engine reads out_fd < 0 as "a pass that only gathers". An
         * fd that cannot be open stands in: a stray write would fail. */
        .out_fd = dir && out_fd < 0 ? INT_MAX : out_fd,
        .cancel = &j->cancel,
        .sink = sink,
    };
    struct ladle_part_plan part;
    memset(&part, 0, sizeof part);
    int null_fd = -1;
    if (j->part_n && part_begin(j, &io, &part, dir != NULL, &null_fd) != LADLE_OK) {
        ladle_part_plan_free(&part);
        return ladle_error_status(&j->err);
    }
    /* Every input's source id, and no two alike, before anything is written. */
    struct ladle_probe_opts po = {j->source_name, (enum ladle_stem_mode)j->source_stem,
                                  j->source_prefix,
                                  row->id == LADLE_DESIGN_STATS && !j->state_path};
    struct ladle_probe probe;
    ladle_status st = ladle_probe_run(&probe, &j->cfg, io.paths, io.names,
                                      j->merging ? 0 : io.count, &po, &j->cancel, &j->err);
    io.source_ids = probe.ids;
    io.opened = (struct ladle_source *const *)probe.opened;
    ladle_plan_init(&j->plan);
    j->cfg.state->plan = &j->plan;
    if (st == LADLE_OK && (row->flags & LADLE_DF_SEEDS))
        st = ladle_passes_load_seeds(&j->cfg, j->seeds_path, &j->cancel, &j->err);
    free(j->summary);
    j->summary = NULL;
    free(j->notes);
    j->notes = NULL;
    if (st == LADLE_OK && dir) {
        const char *ratios = *ladle_job_split_slot(j, LADLE_S_RATIOS);
        struct ladle_split_request q = {
            .dir = dir,
            .ratios = ratios ? ratios : "sample=1",
            .by = *ladle_job_split_slot(j, LADLE_S_BY),
            .time_field = *ladle_job_split_slot(j, LADLE_S_TIME_FIELD),
            .cutoffs = *ladle_job_split_slot(j, LADLE_S_CUTOFFS),
            .stratify = *ladle_job_split_slot(j, LADLE_S_STRATIFY),
            .balance = *ladle_job_split_slot(j, LADLE_S_BALANCE),
            .balance_mode = *ladle_job_split_slot(j, LADLE_S_BALANCE_MODE),
            .balance_splits = *ladle_job_split_slot(j, LADLE_S_BALANCE_SPLITS),
            .time_format = *ladle_job_split_slot(j, LADLE_S_TIME_FORMAT),
            .tz = *ladle_job_split_slot(j, LADLE_S_TZ),
            .shard_size = j->shard_size,
            .shard_records = j->shard_records,
            .level = j->level,
            .force = j->force,
            .allow_empty = j->allow_empty,
            .argc = j->argc,
            .argv = (const char *const *)j->argv,
            .append = j->append,
            .probe = &probe,
            .design = row->name,
            .stem_path = j->source_stem == LADLE_STEM_PATH,
            .source_prefix = j->source_prefix,
            .part_k = j->part_k,
            .part_n = j->part_n,
            .part_job = part.job,
            .license = j->license,
        };
        st = ladle_split_run(&j->cfg, &q, &io, &j->err, report, &j->output_closed, &j->summary,
                             &j->notes);
    } else if (st == LADLE_OK && j->merging) {
        io.count = 0;
        st = ladle_job_merge_run(&j->cfg, j->field_spec, &io, &probe, io.paths, j->count,
                                 j->state_path, &j->err, report, &j->output_closed);
    } else if (st == LADLE_OK && j->state_path) {
        st = ladle_job_state_run(&j->cfg, j->field_spec, &io, &probe, j->state_path,
                                 j->part_n ? &part : NULL, &j->err, report, &j->output_closed);
    } else if (st == LADLE_OK) {
        st = ladle_passes_run(&j->cfg, &io, &j->err, report, &j->output_closed);
    }
    ladle_probe_free(&probe);
    ladle_part_plan_free(&part);
    if (null_fd >= 0)
        close(null_fd);
    ladle_plan_free(&j->plan);
    j->cfg.state->plan = NULL;
    return st;
}

int ladle_job_output_closed(const ladle_job *j)
{
    return j->output_closed;
}

void ladle_job_cancel(ladle_job *j)
{
    atomic_store(&j->cancel, 1);
}

const char *ladle_job_error(const ladle_job *j)
{
    return j->err.msg;
}

ladle_status ladle_job_set_command(ladle_job *j, int argc, const char *const *argv)
{
    char **v = calloc((size_t)(argc > 0 ? argc : 1), sizeof *v);
    if (!v)
        return ladle_error_set(&j->err, LADLE_E_INTERNAL, "out of memory");
    for (int i = 0; i < argc; i++)
        if (!(v[i] = strdup(argv[i]))) {
            for (int k = 0; k < i; k++)
                free(v[k]);
            free(v);
            return ladle_error_set(&j->err, LADLE_E_INTERNAL, "out of memory");
        }
    for (int i = 0; i < j->argc; i++)
        free(j->argv[i]);
    free(j->argv);
    j->argv = v;
    j->argc = argc;
    return LADLE_OK;
}

const char *ladle_job_split_notes(const ladle_job *j)
{
    return j->notes;
}

const char *ladle_job_split_summary(const ladle_job *j)
{
    return j->summary;
}

struct ladle_config *ladle_job_config(ladle_job *j)
{
    return &j->cfg;
}

struct ladle_error *ladle_job_err(ladle_job *j)
{
    return &j->err;
}

int ladle_job_writes_dataset(ladle_job *j)
{
    return *ladle_job_split_slot(j, LADLE_S_OUTPUT_DIR) != NULL;
}

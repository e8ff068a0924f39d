/*
 * job.c -- the public job API (include/ladle/ladle.h): parameters are
 * validated here, once, so the pipeline and samplers can trust them.
 * check-tree: long (609 lines once --state and the source identity met here;
 * the setters move to their own file with the next step of issue 10)
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

struct ladle_job {
    struct ladle_config cfg;
    unsigned threads_asked; /* 0 = online CPUs */
    char **paths;           /* owns */
    char **names;           /* owns */
    uint32_t count, cap;
    char *field_spec;          /* owns: compiled at run time, once format and -d are known */
    struct ladle_field *field; /* owns */
    struct ladle_fractions *fractions; /* owns */
    char *link_spec;                   /* owns: snowball FROM:TO */
    char *seeds_path;                  /* owns: snowball seed keys */
    char *state_path;                  /* owns: --state FILE */
    int merging;                       /* ladle merge: the inputs are state files */
    struct ladle_field *field_to;      /* owns */
    struct ladle_plan plan;            /* what multi-pass designs carry between passes */
    struct ladle_run_state state;      /* cfg.state points here */
    /* Datasets: LADLE_S_OUTPUT_DIR .. LADLE_S_TZ, owned copies. */
    char *split_str[LADLE_S_TZ - LADLE_S_OUTPUT_DIR + 1];
    uint64_t shard_size, shard_records;
    int level, force, allow_empty;
    int append;  /* split --append */
    char **argv; /* owns: the command line for the manifest */
    int argc;
    char *summary; /* owns */
    char *notes;   /* owns: a dataset run's lines for the user */
    atomic_int cancel;
    int output_closed;
    struct ladle_error err;

    /* ladle stats: fields after field_spec (ladle_job_add_field) */
    char *more_specs[LADLE_STATS_MORE_FIELDS];         /* owns */
    struct ladle_field *more[LADLE_STATS_MORE_FIELDS]; /* owns, compiled at run time */
    unsigned nmore;
    char *source_name, *source_prefix; /* owns: source identity (job/probe.h) */
    int source_stem;                   /* enum ladle_stem_mode */
};

/* The slot of a dataset setting (LADLE_S_OUTPUT_DIR .. LADLE_S_TZ): NULL until set. */
static char **split_opt(ladle_job *j, ladle_string_param p)
{
    return &j->split_str[p - LADLE_S_OUTPUT_DIR];
}

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
    free(j);
}

static ladle_status bad(ladle_job *j, const char *what)
{
    return ladle_error_set(&j->err, LADLE_E_USAGE, "%s", what);
}

ladle_status ladle_job_set(ladle_job *j, ladle_param p, int64_t v)
{
    switch (p) {
    case LADLE_P_DESIGN:
        if (!ladle_design_find(v))
            return bad(j, "unknown sampling design");
        j->cfg.params.design = (ladle_design)v;
        return LADLE_OK;
    case LADLE_P_N:
        if (v < 0)
            return bad(j, "sample size must not be negative");
        j->cfg.params.n = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_SEED: j->cfg.params.seed = (uint64_t)v; return LADLE_OK;
    case LADLE_P_SHUFFLE: j->cfg.params.shuffle = v != 0; return LADLE_OK;
    case LADLE_P_THREADS:
        if (v < 0 || v > 1024)
            return bad(j, "threads must be 0 (all CPUs) to 1024");
        j->threads_asked = (unsigned)v;
        return LADLE_OK;
    case LADLE_P_CHUNK_SIZE:
        if (v < 1 || v > ((int64_t)1 << 30))
            return bad(j, "chunk size must be 1 byte to 1 GiB");
        j->cfg.engine.chunk_size = (size_t)v;
        return LADLE_OK;
    case LADLE_P_MAX_RECORD:
        if (v < 1 || v > ((int64_t)1 << 30))
            return bad(j, "max record must be 1 byte to 1 GiB");
        j->cfg.engine.max_record = (size_t)v;
        return LADLE_OK;
    case LADLE_P_HEADER: j->cfg.engine.header = v != 0; return LADLE_OK;
    case LADLE_P_ZSTD_LONG: j->cfg.engine.zstd_long = v != 0; return LADLE_OK;
    case LADLE_P_DROP_CACHE: j->cfg.engine.drop_cache = v != 0; return LADLE_OK;
    case LADLE_P_EVERY:
        if (v < 1)
            return bad(j, "--every must be at least 1");
        j->cfg.params.every = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_START:
        if (v < -1)
            return bad(j, "--start must not be negative");
        j->cfg.params.start = v;
        return LADLE_OK;
    case LADLE_P_TOP:
        if (v < 0)
            return bad(j, "--top must not be negative");
        j->cfg.params.top = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_MIN_PER_STRATUM:
        if (v < 0)
            return bad(j, "--min-per-stratum must not be negative");
        j->cfg.params.min_per_stratum = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_PER_STRATUM:
    case LADLE_P_CLUSTERS:
    case LADLE_P_WITHIN_SIZE:
    case LADLE_P_WAVES:
    case LADLE_P_MAX_NODES:
        if (v < 0)
            return bad(j, "a count must not be negative");
        *(p == LADLE_P_PER_STRATUM   ? &j->cfg.params.per_stratum
          : p == LADLE_P_CLUSTERS    ? &j->cfg.params.clusters
          : p == LADLE_P_WITHIN_SIZE ? &j->cfg.params.within_size
          : p == LADLE_P_WAVES       ? &j->cfg.params.waves
                                     : &j->cfg.params.max_nodes) = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_BARS: j->cfg.params.bars = v != 0; return LADLE_OK;
    case LADLE_P_STATS_OUTPUT:
        if (v < 0 || v > 2)
            return bad(j, "stats output must be 0 (table), 1 (JSON) or 2 (TSV)");
        j->cfg.params.stats_output = (int)v;
        return LADLE_OK;
    case LADLE_P_STATS_WIDTH:
        if (v < 1 || v > 1000000)
            return bad(j, "--width must be 1 to 1000000");
        j->cfg.params.width = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_EMIT_WAVE: j->cfg.params.emit_wave = v != 0; return LADLE_OK;
    case LADLE_P_EMIT_WEIGHT: j->cfg.params.emit_weight = v != 0; return LADLE_OK;
    case LADLE_P_MISSING:
        if (v < LADLE_MISSING_SKIP || v > LADLE_MISSING_KEEP)
            return bad(j, "--missing must be skip, error or keep");
        j->cfg.params.missing = (ladle_missing)v;
        return LADLE_OK;
    case LADLE_P_MALFORMED:
        if (v < LADLE_MALFORMED_ERROR || v > LADLE_MALFORMED_SKIP)
            return bad(j, "--malformed must be skip or error");
        j->cfg.params.malformed = (ladle_malformed)v;
        return LADLE_OK;
    case LADLE_P_SHARD_SIZE:
        if (v < 1)
            return bad(j, "--shard-size must be at least 1 byte");
        j->shard_size = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_SHARD_RECORDS:
        if (v < 0)
            return bad(j, "--shard-records must not be negative");
        j->shard_records = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_LEVEL:
        if (v < 1 || v > 19)
            return bad(j, "--level must be 1 to 19");
        j->level = (int)v;
        return LADLE_OK;
    case LADLE_P_FORCE: j->force = v != 0; return LADLE_OK;
    case LADLE_P_APPEND: j->append = v != 0; return LADLE_OK;
    case LADLE_P_ALLOW_EMPTY: j->allow_empty = v != 0; return LADLE_OK;
    case LADLE_P_IO_MODE:
        if (v < LADLE_IO_AUTO || v > LADLE_IO_PREAD)
            return bad(j, "unknown io mode");
        j->cfg.engine.io_mode = (ladle_io_mode)v;
        return LADLE_OK;
    case LADLE_P_SOURCE_STEM:
        j->source_stem = v ? LADLE_STEM_PATH : LADLE_STEM_NAME;
        return LADLE_OK;
    }
    return bad(j, "unknown parameter");
}

ladle_status ladle_job_set_rate(ladle_job *j, double rate)
{
    return ladle_job_set_double(j, LADLE_D_RATE, rate);
}

ladle_status ladle_job_set_double(ladle_job *j, ladle_double_param p, double v)
{
    if (!(v >= 0.0 && v <= 1.0))
        return bad(j, "a rate must be a probability between 0 and 1");
    switch (p) {
    case LADLE_D_RATE: j->cfg.params.rate = v; return LADLE_OK;
    case LADLE_D_WITHIN_RATE: j->cfg.params.within_rate = v; return LADLE_OK;
    }
    return bad(j, "unknown parameter");
}

ladle_status ladle_job_set_string(ladle_job *j, ladle_string_param p, const char *v)
{
    switch (p) {
    case LADLE_S_FIELD:
    case LADLE_S_LINK:
    case LADLE_S_SEEDS:
    case LADLE_S_STATE:
    case LADLE_S_SOURCE_NAME:
    case LADLE_S_SOURCE_PREFIX: {
        char **slot = p == LADLE_S_FIELD         ? &j->field_spec
                      : p == LADLE_S_LINK        ? &j->link_spec
                      : p == LADLE_S_SEEDS       ? &j->seeds_path
                      : p == LADLE_S_STATE       ? &j->state_path
                      : p == LADLE_S_SOURCE_NAME ? &j->source_name
                                                 : &j->source_prefix;
        if (p == LADLE_S_SOURCE_NAME && *slot)
            return bad(j, "--source-name given twice: it names stdin, the one input '-'");
        char *copy = strdup(v);
        if (!copy)
            return ladle_error_set(&j->err, LADLE_E_INTERNAL, "out of memory");
        free(*slot);
        *slot = copy;
        return LADLE_OK;
    }
    case LADLE_S_OUTPUT_DIR:
    case LADLE_S_RATIOS:
    case LADLE_S_BY:
    case LADLE_S_TIME_FIELD:
    case LADLE_S_CUTOFFS:
    case LADLE_S_STRATIFY:
    case LADLE_S_BALANCE:
    case LADLE_S_BALANCE_MODE:
    case LADLE_S_BALANCE_SPLITS:
    case LADLE_S_TIME_FORMAT:
    case LADLE_S_TZ: {
        char *copy = strdup(v);
        if (!copy)
            return ladle_error_set(&j->err, LADLE_E_INTERNAL, "out of memory");
        free(*split_opt(j, p));
        *split_opt(j, p) = copy;
        return LADLE_OK;
    }
    case LADLE_S_FORMAT: {
        enum ladle_format f;
        if (ladle_format_parse(v, &f) != 0)
            return ladle_error_set(&j->err, LADLE_E_USAGE,
                                   "--format: '%s' is not auto, lines, tsv, csv or json", v);
        j->cfg.params.format = (int)f;
        return LADLE_OK;
    }
    case LADLE_S_DELIM:
        if (strlen(v) != 1 || v[0] == '\n' || v[0] == '"')
            return ladle_error_set(&j->err, LADLE_E_USAGE, "-d: '%s' is not a one-byte delimiter",
                                   v);
        j->cfg.params.delim = v[0];
        return LADLE_OK;
    case LADLE_S_FRACTIONS: {
        char why[256];
        struct ladle_fractions *f;
        if (ladle_fractions_parse(v, &f, why, sizeof why) != 0)
            return ladle_error_set(&j->err, LADLE_E_USAGE, "--fractions: %s", why);
        ladle_fractions_free(j->fractions);
        j->fractions = f;
        j->cfg.params.fractions = f;
        return LADLE_OK;
    }
    }
    return bad(j, "unknown parameter");
}

ladle_status ladle_job_set_design(ladle_job *j, const char *name)
{
    const struct ladle_design_row *row = ladle_design_named(name);
    if (!row)
        return bad(j, "unknown sampling design");
    j->cfg.params.design = row->id;
    return LADLE_OK;
}

/* Checks that the design has what it needs (designs.c), and compiles its field. */
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
        return bad(j, "more fields (ladle_job_add_field) go with the stats design and a field");
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
        return bad(j, "too many fields (16 at most)");
    if (!(j->more_specs[j->nmore] = strdup(spec)))
        return ladle_error_set(&j->err, LADLE_E_INTERNAL, "out of memory");
    j->nmore++;
    return LADLE_OK;
}

ladle_status ladle_job_add_input(ladle_job *j, const char *path)
{
    if (j->count == UINT32_MAX)
        return bad(j, "too many inputs");
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

ladle_status ladle_job_run(ladle_job *j, int out_fd, ladle_report *report)
{
    return ladle_job_run_to(j, out_fd, NULL, report);
}

ladle_status ladle_job_run_to(ladle_job *j, int out_fd, struct ladle_record_sink *sink,
                              ladle_report *report)
{
    ladle_error_init(&j->err);
    j->output_closed = 0;
    const char *dir = *split_opt(j, LADLE_S_OUTPUT_DIR);
    if (j->append && !dir)
        return bad(j, "--append goes with -o DIR");
    if (j->append && ladle_split_append_settings(j, dir) != LADLE_OK)
        return ladle_error_status(&j->err);
    const struct ladle_design_row *row = ladle_design_of(&j->cfg);
    if ((row->flags & LADLE_DF_SPLIT_ONLY) && !(dir && *split_opt(j, LADLE_S_RATIOS)))
        return bad(j, "no sampling design chosen (--rate, -n, --head or --every)");
    if (dir && (j->state_path || j->merging))
        return bad(j, "--state does not go with -o DIR: a dataset cannot carry over yet");
    const char *specs[] = {j->field_spec,
                           j->link_spec,
                           *split_opt(j, LADLE_S_BY),
                           *split_opt(j, LADLE_S_TIME_FIELD),
                           *split_opt(j, LADLE_S_STRATIFY),
                           *split_opt(j, LADLE_S_BALANCE)};
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
    /* Every input's source id, and no two alike, before anything is written. */
    struct ladle_probe_opts po = {j->source_name, (enum ladle_stem_mode)j->source_stem,
                                  j->source_prefix,
                                  row->id == LADLE_DESIGN_STATS && !j->state_path};
    struct ladle_probe probe;
    ladle_status st = ladle_probe_run(&probe, &j->cfg, io.paths, io.names,
                                      j->merging ? 0 : j->count, &po, &j->cancel, &j->err);
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
        const char *ratios = *split_opt(j, LADLE_S_RATIOS);
        struct ladle_split_request q = {
            .dir = dir,
            .ratios = ratios ? ratios : "sample=1",
            .by = *split_opt(j, LADLE_S_BY),
            .time_field = *split_opt(j, LADLE_S_TIME_FIELD),
            .cutoffs = *split_opt(j, LADLE_S_CUTOFFS),
            .stratify = *split_opt(j, LADLE_S_STRATIFY),
            .balance = *split_opt(j, LADLE_S_BALANCE),
            .balance_mode = *split_opt(j, LADLE_S_BALANCE_MODE),
            .balance_splits = *split_opt(j, LADLE_S_BALANCE_SPLITS),
            .time_format = *split_opt(j, LADLE_S_TIME_FORMAT),
            .tz = *split_opt(j, LADLE_S_TZ),
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
        };
        st = ladle_split_run(&j->cfg, &q, &io, &j->err, report, &j->output_closed, &j->summary,
                             &j->notes);
    } else if (st == LADLE_OK && j->merging) {
        io.count = 0;
        st = ladle_job_merge_run(&j->cfg, j->field_spec, &io, &probe, io.paths, j->count,
                                 j->state_path, &j->err, report, &j->output_closed);
    } else if (st == LADLE_OK && j->state_path) {
        st = ladle_job_state_run(&j->cfg, j->field_spec, &io, &probe, j->state_path, &j->err,
                                 report, &j->output_closed);
    } else if (st == LADLE_OK) {
        st = ladle_passes_run(&j->cfg, &io, &j->err, report, &j->output_closed);
    }
    ladle_probe_free(&probe);
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
    return *split_opt(j, LADLE_S_OUTPUT_DIR) != NULL;
}

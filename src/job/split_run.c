/*
 * split_run.c -- one `ladle split` (or `ladle sample -o DIR`) from start
 * to commit: check the settings, open the dataset folder, run the passes
 * (a counting round first when a label is given), close the shards, write
 * the manifest, commit; on any failure, leave DIR as it was.
 */
#include "job/split_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "field/field.h"
#include "job/designs.h"
#include "job/passes.h"
#include "job/probe.h"
#include "job/split_append.h"
#include "shard/shards.h"
#include "split/assign.h"
#include "split/dataset.h"
#include "split/manifest.h"
#include "split/manifest_append.h"
#include "split/split.h"

/* Lines the dataset has to tell the user, gathered for the caller. */
static void add_note(void *arg, const char *line)
{
    char **notes = arg;
    size_t have = *notes ? strlen(*notes) : 0, n = strlen(line);
    char *p = realloc(*notes, have + n + 2);
    if (!p)
        return; /* a lost note is not worth failing a run for */
    memcpy(p + have, line, n);
    p[have + n] = '\n';
    p[have + n + 1] = '\0';
    *notes = p;
}

static ladle_status usage(struct ladle_error *err, const char *what)
{
    return ladle_error_set(err, LADLE_E_USAGE, "%s", what);
}

static ladle_status compile(const struct ladle_config *cfg, const char *spec,
                            struct ladle_field **out, struct ladle_error *err)
{
    ladle_status st = ladle_field_compile(out, spec, (enum ladle_format)cfg->params.format,
                                          cfg->params.delim, err);
    if (st == LADLE_OK && ladle_field_needs_header(*out) && !cfg->engine.header)
        return ladle_error_set(err, LADLE_E_USAGE, "field '%s' names a column: it needs --header",
                               spec);
    return st;
}

/* --time-field A[,B[,C]]: A into *first, the others into spec (a re:
 * pattern is one field, commas and all). */
static ladle_status compile_time_fields(const struct ladle_config *cfg, const char *text,
                                        struct ladle_split_spec *spec, struct ladle_field **first,
                                        struct ladle_error *err)
{
    char part[1024];
    const char *p = text;
    ladle_status st = LADLE_OK;
    for (unsigned k = 0; st == LADLE_OK; k++) {
        size_t n = strncmp(text, "re:", 3) == 0 ? strlen(p) : strcspn(p, ",");
        if (k == LADLE_TIME_PARTS || n == 0 || n >= sizeof part)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "--time-field: '%s' is not 1 to %d field names separated by "
                                   "commas",
                                   text, LADLE_TIME_PARTS);
        memcpy(part, p, n);
        part[n] = '\0';
        st = compile(cfg, part, k ? &spec->time_more[k - 1] : first, err);
        if (!p[n])
            break;
        p += n + 1;
    }
    spec->time_spec = text;
    return st;
}

/* What --append cannot do: a design that needs the whole population. */
static ladle_status append_refusals(const struct ladle_config *cfg,
                                    const struct ladle_split_request *q, struct ladle_error *err)
{
    if (q->stratify || q->balance)
        return usage(err, "--append cannot go with --stratify or --balance: they place records "
                          "by counts over the whole population, which an append does not see");
    if (ladle_design_multi_pass(cfg))
        return usage(err, "--append cannot go with a design that reads the input several times "
                          "(--strata with -n, --clusters, snowball): it needs the whole "
                          "population");
    if (cfg->params.design != LADLE_DESIGN_NONE)
        return usage(err, "--append adds every record of its inputs: a sampling design would "
                          "need the whole population (split all files again instead)");
    return LADLE_OK;
}

/* The settings: parsed into spec, fields compiled into by/label. */
static ladle_status prepare(struct ladle_config *cfg, const struct ladle_split_request *q,
                            struct ladle_split_spec *spec, struct ladle_field **by,
                            struct ladle_field **label, struct ladle_error *err)
{
    ladle_status st;
    if (q->append && (st = append_refusals(cfg, q, err)) != LADLE_OK)
        return st;
    if (q->time_field && q->by)
        return usage(err, "--by and --time-field do not go together (a time split groups by time)");
    if (q->cutoffs && !q->time_field)
        return usage(err, "--cutoffs needs --time-field FIELD");
    if (q->time_field && !q->cutoffs)
        return usage(err, "--time-field needs --cutoffs T1[,T2...]");
    if ((st = ladle_split_parse_ratios(spec, q->ratios, q->time_field != NULL, err)) != LADLE_OK)
        return st;
    if ((q->time_format || q->tz) && !q->time_field)
        return usage(err, "--time-format and --tz go with --time-field FIELD");
    if ((st = ladle_split_parse_time(spec, q->time_format, q->tz, err)) != LADLE_OK)
        return st;
    if (q->cutoffs && (st = ladle_split_parse_cutoffs(spec, q->cutoffs, err)) != LADLE_OK)
        return st;
    if (q->stratify && (q->by || q->time_field))
        return usage(err, "--stratify cannot be exact with --by or --time-field: give one");
    if (q->stratify && q->balance && strcmp(q->stratify, q->balance) != 0)
        return usage(err, "--stratify and --balance must name the same label field");
    if ((q->balance_mode || q->balance_splits) && !q->balance)
        return usage(err, "--balance-mode and --balance-splits go with --balance LABEL");
    if (q->balance) {
        if ((st = ladle_split_parse_balance(spec, q->balance_mode ? q->balance_mode : "under",
                                            err)) != LADLE_OK)
            return st;
        spec->balance_mask = 1; /* the first split (train) unless told otherwise */
        if (q->balance_splits &&
            (st = ladle_split_parse_balance_splits(spec, q->balance_splits, err)) != LADLE_OK)
            return st;
    }
    if (ladle_design_of(cfg)->ops->report)
        return usage(err, "ladle stats writes a report, not a dataset");
    if ((q->stratify || q->balance) && ladle_design_multi_pass(cfg))
        return usage(err, "--stratify and --balance do not combine with designs that read the "
                          "input several times (snowball, --strata with -n, --clusters)");
    if (q->by && (st = compile(cfg, q->by, by, err)) != LADLE_OK)
        return st;
    if (q->time_field && (st = compile_time_fields(cfg, q->time_field, spec, by, err)) != LADLE_OK)
        return st;
    const char *label_spec = q->stratify ? q->stratify : q->balance;
    if (label_spec && (st = compile(cfg, label_spec, label, err)) != LADLE_OK)
        return st;
    spec->by = *by;
    spec->label = *label;
    spec->stratify = q->stratify != NULL;
    return LADLE_OK;
}

static const char *extension(const struct ladle_config *cfg)
{
    switch ((enum ladle_format)cfg->params.format) {
    case LADLE_FORMAT_JSON: return "jsonl";
    case LADLE_FORMAT_TSV: return "tsv";
    case LADLE_FORMAT_CSV: return "csv";
    case LADLE_FORMAT_LINES: return "txt";
    default: return NULL; /* auto: from the first record written */
    }
}

/* A split with no record is almost always a mistake (a field that never
 * resolved, a cutoff outside the data, ratios too fine for the input): refuse
 * to commit it unless asked to (--allow-empty), so DIR stays as it was. */
static ladle_status refuse_empty(const struct ladle_split_state *state, const char *dir,
                                 const char *by, struct ladle_error *err)
{
    const struct ladle_split_spec *spec = state->spec;
    char names[256];
    size_t n = 0;
    unsigned empty = 0;
    uint64_t read = 0, missing = 0;
    for (unsigned k = 0; k < spec->count; k++) {
        if (state->records[k])
            continue;
        if (n < sizeof names)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s'%s'", empty ? ", " : "",
                                  spec->names[k]);
        empty++;
    }
    if (!empty)
        return LADLE_OK;
    for (uint32_t i = 0; i < state->ninputs; i++) {
        read += state->inputs[i].records;
        missing += state->inputs[i].missing;
    }
    char why[160] = "";
    if (missing && by)
        snprintf(why, sizeof why, ", %llu left out for want of field '%s'",
                 (unsigned long long)missing, by);
    else if (missing)
        snprintf(why, sizeof why, ", %llu left out for want of a field",
                 (unsigned long long)missing);
    return ladle_error_set(err, LADLE_E_INPUT,
                           "%s: split%s %s %s no record (%llu read%s); nothing committed, %s is "
                           "as it was (--allow-empty commits it anyway)",
                           dir, empty > 1 ? "s" : "", names, empty > 1 ? "have" : "has",
                           (unsigned long long)read, why, dir);
}

/* With a progress line: the final compression and the commit begin. */
static void say_commit(const struct ladle_config *cfg, const char *dir, unsigned splits)
{
    if (!cfg->engine.progress)
        return;
    ladle_progress p = {.phase = LADLE_PROGRESS_COMMIT, .what = dir, .splits = splits};
    cfg->engine.progress(cfg->engine.progress_arg, &p);
}

/* After the commit: "train 800, val 100, test 100" and the records written. */
static void tell_counts(const struct ladle_split_state *state, char **summary, ladle_report *report)
{
    const struct ladle_split_spec *spec = state->spec;
    if (summary) {
        size_t cap = 64 + spec->count * (LADLE_SPLIT_NAME_MAX + 24), n = 0;
        char *s = malloc(cap);
        if (s) {
            for (unsigned k = 0; k < spec->count; k++)
                n += (size_t)snprintf(s + n, cap - n, "%s%s %llu", k ? ", " : "", spec->names[k],
                                      (unsigned long long)state->records[k]);
            *summary = s;
        }
    }
    if (report) {
        report->records_out = 0;
        for (unsigned k = 0; k < spec->count; k++)
            report->records_out += state->records[k];
    }
}

/* The manifest after this run: its own, or DIR's with it appended. */
static char *manifest_text(const struct ladle_config *cfg, const struct ladle_split_request *q,
                           const struct ladle_pipeline_io *io,
                           const struct ladle_split_state *state, const struct ladle_shards *shards,
                           const struct ladle_field *by, const struct ladle_field *label,
                           const struct ladle_split_spec *spec, const uint32_t *first,
                           const json_t *old)
{
    char *manifest;
    struct ladle_manifest_args ma = {
        .version = LADLE_VERSION,
        .argc = q->argc,
        .argv = q->argv,
        .seed = cfg->params.seed,
        .ext = ladle_shards_ext(shards),
        .delim = cfg->params.delim,
        .header = cfg->engine.header,
        .by = spec->time_spec ? spec->time_spec
              : by            ? ladle_field_spec(by)
                              : NULL,
        .label = label ? ladle_field_spec(label) : NULL,
        .frame_size = LADLE_FRAME_SIZE,
        .paths = io->names,
        .state = state,
        .design = q->design,
        .ratios = q->ratios,
        .cutoffs = q->cutoffs,
        .time_format = q->time_format,
        .tz = q->tz,
        .shard_size = q->shard_size,
        .shard_records = q->shard_records,
        .level = q->level,
        .first_shard = first,
        .source_ids = q->probe ? q->probe->ids : NULL,
        .has_id = q->probe ? q->probe->has_id : NULL,
        .stems = q->probe ? (const char *const *)q->probe->stems : NULL,
        .fps = q->probe ? q->probe->fps : NULL,
        .stem_path = q->stem_path,
        .source_prefix = q->source_prefix,
        .part_k = q->part_k,
        .part_n = q->part_n,
        .part_job = q->part_job,
        .license = q->license,
    };
    if ((manifest = ladle_manifest_json(&ma)) && old) {
        char *joined = ladle_manifest_append(old, manifest);
        free(manifest);
        manifest = joined;
    }
    return manifest;
}

ladle_status ladle_split_run(struct ladle_config *cfg, const struct ladle_split_request *q,
                             const struct ladle_pipeline_io *io, struct ladle_error *err,
                             ladle_report *report, int *output_closed, char **summary, char **notes)
{
    struct ladle_split_spec *spec = calloc(1, sizeof *spec);
    struct ladle_field *by = NULL, *label = NULL;
    struct ladle_split_state state;
    struct ladle_dataset ds;
    struct ladle_shards *shards = NULL;
    char *manifest = NULL;
    json_t *old = NULL;
    uint32_t first[LADLE_SPLIT_MAX] = {0};
    int state_ready = 0, ds_open = 0;
    ladle_status st;
    memset(&ds, 0, sizeof ds);
    ds.dirfd = ds.tmpfd = -1;
    if (!spec) {
        st = ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
        goto out;
    }
    if ((st = prepare(cfg, q, spec, &by, &label, err)) != LADLE_OK)
        goto out;
    if ((st = ladle_split_state_init(&state, spec, cfg->params.seed, io->count, err)) != LADLE_OK)
        goto out;
    state_ready = 1;
    for (uint32_t i = 0; i < io->count; i++) {
        struct stat sb;
        if (strcmp(io->paths[i], "-") != 0 && stat(io->paths[i], &sb) == 0 && S_ISREG(sb.st_mode))
            state.inputs[i].size = (int64_t)sb.st_size;
    }
    ds_open = 1;
    if ((st = ladle_dataset_open(&ds, q->dir, q->force || q->append, spec, notes ? add_note : NULL,
                                 notes, err)) != LADLE_OK)
        goto out;
    if (q->append && (st = ladle_split_append_open(&old, ds.dirfd, ds.tmpfd, q->dir, spec, q->probe,
                                                   io->names, first, err)) != LADLE_OK)
        goto out;
    const char *names[LADLE_SPLIT_MAX];
    for (unsigned k = 0; k < spec->count; k++)
        names[k] = spec->names[k];
    struct ladle_shards_config sc = {
        .dirfd = ds.tmpfd,
        .dir_name = q->dir,
        .nsplits = spec->count,
        .names = names,
        .ext = extension(cfg),
        .shard_size = q->shard_size,
        .shard_records = q->shard_records,
        .frame_size = LADLE_FRAME_SIZE,
        .level = q->level,
        .helpers = cfg->engine.threads,
        .cancel = io->cancel,
        .first = first,
    };
    if ((st = ladle_shards_create(&shards, &sc, err)) != LADLE_OK)
        goto out;
    state.shards = shards;
    cfg->params.split = spec;
    cfg->state->split_state = &state;
    st = ladle_passes_run(cfg, io, err, report, output_closed);
    if (st == LADLE_OK && !q->allow_empty && !q->append) /* a small append may miss a split */
        st = refuse_empty(&state, q->dir, by ? ladle_field_spec(by) : NULL, err);
    if (st == LADLE_OK)
        say_commit(cfg, q->dir, spec->count);
    if (st == LADLE_OK)
        st = ladle_shards_finish(shards, err);
    if (st != LADLE_OK)
        goto out;
    manifest = manifest_text(cfg, q, io, &state, shards, by, label, spec, first, old);
    if (!manifest) {
        st = ladle_error_set(err, LADLE_E_INTERNAL, "manifest: out of memory");
        goto out;
    }
    /* The last chance to be interrupted: after the commit the run is done. */
    if (atomic_load(io->cancel)) {
        st = ladle_error_set(err, LADLE_E_INTERRUPTED, "interrupted");
        goto out;
    }
    st = ladle_dataset_commit(&ds, manifest, strlen(manifest), err);
    ladle_dataset_abort(&ds); /* after a commit: only closes DIR and releases the lock */
    ds_open = 0;
    if (st != LADLE_OK)
        goto out;
    if (notes)
        ladle_split_balance_warnings(&state, q->dir, add_note, notes);
    tell_counts(&state, summary, report);
out:
    if (ds_open)
        ladle_dataset_abort(&ds);
    ladle_shards_destroy(shards);
    if (state_ready)
        ladle_split_state_free(&state);
    cfg->params.split = NULL;
    cfg->state->split_state = NULL;
    ladle_field_free(by);
    ladle_field_free(label);
    free(manifest);
    json_decref(old);
    ladle_split_spec_free(spec);
    return st;
}

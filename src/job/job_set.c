/*
 * job_set.c -- the job's setters (include/ladle/ladle.h, ladle_job_set*):
 * every parameter is validated here, once, so the pipeline and samplers
 * can trust it.
 */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "job/designs.h"
#include "job/job_internal.h"
#include "job/part_plan.h"

#include "record/source_id.h"
#include "sample/fractions.h"

/* -n --replace and --bootstrap B. */
static ladle_status set_resampling(ladle_job *j, ladle_param p, int64_t v)
{
    if (p == LADLE_P_REPLACE) {
        j->cfg.params.replace = v != 0;
        return LADLE_OK;
    }
    if (v < 0 || v > LADLE_BOOTSTRAP_MAX)
        return ladle_job_usage(j, "--bootstrap must be 0 (none) to 1000 replicates");
    j->cfg.params.bootstrap = (unsigned)v;
    return LADLE_OK;
}

/* --shuffle's buffer: small sizes only multiply the runs. */
static ladle_status set_memory(ladle_job *j, int64_t v)
{
    if (v < ((int64_t)1 << 16))
        return ladle_job_usage(j, "--memory must be at least 64K");
    j->cfg.engine.memory = (size_t)v;
    return LADLE_OK;
}

/* A dataset's shards: their size (bytes or records) and zstd level. */
static ladle_status set_shards(ladle_job *j, ladle_param p, int64_t v)
{
    if (p == LADLE_P_SHARD_SIZE) {
        if (v < 1)
            return ladle_job_usage(j, "--shard-size must be at least 1 byte");
        j->shard_size = (uint64_t)v;
        return LADLE_OK;
    }
    if (p == LADLE_P_SHARD_RECORDS) {
        if (v < 0)
            return ladle_job_usage(j, "--shard-records must not be negative");
        j->shard_records = (uint64_t)v;
        return LADLE_OK;
    }
    if (v < 1 || v > 19)
        return ladle_job_usage(j, "--level must be 1 to 19");
    j->level = (int)v;
    return LADLE_OK;
}

ladle_status ladle_job_set(ladle_job *j, ladle_param p, int64_t v)
{
    switch (p) {
    case LADLE_P_DESIGN:
        if (!ladle_design_find(v))
            return ladle_job_usage(j, "unknown sampling design");
        j->cfg.params.design = (ladle_design)v;
        return LADLE_OK;
    case LADLE_P_N:
        if (v < 0)
            return ladle_job_usage(j, "sample size must not be negative");
        j->cfg.params.n = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_SEED: j->cfg.params.seed = (uint64_t)v; return LADLE_OK;
    case LADLE_P_SHUFFLE: j->cfg.params.shuffle = v != 0; return LADLE_OK;
    case LADLE_P_THREADS:
        if (v < 0 || v > 1024)
            return ladle_job_usage(j, "threads must be 0 (all CPUs) to 1024");
        j->threads_asked = (unsigned)v;
        return LADLE_OK;
    case LADLE_P_CHUNK_SIZE:
        if (v < 1 || v > ((int64_t)1 << 30))
            return ladle_job_usage(j, "chunk size must be 1 byte to 1 GiB");
        j->cfg.engine.chunk_size = (size_t)v;
        return LADLE_OK;
    case LADLE_P_MAX_RECORD:
        if (v < 1 || v > ((int64_t)1 << 30))
            return ladle_job_usage(j, "max record must be 1 byte to 1 GiB");
        j->cfg.engine.max_record = (size_t)v;
        return LADLE_OK;
    case LADLE_P_HEADER: j->cfg.engine.header = v != 0; return LADLE_OK;
    case LADLE_P_ZSTD_LONG: j->cfg.engine.zstd_long = v != 0; return LADLE_OK;
    case LADLE_P_DROP_CACHE: j->cfg.engine.drop_cache = v != 0; return LADLE_OK;
    case LADLE_P_GZIP_INDEX: j->cfg.engine.gzip_index = v != 0; return LADLE_OK;
    case LADLE_P_EVERY:
        if (v < 1)
            return ladle_job_usage(j, "--every must be at least 1");
        j->cfg.params.every = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_START:
        if (v < -1)
            return ladle_job_usage(j, "--start must not be negative");
        j->cfg.params.start = v;
        return LADLE_OK;
    case LADLE_P_TOP:
        if (v < 0)
            return ladle_job_usage(j, "--top must not be negative");
        j->cfg.params.top = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_MIN_PER_STRATUM:
        if (v < 0)
            return ladle_job_usage(j, "--min-per-stratum must not be negative");
        j->cfg.params.min_per_stratum = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_PER_STRATUM:
    case LADLE_P_CLUSTERS:
    case LADLE_P_WITHIN_SIZE:
    case LADLE_P_WAVES:
    case LADLE_P_MAX_NODES:
        if (v < 0)
            return ladle_job_usage(j, "a count must not be negative");
        *(p == LADLE_P_PER_STRATUM   ? &j->cfg.params.per_stratum
          : p == LADLE_P_CLUSTERS    ? &j->cfg.params.clusters
          : p == LADLE_P_WITHIN_SIZE ? &j->cfg.params.within_size
          : p == LADLE_P_WAVES       ? &j->cfg.params.waves
                                     : &j->cfg.params.max_nodes) = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_BARS: j->cfg.params.bars = v != 0; return LADLE_OK;
    case LADLE_P_STATS_OUTPUT:
        if (v < 0 || v > 2)
            return ladle_job_usage(j, "stats output must be 0 (table), 1 (JSON) or 2 (TSV)");
        j->cfg.params.stats_output = (int)v;
        return LADLE_OK;
    case LADLE_P_STATS_WIDTH:
        if (v < 1 || v > 1000000)
            return ladle_job_usage(j, "--width must be 1 to 1000000");
        j->cfg.params.width = (uint64_t)v;
        return LADLE_OK;
    case LADLE_P_EMIT_WAVE: j->cfg.params.emit_wave = v != 0; return LADLE_OK;
    case LADLE_P_EMIT_WEIGHT: j->cfg.params.emit_weight = v != 0; return LADLE_OK;
    case LADLE_P_MISSING:
        if (v < LADLE_MISSING_SKIP || v > LADLE_MISSING_KEEP)
            return ladle_job_usage(j, "--missing must be skip, error or keep");
        j->cfg.params.missing = (ladle_missing)v;
        return LADLE_OK;
    case LADLE_P_MALFORMED:
        if (v < LADLE_MALFORMED_ERROR || v > LADLE_MALFORMED_SKIP)
            return ladle_job_usage(j, "--malformed must be skip or error");
        j->cfg.params.malformed = (ladle_malformed)v;
        return LADLE_OK;
    case LADLE_P_SHARD_SIZE:
    case LADLE_P_SHARD_RECORDS:
    case LADLE_P_LEVEL: return set_shards(j, p, v);
    case LADLE_P_FORCE: j->force = v != 0; return LADLE_OK;
    case LADLE_P_APPEND: j->append = v != 0; return LADLE_OK;
    case LADLE_P_ALLOW_EMPTY: j->allow_empty = v != 0; return LADLE_OK;
    case LADLE_P_IO_MODE:
        if (v < LADLE_IO_AUTO || v > LADLE_IO_PREAD)
            return ladle_job_usage(j, "unknown io mode");
        j->cfg.engine.io_mode = (ladle_io_mode)v;
        return LADLE_OK;
    case LADLE_P_REPLACE:
    case LADLE_P_BOOTSTRAP: return set_resampling(j, p, v);
    case LADLE_P_SOURCE_STEM:
        j->source_stem = v ? LADLE_STEM_PATH : LADLE_STEM_NAME;
        return LADLE_OK;
    case LADLE_P_MEMORY: return set_memory(j, v);
    }
    return ladle_job_usage(j, "unknown parameter");
}

ladle_status ladle_job_set_rate(ladle_job *j, double rate)
{
    return ladle_job_set_double(j, LADLE_D_RATE, rate);
}

ladle_status ladle_job_set_double(ladle_job *j, ladle_double_param p, double v)
{
    if (!(v >= 0.0 && v <= 1.0))
        return ladle_job_usage(j, "a rate must be a probability between 0 and 1");
    switch (p) {
    case LADLE_D_RATE: j->cfg.params.rate = v; return LADLE_OK;
    case LADLE_D_WITHIN_RATE: j->cfg.params.within_rate = v; return LADLE_OK;
    }
    return ladle_job_usage(j, "unknown parameter");
}

/* A license name or SPDX id: one line of printable text (it goes into YAML
 * and JSON, quoted). */
static ladle_status ladle_job_set_license(ladle_job *j, const char *v)
{
    size_t n = strlen(v);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            n = 0;
    json_t *utf8 = n ? json_string(v) : NULL; /* NULL: not UTF-8, which JSON cannot hold */
    if (!utf8)
        n = 0;
    json_decref(utf8);
    if (n == 0 || n > 200)
        return ladle_job_usage(j, "--license: give a license name or SPDX id (e.g. cc-by-4.0, "
                                  "mit): one line of UTF-8, 1 to 200 bytes");
    char *copy = strdup(v);
    if (!copy)
        return ladle_error_set(&j->err, LADLE_E_INTERNAL, "out of memory");
    free(j->license);
    j->license = copy;
    return LADLE_OK;
}

ladle_status ladle_job_set_string(ladle_job *j, ladle_string_param p, const char *v)
{
    switch (p) {
    case LADLE_S_FIELD:
    case LADLE_S_LINK:
    case LADLE_S_SEEDS:
    case LADLE_S_STATE:
    case LADLE_S_SOURCE_NAME:
    case LADLE_S_SOURCE_PREFIX:
    case LADLE_S_TMPDIR: {
        char **slot = p == LADLE_S_FIELD         ? &j->field_spec
                      : p == LADLE_S_LINK        ? &j->link_spec
                      : p == LADLE_S_SEEDS       ? &j->seeds_path
                      : p == LADLE_S_STATE       ? &j->state_path
                      : p == LADLE_S_SOURCE_NAME ? &j->source_name
                      : p == LADLE_S_TMPDIR      ? &j->tmpdir
                                                 : &j->source_prefix;
        if (p == LADLE_S_SOURCE_NAME && *slot)
            return ladle_job_usage(j,
                                   "--source-name given twice: it names stdin, the one input '-'");
        char *copy = strdup(v);
        if (!copy)
            return ladle_error_set(&j->err, LADLE_E_INTERNAL, "out of memory");
        free(*slot);
        *slot = copy;
        j->cfg.engine.tmpdir = j->tmpdir;
        return LADLE_OK;
    }
    case LADLE_S_PART: return ladle_part_parse(v, &j->part_k, &j->part_n, &j->err);
    case LADLE_S_LICENSE: return ladle_job_set_license(j, v);
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
        free(*ladle_job_split_slot(j, p));
        *ladle_job_split_slot(j, p) = copy;
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
    return ladle_job_usage(j, "unknown parameter");
}

ladle_status ladle_job_set_design(ladle_job *j, const char *name)
{
    const struct ladle_design_row *row = ladle_design_named(name);
    if (!row)
        return ladle_job_usage(j, "unknown sampling design");
    j->cfg.params.design = row->id;
    return LADLE_OK;
}

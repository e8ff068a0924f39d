/*
 * manifest_append.c -- the manifest side of `ladle split --append` (see
 * manifest_append.h). The old manifest is trusted no further than verify
 * trusts it: every field read is checked for its type here.
 */
#include "common/sha256.h"
#include "split/manifest.h"
#include "split/manifest_append.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"

static ladle_status refuse(struct ladle_error *err, const char *dir, const char *why)
{
    return ladle_error_set(err, LADLE_E_USAGE, "%s: --append: %s", dir, why);
}

ladle_status ladle_manifest_append_check(const json_t *old, const struct ladle_split_spec *spec,
                                         const char *dir, uint32_t *first, struct ladle_error *err)
{
    if (!old)
        return refuse(err, dir,
                      "no manifest.json here: make the dataset with `ladle split -o DIR` first");
    json_t *contract = json_object_get(old, "contract");
    if (!json_is_integer(contract) || json_integer_value(contract) != LADLE_CONTRACT_VERSION)
        return refuse(err, dir,
                      "the dataset was made under another reproducibility contract (records "
                      "would be routed differently): make it again");
    if (!json_is_array(json_object_get(old, "sources")))
        return refuse(err, dir,
                      "the manifest records no sources (an older ladle made it): make "
                      "it again");
    if (json_object_get(old, "label"))
        return refuse(err, dir,
                      "the dataset was made with --stratify or --balance, which place "
                      "records by whole-population counts: an append cannot follow them");
    json_t *splits = json_object_get(old, "splits");
    if (json_array_size(splits) != spec->count)
        return refuse(err, dir, "the manifest's splits are not the ones its settings give");
    for (unsigned k = 0; k < spec->count; k++) {
        json_t *s = json_array_get(splits, k);
        const char *name = json_string_value(json_object_get(s, "name"));
        json_t *shards = json_object_get(s, "shards");
        if (!name || strcmp(name, spec->names[k]) != 0 || !json_is_array(shards) ||
            !json_is_integer(json_object_get(s, "records")) ||
            !json_is_integer(json_object_get(s, "bytes")) ||
            json_array_size(shards) > UINT32_MAX / 2)
            return ladle_error_set(err, LADLE_E_INPUT,
                                   "%s/manifest.json: split %u is damaged (ladle verify %s)", dir,
                                   k + 1, dir);
        first[k] = (uint32_t)json_array_size(shards);
    }
    return LADLE_OK;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int ladle_manifest_append_settings(const json_t *old, struct ladle_append_settings *s, char *seed,
                                   size_t seed_size, const char **why)
{
    memset(s, 0, sizeof *s);
    static const char *const ext[][2] = {
        {"jsonl", "json"}, {"tsv", "tsv"}, {"csv", "csv"}, {"txt", "lines"}};
    const char *e = str(old, "format");
    for (size_t i = 0; e && i < sizeof ext / sizeof ext[0]; i++)
        if (strcmp(e, ext[i][0]) == 0)
            s->format = ext[i][1];
    s->design = str(old, "design");
    s->ratios = str(old, "ratios");
    s->time_field = str(old, "time_field");
    s->by = s->time_field ? NULL : str(old, "by");
    s->cutoffs = str(old, "cutoffs");
    s->time_format = str(old, "time_format");
    s->tz = str(old, "tz");
    s->delim = str(old, "delimiter");
    s->header = json_is_true(json_object_get(old, "header"));
    s->stem_path = str(old, "source_stem") && strcmp(str(old, "source_stem"), "path") == 0;
    s->prefix = str(old, "source_prefix");
    s->license = str(old, "license");
    json_t *sd = json_object_get(old, "seed");
    if (json_is_integer(sd))
        snprintf(seed, seed_size, "%" PRId64, (int64_t)json_integer_value(sd));
    else
        snprintf(seed, seed_size, "%s", json_is_string(sd) ? json_string_value(sd) : "");
    s->seed = seed;
    s->shard_size = json_integer_value(json_object_get(old, "shard_size"));
    s->shard_records = json_integer_value(json_object_get(old, "shard_records"));
    s->level = json_integer_value(json_object_get(old, "level"));
    *why = !s->format                                         ? "format"
           : !s->design || !s->ratios                         ? "design and ratios"
           : s->time_field && !s->cutoffs                     ? "cutoffs"
           : !*seed                                           ? "seed"
           : !s->level                                        ? "level"
           : !json_is_boolean(json_object_get(old, "header")) ? "header"
                                                              : NULL;
    return *why ? -1 : 0;
}

const char *ladle_manifest_source(const json_t *old, uint64_t id)
{
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, id);
    json_t *a = json_object_get(old, "sources");
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *s = json_array_get(a, i);
        const char *h = json_string_value(json_object_get(s, "id"));
        if (h && strcmp(h, hex) == 0) {
            const char *stem = json_string_value(json_object_get(s, "stem"));
            return stem ? stem : "";
        }
    }
    return NULL;
}

int ladle_manifest_files(const json_t *old, const char ***files, size_t *count)
{
    *files = NULL;
    *count = 0;
    json_t *splits = json_object_get(old, "splits");
    size_t n = 0;
    for (size_t k = 0; k < json_array_size(splits); k++)
        n += json_array_size(json_object_get(json_array_get(splits, k), "shards"));
    const char **f = calloc(n ? n : 1, sizeof *f);
    if (!f)
        return -1;
    for (size_t k = 0; k < json_array_size(splits); k++) {
        json_t *shards = json_object_get(json_array_get(splits, k), "shards");
        for (size_t i = 0; i < json_array_size(shards); i++) {
            const char *s = json_string_value(json_object_get(json_array_get(shards, i), "file"));
            if (s)
                f[(*count)++] = s;
        }
    }
    *files = f;
    return 0;
}

/* dst[key] = old[key] + dst[key] (integers). */
static void add_count(json_t *dst, const json_t *old, const char *key)
{
    json_int_t a = json_integer_value(json_object_get(old, key));
    json_int_t b = json_integer_value(json_object_get(dst, key));
    json_object_set_new(dst, key, json_integer(a + b));
}

/* dst[key] = old[key] then dst[key] (arrays). */
static void join_array(json_t *dst, const json_t *old, const char *key)
{
    json_t *a = json_deep_copy(json_object_get(old, key));
    if (!json_is_array(a)) {
        json_decref(a);
        a = json_array();
    }
    json_array_extend(a, json_object_get(dst, key));
    json_object_set_new(dst, key, a);
}

char *ladle_manifest_append(const json_t *old, const char *added)
{
    json_t *m = json_loads(added, 0, NULL);
    if (!m)
        return NULL;
    /* The command that made the dataset stays; each append is listed after it. */
    json_t *cmd = json_object_get(m, "command");
    json_t *appended = json_deep_copy(json_object_get(old, "appended"));
    if (!json_is_array(appended)) {
        json_decref(appended);
        appended = json_array();
    }
    json_array_append(appended, cmd);
    json_object_set_new(m, "command", json_deep_copy(json_object_get(old, "command")));
    join_array(m, old, "inputs");
    join_array(m, old, "sources");
    json_t *splits = json_object_get(m, "splits");
    json_t *osplits = json_object_get(old, "splits");
    for (size_t k = 0; k < json_array_size(splits); k++) {
        json_t *s = json_array_get(splits, k), *o = json_array_get(osplits, k);
        add_count(s, o, "records");
        add_count(s, o, "bytes");
        join_array(s, o, "shards");
    }
    json_object_set_new(m, "appended", appended);
    return ladle_manifest_text(m);
}

int ladle_manifest_entry_sha256(json_t *entry, int dirfd, const char *file)
{
    if (json_is_string(json_object_get(entry, "sha256")))
        return 0;
    char hex[LADLE_SHA256_HEX];
    if (ladle_sha256_file(dirfd, file, hex) != 0)
        return -1;
    /* After xxh3_128, where a new manifest has it. */
    json_object_set_new(entry, "sha256", json_string(hex));
    return 0;
}

int ladle_manifest_fill_sha256(json_t *m, int dirfd, const char **file)
{
    json_t *splits = json_object_get(m, "splits");
    for (size_t k = 0; k < json_array_size(splits); k++) {
        json_t *shards = json_object_get(json_array_get(splits, k), "shards");
        for (size_t i = 0; i < json_array_size(shards); i++) {
            json_t *e = json_array_get(shards, i);
            *file = json_string_value(json_object_get(e, "file"));
            if (*file && ladle_manifest_entry_sha256(e, dirfd, *file) != 0)
                return -1;
        }
    }
    return 0;
}

/*
 * manifest.c -- manifest.json of a dataset (see manifest.h). jansson
 * builds it; keys keep the order they are added in, and nothing in it
 * depends on the clock or the thread count, so the same run gives the
 * same manifest (but for the command line it records).
 */
#include "split/manifest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard/shards.h"
#include "split/assign.h"

static json_t *u64(uint64_t v)
{
    return json_integer((json_int_t)v); /* counts stay far below 2^63 */
}

static json_t *classes_of(const struct ladle_split_state *ss, unsigned k)
{
    json_t *a = json_array();
    uint64_t total = 0, nonempty = 0;
    for (size_t i = 0; i < ss->nclasses; i++)
        if (ss->classes[i].after[k]) {
            total += ss->classes[i].after[k];
            nonempty++;
        }
    for (size_t i = 0; i < ss->nclasses; i++) {
        const struct ladle_split_class *c = &ss->classes[i];
        if (!c->n[k] && !c->after[k])
            continue;
        /* n / (K * n_c): the weight that evens out the classes in a loss. */
        double w = c->after[k] ? (double)total / ((double)nonempty * (double)c->after[k]) : 0.0;
        json_array_append_new(a, json_pack("{s:s%, s:o, s:o, s:f}", "label", c->label, c->label_len,
                                           "before", u64(c->n[k]), "after", u64(c->after[k]),
                                           "weight", w));
    }
    return a;
}

/* The identity of every source read (split --append refuses them again):
 * id and F in hex as ladle_source_id and XXH3-128 canonical give them. */
static void add_sources(json_t *root, const struct ladle_manifest_args *m)
{
    const struct ladle_split_state *ss = m->state;
    json_object_set_new(root, "source_stem", json_string(m->stem_path ? "path" : "name"));
    json_object_set_new(root, "source_prefix",
                        json_string(m->source_prefix ? m->source_prefix : ""));
    json_t *a = json_array();
    for (uint32_t i = 0; i < ss->ninputs; i++) {
        if (!m->has_id[i])
            continue; /* no record, no identity: an append may give it again */
        char id[17], first[33];
        snprintf(id, sizeof id, "%016llx", (unsigned long long)m->source_ids[i]);
        snprintf(first, sizeof first, "%016llx%016llx", (unsigned long long)m->fps[i].high,
                 (unsigned long long)m->fps[i].low);
        json_array_append_new(a,
                              json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", id, "stem", m->stems[i],
                                        "first", first, "consumed", u64(ss->inputs[i].decompressed),
                                        "records", u64(ss->inputs[i].records)));
    }
    json_object_set_new(root, "sources", a);
}

/* --part: which part of which job (ladle merge -o joins a job's parts). */
static void put_part(json_t *root, const struct ladle_manifest_args *m)
{
    if (!m->part_n)
        return;
    char job[17];
    snprintf(job, sizeof job, "%016llx", (unsigned long long)m->part_job);
    json_object_set_new(root, "part",
                        json_pack("{s:I, s:I, s:s}", "k", (json_int_t)m->part_k, "n",
                                  (json_int_t)m->part_n, "job", job));
}

/* check-tree: long (one JSON object, field after field in the manifest's order) */
char *ladle_manifest_json(const struct ladle_manifest_args *m)
{
    const struct ladle_split_spec *sp = m->state->spec;
    const struct ladle_split_state *ss = m->state;
    json_t *root = json_object();
    json_t *cmd = json_array();
    for (int i = 0; i < m->argc; i++)
        json_array_append_new(cmd, json_string(m->argv[i]));
    json_object_set_new(root, "ladle_version", json_string(m->version));
    /* What the seed means (ladle.h): a dataset re-made by a ladle of another
     * contract may route records differently. */
    json_object_set_new(root, "contract", json_integer(LADLE_CONTRACT_VERSION));
    json_object_set_new(root, "command", cmd);
    /* The source of truth for README.md's and croissant.json's license. */
    json_object_set_new(root, "license", json_string(m->license ? m->license : "unknown"));
    if (m->seed <= (uint64_t)INT64_MAX)
        json_object_set_new(root, "seed", u64(m->seed));
    else {
        char s[24];
        snprintf(s, sizeof s, "%llu", (unsigned long long)m->seed);
        json_object_set_new(root, "seed", json_string(s));
    }
    json_object_set_new(root, "format", json_string(m->ext));
    /* csv records may hold quoted line ends: verify frames them with the
     * delimiter; the cards name the columns with it (tsv too). Written only
     * when it is not the format's own (older manifests stay as they were). */
    int csv = m->ext && strcmp(m->ext, "csv") == 0, tsv = m->ext && strcmp(m->ext, "tsv") == 0;
    if (m->delim && ((csv && m->delim != ',') || (tsv && m->delim != '\t'))) {
        char d[2] = {m->delim, 0};
        json_object_set_new(root, "delimiter", json_string(d));
    }
    json_object_set_new(root, "header", json_boolean(m->header));
    json_object_set_new(root, "by", m->by ? json_string(m->by) : json_null());
    if (sp->by_time)
        json_object_set_new(root, "time_field", json_string(m->by));
    if (m->label)
        json_object_set_new(root, "label", json_string(m->label));
    if (m->design)
        json_object_set_new(root, "design", json_string(m->design));
    if (m->ratios)
        json_object_set_new(root, "ratios", json_string(m->ratios));
    put_part(root, m);
    if (sp->by_time && m->cutoffs)
        json_object_set_new(root, "cutoffs", json_string(m->cutoffs));
    if (sp->by_time && m->time_format) /* time splits: what --append needs */
        json_object_set_new(root, "time_format", json_string(m->time_format));
    if (sp->by_time && m->tz)
        json_object_set_new(root, "tz", json_string(m->tz));
    json_object_set_new(root, "frame_size", u64(m->frame_size));
    json_object_set_new(root, "shard_size", u64(m->shard_size));
    json_object_set_new(root, "shard_records", u64(m->shard_records));
    json_object_set_new(root, "level", json_integer(m->level));

    json_t *inputs = json_array();
    for (uint32_t i = 0; i < ss->ninputs; i++) {
        const struct ladle_input_count *in = &ss->inputs[i];
        json_t *skipped = json_pack("{s:o}", "missing", u64(in->missing));
        if (in->malformed) /* (only then: older manifests stay byte for byte) */
            json_object_set_new(skipped, "malformed", u64(in->malformed));
        json_array_append_new(inputs,
                              json_pack("{s:s, s:o, s:o, s:o, s:o}", "path", m->paths[i], "size",
                                        in->size >= 0 ? u64((uint64_t)in->size) : json_null(),
                                        "decompressed_bytes", u64(in->decompressed), "records",
                                        u64(in->records), "skipped", skipped));
    }
    json_object_set_new(root, "inputs", inputs);
    if (m->source_ids)
        add_sources(root, m);

    json_t *splits = json_array();
    for (unsigned k = 0; k < sp->count; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(sp->names[k]));
        if (sp->by_time) {
            if (k > 0)
                json_object_set_new(o, "from_ns", json_integer(sp->cutoff[k - 1]));
            if (k + 1 < sp->count)
                json_object_set_new(o, "until_ns", json_integer(sp->cutoff[k]));
        } else {
            json_object_set_new(o, "ratio", json_real(sp->ratio[k]));
        }
        json_object_set_new(
            o, "balanced",
            json_boolean(sp->balance != LADLE_BALANCE_NONE && (sp->balance_mask >> k & 1)));
        json_object_set_new(o, "records", u64(ss->records[k]));
        size_t n;
        const struct ladle_shard_info *sh = ladle_shards_of(ss->shards, k, &n);
        uint64_t bytes = 0;
        json_t *files = json_array();
        for (size_t i = 0; i < n; i++) {
            char name[64], path[LADLE_SPLIT_NAME_MAX + 80], hex[33];
            uint32_t no = (uint32_t)i + (m->first_shard ? m->first_shard[k] : 0);
            ladle_shard_file_name(name, sizeof name, no, m->ext);
            snprintf(path, sizeof path, "%s/%s", sp->names[k], name);
            for (int b = 0; b < 16; b++)
                snprintf(hex + 2 * b, 3, "%02x", sh[i].xxh3_128[b]);
            bytes += sh[i].bytes;
            json_array_append_new(
                files, json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:s}", "file", path, "records",
                                 u64(sh[i].records), "bytes", u64(sh[i].bytes), "compressed_bytes",
                                 u64(sh[i].compressed), "frames", u64(sh[i].frames), "xxh3_128",
                                 hex, "sha256", sh[i].sha256));
        }
        json_object_set_new(o, "bytes", u64(bytes));
        json_object_set_new(o, "shards", files);
        if (sp->label)
            json_object_set_new(o, "classes", classes_of(ss, k));
        json_array_append_new(splits, o);
    }
    json_object_set_new(root, "splits", splits);
    return ladle_manifest_text(root);
}

char *ladle_manifest_text(json_t *root)
{
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    json_decref(root);
    if (!text)
        return NULL;
    /* A final newline, as text files have. */
    size_t len = strlen(text);
    char *out = realloc(text, len + 2);
    if (!out) {
        free(text);
        return NULL;
    }
    out[len] = '\n';
    out[len + 1] = '\0';
    return out;
}

/*
 * card_croissant.c -- croissant.json of a dataset (see cards.h), MLCommons
 * Croissant 1.0: the standard @context, the dataset's name, description,
 * license and version; a cr:FileObject per shard (its path, size and
 * SHA-256) and a cr:FileSet per split (the glob of its shards); and, when
 * the records' fields are known, a cr:RecordSet per split whose fields
 * read a column (tsv, csv) or a JSON path (jsonl) of that split's files.
 * The shards are zstd files: the FileObjects say so (application/zstd),
 * the FileSets give the format of what they hold.
 */
#include "split/cards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "split/manifest.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_t *context(void)
{
    static const char *const terms[][2] = {
        {"citeAs", "cr:citeAs"},
        {"column", "cr:column"},
        {"conformsTo", "dct:conformsTo"},
        {"cr", "http://mlcommons.org/croissant/"},
        {"rai", "http://mlcommons.org/croissant/RAI/"},
        {"dct", "http://purl.org/dc/terms/"},
        {"extract", "cr:extract"},
        {"field", "cr:field"},
        {"fileProperty", "cr:fileProperty"},
        {"fileObject", "cr:fileObject"},
        {"fileSet", "cr:fileSet"},
        {"format", "cr:format"},
        {"includes", "cr:includes"},
        {"isLiveDataset", "cr:isLiveDataset"},
        {"jsonPath", "cr:jsonPath"},
        {"key", "cr:key"},
        {"md5", "cr:md5"},
        {"parentField", "cr:parentField"},
        {"path", "cr:path"},
        {"recordSet", "cr:recordSet"},
        {"references", "cr:references"},
        {"regex", "cr:regex"},
        {"repeated", "cr:repeated"},
        {"replace", "cr:replace"},
        {"sc", "https://schema.org/"},
        {"separator", "cr:separator"},
        {"source", "cr:source"},
        {"subField", "cr:subField"},
        {"transform", "cr:transform"},
    };
    json_t *c = json_pack("{s:s, s:s}", "@language", "en", "@vocab", "https://schema.org/");
    for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++)
        json_object_set_new(c, terms[i][0], json_string(terms[i][1]));
    json_object_set_new(c, "data", json_pack("{s:s, s:s}", "@id", "cr:data", "@type", "@json"));
    json_object_set_new(c, "dataType",
                        json_pack("{s:s, s:s}", "@id", "cr:dataType", "@type", "@vocab"));
    json_object_set_new(c, "examples",
                        json_pack("{s:s, s:s}", "@id", "cr:examples", "@type", "@json"));
    return c;
}

static char *description(const json_t *m)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    json_t *splits = json_object_get(m, "splits");
    fprintf(f, "Records split by ladle %s (seed ",
            str(m, "ladle_version") ? str(m, "ladle_version") : "?");
    json_t *seed = json_object_get(m, "seed");
    if (json_is_string(seed))
        fputs(json_string_value(seed), f);
    else
        fprintf(f, "%lld", (long long)json_integer_value(seed));
    fputs(") into ", f);
    for (size_t k = 0; k < json_array_size(splits); k++) {
        const json_t *s = json_array_get(splits, k);
        fprintf(f, "%s%s (%lld records)", k ? ", " : "", str(s, "name") ? str(s, "name") : "?",
                (long long)json_integer_value(json_object_get(s, "records")));
    }
    fputs(": zstd shards (seekable format); manifest.json is the source of truth.", f);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static void distribution(json_t *root, const json_t *m, const char *ext)
{
    json_t *d = json_array();
    json_t *splits = json_object_get(m, "splits");
    for (size_t k = 0; k < json_array_size(splits); k++) {
        json_t *shards = json_object_get(json_array_get(splits, k), "shards");
        for (size_t i = 0; i < json_array_size(shards); i++) {
            const json_t *e = json_array_get(shards, i);
            const char *file = str(e, "file") ? str(e, "file") : "";
            char size[32];
            snprintf(size, sizeof size, "%lld B",
                     (long long)json_integer_value(json_object_get(e, "compressed_bytes")));
            json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "@type", "cr:FileObject", "@id",
                                  file, "name", file, "contentUrl", file, "contentSize", size,
                                  "encodingFormat", "application/zstd");
            if (str(e, "sha256")) /* none in a 0.5.0 manifest */
                json_object_set_new(o, "sha256", json_string(str(e, "sha256")));
            json_array_append_new(d, o);
        }
    }
    for (size_t k = 0; k < json_array_size(splits); k++) {
        const char *name = str(json_array_get(splits, k), "name");
        char *glob = ladle_card_glob(name ? name : "", ext);
        /* The glob itself is the id: no shard's path holds a '*'. */
        json_array_append_new(
            d, json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:s?}", "@type", "cr:FileSet", "@id", glob,
                         "name", name, "description", "the shards of one split, zstd-compressed",
                         "encodingFormat", ladle_card_mime(ext), "includes", glob));
        free(glob);
    }
    json_object_set_new(root, "distribution", d);
}

/* A JSON path to key: $.key for plain names, else $['k'] (quotes escaped). */
static char *json_path(const char *key)
{
    size_t n = strlen(key);
    char *p = malloc(2 * n + 8);
    if (!p)
        return NULL;
    int plain = n && !(key[0] >= '0' && key[0] <= '9');
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        plain &=
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    if (plain) {
        sprintf(p, "$.%s", key);
        return p;
    }
    size_t o = 0;
    memcpy(p, "$['", 3), o = 3;
    for (size_t i = 0; i < n; i++) {
        if (key[i] == '\'' || key[i] == '\\')
            p[o++] = '\\';
        p[o++] = key[i];
    }
    memcpy(p + o, "']", 3);
    return p;
}

static void record_sets(json_t *root, const json_t *m, const json_t *fields, const char *ext)
{
    int jsonl = strcmp(ext, "jsonl") == 0;
    json_t *rs = json_array();
    json_t *splits = json_object_get(m, "splits");
    size_t nfields = json_array_size(fields);
    if (nfields > LADLE_CARD_FIELDS_MAX / (json_array_size(splits) ? json_array_size(splits) : 1))
        nfields = 0;
    for (size_t k = 0; k < json_array_size(splits); k++) {
        const char *name = str(json_array_get(splits, k), "name");
        char *glob = ladle_card_glob(name ? name : "", ext);
        json_t *fs = json_array(), *seen = json_object();
        for (size_t i = 0; i < nfields; i++) {
            const char *f = str(json_array_get(fields, i), "name");
            char *path = jsonl ? json_path(f) : NULL;
            size_t n = strlen(name ? name : "") + strlen(f) + 32;
            char *id = malloc(n);
            /* @ids are unique: an empty or repeated header name gets its column's number */
            int again = !*f || json_object_get(seen, f) != NULL;
            json_object_set_new(seen, f, json_true());
            if (id && again)
                snprintf(id, n, "%s/column-%zu", name ? name : "", i + 1);
            else if (id)
                snprintf(id, n, "%s/%s", name ? name : "", f);
            json_t *extract =
                jsonl ? json_pack("{s:s?}", "jsonPath", path) : json_pack("{s:s}", "column", f);
            json_array_append_new(fs, json_pack("{s:s, s:s?, s:s, s:s, s:{s:{s:s?}, s:o}}", "@type",
                                                "cr:Field", "@id", id, "name", f, "dataType",
                                                str(json_array_get(fields, i), "type"), "source",
                                                "fileSet", "@id", glob, "extract", extract));
            free(id);
            free(path);
        }
        json_decref(seen);
        json_array_append_new(rs, json_pack("{s:s, s:s?, s:s?, s:o}", "@type", "cr:RecordSet",
                                            "@id", name, "name", name, "field", fs));
        free(glob);
    }
    json_object_set_new(root, "recordSet", rs);
}

char *ladle_card_croissant(const json_t *m, const json_t *fields)
{
    const char *ext = str(m, "format") ? str(m, "format") : "txt";
    char *name = ladle_card_name(m), *desc = description(m);
    /* The dataset's version: 1.0.0, its minor counting the appends. */
    char version[32];
    snprintf(version, sizeof version, "1.%zu.0", json_array_size(json_object_get(m, "appended")));
    json_t *root = json_pack(
        "{s:o, s:s, s:s, s:s?, s:s?, s:s, s:s}", "@context", context(), "@type", "sc:Dataset",
        "conformsTo", "http://mlcommons.org/croissant/1.0", "name", name, "description", desc,
        "license", str(m, "license") ? str(m, "license") : "unknown", "version", version);
    free(name);
    free(desc);
    if (!root)
        return NULL;
    distribution(root, m, ext);
    if (json_array_size(fields))
        record_sets(root, m, fields, ext);
    return ladle_manifest_text(root); /* the manifest's layout: no reals here to round */
}

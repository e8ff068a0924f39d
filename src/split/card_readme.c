/*
 * card_readme.c -- README.md of a dataset (see cards.h): the Hugging Face
 * dataset-card YAML header (license, one config whose data_files list
 * each split's shards by a glob, the csv loader's parameters), then a
 * short data card from the manifest. Strings go into YAML as JSON strings
 * (a JSON string is a YAML double-quoted scalar) and into Markdown with
 * '|' and control bytes neutralised, so no name can break either.
 */
#include "split/cards.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static long long num(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* s as a YAML (JSON) double-quoted string. */
static void yq(FILE *f, const char *s)
{
    json_t *j = json_string(s ? s : "");
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    fputs(t ? t : "\"\"", f);
    free(t);
    json_decref(j);
}

/* s in a Markdown table cell or line. */
static void md(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '|' || c == '\\' || c == '`' || c == '*' || c == '_' || c == '<')
            fputc('\\', f);
        fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
    }
}

/* argv as a shell would take it back (control bytes shown as '?'). */
static void shell_line(FILE *f, const json_t *argv)
{
    for (size_t i = 0; i < json_array_size(argv); i++) {
        const char *a = json_string_value(json_array_get(argv, i));
        if (!a)
            continue;
        int plain = *a != '\0';
        for (const char *p = a; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+-@%",
                        *p))
                plain = 0;
        fputs(i ? " " : "    ", f);
        if (!plain)
            fputc('\'', f);
        for (const char *p = a; *p; p++) {
            unsigned char c = (unsigned char)*p;
            if (c == '\'')
                fputs("'\\''", f);
            else
                fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
        }
        if (!plain)
            fputc('\'', f);
    }
    fputc('\n', f);
}

static void yaml_header(FILE *f, const json_t *m)
{
    const char *format = str(m, "format");
    const char *ext = format ? format : "txt";
    fputs("---\nlicense: ", f);
    yq(f, str(m, "license") ? str(m, "license") : "unknown");
    fputs("\nconfigs:\n- config_name: default\n  data_files:\n", f);
    json_t *splits = json_object_get(m, "splits");
    for (size_t k = 0; k < json_array_size(splits); k++) {
        const char *name = str(json_array_get(splits, k), "name");
        char *glob = ladle_card_glob(name ? name : "", ext);
        fputs("  - split: ", f);
        yq(f, name);
        fputs("\n    path: ", f);
        yq(f, glob);
        fputc('\n', f);
        free(glob);
    }
    /* The csv loader's parameters (pandas.read_csv's): the separator, and
     * no header line to take the column names from. */
    int tsv = strcmp(ext, "tsv") == 0, csv = strcmp(ext, "csv") == 0;
    if (tsv || (csv && str(m, "delimiter"))) {
        fputs("  sep: ", f);
        yq(f, str(m, "delimiter") ? str(m, "delimiter") : "\t");
        fputc('\n', f);
    }
    if ((tsv || csv) && !json_is_true(json_object_get(m, "header")))
        fputs("  header: null\n", f);
    fputs("---\n", f);
}

static void splits_table(FILE *f, const json_t *splits)
{
    fputs("\n## Splits\n\n| split | records | shards | bytes |\n|---|---:|---:|---:|\n", f);
    for (size_t k = 0; k < json_array_size(splits); k++) {
        const json_t *s = json_array_get(splits, k);
        fputs("| ", f);
        md(f, str(s, "name"));
        fprintf(f, " | %lld | %zu | %lld |\n", num(s, "records"),
                json_array_size(json_object_get(s, "shards")), num(s, "bytes"));
    }
}

static void how(FILE *f, const json_t *m)
{
    static const char *const keys[][2] = {
        {"design", "sampling design"},
        {"ratios", "ratios"},
        {"by", "key (all records of one key in one split)"},
        {"time_field", "time field"},
        {"cutoffs", "time cutoffs"},
        {"label", "label (--stratify / --balance)"},
    };
    fputs("\n## How it was made\n\n", f);
    json_t *seed = json_object_get(m, "seed");
    if (json_is_integer(seed))
        fprintf(f, "- seed: %" PRId64 "\n", (int64_t)json_integer_value(seed));
    else if (json_is_string(seed))
        fprintf(f, "- seed: %s\n", json_string_value(seed));
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        /* a time split records its field as "by" too */
        if (!str(m, keys[i][0]) || (i == 2 && str(m, "time_field")))
            continue;
        fprintf(f, "- %s: ", keys[i][1]);
        md(f, str(m, keys[i][0]));
        fputc('\n', f);
    }
    json_t *splits = json_object_get(m, "splits");
    for (size_t k = 0; k < json_array_size(splits); k++)
        if (json_is_true(json_object_get(json_array_get(splits, k), "balanced"))) {
            fputs("- balanced split: ", f);
            md(f, str(json_array_get(splits, k), "name"));
            fputc('\n', f);
        }
    json_t *more = json_object_get(m, "appended");
    if (json_array_size(more)) {
        fprintf(f, "- appended to %zu time%s, by:\n\n", json_array_size(more),
                json_array_size(more) == 1 ? "" : "s");
        for (size_t i = 0; i < json_array_size(more); i++)
            shell_line(f, json_array_get(more, i));
    }
    json_t *joined = json_object_get(m, "joined");
    if (json_array_size(joined)) {
        fprintf(f, "\n- joined (`ladle merge -o`) from %zu folders made by:\n\n",
                json_array_size(joined));
        for (size_t i = 0; i < json_array_size(joined); i++)
            shell_line(f, json_array_get(joined, i));
    }
}

static void classes(FILE *f, const json_t *splits)
{
    int any = 0;
    for (size_t k = 0; k < json_array_size(splits); k++) {
        const json_t *s = json_array_get(splits, k), *c = json_object_get(s, "classes");
        for (size_t i = 0; i < json_array_size(c); i++) {
            const json_t *e = json_array_get(c, i);
            if (!any++)
                fputs("\n## Classes\n\nweight: n / (classes x n_class), what evens out the "
                      "classes in a loss.\n\n| split | label | before | after | weight |\n"
                      "|---|---|---:|---:|---:|\n",
                      f);
            fputs("| ", f);
            md(f, str(s, "name"));
            fputs(" | ", f);
            md(f, str(e, "label"));
            fprintf(f, " | %lld | %lld | %.6g |\n", num(e, "before"), num(e, "after"),
                    json_number_value(json_object_get(e, "weight")));
        }
    }
}

static void sources(FILE *f, const json_t *inputs)
{
    size_t n = json_array_size(inputs), shown = n < 50 ? n : 50;
    fputs("\n## Sources\n\n| input | records |\n|---|---:|\n", f);
    for (size_t i = 0; i < shown; i++) {
        fputs("| ", f);
        md(f, str(json_array_get(inputs, i), "path"));
        fprintf(f, " | %lld |\n", num(json_array_get(inputs, i), "records"));
    }
    if (n > shown)
        fprintf(f, "\nand %zu more (manifest.json lists them all).\n", n - shown);
}

static void loading(FILE *f, const json_t *m)
{
    const char *format = str(m, "format") ? str(m, "format") : "txt";
    const char *builder = strcmp(format, "jsonl") == 0 ? "json"
                          : strcmp(format, "txt") == 0 ? "text"
                                                       : "csv";
    json_t *splits = json_object_get(m, "splits");
    fputs("\n## Loading\n\nWith Hugging Face `datasets` (the configs above name each split's "
          "shards):\n\n```python\nimport datasets\n"
          "ds = datasets.load_dataset(\"path/to/this/folder\")\n",
          f);
    fprintf(f,
            "# or, naming the files:\nds = datasets.load_dataset(\"%s\", data_dir=\"path/to/"
            "this/folder\", data_files={",
            builder);
    for (size_t k = 0; k < json_array_size(splits); k++) {
        const char *name = str(json_array_get(splits, k), "name");
        char *glob = ladle_card_glob(name ? name : "", format);
        fprintf(f, "%s\"%s\": \"%s\"", k ? ", " : "", name ? name : "", glob ? glob : "");
        free(glob);
    }
    fputs("})\n```\n\nEach shard is a zstd file (seekable format) of whole records; "
          "`ladle verify` checks them against manifest.json (XXH3-128 and SHA-256), and "
          "croissant.json describes the same files for MLCommons Croissant readers.\n",
          f);
}

char *ladle_card_readme(const json_t *m, const json_t *fields)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    char *name = ladle_card_name(m);
    yaml_header(f, m);
    fputs("\n# ", f);
    md(f, name);
    fprintf(f, "\n\nMade by ladle %s (reproducibility contract %lld) with:\n\n",
            str(m, "ladle_version") ? str(m, "ladle_version") : "?", num(m, "contract"));
    shell_line(f, json_object_get(m, "command"));
    fputs("\nThe YAML header above is made from manifest.json and checked by `ladle verify`; "
          "the text below it is yours to edit.\n",
          f);
    splits_table(f, json_object_get(m, "splits"));
    how(f, m);
    classes(f, json_object_get(m, "splits"));
    sources(f, json_object_get(m, "inputs"));
    if (json_array_size(fields)) {
        fputs("\n## Fields\n\n", f);
        for (size_t i = 0; i < json_array_size(fields); i++) {
            fputs(i ? ", " : "", f);
            md(f, str(json_array_get(fields, i), "name"));
        }
        fputs("\n", f);
    }
    loading(f, m);
    free(name);
    if (fclose(f) != 0 || !name) {
        free(text);
        return NULL;
    }
    return text;
}

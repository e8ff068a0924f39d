/*
 * field_ops.h -- inside the field layer: the ops table each format fills,
 * and the structs behind field.h's opaque handles.
 *
 * As with fio's ioengine_ops, field.c never knows which format it runs:
 * it parses the spec's prefix, picks the ops and calls through them.
 * Adding a format is adding a file that fills one of these.
 */
#ifndef LADLE_FIELD_OPS_H
#define LADLE_FIELD_OPS_H

#include <stddef.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/error.h"
#include "field/field.h"

struct ladle_field_ops {
    const char *name;
    /* Compiles body (the spec without any "re:") into f; f->spec, f->ops,
     * f->format and f->delim are set. Errors name f->spec. */
    ladle_status (*compile)(struct ladle_field *f, const char *body, struct ladle_error *err);
    /* Finds f->name in a header record (line end and BOM already removed):
     * OK and *column, MISSING when absent, BAD when malformed. NULL for
     * formats without columns. */
    enum ladle_field_result (*find_column)(const struct ladle_field *f, const char *hdr, size_t len,
                                           size_t *column);
    /* The extraction itself; rec/len still carries its line end. */
    enum ladle_field_result (*get)(const struct ladle_field *f, size_t column, const char *rec,
                                   size_t len, struct ladle_field_scratch *s, const char **value,
                                   size_t *vlen);
    /* Releases f->impl. */
    void (*destroy)(struct ladle_field *f);
};

struct ladle_field {
    const struct ladle_field_ops *ops;
    char *spec; /* owns: as given, for messages */
    enum ladle_format format;
    char delim;    /* tsv/csv, default already applied */
    size_t column; /* tsv/csv by number: 0-based; SIZE_MAX for a name */
    char *name;    /* owns: tsv/csv header name, NULL for a number */
    void *impl;    /* owns: the format's compiled form (path, regex) */
};

struct ladle_field_scratch {
    char *buf; /* owns: unescaped values */
    size_t cap;
    pcre2_match_data *md; /* owns: room for group 0 and group 1 */
    uint64_t malformed;   /* records left out as malformed (--malformed skip) */
};

extern const struct ladle_field_ops ladle_field_tsv;
extern const struct ladle_field_ops ladle_field_csv;
extern const struct ladle_field_ops ladle_field_json;
extern const struct ladle_field_ops ladle_field_json_auto;
extern const struct ladle_field_ops ladle_field_regex;

/* Shared by tsv and csv: a column number or a header name. */
ladle_status ladle_field_compile_column(struct ladle_field *f, const char *body,
                                        struct ladle_error *err);

/* Grows s->buf to at least n bytes; NULL when out of memory. Amortized:
 * an extraction allocates only when a value is longer than any before. */
char *ladle_field_scratch_reserve(struct ladle_field_scratch *s, size_t n);

/* rec/len without its trailing "\n" or "\r\n" (a lone trailing '\r' too). */
static inline size_t ladle_field_chomp(const char *rec, size_t len)
{
    if (len && rec[len - 1] == '\n')
        len--;
    if (len && rec[len - 1] == '\r')
        len--;
    return len;
}

#endif

/*
 * field.h -- pulling one named value out of a record.
 *
 * The sampling designs that look inside records (stratified by a field,
 * cluster by a key, weighted by a number, snowball FROM:TO) and `ladle
 * stats --field` all ask the same question once per record: "what is field
 * F of this record?". This layer answers it on the hot path, so:
 *
 * - A field spec is compiled once into an immutable ladle_field that every
 *   thread shares. Each thread brings its own ladle_field_scratch (the
 *   buffer unescaped values are written to, the PCRE2 match data), so an
 *   extraction allocates nothing once the scratch has grown to the longest
 *   value that needed unescaping.
 * - Extraction scans only as far as it must: the Nth column stops at the
 *   Nth delimiter; a JSON path skips the values it does not need without
 *   building anything. The flip side: a record is validated only as far as
 *   it was scanned (malformed bytes after the value are not noticed).
 * - A value points into the record when it can (unquoted CSV, JSON strings
 *   without escapes, numbers, TSV) and into the scratch otherwise.
 * - Each format is one file filling one struct ladle_field_ops (field_ops.h):
 *   field_tsv.c, field_csv.c, field_json.c, field_regex.c.
 *
 * Spec grammar (ladle_field_compile):
 *   re:PATTERN   any format: PCRE2 pattern with exactly one capture group,
 *                matched against the record without its line end; the
 *                group's text is the value. Byte semantics (no UTF mode).
 *   tsv, csv     a column number (1-based; all digits) or a header name
 *                (anything else; needs --header, see ladle_field_bind).
 *   json, auto   a path of dot-separated keys, `user.id`, `items.0.sku`:
 *                an all-digit segment indexes an array when the value there
 *                is an array, else it is an object key. Keys containing '.'
 *                and the empty key cannot be addressed.
 *   lines        only re: (anything else is a compile error).
 *
 * Results: OK (a value), MISSING (the record has no such field), BAD (the
 * record is malformed where it was scanned), NOMEM (the scratch could not
 * grow): MISSING and BAD are the record's fault and go to the caller's
 * --missing policy; NOMEM should fail the run.
 */
#ifndef LADLE_FIELD_H
#define LADLE_FIELD_H

#include <stddef.h>

#include "common/error.h"

enum ladle_format {
    LADLE_FORMAT_AUTO,  /* per record: JSON if it starts with '{', else lines */
    LADLE_FORMAT_LINES, /* free text: re: fields only */
    LADLE_FORMAT_TSV,   /* delimiter (default tab) separated, no quoting */
    LADLE_FORMAT_CSV,   /* RFC 4180, delimiter default ',' */
    LADLE_FORMAT_JSON,  /* one JSON value per line */
};

enum ladle_field_result {
    LADLE_FIELD_OK,
    LADLE_FIELD_MISSING, /* no such column, key, index, or no regex match */
    LADLE_FIELD_BAD,     /* malformed record (or a regex engine error on it) */
    LADLE_FIELD_NOMEM,   /* the scratch could not grow: not the record's fault */
};

struct ladle_field;         /* compiled, immutable: shared by all threads */
struct ladle_field_scratch; /* per thread: never shared */

/* Where a field's column is in one input: filled per input by
 * ladle_field_bind, so inputs whose headers order columns differently work. */
struct ladle_field_binding {
    size_t column; /* 0-based; meaningful for tsv/csv only */
};

/* Parses a --format value ("auto", "lines", "tsv", "csv", "json").
 * Returns 0, or -1 for an unknown name. */
int ladle_format_parse(const char *s, enum ladle_format *out);

/* The --format name of fmt ("auto", "csv", ...), "?" for no format. */
const char *ladle_format_name(enum ladle_format fmt);

/* LADLE_FORMAT_JSON if the record starts with '{' after optional
 * whitespace (and an optional UTF-8 byte order mark), else
 * LADLE_FORMAT_LINES. */
enum ladle_format ladle_format_detect(const char *rec, size_t len);

/* Compiles spec for records of format fmt. delim is the tsv/csv delimiter,
 * 0 for the default (tab for tsv, ',' for csv); ignored by other formats.
 * On success *out owns the field (free with ladle_field_free). Errors
 * (LADLE_E_USAGE) name the spec: "field 'x': what (where)". */
ladle_status ladle_field_compile(struct ladle_field **out, const char *spec, enum ladle_format fmt,
                                 char delim, struct ladle_error *err);

/* Compiles a snowball link "FROM:TO" into two fields. The spec is split at
 * its only ':'; a spec with none or several is an error, and so is re: on
 * either side (a pattern may itself hold ':'): FROM and TO are each a
 * column number, a header name or a JSON path. */
ladle_status ladle_field_compile_link(struct ladle_field **from, struct ladle_field **to,
                                      const char *spec, enum ladle_format fmt, char delim,
                                      struct ladle_error *err);

void ladle_field_free(struct ladle_field *f);

/* The spec the field was compiled from (borrowed: lives as long as f). */
const char *ladle_field_spec(const struct ladle_field *f);

/* 1 if the field names a tsv/csv column, so each input needs a header. */
int ladle_field_needs_header(const struct ladle_field *f);

/* Fills *b for one input. header/len: that input's first record (with or
 * without its line end; a UTF-8 byte order mark is skipped), or NULL when
 * the input has none. file (borrowed) names the input in messages. A field
 * that names a column fails with LADLE_E_USAGE when header is NULL, and
 * with LADLE_E_INPUT when the header lacks the name ("FILE: no column 'x'
 * in the header (line 1)") or is malformed. Duplicate names: the first
 * wins. Fields that need no header just copy their column. */
ladle_status ladle_field_bind(const struct ladle_field *f, const char *header, size_t len,
                              const char *file, struct ladle_field_binding *b,
                              struct ladle_error *err);

/* A scratch for one thread; works with any field. NULL when out of memory. */
struct ladle_field_scratch *ladle_field_scratch_new(void);
void ladle_field_scratch_free(struct ladle_field_scratch *s);
/* The count of malformed records its thread left out (--malformed skip):
 * ladle_field_under_policy adds to it, callers read deltas to tell a
 * malformed record from one without the field. */
uint64_t *ladle_field_scratch_malformed(struct ladle_field_scratch *s);

/* Extracts f from the record rec/len (with or without its '\n' or "\r\n").
 * b: from ladle_field_bind for the record's input; may be NULL when f does
 * not need a header. s: this thread's scratch (not NULL).
 * On OK, *value and *vlen are the value: it points into rec or into s, and stays
 * valid until the next extraction with s (extracting two fields at once,
 * such as FROM and TO, takes two scratches). Otherwise *value is NULL and
 * *vlen 0. Hot path: no allocation (once s is warm), no locks. */
enum ladle_field_result ladle_field_get(const struct ladle_field *f,
                                        const struct ladle_field_binding *b, const char *rec,
                                        size_t len, struct ladle_field_scratch *s,
                                        const char **value, size_t *vlen);

/* Parses a field value as a weight: a finite, non-negative decimal number
 * such as "1", "0", "2.5", ".5", "1e3", "7E-2". Rejected: empty, a sign
 * ('-' or '+', so "-0" too), surrounding whitespace (" 1": values are
 * never trimmed; trim with a re: field), "nan", "inf", hex, trailing junk,
 * overflow to infinity, and more than 255 bytes. The decimal point is '.'
 * whatever the locale. Returns 0 and sets *out, or -1 (*out untouched). */
int ladle_field_parse_weight(const char *v, size_t len, double *out);

#endif

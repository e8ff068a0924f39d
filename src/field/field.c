/*
 * field.c -- field specs: parse, pick the format's ops, bind to headers,
 * dispatch extractions (see field.h).
 *
 * Everything here runs once per run or once per input, except
 * ladle_field_get, which is one indirect call into the format's file.
 * Specs are split by a fixed rule, never by guessing: "re:" first, then
 * the format decides whether the rest is a column or a path.
 */
#include "field/field_ops.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_MAX_COLUMN ((size_t)1 << 30)

static const struct {
    const char *name;
    enum ladle_format fmt;
} format_names[] = {
    {"auto", LADLE_FORMAT_AUTO}, {"lines", LADLE_FORMAT_LINES}, {"tsv", LADLE_FORMAT_TSV},
    {"csv", LADLE_FORMAT_CSV},   {"json", LADLE_FORMAT_JSON},
};
#define NFORMATS (sizeof format_names / sizeof format_names[0])

const char *ladle_format_name(enum ladle_format fmt)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (format_names[i].fmt == fmt)
            return format_names[i].name;
    return "?";
}

int ladle_format_parse(const char *s, enum ladle_format *out)
{
    for (size_t i = 0; i < NFORMATS; i++) {
        if (strcmp(s, format_names[i].name) == 0) {
            *out = format_names[i].fmt;
            return 0;
        }
    }
    return -1;
}

/* Skips a UTF-8 byte order mark: files written on Windows often open with one. */
static size_t bom_len(const char *rec, size_t len)
{
    return len >= 3 && memcmp(rec, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

enum ladle_format ladle_format_detect(const char *rec, size_t len)
{
    for (size_t i = bom_len(rec, len); i < len; i++) {
        char c = rec[i];
        if (c == '{')
            return LADLE_FORMAT_JSON;
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            break;
    }
    return LADLE_FORMAT_LINES;
}

static const struct ladle_field_ops *ops_for(const char *spec, enum ladle_format fmt)
{
    if (strncmp(spec, "re:", 3) == 0)
        return &ladle_field_regex;
    switch (fmt) {
    case LADLE_FORMAT_TSV: return &ladle_field_tsv;
    case LADLE_FORMAT_CSV: return &ladle_field_csv;
    case LADLE_FORMAT_JSON: return &ladle_field_json;
    case LADLE_FORMAT_AUTO: return &ladle_field_json_auto;
    case LADLE_FORMAT_LINES: break;
    }
    return NULL;
}

ladle_status ladle_field_compile(struct ladle_field **out, const char *spec, enum ladle_format fmt,
                                 char delim, struct ladle_error *err)
{
    *out = NULL;
    if (!spec || !*spec)
        return ladle_error_set(err, LADLE_E_USAGE, "field '': empty field spec");
    const struct ladle_field_ops *ops = ops_for(spec, fmt);
    if (!ops)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "field '%s': field needs --format tsv/csv/json or re:PATTERN", spec);
    if (fmt == LADLE_FORMAT_TSV || fmt == LADLE_FORMAT_CSV) {
        if (!delim)
            delim = fmt == LADLE_FORMAT_TSV ? '\t' : ',';
        if (delim == '\n' || delim == '\r' || (fmt == LADLE_FORMAT_CSV && delim == '"'))
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "field '%s': the delimiter cannot be a line end%s", spec,
                                   fmt == LADLE_FORMAT_CSV ? " or '\"'" : "");
    }
    struct ladle_field *f = calloc(1, sizeof *f);
    if (!f || !(f->spec = strdup(spec))) {
        free(f);
        return ladle_error_set(err, LADLE_E_INTERNAL, "field '%s': out of memory", spec);
    }
    f->ops = ops;
    f->format = fmt;
    f->delim = delim;
    f->column = SIZE_MAX;
    const char *body = ops == &ladle_field_regex ? spec + 3 : spec;
    ladle_status st = ops->compile(f, body, err);
    if (st != LADLE_OK) {
        ladle_field_free(f);
        return st;
    }
    *out = f;
    return LADLE_OK;
}

ladle_status ladle_field_compile_link(struct ladle_field **from, struct ladle_field **to,
                                      const char *spec, enum ladle_format fmt, char delim,
                                      struct ladle_error *err)
{
    *from = *to = NULL;
    const char *colon = strchr(spec, ':');
    if (strncmp(spec, "re:", 3) == 0 || (colon && strncmp(colon + 1, "re:", 3) == 0))
        return ladle_error_set(err, LADLE_E_USAGE,
                               "link '%s': re: patterns are not supported in FROM:TO", spec);
    if (!colon || strchr(colon + 1, ':'))
        return ladle_error_set(err, LADLE_E_USAGE,
                               "link '%s': expected FROM:TO with exactly one ':'", spec);
    size_t n = (size_t)(colon - spec);
    char *left = strndup(spec, n);
    if (!left)
        return ladle_error_set(err, LADLE_E_INTERNAL, "link '%s': out of memory", spec);
    ladle_status st = ladle_field_compile(from, left, fmt, delim, err);
    free(left);
    if (st == LADLE_OK)
        st = ladle_field_compile(to, colon + 1, fmt, delim, err);
    if (st != LADLE_OK) {
        ladle_field_free(*from);
        *from = NULL;
    }
    return st;
}

void ladle_field_free(struct ladle_field *f)
{
    if (!f)
        return;
    if (f->ops->destroy)
        f->ops->destroy(f);
    free(f->name);
    free(f->spec);
    free(f);
}

const char *ladle_field_spec(const struct ladle_field *f)
{
    return f->spec;
}

int ladle_field_needs_header(const struct ladle_field *f)
{
    return f->name != NULL;
}

ladle_status ladle_field_compile_column(struct ladle_field *f, const char *body,
                                        struct ladle_error *err)
{
    size_t digits = strspn(body, "0123456789");
    if (body[digits] != '\0') {
        f->name = strdup(body);
        if (!f->name)
            return ladle_error_set(err, LADLE_E_INTERNAL, "field '%s': out of memory", f->spec);
        return LADLE_OK;
    }
    size_t col = 0;
    for (size_t i = 0; i < digits; i++) {
        col = col * 10 + (size_t)(body[i] - '0');
        if (col > FIELD_MAX_COLUMN)
            return ladle_error_set(err, LADLE_E_USAGE, "field '%s': column number too large",
                                   f->spec);
    }
    if (col == 0)
        return ladle_error_set(err, LADLE_E_USAGE, "field '%s': columns are numbered from 1",
                               f->spec);
    f->column = col - 1;
    return LADLE_OK;
}

ladle_status ladle_field_bind(const struct ladle_field *f, const char *header, size_t len,
                              const char *file, struct ladle_field_binding *b,
                              struct ladle_error *err)
{
    b->column = f->column;
    if (!f->name)
        return LADLE_OK;
    if (!header)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "%s: field '%s' names a column but the input has no header "
                               "(use --header, or a column number)",
                               file, f->spec);
    size_t skip = bom_len(header, len);
    header += skip;
    len = ladle_field_chomp(header, len - skip);
    switch (f->ops->find_column(f, header, len, &b->column)) {
    case LADLE_FIELD_OK: return LADLE_OK;
    case LADLE_FIELD_MISSING:
        return ladle_error_set(err, LADLE_E_INPUT, "%s: no column '%s' in the header (line 1)",
                               file, f->name);
    case LADLE_FIELD_BAD:
        return ladle_error_set(err, LADLE_E_INPUT, "%s: malformed header (line 1)", file);
    case LADLE_FIELD_NOMEM: break;
    }
    return ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", file);
}

uint64_t *ladle_field_scratch_malformed(struct ladle_field_scratch *s)
{
    return &s->malformed;
}

struct ladle_field_scratch *ladle_field_scratch_new(void)
{
    struct ladle_field_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    /* Two pairs: the whole match and the one capture group every re: has. */
    s->md = pcre2_match_data_create(2, NULL);
    if (!s->md) {
        free(s);
        return NULL;
    }
    return s;
}

void ladle_field_scratch_free(struct ladle_field_scratch *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    free(s->buf);
    free(s);
}

char *ladle_field_scratch_reserve(struct ladle_field_scratch *s, size_t n)
{
    if (s->buf && n <= s->cap)
        return s->buf;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < n)
        cap = cap > SIZE_MAX / 2 ? n : cap * 2;
    char *buf = realloc(s->buf, cap);
    if (!buf)
        return NULL;
    s->buf = buf;
    s->cap = cap;
    return buf;
}

enum ladle_field_result ladle_field_get(const struct ladle_field *f,
                                        const struct ladle_field_binding *b, const char *rec,
                                        size_t len, struct ladle_field_scratch *s,
                                        const char **value, size_t *vlen)
{
    assert(b || !f->name);
    enum ladle_field_result r = f->ops->get(f, b ? b->column : f->column, rec, len, s, value, vlen);
    if (r != LADLE_FIELD_OK) {
        *value = NULL;
        *vlen = 0;
    }
    return r;
}

/*
 * field_csv.c -- RFC 4180 columns.
 *
 * A field that starts with '"' is quoted: it runs to the next '"' not
 * doubled, may hold delimiters, '\r' and '\n', and "" inside it stands for
 * one '"'. Anything else runs to the next delimiter, and a '"' inside it is
 * plain data (lenient, as most readers are). Two things are malformed (BAD):
 * a quoted field not closed before the end of the record (in line mode it
 * would span lines), and bytes between a closing quote and the delimiter.
 *
 * Hot path: fields before the wanted one are stepped over with memchr
 * without being copied; the value points into the record unless it holds
 * doubled quotes, and only then is it undoubled into the scratch.
 */
#include "field/field_ops.h"

#include <string.h>

struct csv_cell {
    const char *raw; /* borrowed: the bytes, between the quotes when quoted */
    size_t len;
    int doubled; /* raw holds "" pairs to undouble */
};

/* Reads the field at *pp into c and moves *pp past its delimiter. Returns
 * 1 when a delimiter followed (another field comes), 0 at the end of the
 * record, -1 when malformed. */
static int csv_next(const char **pp, const char *end, char delim, struct csv_cell *c)
{
    const char *p = *pp;
    c->doubled = 0;
    if (p < end && *p == '"') {
        const char *q = p + 1;
        c->raw = q;
        for (;;) {
            q = memchr(q, '"', (size_t)(end - q));
            if (!q)
                return -1;
            if (q + 1 < end && q[1] == '"') {
                c->doubled = 1;
                q += 2;
                continue;
            }
            break;
        }
        c->len = (size_t)(q - c->raw);
        p = q + 1;
        if (p == end) {
            *pp = p;
            return 0;
        }
        if (*p != delim)
            return -1;
        *pp = p + 1;
        return 1;
    }
    const char *d = memchr(p, delim, (size_t)(end - p));
    c->raw = p;
    if (!d) {
        c->len = (size_t)(end - p);
        *pp = end;
        return 0;
    }
    c->len = (size_t)(d - p);
    *pp = d + 1;
    return 1;
}

/* Writes c's bytes with each "" undoubled to out (room for c->len);
 * returns the length written. */
static size_t csv_undouble(const struct csv_cell *c, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < c->len; i++) {
        out[n++] = c->raw[i];
        if (c->raw[i] == '"')
            i++; /* the second of the pair */
    }
    return n;
}

/* 1 if the undoubled bytes of c equal name/len. */
static int csv_equals(const struct csv_cell *c, const char *name, size_t len)
{
    if (!c->doubled)
        return c->len == len && memcmp(c->raw, name, len) == 0;
    size_t n = 0;
    for (size_t i = 0; i < c->len; i++, n++) {
        if (n >= len || c->raw[i] != name[n])
            return 0;
        if (c->raw[i] == '"')
            i++;
    }
    return n == len;
}

static enum ladle_field_result csv_get(const struct ladle_field *f, size_t column, const char *rec,
                                       size_t len, struct ladle_field_scratch *s,
                                       const char **value, size_t *vlen)
{
    const char *p = rec, *end = rec + ladle_field_chomp(rec, len);
    struct csv_cell c;
    for (size_t i = 0;; i++) {
        int more = csv_next(&p, end, f->delim, &c);
        if (more < 0)
            return LADLE_FIELD_BAD;
        if (i == column)
            break;
        if (!more)
            return LADLE_FIELD_MISSING;
    }
    if (!c.doubled) {
        *value = c.raw;
        *vlen = c.len;
        return LADLE_FIELD_OK;
    }
    char *out = ladle_field_scratch_reserve(s, c.len);
    if (!out)
        return LADLE_FIELD_NOMEM;
    *value = out;
    *vlen = csv_undouble(&c, out);
    return LADLE_FIELD_OK;
}

static enum ladle_field_result csv_find_column(const struct ladle_field *f, const char *hdr,
                                               size_t len, size_t *column)
{
    size_t want = strlen(f->name);
    const char *p = hdr, *end = hdr + len;
    struct csv_cell c;
    for (size_t i = 0;; i++) {
        int more = csv_next(&p, end, f->delim, &c);
        if (more < 0)
            return LADLE_FIELD_BAD;
        if (csv_equals(&c, f->name, want)) {
            *column = i;
            return LADLE_FIELD_OK;
        }
        if (!more)
            return LADLE_FIELD_MISSING;
    }
}

const struct ladle_field_ops ladle_field_csv = {
    .name = "csv",
    .compile = ladle_field_compile_column,
    .find_column = csv_find_column,
    .get = csv_get,
    .destroy = NULL,
};

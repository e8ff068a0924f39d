/*
 * field_tsv.c -- delimiter-separated columns without quoting.
 *
 * Hot path: column N costs N memchr calls over the record (glibc's memchr
 * is vectorized), and the value always points into the record. There is
 * no escaping in TSV as ladle reads it: a delimiter always ends a column.
 * An empty record has one empty column.
 */
#include "field/field_ops.h"

#include <string.h>

static enum ladle_field_result tsv_get(const struct ladle_field *f, size_t column, const char *rec,
                                       size_t len, struct ladle_field_scratch *s,
                                       const char **value, size_t *vlen)
{
    (void)s;
    const char *p = rec, *end = rec + ladle_field_chomp(rec, len);
    for (size_t i = 0; i < column; i++) {
        const char *d = memchr(p, f->delim, (size_t)(end - p));
        if (!d)
            return LADLE_FIELD_MISSING;
        p = d + 1;
    }
    const char *d = memchr(p, f->delim, (size_t)(end - p));
    *value = p;
    *vlen = (size_t)((d ? d : end) - p);
    return LADLE_FIELD_OK;
}

static enum ladle_field_result tsv_find_column(const struct ladle_field *f, const char *hdr,
                                               size_t len, size_t *column)
{
    size_t want = strlen(f->name);
    const char *p = hdr, *end = hdr + len;
    for (size_t i = 0;; i++) {
        const char *d = memchr(p, f->delim, (size_t)(end - p));
        const char *stop = d ? d : end;
        if ((size_t)(stop - p) == want && memcmp(p, f->name, want) == 0) {
            *column = i;
            return LADLE_FIELD_OK;
        }
        if (!d)
            return LADLE_FIELD_MISSING;
        p = d + 1;
    }
}

const struct ladle_field_ops ladle_field_tsv = {
    .name = "tsv",
    .compile = ladle_field_compile_column,
    .find_column = tsv_find_column,
    .get = tsv_get,
    .destroy = NULL,
};

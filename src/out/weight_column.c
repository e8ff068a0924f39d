/*
 * weight_column.c -- records with their estimator weight (see weight_column.h).
 */
#include "out/weight_column.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"

char ladle_weight_delim(int format, char delim)
{
    if (delim)
        return delim;
    return format == LADLE_FORMAT_CSV ? ',' : '\t';
}

static int append_parts(struct ladle_outbuf *out, const char *a, size_t alen, const char *b,
                        size_t blen, const char *c, size_t clen)
{
    return ladle_outbuf_append(out, a, alen) | ladle_outbuf_append(out, b, blen) |
           ladle_outbuf_append(out, c, clen);
}

int ladle_append_weighted(struct ladle_outbuf *out, const char *rec, size_t len, double w,
                          char delim)
{
    return ladle_append_column(out, rec, len, "_weight", w, delim);
}

int ladle_append_column(struct ladle_outbuf *out, const char *rec, size_t len, const char *name,
                        double w, char delim)
{
    size_t body = ladle_line_body_len(rec, len);
    char num[96];
    /* 17 significant digits: the double round-trips, sums stay exact. */
    int n;
    size_t close = body;
    while (close && (rec[close - 1] == ' ' || rec[close - 1] == '\t'))
        close--;
    if (close && rec[close - 1] == '}' && rec[0] == '{') {
        /* A JSON object: insert before the closing brace ("{}" gets no comma). */
        size_t inner = close - 1;
        while (inner > 1 && (rec[inner - 1] == ' ' || rec[inner - 1] == '\t'))
            inner--;
        n = snprintf(num, sizeof num, "%s\"%s\":%.17g", inner > 1 ? "," : "", name, w);
        return append_parts(out, rec, close - 1, num, (size_t)n, rec + close - 1,
                            len - (close - 1));
    }
    n = snprintf(num, sizeof num, "%c%.17g", delim, w);
    return append_parts(out, rec, body, num, (size_t)n, rec + body, len - body);
}

int ladle_append_column_header(struct ladle_outbuf *out, const char *hdr, size_t len,
                               const char *name, char delim)
{
    size_t body = ladle_line_body_len(hdr, len);
    char col[64];
    int n = snprintf(col, sizeof col, "%c%s", delim, name);
    return append_parts(out, hdr, body, col, (size_t)n, hdr + body, len - body);
}

int ladle_weight_delim_readable(char delim)
{
    /* The bytes of a %.17g number ("-1.5e+300", "inf", "nan"). */
    return delim != 0 && !strchr("0123456789+-.eEinfaINFA", delim);
}

/* Reads text[0..len) as a whole number. 0 or -1. */
static int read_number(const char *text, size_t len, double *value)
{
    char num[96];
    if (len == 0 || len >= sizeof num)
        return -1;
    memcpy(num, text, len);
    num[len] = '\0';
    char *end;
    *value = strtod(num, &end);
    return end == num + len ? 0 : -1;
}

int ladle_find_column(const char *rec, size_t len, const char *name, char delim, size_t *cut,
                      size_t *cut_len, double *value)
{
    size_t body = ladle_line_body_len(rec, len);
    size_t close = body;
    while (close && (rec[close - 1] == ' ' || rec[close - 1] == '\t'))
        close--;
    if (close && rec[close - 1] == '}' && rec[0] == '{') {
        /* A JSON object: [,]"name":NUMBER just before the closing brace. */
        size_t num_end = close - 1, k = num_end;
        while (k > 0 && rec[k - 1] != ':')
            k--;
        size_t nlen = strlen(name);
        if (k < nlen + 3 || rec[k - nlen - 3] != '"' || rec[k - 2] != '"' ||
            memcmp(rec + k - nlen - 2, name, nlen) != 0)
            return -1;
        size_t start = k - nlen - 3;
        if (start > 0 && rec[start - 1] == ',')
            start--; /* the comma ladle_append_column added */
        *cut = start;
        *cut_len = num_end - start;
        return read_number(rec + k, num_end - k, value);
    }
    const char *d = body ? memrchr(rec, delim, body) : NULL;
    if (!d)
        return -1;
    *cut = (size_t)(d - rec);
    *cut_len = body - *cut;
    return read_number(d + 1, *cut_len - 1, value);
}

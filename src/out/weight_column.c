/*
 * weight_column.c -- records with their estimator weight (see weight_column.h).
 */
#include "out/weight_column.h"

#include <stdio.h>

#include "field/field.h"

char ladle_weight_delim(int format, char delim)
{
    if (delim)
        return delim;
    return format == LADLE_FORMAT_CSV ? ',' : '\t';
}

/* Length of rec without its line end ("\n" or "\r\n"). */
static size_t body_len(const char *rec, size_t len)
{
    if (len && rec[len - 1] == '\n')
        len--;
    if (len && rec[len - 1] == '\r')
        len--;
    return len;
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
    size_t body = body_len(rec, len);
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
    size_t body = body_len(hdr, len);
    char col[64];
    int n = snprintf(col, sizeof col, "%c%s", delim, name);
    return append_parts(out, hdr, body, col, (size_t)n, hdr + body, len - body);
}

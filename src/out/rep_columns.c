/*
 * rep_columns.c -- records with replicate columns (see rep_columns.h).
 */
#include "out/rep_columns.h"

#include <stdio.h>
#include <string.h>

#include "out/weight_column.h"

/* Where the added text goes: before a JSON object's closing brace (*json
 * 1, *comma whether a key comes before), else at the end of the line. */
static size_t insert_at(const char *rec, size_t len, int *json, int *comma)
{
    size_t body = ladle_line_body_len(rec, len), close = body;
    while (close && (rec[close - 1] == ' ' || rec[close - 1] == '\t'))
        close--;
    *json = close && rec[close - 1] == '}' && rec[0] == '{';
    if (!*json)
        return body;
    size_t inner = close - 1;
    while (inner > 1 && (rec[inner - 1] == ' ' || rec[inner - 1] == '\t'))
        inner--;
    *comma = inner > 1;
    return close - 1;
}

/* Writes v in decimal at p; its length. */
static size_t put_uint(char *p, unsigned v)
{
    char tmp[12];
    size_t n = 0, k = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        p[k++] = tmp[--n];
    return k;
}

int ladle_append_reps(struct ladle_outbuf *out, const char *rec, size_t len,
                      const unsigned char *reps, unsigned nreps, const char *extra, double value,
                      char delim)
{
    int json, comma = 0;
    size_t at = insert_at(rec, len, &json, &comma);
    int bad = ladle_outbuf_append(out, rec, at);
    /* By hand, a block at a time: snprintf per count cost more than the draws. */
    char block[512];
    size_t k = 0;
    for (unsigned b = 0; b < nreps && !bad; b++) {
        if (json) {
            if (comma || b)
                block[k++] = ',';
            memcpy(block + k, "\"_rep", 5);
            k += 5 + put_uint(block + k + 5, b + 1);
            block[k++] = '"';
            block[k++] = ':';
        } else {
            block[k++] = delim;
        }
        k += put_uint(block + k, reps[b]);
        if (k > sizeof block - 32 || b + 1 == nreps) {
            bad = ladle_outbuf_append(out, block, k);
            k = 0;
        }
    }
    char piece[128];
    if (extra && !bad) {
        /* 17 significant digits, as out/weight_column.c writes them. */
        int n = json ? snprintf(piece, sizeof piece, "%s\"%s\":%.17g", comma || nreps ? "," : "",
                                extra, value)
                     : snprintf(piece, sizeof piece, "%c%.17g", delim, value);
        bad = ladle_outbuf_append(out, piece, (size_t)n);
    }
    return bad || ladle_outbuf_append(out, rec + at, len - at) ? -1 : 0;
}

int ladle_append_reps_header(struct ladle_outbuf *out, const char *hdr, size_t len, unsigned nreps,
                             const char *extra, char delim)
{
    size_t body = ladle_line_body_len(hdr, len);
    int bad = ladle_outbuf_append(out, hdr, body);
    char piece[96];
    for (unsigned b = 0; b < nreps && !bad; b++) {
        int n = snprintf(piece, sizeof piece, "%c_rep%u", delim, b + 1);
        bad = ladle_outbuf_append(out, piece, (size_t)n);
    }
    if (extra && !bad) {
        int n = snprintf(piece, sizeof piece, "%c%s", delim, extra);
        bad = ladle_outbuf_append(out, piece, (size_t)n);
    }
    return bad || ladle_outbuf_append(out, hdr + body, len - body) ? -1 : 0;
}

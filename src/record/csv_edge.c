/*
 * csv_edge.c -- RFC 4180 record ends (see csv_edge.h).
 */
#include "record/csv_edge.h"

#include <string.h>

/* In a quoted field at p[*i] (state IN or QUOTE): moves past its closing
 * quote. Returns the state reached: MID once outside (the byte after the
 * closing quote is then p[*i], not a '"'), or IN/QUOTE at p[n]. */
static enum ladle_csv_state skip_quoted(const char *p, size_t n, size_t *i, enum ladle_csv_state s)
{
    for (;;) {
        if (s == LADLE_CSV_IN) {
            const char *q = memchr(p + *i, '"', n - *i);
            if (!q) {
                *i = n;
                return LADLE_CSV_IN;
            }
            *i = (size_t)(q - p) + 1;
        }
        if (*i == n)
            return LADLE_CSV_QUOTE;
        if (p[*i] != '"')
            return LADLE_CSV_MID; /* closed */
        (*i)++;                   /* "" stands for a quote */
        s = LADLE_CSV_IN;
    }
}

/* Outside quotes at p[i] in state s: the first '"' in p[i..lim) that opens
 * a quoted field (the first byte of a field), or lim. */
static size_t next_open(const char *p, size_t lim, size_t i, char delim, enum ladle_csv_state s)
{
    while (i < lim) {
        const char *q = memchr(p + i, '"', lim - i);
        if (!q)
            return lim;
        size_t k = (size_t)(q - p);
        if (k == i ? s == LADLE_CSV_START : p[k - 1] == delim || p[k - 1] == '\n')
            return k;
        i = k + 1;
        s = LADLE_CSV_MID;
    }
    return lim;
}

/* The state after the unquoted bytes p[i..n), entered in state s. */
static enum ladle_csv_state after_plain(const char *p, size_t i, size_t n, char delim,
                                        enum ladle_csv_state s)
{
    if (n == i)
        return s;
    return p[n - 1] == delim || p[n - 1] == '\n' ? LADLE_CSV_START : LADLE_CSV_MID;
}

size_t ladle_csv_first_edge(const char *p, size_t n, char delim, enum ladle_csv_state *state)
{
    size_t i = 0;
    enum ladle_csv_state s = *state;
    for (;;) {
        if (s == LADLE_CSV_IN || s == LADLE_CSV_QUOTE) {
            s = skip_quoted(p, n, &i, s);
            if (s != LADLE_CSV_MID) {
                *state = s;
                return 0;
            }
        }
        /* Quotes matter only up to the line end: records without quotes
         * cost one memchr more than a plain line. */
        const char *nl = memchr(p + i, '\n', n - i);
        size_t lim = nl ? (size_t)(nl - p) : n;
        size_t k = next_open(p, lim, i, delim, s);
        if (k == lim) {
            if (nl) {
                *state = LADLE_CSV_START;
                return lim + 1;
            }
            *state = after_plain(p, i, n, delim, s);
            return 0;
        }
        i = k + 1;
        s = LADLE_CSV_IN;
    }
}

size_t ladle_csv_last_edge(const char *p, size_t n, char delim, enum ladle_csv_state *state)
{
    size_t i = 0, last = 0;
    enum ladle_csv_state s = *state;
    for (;;) {
        if (s == LADLE_CSV_IN || s == LADLE_CSV_QUOTE) {
            s = skip_quoted(p, n, &i, s);
            if (s != LADLE_CSV_MID) {
                *state = s;
                return last;
            }
        }
        size_t k = next_open(p, n, i, delim, s);
        const char *nl = k > i ? memrchr(p + i, '\n', k - i) : NULL;
        if (nl)
            last = (size_t)(nl - p) + 1;
        if (k == n) {
            *state = after_plain(p, i, n, delim, s);
            return last;
        }
        i = k + 1;
        s = LADLE_CSV_IN;
    }
}

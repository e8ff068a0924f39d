/*
 * csv_edge.h -- where RFC 4180 records end: at a '\n' outside quotes.
 *
 * The grammar is field_csv.c's, so framing and extraction agree: a '"'
 * opens a quoted field only as the first byte of a field (after the
 * delimiter or at the record's start); inside, "" is a quote and the next
 * lone '"' closes it. A '"' anywhere else is plain data (lenient, as most
 * readers are), so a stray quote in an unquoted field never swallows the
 * lines after it.
 *
 * The scanners resume from a state, so a record split across chunks is
 * scanned once: the framer keeps the state at the end of its carry.
 * Both run at memchr speed: outside quotes they look for '"' only (and
 * check the byte before it), inside quotes for the closing '"'.
 */
#ifndef LADLE_CSV_EDGE_H
#define LADLE_CSV_EDGE_H

#include <stddef.h>

enum ladle_csv_state {
    LADLE_CSV_START, /* at the start of a field (a '"' here opens a quote) */
    LADLE_CSV_MID,   /* inside an unquoted field */
    LADLE_CSV_IN,    /* inside a quoted field */
    LADLE_CSV_QUOTE, /* just after a '"' inside a quoted field: "" or the end */
};

/* Scans p[0..n) from *state. Returns the length up to and including the
 * first '\n' outside quotes (the end of the record), or 0 when there is
 * none; *state is then the state after p[n-1] (after a record end it is
 * LADLE_CSV_START). */
size_t ladle_csv_first_edge(const char *p, size_t n, char delim, enum ladle_csv_state *state);

/* The same for the last record end: the length up to and including the
 * last '\n' outside quotes, or 0 when there is none; *state is the state
 * after p[n-1], i.e. of the partial record after that edge. */
size_t ladle_csv_last_edge(const char *p, size_t n, char delim, enum ladle_csv_state *state);

#endif

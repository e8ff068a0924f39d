/*
 * weight_column.h -- `--emit-weight`: each kept record carries the weight a
 * estimator needs (the inverse inclusion probability, or the priority-
 * sampling weight max(w, tau)), so a sum over the sample estimates the
 * population total without bias.
 *
 * JSON objects gain a "_weight" key before their closing brace; any other
 * record (TSV, CSV, text) gains a last column. The record is otherwise
 * unchanged, CRLF included.
 */
#ifndef LADLE_WEIGHT_COLUMN_H
#define LADLE_WEIGHT_COLUMN_H

#include <stddef.h>

#include "out/outbuf.h"

/* Length of rec without its line end ("\n" or "\r\n"): where an added
 * column goes (weight_column.c, rep_columns.c). */
static inline size_t ladle_line_body_len(const char *rec, size_t len)
{
    if (len && rec[len - 1] == '\n')
        len--;
    if (len && rec[len - 1] == '\r')
        len--;
    return len;
}

/* The delimiter the weight column uses for this format (enum ladle_format)
 * and -d value (0: the format's default). */
char ladle_weight_delim(int format, char delim);

/* Appends rec (len bytes, ending in '\n') with column `name` = value added
 * ("_weight" for --emit-weight, "_wave" for --emit-wave). 0 or -1 (no memory). */
int ladle_append_column(struct ladle_outbuf *out, const char *rec, size_t len, const char *name,
                        double value, char delim);
/* The same with name "_weight". */
int ladle_append_weighted(struct ladle_outbuf *out, const char *rec, size_t len, double w,
                          char delim);

/* The inverse of ladle_append_column, for a record it wrote: where the
 * added text starts in rec (*cut) and how long it is (*cut_len), and the
 * value it shows (*value: %.17g reads back to the same double). -1 if rec
 * carries no such column. Exact whenever delim cannot occur in a number
 * (ladle_weight_delim_readable). */
int ladle_find_column(const char *rec, size_t len, const char *name, char delim, size_t *cut,
                      size_t *cut_len, double *value);
/* Whether a column with this delimiter reads back unambiguously. */
int ladle_weight_delim_readable(char delim);

/* Appends a header line with the column name added. 0 or -1. */
int ladle_append_column_header(struct ladle_outbuf *out, const char *hdr, size_t len,
                               const char *name, char delim);

#endif

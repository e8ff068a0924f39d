/*
 * rep_columns.h -- `--bootstrap B`: each written record gains B replicate
 * columns _rep1.._repB (Poisson(1) counts, drawn by sample/bootstrap.c),
 * then the --emit-weight/--emit-wave column if any, which stays last (the
 * record sink takes "_weight" off the end).
 *
 * JSON objects gain "_rep1":k,... keys before their closing brace; any
 * other record (TSV, CSV, text) gains columns. The record is otherwise
 * unchanged, CRLF included (as out/weight_column.h).
 */
#ifndef LADLE_REP_COLUMNS_H
#define LADLE_REP_COLUMNS_H

#include <stddef.h>

#include "out/outbuf.h"

/* Appends rec (len bytes, ending in '\n') with reps[0..nreps) as
 * _rep1.._repN and, when extra is not NULL, column extra = value. 0 or -1. */
int ladle_append_reps(struct ladle_outbuf *out, const char *rec, size_t len,
                      const unsigned char *reps, unsigned nreps, const char *extra, double value,
                      char delim);

/* The header line with the names _rep1.._repN (and extra) added. 0 or -1. */
int ladle_append_reps_header(struct ladle_outbuf *out, const char *hdr, size_t len, unsigned nreps,
                             const char *extra, char delim);

#endif

/*
 * record_sink.h -- the writer's other end: instead of bytes to a file
 * descriptor, one call per record to a host's function (ladle_job_run_sink),
 * with the --emit-weight column taken off again and its value passed as a
 * number.
 *
 * The weight is read back from the column text: ladle_append_column prints
 * it with 17 significant digits, so strtod gives the very same double, and
 * every way a record reaches the writer (streamed, limited, shuffled,
 * finished at the end of a pass) is covered at this one place.
 */
#ifndef LADLE_RECORD_SINK_H
#define LADLE_RECORD_SINK_H

#include <stddef.h>

#include "common/error.h"
#include "out/outbuf.h"
#include "record/csv_edge.h"

struct ladle_record_sink {
    ladle_sink fn;
    void *arg;
    int strip_weight;            /* records carry a "_weight" column: take it off, pass its value */
    char delim;                  /* that column's delimiter (ladle_weight_delim) */
    int header;                  /* the bytes being fed are the --header line */
    int stopped;                 /* fn returned non-zero: deliver nothing more */
    struct ladle_outbuf line;    /* a record not ended yet; owns */
    struct ladle_outbuf scratch; /* a record without its column; owns */

    /* --format csv (set by the job): records end at a line end outside quotes */
    char csv_delim;
    enum ladle_csv_state csv_state; /* of the record in line */
};

/* Feeds bytes the writer would have written: whole records ending in '\n'
 * go to fn one by one. Sets stopped (and drops the rest) once fn asks to stop. */
ladle_status ladle_record_sink_feed(struct ladle_record_sink *s, const char *p, size_t n,
                                    struct ladle_error *err);
/* Delivers a last record without a line end, if any. */
ladle_status ladle_record_sink_finish(struct ladle_record_sink *s, struct ladle_error *err);
void ladle_record_sink_destroy(struct ladle_record_sink *s);

#endif

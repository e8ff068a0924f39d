/*
 * record_sink.c -- records to a host's function (see record_sink.h).
 */
#include "out/record_sink.h"

#include <math.h>
#include <string.h>

#include "out/weight_column.h"

/* One whole record (or the header line) to the host. */
static ladle_status deliver(struct ladle_record_sink *s, const char *rec, size_t len,
                            struct ladle_error *err)
{
    double w = NAN;
    const char *out = rec;
    size_t out_len = len;
    size_t cut = 0, cut_len = 0;
    int found = 0;
    if (s->strip_weight && s->header) {
        /* The header gained delim + "_weight" before its line end. */
        static const char name[] = "_weight";
        size_t body = len, nlen = sizeof name - 1;
        while (body && (rec[body - 1] == '\n' || rec[body - 1] == '\r'))
            body--;
        if (body > nlen && rec[body - nlen - 1] == s->delim &&
            memcmp(rec + body - nlen, name, nlen) == 0) {
            cut = body - nlen - 1;
            cut_len = nlen + 1;
            found = 1;
        }
    } else if (s->strip_weight) {
        if (ladle_find_column(rec, len, "_weight", s->delim, &cut, &cut_len, &w) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "sink: a record without its weight");
        found = 1;
    }
    if (found) {
        s->scratch.len = 0;
        if (ladle_outbuf_append(&s->scratch, rec, cut) != 0 ||
            ladle_outbuf_append(&s->scratch, rec + cut + cut_len, len - cut - cut_len) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "sink: out of memory");
        out = s->scratch.data;
        out_len = s->scratch.len;
    }
    if (s->fn(s->arg, out, out_len, w) != 0)
        s->stopped = 1;
    return LADLE_OK;
}

ladle_status ladle_record_sink_feed(struct ladle_record_sink *s, const char *p, size_t n,
                                    struct ladle_error *err)
{
    const char *end = p + n;
    while (p < end && !s->stopped) {
        const char *nl;
        if (s->csv_delim) { /* a record ends at a '\n' outside quotes */
            size_t e = ladle_csv_first_edge(p, (size_t)(end - p), s->csv_delim, &s->csv_state);
            nl = e ? p + e - 1 : NULL;
        } else {
            nl = memchr(p, '\n', (size_t)(end - p));
        }
        if (!nl) { /* keep the start of a record until its end comes */
            if (ladle_outbuf_append(&s->line, p, (size_t)(end - p)) != 0)
                return ladle_error_set(err, LADLE_E_INTERNAL, "sink: out of memory");
            break;
        }
        size_t len = (size_t)(nl - p) + 1;
        ladle_status st;
        if (s->line.len) {
            if (ladle_outbuf_append(&s->line, p, len) != 0)
                return ladle_error_set(err, LADLE_E_INTERNAL, "sink: out of memory");
            st = deliver(s, s->line.data, s->line.len, err);
            s->line.len = 0;
        } else {
            st = deliver(s, p, len, err);
        }
        if (st != LADLE_OK)
            return st;
        p += len;
    }
    return LADLE_OK;
}

ladle_status ladle_record_sink_finish(struct ladle_record_sink *s, struct ladle_error *err)
{
    ladle_status st = LADLE_OK;
    if (s->line.len && !s->stopped)
        st = deliver(s, s->line.data, s->line.len, err);
    s->line.len = 0;
    return st;
}

void ladle_record_sink_destroy(struct ladle_record_sink *s)
{
    ladle_outbuf_free(&s->line);
    ladle_outbuf_free(&s->scratch);
}

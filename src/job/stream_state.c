/*
 * stream_state.c -- `--state FILE` for the designs that decide each
 * record on the spot (--rate, --strata --fractions, --cluster --rate,
 * --head) or by its global index (--every): plan step 6 of
 * doc/design-issue10.md.
 *
 * They hold nothing in a run, so under --state the run gathers what they
 * keep (the --shuffle path's kept set) after the records the earlier runs
 * kept, and the union is written back (sample/kept_set_state.h) and
 * printed as one run over every input prints it: by (position, offset),
 * or by key with --shuffle. Every record is decided as in one run: its key
 * comes from its position (consumed sources hold theirs as empty inputs),
 * --every's global index continues from the records the earlier runs saw,
 * and --head takes only what the carried records leave of N.
 */
#include <stdlib.h>

#include "job/run_sample.h"
#include "sample/kept_set_state.h"

ladle_status ladle_job_stream_state_begin(struct job_run *j)
{
    const struct ladle_run_state *rs = j->cfg->state;
    j->collect = 1;
    uint64_t seen = 0;
    if (rs->carry_in_len) {
        ladle_status st =
            ladle_kept_set_state_read(rs->carry_in, rs->carry_in_len, 0, &j->kept, &seen, j->err);
        if (st != LADLE_OK)
            return st;
    }
    j->carried_seen = seen;
    if (j->kept.count && j->io->count) { /* where each input's new records rank from */
        if (!(j->carried_next = calloc(j->io->count, sizeof *j->carried_next)))
            return ladle_error_set(j->err, LADLE_E_INTERNAL, "state: out of memory");
        for (size_t i = 0; i < j->kept.count; i++) {
            const struct ladle_kept *k = &j->kept.v[i];
            if (k->input < j->io->count && k->offset + 1 > j->carried_next[k->input])
                j->carried_next[k->input] = k->offset + 1;
        }
    }
    if (j->design->ordered)
        j->global_index = seen; /* --every: the next record's index in one run */
    /* --head: the carried records are the first ones (at most N of them,
     * even from a state that holds more). */
    if (j->kept.count > j->limit) {
        ladle_kept_sort(j->kept.v, j->kept.count, 0);
        while (j->kept.count > j->limit)
            free(j->kept.v[--j->kept.count].data);
    }
    j->limit -= j->kept.count;
    return LADLE_OK;
}

ladle_status ladle_job_stream_state_end(struct job_run *j)
{
    const struct ladle_run_state *rs = j->cfg->state;
    uint64_t seen = j->carried_seen;
    for (unsigned k = 0; k <= j->nworkers; k++)
        seen += j->partials[k].records_seen;
    ladle_status st = ladle_kept_set_state_write(&j->kept, seen, rs->carry_out, j->err);
    if (st == LADLE_OK && j->header_written) {
        const struct ladle_outbuf *h = ladle_engine_header(j->engine, j->header_from);
        if (ladle_outbuf_append(rs->carry_header, h->data, h->len) != 0)
            st = ladle_error_set(j->err, LADLE_E_INTERNAL, "state: out of memory");
    }
    return st;
}

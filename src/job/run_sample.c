/*
 * run_sample.c -- one pass of a design over every input, on the engine:
 * workers offer each chunk's records to their own partial sampler state
 * (or, for ordered designs, index where records start); the calling
 * thread writes what they kept in (input, chunk) order, with the --header
 * line first and the --head limit applied; with --shuffle, streaming
 * designs' records are gathered to be sorted by key. At the end the
 * partial states merge and the design finishes.
 */
#include "job/run_sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/rep_columns.h"
#include "out/weight_column.h"
#include "record/records.h"
#include "shard/shards.h"
#include "split/assign.h"
#include "split/split.h"

#define SORT_RESERVE ((size_t)40 << 20)

void ladle_job_free_result(struct job_result *res)
{
    if (res->chunk)
        ladle_chunk_put(res->chunk);
    free(res->starts);
    free(res->routes);
    free(res->sample);
    ladle_outbuf_free(&res->out);
    free(res);
}

static void free_item(void *arg, struct ladle_engine_item *it)
{
    (void)arg;
    ladle_job_free_result((struct job_result *)it);
}

/* Resolves the design's fields for input i, from its header when it has one. */
static ladle_status bind_input(void *arg, uint32_t i, const char *header, size_t len,
                               const struct ladle_field_binding **binding)
{
    struct job_run *j = arg;
    const struct ladle_field *fields[LADLE_BINDINGS_PER_INPUT] = {
        j->cfg->params.field,
        j->cfg->params.field_to,
        j->cfg->params.split ? j->cfg->params.split->by : NULL,
        j->cfg->params.split ? j->cfg->params.split->label : NULL,
        j->cfg->params.split ? j->cfg->params.split->time_more[0] : NULL,
        j->cfg->params.split ? j->cfg->params.split->time_more[1] : NULL};
    for (unsigned k = 0; k < j->cfg->params.nmore_fields; k++)
        fields[LADLE_BINDING_MORE_FIELDS + k] = j->cfg->params.more_fields[k];
    struct ladle_field_binding *b = &j->bindings[LADLE_BINDINGS_PER_INPUT * i];
    *binding = b;
    if (header && j->cfg->params.format == LADLE_FORMAT_AUTO &&
        ladle_format_detect(header, len) == LADLE_FORMAT_JSON)
        return ladle_error_set(j->err, LADLE_E_USAGE,
                               "%s: --header on JSON lines: JSON records carry their own keys, and "
                               "the first record would be copied into every output (and shard)",
                               j->io->names[i]);
    for (int k = 0; k < LADLE_BINDINGS_PER_INPUT; k++) {
        if (!fields[k])
            continue;
        ladle_status st = ladle_field_bind(fields[k], header, len, j->io->names[i], &b[k], j->err);
        if (st != LADLE_OK)
            return st;
    }
    return LADLE_OK;
}

/* ---- the worker threads ---- */

/* Memory a waiting result holds: what backpressure counts. */
static long long result_charge(const struct job_result *res)
{
    return (long long)(sizeof *res + res->out.cap + res->out.keys_cap * sizeof(uint64_t) +
                       res->nstarts * sizeof(uint32_t) +
                       res->routes_cap * sizeof(struct ladle_route) + RESULT_OVERHEAD);
}

/* Ordered designs: where each record of the chunk starts (the design picks
 * by global index later, on the calling thread). */
static ladle_status index_records(struct job_run *j, struct ladle_sampler *partial,
                                  const struct ladle_chunk *ck, struct job_result *res)
{
    size_t cap = 0;
    struct ladle_record_iter it;
    struct ladle_record rec;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &rec)) {
        partial->records_seen++;
        if (res->nstarts == cap) {
            cap = cap ? cap * 2 : 1024;
            uint32_t *p = realloc(res->starts, cap * sizeof *p);
            if (!p)
                return ladle_error_set(j->err, LADLE_E_INTERNAL, "pipeline: out of memory");
            res->starts = p;
        }
        res->starts[res->nstarts++] = (uint32_t)(rec.data - ck->data);
    }
    return LADLE_OK;
}

/* The chunk's first record, for the message if the field never resolves. */
static void keep_sample(const struct ladle_chunk *ck, struct job_result *res)
{
    struct ladle_record_iter it;
    struct ladle_record rec;
    ladle_record_iter_init(&it, ck);
    if (!ladle_record_next(&it, &rec))
        return;
    size_t len = rec.len > 65536 ? 65536 : rec.len;
    while (len && (rec.data[len - 1] == '\n' || rec.data[len - 1] == '\r'))
        len--;
    if ((res->sample = malloc(len ? len : 1))) {
        memcpy(res->sample, rec.data, len);
        res->sample_len = len;
    }
}

static ladle_status process(void *arg, unsigned worker, struct ladle_chunk *ck,
                            struct ladle_engine_item **out)
{
    struct job_run *j = arg;
    struct ladle_sampler *partial = &j->partials[worker];
    struct job_result *res = calloc(1, sizeof *res);
    if (!res) {
        ladle_chunk_put(ck);
        return ladle_error_set(j->err, LADLE_E_INTERNAL, "pipeline: out of memory");
    }
    *out = &res->item;
    res->end_offset = ck->offset + ck->len;
    uint64_t seen0 = partial->records_seen, missing0 = partial->records_missing;
    uint64_t malformed0 = partial->records_malformed;
    ladle_status st;
    if (j->design == &ladle_sampler_all) { /* a split without a design */
        st = ladle_job_route_chunk(j, partial, ck, res);
    } else if (j->design->ordered) {
        st = index_records(j, partial, ck, res);
        res->chunk = ck;
    } else {
        st = j->design->offer(partial, ck, &res->out, j->io->names[ck->input], j->err);
        if (st == LADLE_OK && j->cfg->params.split) {
            uint64_t dropped = 0;
            st = ladle_job_route_kept(j, partial->scratch, ck->input, res, &dropped);
            partial->records_missing += dropped;
        }
    }
    res->records_seen = partial->records_seen - seen0;
    res->item.records = res->records_seen;
    res->records_missing = partial->records_missing - missing0;
    res->records_malformed = partial->records_malformed - malformed0;
    if (j->check.armed && ck->seq == 0 && res->records_seen &&
        res->records_missing + res->records_malformed == res->records_seen)
        keep_sample(ck, res);
    if (!res->chunk)
        ladle_chunk_put(ck);
    /* Results of later inputs may wait a while: hold only the bytes kept. */
    if (res->out.cap > 2 * res->out.len + 4096) {
        char *p = realloc(res->out.data, res->out.len ? res->out.len : 1);
        if (p) {
            res->out.data = p;
            res->out.cap = res->out.len ? res->out.len : 1;
        }
    }
    res->item.charge = result_charge(res);
    return st;
}

/* ---- the calling thread ---- */

/* The first header seen in input order heads the output, once (or, in a
 * split, every shard); later inputs' headers are only compared with it. */
static ladle_status emit_header(struct job_run *j, uint32_t input, uint64_t seq)
{
    const struct ladle_outbuf *h = ladle_engine_header(j->engine, input);
    const struct ladle_config *cfg = j->cfg;
    if (!j->header_written && h->len && !j->design->report && !j->io->skip_header) {
        j->header_written = true;
        j->header_from = input;
        int split = cfg->params.split && j->w.record_hook;
        struct ladle_shards *shards = split ? cfg->state->split_state->shards : NULL;
        if (split && cfg->state->split_state->counting)
            return LADLE_OK;
        if (!cfg->params.extra_column && !cfg->params.bootstrap)
            return shards ? ladle_shards_set_header(shards, h->data, h->len, j->err)
                          : ladle_writer_header(&j->w, h->data, h->len);
        struct ladle_outbuf hw;
        memset(&hw, 0, sizeof hw);
        ladle_status st;
        char delim = ladle_weight_delim(cfg->params.format, cfg->params.delim);
        if (ladle_append_reps_header(&hw, h->data, h->len, cfg->params.bootstrap,
                                     cfg->params.extra_column, delim) != 0)
            st = ladle_error_set(j->err, LADLE_E_INTERNAL, "output: out of memory");
        else
            st = shards ? ladle_shards_set_header(shards, hw.data, hw.len, j->err)
                        : ladle_writer_header(&j->w, hw.data, hw.len);
        ladle_outbuf_free(&hw);
        return st;
    }
    if (seq == 0 && h->len && cfg->engine.notify) {
        const struct ladle_outbuf *first = ladle_engine_header(j->engine, j->header_from);
        if (first->len != h->len || memcmp(first->data, h->data, h->len) != 0) {
            char line[512];
            snprintf(line, sizeof line, "%s: header differs from %s's; the output keeps the first",
                     j->io->names[input], j->io->names[j->header_from]);
            cfg->engine.notify(cfg->engine.notify_arg, line);
        }
    }
    return LADLE_OK;
}

/* Writes (or collects) the records of one result, honouring the limit. */
static ladle_status emit_records(struct job_run *j, struct job_result *res)
{
    struct ladle_outbuf *b = &res->out;
    if (!j->collect && b->records <= j->limit) {
        j->limit -= b->records;
        ladle_status st = ladle_writer_write(&j->w, b->data, b->len);
        if (!j->w.closed)
            j->w.records += b->records; /* the reader may have left: count what it took */
        return st;
    }
    if (!b->len)
        return LADLE_OK; /* (b->data may be NULL: no pointer sums on it) */
    const char *p = b->data, *end = b->data + b->len;
    for (size_t k = 0; p < end && j->limit > 0; k++) {
        size_t len = ladle_record_len(p, (size_t)(end - p), j->cfg->engine.csv_delim);
        if (j->collect) {
            /* The rank in the input stands in for the offset (run_sample.h):
             * it follows input order, which is all a tie between equal keys
             * needs, and a source's later bytes come after its earlier ones. */
            uint32_t in = res->item.input;
            if (in != j->rank_input || !j->rank) {
                j->rank_input = in;
                const struct ladle_input_start *at = j->io->starts ? &j->io->starts[in] : NULL;
                /* an `after` edge: the part's first record starts past it,
                 * and the part before may end a record at it */
                j->rank = at ? at->start + (at->after && at->start) : 0;
                /* after the records carried (a 0.4.0 state numbered them 0..) */
                if (j->carried_next && j->carried_next[in] > j->rank)
                    j->rank = j->carried_next[in];
            }
            if (j->sorter) {
                ladle_status st =
                    ladle_spill_sort_add(j->sorter, b->keys[k], in, j->rank++, p, len);
                if (st != LADLE_OK)
                    return st;
            } else if (ladle_kept_set_add(&j->kept, b->keys[k], in, j->rank++, p, len) != 0) {
                return ladle_error_set(j->err, LADLE_E_INTERNAL, "output: out of memory");
            }
        } else {
            ladle_status st = ladle_writer_write(&j->w, p, len);
            if (st != LADLE_OK)
                return st;
            j->w.records++;
        }
        j->limit--;
        p += len;
    }
    return LADLE_OK;
}

static ladle_status take_result(struct job_run *j, struct job_result *res)
{
    ladle_status st = ladle_field_check_take(
        &j->check, j->cfg, j->bindings, j->io->names, res->item.input, res->records_seen,
        res->records_missing + res->records_malformed, &res->sample, res->sample_len, j->err);
    if (st == LADLE_OK)
        st = emit_header(j, res->item.input, res->item.seq);
    if (st != LADLE_OK)
        return st;
    if (j->design->absorb)
        return j->design->absorb(j->selector, &res->out, j->err);
    if (res->chunk) {
        st = j->design->select(j->selector, j->global_index, res->chunk, res->starts, res->nstarts,
                               &res->out, j->err);
        j->global_index += res->nstarts;
        ladle_chunk_put(res->chunk); /* its bytes are in out now */
        res->chunk = NULL;
        if (st != LADLE_OK)
            return st;
    }
    if (j->cfg->params.split && j->w.record_hook) {
        ladle_job_split_count_input(j, res);
        if (!j->collect)
            return ladle_job_split_result(j, res);
    }
    return emit_records(j, res);
}

static ladle_status take(void *arg, struct ladle_engine_item *it, bool *finished)
{
    struct job_run *j = arg;
    struct job_result *res = (struct job_result *)it;
    ladle_status st = take_result(j, res);
    /* Progress: what the pass kept so far. */
    if (j->cfg->params.split && j->w.record_hook)
        it->kept = j->routed += res->nroutes;
    else
        it->kept = j->w.records + (uint64_t)j->kept.count +
                   (j->sorter ? ladle_spill_sort_count(j->sorter) : 0);
    *finished = j->w.closed || j->limit == 0;
    return st;
}

/* ---- one pass ---- */

/* --state: the sample of earlier runs joins this run's, and the union is
 * serialized for the next run before the design finishes (which may
 * reorder or reweigh what it emits). The report counts this run's records
 * only. */
static ladle_status carry_over(struct job_run *j)
{
    const struct ladle_run_state *rs = j->cfg->state;
    struct ladle_sampler *s = &j->partials[0], old;
    ladle_status st = ladle_sampler_init(&old, j->design, j->cfg, j->err);
    if (st != LADLE_OK)
        return st;
    if (rs->carry_in_len)
        st = j->design->deserialize(&old, rs->carry_in, rs->carry_in_len, j->err);
    uint64_t seen = old.records_seen;
    if (st == LADLE_OK)
        st = j->design->merge(s, &old, j->err);
    ladle_sampler_destroy(&old);
    if (st == LADLE_OK)
        st = j->design->serialize(s, rs->carry_out, j->err);
    /* A report (stats) writes no header line, but its next run binds named
     * columns in the placeholders with it: the first input's that has one. */
    uint32_t from = j->header_written ? j->header_from : j->io->count;
    for (uint32_t i = 0; !j->header_written && j->design->report && i < j->io->count; i++)
        if (ladle_engine_header(j->engine, i)->len) {
            from = i;
            break;
        }
    if (st == LADLE_OK && from < j->io->count) {
        const struct ladle_outbuf *h = ladle_engine_header(j->engine, from);
        if (ladle_outbuf_append(rs->carry_header, h->data, h->len) != 0)
            st = ladle_error_set(j->err, LADLE_E_INTERNAL, "state: out of memory");
    }
    s->records_seen -= seen;
    return st;
}

/* Merges the workers' partial states and finishes the design. */
static ladle_status finish(struct job_run *j)
{
    ladle_status st = LADLE_OK;
    if (j->carry_stream)
        st = ladle_job_stream_state_end(j);
    if (j->sorter && st == LADLE_OK) {
        st = ladle_spill_sort_emit(j->sorter, &j->w);
        if (ladle_spill_sort_runs(j->sorter) &&
            j->cfg->engine.notify) { /* -v: what the disk took */
            char line[200], more[80] = "";
            if (ladle_spill_sort_passes(j->sorter))
                snprintf(more, sizeof more, " (%u merges of runs into one before the last)",
                         ladle_spill_sort_passes(j->sorter));
            snprintf(line, sizeof line,
                     "shuffle: %u runs, %llu bytes written to the temporary folder%s",
                     ladle_spill_sort_runs(j->sorter),
                     (unsigned long long)ladle_spill_sort_spilled(j->sorter), more);
            j->cfg->engine.notify(j->cfg->engine.notify_arg, line);
        }
    } else if (j->collect && st == LADLE_OK)
        st = ladle_kept_emit(j->kept.v, j->kept.count, j->cfg->params.shuffle, &j->w);
    /* Partial states merge whatever the design: streaming ones may still
     * gather something (the next snowball frontier). */
    for (unsigned k = 1; k < j->nworkers && st == LADLE_OK && j->design->merge; k++)
        st = j->design->merge(&j->partials[0], &j->partials[k], j->err);
    if (st == LADLE_OK && j->design->absorb) /* what it took in input order, last */
        st = j->design->merge(&j->partials[0], j->selector, j->err);
    if (st == LADLE_OK && j->cfg->state && j->cfg->state->carry_out && !j->carry_stream)
        st = carry_over(j);
    if (st == LADLE_OK && j->design->finish)
        st = j->design->finish(&j->partials[0], &j->w, j->err);
    return st;
}

static void fill_report(const struct job_run *j, unsigned partials_ready,
                        const struct ladle_engine_stats *es, ladle_report *report)
{
    memset(report, 0, sizeof *report);
    for (unsigned k = 0; k < partials_ready; k++)
        report->records_in += j->partials[k].records_seen;
    for (unsigned k = 0; k < partials_ready; k++)
        report->records_missing += j->partials[k].records_missing;
    for (unsigned k = 0; k < partials_ready; k++)
        report->records_malformed += j->partials[k].records_malformed;
    report->records_out = j->w.records;
    report->bytes_in = es->bytes_in;
    report->bytes_compressed = es->bytes_compressed;
    report->threads = es->threads;
    report->io_uring_used = es->io_uring_used;
}

static void sorter_help(void *arg, unsigned worker)
{
    struct job_run *j = arg;
    ladle_spill_sort_help(j->sorter, worker);
}

/* The run proper, once the partial states and the writer are ready. */
static ladle_status run_engine(struct job_run *j, struct ladle_engine_ops *ops,
                               struct ladle_engine_stats *es)
{
    const struct ladle_config *cfg = j->cfg;
    j->w.cancel = j->io->cancel;
    j->w.sink = j->io->out_fd >= 0 ? j->io->sink : NULL;
    j->limit = cfg->params.output_limit;
    j->collect = j->design->streaming && cfg->params.shuffle;
    j->carry_stream = j->design->streaming && cfg->state && cfg->state->carry_out;
    j->selector = &j->partials[j->nworkers];
    if (!(j->engine = ladle_engine_new(cfg, j->io, ops, j->err)))
        return ladle_error_status(j->err);
    ladle_status st = j->carry_stream ? ladle_job_stream_state_begin(j) : LADLE_OK;
    /* --state keeps the gathered records in memory: they are its payload.
     * --memory is the whole run's: the engine's chunks and waiting results
     * (up to LADLE_ENGINE_PENDING_BUDGET while the sorter spills) and the
     * runs' readers take about SORT_RESERVE of it. */
    size_t memory = cfg->engine.memory ? cfg->engine.memory : LADLE_DEFAULT_MEMORY;
    memory -= memory / 2 < SORT_RESERVE ? memory / 2 : SORT_RESERVE;
    if (st == LADLE_OK && j->collect && !j->carry_stream &&
        !(j->sorter =
              ladle_spill_sort_new(memory, cfg->engine.tmpdir, j->nworkers, j->io->cancel, j->err)))
        st = ladle_error_status(j->err);
    if (j->sorter) { /* the workers compress the runs' frames between chunks */
        ops->help = sorter_help;
        ladle_spill_sort_set_wake(j->sorter, ladle_engine_wake_helper, j->engine);
    }
    bool split =
        cfg->params.split && j->io->out_fd >= 0; /* passes that only gather write nothing */
    if (split && st == LADLE_OK)
        st = ladle_job_split_begin(j, ops);
    if (st == LADLE_OK)
        st = ladle_engine_run(j->engine, es);
    if (st == LADLE_OK && !j->w.closed && j->limit)
        st = ladle_field_check_end(&j->check, cfg, j->bindings, j->io->names, j->err);
    if (st == LADLE_OK && !j->w.closed)
        st = finish(j);
    if (st == LADLE_OK)
        st = ladle_writer_flush(&j->w);
    if (split)
        ladle_job_split_end(j);
    if (j->sorter)
        ladle_spill_sort_set_wake(j->sorter, NULL, NULL);
    return st;
}

ladle_status ladle_pipeline_run(const struct ladle_config *cfg,
                                const struct ladle_sampler_ops *design,
                                const struct ladle_pipeline_io *io, struct ladle_error *err,
                                ladle_report *report, int *output_closed)
{
    struct job_run j;
    memset(&j, 0, sizeof j);
    j.cfg = cfg;
    j.io = io;
    j.err = err;
    j.design = design;
    j.nworkers = cfg->engine.threads;
    struct ladle_engine_ops ops = {&j, bind_input, process, take, free_item, NULL};
    struct ladle_engine_stats es;
    memset(&es, 0, sizeof es);
    ladle_status status = LADLE_OK;
    unsigned partials_ready = 0;
    j.bindings =
        calloc(LADLE_BINDINGS_PER_INPUT * (size_t)(io->count ? io->count : 1), sizeof *j.bindings);
    j.partials = calloc(j.nworkers + 1, sizeof *j.partials);
    if (!j.bindings || !j.partials) {
        status = ladle_error_set(err, LADLE_E_INTERNAL, "pipeline: out of memory");
        goto out;
    }
    for (; partials_ready < j.nworkers + 1; partials_ready++)
        if ((status = ladle_sampler_init(&j.partials[partials_ready], design, cfg, err)) !=
            LADLE_OK)
            goto out;
    if ((status = ladle_writer_init(&j.w, io->out_fd, err)) != LADLE_OK)
        goto out;
    if ((status = ladle_field_check_init(&j.check, cfg, design->report != 0, io->count, err)) !=
        LADLE_OK)
        goto out;
    status = run_engine(&j, &ops, &es);
    if (report)
        fill_report(&j, partials_ready, &es, report);
    if (output_closed)
        *output_closed = j.w.closed;
    ladle_field_scratch_free(j.scratch);
    ladle_writer_destroy(&j.w);
out:
    ladle_engine_free(j.engine); /* frees the results still waiting: before the partials */
    ladle_kept_set_free(&j.kept);
    ladle_spill_sort_free(j.sorter);
    free(j.carried_next);
    ladle_field_check_free(&j.check);
    for (unsigned k = 0; k < partials_ready; k++)
        ladle_sampler_destroy(&j.partials[k]);
    free(j.partials);
    free(j.bindings);
    return status;
}

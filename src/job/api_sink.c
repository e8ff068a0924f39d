/*
 * api_sink.c -- ladle_job_run_sink: a job's records to a host's function
 * instead of a file descriptor (see ladle.h and out/record_sink.h).
 */
#include <limits.h>
#include <string.h>

#include "job/designs.h"
#include "job/job_internal.h"
#include "out/record_sink.h"
#include "out/weight_column.h"

/* Whether the job's records have an estimator weight. --weight has one only
 * as priority sampling (LADLE_P_EMIT_WEIGHT set), which draws another
 * sample than Efraimidis-Spirakis: the column is never forced on it. */
static int has_weight(const struct ladle_config *cfg)
{
    const struct ladle_design_row *row = ladle_design_of(cfg);
    if (!row || !(row->flags & LADLE_DF_WEIGHTS) || (row->flags & LADLE_DF_SPLIT_ONLY))
        return 0;
    return !(row->flags & LADLE_DF_PRIORITY) || cfg->params.emit_weight;
}

static ladle_status refuse(ladle_job *j, const char *why)
{
    struct ladle_error *err = ladle_job_err(j);
    ladle_error_init(err);
    return ladle_error_set(err, LADLE_E_USAGE, "%s", why);
}

ladle_status ladle_job_run_sink(ladle_job *j, ladle_sink fn, void *arg, ladle_report *report)
{
    struct ladle_config *cfg = ladle_job_config(j);
    if (!fn)
        return refuse(j, "no sink function");
    const struct ladle_design_row *row = ladle_design_of(cfg);
    if (row && row->ops->report)
        return refuse(j, "a sink takes records: not the stats report");
    if (ladle_job_writes_dataset(j))
        return refuse(j, "a sink takes records: not a dataset (output dir)");
    /* The weight rides in the --emit-weight column as far as the writer,
     * which takes it off again. */
    int weighted = has_weight(cfg);
    char delim = ladle_weight_delim(cfg->params.format, cfg->params.delim);
    if (weighted && !ladle_weight_delim_readable(delim))
        return refuse(j, "a sink cannot read weights back with this delimiter");
    struct ladle_record_sink sink;
    memset(&sink, 0, sizeof sink);
    sink.fn = fn;
    sink.arg = arg;
    sink.strip_weight = weighted;
    sink.delim = delim;
    int emit_weight = cfg->params.emit_weight;
    if (weighted)
        cfg->params.emit_weight = 1;
    /* out_fd is never written while a sink is set: INT_MAX would fail loudly. */
    ladle_status st = ladle_job_run_to(j, INT_MAX, &sink, report);
    cfg->params.emit_weight = emit_weight;
    ladle_record_sink_destroy(&sink);
    return st;
}

/*
 * job_internal.h -- what the API files of src/job (api_*.c) need from the
 * job that the public header does not give.
 */
#ifndef LADLE_JOB_INTERNAL_H
#define LADLE_JOB_INTERNAL_H

#include "common/config.h"
#include "common/error.h"
#include "ladle/ladle.h"

struct ladle_record_sink;

/* ladle_job_run, with the records going to sink (NULL: to out_fd). */
ladle_status ladle_job_run_to(ladle_job *j, int out_fd, struct ladle_record_sink *sink,
                              ladle_report *report);
/* The job's settings (design parameters, engine settings). */
struct ladle_config *ladle_job_config(ladle_job *j);
/* The job's error slot (ladle_job_error reads it). */
struct ladle_error *ladle_job_err(ladle_job *j);
/* 1 when LADLE_S_OUTPUT_DIR is set: the run writes a dataset. */
int ladle_job_writes_dataset(ladle_job *j);

#endif

/*
 * cli.h -- pieces of the `ladle` command shared between its files.
 */
#ifndef LADLE_CLI_H
#define LADLE_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "ladle/ladle.h"

/* Exit codes beyond ladle_status. */
#define LADLE_EXIT_SIGTERM 143

void ladle_cli_usage_main(FILE *f);
void ladle_cli_usage_sample(FILE *f);

/* Parses "123", "4K", "2M", "1G", "64MiB" (powers of 1024). 0 on success. */
int ladle_cli_parse_size(const char *s, uint64_t *out);
/* Parses a non-negative decimal integer. 0 on success. */
int ladle_cli_parse_u64(const char *s, uint64_t *out);

/* Runs job into fd with SIGINT/SIGTERM cancelling it and SIGPIPE ignored;
 * *seconds: wall time; *interrupted_exit: the exit code when interrupted. */
ladle_status ladle_cli_run_job(ladle_job *job, int fd, ladle_report *rep, double *seconds,
                               int *interrupted_exit);
/* ladle-mpi: called with the job just before ladle_cli_run_job runs it
 * (NULL: never), to set what the command line does not say (the part, its
 * state, the states to merge); a status but LADLE_OK is the run's, and
 * ladle_job_error says why (the hook fails only through the job API). */
extern ladle_status (*ladle_cli_before_run)(ladle_job *job);
/* 1 when the last run was interrupted only after it had ended well (its
 * dataset committed, its output whole). */
int ladle_cli_run_ended_first(void);

/* progress_line.c: the progress line on stderr. mode: -1 --no-progress, 1
 * --progress, 0 on a terminal only; inputs: the operands (their sizes make
 * the "of N GB" of an interrupt's line). Clear it before any other message
 * printed during a run (ladle_cli_progress_note; it is redrawn at the next tick); ladle_cli_run_job
 * clears it at the end. After an interrupt, one line saying what was read
 * and, in left, what the run left behind. */
void ladle_cli_progress_setup(ladle_job *job, int mode, int ninputs, char *const *inputs);
void ladle_cli_progress_clear(void);
/* Prints "ladle: LINE" during a run (from any thread), the line cleared first. */
void ladle_cli_progress_note(const char *line);
/* The job's notify callback (verbose: an int *): warnings ("warning: ...")
 * always, other notes with -v; through ladle_cli_progress_note. */
void ladle_cli_note_line(void *verbose, const char *line);
void ladle_cli_progress_interrupted(const ladle_report *rep, const char *left);

/* out.c: the standard streams. ladle_cli_std_fds fills closed fds 0-2 (at
 * startup, before anything opens a file); ladle_cli_out is the stream every
 * report and help text is printed to; ladle_cli_out_close flushes and
 * closes it at exit and returns rc, or LADLE_E_OUTPUT after one message if
 * a write failed (a reader that went away, EPIPE, is not a failure). */
void ladle_cli_std_fds(void);
FILE *ladle_cli_out(void);
int ladle_cli_out_close(int rc);
/* 1, after saying so, when fd 1 was closed at startup: a command that
 * prints fails at once instead of after its work. */
int ladle_cli_stdout_closed(void);

int ladle_cli_sample(int argc, char **argv);
int ladle_cli_shuffle(int argc, char **argv); /* cmd_sample.c: sample of every record, shuffled */
void ladle_cli_usage_shuffle(FILE *f);
int ladle_cli_stats(int argc, char **argv);
void ladle_cli_usage_stats(FILE *f);
int ladle_cli_split(int argc, char **argv); /* cmd_sample.c: sample's flags plus the split's */
void ladle_cli_usage_split(FILE *f);
int ladle_cli_verify(int argc, char **argv); /* cmd_verify.c */
/* Reads options of `ladle sample` (argv[0] a name, no operands) into job
 * and sets the design they choose: 0, or the exit code after a message.
 * ladle merge gives it the options its states were drawn with. */
int ladle_cli_sample_design(ladle_job *job, int argc, char **argv);
/* The same for options of `ladle stats` (a stats state's counts); then
 * ladle_cli_stats_print runs the job and prints its report as stats does:
 * output 0 the table, 1 JSON, 2 TSV; bars -1 on a terminal. */
int ladle_cli_stats_design(ladle_job *job, int argc, char **argv);
int ladle_cli_stats_print(ladle_job *job, int output, int bars, int width_given, int verbose);
int ladle_cli_merge(int argc, char **argv); /* cmd_merge.c */
void ladle_cli_usage_merge(FILE *f);
/* cmd_merge_dir.c: `ladle merge -o DIR PARTDIR...`, which argv asks for
 * when it has -o or --output. */
int ladle_cli_merge_is_dir(int argc, char **argv);
int ladle_cli_merge_dir(int argc, char **argv);
void ladle_cli_usage_merge_dir(FILE *f);
void ladle_cli_usage_verify(FILE *f);
int ladle_cli_index(int argc, char **argv); /* cmd_index.c: gzip indexes */
void ladle_cli_usage_index(FILE *f);

#endif

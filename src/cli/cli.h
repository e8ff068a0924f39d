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

int ladle_cli_sample(int argc, char **argv);
int ladle_cli_stats(int argc, char **argv);
void ladle_cli_usage_stats(FILE *f);
int ladle_cli_split(int argc, char **argv);   /* cmd_sample.c: sample's flags plus the split's */
void ladle_cli_usage_split(FILE *f);
int ladle_cli_verify(int argc, char **argv);  /* cmd_verify.c */
void ladle_cli_usage_verify(FILE *f);

#endif

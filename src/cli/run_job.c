/*
 * run_job.c -- running a job the way every command does: SIGINT and
 * SIGTERM cancel it (the library stops cleanly and reports
 * LADLE_E_INTERRUPTED) and then, once the run is over, end the process at
 * once; SIGPIPE is ignored (main.c: a closed pipe is EPIPE, handled
 * quietly), and the wall time is measured.
 */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

/* The signal handler's only way to reach the running job. */
static ladle_job *running_job;
static volatile sig_atomic_t signal_seen;
static int ended_first; /* the run ended well before the signal counted */

ladle_status (*ladle_cli_before_run)(ladle_job *job);

static void on_signal(int sig)
{
    signal_seen = sig;
    if (running_job)
        ladle_job_cancel(running_job);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

ladle_status ladle_cli_run_job(ladle_job *job, int fd, ladle_report *rep, double *seconds,
                               int *interrupted_exit)
{
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    running_job = job;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    /* Past a file size limit (ulimit -f) a write fails with EFBIG: a clear
     * error and a clean-up, not a core dump. */
    signal(SIGXFSZ, SIG_IGN);
    double t0 = now_s();
    memset(rep, 0, sizeof *rep); /* an interrupted run may leave it unset */
    ladle_status st = ladle_cli_before_run ? ladle_cli_before_run(job) : LADLE_OK;
    if (st == LADLE_OK)
        st = ladle_job_run(job, fd, rep);
    *seconds = now_s() - t0;
    ladle_cli_progress_clear();
    /* What follows (a report written to a stalled reader) has nothing to
     * clean up: a signal ends it the way it did before the run (ladle: the
     * default way, at once; ladle-mpi: its temporary files go first). One
     * that came as the run ended still counts: the user asked to stop. */
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    running_job = NULL;
    ended_first = signal_seen && st == LADLE_OK;
    if (ended_first)
        st = LADLE_E_INTERRUPTED;
    *interrupted_exit = signal_seen == SIGTERM ? LADLE_EXIT_SIGTERM : LADLE_E_INTERRUPTED;
    return st;
}

int ladle_cli_run_ended_first(void)
{
    return ended_first;
}

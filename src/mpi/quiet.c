/*
 * quiet.c -- a rank's part run, seen from outside: its stdout goes to
 * /dev/null (a part with --state prints nothing; should one print, the
 * bytes must not reach the user ahead of the merged output) and its
 * stderr is held in a memory file until every rank has said how its part
 * went, so that a bad input is said once, by the rank that read it, and
 * not once more by each rank that gave up with it.
 */
#include <fcntl.h>
#include <mpi.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mpi/mpi.h"

int ladle_mpi_quiet_begin(struct ladle_mpi_quiet *q, int hold_err)
{
    fflush(stdout);
    fflush(ladle_cli_out());
    q->held = hold_err ? memfd_create("ladle-mpi-stderr", MFD_CLOEXEC) : -1;
    q->saved_out = dup(STDOUT_FILENO);
    q->saved_err = hold_err ? dup(STDERR_FILENO) : -1;
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if ((hold_err && (q->held < 0 || q->saved_err < 0)) || q->saved_out < 0 || null < 0 ||
        dup2(null, STDOUT_FILENO) < 0 || (hold_err && dup2(q->held, STDERR_FILENO) < 0)) {
        if (null >= 0)
            close(null);
        ladle_mpi_quiet_end(q, 0);
        perror("ladle: ladle-mpi: cannot hold a part's output");
        return -1;
    }
    close(null);
    return 0;
}

void ladle_mpi_quiet_end(struct ladle_mpi_quiet *q, int let_out)
{
    fflush(stdout);
    fflush(ladle_cli_out());
    fflush(stderr);
    if (q->saved_out >= 0) {
        dup2(q->saved_out, STDOUT_FILENO);
        close(q->saved_out);
    }
    if (q->saved_err >= 0) {
        dup2(q->saved_err, STDERR_FILENO);
        close(q->saved_err);
    }
    q->saved_out = q->saved_err = -1;
    if (q->held < 0)
        return;
    char buf[1 << 14];
    ssize_t n;
    for (off_t off = 0; let_out && (n = pread(q->held, buf, sizeof buf, off)) > 0; off += n)
        if (write(STDERR_FILENO, buf, (size_t)n) != n)
            break;
    close(q->held);
    q->held = -1;
}

/* The ranks' exit codes after the parts: the first failing rank's, which
 * alone lets its messages out; 0 when every part went well. */
int ladle_mpi_agree(int rc, int rank, int size, struct ladle_mpi_quiet *q, int held)
{
    int *rcs = calloc((size_t)size, sizeof *rcs);
    if (!rcs) {
        fputs("ladle: out of memory\n", stderr);
        MPI_Abort(MPI_COMM_WORLD, LADLE_E_INTERNAL);
    }
    MPI_Allgather(&rc, 1, MPI_INT, rcs, 1, MPI_INT, MPI_COMM_WORLD);
    int first = -1;
    for (int r = 0; r < size && first < 0; r++)
        if (rcs[r] != 0)
            first = r;
    if (held)
        ladle_mpi_quiet_end(q, first < 0 || first == rank);
    rc = first < 0 ? 0 : rcs[first];
    free(rcs);
    return rc;
}

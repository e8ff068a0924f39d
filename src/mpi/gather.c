/*
 * gather.c -- the states of the N ranks into rank 0: a reduction of
 * states, not of files (no shared filesystem). MPI_Gather of the sizes,
 * then MPI_Gatherv of the bytes in rounds, each rank's share of a round
 * at most INT_MAX / N bytes (MPI counts and displacements are ints), so a
 * state of any size passes; rank 0 writes each rank's bytes to a memory
 * file (memfd), which the merge reads by its /proc/self/fd path.
 */
#include <errno.h>
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/write_all.h"
#include "mpi/mpi.h"

/* Rank 0, before the rounds: a memory file per rank, the counts and
 * displacements, the round's buffer. 0, or -1 after a message. */
static int prepare(int size, int *fds, int **counts, int **displs, unsigned char **buf,
                   size_t round_bytes)
{
    for (int r = 0; r < size; r++)
        fds[r] = -1;
    *counts = calloc((size_t)size, sizeof **counts);
    *displs = calloc((size_t)size, sizeof **displs);
    *buf = malloc(round_bytes ? round_bytes : 1);
    int ok = *counts && *displs && *buf;
    for (int r = 0; ok && r < size; r++)
        ok = (fds[r] = memfd_create("ladle-mpi-state", MFD_CLOEXEC)) >= 0;
    if (!ok)
        fprintf(stderr, "ladle: ladle-mpi: cannot hold the ranks' states: %s\n",
                errno ? strerror(errno) : "out of memory");
    return ok ? 0 : -1;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

int ladle_mpi_gather(const struct ladle_mpi_bytes *mine, int rank, int size, int *fds)
{
    uint64_t len = mine->len, *lens = NULL;
    if (rank == 0 && !(lens = calloc((size_t)size, sizeof *lens))) {
        fputs("ladle: ladle-mpi: out of memory\n", stderr);
        MPI_Abort(MPI_COMM_WORLD, 5); /* the others wait in the gather */
    }
    MPI_Gather(&len, 1, MPI_UINT64_T, lens, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    uint64_t share = (uint64_t)(INT_MAX / size), most = 0, first_round = 0;
    for (int r = 0; rank == 0 && r < size; r++) {
        most = lens[r] > most ? lens[r] : most;
        first_round += min_u64(lens[r], share);
    }
    int *counts = NULL, *displs = NULL;
    unsigned char *buf = NULL;
    /* [0]: the longest state (the rounds), [1]: rank 0 is ready. */
    uint64_t plan[2] = {most, 1};
    if (rank == 0 && prepare(size, fds, &counts, &displs, &buf, (size_t)first_round) != 0)
        plan[1] = 0;
    MPI_Bcast(plan, 2, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    int failed = !plan[1];
    for (uint64_t off = 0; plan[1] && off < plan[0]; off += share) {
        int mine_now = (int)(off < len ? min_u64(len - off, share) : 0);
        int at = 0;
        for (int r = 0; rank == 0 && r < size; r++) {
            counts[r] = (int)(off < lens[r] ? min_u64(lens[r] - off, share) : 0);
            displs[r] = at;
            at += counts[r];
        }
        MPI_Gatherv(mine->data ? mine->data + off : NULL, mine_now, MPI_BYTE, buf, counts, displs,
                    MPI_BYTE, 0, MPI_COMM_WORLD);
        for (int r = 0; rank == 0 && r < size && !failed; r++)
            if (ladle_write_all(fds[r], buf + displs[r], (size_t)counts[r]) != 0) {
                fprintf(stderr, "ladle: ladle-mpi: cannot hold rank %d's state: %s\n", r,
                        strerror(errno));
                failed = 1; /* said; the rounds go on, the others are in them */
            }
    }
    free(lens);
    free(counts);
    free(displs);
    free(buf);
    if (failed && rank == 0)
        for (int r = 0; r < size; r++)
            if (fds[r] >= 0)
                close(fds[r]);
    return failed ? -1 : 0;
}

/*
 * mpi.h -- the pieces of ladle-mpi (main.c) kept in their own files: a
 * rank's part run (part.c), its output held back (quiet.c) and the states
 * gathered into rank 0 (gather.c).
 */
#ifndef LADLE_MPI_H
#define LADLE_MPI_H

#include <stddef.h>
#include <stdint.h>

/* One rank's state, its bytes. */
struct ladle_mpi_bytes {
    unsigned char *data; /* owns */
    size_t len;
};

/* part.c: runs `ladle sample|stats ARGS` (argv[0] "sample" or "stats",
 * ARGS with --part K/N) with its state in a temporary folder of this
 * node, which goes before the return whatever happens; the state's bytes
 * into *out. The exit code of the command (its message printed). When the
 * job ran, *opts_end is where the options end in argv, which getopt has
 * permuted so that they come first: argv[1..*opts_end) are options only;
 * -1 when the command ended before a run (--help). */
int ladle_mpi_part(int argc, char **argv, struct ladle_mpi_bytes *out, int *opts_end);
/* SIGINT and SIGTERM outside a run: the part's temporary files go, then
 * the signal ends the process as it would have. */
void ladle_mpi_part_signals(void);

/* quiet.c: while a rank runs its part, stdout goes nowhere (a part prints
 * nothing) and stderr (hold_err) is held, to be let out (or dropped) once
 * every rank has said how its part went: one failing rank speaks, not N.
 * 0, or -1 after a message (nothing held then). */
struct ladle_mpi_quiet {
    int saved_out, saved_err, held;
};
int ladle_mpi_quiet_begin(struct ladle_mpi_quiet *q, int hold_err);
void ladle_mpi_quiet_end(struct ladle_mpi_quiet *q, int let_out);

/* After a phase (quiet.c): every rank's exit code; the first failing
 * rank's messages are let out (held: q holds them), the others' dropped;
 * returns that rank's code, or 0 when every rank went well. Collective. */
int ladle_mpi_agree(int rc, int rank, int size, struct ladle_mpi_quiet *q, int held);

/* gather.c: every rank's bytes into rank 0, each rank's in a memory file:
 * fds[r] (rank 0 only; size of them). Collective; 0, or -1 on every rank
 * after rank 0 said why. */
int ladle_mpi_gather(const struct ladle_mpi_bytes *mine, int rank, int size, int *fds);

/* split.c: `ladle-mpi split -o DIR ARGS` (argv[1] "split"): each rank's
 * part dataset in a temporary folder beside DIR, joined by rank 0 into
 * DIR. The exit code, the same on every rank. */
int ladle_mpi_split(int argc, char **argv, int rank, int size);

#endif

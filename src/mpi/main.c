/*
 * main.c -- `mpirun -np N ladle-mpi sample|stats ARGS...`: rank r runs
 * part r+1 of N of `ladle sample|stats ARGS` in this process into a state
 * (part.c), the states go to rank 0 over MPI (gather.c: a reduction of
 * states, not of files), and rank 0 merges them as `ladle merge` does and
 * prints what `ladle sample|stats ARGS` prints over all the inputs, or,
 * with --state OUT, writes the merged state to OUT. After each phase the
 * ranks agree on its status, so that any rank's failure ends the job with
 * one message (the first failing rank's) and the same exit code on every
 * rank; MPI_Abort only where a rank cannot take part any more.
 */
#include <getopt.h> /* optind */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "mpi/mpi.h"

static void usage(FILE *f)
{
    fputs("Usage: mpirun [-q] -np N ladle-mpi sample|stats [OPTIONS] FILE...\n"
          "       mpirun [-q] -np N ladle-mpi split -o DIR [OPTIONS] FILE...\n"
          "\n"
          "Runs `ladle sample` or `ladle stats` over FILEs on N ranks: rank r reads\n"
          "part r+1 of N of the inputs (as --part r+1/N), keeps its sample in a\n"
          "state, and sends the state to rank 0 over MPI (no shared filesystem is\n"
          "needed for them), which merges the states as `ladle merge` does and\n"
          "prints what one `ladle sample|stats` over all the FILEs prints, byte for\n"
          "byte; with --state OUT it writes the merged state to OUT instead (OUT\n"
          "is replaced, not read). OPTIONS are those of the command; the rank sets\n"
          "--part. Every design --state carries runs so; --snowball does not.\n"
          "Each rank keeps its part's state in $TMPDIR (default /tmp) while it\n"
          "reads it back, and removes it on every path. Any rank's failure ends\n"
          "the job with that rank's message and exit status (mpirun -q keeps\n"
          "mpirun's own report of it quiet).\n"
          "\n"
          "split: every rank writes the dataset of its part into one temporary\n"
          "folder beside DIR (on the shared filesystem), and rank 0 joins them into\n"
          "DIR as `ladle merge -o DIR` does: each split's records, read in manifest\n"
          "order, are one `ladle split`'s. A failing, interrupted or killed rank\n"
          "leaves DIR as it was and no temporary folder. --stratify, --balance and\n"
          "sample designs are refused (their classes or sample need every record).\n"
          "\n"
          "Example:\n"
          "  mpirun -q -np 4 ladle-mpi sample -n 1000 --seed 7 logs/*.jsonl.zst\n"
          "  mpirun -q -np 4 ladle-mpi split -o ds --ratios train=0.9,test=0.1 logs/*.zst\n",
          f);
}

/* --seed random: one seed for every rank, drawn by rank 0. */
static void same_seed(int argc, char **argv, int rank)
{
    static char value[24], joined[32];
    int at = -1;
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if ((strcmp(argv[i], "--seed") == 0 && i + 1 < argc &&
             strcmp(argv[i + 1], "random") == 0) ||
            strcmp(argv[i], "--seed=random") == 0)
            at = i;
    if (at < 0)
        return;
    uint64_t seed = 0;
    if (rank == 0 && getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    MPI_Bcast(&seed, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (rank == 0)
        fprintf(stderr, "ladle: seed %llu\n", (unsigned long long)seed);
    snprintf(value, sizeof value, "%llu", (unsigned long long)seed);
    snprintf(joined, sizeof joined, "--seed=%llu", (unsigned long long)seed);
    if (argv[at][6] == '=')
        argv[at] = joined;
    else
        argv[at + 1] = value;
}

/* What ladle-mpi cannot run, said before any rank reads a byte: the
 * reason, or NULL. */
static const char *refused(int argc, char **argv)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *a = argv[i];
        size_t len = strlen(a);
        if (strcmp(a, "--part") == 0 || strncmp(a, "--part=", 7) == 0)
            return "ladle-mpi gives each rank its --part: leave it out";
        if (len >= 6 && strncmp(a, "--snowball", len) == 0)
            return "ladle-mpi cannot run --snowball yet: each wave needs a pass over every "
                   "input and the frontier gathered between waves, which a state does not "
                   "carry (run it with ladle sample on one machine)";
    }
    return NULL;
}

/* The user's --state OUT among the options (abbreviations too: getopt
 * took them). */
static int gives_state(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        size_t len = strcspn(argv[i], "=");
        if (len >= 4 && strncmp(argv[i], "--state", len) == 0)
            return 1;
    }
    return 0;
}

static int *merge_fds, merge_n;

/* Rank 0's merge: the gathered states are the job's inputs. */
static ladle_status merge_hook(ladle_job *job)
{
    char path[40];
    for (int r = 0; r < merge_n; r++) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", merge_fds[r]);
        ladle_status st = ladle_job_add_state(job, path);
        if (st != LADLE_OK)
            return st;
    }
    return LADLE_OK;
}

static int run_command(int argc, char **argv)
{
    optind = 0; /* getopt starts afresh */
    return strcmp(argv[0], "stats") == 0 ? ladle_cli_stats(argc, argv)
                                         : ladle_cli_sample(argc, argv);
}

/* Rank 0: `ladle CMD OPTIONS` with the states as its inputs. args: the
 * part's argv, permuted (its options first, up to opts_end), args[1..2]
 * the --part K/N that is no option of the merge. */
static int merge(char **args, int opts_end, int *fds, int size)
{
    char **argv = calloc((size_t)opts_end + 4, sizeof *argv);
    if (!argv) {
        fputs("ladle: out of memory\n", stderr);
        return LADLE_E_INTERNAL;
    }
    int argc = 0;
    argv[argc++] = args[0];
    /* A rank's stdout is mpirun's pty, a terminal wherever mpirun's own
     * output goes: stats prints as to a file unless told otherwise. */
    if (strcmp(args[0], "stats") == 0) {
        argv[argc++] = "--no-bars";
        argv[argc++] = "--width";
        argv[argc++] = "40";
    }
    for (int i = 3; i < opts_end; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    /* With --state OUT the merge writes OUT and prints nothing, as
     * `ladle merge --state OUT` (stats would print its totals). */
    struct ladle_mpi_quiet q;
    int quiet = gives_state(argc, argv), rc = 0;
    if (quiet && ladle_mpi_quiet_begin(&q, 0) != 0)
        rc = LADLE_E_INTERNAL;
    merge_fds = fds;
    merge_n = size;
    ladle_cli_before_run = merge_hook;
    if (rc == 0) {
        rc = run_command(argc, argv);
        if (quiet)
            ladle_mpi_quiet_end(&q, 0);
    }
    ladle_cli_before_run = NULL;
    for (int r = 0; r < size; r++)
        close(fds[r]);
    free(argv);
    return rc;
}

/* The three phases: each rank's part, the gather, rank 0's merge. */
static int run(int argc, char **argv, int rank, int size)
{
    char part[32];
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args) {
        fputs("ladle: out of memory\n", stderr);
        MPI_Abort(MPI_COMM_WORLD, LADLE_E_INTERNAL);
    }
    snprintf(part, sizeof part, "%d/%d", rank + 1, size);
    int n = 0;
    args[n++] = argv[1];
    args[n++] = "--part";
    args[n++] = part;
    for (int i = 2; i < argc; i++)
        args[n++] = argv[i];
    struct ladle_mpi_quiet q;
    struct ladle_mpi_bytes state = {NULL, 0};
    int opts_end = -1, held = ladle_mpi_quiet_begin(&q, 1) == 0;
    int rc = held ? ladle_mpi_part(n, args, &state, &opts_end) : LADLE_E_INTERNAL;
    rc = ladle_mpi_agree(rc, rank, size, &q, held);
    if (rc == 0 && opts_end < 0 && rank == 0) /* --help: print it this time */
        rc = run_command(n, args);
    if (rc != 0 || opts_end < 0) {
        free(state.data);
        free(args);
        return rc;
    }
    int *fds = rank == 0 ? calloc((size_t)size, sizeof *fds) : NULL;
    if (rank == 0 && !fds) {
        fputs("ladle: out of memory\n", stderr);
        MPI_Abort(MPI_COMM_WORLD, LADLE_E_INTERNAL);
    }
    rc = ladle_mpi_gather(&state, rank, size, fds) == 0 ? 0 : LADLE_E_INTERNAL;
    free(state.data);
    if (rank == 0 && rc == 0)
        rc = merge(args, opts_end, fds, size);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(fds);
    free(args);
    return rc;
}

static int dispatch(int argc, char **argv, int rank, int size)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    FILE *out = rank == 0 ? ladle_cli_out() : NULL;
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        if (out)
            usage(out);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        if (out)
            fprintf(out, "ladle-mpi %s (reproducibility contract %d)\n", ladle_version(),
                    LADLE_CONTRACT_VERSION);
        return 0;
    }
    if (strcmp(cmd, "split") == 0) {
        const char *no = refused(argc, argv);
        if (no)
            return rank == 0 ? ladle_cli_usage(cmd, "%s", no) : LADLE_E_USAGE;
        same_seed(argc, argv, rank);
        return ladle_mpi_split(argc, argv, rank, size);
    }
    if (strcmp(cmd, "sample") != 0 && strcmp(cmd, "stats") != 0) {
        if (rank != 0)
            return LADLE_E_USAGE;
        if (argc < 2)
            usage(stderr);
        else
            fprintf(stderr, "ladle: ladle-mpi: unknown command '%s' (sample, stats or split)\n",
                    cmd);
        return LADLE_E_USAGE;
    }
    const char *why = refused(argc, argv);
    if (why) /* the same answer on every rank, said once */
        return rank == 0 ? ladle_cli_usage(cmd, "%s", why) : LADLE_E_USAGE;
    same_seed(argc, argv, rank);
    return run(argc, argv, rank, size);
}

int main(int argc, char **argv)
{
    ladle_cli_std_fds();
    /* A reader that goes away is EPIPE, handled quietly, not a signal death. */
    signal(SIGPIPE, SIG_IGN);
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    ladle_mpi_part_signals();
    int rc = ladle_cli_out_close(dispatch(argc, argv, rank, size));
    MPI_Finalize();
    return rc;
}

/*
 * split.c -- `ladle-mpi split -o DIR ARGS`: every rank writes the dataset
 * of its part (`ladle split --part K/N -o TMP/part-K`) into one temporary
 * folder beside DIR on the shared filesystem, each rank compressing its own
 * shards; once every rank has said how its part went, rank 0 joins the
 * part folders into DIR as `ladle merge -o DIR` does (the shards are
 * linked in, the manifest committed last) and the temporary folder goes.
 * On any rank's failure or a signal, the temporary folder goes and DIR is
 * as it was: the join is the only step that touches DIR, and it commits
 * atomically.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw, pipe2, close_range */
#endif
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h> /* optind */
#include <libgen.h>
#include <limits.h>
#include <mpi.h>
#include <signal.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "mpi/mpi.h"

static char tmp_dir[PATH_MAX];

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    (void)remove(path); /* keep going: remove what can be */
    return 0;
}

static void rm_tree(const char *path)
{
    if (*path)
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The -o/--output DIR among the options, its index (of the value); -1. */
static int output_at(int argc, char **argv)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
            return i + 1;
    }
    return -1;
}

/* Rank 0: a child that removes the temporary folder once rank 0 is gone,
 * however it went (a signal, SIGKILL, MPI ending the job after another
 * rank died): it waits for the end of a pipe only rank 0 holds. It keeps
 * no other descriptor, so that mpirun sees rank 0's output end with it. */
static void watch_tmp(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        /* Out of rank 0's process group: mpirun ends a job by signalling
         * each rank's group, and this child must outlive rank 0. */
        setsid();
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        if (p[0] != 0 && dup2(p[0], 0) != 0)
            _exit(0);
        close_range(1, ~0U, 0); /* every descriptor but the pipe, now 0 */
        char c;
        while (read(0, &c, 1) > 0)
            ;
        rm_tree(tmp_dir);
        _exit(0);
    }
    close(p[0]);
    if (pid < 0)
        close(p[1]); /* no watchdog: the normal paths still remove it */
}

/* Rank 0: the temporary folder beside DIR, its path sent to every rank. */
static int make_tmp(const char *dir, int rank)
{
    int ok = 1;
    if (rank == 0) {
        char copy[PATH_MAX], base[PATH_MAX];
        snprintf(copy, sizeof copy, "%s", dir);
        snprintf(base, sizeof base, "%s", basename(copy));
        snprintf(copy, sizeof copy, "%s", dir);
        int n = snprintf(tmp_dir, sizeof tmp_dir, "%s/.%s.ladle-mpi.XXXXXX", dirname(copy), base);
        ok = n > 0 && (size_t)n < sizeof tmp_dir && mkdtemp(tmp_dir) != NULL;
        if (ok)
            watch_tmp();
        if (!ok)
            fprintf(stderr, "ladle: %s: cannot make a temporary folder beside it\n", dir);
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Bcast(tmp_dir, sizeof tmp_dir, MPI_CHAR, 0, MPI_COMM_WORLD);
    return ok ? 0 : LADLE_E_OUTPUT;
}

/* This rank's part: `ladle split --part K/N --allow-empty ... -o TMP/part-K`
 * (a part may hold no record of a small split); its exit code. */
static int run_part(int argc, char **argv, int out_at, int rank, int size)
{
    char part[32], out[PATH_MAX + 32];
    snprintf(part, sizeof part, "%d/%d", rank + 1, size);
    snprintf(out, sizeof out, "%s/part-%d", tmp_dir, rank + 1);
    /* args[0] the program: the manifest records the command from there */
    char **args = calloc((size_t)argc + 5, sizeof *args);
    if (!args)
        return LADLE_E_INTERNAL;
    int n = 0;
    args[n++] = argv[0];
    args[n++] = argv[1];
    args[n++] = "--part";
    args[n++] = part;
    args[n++] = "--allow-empty";
    for (int i = 2; i < argc; i++)
        args[n++] = i == out_at ? out : argv[i];
    struct ladle_mpi_quiet q;
    int held = ladle_mpi_quiet_begin(&q, 1) == 0, rc = held ? 0 : LADLE_E_INTERNAL;
    if (held) {
        optind = 0;
        rc = ladle_cli_split(n - 1, args + 1);
    }
    rc = ladle_mpi_agree(rc, rank, size, &q, held);
    free(args);
    return rc;
}

/* Rank 0: `ladle merge -o DIR [--force] TMP/part-1 ... TMP/part-N`. */
static int join(const char *dir, int force, int size)
{
    char **args = calloc((size_t)size + 6, sizeof *args);
    char *paths = calloc((size_t)size, PATH_MAX + 32);
    if (!args || !paths) {
        free(args);
        free(paths);
        return LADLE_E_INTERNAL;
    }
    int n = 0;
    args[n++] = "ladle-mpi";
    args[n++] = "merge";
    args[n++] = "-o";
    args[n++] = (char *)dir;
    if (force)
        args[n++] = "--force";
    for (int r = 0; r < size; r++) {
        char *p = paths + (size_t)r * (PATH_MAX + 32);
        snprintf(p, PATH_MAX + 32, "%s/part-%d", tmp_dir, r + 1);
        args[n++] = p;
    }
    optind = 0;
    int rc = ladle_cli_merge(n - 1, args + 1);
    free(args);
    free(paths);
    return rc;
}

int ladle_mpi_split(int argc, char **argv, int rank, int size)
{
    int out_at = output_at(argc, argv);
    if (out_at < 0)
        return rank == 0 ? ladle_cli_usage("split", "ladle-mpi split needs -o DIR") : LADLE_E_USAGE;
    int force = 0;
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        force |= strcmp(argv[i], "--force") == 0;
    int rc = make_tmp(argv[out_at], rank);
    if (rc != 0)
        return rc;
    rc = run_part(argc, argv, out_at, rank, size);
    if (rank == 0 && rc == 0)
        rc = join(argv[out_at], force, size);
    if (rank == 0)
        rm_tree(tmp_dir);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return rc;
}

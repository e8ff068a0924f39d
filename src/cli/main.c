/*
 * main.c -- the `ladle` command: dispatch, signals, the summary line.
 * The only place that prints and exits; the library returns values.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ladle/ladle.h"

static int dispatch(int argc, char **argv)
{
    FILE *out = ladle_cli_out();
    if (argc < 2) {
        ladle_cli_usage_main(stderr);
        return LADLE_E_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        ladle_cli_usage_main(out);
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc > 2 && strcmp(argv[2], "sample") == 0)
            ladle_cli_usage_sample(out);
        else if (argc > 2 && strcmp(argv[2], "stats") == 0)
            ladle_cli_usage_stats(out);
        else if (argc > 2 && strcmp(argv[2], "split") == 0)
            ladle_cli_usage_split(out);
        else if (argc > 2 && strcmp(argv[2], "verify") == 0)
            ladle_cli_usage_verify(out);
        else if (argc > 2 && strcmp(argv[2], "merge") == 0)
            ladle_cli_usage_merge(out);
        else if (argc > 2 && strcmp(argv[2], "shuffle") == 0)
            ladle_cli_usage_shuffle(out);
        else if (argc > 2 && strcmp(argv[2], "index") == 0)
            ladle_cli_usage_index(out);
        else
            ladle_cli_usage_main(out);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        fprintf(out, "ladle %s (reproducibility contract %d)\n", ladle_version(),
                LADLE_CONTRACT_VERSION);
        return 0;
    }
    if (strcmp(cmd, "sample") == 0)
        return ladle_cli_sample(argc - 1, argv + 1);
    if (strcmp(cmd, "stats") == 0)
        return ladle_cli_stats(argc - 1, argv + 1);
    if (strcmp(cmd, "split") == 0)
        return ladle_cli_split(argc - 1, argv + 1);
    if (strcmp(cmd, "verify") == 0)
        return ladle_cli_verify(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return ladle_cli_merge(argc - 1, argv + 1);
    if (strcmp(cmd, "shuffle") == 0)
        return ladle_cli_shuffle(argc - 1, argv + 1);
    if (strcmp(cmd, "index") == 0)
        return ladle_cli_index(argc - 1, argv + 1);
    fprintf(stderr, "ladle: unknown command '%s' (see 'ladle --help')\n", cmd);
    return LADLE_E_USAGE;
}

int main(int argc, char **argv)
{
    ladle_cli_std_fds();
    /* Workers decode zstd frames and gzip spans of megabytes into buffers
     * that another thread frees (engine/segments.c). glibc's defaults map
     * and unmap each (or trim the heap under them), and a 1.7 GB file then
     * costs a million page faults, more time than decoding it on one
     * thread. Kept in the heap, they are reused; what is kept stays within
     * ladle's memory bound, and the process ends after one run. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    /* A reader that goes away is EPIPE, handled quietly, not a signal death. */
    signal(SIGPIPE, SIG_IGN);
    return ladle_cli_out_close(dispatch(argc, argv));
}

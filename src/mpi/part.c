/*
 * part.c -- one rank's share: `ladle sample|stats --part K/N ARGS` run in
 * this process, through the CLI's own code (the same options, checks and
 * messages), its state written to a temporary folder of this node (no
 * shared filesystem is assumed), read back into memory and removed at
 * once. The folder goes on every path: an error, a signal during the run
 * (run_job.c cancels the job, which removes what it was writing) or
 * between the run and the removal (on_signal below).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h> /* optind */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mpi/mpi.h"

static char dir_path[PATH_MAX], state_path[PATH_MAX + 16];
static volatile sig_atomic_t have_dir;
static int ran, opts_end_seen;

static void on_signal(int sig)
{
    if (have_dir) {
        unlink(state_path);
        rmdir(dir_path);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void ladle_mpi_part_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Just before the part runs: the parse is over, optind at its operands. */
static ladle_status part_hook(ladle_job *job)
{
    ran = 1;
    opts_end_seen = optind;
    return ladle_job_set_string(job, LADLE_S_STATE, state_path);
}

static int make_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if (snprintf(dir_path, sizeof dir_path, "%s/ladle-mpi.XXXXXX", tmp) >= (int)sizeof dir_path) {
        fprintf(stderr, "ladle: %s: TMPDIR too long\n", tmp);
        return LADLE_E_USAGE;
    }
    if (!mkdtemp(dir_path)) {
        fprintf(stderr, "ladle: %s: cannot make a temporary folder: %s\n", tmp, strerror(errno));
        return LADLE_E_OUTPUT;
    }
    snprintf(state_path, sizeof state_path, "%s/part.st", dir_path);
    have_dir = 1;
    return 0;
}

/* The folder and whatever is in it (a run that ended badly may have left
 * its atomic write's temporary file). */
static void remove_dir(void)
{
    DIR *d = opendir(dir_path);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(dirfd(d), e->d_name, 0);
    if (d)
        closedir(d);
    if (rmdir(dir_path) != 0 && errno != ENOENT)
        fprintf(stderr, "ladle: %s: cannot remove: %s\n", dir_path, strerror(errno));
    have_dir = 0;
}

static int read_state(struct ladle_mpi_bytes *out)
{
    int fd = open(state_path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fprintf(stderr, "ladle: %s: cannot read the part's state: %s\n", state_path,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        return LADLE_E_INTERNAL;
    }
    out->len = (size_t)sb.st_size;
    out->data = malloc(out->len ? out->len : 1);
    size_t got = 0;
    while (out->data && got < out->len) {
        ssize_t n = read(fd, out->data + got, out->len - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!out->data || got != out->len) {
        fprintf(stderr, "ladle: %s: cannot read the part's state: %s\n", state_path,
                out->data ? "short read" : "out of memory");
        free(out->data);
        out->data = NULL;
        return LADLE_E_INTERNAL;
    }
    return 0;
}

int ladle_mpi_part(int argc, char **argv, struct ladle_mpi_bytes *out, int *opts_end)
{
    out->data = NULL;
    out->len = 0;
    int rc = make_dir();
    if (rc)
        return rc;
    ran = 0;
    optind = 0; /* getopt starts afresh */
    ladle_cli_before_run = part_hook;
    rc = strcmp(argv[0], "stats") == 0 ? ladle_cli_stats(argc, argv) : ladle_cli_sample(argc, argv);
    ladle_cli_before_run = NULL;
    if (rc == 0 && ran)
        rc = read_state(out);
    remove_dir();
    *opts_end = ran ? opts_end_seen : -1;
    return rc;
}

/*
 * cmd_merge_dir.c -- `ladle merge -o DIR PARTDIR...`: dataset folders of
 * `ladle split` runs over disjoint parts of the inputs joined into one
 * dataset (job/dataset_merge.h). cmd_merge.c hands over when it sees -o.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "job/dataset_merge.h"

void ladle_cli_usage_merge_dir(FILE *f)
{
    fputs("Usage: ladle merge -o DIR [--force] PARTDIR...\n"
          "\n"
          "Joins dataset folders written by `ladle split` over disjoint parts of the\n"
          "inputs (runs with `--part K/N`, or runs over disjoint files in input\n"
          "order) into one dataset DIR whose splits, read in manifest order,\n"
          "hold the records of one `ladle split -o DIR` over all the inputs, in its\n"
          "order. Every PARTDIR is verified as `ladle verify` does; all must be drawn\n"
          "with the same settings (else the setting and both folders are named) and\n"
          "share no source. Folders of `--part` go in part order, others in the order\n"
          "given; a joined folder records its parts, so joins group freely: joining\n"
          "(1,2) then (that,3) gives the join of (1,2,3). --stratify and --balance\n"
          "splits and sampling designs need counts over all records: use\n"
          "`ladle-mpi split` for them.\n"
          "\n"
          "The PARTDIRs are left as they are: their shards are hard-linked into DIR\n"
          "(copied across file systems), and may be removed afterwards. DIR is\n"
          "written atomically: on any failure or signal before the commit it is as\n"
          "it was; a signal after the commit exits 130/143 saying DIR is committed.\n"
          "\n"
          "  -o, --output DIR   the joined dataset (a new or empty folder)\n"
          "      --force        replace the dataset in DIR (as split --force)\n"
          "  -v, --verbose      summary on stderr\n"
          "  -h, --help         show this help\n"
          "\n"
          "Exit status: 0 success, 2 usage error (folders drawn otherwise, a source in\n"
          "two), 3 a PARTDIR missing or damaged, 4 DIR cannot be written, 5 internal\n"
          "error, 130/143 interrupted (DIR as it was, unless the message says the join\n"
          "had ended and DIR is committed).\n"
          "\n"
          "Example:\n"
          "  ladle split --ratios train=0.9,test=0.1 -o day1 logs/day1/*.zst\n"
          "  ladle split --ratios train=0.9,test=0.1 -o day2 logs/day2/*.zst\n"
          "  ladle merge -o month day1 day2 && ladle verify month\n",
          f);
}

/* 1 when argv (a merge's arguments) asks for a dataset join: -o or --output. */
int ladle_cli_merge_is_dir(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0 ||
            strncmp(argv[i], "--output=", 9) == 0 || (strncmp(argv[i], "-o", 2) == 0))
            return 1;
    return 0;
}

static volatile sig_atomic_t signal_seen;

static void on_signal(int sig)
{
    signal_seen = sig;
}

static void say(void *verbose, const char *line)
{
    if (*(int *)verbose || strncmp(line, "warning:", 8) == 0)
        fprintf(stderr, "ladle: %s\n", line);
}

static const struct option opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, 'f'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int usage(const char *what, const char *arg)
{
    fprintf(stderr, "ladle: ");
    fprintf(stderr, what, arg);
    fprintf(stderr, " (see 'ladle merge --help')\n");
    return LADLE_E_USAGE;
}

/* Runs the join with SIGINT and SIGTERM stopping it cleanly. */
static ladle_status run(struct ladle_dataset_merge *q, struct ladle_error *err)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART; /* reads go on; the flag is looked at between steps */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    q->cancel = &signal_seen;
    ladle_status st = ladle_dataset_merge_run(q, err);
    /* Not the old handlers: with the default one a signal after the commit
     * would end ladle with 143 and no word, DIR committed. The flag stays
     * the one record of a signal, and without SA_RESTART a summary written
     * to a stalled stderr gives up at once. */
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return st;
}

int ladle_cli_merge_dir(int argc, char **argv)
{
    struct ladle_dataset_merge q;
    memset(&q, 0, sizeof q);
    int verbose = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': q.dir = optarg; break;
        case 'f': q.force = 1; break;
        case 'v': verbose = 1; break;
        case 'h': ladle_cli_usage_merge_dir(ladle_cli_out()); return 0;
        case ':': return usage("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage("unknown option '%s' (a dataset join takes -o, --force, -v)",
                         argv[optind - 1]);
        }
    }
    if (!q.dir || !*q.dir)
        return usage("%sgive the output folder with -o DIR", "");
    if (optind >= argc)
        return usage("%sgive the dataset folders to join", "");
    q.parts = (const char *const *)argv + optind;
    q.nparts = (size_t)(argc - optind);
    /* The command line as typed ("ladle merge ..."): argv[0] is "merge". */
    const char **line = calloc((size_t)argc + 2, sizeof *line);
    if (!line) {
        fputs("ladle: out of memory\n", stderr);
        return LADLE_E_INTERNAL;
    }
    line[0] = "ladle";
    for (int i = 0; i < argc; i++)
        line[i + 1] = i ? argv[i] : "merge";
    q.argc = argc + 1;
    q.argv = line;
    q.say = say;
    q.say_arg = &verbose;
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st = run(&q, &err);
    free(line);
    if (st == LADLE_E_INTERRUPTED) {
        fprintf(stderr, "ladle: merge: interrupted; %s is as it was\n", q.dir);
        return signal_seen == SIGTERM ? LADLE_EXIT_SIGTERM : LADLE_E_INTERRUPTED;
    }
    if (st == LADLE_E_USAGE)
        return usage("%s", err.msg);
    if (st != LADLE_OK) {
        fprintf(stderr, "ladle: %s\n", err.msg);
        return (int)st;
    }
    if (signal_seen) { /* it came after the commit: the user asked to stop, the join is done */
        fprintf(stderr, "ladle: merge: interrupted: the join had ended: %s is committed\n", q.dir);
        return signal_seen == SIGTERM ? LADLE_EXIT_SIGTERM : LADLE_E_INTERRUPTED;
    }
    if (verbose)
        fprintf(stderr,
                "ladle: merge: %zu folders joined into %s: %u splits, %llu shards (%llu linked, "
                "%llu copied), %llu records\n",
                q.nparts, q.dir, q.splits, (unsigned long long)q.shards,
                (unsigned long long)q.linked, (unsigned long long)q.copied,
                (unsigned long long)q.records);
    return 0;
}

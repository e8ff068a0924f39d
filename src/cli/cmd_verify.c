/*
 * cmd_verify.c -- `ladle verify DIR`: the dataset checks of shard/verify.c
 * behind a command line. Problems go to stderr, one line each, so a script
 * can count them; the OK line goes to stdout unless --quiet.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/error.h"
#include "split/verify.h"
#include "split/dataset.h"

void ladle_cli_usage_verify(FILE *f)
{
    fputs("Usage: ladle verify [-q] [-v] [--repair] DIR\n"
          "\n"
          "Checks a dataset written by `ladle split -o DIR` against DIR/manifest.json:\n"
          "every shard's size and XXH3-128, its seek table, every zstd frame (size,\n"
          "checksum, whole lines), record and byte counts, split totals, and that no\n"
          "part-*.zst file is missing from the manifest; also a commit that did not\n"
          "finish and temporary folders (.ladle-tmp-*) left by runs that died. Reports\n"
          "every problem found.\n"
          "\n"
          "  -q, --quiet   print nothing when the dataset is sound\n"
          "  -v, --verbose say on stderr what was checked: per shard its records,\n"
          "                bytes, frames, size and XXH3-128, seek table, frame\n"
          "                checksums and line ends; per split that its shards add\n"
          "                up; then the scan for files the manifest does not list\n"
          "      --repair  first finish a commit a dead run left half done and remove\n"
          "                dead runs' temporary folders (as the next ladle split on DIR\n"
          "                would), saying what it did; then verify\n"
          "  -h, --help    show this help\n"
          "\n"
          "Exit status: 0 sound, 2 usage error, 3 a check failed, 4 --repair could\n"
          "not repair (or a ladle run is writing DIR), 5 internal error.\n"
          "\n"
          "Example:\n"
          "  ladle verify out/ && tar cf dataset.tar out/\n",
          f);
}

static void say(void *arg, const char *line)
{
    (void)arg;
    fprintf(stderr, "ladle: %s\n", line);
}

/* --repair: what the next `ladle split` on DIR would do first, under its lock. */
static ladle_status do_repair(const char *dir, struct ladle_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot open the folder: %s", dir,
                               strerror(errno));
    int locked;
    ladle_status st = ladle_dataset_lock(fd, dir, &locked, err);
    if (st == LADLE_OK && !locked)
        st = ladle_error_set(err, LADLE_E_OUTPUT,
                             "%s: cannot lock the folder (no flock here?): not repairing", dir);
    if (st == LADLE_OK)
        st = ladle_dataset_recover(fd, dir, say, NULL, err);
    close(fd);
    return st;
}

static const struct option verify_opts[] = {
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"repair", no_argument, NULL, 'r'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ladle_cli_verify(int argc, char **argv)
{
    int quiet = 0, verbose = 0, repair = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qvh", verify_opts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        case 'v': verbose = 1; break;
        case 'r': repair = 1; break;
        case 'h': ladle_cli_usage_verify(ladle_cli_out()); return 0;
        default:
            fprintf(stderr, "ladle: unknown option '%s' (see 'ladle verify --help')\n",
                    argv[optind - 1]);
            return LADLE_E_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "ladle: verify takes exactly one DIR (see 'ladle verify --help')\n");
        return LADLE_E_USAGE;
    }
    const char *dir = argv[optind];
    struct ladle_error err;
    struct ladle_verify_totals tot;
    ladle_error_init(&err);
    if (repair && do_repair(dir, &err) != LADLE_OK) {
        fprintf(stderr, "ladle: %s\n", err.msg);
        return LADLE_E_OUTPUT;
    }
    ladle_status st = ladle_verify_dir_detail(dir, stderr, quiet ? NULL : ladle_cli_out(),
                                              verbose ? stderr : NULL, &tot, &err);
    if (st == LADLE_E_INPUT)
        fprintf(stderr, "ladle: %s: verify failed: %llu %s\n", dir,
                (unsigned long long)tot.problems, tot.problems == 1 ? "problem" : "problems");
    return (int)st;
}

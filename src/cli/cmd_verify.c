/*
 * cmd_verify.c -- `ladle verify DIR`: the dataset checks of shard/verify.c
 * behind a command line. Problems go to stderr, one line each, so a script
 * can count them; the OK line goes to stdout unless --quiet.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/error.h"
#include "shard/verify.h"

void ladle_cli_usage_verify(FILE *f)
{
    fputs("Usage: ladle verify [-q] DIR\n"
          "\n"
          "Checks a dataset written by `ladle split -o DIR` against DIR/manifest.json:\n"
          "every shard's size and XXH3-128, its seek table, every zstd frame (size,\n"
          "checksum, whole lines), record and byte counts, split totals, and that no\n"
          "part-*.zst file is missing from the manifest. Reports every problem found.\n"
          "\n"
          "  -q, --quiet   print nothing when the dataset is sound\n"
          "  -h, --help    show this help\n"
          "\n"
          "Exit status: 0 sound, 2 usage error, 3 a check failed, 5 internal error.\n"
          "\n"
          "Example:\n"
          "  ladle verify out/ && tar cf dataset.tar out/\n",
          f);
}

static const struct option verify_opts[] = {
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ladle_cli_verify(int argc, char **argv)
{
    int quiet = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", verify_opts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
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
    ladle_status st = ladle_verify_dir(dir, stderr, quiet ? NULL : ladle_cli_out(), &tot, &err);
    if (st == LADLE_E_INPUT)
        fprintf(stderr, "ladle: %s: verify failed: %llu %s\n", dir,
                (unsigned long long)tot.problems, tot.problems == 1 ? "problem" : "problems");
    return (int)st;
}

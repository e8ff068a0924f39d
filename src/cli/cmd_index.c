/*
 * cmd_index.c -- `ladle index FILE.gz...`: writes each gzip file's sidecar
 * index (codec/gzip_index.h), so that every worker can read a part of it.
 * Plain and zstd files are refused: a plain file is entered anywhere, and
 * a zstd file's frames are its index. SIGINT and SIGTERM stop it between
 * reads, with no index or temporary file left for the file at hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "codec/codec.h"
#include "codec/gzip_index.h"
#include "common/error.h"

void ladle_cli_usage_index(FILE *f)
{
    fputs("Usage: ladle index [--span SIZE] [-v] FILE.gz...\n"
          "\n"
          "Writes FILE.gz.ladle-index next to each gzip FILE: a checkpoint about every\n"
          "SIZE bytes of its data (a deflate block boundary, with the 32 KiB of data\n"
          "before it and the CRC-32 of the data up to the next one), so that the\n"
          "workers of ladle sample, split and stats each decode a part of the file.\n"
          "The index is checked against the file's size and its first and last 64 KiB\n"
          "before use: a file changed since is read without it. Every member's CRC-32\n"
          "and length are checked while the index is built. Plain and zstd files need\n"
          "no index and are refused. `ladle sample --index` builds it while it reads.\n"
          "\n"
          "      --span SIZE   data between checkpoints (default 4M, at least 64K)\n"
          "  -v, --verbose     say per file what was written\n"
          "  -h, --help        show this help\n"
          "\n"
          "Exit status: 0 every index written, 2 usage error, 3 a file is not gzip or\n"
          "is damaged, 4 an index could not be written, 130/143 interrupted (nothing\n"
          "is left of the index being written).\n"
          "\n"
          "Example:\n"
          "  ladle index logs/*.gz && ladle sample --rate 0.01 logs/*.gz\n",
          f);
}

static volatile sig_atomic_t signal_seen;

static void on_signal(int sig)
{
    signal_seen = sig;
}

/* Refuses what is not a regular gzip file, saying why. */
static ladle_status check_gzip(const char *path, struct ladle_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat sb;
    unsigned char magic[4] = {0};
    ssize_t n = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)
                    ? pread(fd, magic, sizeof magic, 0)
                    : -1;
    if (fd >= 0)
        close(fd);
    if (fd < 0)
        return ladle_error_set(err, LADLE_E_INPUT, "%s: cannot open: %s", path, strerror(errno));
    if (n < 0)
        return ladle_error_set(err, LADLE_E_INPUT, "%s: not a regular file: nothing to index",
                               path);
    const struct ladle_codec_ops *c = ladle_codec_detect(magic, (size_t)n);
    if (c == &ladle_codec_zstd)
        return ladle_error_set(err, LADLE_E_INPUT,
                               "%s: a zstd file needs no index (its frames are the index)", path);
    if (c != &ladle_codec_gzip)
        return ladle_error_set(err, LADLE_E_INPUT,
                               "%s: not a gzip file (a plain file needs no index)", path);
    return LADLE_OK;
}

static ladle_status index_one(const char *path, uint64_t span, int verbose, struct ladle_error *err)
{
    struct ladle_gzip_index *ix = NULL;
    ladle_status s = check_gzip(path, err);
    if (s == LADLE_OK)
        s = ladle_gzip_index_build_file(path, span, &signal_seen, &ix, err);
    if (s == LADLE_OK)
        s = ladle_gzip_index_save(ix, path, &signal_seen, err);
    if (s == LADLE_OK && verbose)
        fprintf(stderr, "ladle: %s%s: %zu checkpoints, %zu members, %llu bytes of data\n", path,
                LADLE_GZIP_INDEX_SUFFIX, ix->npoints, ix->nmembers,
                (unsigned long long)ix->total_out);
    ladle_gzip_index_free(ix);
    return s;
}

static const struct option index_opts[] = {
    {"span", required_argument, NULL, 's'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "ladle: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'ladle index --help')\n");
    return LADLE_E_USAGE;
}

int ladle_cli_index(int argc, char **argv)
{
    uint64_t span = LADLE_GZIP_SPAN_DEFAULT;
    int verbose = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":vh", index_opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (ladle_cli_parse_size(optarg, &span) != 0 || span < LADLE_GZIP_SPAN_MIN ||
                span > ((uint64_t)1 << 40))
                return usage("--span: '%s' is not a size of 64K or more (e.g. 4M)", optarg);
            break;
        case 'v': verbose = 1; break;
        case 'h': ladle_cli_usage_index(ladle_cli_out()); return 0;
        case ':': return usage("option '%s' needs a value", argv[optind - 1]);
        default: return usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage("%sgive the gzip files to index", "");
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a read in progress gives up */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int rc = 0;
    for (int i = optind; i < argc && !signal_seen; i++) {
        struct ladle_error err;
        ladle_error_init(&err);
        ladle_status s = index_one(argv[i], span, verbose, &err);
        if (s == LADLE_E_INTERRUPTED) {
            fprintf(stderr, "ladle: index: interrupted; no index written for %s\n", argv[i]);
            break;
        }
        if (signal_seen && i + 1 < argc)
            fprintf(stderr, "ladle: index: interrupted after %s\n", argv[i]);
        if (s != LADLE_OK) {
            fprintf(stderr, "ladle: %s\n", err.msg);
            rc = rc ? rc : (int)s;
        }
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (signal_seen)
        return signal_seen == SIGTERM ? LADLE_EXIT_SIGTERM : LADLE_E_INTERRUPTED;
    return rc;
}

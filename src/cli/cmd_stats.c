/*
 * cmd_stats.c -- `ladle stats`: records, bytes and speed over FILEs, and
 * with --field the distribution of a field's values: how a user picks
 * strata, labels, clusters and weights. The field report is produced by
 * the pipeline (sample/stats.c) into a memory file, so the totals, known
 * only at the end, can be printed above it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ladle/ladle.h"

void ladle_cli_usage_stats(FILE *f)
{
    fputs("Usage: ladle stats [--field F] [--top K] [OPTIONS] [FILE...]\n"
          "\n"
          "Counts the records and bytes of FILEs (or stdin) and the speed of the pass.\n"
          "With --field, the field's distinct values (exact up to 1M values, then a\n"
          "HyperLogLog estimate, and it says which), the K most frequent with counts\n"
          "and shares, and how many records lack the field.\n"
          "\n"
          "  -f, --field F        a column number or --header name (tsv/csv), a JSON\n"
          "                       path (user.id), or re:PATTERN with one group\n"
          "  -k, --top K          values to list (default 10)\n"
          "      --bars / --no-bars  draw a bar per value (default: on a terminal)\n"
          "      --format FMT     auto, lines, tsv, csv or json (default auto)\n"
          "  -d, --delimiter C    tsv/csv delimiter\n"
          "      --header         the first line of each input is a header\n"
          "      --missing POLICY skip (default), error or keep (counted as \"\")\n"
          "  -t, --threads N      worker threads (default: online CPUs)\n"
          "      --chunk-size SIZE, --max-record SIZE, --long, --io MODE: as for sample\n"
          "  -h, --help           show this help\n"
          "\n"
          "Examples:\n"
          "  ladle stats --field level logs/*.jsonl.zst\n"
          "  ladle stats --format csv --header --field Label --top 5 BGL.csv\n",
          f);
}

static int usage(const char *what, const char *arg)
{
    fprintf(stderr, "ladle: %s '%s' (see 'ladle stats --help')\n", what, arg);
    return LADLE_E_USAGE;
}

enum {
    OPT_BARS = 256,
    OPT_NO_BARS,
    OPT_FORMAT,
    OPT_HEADER,
    OPT_MISSING,
    OPT_CHUNK,
    OPT_MAXREC,
    OPT_LONG,
    OPT_IO
};

static const struct option stats_opts[] = {
    {"field", required_argument, NULL, 'f'},
    {"top", required_argument, NULL, 'k'},
    {"bars", no_argument, NULL, OPT_BARS},
    {"no-bars", no_argument, NULL, OPT_NO_BARS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"delimiter", required_argument, NULL, 'd'},
    {"header", no_argument, NULL, OPT_HEADER},
    {"missing", required_argument, NULL, OPT_MISSING},
    {"threads", required_argument, NULL, 't'},
    {"chunk-size", required_argument, NULL, OPT_CHUNK},
    {"max-record", required_argument, NULL, OPT_MAXREC},
    {"long", no_argument, NULL, OPT_LONG},
    {"io", required_argument, NULL, OPT_IO},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ladle_cli_stats(int argc, char **argv)
{
    ladle_job *job = ladle_job_new();
    if (!job) {
        fputs("ladle: out of memory\n", stderr);
        return LADLE_E_INTERNAL;
    }
    int rc = 0, bars = isatty(STDOUT_FILENO), c;
    uint64_t v;
    ladle_job_set(job, LADLE_P_DESIGN, LADLE_DESIGN_STATS);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:k:d:t:h", stats_opts, NULL)) != -1) {
        ladle_status st = LADLE_OK;
        switch (c) {
        case 'f': st = ladle_job_set_string(job, LADLE_S_FIELD, optarg); break;
        case 'k':
            if (ladle_cli_parse_u64(optarg, &v) != 0 || v > INT64_MAX) {
                rc = usage("--top: not a count:", optarg);
                goto done;
            }
            st = ladle_job_set(job, LADLE_P_TOP, (int64_t)v);
            break;
        case OPT_BARS: bars = 1; break;
        case OPT_NO_BARS: bars = 0; break;
        case OPT_FORMAT: st = ladle_job_set_string(job, LADLE_S_FORMAT, optarg); break;
        case 'd':
            st = ladle_job_set_string(job, LADLE_S_DELIM,
                                      strcmp(optarg, "\\t") == 0 ? "\t" : optarg);
            break;
        case OPT_HEADER: st = ladle_job_set(job, LADLE_P_HEADER, 1); break;
        case OPT_MISSING:
            st = ladle_job_set(job, LADLE_P_MISSING,
                               strcmp(optarg, "skip") == 0    ? LADLE_MISSING_SKIP
                               : strcmp(optarg, "error") == 0 ? LADLE_MISSING_ERROR
                               : strcmp(optarg, "keep") == 0  ? LADLE_MISSING_KEEP
                                                              : -1);
            break;
        case 't':
            if (ladle_cli_parse_u64(optarg, &v) != 0 || v < 1 || v > 1024) {
                rc = usage("--threads: not a thread count:", optarg);
                goto done;
            }
            st = ladle_job_set(job, LADLE_P_THREADS, (int64_t)v);
            break;
        case OPT_CHUNK:
        case OPT_MAXREC:
            if (ladle_cli_parse_size(optarg, &v) != 0 || v > INT64_MAX) {
                rc = usage("not a size:", optarg);
                goto done;
            }
            st = ladle_job_set(job, c == OPT_CHUNK ? LADLE_P_CHUNK_SIZE : LADLE_P_MAX_RECORD,
                               (int64_t)v);
            break;
        case OPT_LONG: st = ladle_job_set(job, LADLE_P_ZSTD_LONG, 1); break;
        case OPT_IO:
            st = ladle_job_set(job, LADLE_P_IO_MODE,
                               strcmp(optarg, "auto") == 0    ? LADLE_IO_AUTO
                               : strcmp(optarg, "uring") == 0 ? LADLE_IO_URING
                               : strcmp(optarg, "pread") == 0 ? LADLE_IO_PREAD
                                                              : -1);
            break;
        case 'h': ladle_cli_usage_stats(ladle_cli_out()); goto done;
        case ':': rc = usage("option needs a value:", argv[optind - 1]); goto done;
        default: rc = usage("unknown option", argv[optind - 1]); goto done;
        }
        if (st != LADLE_OK) {
            fprintf(stderr, "ladle: %s (see 'ladle stats --help')\n", ladle_job_error(job));
            rc = LADLE_E_USAGE;
            goto done;
        }
    }
    ladle_job_set(job, LADLE_P_BARS, bars);
    for (int i = optind; i < argc; i++)
        if (ladle_job_add_input(job, argv[i]) != LADLE_OK) {
            fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
            rc = LADLE_E_INTERNAL;
            goto done;
        }
    if (ladle_cli_stdout_closed()) {
        rc = LADLE_E_OUTPUT;
        goto done;
    }
    int report_fd = memfd_create("ladle-stats", MFD_CLOEXEC);
    if (report_fd < 0) {
        perror("ladle: memfd_create");
        rc = LADLE_E_INTERNAL;
        goto done;
    }
    ladle_report rep;
    double dt;
    int interrupted_exit;
    ladle_status st = ladle_cli_run_job(job, report_fd, &rep, &dt, &interrupted_exit);
    if (st != LADLE_OK) {
        if (st != LADLE_E_INTERRUPTED)
            fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
        rc = st == LADLE_E_INTERRUPTED ? interrupted_exit : (int)st;
        close(report_fd);
        goto done;
    }
    FILE *out = ladle_cli_out();
    fprintf(out, "records      %llu\n", (unsigned long long)rep.records_in);
    fprintf(out, "bytes        %.1f MB decompressed, %.1f MB read", (double)rep.bytes_in / 1e6,
            (double)rep.bytes_compressed / 1e6);
    if (rep.bytes_compressed && rep.bytes_compressed != rep.bytes_in)
        fprintf(out, " (%.1fx)", (double)rep.bytes_in / (double)rep.bytes_compressed);
    fprintf(out, "\ntime         %.3f s (%.2f M records/s, %.0f MB/s)\n", dt,
            dt > 0 ? (double)rep.records_in / dt / 1e6 : 0.0,
            dt > 0 ? (double)rep.bytes_in / dt / 1e6 : 0.0);
    /* The field report, as long as it was when the run ended: a copy loop
     * never chases its own output. A failed write is reported at exit. */
    struct stat sb;
    off_t size = fstat(report_fd, &sb) == 0 ? sb.st_size : 0;
    char buf[1 << 14];
    for (off_t off = 0; off < size && !ferror(out);) {
        size_t want = size - off < (off_t)sizeof buf ? (size_t)(size - off) : sizeof buf;
        ssize_t n = pread(report_fd, buf, want, off);
        if (n <= 0) {
            fprintf(stderr, "ladle: stats: cannot read the report back: %s\n",
                    n < 0 ? strerror(errno) : "short file");
            rc = LADLE_E_INTERNAL;
            break;
        }
        fwrite(buf, 1, (size_t)n, out);
        off += n;
    }
    close(report_fd);
done:
    ladle_job_free(job);
    return rc;
}

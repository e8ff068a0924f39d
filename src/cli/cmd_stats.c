/*
 * cmd_stats.c -- `ladle stats`: records, bytes and speed over FILEs, and
 * with --field the distribution of a field's values: how a user picks
 * strata, labels, clusters and weights. The field report is produced by
 * the pipeline (sample/stats.c) into a memory file, so the totals, known
 * only at the end, can be printed above it (or around it: --json).
 * Several --field are counted in the same pass.
 */
#include <errno.h>
#include <getopt.h> /* optind, optarg */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "ladle/ladle.h"

void ladle_cli_usage_stats(FILE *f)
{
    fputs("Usage: ladle stats [--field F]... [--top K] [OPTIONS] [FILE...]\n"
          "\n"
          "Counts the records and bytes of FILEs (or stdin) and the speed of the pass.\n"
          "With --field, the field's distinct values (exact up to 1M values, then a\n"
          "HyperLogLog estimate, and it says which), the K most frequent with counts\n"
          "and shares, and how many records lack the field. Values that are numbers\n"
          "get count, min, max, mean, standard deviation and the 50/90/99/99.9 %\n"
          "quantiles (exact below 8192 numbers, else a KLL sketch: rank within 0.036 %).\n"
          "\n"
          "  -f, --field F        a column number or --header name (tsv/csv), a JSON\n"
          "                       path (user.id), or re:PATTERN with one group; give\n"
          "                       it up to 16 times: every field from one pass\n"
          "  -k, --top K          values to list (default 10)\n"
          "      --json           one JSON object, values whole (keys: see ladle(1))\n"
          "      --tsv            a header line and a row per field and value: field,\n"
          "                       value, count, share; \\t \\n \\r \\\\ escaped\n"
          "      --width N        the table's value column: N characters, then ...\n"
          "                       (default: fit the terminal, else 40)\n"
          "      --bars / --no-bars  draw a bar per value (default: on a terminal)\n"
          "      --format FMT     auto, lines, tsv, csv or json (default auto)\n"
          "  -d, --delimiter C    tsv/csv delimiter\n"
          "  -H, --header         the first line of each input is a header\n"
          "      --missing POLICY skip (default), error or keep (counted as \"\")\n"
          "      --state FILE     carry the counts over between runs (cron): FILE\n"
          "                       holds them; the fields cover every file read so far\n"
          "                       (the totals above them: this run's reads). Mean and\n"
          "                       stddev come from exact sums, quantiles from a log\n"
          "                       histogram (within 1 %), so chained runs print what\n"
          "                       one run over every file prints\n"
          "      --part K/N|slurm  count the K-th of N parts of the inputs (files, and\n"
          "                       plain or multi-frame .zst files cut at records);\n"
          "                       with --state the part's counts go there and nothing\n"
          "                       is printed: ladle merge of the N states prints the\n"
          "                       report of one run (slurm: the array task's part)\n"
          "  -t, --threads N      worker threads (default: online CPUs)\n"
          "  -v, --verbose        say on stderr what the pass read, how fast, how\n"
          "                       (threads, I/O) and how many fields it counted\n"
          "      --chunk-size SIZE, --max-record SIZE, --long, --io MODE: as for sample\n"
          "      --progress / --no-progress  a progress line on stderr (default: when\n"
          "                       stderr is a terminal)\n"
          "  -h, --help           show this help\n"
          "\n"
          "Examples:\n"
          "  ladle stats --field level logs/*.jsonl.zst\n"
          "  ladle stats --format csv --header --field Label --top 5 BGL.csv\n"
          "  ladle stats --json -f level -f latency_ms logs/*.jsonl.zst | jq .fields[1].numeric\n",
          f);
}

/* The rows of the table, in its order. */
enum {
    S_FIELD,
    S_TOP,
    S_BARS,
    S_NO_BARS,
    S_FORMAT,
    S_DELIM,
    S_HEADER,
    S_MISSING,
    S_THREADS,
    S_CHUNK,
    S_MAXREC,
    S_LONG,
    S_IO,
    S_PROGRESS,
    S_NO_PROGRESS,
    S_HELP,
    S_JSON,
    S_TSV,
    S_WIDTH,
    S_VERBOSE,
    S_STATE,
    S_PART,
    S_COUNT
};

/* --missing and --io leave a bad name to the job's message. */
static const struct ladle_cli_option stats_opts[S_COUNT] = {
    [S_FIELD] = {"--field", 'f', CLI_STRING, LADLE_S_FIELD},
    [S_TOP] = {"--top", 'k', CLI_COUNT, LADLE_P_TOP, 0, INT64_MAX, "--top: not a count: '%s'"},
    [S_BARS] = {"--bars", 0, CLI_MARK, -1},
    [S_NO_BARS] = {"--no-bars", 0, CLI_MARK, -1},
    [S_FORMAT] = {"--format", 0, CLI_STRING, LADLE_S_FORMAT},
    [S_DELIM] = {"--delimiter", 'd', CLI_DELIM, LADLE_S_DELIM},
    [S_HEADER] = {"--header", 'H', CLI_FLAG, LADLE_P_HEADER},
    [S_MISSING] = {"--missing", 0, CLI_CHOICE, LADLE_P_MISSING, .choices = ladle_cli_missing_names},
    [S_THREADS] = {"--threads", 't', CLI_COUNT, LADLE_P_THREADS, 1, 1024,
                   "--threads: not a thread count: '%s'"},
    [S_CHUNK] = {"--chunk-size", 0, CLI_SIZE, LADLE_P_CHUNK_SIZE, 0, INT64_MAX, "not a size: '%s'"},
    [S_MAXREC] = {"--max-record", 0, CLI_SIZE, LADLE_P_MAX_RECORD, 0, INT64_MAX,
                  "not a size: '%s'"},
    [S_LONG] = {"--long", 0, CLI_FLAG, LADLE_P_ZSTD_LONG},
    [S_IO] = {"--io", 0, CLI_CHOICE, LADLE_P_IO_MODE, .choices = ladle_cli_io_names},
    [S_PROGRESS] = {"--progress", 0, CLI_MARK, -1},
    [S_NO_PROGRESS] = {"--no-progress", 0, CLI_MARK, -1},
    [S_HELP] = {"--help", 'h', CLI_HELP, -1},
    [S_JSON] = {"--json", 0, CLI_MARK, -1},
    [S_TSV] = {"--tsv", 0, CLI_MARK, -1},
    [S_WIDTH] = {"--width", 0, CLI_COUNT, LADLE_P_STATS_WIDTH, 1, 1000000,
                 "--width: not a width (1 to 1000000): '%s'"},
    [S_VERBOSE] = {"--verbose", 'v', CLI_MARK, -1},
    [S_STATE] = {"--state", 0, CLI_STRING, LADLE_S_STATE},
    [S_PART] = {"--part", 0, CLI_STRING, LADLE_S_PART},
};

#define MAX_FIELDS (1 + LADLE_STATS_MORE_FIELDS)

/* Every --field, in order (the table row keeps only the last). */
static const char *field_args[MAX_FIELDS + 1];
static unsigned nfield_args;

static int before_row(const struct ladle_cli_parse *p, size_t i)
{
    (void)p;
    if (i != S_FIELD)
        return 0;
    if (nfield_args == MAX_FIELDS)
        return ladle_cli_usage("stats", "--field: at most %d fields", MAX_FIELDS);
    field_args[nfield_args++] = optarg;
    return 0;
}

static const struct ladle_cli_command stats_cmd = {
    "stats",
    stats_opts,
    S_COUNT,
    "option needs a value: '%s'",
    "unknown option '%s'",
    ladle_cli_usage_stats,
    before_row,
};

/* Copies the field report (report_fd) to out, as long as it was when the
 * run ended: a copy loop never chases its own output. A failed write is
 * reported at exit. The exit code. */
static int copy_report(int report_fd, FILE *out)
{
    struct stat sb;
    off_t size = fstat(report_fd, &sb) == 0 ? sb.st_size : 0;
    char buf[1 << 14];
    for (off_t off = 0; off < size && !ferror(out);) {
        size_t want = size - off < (off_t)sizeof buf ? (size_t)(size - off) : sizeof buf;
        ssize_t n = pread(report_fd, buf, want, off);
        if (n <= 0) {
            fprintf(stderr, "ladle: stats: cannot read the report back: %s\n",
                    n < 0 ? strerror(errno) : "short file");
            return LADLE_E_INTERNAL;
        }
        fwrite(buf, 1, (size_t)n, out);
        off += n;
    }
    return 0;
}

/* The table's totals, above the field report. */
static void table_totals(FILE *out, const ladle_report *rep, double dt)
{
    fprintf(out, "records      %llu\n", (unsigned long long)rep->records_in);
    fprintf(out, "bytes        %.1f MB decompressed, %.1f MB read", (double)rep->bytes_in / 1e6,
            (double)rep->bytes_compressed / 1e6);
    if (rep->bytes_compressed && rep->bytes_compressed != rep->bytes_in)
        fprintf(out, " (%.1fx)", (double)rep->bytes_in / (double)rep->bytes_compressed);
    fprintf(out, "\ntime         %.3f s (%.2f M records/s, %.0f MB/s)\n", dt,
            dt > 0 ? (double)rep->records_in / dt / 1e6 : 0.0,
            dt > 0 ? (double)rep->bytes_in / dt / 1e6 : 0.0);
}

/* -v: what the pass read, how fast and how, on stderr. */
static void verbose_report(const ladle_report *rep, double dt, unsigned fields)
{
    fprintf(stderr,
            "ladle: stats: %llu records read (%.1f MB, %.1f MB from disk) in %.3f s "
            "(%.0f MB/s, %u threads, %s); %u field%s counted in one pass",
            (unsigned long long)rep->records_in, (double)rep->bytes_in / 1e6,
            (double)rep->bytes_compressed / 1e6, dt,
            dt > 0 ? (double)rep->bytes_in / 1e6 / dt : 0.0, rep->threads,
            rep->io_uring_used ? "io_uring" : "pread/read", fields, fields == 1 ? "" : "s");
    if (fields)
        fprintf(stderr, "; %llu record%s without '%s'", (unsigned long long)rep->records_missing,
                rep->records_missing == 1 ? "" : "s", field_args[0]);
    fputc('\n', stderr);
}

/* Runs the job into a memory file and prints the totals, then the field
 * report (JSON: the totals, then the fields' objects in an array). */
static int parted; /* --part with --state: the part's state is its only output */

static int run_and_report(ladle_job *job, int output, int verbose)
{
    if (ladle_cli_stdout_closed())
        return LADLE_E_OUTPUT;
    int report_fd = memfd_create("ladle-stats", MFD_CLOEXEC);
    if (report_fd < 0) {
        perror("ladle: memfd_create");
        return LADLE_E_INTERNAL;
    }
    ladle_report rep;
    double dt;
    int interrupted_exit;
    ladle_status st = ladle_cli_run_job(job, report_fd, &rep, &dt, &interrupted_exit);
    if (st != LADLE_OK) {
        if (st != LADLE_E_INTERRUPTED)
            fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
        else
            ladle_cli_progress_interrupted(&rep, "no report");
        close(report_fd);
        return st == LADLE_E_INTERRUPTED ? interrupted_exit : (int)st;
    }
    if (parted) {
        close(report_fd);
        return 0;
    }
    FILE *out = ladle_cli_out();
    if (output == 1)
        fprintf(out,
                "{\"records\":%llu,\"bytes\":%llu,\"bytes_read\":%llu,\"seconds\":%.6f,"
                "\"fields\":[\n",
                (unsigned long long)rep.records_in, (unsigned long long)rep.bytes_in,
                (unsigned long long)rep.bytes_compressed, dt);
    else if (output == 0)
        table_totals(out, &rep, dt);
    int rc = copy_report(report_fd, out);
    close(report_fd);
    if (output == 1)
        fputs("\n]}\n", out);
    if (verbose)
        verbose_report(&rep, dt, nfield_args);
    return rc;
}

/* --width's default: the table fits the terminal (value, count, share and
 * bars), else 40 columns. */
static int64_t default_width(int bars)
{
    struct winsize ws;
    if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
        return 40;
    /* "  V...  %12llu  %6.2f%%  ####": V + 28 columns, 40 # at most, one spare */
    int64_t w = (int64_t)ws.ws_col - 29 - (bars ? 42 : 0);
    return w < 10 ? 10 : w;
}

/* The fields after the first go to the job one by one; --json/--tsv. */
static int apply_fields_and_output(ladle_job *job, const struct ladle_cli_parse *p, int *output)
{
    if (p->seen[S_JSON].count && p->seen[S_TSV].count)
        return ladle_cli_usage("stats", "choose one of --json and --tsv");
    *output = p->seen[S_JSON].count ? 1 : p->seen[S_TSV].count ? 2 : 0;
    if (*output == 2 && nfield_args == 0)
        return ladle_cli_usage("stats", "--tsv lists values: it needs --field");
    ladle_job_set(job, LADLE_P_STATS_OUTPUT, *output);
    if (nfield_args > 1 && ladle_job_set_string(job, LADLE_S_FIELD, field_args[0]) != LADLE_OK)
        return LADLE_E_INTERNAL;
    for (unsigned k = 1; k < nfield_args; k++)
        if (ladle_job_add_field(job, field_args[k]) != LADLE_OK) {
            fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
            return LADLE_E_INTERNAL;
        }
    return -1;
}

static int stats_job(ladle_job *job, int argc, char **argv)
{
    struct ladle_cli_parse p;
    ladle_job_set_design(job, "stats");
    nfield_args = 0;
    int rc = ladle_cli_parse(&p, &stats_cmd, argc, argv, job);
    if (rc >= 0)
        return rc;
    int output;
    if ((rc = apply_fields_and_output(job, &p, &output)) >= 0)
        return rc;
    /* The last of --bars and --no-bars; neither: on a terminal. */
    int bars = p.seen[S_NO_BARS].last > p.seen[S_BARS].last ? 0
               : p.seen[S_BARS].last                        ? 1
                                                            : isatty(STDOUT_FILENO);
    ladle_job_set(job, LADLE_P_BARS, bars);
    if (!p.seen[S_WIDTH].count)
        ladle_job_set(job, LADLE_P_STATS_WIDTH, default_width(bars));
    int verbose = p.seen[S_VERBOSE].count > 0;
    ladle_job_set_notify(job, ladle_cli_note_line, &verbose);
    ladle_cli_progress_setup(job,
                             p.seen[S_NO_PROGRESS].last > p.seen[S_PROGRESS].last ? -1
                             : p.seen[S_PROGRESS].last                            ? 1
                                                                                  : 0,
                             argc - optind, argv + optind);
    for (int i = optind; i < argc; i++)
        if (ladle_job_add_input(job, argv[i]) != LADLE_OK) {
            fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
            return LADLE_E_INTERNAL;
        }
    parted = p.seen[S_PART].count && p.seen[S_STATE].count;
    return run_and_report(job, output, verbose);
}

int ladle_cli_stats_design(ladle_job *job, int argc, char **argv)
{
    struct ladle_cli_parse p;
    ladle_job_set_design(job, "stats");
    nfield_args = 0;
    optind = 0; /* a second parse in this process: getopt starts afresh */
    int rc = ladle_cli_parse(&p, &stats_cmd, argc, argv, job);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return ladle_cli_usage("stats", "'%s' is not an option", argv[optind]);
    if (p.seen[S_JSON].count || p.seen[S_TSV].count || p.seen[S_TOP].count)
        return ladle_cli_usage("stats", "--json, --tsv and --top are no part of a draw");
    int output;
    return (rc = apply_fields_and_output(job, &p, &output)) >= 0 ? rc : 0;
}

int ladle_cli_stats_print(ladle_job *job, int output, int bars, int width_given, int verbose)
{
    if (output == 2 && nfield_args == 0)
        return ladle_cli_usage("merge", "--tsv lists values: the states counted no --field");
    ladle_job_set(job, LADLE_P_STATS_OUTPUT, output);
    if (bars < 0)
        bars = isatty(STDOUT_FILENO);
    ladle_job_set(job, LADLE_P_BARS, bars);
    if (!width_given)
        ladle_job_set(job, LADLE_P_STATS_WIDTH, default_width(bars));
    ladle_job_set_notify(job, ladle_cli_note_line, &verbose);
    return run_and_report(job, output, verbose);
}

int ladle_cli_stats(int argc, char **argv)
{
    ladle_job *job = ladle_job_new();
    if (!job) {
        fputs("ladle: out of memory\n", stderr);
        return LADLE_E_INTERNAL;
    }
    int rc = stats_job(job, argc, argv);
    ladle_job_free(job);
    return rc;
}

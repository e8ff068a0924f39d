/*
 * cmd_sample.c -- `ladle sample` and `ladle split`: the options (one table,
 * read by options.c), the check of their combination, which chooses the
 * design, and the run (run_job.c), its status to an exit code.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "ladle/ladle.h"

/* The rows of the table, in its order. */
enum {
    O_RATE,
    O_N,
    O_HEAD,
    O_EVERY,
    O_START,
    O_SHUFFLE,
    O_HEADER,
    O_FORMAT,
    O_DELIM,
    O_MISSING,
    O_MALFORMED,
    O_CLUSTER,
    O_WITHIN_RATE,
    O_STRATA,
    O_FRACTIONS,
    O_WEIGHT,
    O_EMIT_WEIGHT,
    O_PER_STRATUM,
    O_MIN_PER_STRATUM,
    O_CLUSTERS,
    O_WITHIN_SIZE,
    O_SNOWBALL,
    O_SEEDS,
    O_LINK,
    O_WAVES,
    O_MAX_NODES,
    O_EMIT_WAVE,
    O_OUTPUT,
    O_RATIOS,
    O_BY,
    O_TIME_FIELD,
    O_CUTOFFS,
    O_TIME_FORMAT,
    O_TZ,
    O_STRATIFY,
    O_BALANCE,
    O_BALANCE_MODE,
    O_BALANCE_SPLITS,
    O_SHARD_SIZE,
    O_SHARD_RECORDS,
    O_LEVEL,
    O_FORCE,
    O_ALLOW_EMPTY,
    O_APPEND,
    O_SEED,
    O_STATE,
    O_PART,
    O_SOURCE_NAME,
    O_SOURCE_STEM,
    O_SOURCE_PREFIX,
    O_THREADS,
    O_CHUNK,
    O_MAXREC,
    O_LONG,
    O_DROP,
    O_IO,
    O_VERBOSE,
    O_PROGRESS,
    O_NO_PROGRESS,
    O_HELP,
    O_REPLACE,
    O_BOOTSTRAP,
    O_MEMORY,
    O_TMPDIR,
    O_LICENSE,
    O_INDEX,
    O_COUNT
};

/* Groups of rows, for check_combination. */
enum {
    G_DESIGN = 1 << 0,     /* a plain design: --rate, -n, --head, --every */
    G_FIELD = 1 << 1,      /* a field design's field: one at a time */
    G_SNOWBALL = 1 << 2,   /* goes with --snowball */
    G_WITHIN = 1 << 3,     /* --cluster's second stage */
    G_DATASET = 1 << 4,    /* goes with -o DIR */
    G_SPLIT_ONLY = 1 << 5, /* an option of `ladle split` only */
};

#define MAX_I64 ((uint64_t)INT64_MAX)
#define COUNT1 "'%s' is not a count (1 or more)"

/* Columns (options.h): flag, short letter, kind, the job parameter it sets,
 * min, max, the bad value's message; then by name: its group and the design
 * it chooses. The help texts are in usage.c. */
static const struct ladle_cli_option opts[O_COUNT] = {
    [O_RATE] =
        {"--rate", 'p', CLI_PROB, LADLE_D_RATE, .group = G_DESIGN, .design = "bernoulli",
         .bad = "--rate: '%s' is not a probability (expected 0..1, or a percentage such as 1%%)"},
    [O_N] = {"-n", 'n', CLI_COUNT, LADLE_P_N, 0, MAX_I64, "-n: '%s' is not a record count",
             .group = G_DESIGN, .design = "bottomk"},
    [O_HEAD] = {"--head", 0, CLI_COUNT, LADLE_P_N, 0, MAX_I64, "--head: '%s' is not a record count",
                .group = G_DESIGN, .design = "head"},
    [O_EVERY] = {"--every", 0, CLI_COUNT, LADLE_P_EVERY, 1, MAX_I64,
                 "--every: '%s' is not an interval (1 or more)", .group = G_DESIGN,
                 .design = "systematic"},
    [O_START] = {"--start", 0, CLI_COUNT, LADLE_P_START, 0, MAX_I64,
                 "--start: '%s' is not a record index"},
    [O_SHUFFLE] = {"--shuffle", 0, CLI_FLAG, LADLE_P_SHUFFLE},
    [O_HEADER] = {"--header", 'H', CLI_FLAG, LADLE_P_HEADER},
    [O_FORMAT] = {"--format", 0, CLI_STRING, LADLE_S_FORMAT},
    [O_DELIM] = {"--delimiter", 'd', CLI_DELIM, LADLE_S_DELIM},
    [O_MISSING] = {"--missing", 0, CLI_CHOICE, LADLE_P_MISSING,
                   .bad = "--missing: '%s' is not skip, error or keep",
                   .choices = ladle_cli_missing_names},
    [O_MALFORMED] = {"--malformed", 0, CLI_CHOICE, LADLE_P_MALFORMED,
                     .bad = "--malformed: '%s' is not error or skip",
                     .choices = ladle_cli_malformed_names},
    [O_CLUSTER] = {"--cluster", 'k', CLI_STRING, LADLE_S_FIELD, .group = G_FIELD,
                   .design = "cluster"},
    [O_WITHIN_RATE] = {"--within-rate", 0, CLI_PROB, LADLE_D_WITHIN_RATE, .group = G_WITHIN,
                       .bad = "--within-rate: '%s' is not a probability (expected 0..1, or a "
                              "percentage such as 50%%)"},
    [O_STRATA] = {"--strata", 0, CLI_STRING, LADLE_S_FIELD, .group = G_FIELD,
                  .design = "stratified"},
    [O_FRACTIONS] = {"--fractions", 0, CLI_STRING, LADLE_S_FRACTIONS, .design = "fractions"},
    [O_WEIGHT] = {"--weight", 'w', CLI_STRING, LADLE_S_FIELD, .group = G_FIELD,
                  .design = "weighted"},
    [O_EMIT_WEIGHT] = {"--emit-weight", 0, CLI_FLAG, LADLE_P_EMIT_WEIGHT},
    [O_PER_STRATUM] = {"--per-stratum", 0, CLI_COUNT, LADLE_P_PER_STRATUM, 1, MAX_I64,
                       "--per-stratum: " COUNT1},
    [O_MIN_PER_STRATUM] = {"--min-per-stratum", 0, CLI_COUNT, LADLE_P_MIN_PER_STRATUM, 0, MAX_I64,
                           "--min-per-stratum: '%s' is not a count (0 or more)"},
    [O_CLUSTERS] = {"--clusters", 0, CLI_COUNT, LADLE_P_CLUSTERS, 1, MAX_I64,
                    "--clusters: " COUNT1},
    [O_WITHIN_SIZE] = {"--within-size", 0, CLI_COUNT, LADLE_P_WITHIN_SIZE, 1, MAX_I64,
                       "--within-size: " COUNT1, .group = G_WITHIN},
    [O_SNOWBALL] = {"--snowball", 0, CLI_MARK, -1, .design = "snowball"},
    [O_SEEDS] = {"--seeds", 0, CLI_STRING, LADLE_S_SEEDS, .group = G_SNOWBALL},
    [O_LINK] = {"--link", 0, CLI_STRING, LADLE_S_LINK, .group = G_SNOWBALL},
    [O_WAVES] = {"--waves", 0, CLI_COUNT, LADLE_P_WAVES, 0, MAX_I64, "--waves: " COUNT1,
                 .group = G_SNOWBALL},
    [O_MAX_NODES] = {"--max-nodes", 0, CLI_COUNT, LADLE_P_MAX_NODES, 1, MAX_I64,
                     "--max-nodes: " COUNT1, .group = G_SNOWBALL},
    [O_EMIT_WAVE] = {"--emit-wave", 0, CLI_FLAG, LADLE_P_EMIT_WAVE, .group = G_SNOWBALL},
    [O_OUTPUT] = {"--output", 'o', CLI_STRING, LADLE_S_OUTPUT_DIR},
    [O_RATIOS] = {"--ratios", 0, CLI_STRING, LADLE_S_RATIOS, .group = G_DATASET | G_SPLIT_ONLY},
    [O_BY] = {"--by", 0, CLI_STRING, LADLE_S_BY, .group = G_DATASET | G_SPLIT_ONLY},
    [O_TIME_FIELD] = {"--time-field", 0, CLI_STRING, LADLE_S_TIME_FIELD,
                      .group = G_DATASET | G_SPLIT_ONLY},
    [O_CUTOFFS] = {"--cutoffs", 0, CLI_STRING, LADLE_S_CUTOFFS, .group = G_DATASET | G_SPLIT_ONLY},
    [O_TIME_FORMAT] = {"--time-format", 0, CLI_STRING, LADLE_S_TIME_FORMAT,
                       .group = G_DATASET | G_SPLIT_ONLY},
    [O_TZ] = {"--tz", 0, CLI_STRING, LADLE_S_TZ, .group = G_DATASET | G_SPLIT_ONLY},
    [O_STRATIFY] = {"--stratify", 0, CLI_STRING, LADLE_S_STRATIFY,
                    .group = G_DATASET | G_SPLIT_ONLY},
    [O_BALANCE] = {"--balance", 0, CLI_STRING, LADLE_S_BALANCE, .group = G_DATASET},
    [O_BALANCE_MODE] = {"--balance-mode", 0, CLI_STRING, LADLE_S_BALANCE_MODE, .group = G_DATASET},
    [O_BALANCE_SPLITS] = {"--balance-splits", 0, CLI_STRING, LADLE_S_BALANCE_SPLITS,
                          .group = G_DATASET},
    [O_SHARD_SIZE] = {"--shard-size", 0, CLI_SIZE, LADLE_P_SHARD_SIZE, 1, MAX_I64,
                      "--shard-size: '%s' is not a size (e.g. 256M, 1G)", .group = G_DATASET},
    [O_SHARD_RECORDS] = {"--shard-records", 0, CLI_COUNT, LADLE_P_SHARD_RECORDS, 1, MAX_I64,
                         "--shard-records: " COUNT1, .group = G_DATASET},
    [O_LEVEL] = {"--level", 0, CLI_COUNT, LADLE_P_LEVEL, 1, 19,
                 "--level: '%s' is not a zstd level (1..19)", .group = G_DATASET},
    [O_FORCE] = {"--force", 0, CLI_FLAG, LADLE_P_FORCE, .group = G_DATASET},
    [O_ALLOW_EMPTY] = {"--allow-empty", 0, CLI_FLAG, LADLE_P_ALLOW_EMPTY, .group = G_DATASET},
    [O_APPEND] = {"--append", 0, CLI_FLAG, LADLE_P_APPEND, .group = G_DATASET | G_SPLIT_ONLY},
    [O_SEED] = {"--seed", 0, CLI_SEED, LADLE_P_SEED,
                .bad = "--seed: '%s' is not a number or 'random'"},
    [O_STATE] = {"--state", 0, CLI_STRING, LADLE_S_STATE},
    [O_PART] = {"--part", 0, CLI_STRING, LADLE_S_PART},
    [O_SOURCE_NAME] = {"--source-name", 0, CLI_STRING, LADLE_S_SOURCE_NAME},
    [O_SOURCE_STEM] = {"--source-stem", 0, CLI_CHOICE, LADLE_P_SOURCE_STEM,
                       .bad = "--source-stem: '%s' is not name or path",
                       .choices = ladle_cli_stem_names},
    [O_SOURCE_PREFIX] = {"--source-prefix", 0, CLI_STRING, LADLE_S_SOURCE_PREFIX},
    [O_THREADS] = {"--threads", 't', CLI_COUNT, LADLE_P_THREADS, 1, 1024,
                   "--threads: '%s' is not a thread count (1..1024)"},
    [O_CHUNK] = {"--chunk-size", 0, CLI_SIZE, LADLE_P_CHUNK_SIZE, 0, MAX_I64,
                 "--chunk-size: '%s' is not a size (e.g. 512K, 2M)"},
    [O_MAXREC] = {"--max-record", 0, CLI_SIZE, LADLE_P_MAX_RECORD, 0, MAX_I64,
                  "--max-record: '%s' is not a size (e.g. 512K, 2M)"},
    [O_LONG] = {"--long", 0, CLI_FLAG, LADLE_P_ZSTD_LONG},
    [O_DROP] = {"--drop-cache", 0, CLI_FLAG, LADLE_P_DROP_CACHE},
    [O_IO] = {"--io", 0, CLI_CHOICE, LADLE_P_IO_MODE,
              .bad = "--io: '%s' is not auto, uring or pread", .choices = ladle_cli_io_names},
    [O_VERBOSE] = {"--verbose", 'v', CLI_MARK, -1},
    [O_PROGRESS] = {"--progress", 0, CLI_MARK, -1},
    [O_NO_PROGRESS] = {"--no-progress", 0, CLI_MARK, -1},
    [O_HELP] = {"--help", 'h', CLI_HELP, -1},
    [O_REPLACE] = {"--replace", 0, CLI_FLAG, LADLE_P_REPLACE},
    [O_BOOTSTRAP] = {"--bootstrap", 0, CLI_COUNT, LADLE_P_BOOTSTRAP, 1, 1000,
                     "--bootstrap: '%s' is not a replicate count (1..1000)"},
    [O_MEMORY] = {"--memory", 0, CLI_SIZE, LADLE_P_MEMORY, 1 << 16, MAX_I64,
                  "--memory: '%s' is not a size of 64K or more (e.g. 256M, 1G)"},
    [O_TMPDIR] = {"--tmpdir", 0, CLI_STRING, LADLE_S_TMPDIR},
    [O_LICENSE] = {"--license", 0, CLI_STRING, LADLE_S_LICENSE, .group = G_DATASET},
    [O_INDEX] = {"--index", 0, CLI_FLAG, LADLE_P_GZIP_INDEX},
};

static int splitting; /* `ladle split`: the same options and more */
static int shuffling; /* `ladle shuffle`: every record, in key order; no design */

static void help(FILE *f)
{
    if (shuffling)
        ladle_cli_usage_shuffle(f);
    else if (splitting)
        ladle_cli_usage_split(f);
    else
        ladle_cli_usage_sample(f);
}

/* What cannot wait for the end: options of `ladle split` only, a second field. */
static int before(const struct ladle_cli_parse *p, size_t i)
{
    const char *cmd = p->cmd->name;
    static const int not_shuffle[] = {O_START,    O_EMIT_WEIGHT, O_PER_STRATUM, O_MIN_PER_STRATUM,
                                      O_CLUSTERS, O_OUTPUT,      O_STATE,       O_PART};
    int refused =
        shuffling && (opts[i].design ||
                      (opts[i].group & (G_DESIGN | G_FIELD | G_SNOWBALL | G_WITHIN | G_DATASET)));
    for (size_t k = 0; shuffling && k < sizeof not_shuffle / sizeof not_shuffle[0]; k++)
        refused |= (int)i == not_shuffle[k];
    if (refused)
        return ladle_cli_usage(cmd, "%s is not an option of 'ladle shuffle'", opts[i].flag);
    if (!splitting && (opts[i].group & G_SPLIT_ONLY))
        return ladle_cli_usage(cmd, "%s is an option of 'ladle split'", opts[i].flag);
    const struct ladle_cli_option *field = ladle_cli_last(p, G_FIELD);
    if ((opts[i].group & G_FIELD) && field)
        return ladle_cli_usage(cmd, "%s and %s: one field design at a time", field->flag,
                               opts[i].flag);
    return 0;
}

/* A setting --append takes from the manifest, given anyway (NULL: none). */
static const struct ladle_cli_option *appended_setting(const struct ladle_cli_seen *s)
{
    static const int taken[] = {O_RATIOS,      O_BY,
                                O_TIME_FIELD,  O_CUTOFFS,
                                O_TIME_FORMAT, O_TZ,
                                O_FORMAT,      O_DELIM,
                                O_HEADER,      O_SEED,
                                O_FORCE,       O_LEVEL,
                                O_SHARD_SIZE,  O_SHARD_RECORDS,
                                O_SOURCE_STEM, O_SOURCE_PREFIX,
                                O_LICENSE};
    for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++)
        if (s[taken[i]].count)
            return &opts[taken[i]];
    return NULL;
}

/* The options that go together, in the order the messages are checked;
 * the design they choose into *design (NULL: none, a split of every record). */
static int check_combination(const struct ladle_cli_parse *p, const char **design)
{
    const char *cmd = p->cmd->name;
    const struct ladle_cli_seen *s = p->seen;
    const struct ladle_cli_option *plain = ladle_cli_last(p, G_DESIGN);
    const struct ladle_cli_option *field = ladle_cli_last(p, G_FIELD);
    const struct ladle_cli_option *o;
    unsigned designs = ladle_cli_count(p, G_DESIGN);
    int plain_rate = designs == 1 && plain == &opts[O_RATE];
    int plain_n = designs == 1 && plain == &opts[O_N];
    int clusters = s[O_CLUSTERS].count > 0, per_stratum = s[O_PER_STRATUM].count > 0;
    int fractions = s[O_FRACTIONS].count > 0;
    unsigned within = ladle_cli_count(p, G_WITHIN);
    *design = plain ? plain->design : NULL;
    /* A field (or --snowball) turns the plain design into its own. */
    if (s[O_SNOWBALL].count) {
        if (designs || field)
            return ladle_cli_usage(cmd, "--snowball is a design of its own (not with %s)",
                                   plain ? plain->flag : field->flag);
        *design = opts[O_SNOWBALL].design;
        designs = 1;
    } else if ((o = ladle_cli_last(p, G_SNOWBALL))) {
        return ladle_cli_usage(cmd, "%s goes with --snowball", o->flag);
    }
    if (field == &opts[O_CLUSTER]) {
        if (plain_rate == clusters || (clusters && designs))
            return ladle_cli_usage(cmd, "--cluster takes one of --rate P or --clusters M");
        designs = 1;
    } else if (field == &opts[O_STRATA]) {
        if (fractions + per_stratum + plain_n != 1 || designs > (unsigned)plain_n)
            return ladle_cli_usage(
                cmd, "--strata takes one of -n N, --per-stratum N or --fractions SPEC");
        designs = 1;
    } else if (field == &opts[O_WEIGHT] && !plain_n) {
        return ladle_cli_usage(cmd, "--weight needs -n N (the sample size)");
    }
    if (field)
        *design = fractions ? opts[O_FRACTIONS].design : field->design;
    if (clusters && field != &opts[O_CLUSTER])
        return ladle_cli_usage(cmd, "--clusters goes with --cluster FIELD");
    if (s[O_MIN_PER_STRATUM].count && (field != &opts[O_STRATA] || !plain_n))
        return ladle_cli_usage(cmd, "--min-per-stratum goes with --strata FIELD -n N");
    if (per_stratum && field != &opts[O_STRATA])
        return ladle_cli_usage(cmd, "--per-stratum goes with --strata FIELD");
    if (within > 1)
        return ladle_cli_usage(cmd, "--within-rate or --within-size, not both");
    if (within && field != &opts[O_CLUSTER])
        return ladle_cli_usage(cmd, "--within-rate and --within-size go with --cluster");
    if (fractions && field != &opts[O_STRATA])
        return ladle_cli_usage(cmd, "--fractions goes with --strata");
    if (splitting && !s[O_OUTPUT].count)
        return ladle_cli_usage(cmd, "ladle split needs -o DIR");
    if (s[O_APPEND].count && (o = appended_setting(s)))
        return ladle_cli_usage(cmd,
                               "--append takes the dataset's settings from its manifest: leave "
                               "out %s",
                               o->flag);
    if (splitting && !s[O_RATIOS].count && !s[O_APPEND].count)
        return ladle_cli_usage(cmd, "ladle split needs --ratios (e.g. train=0.8,val=0.1,test=0.1)");
    if ((o = ladle_cli_last(p, G_DATASET)) && !s[O_OUTPUT].count)
        return ladle_cli_usage(cmd, "%s goes with -o DIR", o->flag);
    if (designs == 0 && !splitting && (shuffling || s[O_SHUFFLE].count)) {
        *design = opts[O_RATE].design; /* every record: --rate 1 (sample_job sets it) */
        designs = 1;
    }
    if (designs == 0 && !splitting)
        return ladle_cli_usage(cmd, "choose a design: --rate P, -n N, --head N, --every K, or a "
                                    "field design (see --help)");
    if (s[O_START].count && plain && plain != &opts[O_EVERY])
        return ladle_cli_usage(cmd, "--start goes with --every, not %s", plain->flag);
    if (designs > 1)
        return ladle_cli_usage(cmd, "choose one design, not several (last was %s)", plain->flag);
    if (s[O_INDEX].count && (s[O_PART].count || s[O_STATE].count))
        return ladle_cli_usage(cmd, "--index reads each gzip file whole: not with %s",
                               s[O_PART].count ? "--part" : "--state");
    if (s[O_REPLACE].count && (!plain_n || field))
        return ladle_cli_usage(cmd, "--replace goes with -n N alone (uniform draws with "
                                    "replacement)");
    return 0;
}

/* Runs the job over the operands and reports; the exit code. */
static int run_and_report(ladle_job *job, const char *out_dir, int verbose)
{
    if (!out_dir && ladle_cli_stdout_closed())
        return LADLE_E_OUTPUT;
    ladle_report rep;
    double dt;
    int interrupted_exit;
    ladle_status st = ladle_cli_run_job(job, STDOUT_FILENO, &rep, &dt, &interrupted_exit);
    /* A dataset's warnings and clean-up notes, success or not. */
    for (const char *p = ladle_job_split_notes(job), *nl; p && (nl = strchr(p, '\n')); p = nl + 1)
        fprintf(stderr, "ladle: %.*s\n", (int)(nl - p), p);
    if (st == LADLE_E_INTERRUPTED) {
        char left[600];
        struct stat sb;
        if (ladle_cli_run_ended_first())
            snprintf(left, sizeof left, "the run had ended: %s",
                     out_dir ? "the dataset is committed" : "the output is whole");
        else if (out_dir)
            snprintf(left, sizeof left, "nothing committed: %s %s", out_dir,
                     stat(out_dir, &sb) == 0 ? "is as it was" : "not created");
        else
            snprintf(left, sizeof left, "%s",
                     rep.records_out ? "stdout holds an incomplete sample" : "nothing written");
        ladle_cli_progress_interrupted(&rep, left);
        return interrupted_exit;
    }
    if (st == LADLE_E_USAGE)
        return ladle_cli_usage(shuffling   ? "shuffle"
                               : splitting ? "split"
                                           : "sample",
                               "%s", ladle_job_error(job));
    if (st != LADLE_OK) {
        fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
        return st;
    }
    if (rep.records_missing)
        fprintf(stderr, "ladle: %llu record%s without a usable field left out (see --missing)\n",
                (unsigned long long)rep.records_missing, rep.records_missing == 1 ? "" : "s");
    if (rep.records_malformed)
        fprintf(stderr, "ladle: %llu malformed record%s left out (see --malformed)\n",
                (unsigned long long)rep.records_malformed, rep.records_malformed == 1 ? "" : "s");
    if (verbose && out_dir)
        fprintf(stderr, "ladle: %s: %s (%llu records read in %.3f s, %.0f MB/s, %u threads)\n",
                out_dir, ladle_job_split_summary(job) ? ladle_job_split_summary(job) : "",
                (unsigned long long)rep.records_in, dt,
                dt > 0 ? (double)rep.bytes_in / 1e6 / dt : 0.0, rep.threads);
    else if (verbose)
        fprintf(stderr,
                "ladle: sample: %llu records read (%.1f MB, %.1f MB from disk) in %.3f s "
                "(%.0f MB/s, %u threads, %s); %llu written%s\n",
                (unsigned long long)rep.records_in, (double)rep.bytes_in / 1e6,
                (double)rep.bytes_compressed / 1e6, dt,
                dt > 0 ? (double)rep.bytes_in / 1e6 / dt : 0.0, rep.threads,
                rep.io_uring_used ? "io_uring" : "pread/read", (unsigned long long)rep.records_out,
                ladle_job_output_closed(job) ? " (output closed early)" : "");
    return 0;
}

/* Options, their combination, the inputs, the run: the exit code. */
static int sample_job(ladle_job *job, int argc, char **argv)
{
    static const struct ladle_cli_command cmds[3] = {
        {"sample", opts, O_COUNT, "option '%s' needs a value", "unknown option '%s'", help, before},
        {"split", opts, O_COUNT, "option '%s' needs a value", "unknown option '%s'", help, before},
        {"shuffle", opts, O_COUNT, "option '%s' needs a value", "unknown option '%s'", help,
         before},
    };
    struct ladle_cli_parse p;
    const char *design;
    int rc = ladle_cli_parse(&p, &cmds[shuffling ? 2 : splitting], argc, argv, job);
    if (rc >= 0)
        return rc;
    if ((rc = check_combination(&p, &design)) != 0)
        return rc;
    if (design && ladle_job_set_design(job, design) != LADLE_OK)
        return ladle_cli_usage(p.cmd->name, "%s", ladle_job_error(job));
    /* ladle shuffle, sample --shuffle alone: every record, in key order */
    if (design && !splitting && !p.seen[O_RATE].count && strcmp(design, "bernoulli") == 0 &&
        (ladle_job_set_rate(job, 1.0) != LADLE_OK || ladle_job_set(job, LADLE_P_SHUFFLE, 1)))
        return ladle_cli_usage(p.cmd->name, "%s", ladle_job_error(job));
    for (int i = optind; i < argc; i++)
        if (ladle_job_add_input(job, argv[i]) != LADLE_OK) {
            fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
            return LADLE_E_INTERNAL;
        }
    int verbose = p.seen[O_VERBOSE].count > 0;
    const char *out_dir = p.seen[O_OUTPUT].arg;
    ladle_job_set_notify(job, ladle_cli_note_line, &verbose);
    const struct ladle_cli_seen *s = p.seen;
    ladle_cli_progress_setup(job,
                             s[O_NO_PROGRESS].last > s[O_PROGRESS].last ? -1
                             : s[O_PROGRESS].last                       ? 1
                                                                        : 0,
                             argc - optind, argv + optind);
    /* main() passed argv + 1: the manifest records the whole command line. */
    if (out_dir &&
        ladle_job_set_command(job, argc + 1, (const char *const *)(argv - 1)) != LADLE_OK) {
        fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
        return LADLE_E_INTERNAL;
    }
    return run_and_report(job, out_dir, verbose);
}

int ladle_cli_sample_design(ladle_job *job, int argc, char **argv)
{
    static const struct ladle_cli_command cmd = {
        "sample", opts, O_COUNT, "option '%s' needs a value", "unknown option '%s'", help, before};
    struct ladle_cli_parse p;
    const char *design;
    splitting = 0;
    optind = 0; /* a second parse in this process: getopt starts afresh */
    int rc = ladle_cli_parse(&p, &cmd, argc, argv, job);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return ladle_cli_usage("sample", "'%s' is not an option", argv[optind]);
    if ((rc = check_combination(&p, &design)) != 0)
        return rc;
    if (design && ladle_job_set_design(job, design) != LADLE_OK)
        return ladle_cli_usage("sample", "%s", ladle_job_error(job));
    return 0;
}

static int run(int argc, char **argv, int split, int shuffle)
{
    ladle_job *job = ladle_job_new();
    if (!job) {
        fputs("ladle: out of memory\n", stderr);
        return LADLE_E_INTERNAL;
    }
    splitting = split;
    shuffling = shuffle;
    int rc = sample_job(job, argc, argv);
    ladle_job_free(job);
    return rc;
}

int ladle_cli_sample(int argc, char **argv)
{
    return run(argc, argv, 0, 0);
}

int ladle_cli_split(int argc, char **argv)
{
    return run(argc, argv, 1, 0);
}

int ladle_cli_shuffle(int argc, char **argv)
{
    return run(argc, argv, 0, 1);
}

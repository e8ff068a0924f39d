/*
 * cmd_sample.c -- `ladle sample`: options to a job (run by run_job.c),
 * the status to an exit code.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ladle/ladle.h"

/* Notes show with -v; warnings ("warning: ...") always. */
static void note_line(void *arg, const char *line)
{
    if (*(int *)arg || strncmp(line, "warning: ", 9) == 0)
        fprintf(stderr, "ladle: %s\n", line);
}

static const char *command = "sample"; /* or "split": the same options and more */

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fputs("ladle: ", stderr);
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, " (see 'ladle %s --help')\n", command);
    return LADLE_E_USAGE;
}

enum {
    OPT_RATE = 256,
    OPT_HEAD,
    OPT_SHUFFLE,
    OPT_SEED,
    OPT_CHUNK,
    OPT_MAXREC,
    OPT_LONG,
    OPT_DROP,
    OPT_IO,
    OPT_EVERY,
    OPT_START,
    OPT_HEADER,
    OPT_FORMAT,
    OPT_MISSING,
    OPT_CLUSTER,
    OPT_WITHIN_RATE,
    OPT_STRATA,
    OPT_FRACTIONS,
    OPT_WEIGHT,
    OPT_EMIT_WEIGHT,
    OPT_PER_STRATUM,
    OPT_CLUSTERS,
    OPT_WITHIN_SIZE,
    OPT_SNOWBALL,
    OPT_SEEDS,
    OPT_LINK,
    OPT_WAVES,
    OPT_MAX_NODES,
    OPT_EMIT_WAVE,
    OPT_RATIOS,
    OPT_BY,
    OPT_TIME_FIELD,
    OPT_CUTOFFS,
    OPT_STRATIFY,
    OPT_BALANCE,
    OPT_BALANCE_MODE,
    OPT_BALANCE_SPLITS,
    OPT_SHARD_SIZE,
    OPT_SHARD_RECORDS,
    OPT_LEVEL,
    OPT_FORCE,
    OPT_MIN_PER_STRATUM,
};

static const struct option long_opts[] = {
    {"rate", required_argument, NULL, OPT_RATE},
    {"head", required_argument, NULL, OPT_HEAD},
    {"every", required_argument, NULL, OPT_EVERY},
    {"start", required_argument, NULL, OPT_START},
    {"shuffle", no_argument, NULL, OPT_SHUFFLE},
    {"header", no_argument, NULL, OPT_HEADER},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"delimiter", required_argument, NULL, 'd'},
    {"missing", required_argument, NULL, OPT_MISSING},
    {"cluster", required_argument, NULL, OPT_CLUSTER},
    {"within-rate", required_argument, NULL, OPT_WITHIN_RATE},
    {"strata", required_argument, NULL, OPT_STRATA},
    {"fractions", required_argument, NULL, OPT_FRACTIONS},
    {"weight", required_argument, NULL, OPT_WEIGHT},
    {"emit-weight", no_argument, NULL, OPT_EMIT_WEIGHT},
    {"per-stratum", required_argument, NULL, OPT_PER_STRATUM},
    {"min-per-stratum", required_argument, NULL, OPT_MIN_PER_STRATUM},
    {"clusters", required_argument, NULL, OPT_CLUSTERS},
    {"within-size", required_argument, NULL, OPT_WITHIN_SIZE},
    {"snowball", no_argument, NULL, OPT_SNOWBALL},
    {"seeds", required_argument, NULL, OPT_SEEDS},
    {"link", required_argument, NULL, OPT_LINK},
    {"waves", required_argument, NULL, OPT_WAVES},
    {"max-nodes", required_argument, NULL, OPT_MAX_NODES},
    {"emit-wave", no_argument, NULL, OPT_EMIT_WAVE},
    {"output", required_argument, NULL, 'o'},
    {"ratios", required_argument, NULL, OPT_RATIOS},
    {"by", required_argument, NULL, OPT_BY},
    {"time-field", required_argument, NULL, OPT_TIME_FIELD},
    {"cutoffs", required_argument, NULL, OPT_CUTOFFS},
    {"stratify", required_argument, NULL, OPT_STRATIFY},
    {"balance", required_argument, NULL, OPT_BALANCE},
    {"balance-mode", required_argument, NULL, OPT_BALANCE_MODE},
    {"balance-splits", required_argument, NULL, OPT_BALANCE_SPLITS},
    {"shard-size", required_argument, NULL, OPT_SHARD_SIZE},
    {"shard-records", required_argument, NULL, OPT_SHARD_RECORDS},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"force", no_argument, NULL, OPT_FORCE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, 't'},
    {"chunk-size", required_argument, NULL, OPT_CHUNK},
    {"max-record", required_argument, NULL, OPT_MAXREC},
    {"long", no_argument, NULL, OPT_LONG},
    {"drop-cache", no_argument, NULL, OPT_DROP},
    {"io", required_argument, NULL, OPT_IO},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Options only `ladle split` takes (sample -o DIR writes one split, "sample"). */
static const char *split_only(int c)
{
    switch (c) {
    case OPT_RATIOS: return "--ratios";
    case OPT_BY: return "--by";
    case OPT_TIME_FIELD: return "--time-field";
    case OPT_CUTOFFS: return "--cutoffs";
    case OPT_STRATIFY: return "--stratify";
    default: return NULL;
    }
}

static int run(int argc, char **argv, int split);

int ladle_cli_sample(int argc, char **argv)
{
    command = "sample";
    return run(argc, argv, 0);
}

int ladle_cli_split(int argc, char **argv)
{
    command = "split";
    return run(argc, argv, 1);
}

static int run(int argc, char **argv, int split)
{
    ladle_job *job = ladle_job_new();
    if (!job) {
        fputs("ladle: out of memory\n", stderr);
        return LADLE_E_INTERNAL;
    }
    int verbose = 0, designs = 0, rc = 0, start_given = 0, field_opt = 0, within_given = 0,
        fractions_given = 0;
    const char *field_flag = NULL, *snowball_opts = NULL;
    int per_stratum = 0, clusters = 0, snowball = 0, min_per_stratum = 0;
    const char *design_flag = NULL, *out_dir = NULL, *dataset_flag = NULL;
    int ratios_given = 0;
    uint64_t v;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":n:t:d:o:vh", long_opts, NULL)) != -1) {
        ladle_status st = LADLE_OK;
        if (!split && split_only(c)) {
            rc = usage_error("%s is an option of 'ladle split'%s", split_only(c), "");
            goto done;
        }
        switch (c) {
        case 'o':
            out_dir = optarg;
            st = ladle_job_set_string(job, LADLE_S_OUTPUT_DIR, optarg);
            break;
        case OPT_RATIOS:
        case OPT_BY:
        case OPT_TIME_FIELD:
        case OPT_CUTOFFS:
        case OPT_STRATIFY:
        case OPT_BALANCE:
        case OPT_BALANCE_MODE:
        case OPT_BALANCE_SPLITS:
            st = ladle_job_set_string(job,
                                      c == OPT_RATIOS         ? LADLE_S_RATIOS
                                      : c == OPT_BY           ? LADLE_S_BY
                                      : c == OPT_TIME_FIELD   ? LADLE_S_TIME_FIELD
                                      : c == OPT_CUTOFFS      ? LADLE_S_CUTOFFS
                                      : c == OPT_STRATIFY     ? LADLE_S_STRATIFY
                                      : c == OPT_BALANCE      ? LADLE_S_BALANCE
                                      : c == OPT_BALANCE_MODE ? LADLE_S_BALANCE_MODE
                                                              : LADLE_S_BALANCE_SPLITS,
                                      optarg);
            ratios_given |= c == OPT_RATIOS;
            dataset_flag = argv[optind - 1];
            break;
        case OPT_SHARD_SIZE:
        case OPT_SHARD_RECORDS:
            if ((c == OPT_SHARD_SIZE ? ladle_cli_parse_size(optarg, &v)
                                     : ladle_cli_parse_u64(optarg, &v)) != 0 ||
                v < 1 || v > INT64_MAX) {
                rc = usage_error(c == OPT_SHARD_SIZE
                                     ? "--shard-size: '%s' is not a size%s (e.g. 256M, 1G)"
                                     : "--shard-records: '%s' is not a count%s (1 or more)",
                                 optarg, "");
                goto done;
            }
            st = ladle_job_set(
                job, c == OPT_SHARD_SIZE ? LADLE_P_SHARD_SIZE : LADLE_P_SHARD_RECORDS, (int64_t)v);
            dataset_flag = c == OPT_SHARD_SIZE ? "--shard-size" : "--shard-records";
            break;
        case OPT_LEVEL:
            if (ladle_cli_parse_u64(optarg, &v) != 0 || v < 1 || v > 19) {
                rc = usage_error("--level: '%s' is not a zstd level%s (1..19)", optarg, "");
                goto done;
            }
            st = ladle_job_set(job, LADLE_P_LEVEL, (int64_t)v);
            dataset_flag = "--level";
            break;
        case OPT_FORCE:
            st = ladle_job_set(job, LADLE_P_FORCE, 1);
            dataset_flag = "--force";
            break;
        case OPT_RATE: {
            char *end;
            double p = strtod(optarg, &end);
            if ((!isdigit((unsigned char)*optarg) && *optarg != '.') ||
                optarg[strspn(optarg, "0123456789.eE+-")] != '\0') {
                rc = usage_error("--rate: '%s' is not a probability%s (expected 0..1)", optarg, "");
                goto done;
            }
            if (*end || !(p >= 0.0 && p <= 1.0)) {
                rc = usage_error("--rate: '%s' is not a probability%s (expected 0..1)", optarg, "");
                goto done;
            }
            st = ladle_job_set(job, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI);
            if (st == LADLE_OK)
                st = ladle_job_set_rate(job, p);
            designs++;
            design_flag = "--rate";
            break;
        }
        case 'n':
        case OPT_HEAD:
            if (ladle_cli_parse_u64(optarg, &v) != 0 || v > INT64_MAX) {
                rc = usage_error("%s: '%s' is not a record count", c == 'n' ? "-n" : "--head",
                                 optarg);
                goto done;
            }
            st = ladle_job_set(job, LADLE_P_DESIGN,
                               c == 'n' ? LADLE_DESIGN_BOTTOMK : LADLE_DESIGN_HEAD);
            if (st == LADLE_OK)
                st = ladle_job_set(job, LADLE_P_N, (int64_t)v);
            designs++;
            design_flag = c == 'n' ? "-n" : "--head";
            break;
        case OPT_EVERY:
            if (ladle_cli_parse_u64(optarg, &v) != 0 || v < 1 || v > INT64_MAX) {
                rc = usage_error("--every: '%s' is not an interval%s (1 or more)", optarg, "");
                goto done;
            }
            st = ladle_job_set(job, LADLE_P_DESIGN, LADLE_DESIGN_SYSTEMATIC);
            if (st == LADLE_OK)
                st = ladle_job_set(job, LADLE_P_EVERY, (int64_t)v);
            designs++;
            design_flag = "--every";
            break;
        case OPT_START:
            if (ladle_cli_parse_u64(optarg, &v) != 0 || v > INT64_MAX) {
                rc = usage_error("--start: '%s' is not a record index%s", optarg, "");
                goto done;
            }
            st = ladle_job_set(job, LADLE_P_START, (int64_t)v);
            start_given = 1;
            break;
        case OPT_SHUFFLE: st = ladle_job_set(job, LADLE_P_SHUFFLE, 1); break;
        case OPT_HEADER: st = ladle_job_set(job, LADLE_P_HEADER, 1); break;
        case OPT_FORMAT: st = ladle_job_set_string(job, LADLE_S_FORMAT, optarg); break;
        case 'd':
            st = ladle_job_set_string(job, LADLE_S_DELIM,
                                      strcmp(optarg, "\\t") == 0 ? "\t" : optarg);
            break;
        case OPT_MISSING:
            if (strcmp(optarg, "skip") == 0)
                st = ladle_job_set(job, LADLE_P_MISSING, LADLE_MISSING_SKIP);
            else if (strcmp(optarg, "error") == 0)
                st = ladle_job_set(job, LADLE_P_MISSING, LADLE_MISSING_ERROR);
            else if (strcmp(optarg, "keep") == 0)
                st = ladle_job_set(job, LADLE_P_MISSING, LADLE_MISSING_KEEP);
            else {
                rc = usage_error("--missing: '%s' is not skip, error or keep%s", optarg, "");
                goto done;
            }
            break;
        case OPT_CLUSTER:
        case OPT_STRATA:
        case OPT_WEIGHT:
            if (field_flag) {
                rc = usage_error("%s and %s: one field design at a time", field_flag,
                                 c == OPT_CLUSTER  ? "--cluster"
                                 : c == OPT_STRATA ? "--strata"
                                                   : "--weight");
                goto done;
            }
            field_flag = c == OPT_CLUSTER ? "--cluster" : c == OPT_STRATA ? "--strata" : "--weight";
            field_opt = c;
            st = ladle_job_set_string(job, LADLE_S_FIELD, optarg);
            break;
        case OPT_WITHIN_RATE: {
            char *end;
            double q = strtod(optarg, &end);
            if ((!isdigit((unsigned char)*optarg) && *optarg != '.') ||
                optarg[strspn(optarg, "0123456789.eE+-")] != '\0' || *end ||
                !(q >= 0.0 && q <= 1.0)) {
                rc = usage_error("--within-rate: '%s' is not a probability%s (expected 0..1)",
                                 optarg, "");
                goto done;
            }
            st = ladle_job_set_double(job, LADLE_D_WITHIN_RATE, q);
            within_given++;
            break;
        }
        case OPT_FRACTIONS:
            st = ladle_job_set_string(job, LADLE_S_FRACTIONS, optarg);
            fractions_given = 1;
            break;
        case OPT_EMIT_WEIGHT: st = ladle_job_set(job, LADLE_P_EMIT_WEIGHT, 1); break;
        case OPT_PER_STRATUM:
        case OPT_CLUSTERS:
        case OPT_WITHIN_SIZE:
        case OPT_WAVES:
        case OPT_MAX_NODES: {
            const char *flag = c == OPT_PER_STRATUM   ? "--per-stratum"
                               : c == OPT_CLUSTERS    ? "--clusters"
                               : c == OPT_WITHIN_SIZE ? "--within-size"
                               : c == OPT_WAVES       ? "--waves"
                                                      : "--max-nodes";
            if (ladle_cli_parse_u64(optarg, &v) != 0 || v > INT64_MAX ||
                (v == 0 && c != OPT_WAVES)) {
                rc = usage_error("%s: '%s' is not a count (1 or more)", flag, optarg);
                goto done;
            }
            st = ladle_job_set(job,
                               c == OPT_PER_STRATUM   ? LADLE_P_PER_STRATUM
                               : c == OPT_CLUSTERS    ? LADLE_P_CLUSTERS
                               : c == OPT_WITHIN_SIZE ? LADLE_P_WITHIN_SIZE
                               : c == OPT_WAVES       ? LADLE_P_WAVES
                                                      : LADLE_P_MAX_NODES,
                               (int64_t)v);
            if (c == OPT_PER_STRATUM)
                per_stratum = 1;
            else if (c == OPT_CLUSTERS)
                clusters = 1;
            else if (c == OPT_WITHIN_SIZE)
                within_given++;
            else
                snowball_opts = flag;
            break;
        }
        case OPT_MIN_PER_STRATUM:
            if (ladle_cli_parse_u64(optarg, &v) != 0 || v > INT64_MAX) {
                rc =
                    usage_error("--min-per-stratum: '%s' is not a count (0 or more)%s", optarg, "");
                goto done;
            }
            st = ladle_job_set(job, LADLE_P_MIN_PER_STRATUM, (int64_t)v);
            min_per_stratum = 1;
            break;
        case OPT_SNOWBALL: snowball = 1; break;
        case OPT_SEEDS:
            st = ladle_job_set_string(job, LADLE_S_SEEDS, optarg);
            snowball_opts = "--seeds";
            break;
        case OPT_LINK:
            st = ladle_job_set_string(job, LADLE_S_LINK, optarg);
            snowball_opts = "--link";
            break;
        case OPT_EMIT_WAVE:
            st = ladle_job_set(job, LADLE_P_EMIT_WAVE, 1);
            snowball_opts = "--emit-wave";
            break;
        case OPT_SEED:
            if (strcmp(optarg, "random") == 0) {
                if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
                    v = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
                fprintf(stderr, "ladle: seed %llu\n", (unsigned long long)v);
            } else if (ladle_cli_parse_u64(optarg, &v) != 0) {
                rc = usage_error("--seed: '%s' is not a number or 'random'%s", optarg, "");
                goto done;
            }
            st = ladle_job_set(job, LADLE_P_SEED, (int64_t)v);
            break;
        case 't':
            if (ladle_cli_parse_u64(optarg, &v) != 0 || v < 1 || v > 1024) {
                rc = usage_error("--threads: '%s' is not a thread count%s (1..1024)", optarg, "");
                goto done;
            }
            st = ladle_job_set(job, LADLE_P_THREADS, (int64_t)v);
            break;
        case OPT_CHUNK:
        case OPT_MAXREC:
            if (ladle_cli_parse_size(optarg, &v) != 0 || v > INT64_MAX) {
                rc = usage_error("%s: '%s' is not a size (e.g. 512K, 2M)",
                                 c == OPT_CHUNK ? "--chunk-size" : "--max-record", optarg);
                goto done;
            }
            st = ladle_job_set(job, c == OPT_CHUNK ? LADLE_P_CHUNK_SIZE : LADLE_P_MAX_RECORD,
                               (int64_t)v);
            break;
        case OPT_LONG: st = ladle_job_set(job, LADLE_P_ZSTD_LONG, 1); break;
        case OPT_DROP: st = ladle_job_set(job, LADLE_P_DROP_CACHE, 1); break;
        case OPT_IO:
            if (strcmp(optarg, "auto") == 0)
                st = ladle_job_set(job, LADLE_P_IO_MODE, LADLE_IO_AUTO);
            else if (strcmp(optarg, "uring") == 0)
                st = ladle_job_set(job, LADLE_P_IO_MODE, LADLE_IO_URING);
            else if (strcmp(optarg, "pread") == 0)
                st = ladle_job_set(job, LADLE_P_IO_MODE, LADLE_IO_PREAD);
            else {
                rc = usage_error("--io: '%s' is not auto, uring or pread%s", optarg, "");
                goto done;
            }
            break;
        case 'v': verbose = 1; break;
        case 'h':
            if (split)
                ladle_cli_usage_split(ladle_cli_out());
            else
                ladle_cli_usage_sample(ladle_cli_out());
            goto done;
        case ':': rc = usage_error("option '%s' needs a value%s", argv[optind - 1], ""); goto done;
        default: rc = usage_error("unknown option '%s'%s", argv[optind - 1], ""); goto done;
        }
        if (st != LADLE_OK) {
            rc = usage_error("%s%s", ladle_job_error(job), "");
            goto done;
        }
    }
    /* A field turns the plain design into its field design. */
    int plain_rate = designs == 1 && design_flag && strcmp(design_flag, "--rate") == 0;
    int plain_n = designs == 1 && design_flag && strcmp(design_flag, "-n") == 0;
    if (snowball) {
        if (designs || field_opt) {
            rc = usage_error("--snowball is a design of its own (not with %s)%s",
                             design_flag ? design_flag : field_flag, "");
            goto done;
        }
        ladle_job_set(job, LADLE_P_DESIGN, LADLE_DESIGN_SNOWBALL);
        designs = 1;
    } else if (snowball_opts) {
        rc = usage_error("%s goes with --snowball%s", snowball_opts, "");
        goto done;
    }
    if (field_opt == OPT_CLUSTER) {
        if (plain_rate == clusters || (clusters && designs)) {
            rc = usage_error("--cluster takes one of --rate P or --clusters M%s%s", "", "");
            goto done;
        }
        ladle_job_set(job, LADLE_P_DESIGN, LADLE_DESIGN_CLUSTER);
        designs = 1;
    } else if (field_opt == OPT_STRATA) {
        int modes = fractions_given + per_stratum + plain_n;
        if (modes != 1 || designs > plain_n) {
            rc = usage_error("--strata takes one of -n N, --per-stratum N or --fractions SPEC%s%s",
                             "", "");
            goto done;
        }
        ladle_job_set(job, LADLE_P_DESIGN,
                      fractions_given ? LADLE_DESIGN_FRACTIONS : LADLE_DESIGN_STRATIFIED);
        designs = 1;
    } else if (field_opt == OPT_WEIGHT) {
        if (!plain_n) {
            rc = usage_error("--weight needs -n N (the sample size)%s%s", "", "");
            goto done;
        }
        ladle_job_set(job, LADLE_P_DESIGN, LADLE_DESIGN_WEIGHTED);
    }
    if (clusters && field_opt != OPT_CLUSTER) {
        rc = usage_error("--clusters goes with --cluster FIELD%s%s", "", "");
        goto done;
    }
    if (min_per_stratum && (field_opt != OPT_STRATA || !plain_n)) {
        rc = usage_error("--min-per-stratum goes with --strata FIELD -n N%s%s", "", "");
        goto done;
    }
    if (per_stratum && field_opt != OPT_STRATA) {
        rc = usage_error("--per-stratum goes with --strata FIELD%s%s", "", "");
        goto done;
    }
    if (within_given > 1) {
        rc = usage_error("--within-rate or --within-size, not both%s%s", "", "");
        goto done;
    }
    if (within_given && field_opt != OPT_CLUSTER) {
        rc = usage_error("--within-rate and --within-size go with --cluster%s%s", "", "");
        goto done;
    }
    if (fractions_given && field_opt != OPT_STRATA) {
        rc = usage_error("--fractions goes with --strata%s%s", "", "");
        goto done;
    }
    if (split && !out_dir) {
        rc = usage_error("ladle split needs -o DIR%s%s", "", "");
        goto done;
    }
    if (split && !ratios_given) {
        rc =
            usage_error("ladle split needs --ratios (e.g. train=0.8,val=0.1,test=0.1)%s%s", "", "");
        goto done;
    }
    if (dataset_flag && !out_dir) {
        rc = usage_error("%s goes with -o DIR%s", dataset_flag, "");
        goto done;
    }
    if (designs == 0 && !split) {
        rc = usage_error("choose a design: --rate P, -n N, --head N, --every K, or a field design "
                         "(see --help)%s%s",
                         "", "");
        goto done;
    }
    if (start_given && design_flag && strcmp(design_flag, "--every") != 0) {
        rc = usage_error("--start goes with --every, not %s%s", design_flag, "");
        goto done;
    }
    if (designs > 1) {
        rc = usage_error("choose one design, not several (last was %s)%s", design_flag, "");
        goto done;
    }
    for (int i = optind; i < argc; i++)
        if (ladle_job_add_input(job, argv[i]) != LADLE_OK) {
            fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
            rc = LADLE_E_INTERNAL;
            goto done;
        }
    ladle_job_set_notify(job, note_line, &verbose);
    /* main() passed argv + 1: the manifest records the whole command line. */
    if (out_dir &&
        ladle_job_set_command(job, argc + 1, (const char *const *)(argv - 1)) != LADLE_OK) {
        fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
        rc = LADLE_E_INTERNAL;
        goto done;
    }

    if (!out_dir && ladle_cli_stdout_closed()) {
        rc = LADLE_E_OUTPUT;
        goto done;
    }
    ladle_report rep;
    double dt;
    int interrupted_exit;
    ladle_status st = ladle_cli_run_job(job, STDOUT_FILENO, &rep, &dt, &interrupted_exit);
    /* A dataset's warnings and clean-up notes, success or not. */
    for (const char *p = ladle_job_split_notes(job), *nl; p && (nl = strchr(p, '\n')); p = nl + 1)
        fprintf(stderr, "ladle: %.*s\n", (int)(nl - p), p);
    if (st == LADLE_E_INTERRUPTED) {
        rc = interrupted_exit;
        goto done;
    }
    if (st == LADLE_E_USAGE) {
        rc = usage_error("%s%s", ladle_job_error(job), "");
        goto done;
    }
    if (st != LADLE_OK) {
        fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
        rc = st;
        goto done;
    }
    if (rep.records_missing)
        fprintf(stderr, "ladle: %llu record%s without a usable field left out (see --missing)\n",
                (unsigned long long)rep.records_missing, rep.records_missing == 1 ? "" : "s");
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
done:
    ladle_job_free(job);
    return rc;
}

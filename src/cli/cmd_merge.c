/*
 * cmd_merge.c -- `ladle merge STATE... [--state OUT]`: the samples of
 * states drawn apart (say one per host or per day, with --state) joined
 * into the sample one run over all their sources would print.
 *
 * The design and its parameters come from the first state, which holds
 * them as the user typed them: they are read back through the options of
 * `ladle sample` (cmd_sample.c), or of `ladle stats` for a stats state
 * (cmd_stats.c), so any design that carries over merges without a line
 * here. Only output settings are merge's own.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "state/state.h"

void ladle_cli_usage_merge(FILE *f)
{
    fputs("Usage: ladle merge [OPTIONS] STATE...\n"
          "\n"
          "Joins the samples kept in STATE files (written by `ladle sample --state`\n"
          "over disjoint files: one per host, per day) and prints the sample one run\n"
          "with --state over all their files, in argument order, would print. The\n"
          "states must be drawn with the same design, seed and parameters (else the\n"
          "first difference is named), and no file may be in two of them. The\n"
          "records kept do not depend on the order of the STATEs; their output order\n"
          "does (--head: the first N of the files in that order). Every design\n"
          "--state carries merges but --every (chain its runs with --state instead).\n"
          "States of `ladle stats --field F --state` merge into the field report\n"
          "stats prints (its totals: this run's reads, none).\n"
          "\n"
          "      --state OUT      write the merged state to OUT (atomically: a failure\n"
          "                       leaves OUT as it was) instead of printing; OUT may be\n"
          "                       one of the STATEs\n"
          "      --shuffle        emit the sample in random order (as sample --shuffle)\n"
          "      --format F       the input format the states were drawn with, when it\n"
          "  -d, --delimiter C    was not csv (it sets --emit-weight's column: tab or\n"
          "                       C)\n"
          "  -k, --top K          stats states: values to list (default 10)\n"
          "      --json, --tsv    stats states: the report as ladle stats --json/--tsv\n"
          "      --width N, --bars, --no-bars  stats states: as for ladle stats\n"
          "  -t, --threads N      worker threads (default: online CPUs)\n"
          "  -v, --verbose        summary on stderr\n"
          "  -h, --help           show this help\n"
          "\n"
          "Exit status: 0 success, 2 usage error (states drawn otherwise, a file in\n"
          "two states), 3 a state missing, truncated, corrupt or not a state, 4 OUT\n"
          "cannot be written, 5 internal error.\n"
          "\n"
          "Example:\n"
          "  ladle sample -n 1000 --state web1.st web1/*.log > /dev/null\n"
          "  ladle sample -n 1000 --state web2.st web2/*.log > /dev/null\n"
          "  ladle merge web1.st web2.st > sample.log\n"
          "  ladle merge --tsv --top 20 day1.stats day2.stats\n"
          "\n",
          f);
    ladle_cli_usage_merge_dir(f); /* the other form: dataset folders */
}

enum {
    M_STATE,
    M_SHUFFLE,
    M_FORMAT,
    M_DELIM,
    M_THREADS,
    M_VERBOSE,
    M_HELP,
    M_TOP,
    M_JSON,
    M_TSV,
    M_WIDTH,
    M_BARS,
    M_NO_BARS,
    M_COUNT
};

static const struct ladle_cli_option merge_opts[M_COUNT] = {
    [M_STATE] = {"--state", 0, CLI_STRING, LADLE_S_STATE},
    [M_SHUFFLE] = {"--shuffle", 0, CLI_FLAG, LADLE_P_SHUFFLE},
    [M_FORMAT] = {"--format", 0, CLI_STRING, LADLE_S_FORMAT},
    [M_DELIM] = {"--delimiter", 'd', CLI_DELIM, LADLE_S_DELIM},
    [M_THREADS] = {"--threads", 't', CLI_COUNT, LADLE_P_THREADS, 1, 1024,
                   "--threads: '%s' is not a thread count (1..1024)"},
    [M_VERBOSE] = {"--verbose", 'v', CLI_MARK, -1},
    [M_HELP] = {"--help", 'h', CLI_HELP, -1},
    /* stats states: how the report is printed (as for ladle stats) */
    [M_TOP] = {"--top", 'k', CLI_COUNT, LADLE_P_TOP, 0, INT64_MAX, "--top: not a count: '%s'"},
    [M_JSON] = {"--json", 0, CLI_MARK, -1},
    [M_TSV] = {"--tsv", 0, CLI_MARK, -1},
    [M_WIDTH] = {"--width", 0, CLI_COUNT, LADLE_P_STATS_WIDTH, 1, 1000000,
                 "--width: not a width (1 to 1000000): '%s'"},
    [M_BARS] = {"--bars", 0, CLI_MARK, -1},
    [M_NO_BARS] = {"--no-bars", 0, CLI_MARK, -1},
};

#define MAX_ARGS (2 * 64 + 8)
#define ARG_BYTES 4096

/* Options a state never holds, which name a file to write or read or end
 * the command: the file is untrusted, so one that names them is refused. */
static int not_a_draw(const char *flag)
{
    static const char *const no[] = {"--state", "--output", "-o", "--seeds", "--help", "-h"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (strncmp(flag, no[i], strlen(no[i])) == 0 &&
            (flag[strlen(no[i])] == '\0' || flag[strlen(no[i])] == ' '))
            return 1;
    return flag[0] != '-';
}

/* The words read back, in one buffer. */
struct words {
    char **argv;
    int argc;
    char *text;
    size_t at, cap;
};

static int add(struct words *w, const char *s, size_t len)
{
    if (len >= w->cap - w->at || w->argc >= MAX_ARGS - 1 || memchr(s, '\0', len))
        return -1;
    memcpy(w->text + w->at, s, len);
    w->text[w->at + len] = '\0';
    w->argv[w->argc++] = w->text + w->at;
    w->at += len + 1;
    return 0;
}

static int add_str(struct words *w, const char *s)
{
    return add(w, s, strlen(s));
}

/* Recorded by every design, meaningful to some, and equal to not typing
 * the option: -n 0 (not -n's design), -d 0 (no delimiter given),
 * --within-size 0, --within-rate 1, and stats' --malformed error (stats
 * has no such option). */
static int not_typed(const struct ladle_state_kv *kv, int stats)
{
    if (kv->type == LADLE_STATE_SWITCH)
        return !kv->u;
    if (kv->type == LADLE_STATE_U64)
        return !kv->u && (strcmp(kv->flag, "-d") == 0 || strcmp(kv->flag, "-n") == 0 ||
                          strcmp(kv->flag, "--within-size") == 0);
    if (kv->type == LADLE_STATE_F64) {
        double d;
        memcpy(&d, &kv->u, sizeof d);
        return d == 1.0 && strcmp(kv->flag, "--within-rate") == 0;
    }
    return stats && strcmp(kv->flag, "--malformed") == 0 && kv->slen == 5 &&
           memcmp(kv->s, "error", 5) == 0;
}

/* stats records its fields as one string, "a' --field 'b" (state_run.c
 * join_fields): one --field each. */
static int add_fields(struct words *w, const struct ladle_state_kv *kv)
{
    static const char sep[] = "' --field '";
    const char *s = kv->s, *end = kv->s + kv->slen;
    if (s == end) /* stats without --field: the totals only */
        return 0;
    for (;;) {
        const char *at = s;
        while (at + sizeof sep - 1 <= end && memcmp(at, sep, sizeof sep - 1) != 0)
            at++;
        if (at + sizeof sep - 1 > end)
            at = end;
        if (add_str(w, "--field") || add(w, s, (size_t)(at - s)))
            return -1;
        if (at == end)
            return 0;
        s = at + sizeof sep - 1;
    }
}

/* One parameter as typed: "-n 100", "--emit-weight", "--format csv" (a
 * switch of two words gives both), "-d ,". */
static int add_param(struct words *w, const struct ladle_state_kv *kv, int stats)
{
    char num[32];
    const char *space = strchr(kv->flag, ' ');
    if (stats && kv->type == LADLE_STATE_STR && strcmp(kv->flag, "--field") == 0)
        return add_fields(w, kv);
    if (kv->type == LADLE_STATE_U64 && strcmp(kv->flag, "-d") == 0) { /* the delimiter byte */
        char c = (char)kv->u;
        return kv->u > 255 || add_str(w, "-d") || add(w, &c, 1) ? -1 : 0;
    }
    if (space ? add(w, kv->flag, (size_t)(space - kv->flag)) || add_str(w, space + 1)
              : add_str(w, kv->flag))
        return -1;
    if (kv->type == LADLE_STATE_U64) {
        snprintf(num, sizeof num, "%llu", (unsigned long long)kv->u);
        return add_str(w, num);
    }
    if (kv->type == LADLE_STATE_F64) {
        double d;
        memcpy(&d, &kv->u, sizeof d);
        snprintf(num, sizeof num, "%.17g", d);
        return add_str(w, num);
    }
    return kv->type == LADLE_STATE_STR ? add(w, kv->s, kv->slen) : 0;
}

/* The first state's draw as options of `ladle sample` ("-n 100 --seed 7
 * --weight bytes --emit-weight") or, for a stats state, of `ladle stats`
 * ("--field a --field b --format tsv"; stats takes no seed). -1: a
 * parameter that cannot be read back. */
static int draw_args(const struct ladle_state *st, int stats, char **argv, char *text, size_t cap)
{
    struct words w = {argv, 0, text, 0, cap};
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)st->seed);
    argv[w.argc++] = stats ? "stats" : "merge";
    if (!stats && (add_str(&w, "--seed") || add_str(&w, seed)))
        return -1;
    for (size_t i = 0; i < st->nparams; i++) {
        const struct ladle_state_kv *kv = &st->params[i];
        if (not_a_draw(kv->flag))
            return -1;
        if (!not_typed(kv, stats) && add_param(&w, kv, stats))
            return -1;
    }
    argv[w.argc] = NULL;
    return w.argc;
}

/* The draw of the first state into job: 0, or the exit code. *stats: 1
 * for a stats state (LDSS), which reads back through stats' options. */
static int draw_of(ladle_job *job, const char *path, int *stats)
{
    struct ladle_state st;
    struct ladle_error err;
    int exists;
    ladle_error_init(&err);
    if (ladle_state_read_file(path, &st, &exists, &err) != LADLE_OK) {
        fprintf(stderr, "ladle: %s\n", err.msg);
        return ladle_error_status(&err);
    }
    if (!exists) {
        fprintf(stderr, "ladle: %s: state: no such file\n", path);
        return LADLE_E_INPUT;
    }
    static char text[ARG_BYTES];
    char *argv[MAX_ARGS];
    *stats = memcmp(st.design, "LDSS", 4) == 0;
    int argc = draw_args(&st, *stats, argv, text, sizeof text);
    int rc = argc < 0 ? ladle_cli_usage("merge",
                                        "%s: state: a parameter that is no option of a draw, or "
                                        "too long to read back",
                                        path)
             : *stats ? ladle_cli_stats_design(job, argc, argv)
                      : ladle_cli_sample_design(job, argc, argv);
    ladle_state_free(&st);
    return rc;
}

/* The output options that go with one kind of state only: 0, or the exit
 * code after a message. */
static int output_options(const struct ladle_cli_parse *p, int stats)
{
    static const int stats_only[] = {M_TOP, M_JSON, M_TSV, M_WIDTH, M_BARS, M_NO_BARS};
    if (stats && p->seen[M_SHUFFLE].count)
        return ladle_cli_usage("merge", "--shuffle goes with sample states, not stats states");
    for (size_t i = 0; !stats && i < sizeof stats_only / sizeof stats_only[0]; i++)
        if (p->seen[stats_only[i]].count)
            return ladle_cli_usage("merge", "%s goes with stats states (ladle stats --state)",
                                   merge_opts[stats_only[i]].flag);
    if (p->seen[M_JSON].count && p->seen[M_TSV].count)
        return ladle_cli_usage("merge", "choose one of --json and --tsv");
    return 0;
}

static int merge_job(ladle_job *job, int argc, char **argv)
{
    static const struct ladle_cli_command cmd = {"merge",
                                                 merge_opts,
                                                 M_COUNT,
                                                 "option '%s' needs a value",
                                                 "unknown option '%s'",
                                                 ladle_cli_usage_merge,
                                                 NULL};
    struct ladle_cli_parse p;
    int rc = ladle_cli_parse(&p, &cmd, argc, argv, job);
    if (rc >= 0)
        return rc;
    int first = optind, verbose = p.seen[M_VERBOSE].count > 0, stats = 0;
    const char *out = p.seen[M_STATE].arg;
    if (first >= argc)
        return ladle_cli_usage("merge", "give the state files to merge");
    if ((rc = draw_of(job, argv[first], &stats)) != 0 || (rc = output_options(&p, stats)) != 0)
        return rc;
    for (int i = first; i < argc; i++)
        if (ladle_job_add_state(job, argv[i]) != LADLE_OK) {
            fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
            return LADLE_E_INTERNAL;
        }
    if (stats && !out) /* the report, as ladle stats prints it */
        return ladle_cli_stats_print(job,
                                     p.seen[M_JSON].count  ? 1
                                     : p.seen[M_TSV].count ? 2
                                                           : 0,
                                     p.seen[M_NO_BARS].last > p.seen[M_BARS].last ? 0
                                     : p.seen[M_BARS].last                        ? 1
                                                                                  : -1,
                                     p.seen[M_WIDTH].count > 0, verbose);
    if (!out && ladle_cli_stdout_closed())
        return LADLE_E_OUTPUT;
    ladle_job_set_notify(job, ladle_cli_note_line, &verbose);
    ladle_report rep;
    double dt;
    int interrupted_exit;
    ladle_status st = ladle_cli_run_job(job, STDOUT_FILENO, &rep, &dt, &interrupted_exit);
    if (st == LADLE_E_INTERRUPTED)
        return interrupted_exit;
    if (st == LADLE_E_USAGE)
        return ladle_cli_usage("merge", "%s", ladle_job_error(job));
    if (st != LADLE_OK) {
        fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
        return st;
    }
    if (verbose)
        fprintf(stderr, "ladle: merge: %d states in %.3f s; %s\n", argc - first, dt,
                out ? out : "printed");
    return 0;
}

int ladle_cli_merge(int argc, char **argv)
{
    if (ladle_cli_merge_is_dir(argc, argv)) /* -o DIR PARTDIR...: datasets (cmd_merge_dir.c) */
        return ladle_cli_merge_dir(argc, argv);
    ladle_job *job = ladle_job_new();
    if (!job) {
        fputs("ladle: out of memory\n", stderr);
        return LADLE_E_INTERNAL;
    }
    int rc = merge_job(job, argc, argv);
    ladle_job_free(job);
    return rc;
}

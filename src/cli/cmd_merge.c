/*
 * cmd_merge.c -- `ladle merge STATE... [--state OUT]`: the samples of
 * states drawn apart (say one per host or per day, with --state) joined
 * into the sample one run over all their sources would print.
 *
 * The design and its parameters come from the first state, which holds
 * them as the user typed them: they are read back through the options of
 * `ladle sample` (cmd_sample.c), so any design that carries over merges
 * without a line here. Only output settings are merge's own.
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
          "does. --every cannot merge (chain its runs with --state instead).\n"
          "\n"
          "      --state OUT      write the merged state to OUT (atomically: a failure\n"
          "                       leaves OUT as it was) instead of printing; OUT may be\n"
          "                       one of the STATEs\n"
          "      --shuffle        emit the sample in random order (as sample --shuffle)\n"
          "      --format F       the input format the states were drawn with, when it\n"
          "  -d, --delimiter C    was not csv (it sets --emit-weight's column: tab or\n"
          "                       C)\n"
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
          "  ladle merge web1.st web2.st > sample.log\n",
          f);
}

enum { M_STATE, M_SHUFFLE, M_FORMAT, M_DELIM, M_THREADS, M_VERBOSE, M_HELP, M_COUNT };

static const struct ladle_cli_option merge_opts[M_COUNT] = {
    [M_STATE] = {"--state", 0, CLI_STRING, LADLE_S_STATE},
    [M_SHUFFLE] = {"--shuffle", 0, CLI_FLAG, LADLE_P_SHUFFLE},
    [M_FORMAT] = {"--format", 0, CLI_STRING, LADLE_S_FORMAT},
    [M_DELIM] = {"--delimiter", 'd', CLI_DELIM, LADLE_S_DELIM},
    [M_THREADS] = {"--threads", 't', CLI_COUNT, LADLE_P_THREADS, 1, 1024,
                   "--threads: '%s' is not a thread count (1..1024)"},
    [M_VERBOSE] = {"--verbose", 'v', CLI_MARK, -1},
    [M_HELP] = {"--help", 'h', CLI_HELP, -1},
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

/* The first state's draw as options of `ladle sample`: "-n 100 --seed 7
 * --weight bytes --emit-weight". A switch named "--format csv" (two
 * words) gives both; a switch that is off gives nothing. -1: a parameter
 * that cannot be read back. */
static int draw_args(const struct ladle_state *st, char **argv, char *text, size_t cap)
{
    int argc = 0;
    size_t at = 0;
    argv[argc++] = "merge";
#define ADD(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(text + at, cap - at, __VA_ARGS__);                                       \
        if (w_ < 0 || (size_t)w_ >= cap - at || argc >= MAX_ARGS - 1)                              \
            return -1;                                                                             \
        argv[argc++] = text + at;                                                                  \
        at += (size_t)w_ + 1;                                                                      \
    } while (0)
    ADD("--seed");
    ADD("%llu", (unsigned long long)st->seed);
    for (size_t i = 0; i < st->nparams; i++) {
        const struct ladle_state_kv *kv = &st->params[i];
        const char *space = strchr(kv->flag, ' ');
        if (not_a_draw(kv->flag))
            return -1;
        if (kv->type == LADLE_STATE_SWITCH && !kv->u)
            continue;
        /* Recorded by every design, meaningful to some: -n 0 (not -n's
         * design) and -d 0 (no delimiter given) were not typed. */
        int is_d = strcmp(kv->flag, "-d") == 0;
        if (kv->type == LADLE_STATE_U64 && !kv->u && (is_d || strcmp(kv->flag, "-n") == 0))
            continue;
        if (is_d && kv->type == LADLE_STATE_U64) { /* the delimiter byte */
            if (kv->u > 255)
                return -1;
            ADD("-d");
            ADD("%c", (char)kv->u);
            continue;
        }
        if (space)
            ADD("%.*s", (int)(space - kv->flag), kv->flag);
        ADD("%s", space ? space + 1 : kv->flag);
        if (kv->type == LADLE_STATE_U64)
            ADD("%llu", (unsigned long long)kv->u);
        else if (kv->type == LADLE_STATE_F64) {
            double d;
            memcpy(&d, &kv->u, sizeof d);
            ADD("%.17g", d);
        } else if (kv->type == LADLE_STATE_STR) {
            if (memchr(kv->s, '\0', kv->slen))
                return -1;
            ADD("%.*s", (int)kv->slen, kv->s);
        }
    }
#undef ADD
    argv[argc] = NULL;
    return argc;
}

/* The draw of the first state into job: 0, or the exit code. */
static int draw_of(ladle_job *job, const char *path)
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
    int argc = draw_args(&st, argv, text, sizeof text);
    int rc = argc < 0 ? ladle_cli_usage("merge",
                                        "%s: state: a parameter that is no option of a draw, or "
                                        "too long to read back",
                                        path)
                      : ladle_cli_sample_design(job, argc, argv);
    ladle_state_free(&st);
    return rc;
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
    int first = optind, verbose = p.seen[M_VERBOSE].count > 0;
    const char *out = p.seen[M_STATE].arg;
    if (first >= argc)
        return ladle_cli_usage("merge", "give the state files to merge");
    if ((rc = draw_of(job, argv[first])) != 0)
        return rc;
    for (int i = first; i < argc; i++)
        if (ladle_job_add_state(job, argv[i]) != LADLE_OK) {
            fprintf(stderr, "ladle: %s\n", ladle_job_error(job));
            return LADLE_E_INTERNAL;
        }
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
    ladle_job *job = ladle_job_new();
    if (!job) {
        fputs("ladle: out of memory\n", stderr);
        return LADLE_E_INTERNAL;
    }
    int rc = merge_job(job, argc, argv);
    ladle_job_free(job);
    return rc;
}

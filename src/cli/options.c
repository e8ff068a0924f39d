/*
 * options.c -- reading a command's options through its table (options.h).
 */
#include "cli/options.h"

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/similar.h"

const char *const ladle_cli_missing_names[] = {"skip", "error", "keep", NULL};
const char *const ladle_cli_malformed_names[] = {"error", "skip", NULL};
const char *const ladle_cli_io_names[] = {"auto", "uring", "pread", NULL};
const char *const ladle_cli_stem_names[] = {"name", "path", NULL};

int ladle_cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ladle: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'ladle %s --help')\n", command);
    va_end(ap);
    return LADLE_E_USAGE;
}

/* Digits, a point and an exponent only, and all of it a number in 0..1;
 * or the same followed by '%' (tsv-sample and awk users write 1%), read as
 * "NUMBERe-2" so that 0.3% is exactly the double of 0.003. */
static int parse_prob(const char *s, double *out)
{
    char *end;
    size_t n = strspn(s, "0123456789.eE+-");
    int percent = s[n] == '%' && s[n + 1] == '\0' && !strpbrk(s, "eE");
    if ((!isdigit((unsigned char)*s) && *s != '.') || (s[n] != '\0' && !percent) || n > 64)
        return -1;
    char text[72];
    snprintf(text, sizeof text, "%.*s%s", (int)n, s, percent ? "e-2" : "");
    *out = strtod(text, &end);
    return *end || !(*out >= 0.0 && *out <= 1.0) ? -1 : 0;
}

/* The unknown-option message, with "; did you mean --X?" when the table has
 * options that the word starts (an ambiguous prefix) or is a typo or two of. */
static int unknown_option(const struct ladle_cli_command *cmd, const char *arg)
{
    char word[48];
    const char *w = arg + strspn(arg, "-");
    snprintf(word, sizeof word, "%.*s", (int)strcspn(w, "="), w);
    const char *hits[3];
    size_t nhits = 0, best = 99, len = strlen(word);
    for (int pass = 0; pass < 2 && nhits == 0; pass++)
        for (size_t i = 0; i < cmd->nopts; i++) {
            const char *f = cmd->opts[i].flag;
            if (strncmp(f, "--", 2) != 0 || len < 2)
                continue;
            f += 2;
            size_t dist =
                pass == 0 ? (strncmp(f, word, len) == 0 ? 0 : 99) : ladle_edit_distance(word, f);
            if (dist > ladle_edit_budget(len) || dist > best)
                continue;
            if (dist < best)
                nhits = 0;
            best = dist;
            if (nhits < 3)
                hits[nhits++] = cmd->opts[i].flag;
        }
    char msg[256];
    int at = snprintf(msg, sizeof msg, cmd->unknown, arg);
    for (size_t k = 0; k < nhits && at > 0 && (size_t)at < sizeof msg; k++)
        at += snprintf(msg + at, sizeof msg - (size_t)at, "%s%s",
                       k == 0           ? "; did you mean "
                       : k + 1 == nhits ? " or "
                                        : ", ",
                       hits[k]);
    if (nhits && at > 0 && (size_t)at < sizeof msg)
        snprintf(msg + at, sizeof msg - (size_t)at, "?");
    return ladle_cli_usage(cmd->name, "%s", msg);
}

static int parse_seed(const char *s, uint64_t *v)
{
    if (strcmp(s, "random") != 0)
        return ladle_cli_parse_u64(s, v);
    if (getrandom(v, sizeof *v, 0) != (ssize_t)sizeof *v)
        *v = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    fprintf(stderr, "ladle: seed %llu\n", (unsigned long long)*v);
    return 0;
}

/* The value of a row that takes a number, into *v (or *p for a probability); -1 if bad. */
static int parse_value(const struct ladle_cli_option *o, const char *arg, uint64_t *v, double *p)
{
    switch (o->kind) {
    case CLI_COUNT:
    case CLI_SIZE:
        if ((o->kind == CLI_COUNT ? ladle_cli_parse_u64(arg, v) : ladle_cli_parse_size(arg, v)) !=
            0)
            return -1;
        return *v < o->min || *v > o->max ? -1 : 0;
    case CLI_PROB: return parse_prob(arg, p);
    case CLI_SEED: return parse_seed(arg, v);
    case CLI_CHOICE:
        for (*v = 0; o->choices[*v]; (*v)++)
            if (strcmp(o->choices[*v], arg) == 0)
                return 0;
        *v = UINT64_MAX; /* (int64_t)-1: the job says why */
        return o->bad ? -1 : 0;
    default: return 0;
    }
}

/* Applies row o with value arg to job: -1 to go on, or an exit code. */
static int apply(const struct ladle_cli_command *cmd, const struct ladle_cli_option *o,
                 const char *arg, ladle_job *job)
{
    uint64_t v = 0;
    double p = 0;
    if (parse_value(o, arg, &v, &p) != 0)
        return ladle_cli_usage(cmd->name, o->bad, arg);
    ladle_status st = LADLE_OK;
    switch (o->kind) {
    case CLI_MARK: break;
    case CLI_HELP: cmd->help(ladle_cli_out()); return 0;
    case CLI_FLAG: st = ladle_job_set(job, (ladle_param)o->param, 1); break;
    case CLI_DELIM:
        st = ladle_job_set_string(job, (ladle_string_param)o->param,
                                  strcmp(arg, "\\t") == 0 ? "\t" : arg);
        break;
    case CLI_STRING: st = ladle_job_set_string(job, (ladle_string_param)o->param, arg); break;
    case CLI_PROB: st = ladle_job_set_double(job, (ladle_double_param)o->param, p); break;
    default: st = ladle_job_set(job, (ladle_param)o->param, (int64_t)v); break;
    }
    if (st != LADLE_OK)
        return ladle_cli_usage(cmd->name, "%s", ladle_job_error(job));
    return -1;
}

int ladle_cli_parse(struct ladle_cli_parse *p, const struct ladle_cli_command *cmd, int argc,
                    char **argv, ladle_job *job)
{
    struct option longs[LADLE_CLI_MAX_OPTS + 1];
    char shorts[2 * LADLE_CLI_MAX_OPTS + 2] = ":";
    size_t nl = 0, ns = 1;
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    if (cmd->nopts > LADLE_CLI_MAX_OPTS)
        abort(); /* a table too long for seen[]: a bug, not an input */
    for (size_t i = 0; i < cmd->nopts; i++) {
        const struct ladle_cli_option *o = &cmd->opts[i];
        int has_arg = o->kind == CLI_MARK || o->kind == CLI_HELP || o->kind == CLI_FLAG
                          ? no_argument
                          : required_argument;
        if (strncmp(o->flag, "--", 2) == 0)
            longs[nl++] = (struct option){o->flag + 2, has_arg, NULL, 256 + (int)i};
        if (o->key) {
            shorts[ns++] = o->key;
            if (has_arg == required_argument)
                shorts[ns++] = ':';
        }
    }
    longs[nl] = (struct option){NULL, 0, NULL, 0};
    shorts[ns] = '\0';
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        size_t i = c >= 256 ? (size_t)(c - 256) : cmd->nopts;
        for (size_t k = 0; c < 256 && c != ':' && c != '?' && k < cmd->nopts; k++)
            if (cmd->opts[k].key == c)
                i = k;
        if (c == ':')
            return ladle_cli_usage(cmd->name, cmd->needs_value, argv[optind - 1]);
        if (i == cmd->nopts)
            return unknown_option(cmd, argv[optind - 1]);
        int rc = cmd->before ? cmd->before(p, i) : 0;
        if (rc != 0)
            return rc;
        p->seen[i].count++;
        p->seen[i].last = ++p->order;
        p->seen[i].arg = optarg;
        if ((rc = apply(cmd, &cmd->opts[i], optarg, job)) >= 0)
            return rc;
    }
    return -1;
}

const struct ladle_cli_option *ladle_cli_last(const struct ladle_cli_parse *p, unsigned group)
{
    size_t best = p->cmd->nopts;
    for (size_t i = 0; i < p->cmd->nopts; i++)
        if ((p->cmd->opts[i].group & group) && p->seen[i].last &&
            (best == p->cmd->nopts || p->seen[i].last > p->seen[best].last))
            best = i;
    return best == p->cmd->nopts ? NULL : &p->cmd->opts[best];
}

unsigned ladle_cli_count(const struct ladle_cli_parse *p, unsigned group)
{
    unsigned n = 0;
    for (size_t i = 0; i < p->cmd->nopts; i++)
        if (p->cmd->opts[i].group & group)
            n += p->seen[i].count;
    return n;
}

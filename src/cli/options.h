/*
 * options.h -- a command's options as one table: each row says how its
 * value is read and which job parameter it sets. ladle_cli_parse applies
 * the rows in argv order and records what it saw; the command then checks
 * the combination (cmd_sample.c, cmd_stats.c).
 */
#ifndef LADLE_CLI_OPTIONS_H
#define LADLE_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ladle/ladle.h"

enum ladle_cli_kind {
    CLI_MARK,   /* no value, no parameter: the command looks at it (-v, --snowball) */
    CLI_HELP,   /* prints the command's help and ends it (exit 0) */
    CLI_FLAG,   /* no value: sets its ladle_param to 1 */
    CLI_STRING, /* sets its ladle_string_param to the value */
    CLI_DELIM,  /* as CLI_STRING, with the two characters \t meaning a tab */
    CLI_COUNT,  /* a decimal count in [min, max] for its ladle_param */
    CLI_SIZE,   /* a size (512K, 2M) in [min, max] for its ladle_param */
    CLI_PROB,   /* a probability 0..1 for its ladle_double_param */
    CLI_CHOICE, /* one of choices (its index is the value) for its ladle_param */
    CLI_SEED,   /* a number, or "random" (said on stderr), for its ladle_param */
};

struct ladle_cli_option {
    const char *flag; /* "--rate", or "-n" for a short option alone: as messages name it */
    char key;         /* its short letter, or 0 */
    enum ladle_cli_kind kind;
    int param; /* the ladle_param, ladle_string_param or ladle_double_param it sets */
    uint64_t min, max;
    /* A bad value's message, "%s" the value; CLI_CHOICE with NULL: the job
     * gets -1 and says why. */
    const char *bad;
    const char *const *choices; /* CLI_CHOICE: the names, NULL-terminated */
    unsigned group;             /* the command's own bits, for its checks */
    const char *design;         /* the design it chooses (job/designs.c), or NULL */
};

#define LADLE_CLI_MAX_OPTS 96

/* What the parse saw of each row. */
struct ladle_cli_seen {
    unsigned count;  /* times given */
    unsigned last;   /* the position (1, 2, ...) among options of the last time; 0: never */
    const char *arg; /* the value the last time */
};

struct ladle_cli_parse;

struct ladle_cli_command {
    const char *name; /* "sample": messages end "(see 'ladle sample --help')" */
    const struct ladle_cli_option *opts;
    size_t nopts;
    const char *needs_value; /* a missing value's message, "%s" the option */
    const char *unknown;     /* an unknown option's message, "%s" the option */
    void (*help)(FILE *f);
    /* Before row i is applied (NULL: nothing): 0 to go on, or the exit code
     * of a usage error it printed. */
    int (*before)(const struct ladle_cli_parse *p, size_t i);
};

struct ladle_cli_parse {
    const struct ladle_cli_command *cmd;
    struct ladle_cli_seen seen[LADLE_CLI_MAX_OPTS];
    unsigned order; /* options seen so far */
};

/* Reads argv's options (getopt_long, from argv[1]) into job. -1 once they
 * are all read, optind at the first operand; else the exit code: 0 after
 * the help, LADLE_E_USAGE after a message. */
int ladle_cli_parse(struct ladle_cli_parse *p, const struct ladle_cli_command *cmd, int argc,
                    char **argv, ladle_job *job);

/* The row of p's table in `group` given last, or NULL; and how many times
 * rows of that group were given. */
const struct ladle_cli_option *ladle_cli_last(const struct ladle_cli_parse *p, unsigned group);
unsigned ladle_cli_count(const struct ladle_cli_parse *p, unsigned group);

/* Prints "ladle: MESSAGE (see 'ladle COMMAND --help')"; returns LADLE_E_USAGE. */
int ladle_cli_usage(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --missing and --io: the names, in the order of their values. */
extern const char *const ladle_cli_missing_names[];
extern const char *const ladle_cli_malformed_names[]; /* --malformed */
extern const char *const ladle_cli_io_names[];
extern const char *const ladle_cli_stem_names[]; /* --source-stem */

#endif

/*
 * ladle.h -- the whole public API of libladle.
 *
 * A job describes one sampling pass: its inputs (files, or "-" for stdin),
 * a sampling design, and engine settings. ladle_job_run() streams every input
 * through the pipeline and writes the sample to a file descriptor.
 *
 * Reproducibility contract: every record's identity is (input ordinal,
 * byte offset in the decompressed stream) and every random decision is a
 * pure function of (seed, identity). So the output is byte-identical for any
 * thread count, chunk size or input compression.
 *
 * Errors travel as values: functions return a ladle_status, and the job keeps
 * a one-line message (ladle_job_error) in the form "FILE: what (where)".
 * The library never prints and never exits.
 *
 * Link: `pkg-config --cflags --libs ladle` (add --static for libladle.a).
 * Only what this header declares is exported from libladle.so.
 *
 * SIGPIPE: ladle_job_run writes to a file descriptor. If the reader of a
 * pipe goes away, write(2) raises SIGPIPE, whose default action kills the
 * process before ladle can see EPIPE. A host that writes to pipes must
 * ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) or run the job to a sink
 * (ladle_job_run_sink), which writes nothing.
 */
#ifndef LADLE_H
#define LADLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library version (CMake's project(VERSION); a configure check keeps
 * them equal). ladle_version() is the version of the library linked. */
#define LADLE_VERSION_MAJOR 0
#define LADLE_VERSION_MINOR 6
#define LADLE_VERSION_PATCH 0

/* LADLE_API marks what libladle.so exports; everything else is hidden
 * (-fvisibility=hidden). LADLE_BUILDING is defined while building ladle. */
#if defined(LADLE_BUILDING) && defined(__GNUC__)
#define LADLE_API __attribute__((visibility("default")))
#else
#define LADLE_API
#endif

/* Status codes; the CLI uses them as exit codes, so the values are fixed. */
typedef enum {
    LADLE_OK = 0,
    LADLE_E_USAGE = 2,         /* bad parameter or option value */
    LADLE_E_INPUT = 3,         /* unreadable, corrupt or truncated input; record too long */
    LADLE_E_OUTPUT = 4,        /* write failed (ENOSPC, EIO, ...) */
    LADLE_E_INTERNAL = 5,      /* out of memory, thread creation failed */
    LADLE_E_INTERRUPTED = 130, /* stopped by ladle_job_cancel (SIGINT, SIGTERM) */
} ladle_status;

typedef enum {
    LADLE_DESIGN_NONE = 0,
    LADLE_DESIGN_BERNOULLI = 1,  /* each record kept with probability rate */
    LADLE_DESIGN_BOTTOMK = 2,    /* exactly n records, uniform without replacement */
    LADLE_DESIGN_HEAD = 3,       /* the first n records (convenience sample) */
    LADLE_DESIGN_SYSTEMATIC = 4, /* records start, start+every, ... by global index */
    LADLE_DESIGN_CLUSTER = 5,    /* whole clusters (key field) kept with probability rate */
    LADLE_DESIGN_FRACTIONS = 6,  /* Bernoulli with a rate per stratum (key field) */
    LADLE_DESIGN_WEIGHTED = 7,   /* n records, weighted by a numeric field, without replacement */
    LADLE_DESIGN_STATS = 8, /* no sample: `ladle stats`, a report on the records (and a field) */
    LADLE_DESIGN_STRATIFIED = 9, /* by a field: n in total (proportional, two passes) or per_stratum
                                each */
    LADLE_DESIGN_SNOWBALL = 10,  /* link tracing from seed keys over FROM:TO records,
                                    one pass per wave */
    LADLE_DESIGN_REPLACE = 11,   /* exactly n draws with replacement, uniform (two passes);
                                    chosen by LADLE_P_REPLACE with BOTTOMK */
} ladle_design;

typedef enum {
    LADLE_IO_AUTO = 0,  /* io_uring, falling back to pread where refused */
    LADLE_IO_URING = 1, /* io_uring only: an error where it is refused */
    LADLE_IO_PREAD = 2, /* plain pread(2) */
} ladle_io_mode;

/* Integer parameters for ladle_job_set (one extensible setter, as in zstd). */
typedef enum {
    LADLE_P_DESIGN = 0,     /* ladle_design */
    LADLE_P_N = 1,          /* sample size for BOTTOMK and HEAD */
    LADLE_P_SEED = 2,       /* uint64 seed (default 0) */
    LADLE_P_SHUFFLE = 3,    /* 1: emit in random (key) order, 0: input order */
    LADLE_P_THREADS = 4,    /* worker threads, 0 = online CPUs */
    LADLE_P_CHUNK_SIZE = 5, /* bytes per pipeline chunk (default 1 MiB) */
    LADLE_P_MAX_RECORD = 6, /* longest record accepted (default 64 MiB) */
    LADLE_P_ZSTD_LONG = 7,  /* 1: accept zstd windows up to 2^31 (default 2^27) */
    LADLE_P_DROP_CACHE = 8, /* 1: drop page cache behind the reader */
    LADLE_P_IO_MODE = 9,    /* ladle_io_mode */
    LADLE_P_HEADER = 10,    /* 1: each input's first line is a header: not sampled,
                               written once first */
    LADLE_P_EVERY = 11,     /* SYSTEMATIC: the interval K >= 1 */
    LADLE_P_START = 12, /* SYSTEMATIC: first index, 0..K-1; -1 (default) draws it from the seed */
    LADLE_P_EMIT_WEIGHT = 13,     /* 1: add each record's estimator weight (see ladle(1)) */
    LADLE_P_MISSING = 14,         /* ladle_missing: a record without the field (or a bad weight) */
    LADLE_P_TOP = 15,             /* STATS: how many most frequent values to list (default 10) */
    LADLE_P_BARS = 16,            /* STATS: 1: draw a bar per listed value */
    LADLE_P_PER_STRATUM = 17,     /* STRATIFIED: min(N, size) from every stratum
                                     instead of n in total */
    LADLE_P_MIN_PER_STRATUM = 18, /* STRATIFIED with n: at least min(K, size) per
                                     stratum (default 1) */
    LADLE_P_CLUSTERS = 19,        /* CLUSTER: exactly M clusters (two passes) instead of a rate */
    LADLE_P_WITHIN_SIZE = 20,     /* CLUSTER: second stage, K records per kept cluster */
    LADLE_P_WAVES = 21,           /* SNOWBALL: last wave (default 2) */
    LADLE_P_MAX_NODES = 22,       /* SNOWBALL: most nodes visited (0: no limit) */
    LADLE_P_EMIT_WAVE = 23,       /* SNOWBALL: 1: add each record's wave number */
    /* Datasets (LADLE_S_OUTPUT_DIR set): */
    LADLE_P_SHARD_SIZE = 24,    /* uncompressed bytes per shard (default 256 MiB) */
    LADLE_P_SHARD_RECORDS = 25, /* records per shard instead (0: by size) */
    LADLE_P_LEVEL = 26,         /* zstd level of the shards, 1..19 (default 3) */
    LADLE_P_FORCE = 27,         /* 1: replace the dataset in a non-empty folder */
    LADLE_P_MALFORMED = 28,     /* ladle_malformed: a broken JSON/CSV record */
    LADLE_P_ALLOW_EMPTY = 29,   /* 1: commit a dataset even when a split has no record */
    /* STATS output: */
    LADLE_P_STATS_OUTPUT = 30, /* 0 the table (default), 1 JSON, 2 TSV (see ladle(1)) */
    LADLE_P_STATS_WIDTH = 31,  /* the table's value column: characters before "..." (40) */
    /* Source identity (see ladle(1), REPRODUCIBILITY): */
    LADLE_P_SOURCE_STEM = 32, /* 0: a source is named by its basename (default), else by the
                                 path as given */
    LADLE_P_APPEND = 33,      /* 1: add the inputs to the dataset in LADLE_S_OUTPUT_DIR, with the
                                 settings its manifest records (ladle split --append) */
    LADLE_P_REPLACE = 34,     /* 1: BOTTOMK's n draws are made with replacement (REPLACE) */
    LADLE_P_BOOTSTRAP = 35,   /* B in 0..1000: B Poisson(1) replicate columns _rep1.._repB */
    LADLE_P_MEMORY = 36,      /* bytes --shuffle gathers in memory before it spills sorted runs
                                 to LADLE_S_TMPDIR (default 256 MiB) */
    LADLE_P_GZIP_INDEX = 37,  /* 1: a gzip input read whole without an index gets one, written
                                 next to it as FILE.ladle-index (ladle index) */
} ladle_param;

typedef enum {
    LADLE_MISSING_SKIP = 0,  /* leave the record out, count it (default) */
    LADLE_MISSING_ERROR = 1, /* stop with an input error */
    LADLE_MISSING_KEEP = 2,  /* treat the value as empty: one stratum/cluster of its own */
} ladle_missing;

typedef enum {
    LADLE_MALFORMED_ERROR = 0, /* stop with an input error (default) */
    LADLE_MALFORMED_SKIP = 1,  /* leave the record out, count it */
} ladle_malformed;

/* String parameters for ladle_job_set_string. */
typedef enum {
    LADLE_S_FIELD = 0,     /* the design's field: a column, header name, JSON path or re:PATTERN */
    LADLE_S_FORMAT = 1,    /* auto, lines, tsv, csv or json */
    LADLE_S_DELIM = 2,     /* one byte: the tsv/csv delimiter */
    LADLE_S_FRACTIONS = 3, /* FRACTIONS: "ERROR=1,WARN=0.2,*=0.01" */
    LADLE_S_LINK = 4,      /* SNOWBALL: "FROM:TO", two fields of each record (an edge) */
    LADLE_S_SEEDS = 5,     /* SNOWBALL: a file of seed keys, one per line */
    /* Datasets: set OUTPUT_DIR to write zstd shards and a manifest there
     * instead of records to out_fd (see ladle(1), "ladle split"). */
    LADLE_S_OUTPUT_DIR = 6,      /* DIR */
    LADLE_S_RATIOS = 7,          /* "train=0.8,val=0.1,test=0.1" (names only with TIME_FIELD);
                                default (sample -o DIR): one split "sample" */
    LADLE_S_BY = 8,              /* key field: its records all in one split */
    LADLE_S_TIME_FIELD = 9,      /* timestamp field for a time split */
    LADLE_S_CUTOFFS = 10,        /* "T1,T2": the time split's edges */
    LADLE_S_STRATIFY = 11,       /* label field: exact class shares in every split */
    LADLE_S_BALANCE = 12,        /* label field: balance classes */
    LADLE_S_BALANCE_MODE = 13,   /* under (default), over, cap:N, ratio:R */
    LADLE_S_BALANCE_SPLITS = 14, /* splits balanced (default: the first) */
    LADLE_S_TIME_FORMAT = 15,    /* strptime-style format of TIME_FIELD (default: auto) */
    LADLE_S_TZ = 16,             /* zone of zone-less times: UTC, +hh:mm, Europe/Paris */
    LADLE_S_STATE = 17,          /* FILE: carry the sample over between runs (-n, --weight) */
    /* Source identity (see ladle(1), REPRODUCIBILITY): */
    LADLE_S_SOURCE_NAME = 18,   /* stdin's name, as if it were a file of that name; once */
    LADLE_S_SOURCE_PREFIX = 19, /* put before every source's name (e.g. a host name) */
    LADLE_S_PART = 20,          /* "K/N" or "slurm": read the K-th of N parts of the inputs
                                   (with LADLE_S_STATE: write that part's state, print nothing;
                                   ladle merge of the N states prints what one run prints) */
    LADLE_S_TMPDIR = 21,        /* where --shuffle's sorted runs spill (default $TMPDIR, else
                                   /tmp); unnamed files, gone on every exit path */
    LADLE_S_LICENSE = 22,       /* the dataset's license, recorded in its manifest and cards
                                   (default "unknown"; --append keeps the dataset's) */
} ladle_string_param;

/* Probability parameters for ladle_job_set_double. */
typedef enum {
    LADLE_D_RATE = 0,        /* BERNOULLI / CLUSTER: 0..1 */
    LADLE_D_WITHIN_RATE = 1, /* CLUSTER: second stage, 0..1 (default 1) */
} ladle_double_param;

typedef struct ladle_job ladle_job;

/* What a finished run saw; filled by ladle_job_run. */
typedef struct {
    uint64_t records_in;       /* records read (all inputs) */
    uint64_t records_out;      /* records written */
    uint64_t bytes_in;         /* decompressed bytes read */
    uint64_t bytes_compressed; /* bytes read from the files themselves */
    uint64_t records_missing;  /* records without the field or with a bad weight */
    unsigned threads;          /* worker threads used */
    int io_uring_used;         /* 1 if the io_uring reader served at least one file */

    uint64_t records_malformed; /* broken JSON/CSV records left out (--malformed skip) */
} ladle_report;

LADLE_API ladle_job *ladle_job_new(void);
LADLE_API void ladle_job_free(ladle_job *job);

/* Chooses the design by its name: "bernoulli", "bottomk", "head", "systematic",
 * "cluster", "fractions", "weighted", "stats", "stratified", "snowball" or
 * "none" (the table in src/job/designs.c). LADLE_E_USAGE on an unknown name. */
LADLE_API ladle_status ladle_job_set_design(ladle_job *job, const char *name);

/* Sets an integer parameter. LADLE_E_USAGE on an unknown parameter or bad value. */
LADLE_API ladle_status ladle_job_set(ladle_job *job, ladle_param p, int64_t value);
/* Bernoulli rate, 0 <= rate <= 1 (same as ladle_job_set_double(job, LADLE_D_RATE, rate)). */
LADLE_API ladle_status ladle_job_set_rate(ladle_job *job, double rate);
LADLE_API ladle_status ladle_job_set_double(ladle_job *job, ladle_double_param p, double value);
/* The string is parsed (and a field compiled) at once; errors say why. */
LADLE_API ladle_status ladle_job_set_string(ladle_job *job, ladle_string_param p,
                                            const char *value);
/* Appends an input; "-" is stdin. The path is copied. */
LADLE_API ladle_status ladle_job_add_input(ladle_job *job, const char *path);
/* `ladle merge`: the job reads no records but joins the samples held by
 * state files (written by runs with LADLE_S_STATE over disjoint sources),
 * in the order added; once one is added, every path added
 * (ladle_job_add_input too) is read as a state file. The job draws what
 * one run with LADLE_S_STATE over all their sources, in that order, would
 * draw. Its design and parameters must be those the states were drawn
 * with (-n, seed, ...; else LADLE_E_USAGE naming the parameter), and so
 * must the states among themselves (the message names both files); two
 * states that consumed one source are refused. With LADLE_S_STATE set,
 * ladle_job_run writes the merged state there (atomically) and prints
 * nothing; without, it prints the sample. Every design LADLE_S_STATE
 * carries merges: bottomk (-n), weighted, bernoulli (--rate), fractions,
 * stratified (-n, --per-stratum), cluster (--rate with --within-rate,
 * --clusters M), head (the first N of the sources in the order added) and
 * stats (the field report over every source; LADLE_P_TOP and the output
 * kind are the job's, not the state's). Designs that cannot join states
 * drawn apart (systematic, --every) are refused, and so is
 * LADLE_S_OUTPUT_DIR. A missing or damaged state file: LADLE_E_INPUT. */
LADLE_API ladle_status ladle_job_add_state(ladle_job *job, const char *path);
/* STATS: one more field, reported after LADLE_S_FIELD's from the same pass
 * (at most LADLE_STATS_MORE_FIELDS more). */
#define LADLE_STATS_MORE_FIELDS 15
LADLE_API ladle_status ladle_job_add_field(ladle_job *job, const char *spec);
/* Called (from any thread) for notes such as the io_uring fallback; may be NULL. */
LADLE_API void ladle_job_set_notify(ladle_job *job, void (*fn)(void *arg, const char *line),
                                    void *arg);

/* Progress of a running job, for a progress line (ladle_job_set_progress). */
typedef enum {
    LADLE_PROGRESS_READ,    /* a pass over the inputs, about 4 times a second */
    LADLE_PROGRESS_SPOOL,   /* stdin or a pipe copied to $TMPDIR to be read twice */
    LADLE_PROGRESS_SPOOLED, /* that copy is done (bytes_read: its size) */
    LADLE_PROGRESS_COMMIT,  /* a dataset's last compression and its commit begin */
} ladle_progress_phase;

typedef struct ladle_progress {
    ladle_progress_phase phase;
    unsigned pass, passes; /* 1-based; passes 0: not known in advance (snowball) */
    uint64_t bytes_read;   /* this pass: bytes read from the inputs (compressed, as on disk) */
    uint64_t bytes_total;  /* the inputs' sizes; 0: not known (stdin, pipes) */
    uint64_t records;      /* this pass: records taken in input order */
    uint64_t kept;         /* this pass: records kept so far */
    double seconds;        /* since this pass (or the spool) began */
    const char *what;      /* SPOOL*: the input's name; COMMIT: the dataset folder */
    const char *where;     /* SPOOL*: the folder of the copy; COMMIT: NULL */
    unsigned splits;       /* COMMIT: how many splits */
} ladle_progress;

/* Called with a snapshot about 4 times a second during each pass (from a
 * thread of the engine's that only reads counters: it never slows the run),
 * and at once for the other phases (from the thread that runs the job). At
 * most one call at a time. NULL: none (the default). */
LADLE_API void ladle_job_set_progress(ladle_job *job,
                                      void (*fn)(void *arg, const ladle_progress *p), void *arg);

/* Runs the job, writing records to out_fd. Returns LADLE_OK or an error
 * status; on error ladle_job_error() says what. A closed output pipe (EPIPE)
 * is not an error: the run stops early and reports LADLE_OK with
 * ladle_job_output_closed() = 1. */
LADLE_API ladle_status ladle_job_run(ladle_job *job, int out_fd, ladle_report *report);
LADLE_API int ladle_job_output_closed(const ladle_job *job);

/* Async-signal-safe: asks a running job to stop; the run returns LADLE_E_INTERRUPTED. */
LADLE_API void ladle_job_cancel(ladle_job *job);

/* The last error: "FILE: what (where)", or "" if none. Owned by the job. */
LADLE_API const char *ladle_job_error(const ladle_job *job);
/* The command line a dataset's manifest records (copied). */
LADLE_API ladle_status ladle_job_set_command(ladle_job *job, int argc, const char *const *argv);
/* After a dataset run: "train 800, val 100, test 100", or NULL. */
LADLE_API const char *ladle_job_split_summary(const ladle_job *job);
/* After a dataset run, whether it succeeded or not: lines for the user,
 * each ending in '\n' (warnings start with "warning: "; notes say what was
 * cleaned up after runs that died), or NULL. Owned by the job. */
LADLE_API const char *ladle_job_split_notes(const ladle_job *job);

LADLE_API const char *ladle_version(void);

/* "LADLE_OK", "LADLE_E_USAGE", ...: the constant's name; "LADLE_E_UNKNOWN"
 * for a value that is none of them. Never NULL. */
LADLE_API const char *ladle_status_name(ladle_status status);

/* A record sink: called on the calling thread for each kept record, in
 * output order. rec is the record as `ladle sample` writes it, line end
 * included, but without the --emit-weight column (len bytes, not
 * NUL-terminated, valid during the call only). weight is its estimator
 * weight, the number --emit-weight shows, for the designs that have one:
 * the inverse inclusion probability for BERNOULLI, CLUSTER, FRACTIONS and
 * STRATIFIED (whether LADLE_P_EMIT_WEIGHT is set or not), and max(w, tau)
 * for WEIGHTED with LADLE_P_EMIT_WEIGHT set (priority sampling, which draws
 * another sample than WEIGHTED without it). NaN for the others: BOTTOMK,
 * HEAD, SYSTEMATIC, SNOWBALL, WEIGHTED without EMIT_WEIGHT. With
 * LADLE_P_HEADER the header line comes first, once, with weight NaN.
 * Return 0 to go on; non-zero stops the run cleanly (LADLE_OK,
 * ladle_job_output_closed() = 1). */
typedef int (*ladle_sink)(void *arg, const char *rec, size_t len, double weight);

/* Runs the job like ladle_job_run, but hands each record to sink instead of
 * writing it. Not for LADLE_DESIGN_STATS (a report, not records) nor with
 * LADLE_S_OUTPUT_DIR (a dataset): LADLE_E_USAGE. */
LADLE_API ladle_status ladle_job_run_sink(ladle_job *job, ladle_sink sink, void *arg,
                                          ladle_report *report);

/* What ladle_verify saw. The counts are the manifest's, valid when it passed. */
typedef struct {
    uint64_t splits, shards, records, bytes, compressed;
    uint64_t problems; /* problems found (lines written to `problems`) */
    char error[512];   /* the first problem ("DIR/FILE: what (where)"), or "" */
} ladle_verify_report;

/* `ladle verify DIR`: checks a dataset written by `ladle split` against its
 * manifest.json, byte for byte (see ladle(1)). Each problem goes to
 * `problems` as a line "ladle: DIR/FILE: what (where)" and the OK line to
 * `summary`; either may be NULL. report may be NULL. Returns LADLE_OK (sound),
 * LADLE_E_INPUT (a check failed) or LADLE_E_INTERNAL (out of memory). */
LADLE_API ladle_status ladle_verify(const char *dir, FILE *problems, FILE *summary,
                                    ladle_verify_report *report);

/* The reproducibility contract: what a seed gives. Two ladles with the
 * same contract version draw the same sample from the same input, seed and
 * options; a new version means some outputs changed on purpose (man page,
 * REPRODUCIBILITY). 1: ladle 0.1.0. 2: ladle 0.2.0 (seeds strongly mixed
 * per domain before hashing, and after; exact systematic start; unbiased
 * --clusters weights). 3: ladle 0.3.0 (--format csv frames quoted line
 * ends into their record; inputs named .csv or .tsv read as csv/tsv under auto;
 * time fields: bare numbers under 10 digits refused, DB2 and asctime read,
 * zone-less values in --tz). 4: ladle 0.4.0, a record's identity is (source id, offset),
 * the source id from the input's name stem and first record instead of its
 * argument position (doc/design-issue10.md). Written in --version and in
 * dataset manifests. */
#define LADLE_CONTRACT_VERSION 4

#ifdef __cplusplus
}
#endif
#endif /* LADLE_H */

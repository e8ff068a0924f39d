/*
 * config.h -- the settings of one run, in three parts by owner: engine
 * settings and design parameters (filled by the job API, read-only once the
 * run starts) and the run state (written during the run, by named owners).
 */
#ifndef LADLE_CONFIG_H
#define LADLE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "ladle/ladle.h"

struct ladle_split_spec;
struct ladle_split_state;
struct ladle_outbuf;

#define LADLE_DEFAULT_CHUNK_SIZE ((size_t)1 << 20)
#define LADLE_DEFAULT_MAX_RECORD ((size_t)64 << 20)
/* Bytes kept free in front of each chunk so the framer can prepend the
 * partial record carried over from the previous chunk without a copy of
 * the whole chunk. Longer carries take the slow path (framer.c). */
#define LADLE_CHUNK_HEADROOM ((size_t)64 << 10)
/* --bootstrap B: at most this many replicate columns. */
#define LADLE_BOOTSTRAP_MAX 1000
#define LADLE_DEFAULT_MEMORY ((size_t)256 << 20)

/* How the engine runs: threads, chunking, reading. Set by the job before
 * a run; read-only for every thread during it. */
struct ladle_engine_settings {
    unsigned threads; /* resolved: >= 1 */
    size_t chunk_size;
    size_t max_record;
    int zstd_long;
    int drop_cache;
    ladle_io_mode io_mode;
    int header;     /* the first record of each input is a header */
    int gzip_index; /* --index: a gzip file read whole gets its index (codec_gzip.c) */
    char csv_delim; /* --format csv: frame RFC 4180 records (0: lines) */
    void (*notify)(void *arg, const char *line);
    void *notify_arg;
    /* ladle_job_set_progress (NULL: no progress thread), and the pass the
     * job layer is running (passes.c writes them between passes). */
    void (*progress)(void *arg, const struct ladle_progress *p);
    void *progress_arg;
    unsigned pass, passes;
    /* --shuffle of a streaming design (out/spill_sort.h): the buffer's
     * bytes, and where full buffers spill (NULL: $TMPDIR, else /tmp). */
    size_t memory;
    const char *tmpdir;
};

/* What the design and the dataset ask for: the options of the command.
 * Set by the job before a run; read-only for every thread during it. */
struct ladle_design_params {
    ladle_design design;
    uint64_t n;                         /* -n / --head */
    uint64_t output_limit;              /* records at most: head's n, else UINT64_MAX (designs.c) */
    uint64_t every;                     /* --every K */
    int64_t start;                      /* --start S, -1: drawn from the seed */
    double rate;                        /* --rate */
    double within_rate;                 /* --within-rate (cluster second stage) */
    int emit_weight;                    /* --emit-weight */
    int emit_wave;                      /* --emit-wave (snowball) */
    const char *extra_column;           /* "_weight", "_wave" or NULL: the column added to output */
    const struct ladle_field *field_to; /* borrowed: snowball's TO field */
    uint64_t waves;                     /* snowball --waves W */
    uint64_t max_nodes;                 /* snowball --max-nodes M (0: no limit) */
    uint64_t top;                       /* ladle stats --top K */
    int bars;                           /* ladle stats: draw bars */
    uint64_t per_stratum;               /* --per-stratum N */
    uint64_t min_per_stratum;           /* --min-per-stratum K (default 1) */
    uint64_t clusters;                  /* --clusters M */
    uint64_t within_size;               /* --within-size K */
    /* ladle split / sample -o: how records divide (NULL: write to the fd),
     * borrowed from the job. */
    const struct ladle_split_spec *split;
    ladle_missing missing;
    ladle_malformed malformed;
    /* Fields (compiled once, shared read-only by every thread). */
    const struct ladle_field *field; /* borrowed from the job: the design's key */
    int format;                      /* enum ladle_format */
    char delim;
    const struct ladle_fractions *fractions; /* borrowed from the job */
    uint64_t seed;
    int shuffle;

    /* ladle stats */
    int stats_output;                             /* 0 the table, 1 JSON, 2 TSV */
    uint64_t width;                               /* the table's value column */
    const struct ladle_field *const *more_fields; /* fields after `field` */
    unsigned nmore_fields;

    int replace;        /* -n N --replace (LADLE_DESIGN_REPLACE) */
    unsigned bootstrap; /* --bootstrap B: replicate columns _rep1.._repB (0: none) */
};

/* What a run learns and writes as it goes; owned by the job. The plan is
 * written between passes (by the pass planner, on the calling thread), the
 * split state by the output stage (the calling thread) only. */
struct ladle_run_state {
    struct ladle_plan *plan;               /* multi-pass designs */
    struct ladle_split_state *split_state; /* split runs: the dataset being written */
    /* --state (job/state_run.c): the design's state from earlier runs,
     * merged in before the design finishes (by the calling thread), and
     * where the union is serialized for the next run (NULL: no --state). */
    const void *carry_in;
    size_t carry_in_len;
    struct ladle_outbuf *carry_out;
    struct ladle_outbuf *carry_header; /* the --header line the output starts with */
    const uint64_t *source_ids;        /* per input (job/probe.h); NULL: the ordinals */
    int carrying; /* --state: designs run in one pass and keep what merges (state_run.c) */
};

/* One run's settings. Stages get a `const struct ladle_config *`: the
 * engine settings and design parameters never change once the run starts;
 * `state` points at the only mutable part, with the owners above. */
struct ladle_config {
    struct ladle_engine_settings engine;
    struct ladle_design_params params;
    struct ladle_run_state *state; /* borrowed from the job */
};

#endif

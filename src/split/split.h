/*
 * split.h -- how records are divided into named splits (train, val, test)
 * and how each split is balanced: the settings of `ladle split`, parsed
 * and checked once, then read by every thread.
 *
 * A record's split is a pure function of the seed and either its key
 * field (--by: a user is in one split in every run and file) or its
 * sampling key (itself a hash of seed and identity), or of its timestamp
 * (--time-field with --cutoffs). Exact stratification and class balance
 * need the class counts first, so they take a counting pass and decide
 * record by record, in input order, on the output stage (assign.c).
 */
#ifndef LADLE_SPLIT_H
#define LADLE_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "field/time_format.h"
#include "field/timestamp.h"

#define LADLE_SPLIT_MAX 64       /* splits per run (a bit mask names balanced ones) */
#define LADLE_SPLIT_NAME_MAX 64  /* bytes in a split name */
#define LADLE_TIME_PARTS 3       /* fields in --time-field A,B,C (date and time columns) */
#define LADLE_TIME_VALUE_MAX 256 /* bytes of their values joined by spaces */

struct ladle_field;

enum ladle_balance_mode {
    LADLE_BALANCE_NONE,
    LADLE_BALANCE_UNDER, /* every class down to the smallest */
    LADLE_BALANCE_CAP,   /* at most N per class */
    LADLE_BALANCE_RATIO, /* no class more than R times the smallest */
    LADLE_BALANCE_OVER,  /* every class up to the largest, with replacement */
};

struct ladle_split_spec {
    unsigned count;
    char names[LADLE_SPLIT_MAX][LADLE_SPLIT_NAME_MAX + 1];
    double ratio[LADLE_SPLIT_MAX];   /* hash splits: each split's share */
    uint64_t bound[LADLE_SPLIT_MAX]; /* hash < bound[k]: split k (first match; the last takes the
                                        rest) */
    int by_time;
    int64_t cutoff[LADLE_SPLIT_MAX]; /* time splits: count-1 increasing instants, ns */
    /* Time splits: --time-field's further fields (owned; NULL when one),
     * joined to the first's value with one space before parsing. */
    struct ladle_field *time_more[LADLE_TIME_PARTS - 1];
    const char *time_spec;             /* borrowed: --time-field as given */
    struct ladle_time_format time_fmt; /* --time-format, compiled */
    struct ladle_tz *tz;               /* owned: --tz (NULL: UTC) */
    struct ladle_time_reader time;     /* reads the values (points into the above) */
    const struct ladle_field *by;      /* borrowed: --by FIELD or --time-field FIELD */
    const struct ladle_field *label;   /* borrowed: --stratify / --balance FIELD */
    int stratify;
    enum ladle_balance_mode balance;
    uint64_t balance_cap;  /* cap:N */
    double balance_ratio;  /* ratio:R */
    uint64_t balance_mask; /* bit k: split k is balanced */
};

/* Parses "train=0.8,val=0.1,test=0.1" (fractions required, summing to 1
 * within 1e-9) or, when names_only, "train,val,test". LADLE_E_USAGE on a
 * bad name (1-64 of [A-Za-z0-9_-]), a repeated name, a ratio that is not
 * positive, or a sum other than 1. */
ladle_status ladle_split_parse_ratios(struct ladle_split_spec *s, const char *text, int names_only,
                                      struct ladle_error *err);
/* Compiles --time-format (NULL: auto) and loads --tz (NULL: UTC) into s;
 * before ladle_split_parse_cutoffs, which reads zone-less cutoffs in the
 * zone. LADLE_E_USAGE on a bad format or zone. */
ladle_status ladle_split_parse_time(struct ladle_split_spec *s, const char *format, const char *tz,
                                    struct ladle_error *err);
/* Frees a heap-allocated s and what it owns (NULL: nothing). */
void ladle_split_spec_free(struct ladle_split_spec *s);

/* Parses "T1,T2,..." (count-1 strictly increasing timestamps; epoch
 * numbers of any length, RFC 3339, in --tz when zone-less). */
ladle_status ladle_split_parse_cutoffs(struct ladle_split_spec *s, const char *text,
                                       struct ladle_error *err);
/* Parses "under", "over", "cap:N", "ratio:R". */
ladle_status ladle_split_parse_balance(struct ladle_split_spec *s, const char *text,
                                       struct ladle_error *err);
/* Parses "train,val" into balance_mask. */
ladle_status ladle_split_parse_balance_splits(struct ladle_split_spec *s, const char *text,
                                              struct ladle_error *err);

/* The split index of name, or -1. */
int ladle_split_find(const struct ladle_split_spec *s, const char *name, size_t len);

/* Hash splits: the split of a record whose split hash is h. */
static inline unsigned ladle_split_of_hash(const struct ladle_split_spec *s, uint64_t h)
{
    unsigned k = 0;
    while (k + 1 < s->count && h >= s->bound[k])
        k++;
    return k;
}

/* Time splits: the split of an instant (records before cutoff[0] go to split 0). */
static inline unsigned ladle_split_of_time(const struct ladle_split_spec *s, int64_t ns)
{
    unsigned k = 0;
    while (k + 1 < s->count && ns >= s->cutoff[k])
        k++;
    return k;
}

/* The split, stratification and balance draws each have their own domain
 * of the seed (record/key.h: LADLE_DOMAIN_SPLIT, _STRATIFY, _BALANCE), so
 * they are independent of each other and of the design's own decisions. */

#endif

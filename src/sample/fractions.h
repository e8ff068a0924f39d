/*
 * fractions.h -- `--fractions 'ERROR=1,WARN=0.2,*=0.01'`: a Bernoulli rate
 * per stratum value, `*` for every other value (as Spark's sampleBy).
 * Values are compared as bytes after field extraction (JSON strings
 * unescaped); a value cannot contain ',' or '='.
 */
#ifndef LADLE_FRACTIONS_H
#define LADLE_FRACTIONS_H

#include <stddef.h>
#include <stdint.h>

struct ladle_fraction {
    char *value; /* owns ("*" entry: NULL) */
    size_t len;
    double rate;
    uint64_t threshold; /* key < threshold keeps (see key.h) */
    int keep_all;       /* rate 1 */
};

struct ladle_fractions {
    struct ladle_fraction *v; /* owns */
    size_t count;
    struct ladle_fraction rest; /* the `*` entry; rate 0 when absent */
    char *spec;                 /* owns: the text parsed, as typed (what --state records) */
};

/* Parses spec; on error returns -1 and writes a reason into why. */
int ladle_fractions_parse(const char *spec, struct ladle_fractions **out, char *why,
                          size_t why_len);
void ladle_fractions_free(struct ladle_fractions *f);
/* The entry for a value (the `*` entry when none matches). */
const struct ladle_fraction *ladle_fractions_lookup(const struct ladle_fractions *f, const char *v,
                                                    size_t len);

#endif

/*
 * field_check.h -- refusing the silent empty result: a run in which the
 * design's field (or the split's --by, --time-field or label) resolves in no
 * record, under --missing skip, would print nothing and exit 0. The calling
 * thread tallies each input's records and records left out, in input order,
 * and stops the run with an input error that says why: at once when the
 * first 100,000 records of a file resolved nothing, else at the end of the
 * pass when no record of any input did.
 */
#ifndef LADLE_FIELD_CHECK_H
#define LADLE_FIELD_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "field/field.h"

/* Records of a file that must all miss before the run stops early. */
#define LADLE_FIELD_CHECK_EARLY 100000

struct ladle_field_check {
    int armed; /* the design reads a field, under --missing skip */
    uint32_t ninputs;
    uint64_t *seen, *missing; /* owns: per input, the records so far */
    char **sample;            /* owns: per input, its first record when its first chunk
                                 resolved nothing (for the message), else NULL */
    size_t *sample_len;
};

/* Sets the check up for a run over ninputs inputs (not armed for designs
 * that only report, or when --missing is not skip). */
ladle_status ladle_field_check_init(struct ladle_field_check *c, const struct ladle_config *cfg,
                                    int reports, uint32_t ninputs, struct ladle_error *err);
void ladle_field_check_free(struct ladle_field_check *c);

/* Calling thread, one result after another: tallies them; LADLE_E_INPUT
 * when the input's first LADLE_FIELD_CHECK_EARLY records all missed. sample
 * (may be NULL; ownership passes to c) is the first record of the chunk
 * when the chunk is the input's first and nothing in it resolved. */
ladle_status ladle_field_check_take(struct ladle_field_check *c, const struct ladle_config *cfg,
                                    const struct ladle_field_binding *bindings,
                                    const char *const *names, uint32_t input, uint64_t seen,
                                    uint64_t missing, char **sample, size_t sample_len,
                                    struct ladle_error *err);

/* After the pass: LADLE_E_INPUT when records were read and none resolved. */
ladle_status ladle_field_check_end(struct ladle_field_check *c, const struct ladle_config *cfg,
                                   const struct ladle_field_binding *bindings,
                                   const char *const *names, struct ladle_error *err);

#endif

/*
 * route.h -- where one record goes: the part of the split decision a
 * worker can take on its own (the record's split from its hash, key field
 * or timestamp, and its class), before the output stage's sequential part
 * (assign.h) runs in input order.
 */
#ifndef LADLE_ROUTE_H
#define LADLE_ROUTE_H

#include <stdint.h>

#include "common/config.h"
#include "common/error.h"

#define LADLE_ROUTE_DROP UINT32_MAX           /* no usable field: left out (counted) */
#define LADLE_ROUTE_PENDING (UINT32_MAX - 1u) /* --stratify: the output stage decides */

struct ladle_route {
    uint32_t split; /* a split index, DROP or PENDING */
    uint32_t len;   /* the record's bytes, '\n' included */
    uint64_t key;   /* the record's sampling key: the seed of its later draws */
    uint64_t label; /* hash of its class label (0 without a label) */
};

struct ladle_field_binding;
struct ladle_field_scratch;

/* Routes one record. bind: the input's bindings of the split's fields
 * ([0] --by/--time-field, [1] the label, [2] and [3] --time-field's second
 * and third). Returns 1 routed, 0 dropped
 * (--missing skip), -1 error recorded (--missing error, malformed, nomem).
 * offset: the record's offset for messages, or UINT64_MAX if not known. */
int ladle_split_route(const struct ladle_config *cfg, struct ladle_field_scratch *scratch,
                      const struct ladle_field_binding *bind, const char *rec, size_t len,
                      uint64_t key, const char *name, uint64_t offset, struct ladle_route *out,
                      struct ladle_error *err);

#endif

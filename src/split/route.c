/*
 * route.c -- a record's split and class, on the worker threads (see route.h).
 */
#include "split/route.h"

#include <endian.h>

#include "field/field.h"
#include "field/timestamp.h"
#include "record/key.h"
#include "split/split.h"

/* A field under --missing: 1 value, 0 skip, -1 error. */
static int field_of(const struct ladle_config *cfg, const struct ladle_field *f,
                    const struct ladle_field_binding *b, struct ladle_field_scratch *sc,
                    const char *rec, size_t len, const char *name, uint64_t offset,
                    const char **v, size_t *vlen, struct ladle_error *err)
{
    enum ladle_field_result fr = ladle_field_get(f, b, rec, len, sc, v, vlen);
    if (fr == LADLE_FIELD_OK)
        return 1;
    if (fr == LADLE_FIELD_NOMEM) {
        ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", name);
        return -1;
    }
    if (fr == LADLE_FIELD_BAD) {
        ladle_error_set(err, LADLE_E_INPUT, "%s: malformed record for field '%s' (%s%llu)", name,
                        ladle_field_spec(f), offset == UINT64_MAX ? "a sampled record" : "record at offset ",
                        offset == UINT64_MAX ? 0ULL : (unsigned long long)offset);
        return -1;
    }
    if (cfg->missing == LADLE_MISSING_KEEP) {
        *v = "";
        *vlen = 0;
        return 1;
    }
    if (cfg->missing == LADLE_MISSING_ERROR) {
        ladle_error_set(err, LADLE_E_INPUT, "%s: no field '%s' (record at offset %llu; see --missing)",
                        name, ladle_field_spec(f), (unsigned long long)offset);
        return -1;
    }
    return 0;
}

int ladle_split_route(const struct ladle_config *cfg, struct ladle_field_scratch *scratch,
                      const struct ladle_field_binding *bind, const char *rec, size_t len,
                      uint64_t key, const char *name, uint64_t offset, struct ladle_route *out,
                      struct ladle_error *err)
{
    const struct ladle_split_spec *sp = cfg->split;
    const char *v;
    size_t vlen;
    int got;
    out->len = (uint32_t)len;
    out->key = key;
    out->label = 0;
    if (sp->label) {
        if ((got = field_of(cfg, sp->label, &bind[1], scratch, rec, len, name, offset, &v, &vlen,
                            err)) <= 0)
            return got;
        out->label = ladle_value_key(cfg->seed, v, vlen);
    }
    if (sp->stratify) {
        out->split = LADLE_ROUTE_PENDING;
    } else if (sp->by_time) {
        if ((got = field_of(cfg, sp->by, &bind[0], scratch, rec, len, name, offset, &v, &vlen,
                            err)) <= 0)
            return got;
        int64_t ns;
        if (ladle_parse_time(v, vlen, &ns) != 0) {
            if (cfg->missing == LADLE_MISSING_ERROR) {
                ladle_error_set(err, LADLE_E_INPUT,
                                "%s: field '%s' is not a timestamp: '%.*s' (record at offset %llu; "
                                "see --missing)",
                                name, ladle_field_spec(sp->by), (int)(vlen > 64 ? 64 : vlen), v,
                                (unsigned long long)offset);
                return -1;
            }
            if (cfg->missing == LADLE_MISSING_SKIP)
                return 0;
            ns = INT64_MIN; /* keep: an unknown time goes to the first split */
        }
        out->split = ladle_split_of_time(sp, ns);
    } else if (sp->by) {
        if ((got = field_of(cfg, sp->by, &bind[0], scratch, rec, len, name, offset, &v, &vlen,
                            err)) <= 0)
            return got;
        out->split = ladle_split_of_hash(sp, ladle_value_key(cfg->seed ^ LADLE_SALT_SPLIT, v, vlen));
    } else {
        uint64_t le = htole64(key); /* the same split on every host */
        out->split = ladle_split_of_hash(sp, XXH3_64bits_withSeed(&le, sizeof le,
                                                                  cfg->seed ^ LADLE_SALT_SPLIT));
    }
    return 1;
}

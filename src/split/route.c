/*
 * route.c -- a record's split and class, on the worker threads (see route.h).
 */
#include "split/route.h"

#include "field/field.h"
#include "field/timestamp.h"
#include "record/key.h"
#include "sample/sampler.h"
#include "split/split.h"

int ladle_split_route(const struct ladle_config *cfg, struct ladle_field_scratch *scratch,
                      const struct ladle_field_binding *bind, const char *rec, size_t len,
                      uint64_t key, const char *name, uint64_t offset, struct ladle_route *out,
                      struct ladle_error *err)
{
    const struct ladle_split_spec *sp = cfg->params.split;
    const char *v;
    size_t vlen;
    int got;
    out->len = (uint32_t)len;
    out->key = key;
    out->label = 0;
    if (sp->label) {
        if ((got = ladle_field_under_policy(cfg, sp->label, &bind[1], scratch, rec, len, offset,
                                            name, &v, &vlen, err)) <= 0)
            return got;
        out->label = ladle_value_key(cfg->params.seed, v, vlen);
    }
    if (sp->stratify) {
        out->split = LADLE_ROUTE_PENDING;
    } else if (sp->by_time) {
        if ((got = ladle_field_under_policy(cfg, sp->by, &bind[0], scratch, rec, len, offset, name,
                                            &v, &vlen, err)) <= 0)
            return got;
        int64_t ns;
        if (ladle_parse_time(v, vlen, &ns) != 0) {
            if (cfg->params.missing == LADLE_MISSING_ERROR) {
                char where[48];
                ladle_error_set(err, LADLE_E_INPUT,
                                "%s: field '%s' is not a timestamp: '%.*s' (%s; see --missing)",
                                name, ladle_field_spec(sp->by), (int)(vlen > 64 ? 64 : vlen), v,
                                ladle_record_where(offset, where, sizeof where));
                return -1;
            }
            if (cfg->params.missing == LADLE_MISSING_SKIP)
                return 0;
            ns = INT64_MIN; /* keep: an unknown time goes to the first split */
        }
        out->split = ladle_split_of_time(sp, ns);
    } else if (sp->by) {
        if ((got = ladle_field_under_policy(cfg, sp->by, &bind[0], scratch, rec, len, offset, name,
                                            &v, &vlen, err)) <= 0)
            return got;
        out->split = ladle_split_of_hash(
            sp, ladle_domain_key(cfg->params.seed, LADLE_DOMAIN_SPLIT, v, vlen));
    } else {
        out->split = ladle_split_of_hash(sp, ladle_draw(cfg->params.seed, LADLE_DOMAIN_SPLIT, key));
    }
    return 1;
}

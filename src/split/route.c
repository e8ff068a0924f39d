/*
 * route.c -- a record's split and class, on the worker threads (see route.h).
 */
#include "split/route.h"

#include <string.h>

#include "field/field.h"
#include "field/timestamp.h"
#include "record/key.h"
#include "sample/sampler.h"
#include "split/split.h"

/* The time field's value: one field's, or several joined by one space
 * in buf (LADLE_TIME_VALUE_MAX bytes; a longer join is cut, and then does
 * not parse). Returns ladle_field_under_policy's 1, 0 or -1. */
static int time_value(const struct ladle_config *cfg, const struct ladle_field_binding *bind,
                      struct ladle_field_scratch *scratch, const char *rec, size_t len,
                      uint64_t offset, const char *name, char *buf, const char **v, size_t *vlen,
                      struct ladle_error *err)
{
    const struct ladle_split_spec *sp = cfg->params.split;
    int got = ladle_field_under_policy(cfg, sp->by, &bind[0], scratch, rec, len, offset, name, v,
                                       vlen, err);
    if (got <= 0 || !sp->time_more[0])
        return got;
    size_t n = *vlen < LADLE_TIME_VALUE_MAX ? *vlen : LADLE_TIME_VALUE_MAX;
    memcpy(buf, *v, n); /* before the next extraction reuses the scratch */
    for (unsigned k = 0; k < LADLE_TIME_PARTS - 1 && sp->time_more[k]; k++) {
        const char *w;
        size_t wlen;
        if ((got = ladle_field_under_policy(cfg, sp->time_more[k], &bind[2 + k], scratch, rec, len,
                                            offset, name, &w, &wlen, err)) <= 0)
            return got;
        if (n < LADLE_TIME_VALUE_MAX)
            buf[n++] = ' ';
        size_t m = wlen < LADLE_TIME_VALUE_MAX - n ? wlen : LADLE_TIME_VALUE_MAX - n;
        memcpy(buf + n, w, m);
        n += m;
    }
    *v = buf;
    *vlen = n;
    return 1;
}

/* A value that does not read: -1 and an input error, or 0 under
 * --missing skip/keep for a malformed value. A value in a form only
 * --time-format reads is an error whatever --missing says: skipping every
 * record would leave the splits silently empty. */
static int time_error(const struct ladle_config *cfg, const struct ladle_split_spec *sp,
                      const char *v, size_t vlen, const char *name, uint64_t offset,
                      struct ladle_error *err)
{
    char where[48], why[256];
    int form = ladle_time_why(&sp->time, v, vlen, why, sizeof why);
    if (!form && cfg->params.missing != LADLE_MISSING_ERROR)
        return 0;
    ladle_error_set(err, LADLE_E_INPUT, "%s: field '%s' value '%.*s' %s (%s%s)", name,
                    sp->time_spec ? sp->time_spec : ladle_field_spec(sp->by),
                    (int)(vlen > 64 ? 64 : vlen), v, why,
                    ladle_record_where(offset, where, sizeof where), form ? "" : "; see --missing");
    return -1;
}

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
        char buf[LADLE_TIME_VALUE_MAX];
        if ((got = time_value(cfg, bind, scratch, rec, len, offset, name, buf, &v, &vlen, err)) <=
            0)
            return got;
        int64_t ns;
        if (ladle_read_time(&sp->time, v, vlen, &ns) != 0) {
            if (time_error(cfg, sp, v, vlen, name, offset, err))
                return -1;
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

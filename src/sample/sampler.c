/*
 * sampler.c -- the helpers every design shares (the designs themselves are
 * listed in job/designs.c).
 */
#include "sample/sampler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "out/weight_column.h"
#include "record/records.h"
#include "sample/bootstrap.h"
#include "sample/kept.h"

ladle_status ladle_sampler_init(struct ladle_sampler *s, const struct ladle_sampler_ops *ops,
                                const struct ladle_config *cfg, struct ladle_error *err)
{
    memset(s, 0, sizeof *s);
    s->ops = ops;
    s->cfg = cfg;
    s->record_seed = ladle_seed_derive(cfg->params.seed, LADLE_DOMAIN_RECORD);
    s->value_seed = ladle_seed_derive(cfg->params.seed, LADLE_DOMAIN_VALUE);
    if ((cfg->params.field || cfg->params.split) && !(s->scratch = ladle_field_scratch_new()))
        return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    return ops->create ? ops->create(s, err) : LADLE_OK;
}

void ladle_sampler_destroy(struct ladle_sampler *s)
{
    if (s->ops && s->ops->destroy)
        s->ops->destroy(s);
    s->state = NULL;
    ladle_field_scratch_free(s->scratch);
    s->scratch = NULL;
    if (s->carried) {
        ladle_kept_set_free(s->carried);
        free(s->carried);
        s->carried = NULL;
    }
}

int ladle_sampler_bad_value(struct ladle_sampler *s, const char *name, uint64_t offset,
                            const char *what, struct ladle_error *err)
{
    switch (s->cfg->params.missing) {
    case LADLE_MISSING_KEEP: return 1;
    case LADLE_MISSING_ERROR:
        ladle_error_set(err, LADLE_E_INPUT, "%s: %s '%s' (record at offset %llu; see --missing)",
                        name, what, ladle_field_spec(s->cfg->params.field),
                        (unsigned long long)offset);
        return -1;
    default: s->records_missing++; return 0;
    }
}

const char *ladle_record_where(uint64_t offset, char *buf, size_t size)
{
    if (offset == UINT64_MAX)
        return "a sampled record";
    snprintf(buf, size, "record at offset %llu", (unsigned long long)offset);
    return buf;
}

int ladle_field_under_policy(const struct ladle_config *cfg, const struct ladle_field *f,
                             const struct ladle_field_binding *b, struct ladle_field_scratch *sc,
                             const char *rec, size_t len, uint64_t offset, const char *name,
                             const char **v, size_t *vlen, struct ladle_error *err)
{
    enum ladle_field_result fr = ladle_field_get(f, b, rec, len, sc, v, vlen);
    if (fr == LADLE_FIELD_OK)
        return 1;
    char where[48];
    if (fr == LADLE_FIELD_NOMEM) {
        ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", name);
        return -1;
    }
    if (fr == LADLE_FIELD_BAD) {
        /* Not a missing value but a broken record (a CSV quote never closed,
         * bad JSON, a truncated last line): --malformed, not --missing. */
        if (cfg->params.malformed == LADLE_MALFORMED_SKIP) {
            (*ladle_field_scratch_malformed(sc))++;
            *v = NULL;
            *vlen = 0;
            return 0;
        }
        ladle_error_set(err, LADLE_E_INPUT,
                        "%s: malformed record for field '%s' (%s; see --malformed)", name,
                        ladle_field_spec(f), ladle_record_where(offset, where, sizeof where));
        return -1;
    }
    *v = "";
    *vlen = 0;
    switch (cfg->params.missing) {
    case LADLE_MISSING_KEEP: return 1;
    case LADLE_MISSING_ERROR:
        ladle_error_set(err, LADLE_E_INPUT, "%s: no field '%s' (%s; see --missing)", name,
                        ladle_field_spec(f), ladle_record_where(offset, where, sizeof where));
        return -1;
    default: return 0;
    }
}

int ladle_sampler_field(struct ladle_sampler *s, const struct ladle_chunk *ck, const char *rec,
                        size_t len, uint64_t offset, const char *name, const char **v, size_t *vlen,
                        struct ladle_error *err)
{
    int got = ladle_field_under_policy(s->cfg, s->cfg->params.field, ck->binding, s->scratch, rec,
                                       len, offset, name, v, vlen, err);
    if (got == 0 && *v)
        s->records_missing++;
    else if (got == 0)
        s->records_malformed++;
    return got;
}

int ladle_sampler_emit(const struct ladle_sampler *s, struct ladle_outbuf *out, const char *rec,
                       size_t len, uint64_t key, double weight)
{
    const struct ladle_config *cfg = s->cfg;
    /* --bootstrap: only designs whose key here is the record key take it (designs.c). */
    int bad = cfg->params.bootstrap ? ladle_boot_append(cfg, out, rec, len, key, weight)
              : cfg->params.extra_column
                  ? ladle_append_column(out, rec, len, cfg->params.extra_column, weight,
                                        ladle_weight_delim(cfg->params.format, cfg->params.delim))
                  : ladle_outbuf_append(out, rec, len);
    if (!bad && ladle_sampler_wants_keys(cfg))
        bad = ladle_outbuf_append_key(out, key);
    if (bad)
        return -1;
    out->records++;
    return 0;
}

ladle_status
ladle_sampler_each_value(struct ladle_sampler *s, const struct ladle_chunk *ck,
                         struct ladle_outbuf *out, const char *name, struct ladle_error *err,
                         ladle_status (*take)(struct ladle_sampler *s, const struct ladle_valued *r,
                                              struct ladle_outbuf *out, struct ladle_error *err))
{
    struct ladle_record_iter it;
    struct ladle_record r;
    struct ladle_valued v = {.ck = ck, .name = name};
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &r)) {
        s->records_seen++;
        int got = ladle_sampler_field(s, ck, r.data, r.len, r.offset, name, &v.value, &v.vlen, err);
        if (got < 0)
            return ladle_error_status(err);
        if (got == 0)
            continue;
        v.data = r.data;
        v.len = r.len;
        v.offset = r.offset;
        ladle_status st = take(s, &v, out, err);
        if (st != LADLE_OK)
            return st;
    }
    return LADLE_OK;
}

void ladle_sampler_merge_counts(struct ladle_sampler *into, struct ladle_sampler *from)
{
    into->records_seen += from->records_seen;
    into->records_missing += from->records_missing;
    into->records_malformed += from->records_malformed;
    from->records_seen = from->records_missing = from->records_malformed = 0;
}

ladle_status ladle_sampler_nomem(struct ladle_error *err)
{
    return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
}

/*
 * stratified.c -- `--strata FIELD --fractions 'A=1,B=0.2,*=0.01'`: a
 * Bernoulli sample with its own rate in each stratum (Spark's sampleBy),
 * decided by the record's key like --rate. Strata not named take the `*`
 * rate, or are left out when there is none. --emit-weight gives each kept
 * record 1/rate of its stratum.
 */
#include "record/records.h"
#include "sample/fractions.h"
#include "sample/sampler.h"

static ladle_status fractions_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                    struct ladle_outbuf *out, const char *name,
                                    struct ladle_error *err)
{
    const struct ladle_fractions *table = s->cfg->fractions;
    const uint64_t seed = s->cfg->seed;
    struct ladle_record_iter it;
    struct ladle_record r;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &r)) {
        s->records_seen++;
        const char *v;
        size_t vlen;
        int got = ladle_sampler_field(s, ck, r.data, r.len, r.offset, name, &v, &vlen, err);
        if (got < 0)
            return err->status;
        if (got == 0)
            continue;
        const struct ladle_fraction *f = ladle_fractions_lookup(table, v, vlen);
        uint64_t key = ladle_record_key(seed, ck->input, r.offset);
        if (!f->keep_all && key >= f->threshold)
            continue;
        if (ladle_sampler_emit(s, out, r.data, r.len, key, 1.0 / f->rate) != 0)
            return ladle_error_set(err, LADLE_E_INTERNAL, "sampler: out of memory");
    }
    return LADLE_OK;
}

const struct ladle_sampler_ops ladle_sampler_fractions = {
    .name = "stratified fractions",
    .streaming = 1,
    .offer = fractions_offer,
};

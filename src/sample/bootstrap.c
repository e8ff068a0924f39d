/*
 * bootstrap.c -- replicate counts of the Poisson bootstrap (see bootstrap.h).
 */
#include "sample/bootstrap.h"

#include <string.h>

#include "out/rep_columns.h"
#include "out/weight_column.h"
#include "sample/draws.h"

void ladle_boot_counts(uint64_t seed, uint64_t record_key, unsigned nreps, unsigned char *reps)
{
    const struct ladle_seed d = ladle_seed_derive(seed, LADLE_DOMAIN_BOOT);
    for (unsigned b = 0; b < nreps; b++)
        reps[b] = (unsigned char)ladle_poisson1(ladle_draw_pair(d, record_key, b));
}

int ladle_boot_append(const struct ladle_config *cfg, struct ladle_outbuf *out, const char *rec,
                      size_t len, uint64_t record_key, double extra)
{
    unsigned char reps[LADLE_BOOTSTRAP_MAX];
    unsigned nreps = cfg->params.bootstrap;
    ladle_boot_counts(cfg->params.seed, record_key, nreps, reps);
    return ladle_append_reps(out, rec, len, reps, nreps, cfg->params.extra_column, extra,
                             ladle_weight_delim(cfg->params.format, cfg->params.delim));
}

ladle_status ladle_boot_emit_kept(const struct ladle_config *cfg, struct ladle_kept *v,
                                  size_t count, struct ladle_writer *w, struct ladle_error *err)
{
    ladle_kept_sort(v, count, cfg->params.shuffle);
    struct ladle_outbuf line;
    memset(&line, 0, sizeof line);
    ladle_status st = LADLE_OK;
    for (size_t i = 0; i < count && st == LADLE_OK && !w->closed; i++) {
        line.len = 0;
        if (ladle_boot_append(cfg, &line, v[i].data, v[i].len, v[i].key, v[i].weight) != 0) {
            st = ladle_error_set(err, LADLE_E_INTERNAL, "output: out of memory");
            break;
        }
        st = ladle_writer_record(w, line.data, line.len, v[i].key, v[i].input);
    }
    ladle_outbuf_free(&line);
    return st;
}

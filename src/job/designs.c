/*
 * designs.c -- the table of sampling designs (see designs.h). A new design
 * is one row here and its sampler ops in src/sample/ (README, "Adding a
 * design").
 */
#include "job/designs.h"

#include <string.h>

#include "sample/plan.h"

static ladle_status usage(struct ladle_error *err, const char *what)
{
    return ladle_error_set(err, LADLE_E_USAGE, "%s", what);
}

static ladle_status systematic_validate(const struct ladle_design_given *g, struct ladle_error *err)
{
    if (g->params->every == 0)
        return usage(err, "systematic sampling needs --every K");
    if (g->params->start >= 0 && (uint64_t)g->params->start >= g->params->every)
        return usage(err, "--start must be less than --every");
    return LADLE_OK;
}

static ladle_status fractions_needs(const struct ladle_design_given *g, struct ladle_error *err)
{
    return g->params->fractions ? LADLE_OK
                                : usage(err, "--strata needs --fractions (per-stratum rates)");
}

static ladle_status snowball_needs(const struct ladle_design_given *g, struct ladle_error *err)
{
    return g->link && g->seeds
               ? LADLE_OK
               : usage(err, "snowball sampling needs --seeds FILE and --link FROM:TO");
}

/* --clusters M finds the M-th smallest cluster key first. */
static int cluster_multi_pass(const struct ladle_design_params *p)
{
    return p->clusters != 0;
}

static const struct ladle_sampler_ops *cluster_pass(const struct ladle_config *cfg, unsigned pass)
{
    const struct ladle_sampler_ops *sample =
        cfg->params.within_size ? &ladle_sampler_cluster_groups : &ladle_sampler_cluster;
    if (cfg->params.clusters && cfg->state->carrying) /* --state: one pass */
        return pass == 0 ? &ladle_sampler_cluster_carry : NULL;
    if (cfg->params.clusters)
        return pass == 0 ? &ladle_sampler_cluster_keys : pass == 1 ? sample : NULL;
    return pass == 0 ? sample : NULL;
}

/* Stratified -n counts the strata first, and may need a second pass (known
 * only after the first). */
static int strata_multi_pass(const struct ladle_design_params *p)
{
    return !p->per_stratum;
}

static const struct ladle_sampler_ops *strata_pass(const struct ladle_config *cfg, unsigned pass)
{
    if (cfg->params.per_stratum)
        return pass == 0 ? &ladle_sampler_strata : NULL;
    if (cfg->state->carrying) /* --state: pass 1 keeps every stratum's N smallest */
        return pass == 0 ? &ladle_sampler_strata_count : NULL;
    return pass == 0                                           ? &ladle_sampler_strata_count
           : pass == 1 && cfg->state->plan->strata_second_pass ? &ladle_sampler_strata
                                                               : NULL;
}

/* One pass per wave, while the frontier holds nodes. */
static int snowball_multi_pass(const struct ladle_design_params *p)
{
    (void)p;
    return 1;
}

static const struct ladle_sampler_ops *snowball_pass(const struct ladle_config *cfg, unsigned pass)
{
    return pass <= cfg->params.waves && cfg->state->plan->frontier.count ? &ladle_sampler_snowball
                                                                         : NULL;
}

/* -n --replace: pass 1 counts the records, pass 2 draws. */
static int replace_multi_pass(const struct ladle_design_params *p)
{
    (void)p;
    return 1;
}

static const struct ladle_sampler_ops *replace_pass(const struct ladle_config *cfg, unsigned pass)
{
    (void)cfg;
    return pass == 0 ? &ladle_sampler_replace_count : pass == 1 ? &ladle_sampler_replace : NULL;
}

/* Indexed by ladle_design. Columns: id, name, flags, no_field, needs,
 * validate, multi_pass, pass_ops, ops. */
static const struct ladle_design_row rows[] = {
    [LADLE_DESIGN_NONE] = {LADLE_DESIGN_NONE, "none", LADLE_DF_SPLIT_ONLY | LADLE_DF_WEIGHTS, NULL,
                           NULL, NULL, NULL, NULL, &ladle_sampler_all},
    [LADLE_DESIGN_BERNOULLI] = {LADLE_DESIGN_BERNOULLI, "bernoulli",
                                LADLE_DF_WEIGHTS | LADLE_DF_BOOTSTRAP, NULL, NULL, NULL, NULL, NULL,
                                &ladle_sampler_bernoulli},
    [LADLE_DESIGN_BOTTOMK] = {LADLE_DESIGN_BOTTOMK, "bottomk", LADLE_DF_BOOTSTRAP, NULL, NULL, NULL,
                              NULL, NULL, &ladle_sampler_bottomk},
    [LADLE_DESIGN_HEAD] = {LADLE_DESIGN_HEAD, "head", LADLE_DF_STOPS_AT_N, NULL, NULL, NULL, NULL,
                           NULL, &ladle_sampler_head},
    [LADLE_DESIGN_SYSTEMATIC] = {LADLE_DESIGN_SYSTEMATIC, "systematic", LADLE_DF_BOOTSTRAP, NULL,
                                 NULL, systematic_validate, NULL, NULL, &ladle_sampler_systematic},
    [LADLE_DESIGN_CLUSTER] = {LADLE_DESIGN_CLUSTER, "cluster", LADLE_DF_FIELD | LADLE_DF_WEIGHTS,
                              "cluster sampling needs --cluster FIELD", NULL, NULL,
                              cluster_multi_pass, cluster_pass, &ladle_sampler_cluster},
    [LADLE_DESIGN_FRACTIONS] = {LADLE_DESIGN_FRACTIONS, "fractions",
                                LADLE_DF_FIELD | LADLE_DF_WEIGHTS,
                                "stratified sampling needs --strata FIELD", fractions_needs, NULL,
                                NULL, NULL, &ladle_sampler_fractions},
    [LADLE_DESIGN_WEIGHTED] = {LADLE_DESIGN_WEIGHTED, "weighted",
                               LADLE_DF_FIELD | LADLE_DF_WEIGHTS | LADLE_DF_PRIORITY,
                               "weighted sampling needs --weight FIELD", NULL, NULL, NULL, NULL,
                               &ladle_sampler_weighted},
    [LADLE_DESIGN_STATS] = {LADLE_DESIGN_STATS, "stats", LADLE_DF_ANY_FIELD, NULL, NULL, NULL, NULL,
                            NULL, &ladle_sampler_stats},
    [LADLE_DESIGN_STRATIFIED] = {LADLE_DESIGN_STRATIFIED, "stratified",
                                 LADLE_DF_FIELD | LADLE_DF_WEIGHTS | LADLE_DF_SEQUEL,
                                 "stratified sampling needs --strata FIELD", NULL, NULL,
                                 strata_multi_pass, strata_pass, &ladle_sampler_strata},
    [LADLE_DESIGN_SNOWBALL] = {LADLE_DESIGN_SNOWBALL, "snowball",
                               LADLE_DF_WAVES | LADLE_DF_SEQUEL | LADLE_DF_SUM_MISSING |
                                   LADLE_DF_SEEDS,
                               NULL, snowball_needs, NULL, snowball_multi_pass, snowball_pass,
                               &ladle_sampler_snowball},
    [LADLE_DESIGN_REPLACE] = {LADLE_DESIGN_REPLACE, "replace", LADLE_DF_BOOTSTRAP, NULL, NULL, NULL,
                              replace_multi_pass, replace_pass, &ladle_sampler_replace},
};

enum { NROWS = sizeof rows / sizeof rows[0] };

const struct ladle_design_row *ladle_design_find(int64_t id)
{
    return id >= 0 && id < NROWS && rows[id].name ? &rows[id] : NULL;
}

const struct ladle_design_row *ladle_design_named(const char *name)
{
    for (size_t i = 0; i < NROWS; i++)
        if (rows[i].name && strcmp(rows[i].name, name) == 0)
            return &rows[i];
    return NULL;
}

const struct ladle_design_row *ladle_design_of(const struct ladle_config *cfg)
{
    return ladle_design_find(cfg->params.design);
}

ladle_status ladle_design_check(const struct ladle_design_row *row,
                                const struct ladle_design_given *g, struct ladle_error *err)
{
    if ((row->flags & LADLE_DF_FIELD) && !g->field)
        return usage(err, row->no_field);
    if (!(row->flags & (LADLE_DF_FIELD | LADLE_DF_ANY_FIELD)) && g->field)
        return usage(err, "this design takes no field");
    ladle_status st = row->needs ? row->needs(g, err) : LADLE_OK;
    if (st != LADLE_OK)
        return st;
    if (g->params->emit_weight && !(row->flags & LADLE_DF_WEIGHTS))
        return usage(err, "--emit-weight goes with --rate, --cluster, --strata or --weight");
    if (g->params->emit_wave && !(row->flags & LADLE_DF_WAVES))
        return usage(err, "--emit-wave goes with --snowball");
    if (g->params->bootstrap && !(row->flags & LADLE_DF_BOOTSTRAP))
        return usage(err, "--bootstrap goes with --rate, -n, --every or -n --replace (the "
                          "designs that write each record with its own key)");
    return row->validate ? row->validate(g, err) : LADLE_OK;
}

const struct ladle_sampler_ops *ladle_design_pass(const struct ladle_config *cfg, unsigned pass)
{
    const struct ladle_design_row *row = ladle_design_of(cfg);
    if (row->pass_ops)
        return row->pass_ops(cfg, pass);
    return pass == 0 ? row->ops : NULL;
}

int ladle_design_multi_pass(const struct ladle_config *cfg)
{
    const struct ladle_design_row *row = ladle_design_of(cfg);
    if (cfg->state && cfg->state->carrying) /* the designs --state takes run in one pass */
        return 0;
    return row->multi_pass && row->multi_pass(&cfg->params);
}

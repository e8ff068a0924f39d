/*
 * test_designs.c -- the table of designs (src/job/designs.c): every design
 * of ladle.h has a row found by id and by name, with ops; the passes each
 * design plans; the checks come in the order the messages always did; and
 * ladle_job_set_design takes the names and refuses others.
 */
#include <string.h>

#include "job/designs.h"
#include "sample/plan.h"
#include "test_util.h"

static const char *check_message(ladle_design d, struct ladle_design_params *p, int field, int link,
                                 int seeds)
{
    static struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_design_given g = {.params = p, .field = field, .link = link, .seeds = seeds};
    ladle_status st = ladle_design_check(ladle_design_find(d), &g, &err);
    CHECK(st == LADLE_OK || st == LADLE_E_USAGE);
    return st == LADLE_OK ? "" : err.msg;
}

static void test_rows(void)
{
    for (int64_t id = LADLE_DESIGN_NONE; id <= LADLE_DESIGN_REPLACE; id++) {
        const struct ladle_design_row *row = ladle_design_find(id);
        CHECKF(row != NULL, "design %lld has no row", (long long)id);
        if (!row)
            continue;
        CHECK(row->id == (ladle_design)id);
        CHECK(ladle_design_named(row->name) == row);
        CHECK(row->ops != NULL);
        CHECK(!(row->flags & LADLE_DF_FIELD) || row->no_field != NULL);
        CHECK(!row->multi_pass || row->pass_ops); /* more passes: says which ops */
    }
    CHECK(ladle_design_find(-1) == NULL);
    CHECK(ladle_design_find(LADLE_DESIGN_REPLACE + 1) == NULL);
    CHECK(ladle_design_named("nope") == NULL);
    CHECK(ladle_design_find(LADLE_DESIGN_STATS)->ops->report);
}

static void test_passes(void)
{
    struct ladle_plan plan;
    struct ladle_run_state state = {.plan = &plan};
    struct ladle_config cfg = {.state = &state};
    ladle_plan_init(&plan);
    cfg.params.design = LADLE_DESIGN_BERNOULLI;
    CHECK(ladle_design_pass(&cfg, 0) == &ladle_sampler_bernoulli);
    CHECK(ladle_design_pass(&cfg, 1) == NULL);
    CHECK(!ladle_design_multi_pass(&cfg));
    cfg.params.design = LADLE_DESIGN_CLUSTER;
    CHECK(!ladle_design_multi_pass(&cfg));
    CHECK(ladle_design_pass(&cfg, 0) == &ladle_sampler_cluster);
    cfg.params.clusters = 3;
    cfg.params.within_size = 2;
    CHECK(ladle_design_multi_pass(&cfg));
    CHECK(ladle_design_pass(&cfg, 0) == &ladle_sampler_cluster_keys);
    CHECK(ladle_design_pass(&cfg, 1) == &ladle_sampler_cluster_groups);
    cfg.params.design = LADLE_DESIGN_REPLACE; /* -n --replace: count, then draw */
    CHECK(ladle_design_multi_pass(&cfg));
    CHECK(ladle_design_pass(&cfg, 0) == &ladle_sampler_replace_count);
    CHECK(ladle_design_pass(&cfg, 1) == &ladle_sampler_replace);
    CHECK(ladle_design_pass(&cfg, 2) == NULL);
    cfg.params.design = LADLE_DESIGN_CLUSTER;
    CHECK(ladle_design_pass(&cfg, 2) == NULL);
    cfg.params.design = LADLE_DESIGN_STRATIFIED;
    CHECK(ladle_design_multi_pass(&cfg));
    CHECK(ladle_design_pass(&cfg, 0) == &ladle_sampler_strata_count);
    CHECK(ladle_design_pass(&cfg, 1) == NULL);
    plan.strata_second_pass = 1;
    CHECK(ladle_design_pass(&cfg, 1) == &ladle_sampler_strata);
    cfg.params.per_stratum = 5;
    CHECK(!ladle_design_multi_pass(&cfg));
    CHECK(ladle_design_pass(&cfg, 0) == &ladle_sampler_strata);
    CHECK(ladle_design_pass(&cfg, 1) == NULL);
    cfg.params.design = LADLE_DESIGN_SNOWBALL;
    cfg.params.waves = 2;
    CHECK(ladle_design_multi_pass(&cfg));
    CHECK(ladle_design_pass(&cfg, 0) == NULL); /* no seed keys: nothing to trace */
    CHECK(ladle_vmap_put(&plan.frontier, "a", 1, NULL) != NULL);
    CHECK(ladle_design_pass(&cfg, 2) == &ladle_sampler_snowball);
    CHECK(ladle_design_pass(&cfg, 3) == NULL);
    ladle_plan_free(&plan);
}

static void test_check_order(void)
{
    struct ladle_design_params p = {.every = 5, .start = 7, .emit_weight = 1};
    CHECK(strstr(check_message(LADLE_DESIGN_SYSTEMATIC, &p, 0, 0, 0), "--emit-weight goes with"));
    p.emit_weight = 0;
    CHECK(strcmp(check_message(LADLE_DESIGN_SYSTEMATIC, &p, 0, 0, 0),
                 "--start must be less than --every") == 0);
    CHECK(strcmp(check_message(LADLE_DESIGN_SYSTEMATIC, &p, 1, 0, 0),
                 "this design takes no field") == 0);
    p.emit_weight = 1;
    CHECK(strstr(check_message(LADLE_DESIGN_SNOWBALL, &p, 0, 1, 0), "needs --seeds FILE"));
    CHECK(strstr(check_message(LADLE_DESIGN_SNOWBALL, &p, 0, 1, 1), "--emit-weight goes with"));
    CHECK(strcmp(check_message(LADLE_DESIGN_WEIGHTED, &p, 0, 0, 0),
                 "weighted sampling needs --weight FIELD") == 0);
    CHECK(strcmp(check_message(LADLE_DESIGN_WEIGHTED, &p, 1, 0, 0), "") == 0);
    CHECK(strcmp(check_message(LADLE_DESIGN_STATS, &p, 1, 0, 0), "") != 0); /* no weights */
    p.emit_weight = 0;
    CHECK(strcmp(check_message(LADLE_DESIGN_STATS, &p, 1, 0, 0), "") == 0);
    CHECK(strcmp(check_message(LADLE_DESIGN_STATS, &p, 0, 0, 0), "") == 0);
    CHECK(strstr(check_message(LADLE_DESIGN_FRACTIONS, &p, 1, 0, 0), "needs --fractions"));
}

static void test_set_design(void)
{
    ladle_job *job = ladle_job_new();
    CHECK(job != NULL);
    if (!job)
        return;
    CHECK(ladle_job_set_design(job, "head") == LADLE_OK);
    CHECK(ladle_job_set_design(job, "snowball") == LADLE_OK);
    CHECK(ladle_job_set_design(job, "Head") == LADLE_E_USAGE);
    CHECK(strcmp(ladle_job_error(job), "unknown sampling design") == 0);
    CHECK(ladle_job_set(job, LADLE_P_DESIGN, LADLE_DESIGN_REPLACE + 1) == LADLE_E_USAGE);
    CHECK(ladle_job_set(job, LADLE_P_DESIGN, LADLE_DESIGN_SNOWBALL) == LADLE_OK);
    ladle_job_free(job);
}

int main(void)
{
    test_rows();
    test_passes();
    test_check_order();
    test_set_design();
    return t_done("test_designs");
}

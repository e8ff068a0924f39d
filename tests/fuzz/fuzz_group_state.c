/*
 * fuzz_group_state.c -- the payload readers of plan steps 7-8 of issue 10,
 * through each design's deserialize, as `--state FILE` (and `ladle merge`)
 * read them from anywhere: stratified -n "LDSN" and --per-stratum "LDSP"
 * (src/sample/groups_state.c), --clusters M "LDCM" (cluster_carry.c), and
 * stats "LDSS" (stats_state.c, with two fields), and --cluster --rate
 * --within-size "LDCW" (cluster.c).
 *
 * Input: byte 0 picks the design (bits 0-1), bit 2 --emit-weight, bit 3
 * --shuffle, bit 4 --within-size 2 (clusters), bit 5 --cluster --rate 0.5
 * --within-size 2 instead of bits 0-1; byte 1 is input_base's low
 * byte, with bit 7 making it 2^32 - 1 - (byte & 0x7f) (the overflow check);
 * the rest is the payload. The seeds in corpus/group_state are payloads
 * written by ladle with -n 3 / --per-stratum 3 / --clusters 2, --seed 1.
 *
 * Checked: a payload is accepted or refused with LADLE_E_INPUT and a
 * message starting "state: "; an accepted one serializes again and that is
 * accepted too, then merged into the first (as carry_over does) and the
 * design finishes into a writer that discards.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/error.h"
#include "field/field.h"
#include "out/outbuf.h"
#include "out/writer.h"
#include "sample/plan.h"
#include "sample/sampler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const struct ladle_sampler_ops *const ops_of[4] = {
        &ladle_sampler_strata_count, &ladle_sampler_strata, &ladle_sampler_cluster_carry,
        &ladle_sampler_stats};
    const int within = (data[0] >> 5) & 1; /* --cluster --rate --within-size: "LDCW" */
    const struct ladle_sampler_ops *ops =
        within ? &ladle_sampler_cluster_groups : ops_of[data[0] & 3];
    struct ladle_plan plan;
    ladle_plan_init(&plan);
    struct ladle_run_state rs;
    memset(&rs, 0, sizeof rs);
    rs.plan = &plan;
    rs.carrying = 1;
    struct ladle_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.state = &rs;
    cfg.engine.threads = 1;
    cfg.params.seed = 1;
    cfg.params.format = LADLE_FORMAT_JSON;
    cfg.params.n = (data[0] & 3) == 0 ? 3 : 0;
    cfg.params.per_stratum = (data[0] & 3) == 1 ? 3 : 0;
    cfg.params.min_per_stratum = 1;
    cfg.params.clusters = within ? 0 : 2;
    cfg.params.rate = 0.5;
    cfg.params.within_rate = 1.0;
    cfg.params.within_size = within || (data[0] >> 4) & 1 ? 2 : 0;
    cfg.params.emit_weight = (data[0] >> 2) & 1;
    cfg.params.shuffle = (data[0] >> 3) & 1;
    cfg.params.top = 3;
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f1 = NULL, *f2 = NULL;
    if (ladle_field_compile(&f1, "v", LADLE_FORMAT_JSON, 0, &err) != LADLE_OK ||
        ladle_field_compile(&f2, "k", LADLE_FORMAT_JSON, 0, &err) != LADLE_OK)
        abort();
    const struct ladle_field *more[1] = {f2};
    cfg.params.field = f1;
    cfg.params.more_fields = more;
    cfg.params.nmore_fields = 1;
    uint32_t base = data[1] & 0x7f;
    if (data[1] & 0x80)
        base = UINT32_MAX - base;
    size_t len = size - 2;
    unsigned char *payload = malloc(len ? len : 1); /* exact: ASan sees a read past it */
    if (!payload)
        abort();
    memcpy(payload, data + 2, len);

    struct ladle_sampler a, c;
    if (ladle_sampler_init(&a, ops, &cfg, &err) != LADLE_OK)
        abort();
    a.input_remap = (struct ladle_input_remap){base, 0, NULL};
    ladle_status st = a.ops->deserialize(&a, payload, len, &err);
    if (st != LADLE_OK) {
        if (st != LADLE_E_INPUT || strncmp(err.msg, "state: ", 7) != 0)
            abort();
    } else {
        struct ladle_outbuf out;
        memset(&out, 0, sizeof out);
        if (a.ops->serialize(&a, &out, &err) != LADLE_OK)
            abort();
        if (ladle_sampler_init(&c, ops, &cfg, &err) != LADLE_OK)
            abort();
        if (c.ops->deserialize(&c, out.data, out.len, &err) != LADLE_OK)
            abort(); /* what we wrote, we must read */
        ladle_outbuf_free(&out);
        if (a.ops->merge(&a, &c, &err) != LADLE_OK)
            abort();
        struct ladle_writer w;
        if (ladle_writer_init(&w, -1, &err) != LADLE_OK)
            abort();
        if (a.ops->finish(&a, &w, &err) != LADLE_OK)
            abort();
        ladle_writer_destroy(&w);
        ladle_sampler_destroy(&c);
    }
    ladle_sampler_destroy(&a);
    ladle_field_free(f1);
    ladle_field_free(f2);
    ladle_plan_free(&plan);
    free(payload);
    return 0;
}

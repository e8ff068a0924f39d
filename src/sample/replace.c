/*
 * replace.c -- `-n N --replace`: exactly N draws with replacement, uniform
 * over the T records of every input, in two passes.
 *
 * Pass 1 counts T. Pass 2 is an ordered design (like --every): workers
 * index each chunk's record starts, and the output stage visits the
 * records in input order, where each one's global index i is known. Record
 * i gets the multiplicity
 *
 *     x_i ~ Binomial(N - (x_0 + ... + x_{i-1}), 1 / (T - i)),
 *
 * drawn by inversion from its own key (LADLE_DOMAIN_REPLACE), and is
 * written x_i times. This is the multinomial Multinomial(N; 1/T, ..., 1/T)
 * of N independent uniform draws, factored into its conditionals: given
 * the earlier counts, the N - placed draws still to place are uniform over
 * the T - i records left, so each lands on record i with probability
 * 1/(T - i). The last record takes what is left (T - i = 1), so the counts
 * sum to N exactly. Memory is that of the output; the draws depend on the
 * seed and the records' identities only, not on threads or chunking.
 *
 * With --shuffle every copy has its own key, the hash of the record's key
 * and its copy number (LADLE_DOMAIN_COPY), and the copies are written in
 * key order.
 */
#include <stdio.h>
#include <stdlib.h>

#include "record/records.h"
#include "sample/bootstrap.h"
#include "sample/draws.h"
#include "sample/plan.h"
#include "sample/sampler.h"

/* ---- pass 1: T ---- */

static ladle_status count_offer(struct ladle_sampler *s, const struct ladle_chunk *ck,
                                struct ladle_outbuf *out, const char *name, struct ladle_error *err)
{
    (void)out;
    (void)name;
    (void)err;
    struct ladle_record_iter it;
    struct ladle_record r;
    ladle_record_iter_init(&it, ck);
    while (ladle_record_next(&it, &r))
        s->records_seen++;
    return LADLE_OK;
}

static ladle_status count_merge(struct ladle_sampler *into, struct ladle_sampler *from,
                                struct ladle_error *err)
{
    (void)err;
    ladle_sampler_merge_counts(into, from);
    return LADLE_OK;
}

static ladle_status count_finish(struct ladle_sampler *s, struct ladle_writer *w,
                                 struct ladle_error *err)
{
    (void)w;
    (void)err;
    const struct ladle_config *cfg = s->cfg;
    cfg->state->plan->replace_total = s->records_seen;
    if (s->records_seen == 0 && cfg->params.n && cfg->engine.notify) {
        char line[128];
        snprintf(line, sizeof line, "no records to draw from: -n %llu --replace writes nothing",
                 (unsigned long long)cfg->params.n);
        cfg->engine.notify(cfg->engine.notify_arg, line);
    }
    return LADLE_OK;
}

const struct ladle_sampler_ops ladle_sampler_replace_count = {
    .name = "replace-count",
    .streaming = 1,
    .offer = count_offer,
    .merge = count_merge,
    .finish = count_finish,
};

/* ---- pass 2: the multiplicities ---- */

struct replace_state {
    uint64_t total, placed;
    struct ladle_seed draw, copy; /* the domains' derived seeds */
};

static ladle_status replace_create(struct ladle_sampler *s, struct ladle_error *err)
{
    struct replace_state *st = calloc(1, sizeof *st);
    if (!st)
        return ladle_sampler_nomem(err);
    st->total = s->cfg->state->plan->replace_total;
    st->draw = ladle_seed_derive(s->cfg->params.seed, LADLE_DOMAIN_REPLACE);
    st->copy = ladle_seed_derive(s->cfg->params.seed, LADLE_DOMAIN_COPY);
    s->state = st;
    return LADLE_OK;
}

/* Writes x copies of the record whose key is key. 0 or -1. */
static int emit_copies(const struct ladle_sampler *s, const struct replace_state *st,
                       struct ladle_outbuf *out, const char *rec, size_t len, uint64_t key,
                       uint64_t x)
{
    const struct ladle_config *cfg = s->cfg;
    int keys = ladle_sampler_wants_keys(cfg);
    for (uint64_t c = 0; c < x; c++) {
        int bad = cfg->params.bootstrap ? ladle_boot_append(cfg, out, rec, len, key, 0.0)
                                        : ladle_outbuf_append(out, rec, len);
        if (bad || (keys && ladle_outbuf_append_key(out, ladle_draw_pair(st->copy, key, c)) != 0))
            return -1;
        out->records++;
    }
    return 0;
}

static ladle_status replace_select(struct ladle_sampler *s, uint64_t first,
                                   const struct ladle_chunk *ck, const uint32_t *starts, size_t n,
                                   struct ladle_outbuf *out, struct ladle_error *err)
{
    struct replace_state *st = s->state;
    const uint64_t want = s->cfg->params.n;
    /* Records past T (an input that grew between the passes) draw nothing. */
    for (size_t j = 0; j < n && st->placed < want && first + j < st->total; j++) {
        size_t begin = starts[j];
        size_t end = j + 1 < n ? starts[j + 1] : ck->len;
        uint64_t key = ladle_record_key_d(s->record_seed, ck->source, ck->offset + begin);
        uint64_t left = st->total - (first + j), need = want - st->placed;
        uint64_t u = ladle_draw_pair(st->draw, key, 0);
        uint64_t x = left <= 1 ? need : ladle_binomial(need, left, &u);
        st->placed += x;
        if (x && emit_copies(s, st, out, ck->data + begin, end - begin, key, x) != 0)
            return ladle_sampler_nomem(err);
    }
    return LADLE_OK;
}

static void replace_destroy(struct ladle_sampler *s)
{
    free(s->state);
}

const struct ladle_sampler_ops ladle_sampler_replace = {
    .name = "replace",
    .streaming = 1,
    .ordered = 1,
    .create = replace_create,
    .select = replace_select,
    .destroy = replace_destroy,
    .merge_refusal = "-n --replace places each draw by the global record index, which a state "
                     "drawn apart did not know",
};

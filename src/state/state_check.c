/*
 * state_check.c -- refusing a state drawn otherwise than this run, naming
 * what differs as the user would type it.
 *
 * The run's parameters are compared in the run's order, then any the state
 * has and the run does not: the first difference is the one reported, so
 * the message is the same whichever way round the lists are stored.
 */
#include "state/state.h"

#include <stdio.h>
#include <string.h>

/* A design tag as the user chooses it. */
static const char *design_flag(const char tag[4])
{
    if (memcmp(tag, "LDBK", 4) == 0)
        return "-n";
    if (memcmp(tag, "LDWS", 4) == 0)
        return "--weight";
    if (memcmp(tag, "LDSN", 4) == 0)
        return "--strata -n/--per-stratum";
    if (memcmp(tag, "LDCM", 4) == 0)
        return "--clusters";
    if (memcmp(tag, "LDSS", 4) == 0)
        return "stats --field";
    static const char *const stream[][2] = {
        {"LDRT", "--rate"},    {"LDFR", "--fractions"},
        {"LDCL", "--cluster"}, {"LDCW", "--cluster --within-size"},
        {"LDHD", "--head"},    {"LDEV", "--every"}};
    for (size_t i = 0; i < sizeof stream / sizeof stream[0]; i++)
        if (memcmp(tag, stream[i][0], 4) == 0)
            return stream[i][1];
    return NULL;
}

/* "--seed 7", "--emit-weight", "no --emit-weight", "-d ','": a parameter
 * as typed; control bytes of strings show as '?' (the file is untrusted). */
static void show(char *buf, size_t cap, const struct ladle_state_kv *kv)
{
    if (!kv) {
        snprintf(buf, cap, "none");
        return;
    }
    switch (kv->type) {
    case LADLE_STATE_U64: snprintf(buf, cap, "%s %llu", kv->flag, (unsigned long long)kv->u); break;
    case LADLE_STATE_F64: {
        double d;
        memcpy(&d, &kv->u, sizeof d);
        snprintf(buf, cap, "%s %.17g", kv->flag, d);
        break;
    }
    case LADLE_STATE_SWITCH: snprintf(buf, cap, "%s%s", kv->u ? "" : "no ", kv->flag); break;
    default: {
        int n = snprintf(buf, cap, "%s '", kv->flag);
        size_t at = n > 0 && (size_t)n < cap ? (size_t)n : 0;
        for (size_t i = 0; i < kv->slen && at + 2 < cap; i++) {
            unsigned char ch = (unsigned char)kv->s[i];
            buf[at++] = ch < ' ' || ch == 0x7f ? '?' : (char)ch;
        }
        snprintf(buf + at, cap - at, "'");
    }
    }
}

static int same(const struct ladle_state_kv *a, const struct ladle_state_kv *b)
{
    if (a->type != b->type)
        return 0;
    if (a->type == LADLE_STATE_STR)
        return a->slen == b->slen && memcmp(a->s, b->s, a->slen) == 0;
    return a->u == b->u;
}

static const struct ladle_state_kv *find(const struct ladle_state_kv *v, size_t n, const char *flag)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].flag, flag) == 0)
            return &v[i];
    return NULL;
}

/* How a difference is told: the state's side, then the run's (or the
 * second state's, for ladle merge). */
struct sides {
    const char *with, *without; /* "state: drawn with", "state: drawn without" */
    const char *has, *has_no;   /* "this run has", "this run has no" */
};

static const struct sides run_sides = {"state: drawn with", "state: drawn without", "this run has",
                                       "this run has no"};

static ladle_status differ(const struct sides *w, const struct ladle_state_kv *had,
                           const struct ladle_state_kv *has, const char *flag,
                           struct ladle_error *err)
{
    char a[160], b[160];
    show(a, sizeof a, had);
    show(b, sizeof b, has);
    if (!had)
        return ladle_error_set(err, LADLE_E_USAGE, "%s %s, %s %s", w->without, flag, w->has, b);
    if (!has)
        return ladle_error_set(err, LADLE_E_USAGE, "%s %s, %s %s", w->with, a, w->has_no, flag);
    return ladle_error_set(err, LADLE_E_USAGE, "%s %s, %s %s", w->with, a, w->has, b);
}

static ladle_status check(const struct sides *w, const struct ladle_state *st, const char design[4],
                          uint64_t seed, const struct ladle_state_kv *params, size_t nparams,
                          struct ladle_error *err)
{
    if (memcmp(st->design, design, 4) != 0) {
        const char *had = design_flag(st->design), *has = design_flag(design);
        char a[32], b[32];
        snprintf(a, sizeof a, "%s", had ? had : "");
        snprintf(b, sizeof b, "%s", has ? has : "");
        if (!had)
            snprintf(a, sizeof a, "design %.4s", st->design);
        if (!has)
            snprintf(b, sizeof b, "design %.4s", design);
        return ladle_error_set(err, LADLE_E_USAGE, "%s %s, %s %s", w->with, a, w->has, b);
    }
    if (st->seed != seed)
        return ladle_error_set(err, LADLE_E_USAGE, "%s --seed %llu, %s --seed %llu", w->with,
                               (unsigned long long)st->seed, w->has, (unsigned long long)seed);
    for (size_t i = 0; i < nparams; i++) {
        const struct ladle_state_kv *had = find(st->params, st->nparams, params[i].flag);
        if (!had || !same(had, &params[i]))
            return differ(w, had, &params[i], params[i].flag, err);
    }
    for (size_t i = 0; i < st->nparams; i++)
        if (!find(params, nparams, st->params[i].flag))
            return differ(w, &st->params[i], NULL, st->params[i].flag, err);
    return LADLE_OK;
}

ladle_status ladle_state_check(const struct ladle_state *st, const char design[4], uint64_t seed,
                               const struct ladle_state_kv *params, size_t nparams,
                               struct ladle_error *err)
{
    return check(&run_sides, st, design, seed, params, nparams, err);
}

ladle_status ladle_state_check_pair(const struct ladle_state *a, const char *name_a,
                                    const struct ladle_state *b, const char *name_b,
                                    struct ladle_error *err)
{
    char with[300], without[300], has[300], has_no[300];
    snprintf(with, sizeof with, "merge: %s and %s were drawn differently: %s has", name_a, name_b,
             name_a);
    snprintf(without, sizeof without, "merge: %s and %s were drawn differently: %s has no", name_a,
             name_b, name_a);
    snprintf(has, sizeof has, "%s has", name_b);
    snprintf(has_no, sizeof has_no, "%s has no", name_b);
    const struct sides w = {with, without, has, has_no};
    return check(&w, a, b->design, b->seed, b->params, b->nparams, err);
}

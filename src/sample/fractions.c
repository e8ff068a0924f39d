/*
 * fractions.c -- the per-stratum rate table (see fractions.h). Lookups are
 * a linear scan: tables are typed by hand and hold a handful of strata.
 */
#include "sample/fractions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/key.h"

static void set_rate(struct ladle_fraction *e, double rate)
{
    e->rate = rate;
    e->keep_all = rate >= 1.0;
    e->threshold = ladle_rate_threshold(rate);
}

int ladle_fractions_parse(const char *spec, struct ladle_fractions **out, char *why, size_t why_len)
{
    struct ladle_fractions *f = calloc(1, sizeof *f);
    char *copy = strdup(spec);
    if (f)
        f->spec = strdup(spec);
    if (!f || !copy || !f->spec) {
        if (f)
            free(f->spec);
        free(f);
        free(copy);
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    set_rate(&f->rest, 0.0);
    int have_rest = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strrchr(item, '=');
        char *end = NULL;
        double rate = eq ? strtod(eq + 1, &end) : -1.0;
        if (!eq || eq == item || !end || *end || eq[1] == '\0' || !(rate >= 0.0 && rate <= 1.0)) {
            snprintf(why, why_len, "'%s' is not VALUE=RATE with RATE in 0..1", item);
            goto fail;
        }
        *eq = '\0';
        if (strcmp(item, "*") == 0) {
            if (have_rest++) {
                snprintf(why, why_len, "'*' given twice");
                goto fail;
            }
            set_rate(&f->rest, rate);
            continue;
        }
        if (ladle_fractions_lookup(f, item, strlen(item)) != &f->rest) {
            snprintf(why, why_len, "'%s' given twice", item);
            goto fail;
        }
        struct ladle_fraction *v = realloc(f->v, (f->count + 1) * sizeof *v);
        if (!v || !(item = strdup(item))) {
            if (v)
                f->v = v;
            snprintf(why, why_len, "out of memory");
            goto fail;
        }
        f->v = v;
        struct ladle_fraction *e = &f->v[f->count++];
        e->value = item;
        e->len = strlen(item);
        set_rate(e, rate);
    }
    if (f->count == 0 && !have_rest) {
        snprintf(why, why_len, "no VALUE=RATE given");
        goto fail;
    }
    free(copy);
    *out = f;
    return 0;
fail:
    free(copy);
    ladle_fractions_free(f);
    return -1;
}

void ladle_fractions_free(struct ladle_fractions *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++)
        free(f->v[i].value);
    free(f->v);
    free(f->spec);
    free(f);
}

const struct ladle_fraction *ladle_fractions_lookup(const struct ladle_fractions *f, const char *v,
                                                    size_t len)
{
    for (size_t i = 0; i < f->count; i++)
        if (f->v[i].len == len && memcmp(f->v[i].value, v, len) == 0)
            return &f->v[i];
    return &f->rest;
}

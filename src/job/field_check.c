/*
 * field_check.c -- a field that resolves nowhere is an input error, with a
 * message that says what the records hold instead (see field_check.h).
 */
#include "job/field_check.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/similar.h"
#include "job/run_sample.h"
#include "split/split.h"

ladle_status ladle_field_check_init(struct ladle_field_check *c, const struct ladle_config *cfg,
                                    int reports, uint32_t ninputs, struct ladle_error *err)
{
    memset(c, 0, sizeof *c);
    const struct ladle_split_spec *sp = cfg->params.split;
    int fields = cfg->params.field || cfg->params.field_to || (sp && (sp->by || sp->label));
    if (!fields || reports || cfg->params.missing != LADLE_MISSING_SKIP)
        return LADLE_OK;
    size_t n = ninputs ? ninputs : 1;
    c->seen = calloc(n, sizeof *c->seen);
    c->missing = calloc(n, sizeof *c->missing);
    c->sample = calloc(n, sizeof *c->sample);
    c->sample_len = calloc(n, sizeof *c->sample_len);
    if (!c->seen || !c->missing || !c->sample || !c->sample_len) {
        ladle_field_check_free(c);
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    }
    c->armed = 1;
    c->ninputs = ninputs;
    return LADLE_OK;
}

void ladle_field_check_free(struct ladle_field_check *c)
{
    for (uint32_t i = 0; c->sample && i < c->ninputs; i++)
        free(c->sample[i]);
    free(c->seen);
    free(c->missing);
    free(c->sample);
    free(c->sample_len);
    memset(c, 0, sizeof *c);
}

/* Appends to buf (of size cap, at *at) with snprintf's arguments. */
static void add(char *buf, size_t cap, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t cap, size_t *at, const char *fmt, ...)
{
    if (*at >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *at, cap - *at, fmt, ap);
    va_end(ap);
    if (n > 0)
        *at += (size_t)n;
}

/* JSON: the keys where the path stops, and the nearest to the missing one. */
static void json_keys(const char *spec, const char *rec, size_t len, char *buf, size_t cap,
                      size_t *at)
{
    json_t *root = json_loadb(rec, len, JSON_DISABLE_EOF_CHECK, NULL), *node = root;
    if (!json_is_object(root)) {
        add(buf, cap, at, "; the records are not JSON objects");
        json_decref(root);
        return;
    }
    char seg[128];
    const char *p = spec;
    for (;;) {
        size_t n = strcspn(p, ".");
        snprintf(seg, sizeof seg, "%.*s", (int)n, p);
        json_t *next = json_is_object(node) ? json_object_get(node, seg) : NULL;
        if (!next && json_is_array(node) && n && strspn(seg, "0123456789") == n)
            next = json_array_get(node, (size_t)strtoull(seg, NULL, 10));
        if (!next || !p[n])
            break;
        node = next;
        p += n + 1;
    }
    if (!json_is_object(node)) {
        add(buf, cap, at, "; '%s' is not an object there", seg);
        json_decref(root);
        return;
    }
    const char *key, *best = NULL;
    json_t *v;
    size_t k = 0, bestd = 99;
    add(buf, cap, at, "; keys there: ");
    json_object_foreach(node, key, v)
    {
        if (k < 12)
            add(buf, cap, at, "%s%s", k ? ", " : "", key);
        else if (k == 12)
            add(buf, cap, at, ", ...");
        k++;
        size_t d = ladle_edit_distance(seg, key);
        if (strcasecmp(seg, key) == 0)
            d = 0;
        if (d <= ladle_edit_budget(strlen(seg)) && d < bestd) {
            bestd = d;
            best = key;
        }
    }
    if (!k)
        add(buf, cap, at, "none");
    if (best)
        add(buf, cap, at, "; did you mean '%.*s%s'?", (int)(p - spec), spec, best);
    json_decref(root);
}

/* What the sample record holds instead of the field. */
static void explain(const struct ladle_config *cfg, const struct ladle_field *f,
                    enum ladle_field_result got, const char *rec, size_t len, char *buf, size_t cap,
                    size_t *at)
{
    const char *spec = ladle_field_spec(f);
    int fmt = cfg->params.format;
    if (strncmp(spec, "re:", 3) == 0) {
        add(buf, cap, at, "; the pattern matches no record");
        return;
    }
    if (!rec)
        return;
    if (got == LADLE_FIELD_OK) {
        const struct ladle_split_spec *sp = cfg->params.split;
        const char *what = sp && sp->by_time && f == sp->by ? "timestamps (see --time-format)"
                           : cfg->params.design == LADLE_DESIGN_WEIGHTED
                               ? "weights (non-negative numbers)"
                               : "usable here";
        add(buf, cap, at, "; its values, such as '%.*s', are not %s", (int)(len > 40 ? 40 : len),
            rec, what);
        return;
    }
    if (fmt == LADLE_FORMAT_TSV || fmt == LADLE_FORMAT_CSV) {
        char d = cfg->params.delim ? cfg->params.delim : fmt == LADLE_FORMAT_TSV ? '\t' : ',';
        size_t cols = 1;
        for (size_t i = 0; i < len; i++)
            cols += rec[i] == d;
        add(buf, cap, at, "; the first record has %zu columns", cols);
        return;
    }
    size_t ws = 0;
    while (ws < len && (rec[ws] == ' ' || rec[ws] == '\t'))
        ws++;
    if (ws == len || rec[ws] != '{') {
        add(buf, cap, at, "; the records are not JSON objects");
        if (memchr(rec, ',', len) || memchr(rec, '\t', len))
            add(buf, cap, at, "; for a column give --format csv or --format tsv");
        return;
    }
    json_keys(spec, rec, len, buf, cap, at);
}

static ladle_status refuse(const struct ladle_field_check *c, const struct ladle_config *cfg,
                           const struct ladle_field_binding *bindings, const char *const *names,
                           uint32_t input, uint64_t seen, int early, struct ladle_error *err)
{
    const struct ladle_split_spec *sp = cfg->params.split;
    const struct ladle_field *fields[LADLE_BINDINGS_PER_INPUT] = {
        cfg->params.field,     cfg->params.field_to,         sp ? sp->by : NULL,
        sp ? sp->label : NULL, sp ? sp->time_more[0] : NULL, sp ? sp->time_more[1] : NULL};
    const char *rec = c->sample[input];
    size_t len = c->sample_len[input];
    /* The culprit: the first field the sample lacks (else the first one). */
    const struct ladle_field *f = NULL;
    enum ladle_field_result got = LADLE_FIELD_OK;
    struct ladle_field_scratch *sc = ladle_field_scratch_new();
    const char *v = rec;
    size_t vlen = len;
    for (int k = 0; k < LADLE_BINDINGS_PER_INPUT; k++) {
        if (!fields[k])
            continue;
        if (!f)
            f = fields[k];
        const char *fv = NULL;
        size_t fl = 0;
        enum ladle_field_result r =
            rec && sc ? ladle_field_get(fields[k], &bindings[LADLE_BINDINGS_PER_INPUT * input + k],
                                        rec, len, sc, &fv, &fl)
                      : LADLE_FIELD_MISSING;
        if (r != LADLE_FIELD_OK) {
            f = fields[k];
            got = r;
            break;
        }
        if (f == fields[k])
            v = fv, vlen = fl;
    }
    char detail[768];
    size_t at = 0;
    detail[0] = '\0';
    explain(cfg, f, got, got == LADLE_FIELD_OK ? v : rec, got == LADLE_FIELD_OK ? vlen : len,
            detail, sizeof detail, &at);
    ladle_field_scratch_free(sc);
    return ladle_error_set(err, LADLE_E_INPUT,
                           "%s: field '%s' resolves in %s %llu records, all left out by "
                           "--missing skip (format %s%s)",
                           names[input], ladle_field_spec(f),
                           early ? "none of the first" : "none of", (unsigned long long)seen,
                           ladle_format_name((enum ladle_format)cfg->params.format), detail);
}

ladle_status ladle_field_check_take(struct ladle_field_check *c, const struct ladle_config *cfg,
                                    const struct ladle_field_binding *bindings,
                                    const char *const *names, uint32_t input, uint64_t seen,
                                    uint64_t missing, char **sample, size_t sample_len,
                                    struct ladle_error *err)
{
    if (!c->armed || input >= c->ninputs)
        return LADLE_OK;
    if (sample && *sample && !c->sample[input]) {
        c->sample[input] = *sample;
        c->sample_len[input] = sample_len;
        *sample = NULL;
    }
    uint64_t before = c->seen[input];
    c->seen[input] += seen;
    c->missing[input] += missing;
    if (before < LADLE_FIELD_CHECK_EARLY && c->seen[input] >= LADLE_FIELD_CHECK_EARLY &&
        c->missing[input] == c->seen[input])
        return refuse(c, cfg, bindings, names, input, c->seen[input], 1, err);
    return LADLE_OK;
}

ladle_status ladle_field_check_end(struct ladle_field_check *c, const struct ladle_config *cfg,
                                   const struct ladle_field_binding *bindings,
                                   const char *const *names, struct ladle_error *err)
{
    if (!c->armed)
        return LADLE_OK;
    uint64_t seen = 0, missing = 0;
    uint32_t first = UINT32_MAX;
    for (uint32_t i = 0; i < c->ninputs; i++) {
        seen += c->seen[i];
        missing += c->missing[i];
        if (first == UINT32_MAX && c->seen[i])
            first = i;
    }
    if (!seen || missing != seen)
        return LADLE_OK;
    return refuse(c, cfg, bindings, names, first, seen, 0, err);
}

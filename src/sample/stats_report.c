/*
 * stats_report.c -- one field's part of `ladle stats`'s report, in the
 * three forms of ladle(1): the table for people (values cut at --width,
 * control bytes as \xNN), JSON and TSV for scripts (values whole).
 *
 * JSON: one object per field (the CLI wraps them with the totals), made
 * by jansson. A value that is not valid UTF-8 cannot be a JSON string as
 * it is: "value" then has each byte >= 0x80 as U+FFFD and "value_hex" has
 * the bytes themselves, so nothing is lost. TSV: \t, \n, \r and \ in a
 * value are written \t, \n, \r and \\; other bytes as they are.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "sample/stats_field.h"

const double ladle_stats_q[LADLE_STATS_NQ] = {0.5, 0.9, 0.99, 0.999};
const char *const ladle_stats_q_name[LADLE_STATS_NQ] = {"p50", "p90", "p99", "p99.9"};

static ladle_status nomem(struct ladle_error *err)
{
    return ladle_error_set(err, LADLE_E_INTERNAL, "stats: out of memory");
}

/* ---- the table ---- */

/* Appends v to line, non-printable bytes escaped, cut to max columns. */
static size_t printable(char *line, size_t cap, const char *v, size_t len, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 5 < cap; i++) {
        if (n >= max) {
            n += (size_t)snprintf(line + n, cap - n, "...");
            break;
        }
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f)
            n += (size_t)snprintf(line + n, cap - n, "\\x%02x", c);
        else
            line[n++] = (char)c;
    }
    line[n] = '\0';
    return n;
}

/* The quantiles: the KLL sketch's, or under --state the log histogram's.
 * 0, or -1 (no numbers, or out of memory). */
static int quantiles(const struct ladle_stats_num *num, double *q)
{
    if (num->count == 0)
        return -1;
    if (num->exact)
        return ladle_stats_exact_quantiles(num->exact, num->count, num->min, num->max,
                                           ladle_stats_q, LADLE_STATS_NQ, q);
    return ladle_kll_quantiles(&num->kll, ladle_stats_q, LADLE_STATS_NQ, q);
}

static double mean_of(const struct ladle_stats_num *num)
{
    return num->exact ? ladle_stats_exact_mean(num->exact, num->count) : ladle_stats_mean(num);
}

static double stddev_of(const struct ladle_stats_num *num)
{
    return num->exact ? sqrt(ladle_stats_exact_var(num->exact, num->count))
                      : sqrt(num->m2 / (double)(num->count - 1));
}

static ladle_status table_numeric(const struct ladle_stats_num *num, struct ladle_writer *w)
{
    double q[LADLE_STATS_NQ];
    if (quantiles(num, q) != 0)
        return LADLE_OK;
    char line[1024];
    int n = snprintf(line, sizeof line,
                     "numeric      %llu values (%llu not numbers)\n  min        %.15g\n"
                     "  max        %.15g\n  mean       %.12g\n",
                     (unsigned long long)num->count, (unsigned long long)num->non_numeric, num->min,
                     num->max, mean_of(num));
    if (num->count > 1)
        n += snprintf(line + n, sizeof line - (size_t)n, "  stddev     %.12g\n", stddev_of(num));
    for (int i = 0; i < LADLE_STATS_NQ; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, "  %-9s  %.15g\n", ladle_stats_q_name[i],
                      q[i]);
    n += num->exact ? snprintf(line + n, sizeof line - (size_t)n,
                               "  quantiles  within %.0f%% (log histogram: --state)\n",
                               100.0 * LADLE_LOGHIST_ALPHA)
         : num->kll.compacted
             ? snprintf(line + n, sizeof line - (size_t)n,
                        "  quantiles  rank within %.2g%% (KLL sketch, 99%% confidence)\n",
                        100.0 * LADLE_KLL_RANK_ERROR)
             : snprintf(line + n, sizeof line - (size_t)n, "  quantiles  exact\n");
    return ladle_writer_write(w, line, (size_t)n);
}

static ladle_status table_top(const struct ladle_config *cfg, const struct ladle_stats_field *f,
                              const struct ladle_stats_entry *e, size_t top, struct ladle_writer *w,
                              struct ladle_error *err)
{
    size_t max = (size_t)cfg->params.width, width = 0;
    for (size_t i = 0; i < top; i++)
        width = (e[i].len ? e[i].len : 7) > width ? (e[i].len ? e[i].len : 7)
                                                  : width; /* 7: "(empty)" */
    width = width > max ? max : width < 5 ? 5 : width;
    size_t cap = 4 * max + 128;
    char *value = malloc(cap), *line = malloc(cap + 64);
    ladle_status status = value && line ? LADLE_OK : nomem(err);
    for (size_t i = 0; i < top && status == LADLE_OK; i++) {
        printable(value, cap, e[i].len ? e[i].v : "(empty)", e[i].len ? e[i].len : 7, max);
        double share = f->with_field ? (double)e[i].n / (double)f->with_field : 0.0;
        int n = snprintf(line, cap + 64, "  %-*s  %12llu  %6.2f%%", (int)width, value,
                         (unsigned long long)e[i].n, 100.0 * share);
        int bar = cfg->params.bars ? (int)(share * 40.0 + 0.5) : 0;
        if (bar > 0) {
            n += snprintf(line + n, cap + 64 - (size_t)n, "  ");
            for (int b = 0; b < bar && (size_t)n + 2 < cap + 64; b++)
                line[n++] = '#';
            line[n] = '\0';
        }
        line[n++] = '\n';
        status = ladle_writer_write(w, line, (size_t)n);
    }
    free(value);
    free(line);
    return status;
}

static ladle_status table(const struct ladle_config *cfg, const struct ladle_stats_field *f,
                          uint64_t seen, const struct ladle_stats_entry *e, size_t top, int first,
                          struct ladle_writer *w, struct ladle_error *err)
{
    char line[512];
    int n = snprintf(line, sizeof line, "%sfield        %s\nmissing      %llu records (%.2f%%)\n",
                     first ? "" : "\n", ladle_field_spec(f->field), (unsigned long long)f->missing,
                     seen ? 100.0 * (double)f->missing / (double)seen : 0.0);
    ladle_status status = ladle_writer_write(w, line, (size_t)n);
    if (f->error == 0)
        n = snprintf(line, sizeof line, "distinct     %llu (exact)\n",
                     (unsigned long long)f->counts.count);
    else
        n = snprintf(line, sizeof line,
                     "distinct     ~%.0f (HyperLogLog estimate, standard error 0.8%%)\n",
                     ladle_hll_estimate(&f->hll));
    if (status == LADLE_OK)
        status = ladle_writer_write(w, line, (size_t)n);
    n = f->error ? snprintf(line, sizeof line,
                            "top %zu (approximate: each count may be up to %llu short)\n", top,
                            (unsigned long long)f->error)
                 : snprintf(line, sizeof line, "top %zu\n", top);
    if (status == LADLE_OK && top)
        status = ladle_writer_write(w, line, (size_t)n);
    if (status == LADLE_OK)
        status = table_top(cfg, f, e, top, w, err);
    return status == LADLE_OK ? table_numeric(&f->num, w) : status;
}

/* ---- JSON ---- */

/* A string for v (see the top of the file); sets *hex for a value that is
 * not UTF-8. NULL when out of memory. */
static json_t *json_bytes(const char *v, size_t len, json_t **hex)
{
    *hex = NULL;
    json_t *s = json_stringn(v, len);
    if (s)
        return s;
    char *rep = malloc(3 * len + 1), *hx = malloc(2 * len + 1);
    size_t n = 0;
    for (size_t i = 0; rep && hx && i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x80) {
            rep[n++] = (char)c;
        } else {
            memcpy(rep + n, "\xef\xbf\xbd", 3); /* U+FFFD */
            n += 3;
        }
        snprintf(hx + 2 * i, 3, "%02x", c);
    }
    if (rep && hx) {
        hx[2 * len] = '\0';
        s = json_stringn(rep, n);
        *hex = json_string(hx);
    }
    free(rep);
    free(hx);
    return s;
}

/* An integral value as an integer (500, not 500.0); others as reals. */
static json_t *json_num(double x)
{
    if (x == floor(x) && fabs(x) < 9007199254740992.0)
        return json_integer((json_int_t)x);
    return json_real(x);
}

/* Under --state a mean or stddev past the largest double is null (JSON
 * has no infinity). */
static json_t *exact_num(const struct ladle_stats_num *num, double x)
{
    return num->exact && !isfinite(x) ? json_null() : json_num(x);
}

static json_t *json_numeric(const struct ladle_stats_num *num)
{
    double q[LADLE_STATS_NQ];
    if (quantiles(num, q) != 0)
        return json_null();
    json_t *qo = json_object();
    for (int i = 0; i < LADLE_STATS_NQ; i++)
        json_object_set_new(qo, ladle_stats_q_name[i], json_num(q[i]));
    json_t *o =
        json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:f}", "count", (json_int_t)num->count,
                  "non_numeric", (json_int_t)num->non_numeric, "min", json_num(num->min), "max",
                  json_num(num->max), "mean", exact_num(num, mean_of(num)), "stddev",
                  num->count > 1 ? exact_num(num, stddev_of(num)) : json_null(), "quantiles", qo,
                  "quantiles_exact", !num->exact && !num->kll.compacted, "quantile_rank_error",
                  !num->exact && num->kll.compacted ? LADLE_KLL_RANK_ERROR : 0.0);
    if (o && num->exact) /* --state: a log histogram's relative error, not a rank error */
        json_object_set_new(o, "quantile_relative_error", json_real(LADLE_LOGHIST_ALPHA));
    return o;
}

static json_t *json_field(const struct ladle_stats_field *f, uint64_t seen,
                          const struct ladle_stats_entry *e, size_t top)
{
    json_t *arr = json_array(), *hex;
    for (size_t i = 0; arr && i < top; i++) {
        json_t *o = json_pack("{s:o, s:I, s:f}", "value", json_bytes(e[i].v, e[i].len, &hex),
                              "count", (json_int_t)e[i].n, "share",
                              f->with_field ? (double)e[i].n / (double)f->with_field : 0.0);
        if (o && hex)
            json_object_set_new(o, "value_hex", hex);
        if (json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    int exact = f->error == 0;
    json_t *spec = json_bytes(ladle_field_spec(f->field), strlen(ladle_field_spec(f->field)), &hex);
    json_decref(hex);
    return json_pack(
        "{s:o, s:I, s:I, s:I, s:I, s:b, s:I, s:o, s:o}", "field", spec, "records", (json_int_t)seen,
        "present", (json_int_t)f->with_field, "missing", (json_int_t)f->missing, "distinct",
        exact ? (json_int_t)f->counts.count : (json_int_t)llround(ladle_hll_estimate(&f->hll)),
        "distinct_exact", exact, "count_error", (json_int_t)f->error, "top", arr, "numeric",
        json_numeric(&f->num));
}

static ladle_status json(const struct ladle_stats_field *f, uint64_t seen,
                         const struct ladle_stats_entry *e, size_t top, int first,
                         struct ladle_writer *w, struct ladle_error *err)
{
    json_t *o = json_field(f, seen, e, top);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(o);
    if (!text)
        return nomem(err);
    ladle_status st = first ? LADLE_OK : ladle_writer_write(w, ",\n", 2);
    if (st == LADLE_OK)
        st = ladle_writer_write(w, text, strlen(text));
    free(text);
    return st;
}

/* ---- TSV ---- */

/* Appends v to out with \t \n \r \ escaped; the length written. */
static size_t tsv_escape(char *out, const char *v, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        const char *esc = c == '\t'   ? "\\t"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\\' ? "\\\\"
                                      : NULL;
        if (esc) {
            memcpy(out + n, esc, 2);
            n += 2;
        } else {
            out[n++] = c;
        }
    }
    return n;
}

static ladle_status tsv(const struct ladle_stats_field *f, const struct ladle_stats_entry *e,
                        size_t top, int first, struct ladle_writer *w, struct ladle_error *err)
{
    static const char header[] = "field\tvalue\tcount\tshare\n";
    ladle_status st = first ? ladle_writer_write(w, header, sizeof header - 1) : LADLE_OK;
    const char *spec = ladle_field_spec(f->field);
    size_t slen = strlen(spec);
    for (size_t i = 0; i < top && st == LADLE_OK; i++) {
        char *line = malloc(2 * (slen + e[i].len) + 64);
        if (!line)
            return nomem(err);
        size_t n = tsv_escape(line, spec, slen);
        line[n++] = '\t';
        n += tsv_escape(line + n, e[i].v, e[i].len);
        n += (size_t)snprintf(line + n, 64, "\t%llu\t%.6f\n", (unsigned long long)e[i].n,
                              f->with_field ? (double)e[i].n / (double)f->with_field : 0.0);
        st = ladle_writer_write(w, line, n);
        free(line);
    }
    return st;
}

ladle_status ladle_stats_report(const struct ladle_config *cfg, const struct ladle_stats_field *f,
                                uint64_t seen, const struct ladle_stats_entry *e, size_t top,
                                int first, struct ladle_writer *w, struct ladle_error *err)
{
    switch (cfg->params.stats_output) {
    case 1: return json(f, seen, e, top, first, w, err);
    case 2: return tsv(f, e, top, first, w, err);
    default: return table(cfg, f, seen, e, top, first, w, err);
    }
}

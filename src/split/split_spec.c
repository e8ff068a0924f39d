/*
 * split_spec.c -- parsing and checking the split settings (see split.h).
 */
#include "split/split.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "field/timestamp.h"
#include "field/tz.h"
#include "record/key.h"

static int name_ok(const char *p, size_t n)
{
    if (n == 0 || n > LADLE_SPLIT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int ladle_split_find(const struct ladle_split_spec *s, const char *name, size_t len)
{
    for (unsigned k = 0; k < s->count; k++)
        if (strlen(s->names[k]) == len && memcmp(s->names[k], name, len) == 0)
            return (int)k;
    return -1;
}

ladle_status ladle_split_parse_ratios(struct ladle_split_spec *s, const char *text, int names_only,
                                      struct ladle_error *err)
{
    s->count = 0;
    double sum = 0;
    const char *p = text;
    for (;;) {
        const char *end = p + strcspn(p, ",");
        const char *eq = memchr(p, '=', (size_t)(end - p));
        const char *name_end = eq ? eq : end;
        size_t n = (size_t)(name_end - p);
        if (!name_ok(p, n))
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "--ratios: bad split name '%.*s' (1-64 of A-Z a-z 0-9 _ -)",
                                   (int)(n > 80 ? 80 : n), p);
        if (ladle_split_find(s, p, n) >= 0)
            return ladle_error_set(err, LADLE_E_USAGE, "--ratios: split '%.*s' named twice", (int)n,
                                   p);
        if (s->count == LADLE_SPLIT_MAX)
            return ladle_error_set(err, LADLE_E_USAGE, "--ratios: more than %d splits",
                                   LADLE_SPLIT_MAX);
        unsigned k = s->count++;
        memcpy(s->names[k], p, n);
        s->names[k][n] = '\0';
        if (names_only) {
            if (eq)
                return ladle_error_set(err, LADLE_E_USAGE,
                                       "--ratios: a time split takes names only ('%s', not "
                                       "'%s=...')",
                                       s->names[k], s->names[k]);
        } else {
            if (!eq)
                return ladle_error_set(err, LADLE_E_USAGE,
                                       "--ratios: split '%s' needs a ratio (name=fraction)",
                                       s->names[k]);
            char num[64];
            size_t nl = (size_t)(end - eq - 1);
            char *stop;
            if (nl == 0 || nl >= sizeof num)
                return ladle_error_set(err, LADLE_E_USAGE, "--ratios: bad ratio for '%s'",
                                       s->names[k]);
            memcpy(num, eq + 1, nl);
            num[nl] = '\0';
            errno = 0;
            double v = strtod(num, &stop);
            if (*stop || errno || !isfinite(v) || v <= 0 || v > 1)
                return ladle_error_set(err, LADLE_E_USAGE,
                                       "--ratios: ratio '%s' for '%s' is not in (0, 1]", num,
                                       s->names[k]);
            s->ratio[k] = v;
            sum += v;
        }
        if (!*end)
            break;
        p = end + 1;
    }
    if (!names_only) {
        if (fabs(sum - 1.0) > 1e-9)
            return ladle_error_set(err, LADLE_E_USAGE, "--ratios: ratios sum to %.12g, not 1", sum);
        double cum = 0;
        for (unsigned k = 0; k < s->count; k++) {
            cum += s->ratio[k];
            s->bound[k] = k + 1 == s->count ? UINT64_MAX : ladle_rate_threshold(cum);
        }
    }
    return LADLE_OK;
}

ladle_status ladle_split_parse_time(struct ladle_split_spec *s, const char *format, const char *tz,
                                    struct ladle_error *err)
{
    ladle_status st;
    if (format) {
        if ((st = ladle_time_format_compile(&s->time_fmt, format, err)) != LADLE_OK)
            return st;
        s->time.fmt = &s->time_fmt;
        s->time.fmt_text = format;
    }
    if (tz) {
        if ((st = ladle_tz_load(&s->tz, tz, err)) != LADLE_OK)
            return st;
        s->time.tz = s->tz;
    }
    return LADLE_OK;
}

void ladle_split_spec_free(struct ladle_split_spec *s)
{
    if (!s)
        return;
    for (unsigned k = 0; k < LADLE_TIME_PARTS - 1; k++)
        ladle_field_free(s->time_more[k]);
    ladle_tz_free(s->tz);
    free(s);
}

ladle_status ladle_split_parse_cutoffs(struct ladle_split_spec *s, const char *text,
                                       struct ladle_error *err)
{
    unsigned n = 0;
    const char *p = text;
    for (;;) {
        const char *end = p + strcspn(p, ",");
        int64_t ns;
        if (n + 1 >= s->count)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "--cutoffs: %u split names take %u cutoffs, got more", s->count,
                                   s->count - 1);
        if (ladle_parse_time_tz(p, (size_t)(end - p), s->tz, &ns) != 0)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "--cutoffs: '%.*s' is not a timestamp (epoch s or ms, "
                                   "RFC 3339)",
                                   (int)(end - p), p);
        if (n > 0 && ns <= s->cutoff[n - 1])
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "--cutoffs: '%.*s' is not after the cutoff before it",
                                   (int)(end - p), p);
        s->cutoff[n++] = ns;
        if (!*end)
            break;
        p = end + 1;
    }
    if (n + 1 != s->count)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--cutoffs: %u split names take %u cutoffs, got %u", s->count,
                               s->count - 1, n);
    s->by_time = 1;
    return LADLE_OK;
}

ladle_status ladle_split_parse_balance(struct ladle_split_spec *s, const char *text,
                                       struct ladle_error *err)
{
    char *stop;
    if (strcmp(text, "under") == 0) {
        s->balance = LADLE_BALANCE_UNDER;
    } else if (strcmp(text, "over") == 0) {
        s->balance = LADLE_BALANCE_OVER;
    } else if (strncmp(text, "cap:", 4) == 0 && text[4] >= '0' && text[4] <= '9') {
        errno = 0;
        unsigned long long v = strtoull(text + 4, &stop, 10);
        if (*stop || errno || v == 0)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "--balance-mode: cap:N needs a positive integer N");
        s->balance = LADLE_BALANCE_CAP;
        s->balance_cap = v;
    } else if (strncmp(text, "ratio:", 6) == 0) {
        errno = 0;
        double v = strtod(text + 6, &stop);
        if (text[6] == '\0' || *stop || errno || !isfinite(v) || v < 1)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "--balance-mode: ratio:R needs a number R >= 1");
        s->balance = LADLE_BALANCE_RATIO;
        s->balance_ratio = v;
    } else {
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--balance-mode: '%s' is not under, over, cap:N or ratio:R", text);
    }
    return LADLE_OK;
}

ladle_status ladle_split_parse_balance_splits(struct ladle_split_spec *s, const char *text,
                                              struct ladle_error *err)
{
    s->balance_mask = 0;
    const char *p = text;
    for (;;) {
        const char *end = p + strcspn(p, ",");
        int k = ladle_split_find(s, p, (size_t)(end - p));
        if (k < 0)
            return ladle_error_set(err, LADLE_E_USAGE, "--balance-splits: no split named '%.*s'",
                                   (int)(end - p), p);
        s->balance_mask |= 1ULL << k;
        if (!*end)
            break;
        p = end + 1;
    }
    return LADLE_OK;
}

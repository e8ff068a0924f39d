/*
 * time_format.c -- strptime-style formats, compiled and run (see
 * time_format.h).
 *
 * A format compiles to at most 64 steps: a directive letter, a literal
 * byte, or "blanks". Running it is one pass over the value that fills a
 * broken-down time on the stack; the checks that need the whole date (day
 * of month, weekday, %j) come at the end. Names are matched by ASCII case
 * folding, never through the locale.
 */
#include "field/time_format.h"

#include "field/civil.h"

static const char months[12][10] = {"january",   "february", "march",    "april",
                                    "may",       "june",     "july",     "august",
                                    "september", "october",  "november", "december"};
static const char weekdays[7][10] = {"sunday",   "monday", "tuesday", "wednesday",
                                     "thursday", "friday", "saturday"};

const struct ladle_time_format ladle_time_format_asctime = {
    .n = 13,
    .step = {{'a', 0},
             {' ', 0},
             {'b', 0},
             {' ', 0},
             {'e', 0},
             {' ', 0},
             {'H', 0},
             {0, ':'},
             {'M', 0},
             {0, ':'},
             {'S', 0},
             {' ', 0},
             {'Y', 0}},
};

static uint64_t bit(char c)
{
    if (c >= 'a' && c <= 'z')
        return 1ULL << (c - 'a');
    if (c >= 'A' && c <= 'Z')
        return 1ULL << (26 + c - 'A');
    return 0;
}

static int has(const struct ladle_time_format *f, const char *letters)
{
    for (; *letters; letters++)
        if (f->have & bit(*letters))
            return 1;
    return 0;
}

/* Which letters stand for the same field (a repeat is an error). */
static char field_of(char c)
{
    switch (c) {
    case 'y': return 'Y';
    case 'B':
    case 'h': return 'b';
    case 'A': return 'a';
    case 'e': return 'd';
    case 'I': return 'H';
    case 'L': return 'f';
    default: return c;
    }
}

static ladle_status add(struct ladle_time_format *f, char kind, char lit, const char *fmt,
                        struct ladle_error *err)
{
    if (f->n == LADLE_TIME_FORMAT_STEPS)
        return ladle_error_set(err, LADLE_E_USAGE, "--time-format: '%s' has over %d steps", fmt,
                               LADLE_TIME_FORMAT_STEPS);
    if (kind && kind != ' ') {
        char field = field_of(kind);
        if (f->have & bit(field))
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "--time-format: '%s' gives %%%c twice (or with a directive "
                                   "for the same field)",
                                   fmt, kind);
        f->have |= bit(field) | bit(kind);
    }
    f->step[f->n].kind = kind;
    f->step[f->n++].lit = lit;
    return LADLE_OK;
}

static ladle_status add_all(struct ladle_time_format *f, const char *kinds, const char *fmt,
                            struct ladle_error *err)
{
    ladle_status st = LADLE_OK;
    for (; *kinds && st == LADLE_OK; kinds++)
        st = *kinds == ':' || *kinds == '-' ? add(f, 0, *kinds, fmt, err)
                                            : add(f, *kinds, 0, fmt, err);
    return st;
}

static ladle_status check(const struct ladle_time_format *f, const char *fmt,
                          struct ladle_error *err)
{
    const char *why = NULL;
    if (f->n == 0)
        why = "is empty";
    else if (has(f, "I") != has(f, "p"))
        why = "has only one of %I and %p (a 12-hour clock needs both)";
    else if (has(f, "s") && has(f, "YmdjHIMSbazZp"))
        why = "has %s (a whole instant) with date or time fields";
    else if (has(f, "j") && has(f, "md"))
        why = "has %j with %m or %d";
    if (why)
        return ladle_error_set(err, LADLE_E_USAGE, "--time-format: '%s' %s", fmt, why);
    return LADLE_OK;
}

ladle_status ladle_time_format_compile(struct ladle_time_format *out, const char *fmt,
                                       struct ladle_error *err)
{
    ladle_status st = LADLE_OK;
    out->n = 0;
    out->have = 0;
    for (const char *p = fmt; *p && st == LADLE_OK; p++) {
        if (*p == ' ' || *p == '\t') {
            while (p[1] == ' ' || p[1] == '\t')
                p++;
            st = add(out, ' ', 0, fmt, err);
            continue;
        }
        if (*p != '%') {
            st = add(out, 0, *p, fmt, err);
            continue;
        }
        char c = *++p;
        switch (c) {
        case '\0':
            return ladle_error_set(err, LADLE_E_USAGE, "--time-format: '%s' ends in a lone %%",
                                   fmt);
        case '%': st = add(out, 0, '%', fmt, err); break;
        case 'T': st = add_all(out, "H:M:S", fmt, err); break;
        case 'F': st = add_all(out, "Y-m-d", fmt, err); break;
        case 'R': st = add_all(out, "H:M", fmt, err); break;
        case 'Y':
        case 'y':
        case 'm':
        case 'd':
        case 'e':
        case 'j':
        case 'H':
        case 'I':
        case 'p':
        case 'M':
        case 'S':
        case 'f':
        case 'L':
        case 'b':
        case 'B':
        case 'h':
        case 'a':
        case 'A':
        case 'z':
        case 'Z':
        case 's': st = add(out, c, 0, fmt, err); break;
        default:
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "--time-format: unknown directive %%%c in '%s' (known: %%Y %%y "
                                   "%%m %%d %%e %%j %%H %%I %%p %%M %%S %%f %%L %%b %%a %%z %%Z "
                                   "%%s %%T %%F %%R %%%%)",
                                   c, fmt);
        }
    }
    return st == LADLE_OK ? check(out, fmt, err) : st;
}

/* ---- running a format ---- */

struct tm_parts {
    int64_t year, epoch;
    int mon, day, yday, hour, min, sec, wday, pm;
    int64_t frac;
    int32_t zone;
    int epoch_neg;
};

static inline unsigned digit(char c)
{
    return (unsigned)(unsigned char)c - (unsigned)'0';
}

static inline char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* 1..width digits at s[*i]; the value in *out. */
static int number(const char *s, size_t len, size_t *i, int width, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    unsigned d;
    while (n < width && *i < len && (d = digit(s[*i])) <= 9) {
        v = v * 10 + d;
        (*i)++;
        n++;
    }
    *out = v;
    return n ? n : -1;
}

static int in_range(const char *s, size_t len, size_t *i, int width, int lo, int hi, int *out)
{
    int64_t v;
    if (number(s, len, i, width, &v) < 0 || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* An English name from table (3-letter abbreviation, or in full). */
static int name(const char *s, size_t len, size_t *i, const char (*table)[10], int count)
{
    if (len - *i < 3)
        return -1;
    for (int k = 0; k < count; k++) {
        const char *nm = table[k];
        if (lower(s[*i]) != nm[0] || lower(s[*i + 1]) != nm[1] || lower(s[*i + 2]) != nm[2])
            continue;
        size_t j = *i + 3, m = 3;
        while (nm[m] && j < len && lower(s[j]) == nm[m])
            j++, m++;
        *i = nm[m] ? *i + 3 : j; /* the full name, or just its abbreviation */
        return k;
    }
    return -1;
}

static int zone_offset(const char *s, size_t len, size_t *i, int32_t *out)
{
    char c = s[*i];
    int h, m = 0;
    if (c == 'Z' || c == 'z') {
        (*i)++;
        *out = 0;
        return 0;
    }
    if (c != '+' && c != '-')
        return -1;
    size_t j = *i + 1;
    if (len - j < 2 || digit(s[j]) > 9 || digit(s[j + 1]) > 9)
        return -1;
    h = (int)(digit(s[j]) * 10 + digit(s[j + 1]));
    j += 2;
    size_t k = j + (j < len && s[j] == ':');
    if (len - k >= 2 && digit(s[k]) <= 9 && digit(s[k + 1]) <= 9) {
        m = (int)(digit(s[k]) * 10 + digit(s[k + 1]));
        j = k + 2;
    }
    if (h > 23 || m > 59)
        return -1;
    *out = (c == '-' ? -1 : 1) * (h * 3600 + m * 60);
    *i = j;
    return 0;
}

static int zone_name(const char *s, size_t len, size_t *i)
{
    static const char names[4][4] = {"utc", "gmt", "ut", "z"};
    size_t j = *i;
    while (j < len && ((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z'))
        j++;
    for (int k = 0; k < 4; k++) {
        size_t n = 0;
        while (names[k][n] && *i + n < j && lower(s[*i + n]) == names[k][n])
            n++;
        if (!names[k][n] && *i + n == j) {
            *i = j;
            return 0;
        }
    }
    return -1;
}

/* Epoch seconds, optionally signed, at most 12 digits (beyond the int64 ns range). */
static int epoch(const char *s, size_t len, size_t *i, struct tm_parts *t)
{
    t->epoch_neg = *i < len && s[*i] == '-';
    *i += (size_t)t->epoch_neg;
    if (number(s, len, i, 12, &t->epoch) < 0 || (*i < len && digit(s[*i]) <= 9))
        return -1;
    if (t->epoch_neg)
        t->epoch = -t->epoch;
    return 0;
}

static int fraction(const char *s, size_t len, size_t *i, int ms, int64_t *frac)
{
    int64_t v;
    int n = number(s, len, i, ms ? 3 : 9, &v);
    if (n < 0 || (*i < len && digit(s[*i]) <= 9))
        return -1;
    static const int64_t scale[10] = {1,      10,      100,      1000,      10000,
                                      100000, 1000000, 10000000, 100000000, 1000000000};
    *frac = ms ? v * 1000000 : v * scale[9 - n];
    return 0;
}

/* One step at s[*i]. */
static int step(const struct ladle_time_step *st, const char *s, size_t len, size_t *i,
                struct tm_parts *t)
{
    int64_t v;
    switch (st->kind) {
    case 0: return *i < len && s[*i] == st->lit ? (int)(++*i, 0) : -1;
    case ' ':
        while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
            (*i)++;
        return 0;
    case 'Y':
        if (number(s, len, i, 4, &v) < 0)
            return -1;
        t->year = v;
        return 0;
    case 'y':
        if (number(s, len, i, 2, &v) < 0)
            return -1;
        t->year = v + (v >= 69 ? 1900 : 2000);
        return 0;
    case 'm': return in_range(s, len, i, 2, 1, 12, &t->mon);
    case 'e':
        if (*i < len && s[*i] == ' ')
            (*i)++;
        return in_range(s, len, i, 2, 1, 31, &t->day);
    case 'd': return in_range(s, len, i, 2, 1, 31, &t->day);
    case 'j': return in_range(s, len, i, 3, 1, 366, &t->yday);
    case 'H': return in_range(s, len, i, 2, 0, 23, &t->hour);
    case 'I': return in_range(s, len, i, 2, 1, 12, &t->hour);
    case 'M': return in_range(s, len, i, 2, 0, 59, &t->min);
    case 'S': return in_range(s, len, i, 2, 0, 60, &t->sec);
    case 'f': return fraction(s, len, i, 0, &t->frac);
    case 'L': return fraction(s, len, i, 1, &t->frac);
    case 'p':
        if (len - *i < 2 || lower(s[*i + 1]) != 'm' || (lower(s[*i]) != 'a' && lower(s[*i]) != 'p'))
            return -1;
        t->pm = lower(s[*i]) == 'p';
        *i += 2;
        return 0;
    case 'b':
    case 'B':
    case 'h': return (t->mon = name(s, len, i, months, 12) + 1) > 0 ? 0 : -1;
    case 'a':
    case 'A': return (t->wday = name(s, len, i, weekdays, 7)) >= 0 ? 0 : -1;
    case 'z': return *i < len ? zone_offset(s, len, i, &t->zone) : -1;
    case 'Z': return zone_name(s, len, i);
    case 's': return epoch(s, len, i, t);
    default: return -1;
    }
}

int ladle_time_format_parse(const struct ladle_time_format *f, const char *s, size_t len,
                            struct ladle_time_parts *out)
{
    struct tm_parts t = {.year = 1970, .mon = 1, .day = 1, .wday = -1};
    size_t i = 0;
    for (unsigned k = 0; k < f->n; k++)
        if (step(&f->step[k], s, len, &i, &t))
            return -1;
    if (i != len)
        return -1;
    if (f->have & bit('s')) {
        out->secs = t.epoch;
        out->frac = t.frac;
        if (t.epoch_neg && t.frac) { /* "-1.5" is 1.5 s before the epoch */
            out->secs -= 1;
            out->frac = LADLE_NS_PER_SEC - t.frac;
        }
        out->zoned = 1;
        return 0;
    }
    if (t.yday) {
        if (t.yday > 365 + ladle_civil_is_leap(t.year))
            return -1;
        t.mon = 1;
        t.day = t.yday;
    } else if (t.day > ladle_civil_days_in_month(t.year, t.mon)) {
        return -1;
    }
    int64_t days = ladle_civil_days(t.year, t.mon, 1) + t.day - 1;
    if (t.wday >= 0 && ladle_civil_weekday(days) != t.wday)
        return -1;
    if (f->have & bit('p'))
        t.hour = t.hour % 12 + (t.pm ? 12 : 0);
    if (t.sec == 60) { /* leap second: the minute's last nanosecond */
        t.sec = 59;
        t.frac = LADLE_NS_PER_SEC - 1;
    }
    out->secs = days * 86400 + t.hour * 3600 + t.min * 60 + t.sec - t.zone;
    out->frac = t.frac;
    out->zoned = (f->have & (bit('z') | bit('Z'))) != 0;
    return 0;
}

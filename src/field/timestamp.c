/*
 * timestamp.c -- a field value as an instant (see timestamp.h for the
 * accepted forms).
 *
 * Hot path: one pass over the bytes, fixed positions for the RFC 3339
 * form, no locale, no allocation. strptime/timegm/mktime are avoided on
 * purpose: they consult the locale and TZ (and take locks to do so), and
 * are many times slower than the arithmetic below. A civil date becomes a
 * day count with Howard Hinnant's days_from_civil, exact for every
 * proleptic Gregorian date. Out-of-range values must be rejected, never
 * wrapped, so each step that could leave int64 goes through the compiler's
 * checked arithmetic (__builtin_*_overflow: one instruction and a branch).
 *
 * Which form a value has is decided by its fifth byte: a '-' there (after
 * at least 10 bytes) means a date, anything else an epoch number.
 */
#include "field/timestamp.h"

#define NS_PER_SEC 1000000000LL
#define NS_PER_MS 1000000LL
/* Epoch integers of this magnitude and above are milliseconds. */
#define EPOCH_MS_FROM 100000000000ULL
/* Past this the integer cannot fit as ms either; stops accumulation early. */
#define EPOCH_INT_CAP 100000000000000000ULL

static const int64_t pow10_tab[10] = {1,      10,      100,      1000,      10000,
                                      100000, 1000000, 10000000, 100000000, 1000000000};

/* The digit's value, or something > 9 when c is not a digit. */
static inline unsigned digit(char c)
{
    return (unsigned)(unsigned char)c - (unsigned)'0';
}

/* Exactly two digits at p (the caller has checked both bytes are in range). */
static inline int two_digits(const char *p, int *out)
{
    unsigned a = digit(p[0]), b = digit(p[1]);
    if (a > 9 || b > 9)
        return -1;
    *out = (int)(a * 10 + b);
    return 0;
}

/* 1 or more digits from s[*pos]; the first `keep` make the value in units
 * of 10^-keep, the rest are dropped. More than `limit` digits: -1. */
static int parse_fraction(const char *s, size_t len, size_t *pos, size_t keep, size_t limit,
                          int64_t *out)
{
    size_t i = *pos, n = 0;
    int64_t f = 0;
    unsigned d;
    while (i < len && (d = digit(s[i])) <= 9) {
        if (n < keep)
            f = f * 10 + d;
        n++;
        i++;
    }
    if (n == 0 || n > limit)
        return -1;
    if (n < keep)
        f *= pow10_tab[keep - n];
    *pos = i;
    *out = f;
    return 0;
}

static int parse_epoch(const char *s, size_t len, int64_t *ns)
{
    size_t i = 0;
    int neg = s[0] == '-';
    if (neg)
        i = 1;
    size_t start = i;
    uint64_t v = 0;
    unsigned d;
    while (i < len && (d = digit(s[i])) <= 9) {
        if (v >= EPOCH_INT_CAP)
            return -1;
        v = v * 10 + d;
        i++;
    }
    if (i == start)
        return -1;
    int ms = v >= EPOCH_MS_FROM;
    int64_t frac = 0;
    if (i < len) {
        if (s[i] != '.')
            return -1;
        i++;
        /* 10^-9 s or 10^-6 ms: either way, ns */
        size_t digits = ms ? 6 : 9;
        if (parse_fraction(s, len, &i, digits, digits, &frac) || i != len)
            return -1;
    }
    int64_t r;
    if (__builtin_mul_overflow((int64_t)v, ms ? NS_PER_MS : NS_PER_SEC, &r))
        return -1;
    /* r >= 0 here, so -r cannot overflow; -r - frac reaches INT64_MIN exactly. */
    if (neg ? __builtin_sub_overflow(-r, frac, &r) : __builtin_add_overflow(r, frac, &r))
        return -1;
    *ns = r;
    return 0;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 ? 28 + is_leap(y) : dim[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), after Howard
 * Hinnant, "chrono-Compatible Low-Level Date Algorithms": years start in
 * March so the leap day is last, and 400-year eras repeat exactly. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* secs + frac ns (0 <= frac < 1e9) as ns, or -1 outside int64. */
static int combine(int64_t secs, int64_t frac, int64_t *ns)
{
    /* Borrow a second so that secs * 1e9 stays in range for the earliest
     * instants (1677-09-21T00:12:43.1...: secs * 1e9 alone is below INT64_MIN). */
    if (secs < 0 && frac > 0) {
        secs += 1;
        frac -= NS_PER_SEC;
    }
    int64_t r;
    if (__builtin_mul_overflow(secs, NS_PER_SEC, &r) || __builtin_add_overflow(r, frac, &r))
        return -1;
    *ns = r;
    return 0;
}

/* The zone at s[*pos] (something is there): its offset east of UTC. */
static int parse_zone(const char *s, size_t len, size_t *pos, int64_t *offset)
{
    size_t i = *pos;
    char c = s[i];
    if (c == 'Z' || c == 'z') {
        *offset = 0;
        *pos = i + 1;
        return 0;
    }
    if (c != '+' && c != '-')
        return -1;
    int oh, om = 0;
    if (len - i < 3 || two_digits(s + i + 1, &oh))
        return -1;
    i += 3;
    if (i < len) {
        if (s[i] == ':')
            i++;
        if (len - i < 2 || two_digits(s + i, &om))
            return -1;
        i += 2;
    }
    if (oh > 23 || om > 59)
        return -1;
    int64_t off = oh * 3600 + om * 60;
    *offset = c == '-' ? -off : off;
    *pos = i;
    return 0;
}

/* len >= 10 (checked by the caller). */
static int parse_rfc3339(const char *s, size_t len, int64_t *ns)
{
    int yh, yl, mo, d;
    if (two_digits(s, &yh) || two_digits(s + 2, &yl) || s[4] != '-' || two_digits(s + 5, &mo) ||
        s[7] != '-' || two_digits(s + 8, &d))
        return -1;
    int64_t year = yh * 100 + yl;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(year, mo))
        return -1;
    int64_t secs = days_from_civil(year, mo, d) * 86400;
    int64_t frac = 0;
    size_t i = 10;
    if (i == len)
        return combine(secs, 0, ns);

    char sep = s[i];
    if (sep != 'T' && sep != 't' && sep != ' ')
        return -1;
    int h, mi, sec = 0;
    if (len - i < 6 || two_digits(s + i + 1, &h) || s[i + 3] != ':' || two_digits(s + i + 4, &mi))
        return -1;
    if (h > 23 || mi > 59)
        return -1;
    i += 6;
    if (i < len && s[i] == ':') {
        if (len - i < 3 || two_digits(s + i + 1, &sec) || sec > 60)
            return -1;
        i += 3;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            i++;
            if (parse_fraction(s, len, &i, 9, SIZE_MAX, &frac))
                return -1;
        }
        if (sec == 60) { /* leap second: the minute's last nanosecond */
            sec = 59;
            frac = NS_PER_SEC - 1;
        }
    }
    secs += h * 3600 + mi * 60 + sec;
    if (i < len) {
        int64_t offset;
        if (parse_zone(s, len, &i, &offset) || i != len)
            return -1;
        secs -= offset;
    }
    return combine(secs, frac, ns);
}

int ladle_parse_time(const char *s, size_t len, int64_t *ns)
{
    if (len == 0)
        return -1;
    if (len >= 10 && s[4] == '-')
        return parse_rfc3339(s, len, ns);
    return parse_epoch(s, len, ns);
}

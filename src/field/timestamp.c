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
 * Which form a value has is decided by its first bytes: a letter means
 * asctime, a '-' at the fifth byte (after at least 10 bytes) a date,
 * anything else an epoch number.
 */
#include "field/timestamp.h"

#include <stdio.h>
#include <string.h>

#include "field/civil.h"
#include "field/time_format.h"
#include "field/tz.h"

#define NS_PER_SEC LADLE_NS_PER_SEC
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

/* Epoch integers with fewer digits are refused when reading fields. */
#define EPOCH_MIN_DIGITS 10

static int parse_epoch(const char *s, size_t len, int strict, int64_t *ns)
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
    if (i == start || (strict && i - start < EPOCH_MIN_DIGITS))
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

/* hh SEP mm SEP ss at s[*pos] (8 bytes), then an optional fraction after
 * '.' or ','; sec 60 is a leap second. */
static int clock_time(const char *s, size_t len, size_t *pos, char sep, int64_t *secs,
                      int64_t *frac)
{
    size_t i = *pos;
    int h, mi, sec;
    if (len - i < 8 || two_digits(s + i, &h) || s[i + 2] != sep || two_digits(s + i + 3, &mi) ||
        s[i + 5] != sep || two_digits(s + i + 6, &sec) || h > 23 || mi > 59 || sec > 60)
        return -1;
    i += 8;
    *frac = 0;
    if (i < len && (s[i] == '.' || (s[i] == ',' && sep == ':'))) {
        i++;
        if (parse_fraction(s, len, &i, 9, SIZE_MAX, frac))
            return -1;
    }
    if (sec == 60) { /* leap second: the minute's last nanosecond */
        sec = 59;
        *frac = NS_PER_SEC - 1;
    }
    *secs = h * 3600 + mi * 60 + sec;
    *pos = i;
    return 0;
}

/* RFC 3339 and DB2 (len >= 10, checked by the caller). */
static int parse_date_time(const char *s, size_t len, struct ladle_time_parts *out)
{
    int yh, yl, mo, d;
    if (two_digits(s, &yh) || two_digits(s + 2, &yl) || s[4] != '-' || two_digits(s + 5, &mo) ||
        s[7] != '-' || two_digits(s + 8, &d))
        return -1;
    int64_t year = yh * 100 + yl;
    if (mo < 1 || mo > 12 || d < 1 || d > ladle_civil_days_in_month(year, mo))
        return -1;
    out->secs = ladle_civil_days(year, mo, d) * 86400;
    out->frac = 0;
    out->zoned = 0;
    size_t i = 10;
    if (i == len)
        return 0;
    char sep = s[i];
    int64_t tod;
    if (sep == '-') { /* DB2: 2005-06-03-15.42.50.675872 */
        i++;
        if (clock_time(s, len, &i, '.', &tod, &out->frac) || i != len)
            return -1;
        out->secs += tod;
        return 0;
    }
    if (sep != 'T' && sep != 't' && sep != ' ')
        return -1;
    int h, mi;
    if (len - i < 6 || two_digits(s + i + 1, &h) || s[i + 3] != ':' || two_digits(s + i + 4, &mi))
        return -1;
    if (h > 23 || mi > 59)
        return -1;
    if (len - i >= 9 && s[i + 6] == ':') {
        i++;
        if (clock_time(s, len, &i, ':', &tod, &out->frac))
            return -1;
    } else {
        tod = h * 3600 + mi * 60;
        i += 6;
    }
    out->secs += tod;
    if (i < len) {
        int64_t offset;
        if (parse_zone(s, len, &i, &offset) || i != len)
            return -1;
        out->secs -= offset;
        out->zoned = 1;
    }
    return 0;
}

/* Auto-detected forms. 1: *ns is set (an epoch number); 0: *parts is; -1. */
static int parse_auto(const char *s, size_t len, int strict, struct ladle_time_parts *parts,
                      int64_t *ns)
{
    if (len == 0)
        return -1;
    char c0 = (char)(s[0] | 0x20);
    if (c0 >= 'a' && c0 <= 'z')
        return ladle_time_format_parse(&ladle_time_format_asctime, s, len, parts);
    if (len >= 10 && s[4] == '-')
        return parse_date_time(s, len, parts);
    return parse_epoch(s, len, strict, ns) == 0 ? 1 : -1;
}

static int finish(const struct ladle_time_parts *p, const struct ladle_tz *tz, int64_t *ns)
{
    int64_t secs = p->secs;
    if (!p->zoned && tz && __builtin_sub_overflow(secs, ladle_tz_offset_of_wall(tz, secs), &secs))
        return -1;
    return ladle_civil_combine(secs, p->frac, ns);
}

int ladle_parse_time_tz(const char *s, size_t len, const struct ladle_tz *tz, int64_t *ns)
{
    struct ladle_time_parts p;
    int r = parse_auto(s, len, 0, &p, ns);
    return r == 0 ? finish(&p, tz, ns) : r == 1 ? 0 : -1;
}

int ladle_parse_time(const char *s, size_t len, int64_t *ns)
{
    return ladle_parse_time_tz(s, len, NULL, ns);
}

int ladle_read_time(const struct ladle_time_reader *r, const char *s, size_t len, int64_t *ns)
{
    struct ladle_time_parts p;
    if (r->fmt)
        return ladle_time_format_parse(r->fmt, s, len, &p) == 0 ? finish(&p, r->tz, ns) : -1;
    int got = parse_auto(s, len, 1, &p, ns);
    return got == 0 ? finish(&p, r->tz, ns) : got == 1 ? 0 : -1;
}

/* ---- why a value was refused (cold) ---- */

/* s starts with shape, where '9' is a digit and any other byte itself. */
static int shaped(const char *s, size_t len, const char *shape)
{
    for (size_t i = 0; shape[i]; i++)
        if (i == len || (shape[i] == '9' ? digit(s[i]) > 9 : s[i] != shape[i]))
            return 0;
    return 1;
}

static int all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (digit(s[i]) > 9)
            return 0;
    return len > 0;
}

static int digits_and_blanks(const char *s, size_t len)
{
    int blanks = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ')
            blanks++;
        else if (digit(s[i]) > 9)
            return 0;
    }
    return blanks > 0 && blanks < (int)len;
}

static int colons(const char *s, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == ':';
    return n;
}

int ladle_time_why(const struct ladle_time_reader *r, const char *s, size_t len, char *buf,
                   size_t cap)
{
    size_t n = len, i = len && s[0] == '-';
    if (r->fmt) {
        snprintf(buf, cap, "does not match --time-format '%s'", r->fmt_text);
        return 0;
    }
    for (n = i; n < len && digit(s[n]) <= 9;)
        n++;
    if (n > i && (n == len || (s[n] == '.' && all_digits(s + n + 1, len - n - 1))) &&
        n - i < EPOCH_MIN_DIGITS) {
        int y, m, d;
        const char *hint = "";
        if (n - i == 8 && !i && !two_digits(s + 4, &m) && !two_digits(s + 6, &d) && m >= 1 &&
            m <= 12 && d >= 1 && d <= 31 && !two_digits(s, &y) && y >= 19 && y <= 21)
            hint = " (%Y%m%d?)";
        else if (n - i == 6 && !i && !two_digits(s + 2, &m) && !two_digits(s + 4, &d) && m >= 1 &&
                 m <= 12 && d >= 1 && d <= 31)
            hint = " (%y%m%d?)";
        snprintf(buf, cap,
                 "is a bare number of %zu digits, not an epoch time (10+ digits) -- give "
                 "--time-format%s, or --time-format %%s for epoch seconds",
                 n - i, hint);
        return 1;
    }
    static const char plain[] = "is not a timestamp (epoch s or ms, RFC 3339, asctime or DB2 "
                                "forms) -- give --time-format";
    const char *why = plain;
    if (shaped(s, len, "99/99/99") || shaped(s, len, "99-99-99") || shaped(s, len, "99.99.99"))
        why = "has day, month and year in an order that cannot be told -- give --time-format "
              "(%y/%m/%d, %d/%m/%y or %m/%d/%y)";
    else if (shaped(s, len, "99-99 99:99") || shaped(s, len, "99/99 99:99"))
        why = "has no year -- give --time-format (e.g. '%m-%d %H:%M:%S.%f'; the year is then "
              "1970)";
    else if (len > 4 && s[3] == ' ' && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') &&
             !memchr(s, ':', 4) && all_digits(s + len - 2, 2) && len < 20)
        why = "has no year (syslog) -- give --time-format '%b %d %H:%M:%S' (the year is then "
              "1970)";
    else if (shaped(s, len, "9999.99.99") || shaped(s, len, "9999/99/99"))
        why = "is a date with '.' or '/' -- give --time-format (e.g. '%Y.%m.%d', or "
              "'%Y/%m/%d %H:%M:%S' for date and time fields)";
    else if (digits_and_blanks(s, len))
        why = "is numbers apart from blanks (compact date and time fields?) -- give "
              "--time-format (e.g. '%y%m%d %H%M%S' for HDFS's Date,Time)";
    else if (shaped(s, len, "99999999-9") && colons(s, len) == 3)
        why = "ends in milliseconds written without zero padding (HealthApp) -- give "
              "--time-format '%Y%m%d-%H:%M:%S:%L'";
    snprintf(buf, cap, "%s", why);
    return why != plain;
}

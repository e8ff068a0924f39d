/*
 * civil.h -- proleptic Gregorian calendar arithmetic shared by the
 * timestamp parsers (timestamp.c, time_format.c) and the zone reader
 * (tz.c). Pure integer arithmetic: no libc time functions, no locale.
 */
#ifndef LADLE_FIELD_CIVIL_H
#define LADLE_FIELD_CIVIL_H

#include <stdint.h>

#define LADLE_NS_PER_SEC 1000000000LL

static inline int ladle_civil_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static inline int ladle_civil_days_in_month(int64_t y, int m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 ? 28 + ladle_civil_is_leap(y) : dim[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), after Howard
 * Hinnant, "chrono-Compatible Low-Level Date Algorithms": years start in
 * March so the leap day is last, and 400-year eras repeat exactly. */
static inline int64_t ladle_civil_days(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* Day of the week of a day count: 0 Sunday .. 6 Saturday (1970-01-01 was a Thursday). */
static inline int ladle_civil_weekday(int64_t days)
{
    int64_t w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

/* secs + frac ns (0 <= frac < 1e9) as ns; -1 outside int64. */
static inline int ladle_civil_combine(int64_t secs, int64_t frac, int64_t *ns)
{
    /* Borrow a second so that secs * 1e9 stays in range for the earliest
     * instants (1677-09-21T00:12:43.1...: secs * 1e9 alone is below INT64_MIN). */
    if (secs < 0 && frac > 0) {
        secs += 1;
        frac -= LADLE_NS_PER_SEC;
    }
    int64_t r;
    if (__builtin_mul_overflow(secs, LADLE_NS_PER_SEC, &r) || __builtin_add_overflow(r, frac, &r))
        return -1;
    *ns = r;
    return 0;
}

#endif

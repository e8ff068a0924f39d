/*
 * time_format.h -- a strptime-style format (--time-format), compiled once
 * into a small program of steps and run on each field value.
 *
 * Unlike strptime: no locale (English month and weekday names only), no
 * TZ, no allocation, no libc time functions; thread-safe (the compiled
 * program is read-only). The whole value must match the whole format.
 *
 * Directives:
 *   %Y  year, 1-4 digits          %y  year 00-99: 69-99 -> 19yy, else 20yy
 *   %m  month 1-12 (1-2 digits)   %d  day 1-31 (1-2 digits)
 *   %e  day, may be space-padded  %j  day of the year 1-366 (1-3 digits)
 *   %H  hour 0-23                 %I  hour 1-12 (needs %p)
 *   %p  AM or PM (any case)       %M  minute 0-59
 *   %S  second 0-60 (60: a leap second, read as the minute's last ns)
 *   %f  fraction of a second, 1-9 digits (".5" is half a second)
 *   %L  milliseconds as an integer, 1-3 digits ("11" is 11 ms, not .11 s)
 *   %b  month name: English abbreviation or full name, any case (%h, %B)
 *   %a  weekday name, as %b (%A); checked against the date
 *   %z  zone offset: Z, +hh, +hhmm, +hh:mm (or '-')
 *   %Z  zone name: UTC, UT, GMT or Z only (other abbreviations such as CET
 *       or EST name several offsets: use %z or --tz)
 *   %s  seconds since the epoch (sign allowed): a whole instant, only %f
 *       or %L may go with it
 *   %T  = %H:%M:%S   %F = %Y-%m-%d   %R = %H:%M   %%  a '%'
 * A blank in the format matches any run of blanks (also none); any other
 * byte matches itself. A missing year is 1970, a missing month or day 1,
 * a missing time of day 00:00:00. */
#ifndef LADLE_FIELD_TIME_FORMAT_H
#define LADLE_FIELD_TIME_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define LADLE_TIME_FORMAT_STEPS 64

struct ladle_time_step {
    char kind; /* the directive letter; 0: the literal lit; ' ': blanks */
    char lit;
};

struct ladle_time_format {
    unsigned n;
    uint64_t have; /* which directives occur (one bit per letter) */
    struct ladle_time_step step[LADLE_TIME_FORMAT_STEPS];
};

/* What a value says: seconds since 1970-01-01T00:00:00 (of UTC when
 * zoned, of the local wall clock otherwise) and a fraction in ns. */
struct ladle_time_parts {
    int64_t secs;
    int64_t frac; /* 0 .. 999999999 */
    int zoned;    /* %z, %Z or %s: the value says where it is */
};

/* Compiles fmt into *out. LADLE_E_USAGE naming the directive on an
 * unknown directive, a lone '%' at the end, a repeated field, %I without
 * %p (or the reverse), %s with date or time fields, %j with %m or %d, or
 * a format longer than LADLE_TIME_FORMAT_STEPS steps. */
ladle_status ladle_time_format_compile(struct ladle_time_format *out, const char *fmt,
                                       struct ladle_error *err);

/* Reads s[0..len) (never past it) with f. Returns 0 and fills *out, or -1
 * when the value does not match or names no real date and time. */
int ladle_time_format_parse(const struct ladle_time_format *f, const char *s, size_t len,
                            struct ladle_time_parts *out);

/* The asctime/ctime form "Sun Dec 04 04:47:44 2005" (also "Dec  4"), as
 * Apache writes it: "%a %b %e %H:%M:%S %Y". */
extern const struct ladle_time_format ladle_time_format_asctime;

#endif

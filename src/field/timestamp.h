/*
 * timestamp.h -- a field value read as an instant (nanoseconds since the
 * Unix epoch, UTC), for the designs that sample or split by time.
 *
 * Called once per record on the hot path: no locale, no TZ, no libc time
 * functions, no allocation; safe to call from any thread.
 */
#ifndef LADLE_FIELD_TIMESTAMP_H
#define LADLE_FIELD_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

struct ladle_time_format;
struct ladle_tz;

/* How a run reads its time field: the user's --time-format (NULL: the
 * forms below, strictly) and --tz (NULL: UTC) for values without a zone. */
struct ladle_time_reader {
    const struct ladle_time_format *fmt; /* borrowed */
    const char *fmt_text;                /* borrowed: for messages */
    const struct ladle_tz *tz;           /* borrowed */
};

/* Parses the len bytes at s (borrowed; not NUL-terminated, never read past
 * s + len) as a timestamp. Returns 0 and sets *ns to nanoseconds since
 * 1970-01-01T00:00:00Z, or returns -1 and leaves *ns untouched.
 *
 * Accepted forms (the whole of s must match; no surrounding blanks):
 *
 * - Epoch number: ['-'] DIGITS ['.' DIGITS]. Read as seconds, except that
 *   an integer part of magnitude >= 10^11 (100000000000, whatever its
 *   leading zeros) is read as milliseconds: 10^11 s lies beyond year 5000
 *   and could never fit, while 10^11 ms is 1973-03-03, so every epoch-ms
 *   value from then on is recognized ("1700000000123"). The fraction has
 *   1..9 digits for seconds ("1700000000.123456") and 1..6 for
 *   milliseconds; the sign applies to the whole value ("-1.5" is -1.5 s).
 *   No '+', no exponent ("1e9"), no ',' here. An all-digit value such as
 *   "20240305" is therefore epoch seconds, never a compact date (but see
 *   ladle_read_time, which refuses it).
 *
 * - RFC 3339 / ISO 8601 extended: YYYY-MM-DD [SEP hh:mm [:ss [FRAC]] [ZONE]]
 *     YYYY   exactly 4 digits; MM, DD, hh, mm, ss exactly 2 digits.
 *     SEP    'T', 't' or one space. A date alone is midnight UTC.
 *     FRAC   '.' or ',' (log4j and Python logging write ',') and 1 or more
 *            digits; digits past the 9th are dropped (truncation, toward
 *            the past). Only after seconds.
 *     ZONE   'Z', 'z', +hh, +hhmm, +hh:mm, or the same with '-' (hh <= 23,
 *            mm <= 59; "-00:00" is UTC). No zone means UTC, never local.
 *   The date must exist in the proleptic Gregorian calendar (2024-02-29 and
 *   2000-02-29 yes, 2023-02-29 and 1900-02-29 no). hh 00..23 (24:00 is
 *   rejected), mm 00..59, ss 00..60: a leap second (ss = 60, any minute,
 *   any fraction) is read as the last nanosecond of that minute (ss =
 *   59.999999999), so it sorts after every other instant of the minute and
 *   before the next one; POSIX time has no slot of its own for it.
 *
 * - DB2 / BGL: YYYY-MM-DD-hh.mm.ss[.FRAC] ("2005-06-03-15.42.50.675872"),
 *   no zone.
 *
 * - asctime / ctime (Apache): "Sun Dec 04 04:47:44 2005", the day may be
 *   space-padded ("Dec  4"); English names, any case; the weekday must be
 *   the date's. No zone.
 *
 * Range: only instants that fit an int64 of nanoseconds, that is
 * 1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z
 * (epoch -9223372036.854775808 .. 9223372036.854775807 s); anything
 * outside is rejected, not clamped or wrapped. */
int ladle_parse_time(const char *s, size_t len, int64_t *ns);

/* As ladle_parse_time, but a value without a zone is the wall time of tz
 * (NULL: UTC). For --cutoffs. */
int ladle_parse_time_tz(const char *s, size_t len, const struct ladle_tz *tz, int64_t *ns);

/* A field value as an instant, the way a run reads it (hot path; no
 * allocation, thread-safe). With r->fmt: that format (time_format.h).
 * Without: the forms of ladle_parse_time, except that a bare epoch number
 * needs 10 or more integer digits (1000000000 is 2001-09-09): shorter ones
 * ("081109", "20240305") are far more often compact dates than 1970s
 * epoch seconds, and are refused. Zone-less values are read in r->tz.
 * Returns 0 and sets *ns, or -1. */
int ladle_read_time(const struct ladle_time_reader *r, const char *s, size_t len, int64_t *ns);

/* Why ladle_read_time refused s (cold path, for the error message): a
 * phrase that follows "value 'V' ", such as "is a bare number of 6 digits,
 * not an epoch time (10+ digits) -- give --time-format (%y%m%d?)".
 * Returns 1 when the value has a form that only --time-format can read
 * (a short bare number, day-month-year order, no year, HealthApp's
 * milliseconds): every record like it would fail the same way, so it is
 * an error whatever --missing says. Else 0 (a malformed value). */
int ladle_time_why(const struct ladle_time_reader *r, const char *s, size_t len, char *buf,
                   size_t cap);

#endif

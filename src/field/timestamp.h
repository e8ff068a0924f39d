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
 *   "20240305" is therefore epoch seconds, never a compact date.
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
 * Range: only instants that fit an int64 of nanoseconds, that is
 * 1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z
 * (epoch -9223372036.854775808 .. 9223372036.854775807 s); anything
 * outside is rejected, not clamped or wrapped. */
int ladle_parse_time(const char *s, size_t len, int64_t *ns);

#endif

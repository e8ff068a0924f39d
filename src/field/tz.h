/*
 * tz.h -- a time zone for zone-less timestamps (--tz): local wall time to
 * UTC.
 *
 * A zone is loaded once at start (allocation, file I/O) and then read by
 * every thread: the per-record conversion is a binary search over the
 * zone's transitions, without allocation or locks.
 */
#ifndef LADLE_FIELD_TZ_H
#define LADLE_FIELD_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct ladle_tz;

/* Loads the zone called name:
 * - "UTC", "GMT", "Z" (any case): UTC;
 * - a fixed offset east of UTC: +hh, +hhmm, +hh:mm or the same with '-'
 *   (hh <= 23, mm <= 59);
 * - an IANA name ("Europe/Paris"): the TZif file of that name under $TZDIR,
 *   or /usr/share/zoneinfo when TZDIR is unset or empty.
 * LADLE_E_USAGE when the name is malformed, the file is missing or is not
 * a TZif file ("--tz: ..."). */
ladle_status ladle_tz_load(struct ladle_tz **out, const char *name, struct ladle_error *err);

/* The zone in the TZif bytes buf[0..len) (RFC 8536, versions 1 to 4: the
 * 64-bit block of v2+ files, else the 32-bit one). Times after the last
 * transition follow the footer's POSIX TZ rule (std offset [dst [offset]
 * [,start[/time],end[/time]]] with Jn, n and Mm.w.d dates), expanded into
 * transitions up to the year 2300. Leap-second records are skipped (POSIX
 * time has none). Returns 0 and sets *out, or -1 when buf is not a
 * well-formed TZif file or memory runs out. Untrusted bytes welcome. */
int ladle_tz_parse_tzif(struct ladle_tz **out, const unsigned char *buf, size_t len);

void ladle_tz_free(struct ladle_tz *tz);

/* The offset east of UTC, in seconds, of the local wall time `wall`
 * (seconds since 1970-01-01T00:00:00 of that local clock), so that
 * UTC = wall - offset. A wall time that occurs twice (clocks set back)
 * takes the earlier instant; one that never occurs (clocks set forward)
 * is read in the offset before the change. NULL tz: 0 (UTC). */
int32_t ladle_tz_offset_of_wall(const struct ladle_tz *tz, int64_t wall);

#endif

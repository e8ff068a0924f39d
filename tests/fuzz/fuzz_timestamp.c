/*
 * fuzz_timestamp.c -- the timestamp parser (src/field/timestamp.c) on
 * arbitrary bytes, with two independent oracles:
 *
 * - "YYYY-MM-DDThh:mm:ss" with an optional 'Z' (or ' ' for 'T'), years
 *   1700..2200: accepted exactly when the date and time exist (glibc's
 *   timegm, which normalizes, must give the same fields back; a leap
 *   second, ss = 60, is left out), and then equal to timegm's second;
 * - an unsigned integer of 1..10 digits: seconds, accepted exactly when
 *   they fit int64 nanoseconds.
 *
 * Anything else only has to be parsed without a crash or UB. The input is
 * copied to an exact-size buffer, so a read past len is an ASan finding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "field/timestamp.h"

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* 1 and *want set when s is the simple RFC 3339 form; *valid: the instant exists. */
static int simple_form(const char *s, size_t len, int *valid, int64_t *want)
{
    if (!(len == 19 || (len == 20 && (s[19] == 'Z' || s[19] == 'z'))))
        return 0;
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
        !(s[10] == 'T' || s[10] == 't' || s[10] == ' ') || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return 0;
    int year = num(s, 4), mon = num(s + 5, 2), day = num(s + 8, 2);
    int hh = num(s + 11, 2), mm = num(s + 14, 2), ss = num(s + 17, 2);
    if (year < 1700 || year > 2200 || ss == 60)
        return 0;
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = mon - 1,
                    .tm_mday = day,
                    .tm_hour = hh,
                    .tm_min = mm,
                    .tm_sec = ss};
    time_t t = timegm(&tm);
    *valid = mon >= 1 && mon <= 12 && day >= 1 && hh <= 23 && mm <= 59 && ss <= 59 &&
             tm.tm_year == year - 1900 && tm.tm_mon == mon - 1 && tm.tm_mday == day;
    *want = (int64_t)t * 1000000000LL;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    int64_t ns = 0x5a5a5a5a5a5a5a5aLL;
    int r = ladle_parse_time(s, size, &ns);
    if (r != 0 && r != -1)
        abort();
    if (r != 0 && ns != 0x5a5a5a5a5a5a5a5aLL)
        abort(); /* *ns untouched on failure */
    int valid;
    int64_t want;
    if (simple_form(s, size, &valid, &want)) {
        if (valid != (r == 0))
            abort(); /* a real instant refused, or an impossible one accepted */
        if (valid && ns != want)
            abort(); /* disagrees with timegm */
    }
    if (size >= 1 && size <= 10 && digits(s, size)) {
        int64_t v = 0;
        for (size_t i = 0; i < size; i++)
            v = v * 10 + (s[i] - '0');
        int fits = v <= INT64_MAX / 1000000000LL;
        if (fits != (r == 0) || (fits && ns != v * 1000000000LL))
            abort();
    }
    free(s);
    return 0;
}

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
 *
 * The formats of --time-format (src/field/time_format.c) too:
 * - the whole input is also read with the compiled "%Y-%m-%dT%H:%M:%S" and
 *   must agree with the RFC 3339 parser wherever both accept; and how a
 *   run reads a field (ladle_read_time, auto) accepts only what
 *   ladle_parse_time accepts, with the same value;
 * - an input "FORMAT\nVALUE" compiles FORMAT from its first bytes and, if
 *   it compiles, reads VALUE with it (no crash, UB or read past the end;
 *   an accepted value has a fraction in range), and the reason for a
 *   refusal is written without overflow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "field/time_format.h"
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

/* "FORMAT\nVALUE": the format compiler and the format's reader. */
static void format_mode(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || nl - data > 200)
        return;
    char fmt[201];
    memcpy(fmt, data, (size_t)(nl - data));
    fmt[nl - data] = '\0';
    struct ladle_time_format f;
    struct ladle_error err;
    ladle_error_init(&err);
    if (ladle_time_format_compile(&f, fmt, &err) != LADLE_OK) {
        if (err.status != LADLE_E_USAGE || strncmp(err.msg, "--time-format: ", 15) != 0)
            abort(); /* a usage error that says so */
        return;
    }
    size_t vlen = size - (size_t)(nl + 1 - data);
    char *v = malloc(vlen ? vlen : 1);
    if (!v)
        abort();
    memcpy(v, nl + 1, vlen);
    struct ladle_time_parts p;
    if (ladle_time_format_parse(&f, v, vlen, &p) == 0 && (p.frac < 0 || p.frac >= 1000000000LL))
        abort();
    struct ladle_time_reader r = {.fmt = &f, .fmt_text = fmt};
    int64_t ns;
    char why[256];
    if (ladle_read_time(&r, v, vlen, &ns) != 0)
        ladle_time_why(&r, v, vlen, why, sizeof why);
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    format_mode(data, size);
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
    /* The compiled %Y-%m-%dT%H:%M:%S agrees with the RFC 3339 parser. */
    static struct ladle_time_format iso;
    static int iso_ready;
    if (!iso_ready) {
        struct ladle_error err;
        ladle_error_init(&err);
        if (ladle_time_format_compile(&iso, "%Y-%m-%dT%H:%M:%S", &err) != LADLE_OK)
            abort();
        iso_ready = 1;
    }
    struct ladle_time_parts p;
    int64_t fns;
    if (ladle_time_format_parse(&iso, s, size, &p) == 0 && r == 0 && p.secs >= -9000000000LL &&
        p.secs <= 9000000000LL && (fns = p.secs * 1000000000LL + p.frac) != ns)
        abort();
    /* A run's strict reading accepts a subset, with the same values. */
    struct ladle_time_reader automatic = {0};
    int64_t rns = 0;
    if (ladle_read_time(&automatic, s, size, &rns) == 0 && (r != 0 || rns != ns))
        abort();
    char why[256];
    ladle_time_why(&automatic, s, size, why, sizeof why);
    free(s);
    return 0;
}

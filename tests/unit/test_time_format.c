/*
 * test_time_format.c -- strptime-style formats (src/field/time_format.h).
 *
 * What is checked:
 * - every directive on values worked out by hand (and, for the dates, by
 *   `date -u -d ... +%s`): %Y %y (pivot 69) %m %d %e %j %H %I/%p %M %S
 *   (leap second) %f (1..9 digits) %L (unpadded ms) %b/%B %a (checked)
 *   %z (every form) %Z %s (signed, with %f) %T %F %R %% and literal text;
 *   blanks in the format match any run of blanks;
 * - refusals: a value that matches only in part, a day past its month's
 *   end, a wrong weekday, out-of-range fields, a %Z abbreviation other
 *   than UTC/GMT/UT/Z;
 * - compile errors name the directive (unknown %q, a lone '%', %I without
 *   %p, %s with date fields, repeats, too many steps);
 * - randomized round trip: random instants 1900..2100 written by glibc's
 *   strftime (C locale) with several formats parse back to their second;
 * - no read past len (the value sits at the end of a page followed by an
 *   inaccessible one).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "field/time_format.h"
#include "test_util.h"

#define S 1000000000LL

static char *guard_page;
static size_t page_size;

static int run(const char *fmt, const char *s, int64_t *ns)
{
    struct ladle_time_format f;
    struct ladle_error err;
    ladle_error_init(&err);
    if (ladle_time_format_compile(&f, fmt, &err) != LADLE_OK) {
        CHECKF(0, "'%s' does not compile: %s", fmt, err.msg);
        return -2;
    }
    size_t len = strlen(s);
    char *dst = guard_page + page_size - len;
    memcpy(dst, s, len);
    struct ladle_time_parts p;
    if (ladle_time_format_parse(&f, dst, len, &p) != 0)
        return -1;
    *ns = p.secs * S + p.frac;
    return p.zoned;
}

static void check(int line, const char *fmt, const char *s, int ok, int64_t want)
{
    int64_t ns = 42;
    int rc = run(fmt, s, &ns);
    if (ok)
        CHECKF(rc >= 0 && ns == want, "line %d: '%s' with '%s': rc %d ns %lld, want %lld", line, s,
               fmt, rc, (long long)ns, (long long)want);
    else
        CHECKF(rc == -1, "line %d: '%s' with '%s' accepted (%lld)", line, s, fmt, (long long)ns);
}

#define OK(fmt, s, want) check(__LINE__, fmt, s, 1, want)
#define BAD(fmt, s) check(__LINE__, fmt, s, 0, 0)

static void test_directives(void)
{
    OK("%Y-%m-%d", "2024-03-05", 1709596800 * S);
    OK("%Y%m%d", "20240305", 1709596800 * S);
    OK("%y%m%d %H%M%S", "081109 203615", 1226262975 * S);
    OK("%y", "69", -31536000 * S);  /* 1969 */
    OK("%y", "68", 3092601600 * S); /* 2068 */
    OK("%Y/%m/%d", "2024/3/5", 1709596800 * S);
    OK("%b %e %Y", "Mar  5 2024", 1709596800 * S);
    OK("%b %d %Y", "mar 5 2024", 1709596800 * S);
    OK("%B %d %Y", "March 05 2024", 1709596800 * S);
    OK("%d %b %Y", "05 SEPTEMBER 2024", 1725494400 * S);
    OK("%a %d %b %Y", "Tue 05 Mar 2024", 1709596800 * S);
    OK("%A %d %b %Y", "Tuesday 05 Mar 2024", 1709596800 * S);
    BAD("%a %d %b %Y", "Wed 05 Mar 2024");
    OK("%Y %j", "2024 065", 1709596800 * S);
    OK("%Y %j", "2024 366", 1735603200 * S);
    BAD("%Y %j", "2023 366");
    OK("%I:%M %p", "12:30 AM", 1800 * S);
    OK("%I:%M %p", "12:30 pm", 45000 * S);
    OK("%I:%M%p", "1:05PM", 47100 * S);
    BAD("%I:%M %p", "13:30 PM");
    OK("%T", "23:59:59", 86399 * S);
    OK("%T", "23:59:60", 86399 * S + S - 1);
    OK("%F %R", "2024-03-05 10:20", (1709596800 + 37200) * S);
    OK("%H:%M:%S.%f", "00:00:01.5", S + S / 2);
    OK("%H:%M:%S.%f", "00:00:01.123456789", S + 123456789);
    BAD("%H:%M:%S.%f", "00:00:01.1234567891");
    OK("%H:%M:%S:%L", "00:00:01:11", S + 11000000);
    OK("%H:%M:%S:%L", "00:00:01:606", S + 606000000);
    BAD("%H:%M:%S:%L", "00:00:01:6060");
    OK("%FT%T%z", "2024-03-05T10:00:00+01:00", (1709596800 + 32400) * S);
    OK("%FT%T%z", "2024-03-05T10:00:00-0130", (1709596800 + 36000 + 5400) * S);
    OK("%FT%T%z", "2024-03-05T10:00:00+01", (1709596800 + 32400) * S);
    OK("%FT%T%z", "2024-03-05T10:00:00Z", (1709596800 + 36000) * S);
    BAD("%FT%T%z", "2024-03-05T10:00:00+24:00");
    OK("%F %T %Z", "2024-03-05 10:00:00 UTC", (1709596800 + 36000) * S);
    OK("%F %T %Z", "2024-03-05 10:00:00 gmt", (1709596800 + 36000) * S);
    BAD("%F %T %Z", "2024-03-05 10:00:00 CET");
    OK("%s", "1700000000", 1700000000 * S);
    OK("%s", "0", 0);
    OK("%s.%f", "-1.5", -S - S / 2);
    OK("%s.%L", "12.5", 12 * S + 5000000);
    OK("[%d/%b/%Y:%H:%M:%S %z]", "[10/Oct/2000:13:55:36 -0700]", 971211336 * S);
    OK("%Y-%m-%d %%", "2024-03-05 %", 1709596800 * S);
    OK("%Y  %m", "2024 03", 1709251200 * S);
    OK("%Y %m", "202403", 1709251200 * S); /* a blank matches none, as in strptime */
    OK("%m-%d %H:%M:%S.%f", "03-17 16:13:38.811", 6538418811000000LL);
    BAD("%Y-%m-%d", "2024-02-30");
    BAD("%Y-%m-%d", "2023-02-29");
    BAD("%Y-%m-%d", "2024-03-05 ");
    BAD("%Y-%m-%d", "2024-03-0");
    BAD("%Y-%m-%d", "2024-13-05");
    BAD("%Y-%m-%d", "2024-00-05");
    BAD("%H:%M", "24:00");
    BAD("%H:%M", "23:60");
    BAD("%b", "Ma");
    BAD("%b", "");
    BAD("%z", "");
    BAD("%s", "-");
    BAD("%s", "1234567890123"); /* past int64 ns: 12 digits at most */
}

static void check_compile(int line, const char *fmt, const char *want)
{
    struct ladle_time_format f;
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st = ladle_time_format_compile(&f, fmt, &err);
    CHECKF(st == LADLE_E_USAGE && strstr(err.msg, want), "line %d: '%s': status %d '%s', want '%s'",
           line, fmt, (int)st, err.msg, want);
}

static void test_compile_errors(void)
{
    check_compile(__LINE__, "%Y-%q", "unknown directive %q");
    check_compile(__LINE__, "%Y-%", "lone %");
    check_compile(__LINE__, "", "empty");
    check_compile(__LINE__, "%I:%M", "%I and %p");
    check_compile(__LINE__, "%H %p", "%I and %p");
    check_compile(__LINE__, "%s %Y", "%s");
    check_compile(__LINE__, "%Y %y", "%y twice");
    check_compile(__LINE__, "%d %e", "%e twice");
    check_compile(__LINE__, "%F %Y", "%Y twice");
    check_compile(__LINE__, "%Y %j %m", "%j with %m");
    char big[200];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    check_compile(__LINE__, big, "over 64 steps");
}

static void test_round_trip(void)
{
    static const char *const fmts[] = {"%Y-%m-%d %H:%M:%S", "%a %b %d %H:%M:%S %Y",
                                       "%y%m%d %H%M%S",     "%d/%b/%Y:%H:%M:%S",
                                       "%Y %j %I:%M:%S %p", "%A, %B %e, %Y %T"};
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    long bad = 0;
    for (int n = 0; n < 20000; n++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        time_t t = (time_t)((int64_t)(rng % 6311347200ULL) - 2208988800LL); /* 1900..2100 */
        const char *fmt = fmts[n % 6];
        if (fmt[1] == 'y' && (t < -31536000 || t >= 3124224000LL))
            continue; /* %y covers 1969..2068 */
        struct tm tm;
        char buf[96];
        gmtime_r(&t, &tm);
        strftime(buf, sizeof buf, fmt, &tm);
        int64_t ns = 0;
        if ((run(fmt, buf, &ns) < 0 || ns != (int64_t)t * S) && bad++ < 10)
            CHECKF(0, "'%s' with '%s': %lld, want %lld", buf, fmt, (long long)ns, (long long)t * S);
    }
    CHECKF(bad == 0, "%ld round trips wrong", bad);
}

int main(void)
{
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect((char *)p + page_size, page_size, PROT_NONE) != 0)
        return 1;
    guard_page = p;
    test_directives();
    test_compile_errors();
    test_round_trip();
    return t_done("test_time_format");
}

/*
 * test_timestamp.c -- a field value read as an instant
 * (src/field/timestamp.h).
 *
 * What is checked:
 * - every accepted form against exact nanosecond values worked out apart
 *   from the parser (with `date -u -d ... +%s` when the test was written):
 *   epoch seconds with and without a fraction, epoch milliseconds, RFC 3339
 *   with 'T'/'t'/' ', with and without seconds, fractions of any length
 *   (truncated), '.' and ',', and every zone form.
 * - the seconds/milliseconds rule at its boundary (99999999999 is seconds,
 *   so out of range; 100000000000 is ms), leading zeros, negative values.
 * - leap years (2000-02-29, 2024-02-29 yes; 1900-02-29, 2100-02-29,
 *   2023-02-29 no), the leap second (ss = 60 -> the minute's last ns).
 * - the exact ends of the int64 range in every form, and one ns past them.
 * - malformed input of every kind that came to mind; on failure *ns is left
 *   as it was.
 * - every day of the range, formatted by gmtime_r, parses to its own
 *   midnight; the day after each month's last day is rejected.
 * - randomized round trip: random int64 ns formatted by gmtime_r/strftime as
 *   RFC 3339 with random separator, fraction length and zone, and as epoch
 *   seconds and milliseconds, parse back to the expected value.
 * - no read past len: every input is parsed from the very end of a page
 *   followed by an inaccessible one (a stray read faults), and prefixes of
 *   longer strings, where the following bytes would change the answer,
 *   give the prefix's answer.
 * - ladle_read_time (how a run reads a field): every timestamp form of the
 *   Loghub samples (../shared/realdata/loghub/NAME_2k.log_structured.csv: the Date,
 *   Time, Timestamp, Month and Day columns of all twelve), three real
 *   values each (first, middle and last row; date and time columns joined
 *   by one space as --time-field A,B does), with the --time-format that
 *   reads them or auto, against epoch values computed apart from ladle
 *   with Python's datetime.strptime (script in the comment at the table);
 *   the forms that need --time-format are refused by auto and explained.
 * - the bare-number rule (10+ digits) and the DB2 and asctime forms;
 *   --tz: BGL's and Thunderbird's wall clocks are US Pacific (their
 *   Timestamp column says so), read with America/Los_Angeles.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "field/time_format.h"
#include "field/timestamp.h"
#include "field/tz.h"
#include "test_stat.h"
#include "test_util.h"

#define S 1000000000LL

/* A page whose end is followed by an inaccessible page. */
static char *guard_page;
static size_t page_size;

static void guard_init(void)
{
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect((char *)p + page_size, page_size, PROT_NONE) != 0) {
        perror("mmap guard page");
        exit(1);
    }
    guard_page = p;
}

/* Parses s[0..len) placed so that s + len is the first inaccessible byte. */
static int parse_guarded(const char *s, size_t len, int64_t *ns)
{
    if (len > page_size)
        return ladle_parse_time(s, len, ns);
    char *dst = guard_page + page_size - len;
    memcpy(dst, s, len);
    return ladle_parse_time(dst, len, ns);
}

static void check_ok(int line, const char *s, int64_t expect)
{
    int64_t ns = 42;
    int rc = parse_guarded(s, strlen(s), &ns);
    CHECKF(rc == 0 && ns == expect, "line %d: \"%s\": rc %d ns %lld, want %lld", line, s, rc,
           (long long)ns, (long long)expect);
}

static void check_bad(int line, const char *s)
{
    int64_t ns = 42;
    int rc = parse_guarded(s, strlen(s), &ns);
    CHECKF(rc == -1 && ns == 42, "line %d: \"%s\" accepted: rc %d ns %lld", line, s, rc,
           (long long)ns);
}

#define OK(s, expect) check_ok(__LINE__, s, expect)
#define BAD(s) check_bad(__LINE__, s)

static void test_epoch(void)
{
    OK("1700000000", 1700000000 * S);
    OK("0", 0);
    OK("-0", 0);
    OK("-5", -5 * S);
    OK("1", S);
    OK("1700000000.123456", 1700000000123456000LL);
    OK("1700000000.1", 1700000000100000000LL);
    OK("1700000000.000000001", 1700000000000000001LL);
    OK("1700000000.999999999", 1700000000999999999LL);
    OK("1.5", 1500000000LL);
    OK("-1.5", -1500000000LL); /* the sign covers the fraction */
    OK("-0.5", -500000000LL);
    OK("-100000000", -100000000 * S); /* 1966-10-31T14:13:20Z */
    OK("0000000001", S);              /* leading zeros; not a date */
    OK("20240305", 20240305 * S);     /* all digits: epoch seconds, not a compact date */
    /* Milliseconds. */
    OK("1700000000123", 1700000000123000000LL);
    OK("1700000000123.456", 1700000000123456000LL);
    OK("1700000000123.000001", 1700000000123000001LL);
    OK("-1700000000123", -1700000000123000000LL);
    /* The rule's boundary: magnitude 10^11 and up is ms (1973-03-03T09:46:40Z);
     * just below it is seconds, and out of range as seconds. */
    OK("100000000000", 100000000 * S);
    OK("-100000000000", -100000000 * S);
    OK("000100000000000", 100000000 * S); /* the value decides, not the digit count */
    OK("100000000000.5", 100000000 * S + 500000);
    BAD("99999999999");
    BAD("-99999999999");
    BAD("99999999999.5");
}

static void test_epoch_range(void)
{
    /* Seconds: the last fitting whole second and the exact ends. */
    OK("9223372036", 9223372036 * S);
    OK("9223372036.854775807", INT64_MAX);
    BAD("9223372036.854775808");
    BAD("9223372037");
    BAD("9999999999");
    OK("-9223372036", -9223372036 * S);
    OK("-9223372036.854775808", INT64_MIN);
    BAD("-9223372036.854775809");
    BAD("-9223372037");
    /* Milliseconds. */
    OK("9223372036854", 9223372036854000000LL);
    OK("9223372036854.775807", INT64_MAX);
    BAD("9223372036854.775808");
    BAD("9223372036855");
    OK("-9223372036854.775808", INT64_MIN);
    BAD("-9223372036854.775809");
    BAD("-9223372036855");
    /* Huge integers stop early instead of wrapping. */
    BAD("18446744073709551616");
    BAD("99999999999999999999999999999999");
    BAD("-9223372036854775808");
    OK("0000000000000000000000000000000000000001", S);
}

static void test_epoch_bad(void)
{
    BAD("-");
    BAD("--5");
    BAD("+5");
    BAD("-+5");
    BAD(" 1");
    BAD("1 ");
    BAD(" ");
    BAD("   ");
    BAD("\t");
    BAD("12abc");
    BAD("1e9");
    BAD("1E9");
    BAD("0x10");
    BAD("1.");
    BAD(".5");
    BAD("-.5");
    BAD("1.5.");
    BAD("1..5");
    BAD("1,5");                   /* ',' is a decimal mark only in the RFC 3339 form */
    BAD("1.0000000001");          /* 10 fraction digits for seconds */
    BAD("1700000000123.1234567"); /* 7 for milliseconds */
    BAD("1.5Z");
    BAD("1_000");
    BAD("nan");
    BAD("inf");
    BAD("\xd9\xa1"); /* ARABIC-INDIC DIGIT ONE */
    BAD("1\n");
    /* Empty, NULL included. */
    int64_t ns = 42;
    CHECK(ladle_parse_time("", 0, &ns) == -1 && ns == 42);
    CHECK(ladle_parse_time(NULL, 0, &ns) == -1 && ns == 42);
    CHECK(ladle_parse_time("1", 0, &ns) == -1 && ns == 42);
    /* An embedded NUL is just a bad byte. */
    static const char with_nul[] = {'1', '7', '\0', '0'};
    CHECK(parse_guarded(with_nul, sizeof with_nul, &ns) == -1 && ns == 42);
}

static void test_rfc3339(void)
{
    OK("2024-03-05", 1709596800 * S);
    OK("2024-03-05T10:20:30Z", 1709634030 * S);
    OK("2024-03-05T10:20:30", 1709634030 * S); /* no zone: UTC */
    OK("2024-03-05 10:20:30", 1709634030 * S);
    OK("2024-03-05t10:20:30z", 1709634030 * S);
    OK("2024-03-05T10:20Z", 1709634000 * S);
    OK("2024-03-05T10:20", 1709634000 * S);
    OK("2024-03-05 10:20", 1709634000 * S);
    OK("1970-01-01", 0);
    OK("1970-01-01T00:00:00Z", 0);
    OK("1970-01-01T00:00:00.000000001Z", 1);
    OK("1969-12-31T23:59:59Z", -S);
    OK("1969-12-31T23:59:59.5Z", -500000000);
    OK("1969-12-31T23:59:59.999999999Z", -1);
    OK("1999-12-31T23:59:59Z", 946684799 * S);
    OK("2023-12-31T23:00:00Z", 1704063600 * S);
    OK("1900-01-01", -2208988800 * S);
    OK("1678-01-01", -9214560000 * S);
    OK("2262-01-01", 9214646400 * S);
    OK("2261-12-31T23:59:59Z", 9214646399 * S);
    /* Fractions: any length, truncated to ns; '.' or ','. */
    OK("2024-03-05T10:20:30.1Z", 1709634030 * S + 100000000);
    OK("2024-03-05T10:20:30.123Z", 1709634030 * S + 123000000);
    OK("2024-03-05T10:20:30,123", 1709634030 * S + 123000000);
    OK("2024-03-05 10:20:30,123", 1709634030 * S + 123000000);
    OK("2024-03-05T10:20:30.123456Z", 1709634030 * S + 123456000);
    OK("2024-03-05T10:20:30.123456789Z", 1709634030 * S + 123456789);
    OK("2024-03-05T10:20:30.1234567899Z", 1709634030 * S + 123456789);
    OK("2024-03-05T10:20:30.123456789999999999999999999999", 1709634030 * S + 123456789);
    OK("2024-03-05T10:20:30.000000000000000000000000000001Z", 1709634030 * S);
    OK("1969-12-31T23:59:59.9999999999Z", -1); /* truncation goes toward the past */
}

static void test_zones(void)
{
    const int64_t utc = 1709634030 * S; /* 2024-03-05T10:20:30Z */
    OK("2024-03-05T10:20:30.123+02:00", 1709626830 * S + 123000000);
    OK("2024-03-05T10:20:30+02:00", 1709626830 * S);
    OK("2024-03-05T10:20:30+0200", 1709626830 * S);
    OK("2024-03-05T10:20:30+02", 1709626830 * S);
    OK("2024-03-05T10:20:30+05:30", 1709614230 * S);
    OK("2024-03-05T10:20:30+0530", 1709614230 * S);
    OK("2024-03-05T10:20:30+05", 1709616030 * S);
    OK("2024-03-05T10:20:30+08:00", 1709605230 * S);
    OK("2024-03-05T10:20:30-08", 1709662830 * S);
    OK("2024-03-05T10:20:30-08:00", 1709662830 * S);
    OK("2024-03-05T10:20:30-0800", 1709662830 * S);
    OK("2024-03-05T10:20:30Z", utc);
    OK("2024-03-05T10:20:30z", utc);
    OK("2024-03-05T10:20:30+00:00", utc);
    OK("2024-03-05T10:20:30-00:00", utc);
    OK("2024-03-05T10:20:30+00", utc);
    OK("2024-03-05T10:20+01:00", 1709630400 * S);
    OK("2024-03-05T10:20-0800", 1709634000 * S + 8 * 3600 * S);
    OK("2024-03-05T10:20:30,5+01", utc - 3600 * S + 500000000);
    /* Extreme offsets move across days. */
    OK("2024-03-05T00:00:00+23:59", 1709510460 * S);
    OK("2024-03-05T23:59:59-23:59", 1709769539 * S);
    /* The offset crosses a year and the epoch. */
    OK("1970-01-01T00:00:00+01:00", -3600 * S);
    OK("1969-12-31T23:00:00-01:00", 0);
}

static void test_calendar(void)
{
    OK("2000-02-29", 951782400 * S);
    OK("2024-02-29", 1709164800 * S);
    OK("2024-02-29T23:59:59Z", 1709251199 * S);
    OK("1960-02-29", -310521600 * S);
    OK("2100-02-28", 4107456000 * S);
    OK("2100-03-01", 4107542400 * S);
    BAD("2100-02-29");
    BAD("1900-02-29");
    BAD("2023-02-29");
    BAD("2024-02-30");
    BAD("2024-04-31");
    BAD("2024-06-31");
    BAD("2024-09-31");
    BAD("2024-11-31");
    BAD("2024-01-32");
    BAD("2024-01-00");
    BAD("2024-00-01");
    BAD("2024-13-01");
    BAD("2024-99-99");
    /* Leap second: the last ns of that minute, whatever the fraction. */
    OK("2016-12-31T23:59:60Z", 1483228799 * S + 999999999);
    OK("2016-12-31T23:59:60.5Z", 1483228799 * S + 999999999);
    OK("2017-01-01T00:59:60+01:00", 1483228799 * S + 999999999);
    BAD("2016-12-31T23:59:61Z");
    BAD("2016-12-31T23:59:99Z");
}

static void test_rfc3339_range(void)
{
    OK("2262-04-11T23:47:16.854775807Z", INT64_MAX);
    OK("2262-04-11T23:47:16.8547758079999Z", INT64_MAX);
    BAD("2262-04-11T23:47:16.854775808Z");
    BAD("2262-04-11T23:47:17Z");
    BAD("2262-04-12");
    OK("2262-04-12T00:47:16.854775807+01:00", INT64_MAX);
    BAD("2262-04-11T23:47:16.854775807-00:01");
    OK("1677-09-21T00:12:43.145224192Z", INT64_MIN);
    BAD("1677-09-21T00:12:43.145224191Z");
    BAD("1677-09-21T00:12:43Z");
    BAD("1677-09-21");
    OK("1677-09-20T23:12:43.145224192-01:00", INT64_MIN);
    BAD("1677-09-21T00:12:43.145224192+00:01");
    BAD("3000-01-01");
    BAD("3000-01-01T00:00:00Z");
    BAD("9999-12-31T23:59:59.999999999Z");
    BAD("1600-03-01");
    BAD("0000-01-01");
    BAD("0001-01-01T00:00:00Z");
}

static void test_rfc3339_bad(void)
{
    BAD("2024-1-5");
    BAD("2024-01-5");
    BAD("2024-1-05");
    BAD("24-03-05");
    BAD("024-03-05");
    BAD("12024-03-05");
    BAD("-2024-03-05");
    BAD("+2024-03-05");
    BAD("2024/03/05");
    BAD("2024-03/05");
    BAD("2024.03.05");
    BAD("20240305T102030Z");
    BAD("2024-03-0");
    BAD("2024-03-0x");
    BAD("2024-0a-05");
    BAD("2O24-03-05");
    BAD(" 2024-03-05");
    BAD("2024-03-05 ");
    BAD("2024-03-05x");
    BAD("2024-03-05Z");
    BAD("2024-03-05+01:00");
    BAD("2024-03-05T");
    BAD("2024-03-05T10");
    BAD("2024-03-05T10Z");
    BAD("2024-03-05T10:");
    BAD("2024-03-05T10:2");
    BAD("2024-03-05T10:2Z");
    BAD("2024-03-05T1:20:30");
    BAD("2024-03-05T10:20:");
    BAD("2024-03-05T10:20:3");
    BAD("2024-03-05T10:20:3Z");
    BAD("2024-03-05T10-20-30");
    BAD("2024-03-05T102030");
    BAD("2024-03-05T10:20:30.");
    BAD("2024-03-05T10:20:30.Z");
    BAD("2024-03-05T10:20:30,");
    BAD("2024-03-05T10:20:30.123.456");
    BAD("2024-03-05T10:20:30.12a");
    BAD("2024-03-05T10:20.5");
    BAD("2024-03-05T10:20:30 Z");
    BAD("2024-03-05T10:20:30 +01:00");
    BAD("2024-03-05T10:20:30ZZ");
    BAD("2024-03-05T10:20:30Z ");
    BAD("2024-03-05T10:20:30Zx");
    BAD("2024-03-05T10:20:30UTC");
    BAD("2024-03-05T10:20:30GMT");
    BAD("2024-03-05T10:20:30+5");
    BAD("2024-03-05T10:20:30+");
    BAD("2024-03-05T10:20:30-");
    BAD("2024-03-05T10:20:30+05:");
    BAD("2024-03-05T10:20:30+05:3");
    BAD("2024-03-05T10:20:30+053");
    BAD("2024-03-05T10:20:30+05:30:00");
    BAD("2024-03-05T10:20:30+05:30Z");
    BAD("2024-03-05T10:20:30+05;30");
    BAD("2024-03-05T10:20:30+24:00");
    BAD("2024-03-05T10:20:30+05:60");
    BAD("2024-03-05T10:20:30+ab:cd");
    BAD("2024-03-05T24:00:00Z");
    BAD("2024-03-05T24:00");
    BAD("2024-03-05T25:00:00");
    BAD("2024-03-05T23:60:00Z");
    BAD("2024-03-05T10:20:61");
    BAD("2024-03-05  10:20:30");
    BAD("2024-03-05_10:20:30");
    BAD("2024-03-05TT10:20:30");
    BAD("2024-03-05\t10:20:30");
    BAD("2024-03-05T10:20:30\n");
    BAD("--------------------");
    BAD("2024-03-05T10:20:30.12345678901234567890123456789012345678901234567890x");
}

/* Prefixes of longer strings: the bytes after len would change the answer. */
static void test_slices(void)
{
    static const struct {
        const char *s;
        size_t len;
        int ok;
        int64_t ns;
    } cases[] = {
        {"2024-03-05T10:20", 13, 0, 0},
        {"2024-03-05T10:20", 16, 1, 1709634000 * S},
        {"2024-03-05T10:20:30Z", 10, 1, 1709596800 * S},
        {"2024-03-05T10:20:30Z", 11, 0, 0},
        {"2024-03-05T10:20:30Z", 14, 0, 0},
        {"2024-03-05T10:20:30Z", 17, 0, 0},
        {"2024-03-05T10:20:30Z", 18, 0, 0},
        {"2024-03-05T10:20:30Z", 19, 1, 1709634030 * S},
        {"2024-03-05T10:20:30.5", 20, 0, 0},
        {"2024-03-05T10:20:30.5", 19, 1, 1709634030 * S},
        {"2024-03-05T10:20:30.123", 22, 1, 1709634030 * S + 120000000},
        {"2024-03-05T10:20:30+05:30", 22, 1, 1709616030 * S},
        {"2024-03-05T10:20:30+05:30", 23, 0, 0},
        {"2024-03-05T10:20:30+05:30", 24, 0, 0},
        {"2024-03-05T10:20:30+05:30", 20, 0, 0},
        {"2024-03-05T10:20:30+0530", 23, 0, 0},
        {"2024-03-05", 9, 0, 0},
        {"2024-03-051", 10, 1, 1709596800 * S},
        {"1700000000123", 10, 1, 1700000000 * S},
        {"1700000000.5", 11, 0, 0},
        {"1700000000.5", 10, 1, 1700000000 * S},
        {"1.123456789123", 11, 1, 1123456789},
        {"-5", 1, 0, 0},
        {"12abc", 2, 1, 12 * S},
        {"99999999999", 11, 0, 0},
        {"100000000000", 12, 1, 100000000 * S},
        {"100000000000", 11, 0, 0}, /* 10^10 s: seconds, out of range */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ns = 42;
        int rc = parse_guarded(cases[i].s, cases[i].len, &ns);
        if (cases[i].ok)
            CHECKF(rc == 0 && ns == cases[i].ns, "\"%.*s\" (of \"%s\"): rc %d ns %lld",
                   (int)cases[i].len, cases[i].s, cases[i].s, rc, (long long)ns);
        else
            CHECKF(rc == -1 && ns == 42, "\"%.*s\" (of \"%s\") accepted: %lld", (int)cases[i].len,
                   cases[i].s, cases[i].s, (long long)ns);
        /* And straight from the longer buffer, where the bytes past len are readable. */
        int64_t ns2 = 42;
        int rc2 = ladle_parse_time(cases[i].s, cases[i].len, &ns2);
        CHECKF(rc2 == rc && ns2 == ns, "\"%.*s\": differs from the guarded parse",
               (int)cases[i].len, cases[i].s);
    }
}

/* Every day of the range parses to its midnight; the day after a month's
 * last day (as gmtime_r sees it) is rejected. */
static void test_every_day(void)
{
    const int64_t first = -106751, last = 106750; /* days whose midnight fits in int64 ns */
    int prev_year = 0, prev_mon = -1, prev_mday = 0;
    long bad = 0;
    for (int64_t d = first; d <= last; d++) {
        time_t t = (time_t)(d * 86400);
        struct tm tm;
        char buf[64];
        if (!gmtime_r(&t, &tm)) {
            t_failures++;
            return;
        }
        size_t n = strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
        int64_t ns = 42;
        if (parse_guarded(buf, n, &ns) != 0 || ns != d * 86400 * S) {
            if (bad++ < 10)
                CHECKF(0, "day %lld \"%s\": got %lld", (long long)d, buf, (long long)ns);
        }
        if (prev_mon >= 0 && tm.tm_mon != prev_mon) {
            /* prev_mday was the last day of the previous month */
            snprintf(buf, sizeof buf, "%04d-%02d-%02d", prev_year + 1900, prev_mon + 1,
                     prev_mday + 1);
            if (parse_guarded(buf, strlen(buf), &ns) != -1 && bad++ < 10)
                CHECKF(0, "\"%s\" accepted", buf);
        }
        prev_year = tm.tm_year;
        prev_mon = tm.tm_mon;
        prev_mday = tm.tm_mday;
    }
    CHECKF(bad == 0, "%ld days wrong", bad);
}

/* ns formatted as RFC 3339 in a random style; *expect is what must come
 * back, *fits 0 when that lies outside int64 (the parse must fail). */
static size_t format_rfc3339(int64_t ns, uint64_t *rng, char *buf, size_t cap, int64_t *expect,
                             int *fits)
{
    int64_t secs = ns / S, frac = ns % S;
    if (frac < 0) {
        frac += S;
        secs -= 1;
    }
    uint64_t r = t_splitmix(rng);
    int off_min = 0;
    if (r % 3 != 0)
        off_min = (int)((r >> 8) % 2879) - 1439; /* -23:59 .. +23:59 */
    time_t t = (time_t)(secs + off_min * 60);
    struct tm tm;
    gmtime_r(&t, &tm);
    static const char seps[] = {'T', 't', ' '};
    char fmt[32];
    int with_secs = (r >> 20) % 8 != 0;
    snprintf(fmt, sizeof fmt, "%%Y-%%m-%%d%c%%H:%%M%s", seps[(r >> 24) % 3],
             with_secs ? ":%S" : "");
    size_t n = strftime(buf, cap, fmt, &tm);

    int64_t dropped; /* ns lost by the format, >= 0 */
    if (!with_secs) {
        dropped = (int64_t)(((secs % 60) + 60) % 60) * S + frac;
    } else {
        int digits = (int)((r >> 28) % 14); /* 0 (none) .. 13 */
        if (digits == 0) {
            dropped = frac;
        } else {
            int64_t keep = frac, scale = 1;
            for (int i = digits; i < 9; i++)
                scale *= 10;
            keep /= scale;
            dropped = frac - keep * scale;
            char mark = (r >> 32) & 1 ? ',' : '.';
            if (digits <= 9)
                n += (size_t)snprintf(buf + n, cap - n, "%c%0*lld", mark, digits, (long long)keep);
            else /* extra digits past ns: truncated away */
                n += (size_t)snprintf(buf + n, cap - n, "%c%09lld%0*llu", mark, (long long)keep,
                                      digits - 9, (unsigned long long)(r >> 40) % 10000);
        }
    }
    int style = (int)((r >> 36) % 4);
    if (off_min == 0 && style < 2) {
        if (style == 1)
            buf[n++] = (r >> 38) & 1 ? 'Z' : 'z';
    } else {
        int a = off_min < 0 ? -off_min : off_min;
        char sign = off_min < 0 ? '-' : '+';
        if (style == 2)
            n += (size_t)snprintf(buf + n, cap - n, "%c%02d%02d", sign, a / 60, a % 60);
        else if (style == 3 && a % 60 == 0)
            n += (size_t)snprintf(buf + n, cap - n, "%c%02d", sign, a / 60);
        else
            n += (size_t)snprintf(buf + n, cap - n, "%c%02d:%02d", sign, a / 60, a % 60);
    }
    buf[n] = '\0';
    *fits = !__builtin_sub_overflow(ns, dropped, expect);
    return n;
}

static void test_round_trip(void)
{
    uint64_t rng = 20240305;
    long bad = 0;
    enum { N = 300000 };
    for (int i = 0; i < N; i++) {
        int64_t ns = (int64_t)t_splitmix(&rng);
        if (i % 4 == 0) /* a quarter near the epoch, where logs live */
            ns %= 4000000000LL * S;
        char buf[128];
        int64_t expect, got = 42;
        int fits;
        size_t n = format_rfc3339(ns, &rng, buf, sizeof buf, &expect, &fits);
        int rc = parse_guarded(buf, n, &got);
        if (fits ? (rc != 0 || got != expect) : rc != -1) {
            if (bad++ < 10)
                CHECKF(0, "ns %lld as \"%s\": rc %d got %lld want %lld", (long long)ns, buf, rc,
                       (long long)got, fits ? (long long)expect : -1LL);
        }

        /* Epoch seconds, full precision and integer only (truncates toward 0). */
        uint64_t mag = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;
        const char *sign = ns < 0 ? "-" : "";
        n = (size_t)snprintf(buf, sizeof buf, "%s%llu.%09llu", sign, (unsigned long long)(mag / S),
                             (unsigned long long)(mag % S));
        got = 42;
        rc = parse_guarded(buf, n, &got);
        if ((rc != 0 || got != ns) && bad++ < 10)
            CHECKF(0, "\"%s\": rc %d got %lld", buf, rc, (long long)got);
        n = (size_t)snprintf(buf, sizeof buf, "%s%llu", sign, (unsigned long long)(mag / S));
        got = 42;
        rc = parse_guarded(buf, n, &got);
        expect = (int64_t)(mag / S) * S * (ns < 0 ? -1 : 1);
        if ((rc != 0 || got != expect) && bad++ < 10)
            CHECKF(0, "\"%s\": rc %d got %lld", buf, rc, (long long)got);

        /* Epoch milliseconds: read as ms from 10^11 up, as seconds below. */
        uint64_t ms = mag / 1000000;
        n = (size_t)snprintf(buf, sizeof buf, "%s%llu.%06llu", sign, (unsigned long long)ms,
                             (unsigned long long)(mag % 1000000));
        got = 42;
        rc = parse_guarded(buf, n, &got);
        if (ms >= 100000000000ULL) {
            if ((rc != 0 || got != ns) && bad++ < 10)
                CHECKF(0, "\"%s\": rc %d got %lld", buf, rc, (long long)got);
        } else if (ms > 9223372036ULL) {
            if (rc != -1 && bad++ < 10)
                CHECKF(0, "\"%s\" (seconds, out of range) accepted", buf);
        }
    }
    CHECKF(bad == 0, "%ld of %d round trips wrong", bad, N);
}

/* ---- ladle_read_time: the Loghub forms ---- */

/* Expected values: Python's datetime.strptime on the same strings, UTC
 * (a year-less format gets 1970, as ladle's does; %L is read as ms by
 * padding it to microseconds), e.g.
 *   d = datetime.strptime("081109 203615", "%y%m%d %H%M%S").replace(tzinfo=utc)
 *   int(d.timestamp()) * 10**9 + d.microsecond * 1000
 * Values: first, middle and last row of each *_structured.csv. */
static const struct {
    const char *what, *value, *fmt; /* fmt NULL: auto */
    long long ns;
} loghub[] = {
    {"Android", "03-17 16:13:38.811", "%m-%d %H:%M:%S.%f", 6538418811000000LL},
    {"Android", "03-17 16:15:18.856", "%m-%d %H:%M:%S.%f", 6538518856000000LL},
    {"Android", "03-17 16:16:09.141", "%m-%d %H:%M:%S.%f", 6538569141000000LL},
    {"Apache", "Sun Dec 04 04:47:44 2005", NULL, 1133671664000000000LL},
    {"Apache", "Sun Dec 04 20:34:20 2005", NULL, 1133728460000000000LL},
    {"Apache", "Mon Dec 05 19:15:57 2005", NULL, 1133810157000000000LL},
    {"BGL Time", "2005-06-03-15.42.50.675872", NULL, 1117813370675872000LL},
    {"BGL Time", "2005-07-17-04.06.31.496101", NULL, 1121573191496101000LL},
    {"BGL Time", "2006-01-03-07.13.09.127918", NULL, 1136272389127918000LL},
    {"BGL Timestamp", "1117838570", NULL, 1117838570000000000LL},
    {"BGL Timestamp", "1121598391", NULL, 1121598391000000000LL},
    {"BGL Timestamp", "1136301189", NULL, 1136301189000000000LL},
    {"BGL Date", "2005.06.03", "%Y.%m.%d", 1117756800000000000LL},
    {"BGL Date", "2005.07.17", "%Y.%m.%d", 1121558400000000000LL},
    {"BGL Date", "2006.01.03", "%Y.%m.%d", 1136246400000000000LL},
    {"HDFS", "081109 203615", "%y%m%d %H%M%S", 1226262975000000000LL},
    {"HDFS", "081110 220658", "%y%m%d %H%M%S", 1226354818000000000LL},
    {"HDFS", "081111 102017", "%y%m%d %H%M%S", 1226398817000000000LL},
    {"Hadoop", "2015-10-18 18:01:47,978", NULL, 1445191307978000000LL},
    {"Hadoop", "2015-10-18 18:06:21,904", NULL, 1445191581904000000LL},
    {"Hadoop", "2015-10-18 18:10:55,202", NULL, 1445191855202000000LL},
    {"HealthApp", "20171223-22:15:29:606", "%Y%m%d-%H:%M:%S:%L", 1514067329606000000LL},
    {"HealthApp", "20171223-22:31:59:956", "%Y%m%d-%H:%M:%S:%L", 1514068319956000000LL},
    {"HealthApp", "20171224-1:2:35:789", "%Y%m%d-%H:%M:%S:%L", 1514077355789000000LL},
    {"HealthApp", "20171223-22:15:35:11", "%Y%m%d-%H:%M:%S:%L", 1514067335011000000LL},
    {"Linux", "Jun 14 15:16:01", "%b %d %H:%M:%S", 14224561000000000LL},
    {"Linux", "Jul 9 12:16:52", "%b %d %H:%M:%S", 16373812000000000LL},
    {"Linux", "Jul 27 14:42:00", "%b %d %H:%M:%S", 17937720000000000LL},
    {"OpenSSH", "Dec 10 06:55:46", "%b %d %H:%M:%S", 29660146000000000LL},
    {"OpenSSH", "Dec 10 10:14:13", "%b %d %H:%M:%S", 29672053000000000LL},
    {"OpenSSH", "Dec 10 11:04:45", "%b %d %H:%M:%S", 29675085000000000LL},
    {"OpenStack", "2017-05-16 00:00:00.008", NULL, 1494892800008000000LL},
    {"OpenStack", "2017-05-16 00:07:25.935", NULL, 1494893245935000000LL},
    {"OpenStack", "2017-05-16 00:14:47.687", NULL, 1494893687687000000LL},
    {"Spark", "17/06/09 20:10:40", "%y/%m/%d %H:%M:%S", 1497039040000000000LL},
    {"Spark", "17/06/09 20:10:58", "%y/%m/%d %H:%M:%S", 1497039058000000000LL},
    {"Spark", "17/06/09 20:11:11", "%y/%m/%d %H:%M:%S", 1497039071000000000LL},
    {"Thunderbird Month,Day,Time", "Nov 9 12:01:01", "%b %d %H:%M:%S", 27000061000000000LL},
    {"Thunderbird Month,Day,Time", "Nov 9 12:09:08", "%b %d %H:%M:%S", 27000548000000000LL},
    {"Thunderbird Month,Day,Time", "Nov 9 12:15:32", "%b %d %H:%M:%S", 27000932000000000LL},
    {"Thunderbird Date,Time", "2005.11.09 12:01:01", "%Y.%m.%d %H:%M:%S", 1131537661000000000LL},
    {"Thunderbird Date,Time", "2005.11.09 12:09:08", "%Y.%m.%d %H:%M:%S", 1131538148000000000LL},
    {"Thunderbird Date,Time", "2005.11.09 12:15:32", "%Y.%m.%d %H:%M:%S", 1131538532000000000LL},
    {"Thunderbird Timestamp", "1131566461", NULL, 1131566461000000000LL},
    {"Thunderbird Timestamp", "1131566948", NULL, 1131566948000000000LL},
    {"Thunderbird Timestamp", "1131567332", NULL, 1131567332000000000LL},
    {"Zookeeper", "2015-07-29 17:41:44,747", NULL, 1438191704747000000LL},
    {"Zookeeper", "2015-07-29 19:29:27,299", NULL, 1438198167299000000LL},
    {"Zookeeper", "2015-08-10 18:12:34,004", NULL, 1439230354004000000LL},
};

static int read_guarded(const struct ladle_time_reader *r, const char *s, size_t len, int64_t *ns)
{
    char *dst = guard_page + page_size - len;
    memcpy(dst, s, len);
    return ladle_read_time(r, dst, len, ns);
}

static void test_loghub(void)
{
    for (size_t i = 0; i < sizeof loghub / sizeof loghub[0]; i++) {
        struct ladle_time_format f;
        struct ladle_time_reader r = {0};
        struct ladle_error err;
        ladle_error_init(&err);
        if (loghub[i].fmt) {
            CHECKF(ladle_time_format_compile(&f, loghub[i].fmt, &err) == LADLE_OK,
                   "%s: '%s' does not compile: %s", loghub[i].what, loghub[i].fmt, err.msg);
            r.fmt = &f;
            r.fmt_text = loghub[i].fmt;
        }
        int64_t ns = 42;
        int rc = read_guarded(&r, loghub[i].value, strlen(loghub[i].value), &ns);
        CHECKF(rc == 0 && ns == loghub[i].ns, "%s: '%s' with %s: rc %d ns %lld, want %lld",
               loghub[i].what, loghub[i].value, loghub[i].fmt ? loghub[i].fmt : "auto", rc,
               (long long)ns, loghub[i].ns);
        if (!loghub[i].fmt)
            continue;
        /* Auto refuses the forms that need a format, and says why. */
        struct ladle_time_reader automatic = {0};
        char why[256];
        if (strcmp(loghub[i].what, "BGL Date") && strcmp(loghub[i].what, "Thunderbird Date,Time") &&
            strcmp(loghub[i].what, "Thunderbird Month,Day,Time")) {
            CHECKF(read_guarded(&automatic, loghub[i].value, strlen(loghub[i].value), &ns) == -1,
                   "%s: '%s' read without --time-format", loghub[i].what, loghub[i].value);
            int form = ladle_time_why(&automatic, loghub[i].value, strlen(loghub[i].value), why,
                                      sizeof why);
            CHECKF(form == 1 && strstr(why, "--time-format"), "%s: '%s': why %d '%s'",
                   loghub[i].what, loghub[i].value, form, why);
        }
    }
}

static void check_read(int line, const char *s, const struct ladle_tz *tz, int ok, int64_t want)
{
    struct ladle_time_reader r = {.tz = tz};
    int64_t ns = 42;
    int rc = read_guarded(&r, s, strlen(s), &ns);
    if (ok)
        CHECKF(rc == 0 && ns == want, "line %d: '%s': rc %d ns %lld, want %lld", line, s, rc,
               (long long)ns, (long long)want);
    else
        CHECKF(rc == -1 && ns == 42, "line %d: '%s' accepted (%lld)", line, s, (long long)ns);
}

#define READ_OK(s, want) check_read(__LINE__, s, NULL, 1, want)
#define READ_BAD(s) check_read(__LINE__, s, NULL, 0, 0)

static void test_read_auto(void)
{
    /* bare numbers: epoch only with 10+ integer digits */
    READ_OK("1000000000", 1000000000 * S);
    READ_OK("1700000000.5", 1700000000 * S + S / 2);
    READ_OK("-1000000000", -1000000000 * S);
    READ_OK("1700000000123", 1700000000123000000LL);
    READ_BAD("999999999");
    READ_BAD("081109");
    READ_BAD("20240305");
    READ_BAD("0");
    READ_BAD("1.5");
    OK("081109", 81109 * S); /* ladle_parse_time (--cutoffs) keeps any length */
    char why[256];
    struct ladle_time_reader r = {0};
    CHECK(ladle_time_why(&r, "081109", 6, why, sizeof why) == 1 && strstr(why, "6 digits") &&
          strstr(why, "%y%m%d"));
    CHECK(ladle_time_why(&r, "20240305", 8, why, sizeof why) == 1 && strstr(why, "%Y%m%d"));
    CHECK(ladle_time_why(&r, "2024-13-01", 10, why, sizeof why) == 0);
    /* DB2 (BGL) */
    READ_OK("2005-06-03-15.42.50", 1117813370 * S);
    READ_OK("2005-06-03-15.42.50.5", 1117813370 * S + S / 2);
    READ_OK("2005-06-30-23.59.60", 1120175999 * S + S - 1);
    READ_BAD("2005-06-03-15.42");
    READ_BAD("2005-06-03-15:42:50");
    READ_BAD("2005-06-03-15.42.50Z");
    READ_BAD("2005-06-03-24.00.00");
    READ_BAD("2005-06-03-15.42.50,5");
    /* asctime / ctime */
    READ_OK("Thu Jan  1 00:00:00 1970", 0);
    READ_OK("Thu Jan 01 00:00:00 1970", 0);
    READ_OK("thu JAN 1 00:00:00 1970", 0);
    READ_OK("Tue Feb 29 12:00:00 2000", (951825600) * S);
    READ_BAD("Fri Jan  1 00:00:00 1970"); /* wrong weekday */
    READ_BAD("Thu Jan  1 00:00:00");
    READ_BAD("Thu Jan 32 00:00:00 1970");
    READ_BAD("Sun Feb 29 12:00:00 2001");
    READ_BAD("Jun 14 15:16:01");
    CHECK(ladle_time_why(&r, "Jun 14 15:16:01", 15, why, sizeof why) == 1 &&
          strstr(why, "no year"));
}

/* BGL's Time and Thunderbird's Date,Time are US Pacific wall clocks: their
 * Timestamp columns (epoch) are 7 h (June, PDT) and 8 h (November, PST) on. */
static void test_read_tz(void)
{
    struct ladle_tz *la = NULL, *fixed = NULL;
    struct ladle_error err;
    ladle_error_init(&err);
    CHECK(ladle_tz_load(&fixed, "-07:00", &err) == LADLE_OK);
    check_read(__LINE__, "2005-06-03-15.42.50.675872", fixed, 1, 1117838570675872000LL);
    check_read(__LINE__, "2005-06-03T15:42:50Z", fixed, 1, 1117813370 * S); /* zoned: no --tz */
    check_read(__LINE__, "1117838570", fixed, 1, 1117838570 * S);           /* epoch: no --tz */
    ladle_tz_free(fixed);
    if (ladle_tz_load(&la, "America/Los_Angeles", &err) != LADLE_OK) {
        printf("test_timestamp: no America/Los_Angeles zone file, tz part skipped\n");
        return;
    }
    check_read(__LINE__, "2005-06-03-15.42.50.675872", la, 1, 1117838570675872000LL);
    check_read(__LINE__, "2006-01-03-07.13.09", la, 1, 1136301189 * S);
    check_read(__LINE__, "2005-11-09 12:01:01", la, 1, 1131566461 * S);
    int64_t c;
    CHECK(ladle_parse_time_tz("2005-06-03T15:42:50", 19, la, &c) == 0 && c == 1117838570 * S);
    ladle_tz_free(la);
}

int main(void)
{
    guard_init();
    test_epoch();
    test_epoch_range();
    test_epoch_bad();
    test_rfc3339();
    test_zones();
    test_calendar();
    test_rfc3339_range();
    test_rfc3339_bad();
    test_slices();
    test_every_day();
    test_round_trip();
    test_loghub();
    test_read_auto();
    test_read_tz();
    return t_done("test_timestamp");
}

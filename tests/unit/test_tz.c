/*
 * test_tz.c -- zones for zone-less timestamps (src/field/tz.h).
 *
 * What is checked:
 * - names: UTC/GMT/Z (any case) and fixed offsets in every form; malformed
 *   offsets, empty names, paths ("../x", "/etc/passwd") and missing zones
 *   are usage errors that say --tz;
 * - IANA zones against glibc (when /usr/share/zoneinfo has them): for
 *   random instants 1900..2250 (past the last transition, so the footer's
 *   rule is exercised), glibc's localtime_r gives a wall time; ladle's
 *   offset for that wall time must give back an instant with the same wall
 *   time, and the earliest such (the instant itself unless the clock was
 *   set back). Zones: northern and southern daylight time, Dublin's
 *   negative daylight time, half-hour and date-line jumps, rule changes;
 * - a gap and an overlap of Europe/Paris by hand;
 * - TZif robustness: every truncation and random byte flips of a real
 *   file parse or fail cleanly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "field/tz.h"
#include "test_util.h"

static void test_names(void)
{
    static const struct {
        const char *name;
        int32_t off;
    } ok[] = {{"UTC", 0},        {"utc", 0},       {"GMT", 0},       {"Z", 0},
              {"+08:00", 28800}, {"+0800", 28800}, {"+08", 28800},   {"-05:30", -19800},
              {"-0530", -19800}, {"+00:00", 0},    {"+23:59", 86340}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct ladle_tz *tz = NULL;
        struct ladle_error err;
        ladle_error_init(&err);
        CHECKF(ladle_tz_load(&tz, ok[i].name, &err) == LADLE_OK &&
                   ladle_tz_offset_of_wall(tz, 1700000000) == ok[i].off,
               "'%s': %s", ok[i].name, err.msg);
        ladle_tz_free(tz);
    }
    static const char *const bad[] = {"",       "+8",          "+24:00",       "+08:60",
                                      "+08:",   "+08:0",       "+080",         "08:00",
                                      "../etc", "/etc/passwd", "No/Such_Zone", "+08:00x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ladle_tz *tz = NULL;
        struct ladle_error err;
        ladle_error_init(&err);
        CHECKF(ladle_tz_load(&tz, bad[i], &err) == LADLE_E_USAGE && tz == NULL &&
                   strstr(err.msg, "--tz"),
               "'%s' accepted (%s)", bad[i], err.msg);
    }
    CHECK(ladle_tz_offset_of_wall(NULL, 12345) == 0);
}

static int64_t wall_of(time_t t)
{
    struct tm tm;
    localtime_r(&t, &tm);
    return (int64_t)timegm(&tm);
}

static void test_against_glibc(void)
{
    static const char *const zones[] = {"Europe/Paris", "America/Los_Angeles", "Australia/Sydney",
                                        "Asia/Kolkata", "Europe/Dublin",       "America/Sao_Paulo",
                                        "Pacific/Apia", "Africa/Casablanca",   "America/St_Johns",
                                        "Asia/Tokyo",   "Pacific/Chatham",     "America/Godthab"};
    int tested = 0;
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        struct ladle_tz *tz = NULL;
        struct ladle_error err;
        ladle_error_init(&err);
        if (ladle_tz_load(&tz, zones[z], &err) != LADLE_OK)
            continue;
        tested++;
        char env[64];
        snprintf(env, sizeof env, ":%s", zones[z]);
        setenv("TZ", env, 1);
        tzset();
        uint64_t rng = 0x243f6a8885a308d3ULL + z;
        long bad = 0;
        for (int n = 0; n < 20000; n++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            time_t t = (time_t)((int64_t)(rng % 11046096000ULL) - 2208988800LL); /* 1900..2250 */
            int64_t wall = wall_of(t);
            int64_t back = wall - ladle_tz_offset_of_wall(tz, wall);
            if ((wall_of((time_t)back) != wall || back > t) && bad++ < 5)
                CHECKF(0, "%s: instant %lld (wall %lld) read back as %lld", zones[z], (long long)t,
                       (long long)wall, (long long)back);
        }
        CHECKF(bad == 0, "%s: %ld wrong", zones[z], bad);
        ladle_tz_free(tz);
    }
    unsetenv("TZ");
    tzset();
    if (!tested)
        printf("test_tz: no zone files, glibc comparison skipped\n");
}

static void test_paris_by_hand(void)
{
    struct ladle_tz *tz = NULL;
    struct ladle_error err;
    ladle_error_init(&err);
    if (ladle_tz_load(&tz, "Europe/Paris", &err) != LADLE_OK)
        return;
    /* 2024-03-31 02:30 does not exist (01:00 UTC: 02:00 -> 03:00): read in +01:00. */
    CHECK(ladle_tz_offset_of_wall(tz, 1711852200) == 3600);
    CHECK(ladle_tz_offset_of_wall(tz, 1711855800) == 7200); /* 03:30 CEST */
    /* 2024-10-27 02:30 occurs twice (01:00 UTC: 03:00 -> 02:00): the earlier, +02:00. */
    CHECK(ladle_tz_offset_of_wall(tz, 1729996200) == 7200);
    CHECK(ladle_tz_offset_of_wall(tz, 1729999800) == 3600); /* 03:30 CET */
    CHECK(ladle_tz_offset_of_wall(tz, 1735689600) == 3600); /* 2025-01-01 */
    CHECK(ladle_tz_offset_of_wall(tz, 7258118400) == 3600); /* 2200-01-01: the footer rule */
    CHECK(ladle_tz_offset_of_wall(tz, 7273756800) == 7200); /* 2200-07-01 */
    ladle_tz_free(tz);
}

static void test_tzif_robust(void)
{
    FILE *f = fopen("/usr/share/zoneinfo/America/New_York", "rb");
    if (!f)
        return;
    unsigned char buf[8192], copy[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int whole = 0;
    for (size_t len = 0; len <= n; len++) {
        struct ladle_tz *tz = NULL;
        memcpy(copy, buf, len);
        if (ladle_tz_parse_tzif(&tz, copy, len) == 0) {
            (void)ladle_tz_offset_of_wall(tz, 1700000000);
            whole += len == n;
            ladle_tz_free(tz);
        }
    }
    CHECK(whole == 1);
    uint64_t rng = 7;
    for (int k = 0; k < 20000; k++) {
        memcpy(copy, buf, n);
        for (int j = 0; j < 3; j++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            copy[rng % n] = (unsigned char)(rng >> 32);
        }
        struct ladle_tz *tz = NULL;
        if (ladle_tz_parse_tzif(&tz, copy, n) == 0) {
            (void)ladle_tz_offset_of_wall(tz, (int64_t)(rng >> 8) - (1LL << 40));
            ladle_tz_free(tz);
        }
    }
}

int main(void)
{
    test_names();
    test_against_glibc();
    test_paris_by_hand();
    test_tzif_robust();
    return t_done("test_tz");
}

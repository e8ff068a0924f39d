/*
 * tz.c -- time zones for zone-less timestamps (see tz.h).
 *
 * A zone is kept as wall-time keys: key[i] is the first local wall time
 * read with off[i]. For a change at UTC t from offset a to offset b the
 * key is t + max(a, b): wall times that occur twice (b < a) stay with a,
 * the earlier instant, and wall times that never occur (b > a) are read
 * in a. Keys then increase with t, so one binary search answers a record.
 * libc's localtime/mktime are avoided: they read TZ and the locale under
 * a lock, and cannot be told which zone to use per call.
 */
#include "field/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/civil.h"

#define TZIF_MAX_BYTES (1u << 20) /* real files are under 4 KiB */
#define RULE_LAST_YEAR 2300       /* past the end of int64 nanoseconds (2262) */
#define MAX_UTOFF (26 * 3600)

struct ladle_tz {
    int32_t off0; /* before the first key */
    size_t n, cap;
    int64_t *key;
    int32_t *off;
};

static struct ladle_tz *tz_new(int32_t off0, size_t cap)
{
    struct ladle_tz *tz = calloc(1, sizeof *tz);
    if (!tz)
        return NULL;
    tz->off0 = off0;
    tz->cap = cap;
    if (cap) {
        tz->key = malloc(cap * sizeof *tz->key);
        tz->off = malloc(cap * sizeof *tz->off);
        if (!tz->key || !tz->off) {
            ladle_tz_free(tz);
            return NULL;
        }
    }
    return tz;
}

void ladle_tz_free(struct ladle_tz *tz)
{
    if (!tz)
        return;
    free(tz->key);
    free(tz->off);
    free(tz);
}

static int32_t last_off(const struct ladle_tz *tz)
{
    return tz->n ? tz->off[tz->n - 1] : tz->off0;
}

/* A change at UTC t to offset b (appended in increasing t). */
static void add_change(struct ladle_tz *tz, int64_t t, int32_t b)
{
    int32_t a = last_off(tz);
    int64_t key;
    if (a == b || tz->n == tz->cap || __builtin_add_overflow(t, a > b ? a : b, &key))
        return;
    /* Changes closer than their offsets (never in real data) fold into one. */
    while (tz->n && tz->key[tz->n - 1] >= key)
        tz->n--;
    tz->key[tz->n] = key;
    tz->off[tz->n++] = b;
}

int32_t ladle_tz_offset_of_wall(const struct ladle_tz *tz, int64_t wall)
{
    if (!tz || !tz->n || wall < tz->key[0])
        return tz ? tz->off0 : 0;
    size_t lo = 0, hi = tz->n; /* key[lo] <= wall < key[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->key[mid] <= wall)
            lo = mid;
        else
            hi = mid;
    }
    return tz->off[lo];
}

/* ---- the POSIX TZ rule of a TZif footer ---- */

struct rule_date {
    char kind; /* 'J' (1..365, no Feb 29), 'n' (0..365), 'M' */
    int a, b, c;
    int32_t time; /* seconds after local midnight */
};

static int num(const char **p, const char *end, int lo, int hi, int *out)
{
    const char *s = *p;
    int v = 0, n = 0;
    while (s < end && *s >= '0' && *s <= '9' && n < 4) {
        v = v * 10 + (*s++ - '0');
        n++;
    }
    if (n == 0 || v < lo || v > hi)
        return -1;
    *p = s;
    *out = v;
    return 0;
}

/* [+-]h[:mm[:ss]] in seconds, hours up to max_h. */
static int hms(const char **p, const char *end, int max_h, int32_t *out)
{
    int sign = 1, h, m = 0, sec = 0;
    if (*p < end && (**p == '+' || **p == '-'))
        sign = *(*p)++ == '-' ? -1 : 1;
    if (num(p, end, 0, max_h, &h))
        return -1;
    if (*p < end && **p == ':') {
        (*p)++;
        if (num(p, end, 0, 59, &m))
            return -1;
        if (*p < end && **p == ':') {
            (*p)++;
            if (num(p, end, 0, 59, &sec))
                return -1;
        }
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return 0;
}

static int zone_name(const char **p, const char *end)
{
    const char *s = *p;
    if (s < end && *s == '<') {
        while (s < end && *s != '>')
            s++;
        if (s == end)
            return -1;
        *p = s + 1;
        return 0;
    }
    while (s < end && ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        s++;
    if (s - *p < 3)
        return -1;
    *p = s;
    return 0;
}

static int rule_date(const char **p, const char *end, struct rule_date *d)
{
    d->time = 7200;
    if (*p < end && **p == 'J') {
        (*p)++;
        d->kind = 'J';
        if (num(p, end, 1, 365, &d->a))
            return -1;
    } else if (*p < end && **p == 'M') {
        (*p)++;
        d->kind = 'M';
        if (num(p, end, 1, 12, &d->a) || *p == end || *(*p)++ != '.' || num(p, end, 1, 5, &d->b) ||
            *p == end || *(*p)++ != '.' || num(p, end, 0, 6, &d->c))
            return -1;
    } else {
        d->kind = 'n';
        if (num(p, end, 0, 365, &d->a))
            return -1;
    }
    if (*p < end && **p == '/') {
        (*p)++;
        return hms(p, end, 167, &d->time);
    }
    return 0;
}

/* Seconds from 1970-01-01 to local midnight of the rule's day in year y. */
static int64_t rule_day(const struct rule_date *d, int64_t y)
{
    int64_t jan1 = ladle_civil_days(y, 1, 1);
    if (d->kind == 'J')
        return (jan1 + d->a - 1 + (ladle_civil_is_leap(y) && d->a >= 60)) * 86400;
    if (d->kind == 'n')
        return (jan1 + d->a) * 86400;
    int64_t first = ladle_civil_days(y, d->a, 1);
    int day = 1 + (d->c - ladle_civil_weekday(first) + 7) % 7 + (d->b - 1) * 7;
    while (day > ladle_civil_days_in_month(y, d->a))
        day -= 7;
    return (first + day - 1) * 86400;
}

/* Expands the footer's rule into changes after UTC `after`. Returns -1 on
 * a malformed rule (a file is still usable without it: the caller keeps
 * what the transitions say). */
static int expand_rule(struct ladle_tz *tz, const char *s, const char *end, int64_t after)
{
    int32_t std, dst;
    struct rule_date start, stop;
    if (zone_name(&s, end) || hms(&s, end, 24, &std))
        return -1;
    std = -std; /* POSIX offsets count west */
    if (s == end)
        return 0; /* no daylight time: the last transition's offset stands */
    if (zone_name(&s, end))
        return -1;
    dst = std + 3600;
    if (s < end && *s != ',') {
        if (hms(&s, end, 24, &dst))
            return -1;
        dst = -dst;
    }
    if (s == end || *s++ != ',' || rule_date(&s, end, &start) || s == end || *s++ != ',' ||
        rule_date(&s, end, &stop) || s != end)
        return -1;
    int64_t y0 = 1970 + (after < 0 ? after / 31556952 - 1 : after / 31556952) - 1;
    if (y0 < 1600)
        y0 = 1600;
    for (int64_t y = y0; y <= RULE_LAST_YEAR; y++) {
        int64_t on = rule_day(&start, y) + start.time - std;
        int64_t off = rule_day(&stop, y) + stop.time - dst;
        int64_t t1 = on < off ? on : off, t2 = on < off ? off : on;
        if (t1 > after)
            add_change(tz, t1, on < off ? dst : std);
        if (t2 > after)
            add_change(tz, t2, on < off ? std : dst);
    }
    return 0;
}

/* ---- TZif (RFC 8536) ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_head {
    uint32_t isut, isstd, leap, time, type, chars;
};

static int read_head(const unsigned char *b, size_t len, struct tzif_head *h)
{
    if (len < 44 || memcmp(b, "TZif", 4) != 0)
        return -1;
    h->isut = be32(b + 20);
    h->isstd = be32(b + 24);
    h->leap = be32(b + 28);
    h->time = be32(b + 32);
    h->type = be32(b + 36);
    h->chars = be32(b + 40);
    if (h->type == 0 || h->type > 256 || h->chars == 0 || h->time > TZIF_MAX_BYTES ||
        h->leap > TZIF_MAX_BYTES || h->isut > h->type || h->isstd > h->type ||
        h->chars > TZIF_MAX_BYTES)
        return -1;
    return 0;
}

static size_t block_size(const struct tzif_head *h, size_t tsize)
{
    return h->time * tsize + h->time + h->type * 6u + h->chars + h->leap * (tsize + 4) + h->isstd +
           h->isut;
}

int ladle_tz_parse_tzif(struct ladle_tz **out, const unsigned char *buf, size_t len)
{
    struct tzif_head h;
    size_t tsize = 4;
    if (read_head(buf, len, &h))
        return -1;
    const unsigned char *b = buf + 44, *end = buf + len;
    if (buf[4] >= '2') { /* skip the 32-bit block for the 64-bit one */
        size_t skip = block_size(&h, 4);
        if ((size_t)(end - b) < skip || read_head(b + skip, (size_t)(end - b - skip), &h))
            return -1;
        b += skip + 44;
        tsize = 8;
    }
    if ((size_t)(end - b) < block_size(&h, tsize))
        return -1;
    const unsigned char *times = b, *idx = b + h.time * tsize, *types = idx + h.time;
    for (uint32_t k = 0; k < h.time; k++)
        if (idx[k] >= h.type)
            return -1;
    int32_t utoff[256];
    for (uint32_t k = 0; k < h.type; k++) {
        utoff[k] = (int32_t)be32(types + 6 * k);
        if (utoff[k] < -MAX_UTOFF || utoff[k] > MAX_UTOFF)
            return -1;
    }
    const unsigned char *footer = b + block_size(&h, tsize);
    struct ladle_tz *tz = tz_new(utoff[0], h.time + 2u * (RULE_LAST_YEAR - 1600 + 1));
    if (!tz)
        return -1;
    int64_t last = INT64_MIN;
    for (uint32_t k = 0; k < h.time; k++) {
        int64_t t = tsize == 8 ? be64(times + 8 * k) : (int32_t)be32(times + 4 * k);
        if (t <= last) {
            ladle_tz_free(tz);
            return -1; /* RFC 8536: strictly ascending */
        }
        last = t;
        add_change(tz, t, utoff[idx[k]]);
    }
    /* v2+: "\nTZ\n" after the block; a rule we cannot read is left out. */
    if (tsize == 8 && footer < end && *footer == '\n') {
        const unsigned char *nl = memchr(footer + 1, '\n', (size_t)(end - footer - 1));
        if (nl && nl > footer + 1)
            expand_rule(tz, (const char *)footer + 1, (const char *)nl,
                        h.time ? last : INT64_MIN / 2);
    }
    *out = tz;
    return 0;
}

/* ---- names ---- */

/* ASCII-only, so the locale has no say. */
static int same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if ((*a | 0x20) != (*b | 0x20))
            return 0;
    return *a == *b;
}

static int fixed_offset(const char *s, int32_t *off)
{
    if (same_name(s, "UTC") || same_name(s, "GMT") || same_name(s, "Z")) {
        *off = 0;
        return 0;
    }
    if (*s != '+' && *s != '-')
        return -1;
    const char *p = s + 1, *end = s + strlen(s);
    int h, m = 0;
    if (end - p < 2 || num(&(const char *){p}, p + 2, 0, 23, &h))
        return -1;
    p += 2;
    if (p < end && *p == ':')
        p++;
    if (p < end && (end - p != 2 || num(&(const char *){p}, end, 0, 59, &m)))
        return -1;
    if (p == end && p[-1] == ':')
        return -1;
    *off = (*s == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return 0;
}

static ladle_status load_file(struct ladle_tz **out, const char *name, struct ladle_error *err)
{
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    if (name[0] == '/' || strstr(name, "..") || strlen(name) > 255)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--tz: '%s' is not a zone name (UTC, +hh:mm, or an IANA name "
                               "such as Europe/Paris)",
                               name);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--tz: no zone '%s' (no file %s; give UTC, +hh:mm or an IANA name)",
                               name, path);
    unsigned char *buf = malloc(TZIF_MAX_BYTES);
    size_t n = buf ? fread(buf, 1, TZIF_MAX_BYTES, f) : 0;
    fclose(f);
    if (!buf)
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    int bad = ladle_tz_parse_tzif(out, buf, n);
    free(buf);
    if (bad)
        return ladle_error_set(err, LADLE_E_USAGE, "--tz: %s is not a TZif zone file", path);
    return LADLE_OK;
}

ladle_status ladle_tz_load(struct ladle_tz **out, const char *name, struct ladle_error *err)
{
    int32_t off;
    *out = NULL;
    if (!*name)
        return ladle_error_set(err, LADLE_E_USAGE, "--tz: empty zone name");
    if (fixed_offset(name, &off) == 0) {
        if (!(*out = tz_new(off, 0)))
            return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
        return LADLE_OK;
    }
    if (name[0] == '+' || name[0] == '-')
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--tz: '%s' is not an offset (+hh, +hhmm or +hh:mm; hh <= 23)",
                               name);
    return load_file(out, name, err);
}

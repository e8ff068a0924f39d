/*
 * test_field_loghub.c -- the field layer on real third-party logs
 * (../shared/realdata/loghub, see its SOURCES.md); skipped (77) when that
 * folder is absent.
 *
 * Every *_structured.csv (RFC 4180 with a header, CRLF, quoted Content
 * fields holding commas and quotes): Level (where the file has it) and
 * EventId, bound by header name, are OK on every row; EventId, which comes
 * after the quoted Content, always reads "E<digits>" (so quoting never
 * shifts a column); the column past the last is MISSING.
 * OpenSSH: the pid a re: field pulls from each raw .log line equals the
 * Pid column of the same row of the structured CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "field/field.h"
#include "test_util.h"

static const char *const SYSTEMS[] = {"Android",   "Apache",    "BGL",         "HDFS",
                                      "Hadoop",    "HealthApp", "Linux",       "OpenSSH",
                                      "OpenStack", "Spark",     "Thunderbird", "Zookeeper"};

static char dir[1024];

static int find_dir(void)
{
    const char *shared = getenv("LADLE_SHARED");
    if (shared)
        snprintf(dir, sizeof dir, "%s/realdata/loghub", shared);
    else /* this file is <root>/tests/unit/; ../shared sits beside <root> */
        snprintf(dir, sizeof dir, "%.*s/../../../shared/realdata/loghub",
                 (int)(strrchr(__FILE__, '/') ? strrchr(__FILE__, '/') - __FILE__ : 1),
                 strrchr(__FILE__, '/') ? __FILE__ : ".");
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The file's bytes, NUL-terminated; NULL if unreadable. */
static char *slurp(const char *name, size_t *len)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

/* The next '\n'-terminated record at *p, or 0 at the end. */
static size_t next_line(const char **p, const char *end, const char **rec)
{
    if (*p >= end)
        return 0;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl + 1 : end;
    *rec = *p;
    size_t n = (size_t)(stop - *p);
    *p = stop;
    return n;
}

static struct ladle_field *compile(const char *spec, enum ladle_format fmt)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f = NULL;
    CHECKF(ladle_field_compile(&f, spec, fmt, 0, &err) == LADLE_OK, "%s", err.msg);
    return f;
}

static int is_event_id(const char *v, size_t n)
{
    if (n < 2 || v[0] != 'E')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    return 1;
}

static void test_structured(struct ladle_field_scratch *s, const char *system)
{
    char name[256];
    snprintf(name, sizeof name, "%s_2k.log_structured.csv", system);
    size_t len;
    char *data = slurp(name, &len);
    CHECKF(data, "%s unreadable", name);
    if (!data)
        return;
    const char *p = data, *end = data + len, *hdr = NULL, *rec;
    size_t hlen = next_line(&p, end, &hdr);

    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *level = compile("Level", LADLE_FORMAT_CSV);
    struct ladle_field *event = compile("EventId", LADLE_FORMAT_CSV);
    struct ladle_field *past = compile("EventTemplate", LADLE_FORMAT_CSV);
    struct ladle_field_binding bl, be, bp;
    int has_level = ladle_field_bind(level, hdr, hlen, name, &bl, &err) == LADLE_OK;
    CHECKF(has_level || strstr(err.msg, "no column 'Level'"), "%s", err.msg);
    CHECKF(ladle_field_bind(event, hdr, hlen, name, &be, &err) == LADLE_OK, "%s", err.msg);
    CHECKF(ladle_field_bind(past, hdr, hlen, name, &bp, &err) == LADLE_OK, "%s", err.msg);
    bp.column++; /* one past the last column */

    size_t rows = 0, rl;
    while ((rl = next_line(&p, end, &rec)) > 0) {
        const char *v;
        size_t n;
        rows++;
        if (has_level)
            CHECKF(ladle_field_get(level, &bl, rec, rl, s, &v, &n) == LADLE_FIELD_OK && n > 0,
                   "%s row %zu: Level", name, rows);
        CHECKF(ladle_field_get(event, &be, rec, rl, s, &v, &n) == LADLE_FIELD_OK &&
                   is_event_id(v, n),
               "%s row %zu: EventId '%.*s'", name, rows, (int)n, v ? v : "");
        CHECKF(ladle_field_get(past, &bp, rec, rl, s, &v, &n) == LADLE_FIELD_MISSING,
               "%s row %zu: a column past the last", name, rows);
    }
    CHECKF(rows == 2000, "%s: %zu rows", name, rows);
    ladle_field_free(level);
    ladle_field_free(event);
    ladle_field_free(past);
    free(data);
}

static void test_openssh_pids(struct ladle_field_scratch *s1, struct ladle_field_scratch *s2)
{
    size_t llen, clen;
    char *log = slurp("OpenSSH_2k.log", &llen);
    char *csv = slurp("OpenSSH_2k.log_structured.csv", &clen);
    CHECK(log && csv);
    if (!log || !csv) {
        free(log);
        free(csv);
        return;
    }
    struct ladle_field *re = compile("re:sshd\\[(\\d+)\\]", LADLE_FORMAT_LINES);
    struct ladle_field *pid = compile("Pid", LADLE_FORMAT_CSV);
    const char *lp = log, *lend = log + llen, *cp = csv, *cend = csv + clen, *hdr = NULL, *lrec,
               *crec;
    size_t hlen = next_line(&cp, cend, &hdr), ln, cn, rows = 0, same = 0;
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field_binding b;
    CHECKF(ladle_field_bind(pid, hdr, hlen, "OpenSSH", &b, &err) == LADLE_OK, "%s", err.msg);
    while ((ln = next_line(&lp, lend, &lrec)) > 0 && (cn = next_line(&cp, cend, &crec)) > 0) {
        const char *a, *c;
        size_t an, cnn;
        rows++;
        if (ladle_field_get(re, NULL, lrec, ln, s1, &a, &an) == LADLE_FIELD_OK &&
            ladle_field_get(pid, &b, crec, cn, s2, &c, &cnn) == LADLE_FIELD_OK && an == cnn &&
            memcmp(a, c, an) == 0)
            same++;
    }
    CHECKF(rows == 2000 && same == rows, "OpenSSH: %zu of %zu pids agree", same, rows);
    ladle_field_free(re);
    ladle_field_free(pid);
    free(log);
    free(csv);
}

int main(void)
{
    if (!find_dir()) {
        fprintf(stderr, "test_field_loghub: skipped (no %s)\n", dir);
        return 77;
    }
    struct ladle_field_scratch *s1 = ladle_field_scratch_new(), *s2 = ladle_field_scratch_new();
    CHECK(s1 && s2);
    for (size_t i = 0; i < sizeof SYSTEMS / sizeof SYSTEMS[0]; i++)
        test_structured(s1, SYSTEMS[i]);
    test_openssh_pids(s1, s2);
    ladle_field_scratch_free(s1);
    ladle_field_scratch_free(s2);
    return t_done("test_field_loghub");
}

/*
 * test_field_regex.c -- re:PATTERN fields (src/field/field_regex.c) on
 * syslog, Apache, OpenSSH and HDFS-like lines: the capture group's text,
 * no match and unset groups as MISSING, compile errors for 0 or 2 groups
 * and for invalid patterns (with PCRE2's message and offset), re: under
 * every format, and one scratch per thread across threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "field/field.h"
#include "test_util.h"

static struct ladle_field_scratch *S;

static struct ladle_field *compile(const char *spec, enum ladle_format fmt)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f = NULL;
    ladle_status st = ladle_field_compile(&f, spec, fmt, 0, &err);
    CHECKF(st == LADLE_OK && f, "compile '%s': %s", spec, err.msg);
    return f;
}

#define EXPECT(f, rec, res, want) expect(__LINE__, f, rec, res, want)
static void expect(int line, const struct ladle_field *f, const char *rec,
                   enum ladle_field_result res, const char *want)
{
    const char *v = "unset";
    size_t n = 99;
    enum ladle_field_result r = ladle_field_get(f, NULL, rec, strlen(rec), S, &v, &n);
    int ok = r == res;
    if (ok && res == LADLE_FIELD_OK)
        ok = n == strlen(want) && memcmp(v, want, n) == 0;
    if (ok && res != LADLE_FIELD_OK)
        ok = v == NULL && n == 0;
    if (!ok) {
        fprintf(stderr, "%s:%d: field '%s' on '%s': got %d '%.*s', want %d '%s'\n", __FILE__, line,
                ladle_field_spec(f), rec, (int)r, v ? (int)n : 0, v ? v : "", (int)res,
                want ? want : "");
        t_failures++;
    }
}

/* Compiling spec must fail with a message starting with want. */
static void expect_error(const char *spec, const char *want)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f = NULL;
    ladle_status st = ladle_field_compile(&f, spec, LADLE_FORMAT_LINES, 0, &err);
    CHECKF(st == LADLE_E_USAGE && !f, "'%s' compiled", spec);
    CHECKF(strncmp(err.msg, want, strlen(want)) == 0, "'%s': got '%s', want '%s...'", spec, err.msg,
           want);
    ladle_field_free(f);
}

static const char *const SSH[] = {
    "Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for "
    "ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!\r\n",
    "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from "
    "173.234.31.186 port 38926 ssh2\r\n",
    "Dec 10 07:02:47 LabSZ CRON[24202]: pam_unix(cron:session): session opened\n",
};

static void test_logs(void)
{
    struct ladle_field *pid = compile("re:sshd\\[(\\d+)\\]", LADLE_FORMAT_LINES);
    EXPECT(pid, SSH[0], LADLE_FIELD_OK, "24200");
    EXPECT(pid, SSH[1], LADLE_FIELD_OK, "24200");
    EXPECT(pid, SSH[2], LADLE_FIELD_MISSING, NULL);
    ladle_field_free(pid);

    struct ladle_field *ip =
        compile("re:from (\\d+\\.\\d+\\.\\d+\\.\\d+) port", LADLE_FORMAT_LINES);
    EXPECT(ip, SSH[1], LADLE_FIELD_OK, "173.234.31.186");
    EXPECT(ip, SSH[0], LADLE_FIELD_MISSING, NULL);
    ladle_field_free(ip);

    /* The subject ends before "\r\n", so '$' anchors at the text's end. */
    struct ladle_field *last = compile("re:(\\S+)$", LADLE_FORMAT_LINES);
    EXPECT(last, SSH[1], LADLE_FIELD_OK, "ssh2");
    EXPECT(last, SSH[2], LADLE_FIELD_OK, "opened");
    ladle_field_free(last);

    struct ladle_field *blk = compile("re:blk_(-?\\d+)", LADLE_FORMAT_LINES);
    EXPECT(blk,
           "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block "
           "blk_38865049064139660 terminating\n",
           LADLE_FIELD_OK, "38865049064139660");
    EXPECT(blk,
           "081109 203807 222 INFO dfs.DataNode$PacketResponder: Received block "
           "blk_-6952295868487656571 of size 67108864 from /10.251.39.64\n",
           LADLE_FIELD_OK, "-6952295868487656571");
    EXPECT(blk, "081109 203807 222 INFO no block here\n", LADLE_FIELD_MISSING, NULL);
    ladle_field_free(blk);

    struct ladle_field *status = compile("re:\" (\\d{3}) ", LADLE_FORMAT_LINES);
    EXPECT(status,
           "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 "
           "2326\n",
           LADLE_FIELD_OK, "200");
    ladle_field_free(status);

    struct ladle_field *level = compile("re:^\\[[^]]*\\] \\[(\\w+)\\]", LADLE_FORMAT_LINES);
    EXPECT(level, "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok\r\n", LADLE_FIELD_OK,
           "notice");
    EXPECT(level, "[Sun Dec 04 04:47:44 2005] notice\r\n", LADLE_FIELD_MISSING, NULL);
    ladle_field_free(level);

    /* Syslog tag; named groups count as groups; an empty capture is a value. */
    struct ladle_field *tag = compile("re:^\\S+ +\\d+ \\S+ \\S+ (?<tag>[^:[]+)", LADLE_FORMAT_AUTO);
    EXPECT(tag, "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown\n",
           LADLE_FIELD_OK, "sshd(pam_unix)");
    ladle_field_free(tag);
    struct ladle_field *empty = compile("re:x(y*)z", LADLE_FORMAT_LINES);
    EXPECT(empty, "axzb\n", LADLE_FIELD_OK, "");
    ladle_field_free(empty);

    /* A group left unset by the match that succeeded is MISSING. */
    struct ladle_field *alt = compile("re:a|(b)", LADLE_FORMAT_LINES);
    EXPECT(alt, "xa\n", LADLE_FIELD_MISSING, NULL);
    EXPECT(alt, "xb\n", LADLE_FIELD_OK, "b");
    ladle_field_free(alt);

    /* Byte semantics: invalid UTF-8 is matched, not refused. */
    struct ladle_field *bytes = compile("re:k=(\\S+)", LADLE_FORMAT_LINES);
    EXPECT(bytes, "k=\xff\xfe\xc3 z\n", LADLE_FIELD_OK, "\xff\xfe\xc3");
    ladle_field_free(bytes);
}

/* re: works under every format: on the whole record. */
static void test_formats(void)
{
    enum ladle_format fmts[] = {LADLE_FORMAT_AUTO, LADLE_FORMAT_LINES, LADLE_FORMAT_TSV,
                                LADLE_FORMAT_CSV, LADLE_FORMAT_JSON};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        struct ladle_field *f = compile("re:\"id\": *(\\d+)", fmts[i]);
        EXPECT(f, "{\"id\": 42, \"x\": \"a,b\tc\"}\n", LADLE_FIELD_OK, "42");
        ladle_field_free(f);
    }
}

static void test_errors(void)
{
    expect_error("re:sshd\\[\\d+\\]",
                 "field 're:sshd\\[\\d+\\]': the pattern needs exactly one capture group, it "
                 "has 0");
    expect_error("re:(\\w+)=(\\w+)", "field 're:(\\w+)=(\\w+)': the pattern needs exactly one "
                                     "capture group, it has 2");
    expect_error("re:", "field 're:': the pattern needs exactly one capture group, it has 0");
    expect_error("re:(abc", "field 're:(abc': bad regular expression: missing closing "
                            "parenthesis (at offset 4)");
    expect_error("re:a(?<n", "field 're:a(?<n': bad regular expression: ");
    expect_error("re:(x)[", "field 're:(x)[': bad regular expression: missing terminating ] "
                            "for character class (at offset 4)");
}

/* One compiled field, one scratch per thread. */
struct worker {
    const struct ladle_field *f;
    int bad;
};

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    struct ladle_field_scratch *s = ladle_field_scratch_new();
    char rec[64];
    for (int i = 0; i < 20000 && s; i++) {
        int n = snprintf(rec, sizeof rec, "host sshd[%d]: hello\n", i);
        const char *v;
        size_t vlen;
        char want[16];
        int wn = snprintf(want, sizeof want, "%d", i);
        if (ladle_field_get(w->f, NULL, rec, (size_t)n, s, &v, &vlen) != LADLE_FIELD_OK ||
            vlen != (size_t)wn || memcmp(v, want, vlen) != 0)
            w->bad++;
    }
    if (!s)
        w->bad++;
    ladle_field_scratch_free(s);
    return NULL;
}

static void test_threads(void)
{
    struct ladle_field *f = compile("re:sshd\\[(\\d+)\\]", LADLE_FORMAT_LINES);
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i].f = f;
        w[i].bad = 0;
        CHECK(pthread_create(&t[i], NULL, run_worker, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CHECK(w[i].bad == 0);
    }
    ladle_field_free(f);
}

int main(void)
{
    S = ladle_field_scratch_new();
    CHECK(S);
    test_logs();
    test_formats();
    test_errors();
    test_threads();
    ladle_field_scratch_free(S);
    return t_done("test_field_regex");
}

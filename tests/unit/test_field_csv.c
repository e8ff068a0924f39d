/*
 * test_field_csv.c -- RFC 4180 columns (src/field/field_csv.c): quoted
 * delimiters, doubled quotes, empty quoted fields, line ends inside a
 * closed quote, unterminated quotes (BAD), junk after a closing quote,
 * quoted header names, CRLF, a custom delimiter.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "field/field.h"
#include "test_util.h"

static struct ladle_field_scratch *S;

static struct ladle_field *compile(const char *spec, char delim)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f = NULL;
    ladle_status st = ladle_field_compile(&f, spec, LADLE_FORMAT_CSV, delim, &err);
    CHECKF(st == LADLE_OK && f, "compile '%s': %s", spec, err.msg);
    return f;
}

#define EXPECT(f, b, rec, res, want) expect(__LINE__, f, b, rec, strlen(rec), res, want)
static void expect(int line, const struct ladle_field *f, const struct ladle_field_binding *b,
                   const char *rec, size_t len, enum ladle_field_result res, const char *want)
{
    const char *v = "unset";
    size_t n = 99;
    enum ladle_field_result r = ladle_field_get(f, b, rec, len, S, &v, &n);
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

static void test_rfc4180(void)
{
    struct ladle_field *c1 = compile("1", 0), *c2 = compile("2", 0), *c3 = compile("3", 0);

    EXPECT(c1, NULL, "a,b,c\n", LADLE_FIELD_OK, "a");
    EXPECT(c3, NULL, "a,b,c\n", LADLE_FIELD_OK, "c");
    /* Quoted delimiters. */
    EXPECT(c1, NULL, "\"a,b\",c\n", LADLE_FIELD_OK, "a,b");
    EXPECT(c2, NULL, "\"a,b\",c\n", LADLE_FIELD_OK, "c");
    EXPECT(c2, NULL, "x,\"a,b,c\",\"d\"\n", LADLE_FIELD_OK, "a,b,c");
    EXPECT(c3, NULL, "x,\"a,b,c\",\"d\"\n", LADLE_FIELD_OK, "d");
    /* Doubled quotes, inside and at both ends. */
    EXPECT(c1, NULL, "\"say \"\"hi\"\"\",x\n", LADLE_FIELD_OK, "say \"hi\"");
    EXPECT(c2, NULL, "\"say \"\"hi\"\"\",x\n", LADLE_FIELD_OK, "x");
    EXPECT(c1, NULL, "\"\"\"\"\n", LADLE_FIELD_OK, "\"");
    EXPECT(c1, NULL, "\"\"\"a\"\"\"\n", LADLE_FIELD_OK, "\"a\"");
    /* Empty quoted and unquoted fields. */
    EXPECT(c1, NULL, "\"\",x\n", LADLE_FIELD_OK, "");
    EXPECT(c2, NULL, "x,\"\"\n", LADLE_FIELD_OK, "");
    EXPECT(c2, NULL, "x,\"\"\r\n", LADLE_FIELD_OK, "");
    EXPECT(c2, NULL, "x,,y\n", LADLE_FIELD_OK, "");
    EXPECT(c2, NULL, "x,\n", LADLE_FIELD_OK, "");
    EXPECT(c3, NULL, "x,\n", LADLE_FIELD_MISSING, NULL);
    EXPECT(c1, NULL, "\n", LADLE_FIELD_OK, "");
    /* CRLF: the '\r' leaves the last value, quoted or not. */
    EXPECT(c2, NULL, "a,b\r\n", LADLE_FIELD_OK, "b");
    EXPECT(c2, NULL, "a,\"b\"\r\n", LADLE_FIELD_OK, "b");
    EXPECT(c2, NULL, "a,\"b\"", LADLE_FIELD_OK, "b");
    /* Line ends inside a closed quote are data. */
    EXPECT(c1, NULL, "\"a\r\nb\",c\n", LADLE_FIELD_OK, "a\r\nb");
    EXPECT(c2, NULL, "\"a\r\nb\",c\r\n", LADLE_FIELD_OK, "c");
    EXPECT(c2, NULL, "x,\"a\nb\"\n", LADLE_FIELD_OK, "a\nb");
    /* Unterminated quotes: the field would span lines. */
    EXPECT(c1, NULL, "\"abc\n", LADLE_FIELD_BAD, NULL);
    EXPECT(c1, NULL, "\"abc\"\"\n", LADLE_FIELD_BAD, NULL);
    EXPECT(c2, NULL, "a,\"bc\r\n", LADLE_FIELD_BAD, NULL);
    EXPECT(c3, NULL, "a,\"bc\n", LADLE_FIELD_BAD, NULL);
    EXPECT(c1, NULL, "\"\n", LADLE_FIELD_BAD, NULL);
    /* Scanning stops at the value: a bad field after it goes unseen. */
    EXPECT(c1, NULL, "a,\"bc\n", LADLE_FIELD_OK, "a");
    /* Junk between a closing quote and the delimiter. */
    EXPECT(c1, NULL, "\"ab\"c,d\n", LADLE_FIELD_BAD, NULL);
    EXPECT(c2, NULL, "\"ab\" ,d\n", LADLE_FIELD_BAD, NULL);
    /* A quote inside an unquoted field is data (lenient). */
    EXPECT(c1, NULL, "ab\"c,d\n", LADLE_FIELD_OK, "ab\"c");
    EXPECT(c1, NULL, " \"a\",d\n", LADLE_FIELD_OK, " \"a\"");

    ladle_field_free(c1);
    ladle_field_free(c2);
    ladle_field_free(c3);
}

static void test_delimiter(void)
{
    struct ladle_field *c2 = compile("2", ';');
    EXPECT(c2, NULL, "a;\"b;c\";d\n", LADLE_FIELD_OK, "b;c");
    EXPECT(c2, NULL, "a,b;c\n", LADLE_FIELD_OK, "c");
    ladle_field_free(c2);
    struct ladle_field *t2 = compile("2", '\t');
    EXPECT(t2, NULL, "a\t\"b\tc\"\n", LADLE_FIELD_OK, "b\tc");
    ladle_field_free(t2);
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f = NULL;
    CHECK(ladle_field_compile(&f, "1", LADLE_FORMAT_CSV, '"', &err) == LADLE_E_USAGE && !f);
}

static void test_header(void)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *user = compile("user name", 0), *say = compile("say \"x\"", 0);
    struct ladle_field *id = compile("id", 0);
    const char *h = "\"id\",\"user name\",\"say \"\"x\"\"\"\r\n";
    struct ladle_field_binding bu, bs, bi;
    CHECKF(ladle_field_bind(user, h, strlen(h), "a.csv", &bu, &err) == LADLE_OK, "%s", err.msg);
    CHECKF(ladle_field_bind(say, h, strlen(h), "a.csv", &bs, &err) == LADLE_OK, "%s", err.msg);
    CHECKF(ladle_field_bind(id, h, strlen(h), "a.csv", &bi, &err) == LADLE_OK, "%s", err.msg);
    CHECK(bi.column == 0 && bu.column == 1 && bs.column == 2);
    EXPECT(user, &bu, "1,\"Doe, J.\",\"\"\"hi\"\"\"\r\n", LADLE_FIELD_OK, "Doe, J.");
    EXPECT(say, &bs, "1,\"Doe, J.\",\"\"\"hi\"\"\"\r\n", LADLE_FIELD_OK, "\"hi\"");

    /* A header name with a comma inside quotes is one name. */
    struct ladle_field *ab = compile("a,b", 0);
    const char *h2 = "x,\"a,b\"\n";
    CHECK(ladle_field_bind(ab, h2, strlen(h2), "b.csv", &bu, &err) == LADLE_OK);
    CHECK(bu.column == 1);
    ladle_field_free(ab);

    /* Absent and malformed headers. */
    const char *h3 = "\"user\",\"name\"\n";
    CHECK(ladle_field_bind(user, h3, strlen(h3), "c.csv", &bu, &err) == LADLE_E_INPUT);
    CHECKF(strcmp(err.msg, "c.csv: no column 'user name' in the header (line 1)") == 0, "%s",
           err.msg);
    ladle_error_init(&err);
    const char *h4 = "\"user\",\"user name\n";
    CHECK(ladle_field_bind(user, h4, strlen(h4), "d.csv", &bu, &err) == LADLE_E_INPUT);
    CHECKF(strcmp(err.msg, "d.csv: malformed header (line 1)") == 0, "%s", err.msg);

    ladle_field_free(user);
    ladle_field_free(say);
    ladle_field_free(id);
}

/* A long doubled-quote value grows the scratch; later ones reuse it. */
static void test_long_values(void)
{
    static char rec[70000];
    struct ladle_field *c2 = compile("2", 0);
    size_t n = 0;
    rec[n++] = 'a';
    rec[n++] = ',';
    rec[n++] = '"';
    for (int i = 0; i < 20000; i++) {
        memcpy(rec + n, "x\"\"", 3);
        n += 3;
    }
    rec[n++] = '"';
    rec[n++] = '\n';
    const char *v;
    size_t vlen;
    CHECK(ladle_field_get(c2, NULL, rec, n, S, &v, &vlen) == LADLE_FIELD_OK);
    CHECK(vlen == 40000 && v[0] == 'x' && v[1] == '"' && v[39999] == '"');
    ladle_field_free(c2);
}

int main(void)
{
    S = ladle_field_scratch_new();
    CHECK(S);
    test_rfc4180();
    test_delimiter();
    test_header();
    test_long_values();
    ladle_field_scratch_free(S);
    return t_done("test_field_csv");
}

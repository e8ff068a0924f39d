/*
 * test_field_tsv.c -- TSV columns (src/field/field_tsv.c) through the
 * field API: columns by number and by header name (per input, so inputs
 * may order their columns differently), out of range, CRLF, empty fields,
 * a custom delimiter, and the spec and binding errors.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "field/field.h"
#include "test_util.h"

static struct ladle_field_scratch *S;

static struct ladle_field *compile(const char *spec, enum ladle_format fmt, char delim)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f = NULL;
    ladle_status st = ladle_field_compile(&f, spec, fmt, delim, &err);
    CHECKF(st == LADLE_OK && f, "compile '%s': %s", spec, err.msg);
    return f;
}

/* Extracts f from rec and compares with res and, for OK, with want. */
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

static void test_numbers(void)
{
    struct ladle_field *c1 = compile("1", LADLE_FORMAT_TSV, 0);
    struct ladle_field *c2 = compile("2", LADLE_FORMAT_TSV, 0);
    struct ladle_field *c3 = compile("3", LADLE_FORMAT_TSV, 0);
    struct ladle_field *c4 = compile("4", LADLE_FORMAT_TSV, 0);
    struct ladle_field *c1000 = compile("1000", LADLE_FORMAT_TSV, 0);
    CHECK(!ladle_field_needs_header(c1));

    EXPECT(c1, NULL, "a\tbb\tccc\n", LADLE_FIELD_OK, "a");
    EXPECT(c2, NULL, "a\tbb\tccc\n", LADLE_FIELD_OK, "bb");
    EXPECT(c3, NULL, "a\tbb\tccc\n", LADLE_FIELD_OK, "ccc");
    EXPECT(c4, NULL, "a\tbb\tccc\n", LADLE_FIELD_MISSING, NULL);
    EXPECT(c1000, NULL, "a\tbb\tccc\n", LADLE_FIELD_MISSING, NULL);
    /* No line end at all, and CRLF: the '\r' is not part of the last value. */
    EXPECT(c3, NULL, "a\tbb\tccc", LADLE_FIELD_OK, "ccc");
    EXPECT(c3, NULL, "a\tbb\tccc\r\n", LADLE_FIELD_OK, "ccc");
    EXPECT(c1, NULL, "a\r\n", LADLE_FIELD_OK, "a");
    EXPECT(c2, NULL, "a\r\n", LADLE_FIELD_MISSING, NULL);
    /* A '\r' inside the record is data. */
    EXPECT(c1, NULL, "a\rb\tc\n", LADLE_FIELD_OK, "a\rb");
    /* Empty fields. */
    EXPECT(c1, NULL, "\t\tx\n", LADLE_FIELD_OK, "");
    EXPECT(c2, NULL, "\t\tx\n", LADLE_FIELD_OK, "");
    EXPECT(c3, NULL, "\t\tx\n", LADLE_FIELD_OK, "x");
    EXPECT(c2, NULL, "a\t\n", LADLE_FIELD_OK, "");
    EXPECT(c3, NULL, "a\t\n", LADLE_FIELD_MISSING, NULL);
    EXPECT(c2, NULL, "a\t\r\n", LADLE_FIELD_OK, "");
    EXPECT(c1, NULL, "\n", LADLE_FIELD_OK, "");
    EXPECT(c1, NULL, "", LADLE_FIELD_OK, "");
    EXPECT(c2, NULL, "\n", LADLE_FIELD_MISSING, NULL);
    /* No quoting in TSV: quotes are data. */
    EXPECT(c1, NULL, "\"a\tb\"\n", LADLE_FIELD_OK, "\"a");
    /* A binding for a numbered column is just the column. */
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field_binding b;
    CHECK(ladle_field_bind(c2, NULL, 0, "x.tsv", &b, &err) == LADLE_OK);
    EXPECT(c2, &b, "a\tb\n", LADLE_FIELD_OK, "b");
    CHECK(ladle_field_bind(c2, "x\ty\n", 4, "x.tsv", &b, &err) == LADLE_OK);
    EXPECT(c2, &b, "a\tb\n", LADLE_FIELD_OK, "b");

    ladle_field_free(c1);
    ladle_field_free(c2);
    ladle_field_free(c3);
    ladle_field_free(c4);
    ladle_field_free(c1000);
}

static void test_delimiter(void)
{
    struct ladle_field *p2 = compile("2", LADLE_FORMAT_TSV, '|');
    EXPECT(p2, NULL, "a|b\tc|d\n", LADLE_FIELD_OK, "b\tc");
    EXPECT(p2, NULL, "a\tb\n", LADLE_FIELD_MISSING, NULL);
    ladle_field_free(p2);
    struct ladle_field *s3 = compile("3", LADLE_FORMAT_TSV, ' ');
    EXPECT(s3, NULL, "Jun 14 15:16:01 combo\n", LADLE_FIELD_OK, "15:16:01");
    ladle_field_free(s3);
}

static void test_header(void)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *lvl = compile("level", LADLE_FORMAT_TSV, 0);
    CHECK(ladle_field_needs_header(lvl));

    /* Two inputs, two column orders, one field. */
    const char *h1 = "id\tname\tlevel\r\n", *h2 = "\xEF\xBB\xBFlevel\tid\n";
    struct ladle_field_binding b1, b2;
    CHECKF(ladle_field_bind(lvl, h1, strlen(h1), "a.tsv", &b1, &err) == LADLE_OK, "%s", err.msg);
    CHECKF(ladle_field_bind(lvl, h2, strlen(h2), "b.tsv", &b2, &err) == LADLE_OK, "%s", err.msg);
    CHECK(b1.column == 2);
    CHECK(b2.column == 0);
    EXPECT(lvl, &b1, "7\tbob\twarn\r\n", LADLE_FIELD_OK, "warn");
    EXPECT(lvl, &b2, "info\t8\n", LADLE_FIELD_OK, "info");
    EXPECT(lvl, &b1, "7\tbob\n", LADLE_FIELD_MISSING, NULL);

    /* Duplicate names: the first wins. */
    const char *h3 = "level\tlevel\n";
    CHECK(ladle_field_bind(lvl, h3, strlen(h3), "c.tsv", &b1, &err) == LADLE_OK);
    CHECK(b1.column == 0);

    /* A name that is a prefix of a header name does not match it. */
    const char *h4 = "levels\tlev\n";
    ladle_status st = ladle_field_bind(lvl, h4, strlen(h4), "d.tsv", &b1, &err);
    CHECK(st == LADLE_E_INPUT);
    CHECKF(strcmp(err.msg, "d.tsv: no column 'level' in the header (line 1)") == 0, "%s", err.msg);

    /* A name without a header. */
    ladle_error_init(&err);
    st = ladle_field_bind(lvl, NULL, 0, "e.tsv", &b1, &err);
    CHECK(st == LADLE_E_USAGE);
    CHECKF(strstr(err.msg, "e.tsv: field 'level' names a column") == err.msg, "%s", err.msg);
    ladle_field_free(lvl);

    /* With a delimiter of its own, the header is split by it too. */
    struct ladle_field *name = compile("user name", LADLE_FORMAT_TSV, ',');
    const char *h5 = "id,user name\n";
    ladle_error_init(&err);
    CHECK(ladle_field_bind(name, h5, strlen(h5), "f.csv", &b1, &err) == LADLE_OK);
    EXPECT(name, &b1, "1,ann\n", LADLE_FIELD_OK, "ann");
    ladle_field_free(name);
}

static void test_errors(void)
{
    struct ladle_error err;
    struct ladle_field *f = NULL;
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, "0", LADLE_FORMAT_TSV, 0, &err) == LADLE_E_USAGE && !f);
    CHECKF(strcmp(err.msg, "field '0': columns are numbered from 1") == 0, "%s", err.msg);
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, "99999999999", LADLE_FORMAT_TSV, 0, &err) == LADLE_E_USAGE);
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, "", LADLE_FORMAT_TSV, 0, &err) == LADLE_E_USAGE);
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, "2", LADLE_FORMAT_TSV, '\n', &err) == LADLE_E_USAGE);
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, "2", LADLE_FORMAT_LINES, 0, &err) == LADLE_E_USAGE);
    CHECKF(strcmp(err.msg, "field '2': field needs --format tsv/csv/json or re:PATTERN") == 0, "%s",
           err.msg);
}

int main(void)
{
    S = ladle_field_scratch_new();
    CHECK(S);
    test_numbers();
    test_delimiter();
    test_header();
    test_errors();
    ladle_field_scratch_free(S);
    return t_done("test_field_tsv");
}

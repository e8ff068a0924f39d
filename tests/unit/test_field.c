/*
 * test_field.c -- what src/field/field.c decides before any format runs:
 * --format names, auto detection, which ops a spec picks under each format
 * (re: always wins; lines takes nothing else), snowball FROM:TO links,
 * --format auto on mixed JSON and text, and results on NULL bindings.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "field/field.h"
#include "test_util.h"

static struct ladle_field_scratch *S;

static enum ladle_field_result get(const struct ladle_field *f, const char *rec, char *out,
                                   size_t cap)
{
    const char *v;
    size_t n;
    enum ladle_field_result r = ladle_field_get(f, NULL, rec, strlen(rec), S, &v, &n);
    snprintf(out, cap, "%.*s", r == LADLE_FIELD_OK ? (int)n : 0, r == LADLE_FIELD_OK ? v : "");
    return r;
}

static void test_format_names(void)
{
    enum ladle_format f = LADLE_FORMAT_LINES;
    CHECK(ladle_format_parse("auto", &f) == 0 && f == LADLE_FORMAT_AUTO);
    CHECK(ladle_format_parse("lines", &f) == 0 && f == LADLE_FORMAT_LINES);
    CHECK(ladle_format_parse("tsv", &f) == 0 && f == LADLE_FORMAT_TSV);
    CHECK(ladle_format_parse("csv", &f) == 0 && f == LADLE_FORMAT_CSV);
    CHECK(ladle_format_parse("json", &f) == 0 && f == LADLE_FORMAT_JSON);
    CHECK(ladle_format_parse("JSON", &f) == -1);
    CHECK(ladle_format_parse("", &f) == -1);
}

static void test_detect(void)
{
#define DETECT(s) ladle_format_detect(s, strlen(s))
    CHECK(DETECT("{\"a\":1}\n") == LADLE_FORMAT_JSON);
    CHECK(DETECT("  \t{}") == LADLE_FORMAT_JSON);
    CHECK(DETECT("\xEF\xBB\xBF{}") == LADLE_FORMAT_JSON);
    CHECK(DETECT("[1,2]") == LADLE_FORMAT_LINES);
    CHECK(DETECT("Dec 10 sshd[1]: {x}") == LADLE_FORMAT_LINES);
    CHECK(DETECT("") == LADLE_FORMAT_LINES);
    CHECK(DETECT("   \n") == LADLE_FORMAT_LINES);
#undef DETECT
}

static void test_auto(void)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f = NULL;
    CHECK(ladle_field_compile(&f, "user.id", LADLE_FORMAT_AUTO, 0, &err) == LADLE_OK);
    char v[64];
    CHECK(get(f, "{\"user\": {\"id\": 7}}\n", v, sizeof v) == LADLE_FIELD_OK && !strcmp(v, "7"));
    CHECK(get(f, "user.id=7 but free text\n", v, sizeof v) == LADLE_FIELD_MISSING);
    CHECK(get(f, "[{\"user\": 1}]\n", v, sizeof v) == LADLE_FIELD_MISSING);
    CHECK(get(f, "{\"user\": \n", v, sizeof v) == LADLE_FIELD_BAD);
    CHECK(!ladle_field_needs_header(f));
    CHECK(strcmp(ladle_field_spec(f), "user.id") == 0);
    ladle_field_free(f);

    /* The same spec under --format lines is refused; re: is accepted anywhere. */
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, "user.id", LADLE_FORMAT_LINES, 0, &err) == LADLE_E_USAGE);
    CHECK(strstr(err.msg, "field needs --format tsv/csv/json or re:PATTERN") != NULL);
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, "re:id=(\\d+)", LADLE_FORMAT_LINES, 0, &err) == LADLE_OK);
    CHECK(get(f, "x id=12 y\n", v, sizeof v) == LADLE_FIELD_OK && !strcmp(v, "12"));
    ladle_field_free(f);
    /* "re" without the colon is an ordinary name. */
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, "re", LADLE_FORMAT_JSON, 0, &err) == LADLE_OK);
    CHECK(get(f, "{\"re\": \"x\"}", v, sizeof v) == LADLE_FIELD_OK && !strcmp(v, "x"));
    ladle_field_free(f);
    ladle_field_free(NULL);
}

static void expect_link_error(const char *spec, const char *want)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *from = (void *)1, *to = (void *)1;
    ladle_status st = ladle_field_compile_link(&from, &to, spec, LADLE_FORMAT_JSON, 0, &err);
    CHECKF(st == LADLE_E_USAGE && !from && !to, "link '%s' compiled", spec);
    CHECKF(strcmp(err.msg, want) == 0, "link '%s': got '%s', want '%s'", spec, err.msg, want);
}

static void test_link(void)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *from, *to;
    CHECK(ladle_field_compile_link(&from, &to, "user.id:parent.id", LADLE_FORMAT_JSON, 0, &err) ==
          LADLE_OK);
    char v[64];
    const char *rec = "{\"user\":{\"id\":\"u1\"},\"parent\":{\"id\":\"u0\"}}\n";
    CHECK(get(from, rec, v, sizeof v) == LADLE_FIELD_OK && !strcmp(v, "u1"));
    CHECK(get(to, rec, v, sizeof v) == LADLE_FIELD_OK && !strcmp(v, "u0"));
    ladle_field_free(from);
    ladle_field_free(to);

    CHECK(ladle_field_compile_link(&from, &to, "2:5", LADLE_FORMAT_TSV, 0, &err) == LADLE_OK);
    CHECK(get(from, "a\tb\tc\td\te\n", v, sizeof v) == LADLE_FIELD_OK && !strcmp(v, "b"));
    CHECK(get(to, "a\tb\tc\td\te\n", v, sizeof v) == LADLE_FIELD_OK && !strcmp(v, "e"));
    ladle_field_free(from);
    ladle_field_free(to);

    CHECK(ladle_field_compile_link(&from, &to, "src:dst", LADLE_FORMAT_CSV, 0, &err) == LADLE_OK);
    CHECK(ladle_field_needs_header(from) && ladle_field_needs_header(to));
    ladle_field_free(from);
    ladle_field_free(to);

    expect_link_error("user.id", "link 'user.id': expected FROM:TO with exactly one ':'");
    expect_link_error("a:b:c", "link 'a:b:c': expected FROM:TO with exactly one ':'");
    expect_link_error("re:(x):y", "link 're:(x):y': re: patterns are not supported in FROM:TO");
    expect_link_error("a:re:(x)", "link 'a:re:(x)': re: patterns are not supported in FROM:TO");
    expect_link_error(":b", "field '': empty field spec");
    expect_link_error("a:", "field '': empty field spec");
    expect_link_error("a:b..c", "field 'b..c': empty key in the path (segment 2)");
}

int main(void)
{
    S = ladle_field_scratch_new();
    CHECK(S);
    test_format_names();
    test_detect();
    test_auto();
    test_link();
    ladle_field_scratch_free(S);
    return t_done("test_field");
}
